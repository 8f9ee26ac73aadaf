/* cmd_bench: `unroll bench`, times the engine on the shapes of design.md's
 * targets (contracts.md section 5). "forward" is one recurrent layer's
 * forward pass over the batch (per-step records kept); "train" is its forward
 * and backward pass with the loss taken as the sum of the last step's output,
 * no optimizer step. Figures are medians of repeated runs. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <time.h>

#include "cli.h"
#include "app.h"
#include "engine.h"
#include "jsonw.h"
#include "model_io.h"
#include "spec.h"
#include "tokenizer_io.h"

static const char USAGE[] =
    "usage: unroll bench [--json] [--quick] [--cell lstm|gru|simplernn] [--frame]\n"
    "\n"
    "Times one recurrent layer of the engine: the forward pass of one sequence\n"
    "(T=40, E=32, H=64, every step's records kept) and forward+backward passes of\n"
    "batches (B=32, T=100, E=32, H=64 and B=64, T=200, E=128, H=256), for LSTM,\n"
    "GRU and SimpleRNN, and names the BLAS's kernel family (core) and threads.\n"
    "--json prints one object a line; --quick runs fewer repetitions.\n"
    "--frame instead times the window with the software renderer at 1920x1080:\n"
    "the compare view with 3 lanes x 40 steps x 64 units; and a user's model\n"
    "(Embedding 5000x128, LSTM 512 with sequences, LSTM 512, softmax over 5,000\n"
    "words: 6.6 M parameters) opened on a 1,000-word text (load, trace and every\n"
    "step's prediction), then its unrolled view drawn at the last step; and the\n"
    "resident memory of the process.\n";

typedef struct {
    const char *pass;
    int B, T, E, H;
} Shape;

static const Shape SHAPES[] = {
    {"forward", 1, 40, 32, 64},
    {"train", 32, 100, 32, 64},
    {"train", 64, 200, 128, 256},
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run_shape(CellKind kind, const Shape *s, int reps)
{
    Model m;
    model_make_rnn(&m, kind, s->E, s->H, 1);
    Rng rng;
    rng_init(&rng, 2);
    size_t n_in = (size_t)s->B * s->T * s->E;
    float *x = xmalloc(n_in * sizeof *x);
    for (size_t k = 0; k < n_in; k++) x[k] = rng_uniform(&rng) * 2.0f - 1.0f;
    Trace tr;
    trace_init(&tr, &m, s->B, s->T, true);
    Backprop bp = {0};
    bool train = strcmp(s->pass, "train") == 0;
    if (train) backprop_init(&bp, &m, s->B, s->T);
    double *t = xmalloc((size_t)reps * sizeof *t);
    for (int r = -2; r < reps; r++) { /* two warm-up runs */
        double t0 = now_us();
        model_forward(&tr, NULL, x);
        if (train) {
            /* L = sum of the last step's output */
            size_t n = (size_t)s->B * s->H;
            for (size_t k = 0; k < n; k++) bp.dout[0][k] = 1.0f;
            backprop_zero_grads(&bp);
            model_backward(&bp, &tr);
        }
        if (r >= 0) t[r] = now_us() - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double median = t[reps / 2];
    free(t);
    if (train) backprop_free(&bp);
    trace_free(&tr);
    free(x);
    model_free(&m);
    return median;
}

/* a tokenizer of the words w1 .. w{n}, saved as dir/tokenizer.json */
static bool save_word_tokenizer(const char *path, int n, Err *err)
{
    StrBuf text = {0};
    for (int k = 1; k <= n; k++) {
        char w[24];
        snprintf(w, sizeof w, "%sw%d", k > 1 ? " " : "", k);
        strbuf_puts(&text, w);
    }
    Tokenizer tok;
    tokenizer_init(&tok, NULL);
    const char *texts[] = {text.p};
    bool ok = tokenizer_fit_on_texts(&tok, texts, 1, err) && tokenizer_save(&tok, path, err);
    tokenizer_free(&tok);
    free(text.p);
    return ok;
}

/* a model from spec over the words w1 .. w{vocab-1}, saved in dir */
static bool save_word_model(const char *dir, const char *spec, int vocab, Err *err)
{
    char path[4200];
    Model m;
    if (!spec_build(&m, spec, vocab, 1, err)) return false;
    bool ok = model_save(&m, dir, NULL, 0, err);
    model_free(&m);
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    return ok && save_word_tokenizer(path, vocab - 1, err);
}

/* n words of w1 .. w{vocab-1}, spread over the vocabulary */
static char *word_text(int n, int vocab)
{
    StrBuf b = {0};
    for (int t = 0; t < n; t++) {
        char w[24];
        snprintf(w, sizeof w, "%sw%d", t ? " " : "", 1 + (int)(((long long)t * 7919) % (vocab - 1)));
        strbuf_puts(&b, w);
    }
    return b.p;
}

/* a throw-away lesson of three 64-unit models over a 40-token sentence */
static bool frame_fixture(const char *dir, Err *err)
{
    static const char *const cells[] = {"rnn", "gru", "lstm"}, *const names[] = {"simplernn", "gru", "lstm"};
    char path[4200], spec[128];
    for (int k = 0; k < 3; k++) {
        snprintf(spec, sizeof spec, "embedding:50:16, %s:64, dense:50:softmax", cells[k]);
        snprintf(path, sizeof path, "%s/models/%s", dir, names[k]);
        if (!save_word_model(path, spec, 50, err)) return false;
    }
    char *sentence = word_text(40, 50);
    StrBuf text = {0};
    strbuf_puts(&text, "---\ntitle: frame benchmark\ncorpus: corpus.txt\ntask: next-word\ncells: [simplernn, gru, lstm]\n"
                       "spec: \"embedding:V:16, {cell}:64, dense:V:softmax\"\nepochs: 1\nbatch_size: 1\nseed: 1\n"
                       "models: models\nsentence: \"");
    strbuf_puts(&text, sentence);
    strbuf_puts(&text, "\"\n---\n");
    snprintf(path, sizeof path, "%s/bench.md", dir);
    bool ok = base_write_file_atomic(path, text.p, text.len, err);
    snprintf(path, sizeof path, "%s/corpus.txt", dir);
    ok = ok && base_write_file_atomic(path, sentence, strlen(sentence), err);
    free(text.p);
    free(sentence);
    return ok;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* removes the benchmark's own temporary folder and what it holds */
static bool remove_tree(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

/* median time of 41 frames of the app's current view, after 3 warm-ups */
static double frame_ms(App *a)
{
    double t[41] = {0};
    for (int i = -3; i < 41; i++) {
        double t0 = now_us();
        app_draw(a);
        if (i >= 0) t[i] = now_us() - t0;
    }
    qsort(t, 41, sizeof *t, cmp_double);
    return t[20] / 1000.0;
}

/* one JSON line (json) or one sentence */
static void report_frame(bool json, const char *view, int lanes, int T, int units, double open_ms, double ms)
{
    if (!json) {
        if (open_ms >= 0)
            printf("%s view 1920x1080, %d lanes x %d steps x %d units, software renderer: opened with every step's "
                   "prediction in %.0f ms, %.2f ms a frame (median of 41)\n", view, lanes, T, units, open_ms, ms);
        else
            printf("%s view 1920x1080, %d lanes x %d steps x %d units, software renderer: %.2f ms a frame (median of 41)\n",
                   view, lanes, T, units, ms);
        return;
    }
    JsonW w;
    jsonw_init(&w);
    jsonw_begin_object(&w);
    jsonw_key(&w, "bench");
    jsonw_str(&w, "frame");
    jsonw_key(&w, "view");
    jsonw_str(&w, view);
    jsonw_key(&w, "width");
    jsonw_int(&w, 1920);
    jsonw_key(&w, "height");
    jsonw_int(&w, 1080);
    jsonw_key(&w, "lanes");
    jsonw_int(&w, lanes);
    jsonw_key(&w, "T");
    jsonw_int(&w, T);
    jsonw_key(&w, "units");
    jsonw_int(&w, units);
    if (open_ms >= 0) {
        jsonw_key(&w, "open_ms");
        jsonw_float(&w, (float)open_ms);
    }
    jsonw_key(&w, "median_ms");
    jsonw_float(&w, (float)ms);
    jsonw_end_object(&w);
    puts(w.buf);
    jsonw_free(&w);
}

static int bench_frame(bool json)
{
    char dir[256], path[512];
    snprintf(dir, sizeof dir, "/tmp/unroll-frame-XXXXXX");
    Err err = {{0}};
    App *a = NULL;
    char *text = NULL;
    int status = 2;
    if (!mkdtemp(dir)) {
        err_set(&err, "cannot make a temporary folder in /tmp");
        dir[0] = '\0';
        goto fail;
    }
    /* the compare view: a lesson of three small models */
    snprintf(path, sizeof path, "%s/bench.md", dir);
    if (!frame_fixture(dir, &err)) goto fail;
    if (!(a = app_headless_create(1920, 1080, &err)) || !app_headless_open(a, path, &err)) goto fail;
    a->view = VIEW_COMPARE;
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    report_frame(json, "compare", 3, a->doc->T, 64, -1, frame_ms(a));
    fflush(stdout);
    /* a user's model on a 1,000-word text */
    snprintf(path, sizeof path, "%s/big", dir);
    if (!save_word_model(path, "embedding:5000:128, lstm:512:seq, lstm:512, dense:5000:softmax", 5000, &err)) goto fail;
    text = word_text(1000, 5000);
    double t0 = now_us();
    if (!app_headless_open(a, path, &err) || !doc_set_input(a->doc, text, &err)) goto fail;
    double open_ms = (now_us() - t0) / 1000.0;
    a->view = VIEW_UNROLLED;
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    report_frame(json, "unrolled", 2, a->doc->T, 512, open_ms, frame_ms(a));
    long kb = rss_kb();
    if (json) {
        JsonW w;
        jsonw_init(&w);
        jsonw_begin_object(&w);
        jsonw_key(&w, "bench");
        jsonw_str(&w, "memory");
        jsonw_key(&w, "rss_mb");
        jsonw_float(&w, (float)(kb / 1024.0));
        jsonw_end_object(&w);
        puts(w.buf);
        jsonw_free(&w);
    } else
        printf("resident memory %.1f MB\n", kb / 1024.0);
    status = 0;
    goto done;
fail:
    cli_fail("bench", &err);
done:
    free(text);
    if (a) app_headless_destroy(a);
    if (dir[0] && !remove_tree(dir)) fprintf(stderr, "unroll bench: could not remove %s\n", dir);
    return status;
}

/* one line of the engine benchmark */
static void report_shape(bool json, const char *cell, const Shape *s, double us)
{
    if (!json) {
        printf("%-10s %-8s %4d %4d %4d %4d %9.3f ms\n", cell, s->pass, s->B, s->T, s->E, s->H, us / 1000.0);
        return;
    }
    JsonW w;
    jsonw_init(&w);
    jsonw_begin_object(&w);
    jsonw_key(&w, "cell");
    jsonw_str(&w, cell);
    jsonw_key(&w, "pass");
    jsonw_str(&w, s->pass);
    jsonw_key(&w, "batch");
    jsonw_int(&w, s->B);
    jsonw_key(&w, "T");
    jsonw_int(&w, s->T);
    jsonw_key(&w, "input");
    jsonw_int(&w, s->E);
    jsonw_key(&w, "units");
    jsonw_int(&w, s->H);
    jsonw_key(&w, "median_us");
    jsonw_float(&w, (float)us);
    jsonw_key(&w, "threads");
    jsonw_int(&w, blas_threads_in_use());
    jsonw_key(&w, "blas_core");
    jsonw_str(&w, blas_core_name());
    jsonw_key(&w, "subnormals_flushed");
    jsonw_bool(&w, engine_flushes_subnormals());
    jsonw_end_object(&w);
    puts(w.buf);
    jsonw_free(&w);
}

int cmd_bench(int argc, char **argv)
{
    /* in CellKind order, the names lessons use */
    static const char *const CELL_NAMES[] = {"simplernn", "gru", "lstm", NULL};
    bool json = false, quick = false, frame = false;
    int only = -1;
    const CliOpt opts[] = {
        {.name = "--json", .kind = CLI_FLAG, .out = &json},
        {.name = "--quick", .kind = CLI_FLAG, .out = &quick},
        {.name = "--frame", .kind = CLI_FLAG, .out = &frame},
        {.name = "--cell", .kind = CLI_CHOICE, .out = &only, .choices = CELL_NAMES},
    };
    const CliSpec spec = {"bench", USAGE, opts, CLI_NOPTS(opts), NULL, false, NULL};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    if (frame) return bench_frame(json);
    /* the order of design.md's table: LSTM first */
    static const CellKind ORDER[] = {CELL_LSTM, CELL_GRU, CELL_SIMPLE_RNN};
    if (!json) {
        printf("BLAS: core %s, %d thread%s; subnormal floats %s\n", blas_core_name(), blas_threads_in_use(),
               blas_threads_in_use() == 1 ? "" : "s", engine_flushes_subnormals() ? "flushed to zero" : "NOT flushed");
        printf("%-10s %-8s %4s %4s %4s %4s %12s\n", "cell", "pass", "B", "T", "E", "H", "median");
    }
    for (size_t c = 0; c < sizeof ORDER / sizeof ORDER[0]; c++) {
        if (only >= 0 && (int)ORDER[c] != only) continue;
        for (size_t k = 0; k < sizeof SHAPES / sizeof SHAPES[0]; k++) {
            const Shape *s = &SHAPES[k];
            size_t work = (size_t)s->B * s->T * s->H * s->H;
            int reps = work > 50000000 ? (quick ? 3 : 7) : (quick ? 11 : 51);
            report_shape(json, CELL_NAMES[ORDER[c]], s, run_shape(ORDER[c], s, reps));
            fflush(stdout);
        }
    }
    return 0;
}
