/* test_io: model files and the trace document.
 * - Every reference fixture under tests/fixtures/ref (made by TensorFlow.js
 *   and PyTorch, see tests/fixtures/gen/README.md) loads, and its trace
 *   matches expected.json within 2e-5 + 1e-4*|expected|, number by number.
 * - A saved model loads back bit for bit, and the save is atomic.
 * - The summary table carries Keras' figures. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model_io.h"
#include "spec.h"
#include "summary.h"
#include "testutil.h"
#include "testutil_io.h"
#include "trace_json.h"

#define ABS_TOL 2e-5
#define REL_TOL 1e-4

typedef struct {
    int compared;     /* numbers compared */
    double worst;     /* worst |diff| / tolerance */
    char where[512];  /* first mismatch */
} Cmp;

/* Every number, string and bool in `want` must be in `got`; objects may
 * have more keys in got except "gates", whose key set must be equal. */
static bool cmp_json(const cJSON *want, const cJSON *got, const char *path, Cmp *c)
{
    char sub[512];
    if (cJSON_IsNumber(want)) {
        if (!cJSON_IsNumber(got)) {
            snprintf(c->where, sizeof c->where, "%s: expected a number", path);
            return false;
        }
        double tol = ABS_TOL + REL_TOL * fabs(want->valuedouble);
        double r = fabs(got->valuedouble - want->valuedouble) / tol;
        c->compared++;
        if (r > c->worst) c->worst = r;
        if (r > 1.0) {
            snprintf(c->where, sizeof c->where, "%s: got %.9g, expected %.9g", path, got->valuedouble,
                     want->valuedouble);
            return false;
        }
        return true;
    }
    if (cJSON_IsString(want)) {
        if (!cJSON_IsString(got) || strcmp(got->valuestring, want->valuestring) != 0) {
            snprintf(c->where, sizeof c->where, "%s: got %s, expected \"%s\"", path,
                     cJSON_IsString(got) ? got->valuestring : "(not a string)", want->valuestring);
            return false;
        }
        return true;
    }
    if (cJSON_IsBool(want)) {
        if (!cJSON_IsBool(got) || cJSON_IsTrue(got) != cJSON_IsTrue(want)) {
            snprintf(c->where, sizeof c->where, "%s: bool differs", path);
            return false;
        }
        return true;
    }
    if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) != cJSON_GetArraySize(want)) {
            snprintf(c->where, sizeof c->where, "%s: list of %d, expected %d", path,
                     cJSON_IsArray(got) ? cJSON_GetArraySize(got) : -1, cJSON_GetArraySize(want));
            return false;
        }
        int i = 0;
        const cJSON *w = NULL, *g = got->child;
        cJSON_ArrayForEach(w, want) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i++);
            if (!cmp_json(w, g, sub, c)) return false;
            g = g->next;
        }
        return true;
    }
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got)) {
            snprintf(c->where, sizeof c->where, "%s: expected an object", path);
            return false;
        }
        const cJSON *w = NULL;
        cJSON_ArrayForEach(w, want) {
            snprintf(sub, sizeof sub, "%s.%s", path, w->string);
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
            if (!g) {
                snprintf(c->where, sizeof c->where, "%s: missing", sub);
                return false;
            }
            if (!cmp_json(w, g, sub, c)) return false;
        }
        const char *last = strrchr(path, '.');
        if (last && strcmp(last, ".gates") == 0 && cJSON_GetArraySize(got) != cJSON_GetArraySize(want)) {
            snprintf(c->where, sizeof c->where, "%s: %d gates, expected %d", path, cJSON_GetArraySize(got),
                     cJSON_GetArraySize(want));
            return false;
        }
        return true;
    }
    return true; /* null: nothing to compare */
}

/* Traces the fixture's input through the loaded model; returns parsed JSON. */
static cJSON *trace_fixture(const Model *m, const cJSON *exp)
{
    int *tokens = NULL;
    float *input = NULL;
    int T = tu_fixture_input(m, exp, &tokens, &input);
    if (tokens) {
        Err err = {{0}};
        ck_assert_msg(model_check_tokens(m, tokens, T, &err), "%s", err.msg);
    }
    bool nonfinite = true;
    char *text = tu_trace_text(m, tokens, input, T, &nonfinite);
    ck_assert(!nonfinite);
    cJSON *got = cJSON_Parse(text);
    ck_assert(got);
    free(text);
    free(tokens);
    free(input);
    return got;
}

static int fixture_names(char names[][256], int cap)
{
    DIR *d = opendir(tu_path("fixtures/ref"));
    ck_assert_msg(d, "no fixtures at %s", tu_path("fixtures/ref"));
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s/expected.json", tu_path("fixtures/ref"), e->d_name);
        struct stat st;
        if (stat(p, &st) == 0) snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

START_TEST(reference_fixtures)
{
    static char names[512][256];
    int n = fixture_names(names, 512);
    ck_assert_int_ge(n, 40);
    int failures = 0, total = 0;
    double worst = 0;
    for (int i = 0; i < n; i++) {
        char dir[4096], exp_path[4200];
        snprintf(dir, sizeof dir, "%s/%s", tu_path("fixtures/ref"), names[i]);
        snprintf(exp_path, sizeof exp_path, "%s/expected.json", dir);
        cJSON *exp = tu_read_json(exp_path);
        Model m;
        Err err = {{0}};
        if (!model_load(&m, dir, &err)) {
            fprintf(stderr, "FAIL %s: %s\n", names[i], err.msg);
            failures++;
            cJSON_Delete(exp);
            continue;
        }
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(exp, "trace");
        cJSON *got = trace_fixture(&m, exp);
        Cmp c = {0};
        if (!cmp_json(want, got, "trace", &c)) {
            fprintf(stderr, "FAIL %s: %s\n", names[i], c.where);
            failures++;
        }
        total += c.compared;
        if (c.worst > worst) worst = c.worst;
        cJSON_Delete(got);
        cJSON_Delete(exp);
        model_free(&m);
    }
    fprintf(stderr, "reference fixtures: %d cases, %d numbers, worst diff %.3f of tolerance\n", n, total, worst);
    ck_assert_int_eq(failures, 0);
}
END_TEST

START_TEST(save_load_bit_for_bit)
{
    static char names[512][256];
    int n = fixture_names(names, 512);
    char *tmp = tu_tmpdir();
    for (int i = 0; i < n; i++) {
        char dir[4096], out[4096];
        snprintf(dir, sizeof dir, "%s/%s", tu_path("fixtures/ref"), names[i]);
        snprintf(out, sizeof out, "%s/m%d", tmp, i);
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(model_load(&a, dir, &err), "%s", err.msg);
        ck_assert_msg(model_save(&a, out, NULL, 0, &err), "%s", err.msg);
        ck_assert_msg(model_load(&b, out, &err), "%s: %s", names[i], err.msg);
        ck_assert_uint_eq(a.n_params, b.n_params);
        ck_assert_int_eq(memcmp(a.params, b.params, a.n_params * sizeof *a.params), 0);
        ck_assert_int_eq(a.n_layers, b.n_layers);
        for (int k = 0; k < a.n_layers; k++) {
            const Layer *x = &a.layers[k], *y = &b.layers[k];
            ck_assert_str_eq(x->name, y->name);
            ck_assert_int_eq(x->kind, y->kind);
            ck_assert_int_eq(x->out_dim, y->out_dim);
            ck_assert_int_eq(x->out_seq, y->out_seq);
            ck_assert_int_eq(x->return_state, y->return_state);
            ck_assert_int_eq(x->mask_zero, y->mask_zero);
            for (int d = 0; d < x->n_dir; d++) {
                ck_assert_int_eq(x->cell[d].go_backwards, y->cell[d].go_backwards);
                ck_assert_int_eq(x->cell[d].reset_after, y->cell[d].reset_after);
                ck_assert_int_eq(x->cell[d].activation, y->cell[d].activation);
                ck_assert_int_eq(x->cell[d].recurrent_activation, y->cell[d].recurrent_activation);
            }
        }
        ck_assert_int_eq(a.seq_len, b.seq_len);
        model_free(&a);
        model_free(&b);
    }
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(save_replaces_whole_and_refuses_foreign_folder)
{
    char *tmp = tu_tmpdir();
    char src[4096], out[4096], junk[4200];
    snprintf(src, sizeof src, "%s/lstm_basic", tu_path("fixtures/ref"));
    snprintf(out, sizeof out, "%s/model", tmp);
    Model a;
    Err err = {{0}};
    ck_assert_msg(model_load(&a, src, &err), "%s", err.msg);
    ck_assert(model_save(&a, out, NULL, 0, &err));
    ck_assert(model_save(&a, out, (ExtraFile[]){{"tokenizer.json", "{}", 0}}, 1, &err)); /* over an old model */
    snprintf(junk, sizeof junk, "%s/tokenizer.json", out);
    struct stat st;
    ck_assert_int_eq(stat(junk, &st), 0);
    /* a folder of something else is not overwritten */
    snprintf(junk, sizeof junk, "%s/notes", tmp);
    mkdir(junk, 0755);
    snprintf(out, sizeof out, "%s/notes/keep.txt", tmp);
    FILE *f = fopen(out, "w");
    fputs("mine", f);
    fclose(f);
    ck_assert(!model_save(&a, junk, NULL, 0, &err));
    ck_assert_msg(strstr(err.msg, "not overwriting"), "%s", err.msg);
    ck_assert_int_eq(stat(out, &st), 0);
    /* no temporary folders left behind */
    DIR *d = opendir(tmp);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d))) entries += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 2);
    model_free(&a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* ---- layers beside the recurrent ones (issue 13) ----------------------- */

/* Every new layer and option written in the tfjs layers format and read
 * back: the same layers, options and weights bit for bit, the same outputs;
 * the file names the tfjs classes and the kernel's [k, in, filters] shape. */
START_TEST(conv_layers_round_trip)
{
    static const char *const specs[] = {
        "input:12, embedding:30:6, spatialdropout:0.2, conv1d:5:3:relu:same:stride2, dropout:0.3, conv1d:4:2:causal:dilation2:nobias:tanh, flatten, dense:8:relu, dense:3:softmax",
        "embedding:30:6, conv1d:7:4, gmaxpool, dense:1:sigmoid",
        "embedding:30:6:mask, lstm:5:seq:dropout=0.25:recurrent_dropout=0.5, gavgpool, dense:3:softmax",
        "embedding:30:6, bi-gru:3:seq:dropout=0.1, conv1d:4:3, gavgpool, dense:2:softmax",
    };
    char *tmp = tu_tmpdir();
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(spec_build(&a, specs[i], 0, 9, &err), "%s: %s", specs[i], err.msg);
        char out[4096];
        snprintf(out, sizeof out, "%s/m%zu", tmp, i);
        ck_assert_msg(model_save(&a, out, NULL, 0, &err), "%s", err.msg);
        ck_assert_msg(model_load(&b, out, &err), "%s: %s", specs[i], err.msg);
        ck_assert_int_eq(a.n_layers, b.n_layers);
        ck_assert_uint_eq(a.n_params, b.n_params);
        ck_assert_int_eq(memcmp(a.params, b.params, a.n_params * sizeof *a.params), 0);
        for (int k = 0; k < a.n_layers; k++) {
            const Layer *x = &a.layers[k], *y = &b.layers[k];
            ck_assert_str_eq(x->name, y->name);
            ck_assert_int_eq(x->kind, y->kind);
            ck_assert_int_eq(x->out_dim, y->out_dim);
            ck_assert_int_eq(x->out_len, y->out_len);
            ck_assert_int_eq(x->kernel_size, y->kernel_size);
            ck_assert_int_eq(x->strides, y->strides);
            ck_assert_int_eq(x->dilation, y->dilation);
            ck_assert_int_eq(x->padding, y->padding);
            ck_assert_int_eq(x->use_bias, y->use_bias);
            ck_assert(x->rate == y->rate && x->dropout == y->dropout && x->recurrent_dropout == y->recurrent_dropout);
            if (x->kind != LAYER_RNN) ck_assert_int_eq(x->activation, y->activation);
        }
        /* the same numbers out */
        const int T = a.seq_len ? a.seq_len : 9;
        int toks[12];
        for (int t = 0; t < T; t++) toks[t] = (t * 7 + 3) % 30;
        Trace ta, tb;
        trace_init(&ta, &a, 1, T, true);
        trace_init(&tb, &b, 1, T, true);
        model_forward(&ta, toks, NULL);
        model_forward(&tb, toks, NULL);
        const Layer *last = &a.layers[a.n_layers - 1];
        ck_assert_int_eq(memcmp(ta.layers[a.n_layers - 1].out, tb.layers[a.n_layers - 1].out, (size_t)last->out_dim * sizeof(float)), 0);
        trace_free(&ta);
        trace_free(&tb);
        model_free(&a);
        model_free(&b);
    }
    /* what the first file says */
    char path[4200];
    Err err = {{0}};
    snprintf(path, sizeof path, "%s/m0/model.json", tmp);
    char *text = base_read_file(path, 1 << 20, NULL, &err);
    ck_assert(text);
    static const char *const want[] = {"\"class_name\":\t\"Conv1D\"", "\"class_name\":\t\"SpatialDropout1D\"",
                                       "\"class_name\":\t\"Flatten\"", "\"padding\":\t\"causal\"", "\"padding\":\t\"same\"",
                                       "\"name\":\t\"conv1d/kernel\",\n\t\t\t\t\t\"shape\":\t[3, 6, 5]"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) ck_assert_msg(strstr(text, want[k]), "no %s in\n%s", want[k], text);
    free(text);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A model.json as tfjs and Keras write it (sizes as lists, a Keras 3 style
 * GlobalMaxPooling1D with keepdims false), weights by hand: Conv1D(2, 1) on
 * [null, 3, 2] with kernel [[[1, 2], [3, 4]]], bias (0.5, -0.5), then max
 * pooling: x_t = (t+1, 10(t+1)) gives filter 0 = 31(t+1) + 0.5 and filter
 * 1 = 42(t+1) - 0.5, so the pooled output is (93.5, 125.5). */
START_TEST(conv_reads_tfjs_by_hand)
{
    char *tmp = tu_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/model.json", tmp);
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"layers-model\", \"modelTopology\": {\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
          "{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"conv1d\", \"batch_input_shape\": [null, 3, 2], \"filters\": 2,"
          " \"kernel_size\": [1], \"strides\": [1], \"padding\": \"valid\", \"data_format\": \"channels_last\","
          " \"dilation_rate\": [1], \"groups\": 1, \"activation\": \"linear\", \"use_bias\": true}},"
          "{\"class_name\": \"GlobalMaxPooling1D\", \"config\": {\"name\": \"gmp\", \"data_format\": \"channels_last\", \"keepdims\": false}}]}},"
          " \"weightsManifest\": [{\"paths\": [\"w.bin\"], \"weights\": [{\"name\": \"conv1d/kernel\", \"shape\": [1, 2, 2], \"dtype\": \"float32\"},"
          " {\"name\": \"conv1d/bias\", \"shape\": [2], \"dtype\": \"float32\"}]}]}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/w.bin", tmp);
    f = fopen(path, "wb");
    const float w[6] = {1, 2, 3, 4, 0.5f, -0.5f};
    fwrite(w, sizeof w, 1, f);
    fclose(f);
    Model m;
    Err err = {{0}};
    ck_assert_msg(model_load(&m, tmp, &err), "%s", err.msg);
    ck_assert_int_eq(m.layers[0].kind, LAYER_CONV1D);
    ck_assert_int_eq(m.layers[1].kind, LAYER_GLOBAL_MAX_POOL);
    const float x[6] = {1, 10, 2, 20, 3, 30};
    Trace tr;
    trace_init(&tr, &m, 1, 3, true);
    model_forward(&tr, NULL, x);
    ck_assert_close(tr.layers[1].out[0], 93.5, 0);
    ck_assert_close(tr.layers[1].out[1], 125.5, 0);
    trace_free(&tr);
    char *s = summary_text(&m);
    ck_assert_msg(strstr(s, " conv1d (Conv1D)             (None, 3, 2)              6         \n"), "%s", s);
    free(s);
    model_free(&m);
    /* options it cannot honour are refused by name */
    static const struct {
        const char *from, *to, *error;
    } bad[] = {
        {"\"groups\": 1", "\"groups\": 2", "groups 2 is not supported"},
        {"\"padding\": \"valid\"", "\"padding\": \"full\"", "padding 'full' is not supported"},
        {"\"data_format\": \"channels_last\", \"dilation", "\"data_format\": \"channels_first\", \"dilation", "data_format 'channels_first'"},
        {"\"kernel_size\": [1]", "\"kernel_size\": [1, 1]", "'kernel_size' must hold one number"},
        {"\"keepdims\": false", "\"keepdims\": true", "'keepdims: true' is not supported"},
        {"\"shape\": [1, 2, 2]", "\"shape\": [2, 2, 1]", "needs [1, 2, 2]"},
    };
    snprintf(path, sizeof path, "%s/model.json", tmp);
    char *orig = base_read_file(path, 1 << 20, NULL, &err);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *at = strstr(orig, bad[i].from);
        ck_assert(at);
        f = fopen(path, "w");
        fprintf(f, "%.*s%s%s", (int)(at - orig), orig, bad[i].to, at + strlen(bad[i].from));
        fclose(f);
        ck_assert_msg(!model_load(&m, tmp, &err), "case %zu loaded", i);
        ck_assert_msg(strstr(err.msg, bad[i].error), "case %zu: %s", i, err.msg);
    }
    free(orig);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* Keras' summary of the course's convolution model: Conv1D(128, 5) after
 * Embedding(10000, 16) on 120 tokens: 10,368 parameters, 116 steps out. */
START_TEST(conv_summary_figures)
{
    Model m;
    Err err = {{0}};
    ck_assert_msg(spec_build(&m, "input:120, embedding:10000:16, conv1d:128:5:relu, gmaxpool, dense:24:relu, dense:6:softmax", 0, 1, &err),
                  "%s", err.msg);
    char *s = summary_text(&m);
    ck_assert_msg(strstr(s, " conv1d (Conv1D)             (None, 116, 128)          10368     \n"), "%s", s);
    ck_assert_msg(strstr(s, " global_max_pooling1d (Globa  (None, 128)              0         \n lMaxPooling1D)"), "%s", s);
    ck_assert_msg(strstr(s, " dense (Dense)               (None, 24)                3096      \n"), "%s", s);
    ck_assert_msg(strstr(s, "Total params: 173,614\n"), "%s", s);
    free(s);
    model_free(&m);
    /* spec errors: one line naming the problem */
    static const struct {
        const char *spec, *error;
    } bad[] = {
        {"embedding:9:4, conv1d:0:5, gmaxpool, dense:2", "'conv1d' needs a number of filters"},
        {"embedding:9:4, conv1d:8:5:bogus, gmaxpool, dense:2", "'conv1d': unknown option 'bogus'"},
        {"embedding:9:4, conv1d:8:5:stride0, gmaxpool, dense:2", "'conv1d': unknown option 'stride0'"},
        {"input:4, embedding:9:4, conv1d:8:5, gmaxpool, dense:2", "kernel_size 5 (dilation 1) is longer than the 4 steps"},
        {"embedding:9:4:mask, conv1d:8:3, gmaxpool, dense:2", "Conv1D does not support masking"},
        {"embedding:9:4, flatten, dense:2", "Flatten needs a fixed sequence length"},
        {"embedding:9:4, lstm:4:dropout=1, dense:2", "'lstm': dropout needs a rate in [0, 1)"},
        {"embedding:9:4, lstm:4:recurrent_dropout=x, dense:2", "recurrent_dropout needs a rate"},
        {"embedding:9:4, spatialdropout:1.5, lstm:4, dense:2", "'spatialdropout' needs a rate in [0, 1)"},
        {"embedding:9:4, gmaxpool:2, dense:2", "'gmaxpool': unexpected '2'"},
        {"embedding:9:4, lstm:4, gavgpool, dense:2", "GlobalAveragePooling1D needs a sequence input"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!spec_check(bad[i].spec, 0, &err), "accepted: %s", bad[i].spec);
        ck_assert_msg(strstr(err.msg, bad[i].error) && !strchr(err.msg, '\n'), "%s: got '%s'", bad[i].spec, err.msg);
    }
}
END_TEST

/* `unroll trace` of a convolution: the Conv1D's options, one output row per
 * output position, and each position's window of input positions by hand:
 * kernel 3, stride 2, padding same on 7 tokens gives 4 positions; the
 * padding (4-1)*2 + 3 - 7 = 2 splits 1 in front, so windows start at -1, 1,
 * 3, 5: [-1, 0, 1] ... [5, 6, 7] (-1 and 7 the zero padding). A causal
 * dilation-2 kernel of 2 reads [t-2, t]. */
START_TEST(conv_trace_json_windows)
{
    Model m;
    Err err = {{0}};
    ck_assert_msg(spec_build(&m, "embedding:9:3, conv1d:2:3:same:stride2, conv1d:2:2:causal:dilation2, gavgpool, dense:2:softmax", 0, 4, &err),
                  "%s", err.msg);
    const int toks[7] = {1, 2, 3, 4, 5, 6, 7};
    Trace tr;
    trace_init(&tr, &m, 1, 7, true);
    model_forward(&tr, toks, NULL);
    JsonW w;
    jsonw_init(&w);
    TraceDocExtras ex = {0};
    trace_write_json(&w, &tr, 0, &ex);
    cJSON *doc = cJSON_Parse(w.buf);
    ck_assert(doc);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers");
    const cJSON *c0 = cJSON_GetArrayItem(layers, 1), *c1 = cJSON_GetArrayItem(layers, 2);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c0, "class_name")->valuestring, "Conv1D");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c0, "padding")->valuestring, "same");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(c0, "strides")->valueint, 2);
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(c0, "windows");
    ck_assert_int_eq(cJSON_GetArraySize(win), 4);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c0, "output")), 4);
    for (int o = 0; o < 4; o++)
        for (int k = 0; k < 3; k++)
            ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(win, o), k)->valueint, 2 * o - 1 + k);
    /* the output rows are the trace's numbers, position by position */
    const cJSON *out0 = cJSON_GetObjectItemCaseSensitive(c0, "output");
    for (int o = 0; o < 4; o++)
        for (int j = 0; j < 2; j++)
            ck_assert((float)cJSON_GetArrayItem(cJSON_GetArrayItem(out0, o), j)->valuedouble == tr.layers[1].out[o * 2 + j]);
    win = cJSON_GetObjectItemCaseSensitive(c1, "windows");
    ck_assert_int_eq(cJSON_GetArraySize(win), 4);
    for (int o = 0; o < 4; o++) {
        ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(win, o), 0)->valueint, o - 2);
        ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(win, o), 1)->valueint, o);
    }
    cJSON_Delete(doc);
    jsonw_free(&w);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(summary_figures)
{
    Model m;
    Err err = {{0}};
    model_init(&m);
    Layer e = tu_embedding("embedding", 20000, 64, false);
    Layer r = tu_rnn("simple_rnn", CELL_SIMPLE_RNN, 16, false);
    Layer d = tu_dense("dense", 4, ACT_SOFTMAX);
    model_add_layer(&m, &e);
    model_add_layer(&m, &r);
    model_add_layer(&m, &d);
    ck_assert(model_build(&m, &err));
    char *s = summary_text(&m);
    ck_assert_msg(strstr(s, "Total params: 1,281,364\n"), "%s", s);
    ck_assert_msg(strstr(s, "Trainable params: 1,281,364\n"), "%s", s);
    ck_assert_msg(strstr(s, "Non-trainable params: 0\n"), "%s", s);
    /* Keras' columns: name at 1, shape at 29, count at 55 */
    ck_assert_msg(strstr(s, " embedding (Embedding)       (None, None, 64)          1280000   \n"), "%s", s);
    ck_assert_msg(strstr(s, " simple_rnn (SimpleRNN)      (None, 16)                1296      \n"), "%s", s);
    free(s);
    char buf[32];
    summary_thousands(999, buf, sizeof buf);
    ck_assert_str_eq(buf, "999");
    summary_thousands(1000, buf, sizeof buf);
    ck_assert_str_eq(buf, "1,000");
    summary_thousands(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "0");
    model_free(&m);
}
END_TEST

/* The inspector's wires are the trace's numbers: for every fixture and every
 * real step, CellWires' gates equal the traced gates, and each cell's
 * equation holds on them (LSTM c = f*c_prev + i*g, h = o*act(c); GRU
 * h = z*h_prev + (1-z)*n; SimpleRNN h = act(pre)). */
START_TEST(cell_wires_match_the_trace)
{
    static char names[512][256];
    int n = fixture_names(names, 512), steps = 0;
    for (int i = 0; i < n; i++) {
        char dir[4096], exp_path[4200];
        snprintf(dir, sizeof dir, "%s/%s", tu_path("fixtures/ref"), names[i]);
        snprintf(exp_path, sizeof exp_path, "%s/expected.json", dir);
        cJSON *exp = tu_read_json(exp_path);
        Model m;
        Err err = {{0}};
        ck_assert_msg(model_load(&m, dir, &err), "%s", err.msg);
        cJSON *got = trace_fixture(&m, exp);
        cJSON_Delete(got);
        /* trace again, keeping the Trace this time */
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(exp, "tokens");
        const cJSON *inp = cJSON_GetObjectItemCaseSensitive(exp, "input");
        int T = cJSON_GetArraySize(tok ? tok : inp);
        int *tokens = xcalloc((size_t)T, sizeof *tokens);
        float *input = xcalloc((size_t)T * (m.input_dim ? m.input_dim : 1), sizeof *input);
        for (int t = 0; t < T; t++) {
            if (tok) tokens[t] = (int)cJSON_GetArrayItem(tok, t)->valuedouble;
            else
                for (int j = 0; j < m.input_dim; j++)
                    input[t * m.input_dim + j] = (float)cJSON_GetArrayItem(cJSON_GetArrayItem(inp, t), j)->valuedouble;
        }
        Trace tr;
        trace_init(&tr, &m, 1, T, true);
        model_forward(&tr, tok ? tokens : NULL, tok ? NULL : input);
        for (int li = 0; li < m.n_layers; li++) {
            const Layer *l = &m.layers[li];
            if (l->kind != LAYER_RNN) continue;
            for (int d = 0; d < l->n_dir; d++) {
                const RunRecord *run = &tr.layers[li].run[d];
                const Cell *c = &l->cell[d];
                for (int t = 0; t < T; t++) {
                    if (run->mask && !run->mask[t]) continue;
                    CellWires w;
                    cell_wires_init(&w, &tr, li, d, t, 0);
                    const int H = w.H, GH = w.G * H;
                    const float *g = run->gates + (size_t)t * GH;
                    float act[4096];
                    ck_assert(H <= 4096);
                    if (c->kind != CELL_SIMPLE_RNN)
                        for (int k = 0; k < GH; k++) ck_assert_close(w.gate[k], g[k], 1e-6);
                    for (int j = 0; j < H; j++) {
                        float h = run->h[(size_t)(t + 1) * H + j];
                        if (c->kind == CELL_LSTM) {
                            ck_assert_close(w.c[j], w.fc[j] + w.ig[j], 1e-5);
                            act_forward(act, w.c, c->activation, H);
                            ck_assert_close(h, w.gate[3 * H + j] * act[j], 1e-5);
                        } else if (c->kind == CELL_GRU) {
                            ck_assert_close(h, w.zh[j] + w.zn[j], 1e-5);
                        } else {
                            act_forward(act, w.pre, c->activation, H);
                            ck_assert_close(h, act[j], 1e-5);
                        }
                    }
                    cell_wires_free(&w);
                    steps++;
                }
            }
        }
        trace_free(&tr);
        free(tokens);
        free(input);
        cJSON_Delete(exp);
        model_free(&m);
    }
    ck_assert_int_ge(steps, 500);
}
END_TEST

/* ---- cases that see a bug (issue 10) ------------------------------------- */

static cJSON *opt_weight(const char *name, int n_dims, const int *dims)
{
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "name", name);
    cJSON *shape = cJSON_CreateArray();
    for (int d = 0; d < n_dims; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber(dims[d]));
    cJSON_AddItemToObject(w, "shape", shape);
    cJSON_AddStringToObject(w, "dtype", "float32");
    cJSON_AddStringToObject(w, "group", "optimizer");
    return w;
}

/* A model saved with its optimizer: tfjs-layers' LayersModel.save with
 * includeOptimizer encodes optimizer.getWeights() with weight group
 * 'optimizer' and appends those specs (and bytes) after the model's, so each
 * manifest entry carries "group": "optimizer" (Adam's are an "iter" scalar
 * and a "<weight>/m" and "<weight>/v" per weight). The manifest built here is
 * harder than tfjs' order: iter first, each model weight followed by its m,
 * and a second group of only v's in a shard of its own. Every model weight
 * must load to its own values; the optimizer's are skipped with their bytes. */
START_TEST(optimizer_weights_are_skipped)
{
    Model m;
    model_init(&m);
    Layer e = tu_embedding("embedding", 6, 3, true);
    model_add_layer(&m, &e);
    Layer g = tu_rnn("gru", CELL_GRU, 2, false);
    model_add_layer(&m, &g);
    Layer d = tu_dense("dense", 6, ACT_SOFTMAX);
    model_add_layer(&m, &d);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    for (size_t k = 0; k < m.n_params; k++) m.params[k] = 0.01f * (float)(k + 1);
    char *tmp = tu_tmpdir();
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/m", tmp);
    ck_assert_msg(model_save(&m, dir, NULL, 0, &err), "%s", err.msg);

    snprintf(path, sizeof path, "%s/model.json", dir);
    cJSON *root = tu_read_json(path);
    cJSON *manifest = cJSON_GetObjectItemCaseSensitive(root, "weightsManifest");
    cJSON *group = cJSON_GetArrayItem(manifest, 0);
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(group, "weights");
    ck_assert_int_eq(cJSON_GetArraySize(old), m.n_params_info);
    cJSON *weights = cJSON_CreateArray(), *vs = cJSON_CreateArray();
    float *bytes = xmalloc((2 * m.n_params + 1) * sizeof *bytes), *vbytes = xmalloc(m.n_params * sizeof *vbytes);
    size_t at = 0, vat = 0;
    cJSON_AddItemToArray(weights, opt_weight("iter", 0, NULL));
    bytes[at++] = 7.0f;
    for (int i = 0; i < m.n_params_info; i++) {
        const ParamInfo *p = &m.pinfo[i];
        cJSON_AddItemToArray(weights, cJSON_Duplicate(cJSON_GetArrayItem(old, i), true));
        memcpy(bytes + at, m.params + p->offset, p->size * sizeof *bytes);
        at += p->size;
        char name[512];
        snprintf(name, sizeof name, "%s/m", p->name); /* names a layer of the model: "gru/kernel/m" */
        cJSON_AddItemToArray(weights, opt_weight(name, p->ndim, p->shape));
        for (size_t k = 0; k < p->size; k++) bytes[at++] = -1000.0f - (float)k;
        snprintf(name, sizeof name, "%s/v", p->name);
        cJSON_AddItemToArray(vs, opt_weight(name, p->ndim, p->shape));
        for (size_t k = 0; k < p->size; k++) vbytes[vat++] = 5000.0f + (float)k;
    }
    cJSON_Delete(old);
    cJSON_AddItemToObject(group, "weights", weights);
    cJSON *g2 = cJSON_CreateObject();
    cJSON *paths = cJSON_CreateArray();
    cJSON_AddItemToArray(paths, cJSON_CreateString("optimizer.bin"));
    cJSON_AddItemToObject(g2, "paths", paths);
    cJSON_AddItemToObject(g2, "weights", vs);
    cJSON_AddItemToArray(manifest, g2);
    char *text = cJSON_Print(root);
    tu_write_bytes(path, text, strlen(text));
    free(text);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/weights.bin", dir);
    tu_write_bytes(path, bytes, at * sizeof *bytes);
    snprintf(path, sizeof path, "%s/optimizer.bin", dir);
    tu_write_bytes(path, vbytes, vat * sizeof *vbytes);

    Model b;
    ck_assert_msg(model_load(&b, dir, &err), "%s", err.msg);
    ck_assert_uint_eq(b.n_params, m.n_params);
    for (int i = 0; i < b.n_params_info; i++) {
        const ParamInfo *p = &b.pinfo[i];
        for (size_t k = 0; k < p->size; k++)
            ck_assert_msg(b.params[p->offset + k] == m.params[p->offset + k], "%s[%zu] = %g, expected %g", p->name, k,
                          (double)b.params[p->offset + k], (double)m.params[p->offset + k]);
    }
    /* and through the layers' own pointers */
    ck_assert_float_eq(b.layers[1].cell[0].kernel[0], m.layers[1].cell[0].kernel[0]);
    ck_assert_float_eq(b.layers[2].bias[5], m.layers[2].bias[5]);
    model_free(&b);
    free(bytes);
    free(vbytes);
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* jsonw escapes every control character 0x01..0x1f (RFC 8259 section 7:
 * they must be escaped), in values and keys, as \n \r \t \b \f or \u00XX;
 * the text parses back to the same string. (0x00 cannot reach jsonw: it
 * takes NUL-terminated strings.) '"' and '\' are escaped; 0x7f and UTF-8
 * pass as they are. */
START_TEST(json_escapes_every_control_character)
{
    for (int c = 1; c < 0x20; c++) {
        char s[4] = {'a', (char)c, 'b', 0};
        JsonW w;
        jsonw_init(&w);
        jsonw_begin_object(&w);
        jsonw_key(&w, s);
        jsonw_str(&w, s);
        jsonw_end_object(&w);
        for (size_t i = 0; i < w.len; i++)
            ck_assert_msg((unsigned char)w.buf[i] >= 0x20, "control character 0x%02x written raw: %s", c, w.buf);
        /* the short escape where JSON has one (\b and \f may also be \u00XX) */
        const char *short_esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        char want[3][32];
        snprintf(want[0], sizeof want[0], "\"a%sb\"", short_esc ? short_esc : "-");
        snprintf(want[1], sizeof want[1], "\"a\\u%04xb\"", c);
        snprintf(want[2], sizeof want[2], "\"a\\u%04Xb\"", c);
        bool found = (short_esc && strstr(w.buf, want[0])) ||
                     strstr(w.buf, want[1]) || strstr(w.buf, want[2]);
        ck_assert_msg(found, "0x%02x: %s is not escaped as %s", c, w.buf, short_esc ? want[0] : want[1]);
        /* key and value both */
        const char *first = strstr(w.buf, "\"a\\");
        ck_assert(first && strstr(first + 1, "\"a\\"));
        cJSON *j = cJSON_Parse(w.buf);
        ck_assert_msg(j, "0x%02x: not JSON: %s", c, w.buf);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, s);
        ck_assert_msg(cJSON_IsString(v) && strcmp(v->valuestring, s) == 0, "0x%02x does not round-trip", c);
        cJSON_Delete(j);
        jsonw_free(&w);
    }
    JsonW w;
    jsonw_init(&w);
    jsonw_str(&w, "q\"b\\s\x7f\xc3\xa9");
    ck_assert_str_eq(w.buf, "\"q\\\"b\\\\s\x7f\xc3\xa9\"");
    jsonw_free(&w);
}
END_TEST

static Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("fixtures");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, reference_fixtures);
    tcase_add_test(tc, save_load_bit_for_bit);
    tcase_add_test(tc, save_replaces_whole_and_refuses_foreign_folder);
    tcase_add_test(tc, summary_figures);
    /* layers beside the recurrent ones (issue 13) */
    tcase_add_test(tc, conv_layers_round_trip);
    tcase_add_test(tc, conv_reads_tfjs_by_hand);
    tcase_add_test(tc, conv_summary_figures);
    tcase_add_test(tc, conv_trace_json_windows);
    tcase_add_test(tc, cell_wires_match_the_trace);
    suite_add_tcase(s, tc);
    tc = tcase_create("mutants");
    tcase_add_test(tc, optimizer_weights_are_skipped);
    tcase_add_test(tc, json_escapes_every_control_character);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(io_suite());
}
