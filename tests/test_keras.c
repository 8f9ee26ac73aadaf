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
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "keras_io.h"
#include "model_io.h"
#include "prompt.h"
#include "testutil.h"
#include "testutil_io.h"
#include "trace_json.h"

/* The trace document (contracts.md 2) of the reference input of a case. */
static char *trace_text(const Model *m, const cJSON *exp)
{
    int *tokens = NULL;
    float *input = NULL;
    int T = tu_fixture_input(m, exp, &tokens, &input);
    char *text = tu_trace_text(m, tokens, input, T, NULL);
    free(tokens);
    free(input);
    return text;
}

/* The tfjs folder of a case: tests/fixtures/ref (tfjs' own references) or
 * tests/fixtures/keras/conv_ref (the convolution and dropout models, made
 * by make_keras_fixtures.py --conv-refs); exp_path gets the file holding
 * its input (expected.json or input.json). false when there is none. */
static bool case_ref(const char *name, char *ref, size_t cap, char *exp_path, size_t ecap)
{
    static const char *const roots[] = {"fixtures/ref", "fixtures/keras/conv_ref"};
    static const char *const inputs[] = {"expected.json", "input.json"};
    for (int r = 0; r < 2; r++) {
        snprintf(ref, cap, "%s/%s", tu_path(roots[r]), name);
        snprintf(exp_path, ecap, "%s/%s", ref, inputs[r]);
        struct stat st;
        if (stat(exp_path, &st) == 0) return true;
    }
    return false;
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
        /* the convolution and dropout options */
        ck_assert_int_eq(x->kernel_size, y->kernel_size);
        ck_assert_int_eq(x->strides, y->strides);
        ck_assert_int_eq(x->dilation, y->dilation);
        ck_assert_int_eq(x->padding, y->padding);
        ck_assert_int_eq(x->use_bias, y->use_bias);
        ck_assert_int_eq(x->activation, y->activation);
        ck_assert_msg(x->rate == y->rate && x->dropout == y->dropout && x->recurrent_dropout == y->recurrent_dropout,
                      "%s: layer '%s' dropout rates differ", what, x->name);
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
    int n_h5 = 0, n_keras = 0, n_conv = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char name[256];
        snprintf(name, sizeof name, "%s", e->d_name);
        char *dot = strrchr(name, '.');
        if (!dot || (strcmp(dot, ".h5") != 0 && strcmp(dot, ".keras") != 0)) continue;
        bool is_keras = strcmp(dot, ".keras") == 0;
        *dot = '\0';
        char ref[4096], exp_path[4200], file[4200];
        /* text_vectorization_*: their own test */
        if (!case_ref(name, ref, sizeof ref, exp_path, sizeof exp_path)) continue;
        if (strstr(ref, "conv_ref")) n_conv++;
        snprintf(file, sizeof file, "%s/%s", tu_path("fixtures/keras"), e->d_name);
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
        ck_assert_msg(model_load(&b, file, &err), "%s: %s", e->d_name, err.msg);
        assert_same_model(&a, &b, e->d_name);
        cJSON *exp = tu_read_json(exp_path);
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
    fprintf(stderr, "keras fixtures: %d .h5 and %d .keras traced like their tfjs models (%d of the convolution and dropout models)\n",
            n_h5, n_keras, n_conv);
    ck_assert_int_ge(n_h5, 63);
    ck_assert_int_ge(n_keras, 31);
    ck_assert_int_eq(n_conv, 8); /* 4 models, .h5 and .keras each */
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
    cJSON *exp = tu_read_json(exp_path);
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
        /* the convolution, pooling, Flatten and dropout layers */
        "conv1d_same_spatial_dropout_lstm_gmaxpool", "conv1d_stride_causal_dilation_flatten_dropout",
        "conv1d_features_gavgpool", "gru_bi_lstm_recurrent_dropout_masked",
    };
    char *tmp = tu_tmpdir();
    int checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char ref[4096], out[4096], exp_path[4200];
        ck_assert_msg(case_ref(cases[i], ref, sizeof ref, exp_path, sizeof exp_path), "%s: no reference", cases[i]);
        snprintf(out, sizeof out, "%s/sub/%s.keras", tmp, cases[i]);
        Model a, b;
        Err err = {{0}};
        ck_assert_msg(model_load(&a, ref, &err), "%s", err.msg);
        ck_assert_msg(model_save(&a, out, NULL, 0, &err), "%s: %s", cases[i], err.msg);
        ck_assert_msg(model_load(&b, out, &err), "%s: %s", cases[i], err.msg);
        assert_same_model(&a, &b, out);
        cJSON *exp = tu_read_json(exp_path);
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
    ck_assert_int_eq(checked, 10);
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
    ck_assert_int_eq(files, 10);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* the layer entry named name in config.json's layer list */
static const cJSON *config_layer(const cJSON *root, const char *name)
{
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(cJSON_GetObjectItem(root, "config"), "layers")) {
        const cJSON *n = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "config"), "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) return e;
    }
    ck_abort_msg("config.json has no layer '%s'", name);
    return NULL;
}

/* the one-number list config[key] */
static int tuple1(const cJSON *cfg, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(cfg, key);
    ck_assert_msg(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 1, "%s is not a list of one", key);
    return (int)cJSON_GetArrayItem(v, 0)->valuedouble;
}

/* shape of dataset path in the HDF5 image, -1 dims when it is absent */
static int h5_shape(hid_t f, const char *path, hsize_t *dims)
{
    if (H5Lexists(f, path, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT), sp = H5Dget_space(d);
    int nd = H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(d);
    return nd;
}

static hsize_t h5_links(hid_t f, const char *group)
{
    H5G_info_t info;
    hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
    ck_assert_msg(g >= 0, "no group %s", group);
    H5Gget_info(g, &info);
    H5Gclose(g);
    return info.nlinks;
}

START_TEST(conv_written_as_keras3)
{
    /* Embedding(20, 6) Conv1D(5, 3, same, relu) SpatialDropout1D(0.2)
     * LSTM(4, seq, dropout 0.2, recurrent_dropout 0.1) GlobalMaxPooling1D
     * Dense(3, softmax), and Conv1D(4, 3, stride 2, no bias, tanh)
     * Conv1D(3, 2, causal, dilation 2) Flatten Dropout(0.3) */
    char *tmp = tu_tmpdir();
    const char *names[2] = {"conv1d_same_spatial_dropout_lstm_gmaxpool", "conv1d_stride_causal_dilation_flatten_dropout"};
    char out[2][4200];
    for (int i = 0; i < 2; i++) {
        char ref[4096], exp_path[4200];
        ck_assert(case_ref(names[i], ref, sizeof ref, exp_path, sizeof exp_path));
        snprintf(out[i], sizeof out[i], "%s/%d.keras", tmp, i);
        Model m;
        Err err = {{0}};
        ck_assert_msg(model_load(&m, ref, &err), "%s", err.msg);
        ck_assert_msg(model_save(&m, out[i], NULL, 0, &err), "%s", err.msg);
        model_free(&m);
    }
    char *text = zip_entry_text(out[0], "config.json");
    cJSON *root = cJSON_Parse(text);
    free(text);
    ck_assert(root);
    const cJSON *conv = config_layer(root, "conv1d"), *cfg = cJSON_GetObjectItem(conv, "config");
    ck_assert_str_eq(cJSON_GetObjectItem(conv, "class_name")->valuestring, "Conv1D");
    ck_assert_int_eq((int)cJSON_GetObjectItem(cfg, "filters")->valuedouble, 5);
    ck_assert_int_eq(tuple1(cfg, "kernel_size"), 3);
    ck_assert_int_eq(tuple1(cfg, "strides"), 1);
    ck_assert_int_eq(tuple1(cfg, "dilation_rate"), 1);
    ck_assert_int_eq((int)cJSON_GetObjectItem(cfg, "groups")->valuedouble, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "padding")->valuestring, "same");
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "data_format")->valuestring, "channels_last");
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "activation")->valuestring, "relu");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cfg, "use_bias")));
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cfg, "kernel_initializer"), "class_name")->valuestring,
                     "GlorotUniform");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cfg, "bias_initializer"), "class_name")->valuestring, "Zeros");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cfg, "kernel_regularizer")));
    /* SpatialDropout1D's constructor takes no 'trainable': Keras 3 writes none */
    cfg = cJSON_GetObjectItem(config_layer(root, "spatial_dropout1d"), "config");
    ck_assert_ptr_null(cJSON_GetObjectItem(cfg, "trainable"));
    ck_assert_float_eq((float)cJSON_GetObjectItem(cfg, "rate")->valuedouble, 0.2f);
    cfg = cJSON_GetObjectItem(config_layer(root, "lstm"), "config");
    ck_assert_float_eq((float)cJSON_GetObjectItem(cfg, "dropout")->valuedouble, 0.2f);
    ck_assert_float_eq((float)cJSON_GetObjectItem(cfg, "recurrent_dropout")->valuedouble, 0.1f);
    cfg = cJSON_GetObjectItem(config_layer(root, "global_max_pooling1d"), "config");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cfg, "keepdims")));
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "data_format")->valuestring, "channels_last");
    cJSON_Delete(root);

    text = zip_entry_text(out[1], "config.json");
    root = cJSON_Parse(text);
    free(text);
    cfg = cJSON_GetObjectItem(config_layer(root, "conv1d"), "config");
    ck_assert_int_eq(tuple1(cfg, "strides"), 2);
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "padding")->valuestring, "valid");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cfg, "use_bias")));
    cfg = cJSON_GetObjectItem(config_layer(root, "conv1d_1"), "config");
    ck_assert_int_eq(tuple1(cfg, "dilation_rate"), 2);
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "padding")->valuestring, "causal");
    cfg = cJSON_GetObjectItem(config_layer(root, "flatten"), "config");
    ck_assert_str_eq(cJSON_GetObjectItem(cfg, "data_format")->valuestring, "channels_last");
    cfg = cJSON_GetObjectItem(config_layer(root, "dropout"), "config");
    ck_assert_float_eq((float)cJSON_GetObjectItem(cfg, "rate")->valuedouble, 0.3f);
    cJSON_Delete(root);

    /* the weights where BaseConv.save_own_variables puts them: kernel
     * (kernel_size, in, filters) as "0", bias as "1"; the second Conv1D
     * under conv1d_1; the layers without weights an empty vars group */
    for (int i = 0; i < 2; i++) {
        int code = 0;
        zip_t *z = zip_open(out[i], ZIP_RDONLY, &code);
        zip_stat_t st;
        ck_assert_int_eq(zip_stat(z, "model.weights.h5", 0, &st), 0);
        void *buf = xmalloc((size_t)st.size);
        zip_file_t *zf = zip_fopen(z, "model.weights.h5", 0);
        ck_assert_int_eq(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
        zip_fclose(zf);
        zip_discard(z);
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
        H5Pset_fapl_core(fapl, 1 << 16, 0);
        H5Pset_file_image(fapl, buf, (size_t)st.size);
        hid_t f = H5Fopen("image.h5", H5F_ACC_RDONLY, fapl);
        H5Pclose(fapl);
        ck_assert(f >= 0);
        hsize_t d[4] = {0};
        if (i == 0) {
            ck_assert_int_eq(h5_shape(f, "layers/conv1d/vars/0", d), 3);
            ck_assert(d[0] == 3 && d[1] == 6 && d[2] == 5);
            ck_assert_int_eq(h5_shape(f, "layers/conv1d/vars/1", d), 1);
            ck_assert(d[0] == 5);
            ck_assert_int_eq(h5_links(f, "layers/conv1d/vars"), 2);
            ck_assert_int_eq(h5_links(f, "layers/spatial_dropout1d/vars"), 0);
            ck_assert_int_eq(h5_links(f, "layers/global_max_pooling1d/vars"), 0);
            ck_assert_int_eq(h5_shape(f, "layers/lstm/cell/vars/0", d), 2);
        } else {
            ck_assert_int_eq(h5_shape(f, "layers/conv1d/vars/0", d), 3);
            ck_assert(d[0] == 3 && d[1] == 5 && d[2] == 4);
            ck_assert_int_eq(h5_links(f, "layers/conv1d/vars"), 1); /* no bias */
            ck_assert_int_eq(h5_shape(f, "layers/conv1d_1/vars/0", d), 3);
            ck_assert(d[0] == 2 && d[1] == 4 && d[2] == 3);
            ck_assert_int_eq(h5_links(f, "layers/flatten/vars"), 0);
            ck_assert_int_eq(h5_links(f, "layers/dropout/vars"), 0);
        }
        H5Fclose(f);
        free(buf);
    }
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(train_out_keras_cli)
{
    /* unroll train CONV.keras --out NEW.keras: exit 0, and the file loads
     * with the same layers (--no-history: where a Keras file's history
     * lies is test_history's) */
    const char *bin = getenv("UNROLL_BIN");
    ck_assert(bin);
    char *tmp = tu_tmpdir();
    char rows[4200], out[4200], model[4200];
    snprintf(rows, sizeof rows, "%s/rows.jsonl", tmp);
    snprintf(out, sizeof out, "%s/out.keras", tmp);
    snprintf(model, sizeof model, "%s/conv1d_same_spatial_dropout_lstm_gmaxpool.keras", tu_path("fixtures/keras"));
    FILE *f = fopen(rows, "w");
    ck_assert(f);
    for (int i = 0; i < 12; i++)
        fprintf(f, "{\"tokens\": [%d, %d, %d, %d, 5, 6, 7, 8], \"label\": %d}\n", 1 + i % 19, 1 + (3 * i) % 19,
                1 + (7 * i) % 19, 2 + i % 5, i % 3);
    fclose(f);
    char *so = NULL, *se = NULL;
    int rc = tu_run((char *const[]){(char *)bin, "train", model, "--data", rows, "--epochs", "2", "--batch-size", "4",
                                    "--no-history", "--out", out, NULL},
                    &so, &se);
    ck_assert_msg(rc == 0, "train exited %d: %s", rc, se);
    struct stat st;
    ck_assert_int_eq(stat(out, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    Model a, b;
    Err err = {{0}};
    ck_assert_msg(model_load(&a, model, &err), "%s", err.msg);
    ck_assert_msg(model_load(&b, out, &err), "%s", err.msg);
    ck_assert_int_eq(a.n_layers, b.n_layers);
    ck_assert_int_eq(a.n_params, b.n_params);
    for (int k = 0; k < a.n_layers; k++) {
        ck_assert_str_eq(a.layers[k].name, b.layers[k].name);
        ck_assert_int_eq(a.layers[k].kind, b.layers[k].kind);
    }
    ck_assert_int_eq(b.layers[1].kind, LAYER_CONV1D);
    model_free(&a);
    model_free(&b);
    free(so);
    free(se);
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
    ck_assert_int_eq(tok.kind, TEXT_KERAS_VECTORIZATION);
    ck_assert_msg(prompt_encode(&p, &tok, "The cat's mat, today!", 0, &err), "%s", err.msg);
    ck_assert_int_eq(p.n, 4);
    ck_assert_int_eq(p.tokens[0], 2);  /* the */
    ck_assert_int_eq(p.tokens[1], 1);  /* cat's: lower_and_strip_punctuation makes it "cats": [UNK] */
    ck_assert_int_eq(p.tokens[2], 6);  /* mat */
    ck_assert_int_eq(p.tokens[3], 11); /* today */
    ck_assert_int_eq(p.n_oov, 1);
    ck_assert_str_eq(p.oov[0], "cats");
    prompt_free(&p);
    /* punctuation inside a word is deleted, not a split: "do-g" is "dog" */
    ck_assert_msg(prompt_encode(&p, &tok, "A do-g RAN", 0, &err), "%s", err.msg);
    ck_assert_int_eq(p.n, 3);
    ck_assert_int_eq(p.tokens[0], 7); /* a */
    ck_assert_int_eq(p.tokens[1], 8); /* dog */
    ck_assert_int_eq(p.tokens[2], 9); /* ran */
    prompt_free(&p);
    tokenizer_free(&tok);
    model_free(&m);

    /* the layer's own options: standardize "lower" (punctuation stays in the
     * word), output_sequence_length 6 (padded and cut at the end, as Keras
     * does), max_tokens 12 */
    snprintf(path, sizeof path, "%s/text_vectorization_lower_len6_gru.keras", tu_path("fixtures/keras"));
    ck_assert_msg(model_load(&m, path, &err), "%s", err.msg);
    ck_assert_int_eq(m.seq_len, 6);
    ck_assert_msg(prompt_load_tokenizer(&tok, path, &err), "%s", err.msg);
    ck_assert_int_eq(tok.output_sequence_length, 6);
    ck_assert_int_eq(tok.max_tokens, 12);
    ck_assert_int_eq(tok.standardize, TEXT_STD_LOWER);
    ck_assert_msg(prompt_encode(&p, &tok, "The cat's mat, today!", 6, &err), "%s", err.msg);
    static const int want1[6] = {2, 1, 1, 1, 0, 0}; /* the, cat's, "mat,", "today!" ([UNK] each), padding */
    ck_assert_int_eq(p.n, 6);
    for (int i = 0; i < 6; i++) ck_assert_int_eq(p.tokens[i], want1[i]);
    prompt_free(&p);
    ck_assert_msg(prompt_encode(&p, &tok, "the cat sat on the mat today", 6, &err), "%s", err.msg);
    static const int want2[6] = {2, 3, 4, 5, 2, 6}; /* "today" cut off at the end */
    ck_assert_int_eq(p.n, 6);
    for (int i = 0; i < 6; i++) ck_assert_int_eq(p.tokens[i], want2[i]);
    prompt_free(&p);
    tokenizer_free(&tok);
    model_free(&m);
    /* a custom standardize function cannot be run: refused by name */
    snprintf(path, sizeof path, "%s/bad/text_vectorization_custom_standardize.keras", tu_path("fixtures/keras"));
    ck_assert(!prompt_load_tokenizer(&tok, path, &err));
    ck_assert_msg(strstr(err.msg, "text_vectorization_custom_standardize.keras") && strstr(err.msg, "config.standardize"),
                  "%s", err.msg);
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
    tcase_add_test(tc, conv_written_as_keras3);
    tcase_add_test(tc, train_out_keras_cli);
    tcase_add_test(tc, hard_sigmoid_not_written_as_keras3);
    tcase_add_test(tc, text_vectorization_vocabulary);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(keras_suite());
}
