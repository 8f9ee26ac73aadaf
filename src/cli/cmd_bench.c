/* cmd_bench: `unroll bench`, times the engine on the shapes of design.md's
 * targets (contracts.md section 5). "forward" is one recurrent layer's
 * forward pass over the batch (per-step records kept); "train" is its forward
 * and backward pass with the loss taken as the sum of the last step's output,
 * no optimizer step. Figures are medians of repeated runs. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "app.h"
#include "engine.h"
#include "model_io.h"
#include "spec.h"

static const char USAGE[] =
    "usage: unroll bench [--json] [--quick] [--cell lstm|gru|simplernn] [--frame]\n"
    "\n"
    "Times one recurrent layer of the engine: the forward pass of one sequence\n"
    "(T=40, E=32, H=64, every step's records kept) and forward+backward passes of\n"
    "batches (B=32, T=100, E=32, H=64 and B=64, T=200, E=128, H=256), for LSTM,\n"
    "GRU and SimpleRNN. --json prints one object a line; --quick runs fewer\n"
    "repetitions. --frame instead times the window: the compare view at\n"
    "1920x1080 with 3 lanes x 40 steps x 64 units, software renderer, and the\n"
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
    model_init(&m);
    m.input_dim = s->E;
    Layer l = {0};
    l.kind = LAYER_RNN;
    snprintf(l.name, sizeof l.name, "rnn");
    l.cell[0] = (Cell){.kind = kind, .units = s->H, .activation = ACT_TANH, .recurrent_activation = ACT_SIGMOID,
                       .use_bias = true, .reset_after = true};
    l.trainable = true;
    model_add_layer(&m, &l);
    Err err = {{0}};
    UNROLL_ASSERT(model_build(&m, &err));
    model_init_weights(&m, 1);
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

/* a throw-away lesson of three 64-unit models over a 40-token sentence */
static bool frame_fixture(char *dir, size_t cap, Err *err)
{
    snprintf(dir, cap, "/tmp/unroll-frame-XXXXXX");
    if (!mkdtemp(dir)) return err_set(err, "cannot make a temporary folder");
    static const char *const cells[] = {"rnn", "gru", "lstm"}, *const names[] = {"simplernn", "gru", "lstm"};
    char path[4200], tok[2048] = "{\"class_name\": \"Tokenizer\", \"config\": {\"word_index\": \"{";
    for (int k = 1; k < 50; k++) {
        char w[32];
        snprintf(w, sizeof w, "%s\\\"w%d\\\": %d", k > 1 ? ", " : "", k, k);
        strcat(tok, w);
    }
    strcat(tok, "}\"}}");
    for (int k = 0; k < 3; k++) {
        char spec[128];
        snprintf(spec, sizeof spec, "embedding:50:16, %s:64, dense:50:softmax", cells[k]);
        Model m;
        if (!spec_build(&m, spec, 50, 1, err)) return false;
        snprintf(path, sizeof path, "%s/models/%s", dir, names[k]);
        ExtraFile extra = {"tokenizer.json", tok};
        bool ok = model_save(&m, path, &extra, 1, err);
        model_free(&m);
        if (!ok) return false;
    }
    char sentence[512] = "";
    for (int t = 0; t < 40; t++) {
        char w[16];
        snprintf(w, sizeof w, "%sw%d", t ? " " : "", 1 + (t * 7) % 49);
        strcat(sentence, w);
    }
    char text[2048];
    snprintf(text, sizeof text,
             "---\ntitle: frame benchmark\ncorpus: corpus.txt\ntask: next-word\ncells: [simplernn, gru, lstm]\n"
             "spec: \"embedding:V:16, {cell}:64, dense:V:softmax\"\nepochs: 1\nbatch_size: 1\nseed: 1\nmodels: models\n"
             "sentence: \"%s\"\n---\n",
             sentence);
    snprintf(path, sizeof path, "%s/bench.md", dir);
    if (!base_write_file_atomic(path, text, strlen(text), err)) return false;
    snprintf(path, sizeof path, "%s/corpus.txt", dir);
    return base_write_file_atomic(path, sentence, strlen(sentence), err);
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

static int bench_frame(bool json)
{
    char dir[256], path[512], cmd[600];
    Err err = {{0}};
    if (!frame_fixture(dir, sizeof dir, &err)) return cli_fail("bench", &err);
    snprintf(path, sizeof path, "%s/bench.md", dir);
    App *a = app_headless_create(1920, 1080, &err);
    int status = 2;
    if (!a || !app_headless_open(a, path, &err)) {
        cli_fail("bench", &err);
        goto done;
    }
    a->view = VIEW_COMPARE;
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    double t[41];
    for (int i = -3; i < 41; i++) {
        double t0 = now_us();
        app_draw(a);
        if (i >= 0) t[i] = now_us() - t0;
    }
    qsort(t, 41, sizeof *t, cmp_double);
    double ms = t[20] / 1000.0;
    long kb = rss_kb();
    if (json)
        printf("{\"bench\": \"frame\", \"view\": \"compare\", \"width\": 1920, \"height\": 1080, \"lanes\": 3, \"T\": %d, "
               "\"units\": 64, \"median_ms\": %.3f, \"rss_mb\": %.1f}\n",
               a->doc->T, ms, kb / 1024.0);
    else
        printf("compare view 1920x1080, 3 lanes x %d steps x 64 units, software renderer: %.2f ms a frame (median of 41); "
               "resident memory %.1f MB\n",
               a->doc->T, ms, kb / 1024.0);
    status = 0;
done:
    app_headless_destroy(a);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "unroll bench: could not remove %s\n", dir);
    return status;
}

int cmd_bench(int argc, char **argv)
{
    bool json = false, quick = false, frame = false;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_is_help(argv[i])) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (strcmp(argv[i], "--frame") == 0) {
            frame = true;
        } else if (cli_opt(argc, argv, &i, "--cell", &v)) {
            if (!v || (strcmp(v, "lstm") && strcmp(v, "gru") && strcmp(v, "simplernn")))
                return cli_failf("bench", "--cell must be lstm, gru or simplernn");
            only = v;
        } else {
            return cli_failf("bench", "unknown argument '%s' (see unroll bench --help)", argv[i]);
        }
    }
    if (frame) return bench_frame(json);
    static const struct {
        const char *name;
        CellKind kind;
    } CELLS[] = {{"lstm", CELL_LSTM}, {"gru", CELL_GRU}, {"simplernn", CELL_SIMPLE_RNN}};
    if (!json) printf("%-10s %-8s %4s %4s %4s %4s %12s\n", "cell", "pass", "B", "T", "E", "H", "median");
    for (size_t c = 0; c < 3; c++) {
        if (only && strcmp(only, CELLS[c].name) != 0) continue;
        for (size_t k = 0; k < sizeof SHAPES / sizeof SHAPES[0]; k++) {
            const Shape *s = &SHAPES[k];
            size_t work = (size_t)s->B * s->T * s->H * s->H;
            int reps = work > 50000000 ? (quick ? 3 : 7) : (quick ? 11 : 51);
            double us = run_shape(CELLS[c].kind, s, reps);
            if (json)
                printf("{\"cell\": \"%s\", \"pass\": \"%s\", \"batch\": %d, \"T\": %d, \"input\": %d, \"units\": %d, "
                       "\"median_us\": %.1f, \"threads\": %d}\n",
                       CELLS[c].name, s->pass, s->B, s->T, s->E, s->H, us, blas_threads_in_use());
            else
                printf("%-10s %-8s %4d %4d %4d %4d %9.3f ms\n", CELLS[c].name, s->pass, s->B, s->T, s->E, s->H, us / 1000.0);
            fflush(stdout);
        }
    }
    return 0;
}
