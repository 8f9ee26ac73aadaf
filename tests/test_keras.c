/* test_keras: Keras' own model files (keras_io).
 * - Every file under tests/fixtures/keras (made by make_keras_fixtures.py
 *   from the tfjs references, following Keras' saving code) loads to the same
 *   weights, bit for bit, as its tfjs model, and its trace document is the
 *   same text, byte for byte.
 * - A model written as .keras loads back with the same weights and trace,
 *   and the zip holds what Keras 3 reads: metadata.json, config.json,
 *   model.weights.h5, with Keras 3's spellings in the config.
 * - hard_sigmoid models are refused for .keras (Keras 3 redefined it).
 * - A TextVectorization's vocabulary inside a .keras becomes the tokenizer. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "keras_io.h"
#include "model_io.h"
#include "prompt.h"
#include "testutil.h"
#include "trace_json.h"

static cJSON *read_json(const char *path)
{
    Err err = {{0}};
    size_t n = 0;
    char *text = base_read_file(path, (size_t)64 << 20, &n, &err);
    ck_assert_msg(text, "%s", err.msg);
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_msg(j, "%s: bad JSON", path);
    return j;
}

/* The trace document (contracts.md 2) of the reference input of a case. */
static char *trace_text(const Model *m, const cJSON *exp)
{
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(exp, "tokens");
    const cJSON *inp = cJSON_GetObjectItemCaseSensitive(exp, "input");
    int T = cJSON_GetArraySize(tok ? tok : inp);
    int *tokens = NULL;
    float *input = NULL;
    if (tok) {
        tokens = xcalloc((size_t)T, sizeof *tokens);
        for (int t = 0; t < T; t++) tokens[t] = (int)cJSON_GetArrayItem(tok, t)->valuedouble;
    } else {
        input = xcalloc((size_t)T * (size_t)m->input_dim, sizeof *input);
        for (int t = 0; t < T; t++)
            for (int j = 0; j < m->input_dim; j++)
                input[t * m->input_dim + j] = (float)cJSON_GetArrayItem(cJSON_GetArrayItem(inp, t), j)->valuedouble;
    }
    Trace tr;
    trace_init(&tr, m, 1, T, true);
    model_forward(&tr, tokens, input);
    JsonW w;
    jsonw_init(&w);
    trace_write_json(&w, &tr, 0, NULL);
    char *text = xstrdup(w.buf);
    jsonw_free(&w);
    trace_free(&tr);
    free(tokens);
    free(input);
    return text;
}

/* a and b hold the same layers and the same weights, bit for bit */
static void assert_same_model(const Model *a, const Model *b, const char *what)
{
    ck_assert_msg(a->n_layers == b->n_layers, "%s: %d layers, tfjs has %d", what, b->n_layers, a->n_layers);
    ck_assert_msg(a->n_params == b->n_params, "%s: %zu weights, tfjs has %zu", what, b->n_params, a->n_params);
    ck_assert_msg(memcmp(a->params, b->params, a->n_params * sizeof *a->params) == 0, "%s: weights differ", what);
    ck_assert_int_eq(a->seq_len, b->seq_len);
    for (int k = 0; k < a->n_layers; k++) {
        const Layer *x = &a->layers[k], *y = &b->layers[k];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_int_eq(x->kind, y->kind);
        ck_assert_int_eq(x->bidirectional, y->bidirectional);
        ck_assert_int_eq(x->merge, y->merge);
        ck_assert_int_eq(x->mask_zero, y->mask_zero);
        for (int d = 0; d < x->n_dir; d++) {
            ck_assert_int_eq(x->cell[d].go_backwards, y->cell[d].go_backwards);
            ck_assert_int_eq(x->cell[d].reset_after, y->cell[d].reset_after);
        }
    }
}

START_TEST(fixtures_trace_like_tfjs)
{
    DIR *d = opendir(tu_path("fixtures/keras"));
    ck_assert(d);
    int n_h5 = 0, n_keras = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char name[256];
        snprintf(name, sizeof name, "%s", e->d_name);
        char *dot = strrchr(name, '.');
        if (!dot || (strcmp(dot, ".h5") != 0 && strcmp(dot, ".keras") != 0)) continue;
        bool is_keras = strcmp(dot, ".keras") == 0;
        *dot = '\0';
        char ref[4096], exp_path[4200], file[4200];
        snprintf(ref, sizeof ref, "%s/%s", tu_path("fixtures/ref"), name);
        snprintf(exp_path, sizeof exp_path, "%s/expected.json", ref);
        struct stat st;
        if (stat(exp_path, &st) != 0) continue; /* text_vectorization_gru: its own test */
        snprintf(file, sizeof file, "%s/%s", tu_path("fixtures/keras"), e->d_name);
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
        ck_assert_msg(model_load(&b, file, &err), "%s: %s", e->d_name, err.msg);
        assert_same_model(&a, &b, e->d_name);
        cJSON *exp = read_json(exp_path);
        char *ta = trace_text(&a, exp), *tb = trace_text(&b, exp);
        ck_assert_msg(strcmp(ta, tb) == 0, "%s: trace differs from the tfjs model's", e->d_name);
        free(ta);
        free(tb);
        cJSON_Delete(exp);
        model_free(&a);
        model_free(&b);
        if (is_keras) n_keras++;
        else n_h5++;
    }
    closedir(d);
    fprintf(stderr, "keras fixtures: %d .h5 and %d .keras traced like their tfjs models\n", n_h5, n_keras);
    ck_assert_int_ge(n_h5, 59);
    ck_assert_int_ge(n_keras, 27);
}
END_TEST

/* the names of a zip's entries, joined by spaces */
static void zip_names(const char *path, char *out, size_t cap)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    ck_assert_msg(z, "%s: not a zip", path);
    out[0] = '\0';
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); i++) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, "%s%s", k ? " " : "", zip_get_name(z, (zip_uint64_t)i, 0));
    }
    zip_discard(z);
}

static char *zip_entry_text(const char *path, const char *name)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    ck_assert(z);
    zip_stat_t st;
    ck_assert_int_eq(zip_stat(z, name, 0, &st), 0);
    char *buf = xcalloc((size_t)st.size + 1, 1);
    zip_file_t *f = zip_fopen(z, name, 0);
    ck_assert(f);
    ck_assert_int_eq(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_discard(z);
    return buf;
}

START_TEST(scoped_weight_names)
{
    /* legacy .h5 whose weight names start with the model's scope
     * ("sequential/bidirectional/forward_gru/gru_cell/kernel:0") */
    char ref[4096], file[4200], exp_path[4200];
    snprintf(ref, sizeof ref, "%s/bidirectional_gru_reset_after_concat_seq_masked", tu_path("fixtures/ref"));
    snprintf(file, sizeof file, "%s/scoped/bidirectional_gru_reset_after_concat_seq_masked.h5", tu_path("fixtures/keras"));
    snprintf(exp_path, sizeof exp_path, "%s/expected.json", ref);
    Model a, b;
    Err err = {{0}};
    ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
    ck_assert_msg(model_load(&b, file, &err), "%s", err.msg);
    assert_same_model(&a, &b, file);
    cJSON *exp = read_json(exp_path);
    char *ta = trace_text(&a, exp), *tb = trace_text(&b, exp);
    ck_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    cJSON_Delete(exp);
    model_free(&a);
    model_free(&b);
}
END_TEST

START_TEST(write_read_round_trip)
{
    static const char *const cases[] = {
        "gru_reset_after_basic", "bidirectional_gru_reset_after_concat_seq_masked",
        "bidirectional_gru_reset_after_ave_return_state", "gru_reset_after_stacked_masked_go_backwards",
        "bidirectional_lstm_ave_converter", "gru_reset_after_nobias_t1",
    };
    char *tmp = tu_tmpdir();
    int checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char ref[4096], out[4096], exp_path[4200];
        snprintf(ref, sizeof ref, "%s/%s", tu_path("fixtures/ref"), cases[i]);
        snprintf(exp_path, sizeof exp_path, "%s/expected.json", ref);
        snprintf(out, sizeof out, "%s/sub/%s.keras", tmp, cases[i]);
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
        ck_assert_msg(model_save(&a, out, NULL, 0, &err), "%s: %s", cases[i], err.msg);
        ck_assert_msg(model_load(&b, out, &err), "%s: %s", cases[i], err.msg);
        assert_same_model(&a, &b, out);
        cJSON *exp = read_json(exp_path);
        char *ta = trace_text(&a, exp), *tb = trace_text(&b, exp);
        ck_assert_msg(strcmp(ta, tb) == 0, "%s: trace differs after the round trip", cases[i]);
        free(ta);
        free(tb);
        cJSON_Delete(exp);
        /* what Keras 3 reads: the three entries, Keras 3 spellings */
        char names[512];
        zip_names(out, names, sizeof names);
        ck_assert_str_eq(names, "metadata.json config.json model.weights.h5");
        char *cfg = zip_entry_text(out, "config.json");
        ck_assert_msg(strstr(cfg, "\"module\":\"keras.layers\"") && strstr(cfg, "\"batch_shape\"") &&
                          strstr(cfg, "\"class_name\":\"DTypePolicy\"") && !strstr(cfg, "batch_input_shape"),
                      "%s: config.json is not in Keras 3's spelling: %.300s", cases[i], cfg);
        free(cfg);
        char *meta = zip_entry_text(out, "metadata.json");
        ck_assert_msg(strstr(meta, "\"keras_version\": \"3."), "%s", meta);
        free(meta);
        /* saving again over it replaces it whole */
        ck_assert_msg(model_save(&b, out, NULL, 0, &err), "%s", err.msg);
        model_free(&a);
        model_free(&b);
        checked++;
    }
    ck_assert_int_eq(checked, 6);
    /* no temporaries left beside the files */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/sub", tmp);
    DIR *d = opendir(sub);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            ck_assert_msg(strstr(e->d_name, ".tmp") == NULL, "temporary left: %s", e->d_name);
            files++;
        }
    closedir(d);
    ck_assert_int_eq(files, 6);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(hard_sigmoid_not_written_as_keras3)
{
    char ref[4096], out[4200];
    snprintf(ref, sizeof ref, "%s/lstm_basic", tu_path("fixtures/ref")); /* tfjs defaults: hard_sigmoid */
    char *tmp = tu_tmpdir();
    snprintf(out, sizeof out, "%s/m.keras", tmp);
    Model a;
    Err err = {{0}};
    ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
    ck_assert(!model_save(&a, out, NULL, 0, &err));
    ck_assert_msg(strstr(err.msg, "hard_sigmoid") && strstr(err.msg, "lstm_LSTM1"), "%s", err.msg);
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    model_free(&a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(text_vectorization_vocabulary)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/text_vectorization_gru.keras", tu_path("fixtures/keras"));
    Model m;
    Err err = {{0}};
    ck_assert_msg(model_load(&m, path, &err), "%s", err.msg);
    ck_assert_int_eq(m.n_layers, 3); /* the TextVectorization is the tokenizer, not a layer */
    ck_assert_int_eq(m.layers[0].kind, LAYER_EMBEDDING);
    Tokenizer tok;
    ck_assert_msg(prompt_load_tokenizer(&tok, path, &err), "%s", err.msg);
    Prompt p;
    /* vocabulary.txt: "", [UNK], the, cat, sat, on, mat, ...: line i is index i */
    ck_assert_msg(prompt_encode(&p, &tok, "The cat's mat, today!", 0, &err), "%s", err.msg);
    ck_assert_int_eq(p.n, 4);
    ck_assert_int_eq(p.tokens[0], 2);  /* the */
    ck_assert_int_eq(p.tokens[1], 1);  /* cat's: [UNK] */
    ck_assert_int_eq(p.tokens[2], 6);  /* mat */
    ck_assert_int_eq(p.tokens[3], 11); /* today */
    ck_assert_int_eq(p.n_oov, 1);
    ck_assert_str_eq(p.oov[0], "cat's");
    prompt_free(&p);
    tokenizer_free(&tok);
    model_free(&m);
    /* a .keras without one says so */
    snprintf(path, sizeof path, "%s/gru_reset_after_basic.keras", tu_path("fixtures/keras"));
    ck_assert(!prompt_load_tokenizer(&tok, path, &err));
    ck_assert_msg(strstr(err.msg, "no vocabulary: token ids only"), "%s", err.msg);
}
END_TEST

static Suite *keras_suite(void)
{
    Suite *s = suite_create("keras");
    TCase *tc = tcase_create("keras");
    tcase_add_test(tc, fixtures_trace_like_tfjs);
    tcase_add_test(tc, scoped_weight_names);
    tcase_add_test(tc, write_read_round_trip);
    tcase_add_test(tc, hard_sigmoid_not_written_as_keras3);
    tcase_add_test(tc, text_vectorization_vocabulary);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(keras_suite());
}
