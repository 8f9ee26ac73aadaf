/* model_io: TensorFlow.js layers-model folders in and out (contracts.md 1). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include "model_io.h"
#include "model_io_internal.h"
#include "keras_io.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if CJSON_NESTING_LIMIT != JSON_MAX_DEPTH
#error "JSON_MAX_DEPTH (unroll_limits.h) must name cJSON's CJSON_NESTING_LIMIT"
#endif

/* ---- small JSON readers: absent or null means "use the Keras default" --- */

typedef struct {
    const char *layer; /* for messages */
    Err *err;
    const cJSON *manifest; /* to settle a GRU's absent reset_after */
} Ctx;

static bool is_absent(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

static bool get_int(Ctx *cx, const cJSON *cfg, const char *key, long long lo, long long hi,
                    int def, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (is_absent(v)) {
        *out = def;
        return true;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return err_set(cx->err, "layer '%s': option '%s' must be a whole number", cx->layer, key);
    if (v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return err_set(cx->err, "layer '%s': option '%s' is %.*g, out of range (%lld..%lld)", cx->layer, key,
                       fabs(v->valuedouble) < 1e15 ? 15 : 6, v->valuedouble, lo, hi);
    *out = (int)v->valuedouble;
    return true;
}

static bool get_bool(Ctx *cx, const cJSON *cfg, const char *key, bool def, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (is_absent(v)) {
        *out = def;
        return true;
    }
    if (!cJSON_IsBool(v)) return err_set(cx->err, "layer '%s': option '%s' must be true or false", cx->layer, key);
    *out = cJSON_IsTrue(v);
    return true;
}

static bool get_float(Ctx *cx, const cJSON *cfg, const char *key, float def, float *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (is_absent(v)) {
        *out = def;
        return true;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return err_set(cx->err, "layer '%s': option '%s' must be a number", cx->layer, key);
    *out = (float)v->valuedouble;
    return true;
}

/* NULL (with no error) when absent or null */
static bool get_str(Ctx *cx, const cJSON *cfg, const char *key, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *out = NULL;
    if (is_absent(v)) return true;
    if (!cJSON_IsString(v)) return err_set(cx->err, "layer '%s': option '%s' must be a string", cx->layer, key);
    *out = v->valuestring;
    return true;
}

static bool get_act(Ctx *cx, const cJSON *cfg, const char *key, Act def, bool allow_softmax, Act *out)
{
    const char *s = NULL;
    if (!get_str(cx, cfg, key, &s)) return false;
    if (!s) {
        *out = def;
        return true;
    }
    if (!act_parse(s, out) || (*out == ACT_SOFTMAX && !allow_softmax))
        return err_set(cx->err,
                       "layer '%s': %s '%s' is not supported (supported: linear, relu, tanh, sigmoid, hard_sigmoid%s)",
                       cx->layer, key, s, allow_softmax ? ", softmax" : "");
    return true;
}

static bool set_name(Ctx *cx, char *dst, size_t cap, const char *name)
{
    if (!name || !*name) return err_set(cx->err, "a layer has no name");
    if (strlen(name) >= cap) return err_set(cx->err, "layer name '%.40s...' is too long", name);
    if (strchr(name, '/')) return err_set(cx->err, "layer name '%s' contains '/'", name);
    memcpy(dst, name, strlen(name) + 1);
    return true;
}

/* tfjs writes GRUs without reset_after (it only has reset_after false), while
 * Keras' default is true: when the option is absent, a bias of shape [3u]
 * in the manifest settles it. */
static bool gru_bias_is_flat(const Ctx *cx)
{
    size_t n = strlen(cx->layer);
    const cJSON *g = NULL, *w = NULL;
    cJSON_ArrayForEach(g, cx->manifest) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(g, "weights")) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(w, "name");
            const cJSON *sh = cJSON_GetObjectItemCaseSensitive(w, "shape");
            if (!cJSON_IsString(nm) || strncmp(nm->valuestring, cx->layer, n) != 0 || nm->valuestring[n] != '/') continue;
            const char *last = strrchr(nm->valuestring, '/');
            if (strncmp(last, "/bias", 5) == 0 && cJSON_IsArray(sh) && cJSON_GetArraySize(sh) == 1) return true;
        }
    }
    return false;
}

/* ---- layers -------------------------------------------------------------- */

/* A Conv1D size option: a whole number or a list of one, as Keras and tfjs
 * write them ([5]). */
static bool get_int1(Ctx *cx, const cJSON *cfg, const char *key, long long lo, long long hi, int def, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) != 1)
            return err_set(cx->err, "layer '%s': option '%s' must hold one number (a 1-D convolution)", cx->layer, key);
        cJSON one = {0};
        cJSON *first = cJSON_GetArrayItem(v, 0);
        one = *first;
        one.next = one.prev = NULL;
        one.string = (char *)key;
        cJSON wrap = {0};
        wrap.type = cJSON_Object;
        wrap.child = &one;
        return get_int(cx, &wrap, key, lo, hi, def, out);
    }
    return get_int(cx, cfg, key, lo, hi, def, out);
}

/* data_format must be channels_last (or absent) */
static bool channels_last(Ctx *cx, const cJSON *cfg)
{
    const char *f = NULL;
    if (!get_str(cx, cfg, "data_format", &f)) return false;
    if (f && strcmp(f, "channels_last") != 0)
        return err_set(cx->err, "layer '%s': data_format '%s' is not supported (channels_last)", cx->layer, f);
    return true;
}

/* Conv1D, the global poolings, Flatten and SpatialDropout1D; false with err
 * set on a bad option, *known false when cls is none of them */
static bool parse_more(Ctx *cx, const char *cls, const cJSON *cfg, Layer *l, bool *known)
{
    *known = true;
    bool flag = false;
    if (strcmp(cls, "Conv1D") == 0) {
        l->kind = LAYER_CONV1D;
        if (!get_int(cx, cfg, "filters", 1, ENGINE_MAX_DIM, -1, &l->out_dim)) return false;
        if (l->out_dim < 0) return err_set(cx->err, "layer '%s': option 'filters' is missing", l->name);
        if (!get_int1(cx, cfg, "kernel_size", 1, ENGINE_MAX_SEQ, -1, &l->kernel_size)) return false;
        if (l->kernel_size < 0) return err_set(cx->err, "layer '%s': option 'kernel_size' is missing", l->name);
        if (!get_int1(cx, cfg, "strides", 1, ENGINE_MAX_SEQ, 1, &l->strides)) return false;
        if (!get_int1(cx, cfg, "dilation_rate", 1, ENGINE_MAX_SEQ, 1, &l->dilation)) return false;
        int groups = 1;
        if (!get_int(cx, cfg, "groups", 1, ENGINE_MAX_DIM, 1, &groups)) return false;
        if (groups != 1) return err_set(cx->err, "layer '%s': groups %d is not supported (1)", l->name, groups);
        const char *pad = NULL;
        if (!get_str(cx, cfg, "padding", &pad)) return false;
        if (!pad || strcmp(pad, "valid") == 0) l->padding = PAD_VALID;
        else if (strcmp(pad, "same") == 0) l->padding = PAD_SAME;
        else if (strcmp(pad, "causal") == 0) l->padding = PAD_CAUSAL;
        else return err_set(cx->err, "layer '%s': padding '%s' is not supported (valid, same, causal)", l->name, pad);
        if (!channels_last(cx, cfg)) return false;
        if (!get_act(cx, cfg, "activation", ACT_LINEAR, false, &l->activation)) return false;
        return get_bool(cx, cfg, "use_bias", true, &l->use_bias);
    }
    if (strcmp(cls, "GlobalAveragePooling1D") == 0 || strcmp(cls, "GlobalMaxPooling1D") == 0) {
        l->kind = cls[6] == 'A' ? LAYER_GLOBAL_AVG_POOL : LAYER_GLOBAL_MAX_POOL;
        if (!channels_last(cx, cfg)) return false;
        if (!get_bool(cx, cfg, "keepdims", false, &flag)) return false;
        if (flag) return err_set(cx->err, "layer '%s': option 'keepdims: true' is not supported", l->name);
        return true;
    }
    if (strcmp(cls, "Flatten") == 0) {
        l->kind = LAYER_FLATTEN;
        return channels_last(cx, cfg);
    }
    if (strcmp(cls, "SpatialDropout1D") == 0) {
        l->kind = LAYER_SPATIAL_DROPOUT;
        if (!get_float(cx, cfg, "rate", 0.0f, &l->rate)) return false;
        if (l->rate < 0 || l->rate >= 1) return err_set(cx->err, "layer '%s': rate must be in [0, 1)", l->name);
        return true;
    }
    *known = false;
    return true;
}

static bool parse_cell(Ctx *cx, const char *cls, const cJSON *cfg, Layer *l, int dir)
{
    Cell *c = &l->cell[dir];
    *c = (Cell){0};
    if (strcmp(cls, "SimpleRNN") == 0) c->kind = CELL_SIMPLE_RNN;
    else if (strcmp(cls, "GRU") == 0) c->kind = CELL_GRU;
    else if (strcmp(cls, "LSTM") == 0) c->kind = CELL_LSTM;
    else return err_set(cx->err, "layer '%s': Bidirectional wraps '%s', which is not supported (SimpleRNN, GRU, LSTM)", cx->layer, cls);
    bool flag = false;
    if (!get_int(cx, cfg, "units", 1, ENGINE_MAX_DIM, -1, &c->units)) return false;
    if (c->units < 0) return err_set(cx->err, "layer '%s': option 'units' is missing", cx->layer);
    if (!get_act(cx, cfg, "activation", ACT_TANH, false, &c->activation)) return false;
    if (c->kind != CELL_SIMPLE_RNN &&
        !get_act(cx, cfg, "recurrent_activation", ACT_SIGMOID, false, &c->recurrent_activation))
        return false;
    if (!get_bool(cx, cfg, "use_bias", true, &c->use_bias)) return false;
    if (!get_bool(cx, cfg, "go_backwards", false, &c->go_backwards)) return false;
    if (c->kind == CELL_GRU) {
        if (!get_bool(cx, cfg, "reset_after", true, &c->reset_after)) return false;
        if (is_absent(cJSON_GetObjectItemCaseSensitive(cfg, "reset_after")) && gru_bias_is_flat(cx))
            c->reset_after = false;
    }
    if (!get_bool(cx, cfg, "stateful", false, &flag)) return false;
    if (flag) return err_set(cx->err, "layer '%s': option 'stateful: true' is not supported", cx->layer);
    if (!get_bool(cx, cfg, "time_major", false, &flag)) return false;
    if (flag) return err_set(cx->err, "layer '%s': option 'time_major: true' is not supported", cx->layer);
    if (dir == 0) {
        if (!get_bool(cx, cfg, "return_sequences", false, &l->return_sequences)) return false;
        if (!get_bool(cx, cfg, "return_state", false, &l->return_state)) return false;
        if (!get_bool(cx, cfg, "unit_forget_bias", true, &l->unit_forget_bias)) return false;
        if (!get_float(cx, cfg, "dropout", 0.0f, &l->dropout)) return false;
        if (!get_float(cx, cfg, "recurrent_dropout", 0.0f, &l->recurrent_dropout)) return false;
        if (l->dropout < 0 || l->dropout >= 1 || l->recurrent_dropout < 0 || l->recurrent_dropout >= 1)
            return err_set(cx->err, "layer '%s': dropout rates must be in [0, 1)", cx->layer);
    }
    return true;
}

static bool parse_layer(const char *cls, const cJSON *cfg, const cJSON *manifest, Layer *l, Err *err)
{
    Ctx cx = {.layer = "?", .err = err, .manifest = manifest};
    *l = (Layer){0};
    l->trainable = true;
    if (!cJSON_IsObject(cfg)) return err_set(err, "layer of class '%s' has no config object", cls);
    const char *name = NULL;
    if (!get_str(&cx, cfg, "name", &name)) return false;
    if (!set_name(&cx, l->name, sizeof l->name, name)) return false;
    cx.layer = l->name;
    if (!get_bool(&cx, cfg, "trainable", true, &l->trainable)) return false;
    if (strcmp(cls, "Embedding") == 0) {
        l->kind = LAYER_EMBEDDING;
        if (!get_int(&cx, cfg, "input_dim", 1, ENGINE_MAX_DIM, -1, &l->vocab)) return false;
        if (!get_int(&cx, cfg, "output_dim", 1, ENGINE_MAX_DIM, -1, &l->out_dim)) return false;
        if (l->vocab < 0 || l->out_dim < 0)
            return err_set(err, "layer '%s': Embedding needs input_dim and output_dim", l->name);
        return get_bool(&cx, cfg, "mask_zero", false, &l->mask_zero);
    }
    if (strcmp(cls, "Masking") == 0) {
        l->kind = LAYER_MASKING;
        return get_float(&cx, cfg, "mask_value", 0.0f, &l->mask_value);
    }
    if (strcmp(cls, "Dropout") == 0) {
        l->kind = LAYER_DROPOUT;
        if (!get_float(&cx, cfg, "rate", 0.0f, &l->rate)) return false;
        if (l->rate < 0 || l->rate >= 1) return err_set(err, "layer '%s': rate must be in [0, 1)", l->name);
        if (!is_absent(cJSON_GetObjectItemCaseSensitive(cfg, "noise_shape")))
            return err_set(err, "layer '%s': Dropout with a noise_shape is not supported (use SpatialDropout1D)", l->name);
        return true;
    }
    bool known = false;
    if (!parse_more(&cx, cls, cfg, l, &known)) return false;
    if (known) return true;
    if (strcmp(cls, "Dense") == 0) {
        l->kind = LAYER_DENSE;
        if (!get_int(&cx, cfg, "units", 1, ENGINE_MAX_DIM, -1, &l->out_dim)) return false;
        if (l->out_dim < 0) return err_set(err, "layer '%s': option 'units' is missing", l->name);
        if (!get_act(&cx, cfg, "activation", ACT_LINEAR, true, &l->activation)) return false;
        return get_bool(&cx, cfg, "use_bias", true, &l->use_bias);
    }
    if (strcmp(cls, "SimpleRNN") == 0 || strcmp(cls, "GRU") == 0 || strcmp(cls, "LSTM") == 0) {
        l->kind = LAYER_RNN;
        return parse_cell(&cx, cls, cfg, l, 0);
    }
    if (strcmp(cls, "Bidirectional") == 0) {
        l->kind = LAYER_RNN;
        l->bidirectional = true;
        const char *mode = NULL;
        if (!get_str(&cx, cfg, "merge_mode", &mode)) return false;
        const cJSON *mv = cJSON_GetObjectItemCaseSensitive(cfg, "merge_mode");
        if (!mv) mode = "concat";
        if (!mode) return err_set(err, "layer '%s': merge_mode null (two separate outputs) is not supported", l->name);
        if (strcmp(mode, "concat") == 0) l->merge = MERGE_CONCAT;
        else if (strcmp(mode, "sum") == 0) l->merge = MERGE_SUM;
        else if (strcmp(mode, "mul") == 0) l->merge = MERGE_MUL;
        else if (strcmp(mode, "ave") == 0) l->merge = MERGE_AVE;
        else return err_set(err, "layer '%s': merge_mode '%s' is not supported (concat, sum, mul, ave)", l->name, mode);
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(cfg, "layer");
        const cJSON *icls = cJSON_GetObjectItemCaseSensitive(inner, "class_name");
        const cJSON *icfg = cJSON_GetObjectItemCaseSensitive(inner, "config");
        if (!cJSON_IsString(icls) || !cJSON_IsObject(icfg))
            return err_set(err, "layer '%s': Bidirectional has no wrapped 'layer'", l->name);
        const char *iname = NULL;
        if (!get_str(&cx, icfg, "name", &iname)) return false;
        /* Keras 3 names the wrapped copy "forward_<name>": keep <name> */
        if (iname && strncmp(iname, "forward_", 8) == 0 && iname[8]) iname += 8;
        if (!set_name(&cx, l->inner_name, sizeof l->inner_name, iname)) return false;
        if (!parse_cell(&cx, icls->valuestring, icfg, l, 0)) return false;
        /* the backward copy: Keras flips go_backwards, or takes backward_layer */
        const cJSON *back = cJSON_GetObjectItemCaseSensitive(cfg, "backward_layer");
        char bname[ENGINE_NAME_MAX] = {0};
        if (!is_absent(back)) {
            const cJSON *bcls = cJSON_GetObjectItemCaseSensitive(back, "class_name");
            const cJSON *bcfg = cJSON_GetObjectItemCaseSensitive(back, "config");
            if (!cJSON_IsString(bcls) || !cJSON_IsObject(bcfg))
                return err_set(err, "layer '%s': backward_layer is malformed", l->name);
            const char *bn = NULL;
            if (!get_str(&cx, bcfg, "name", &bn)) return false;
            if (!set_name(&cx, bname, sizeof bname, bn)) return false;
            Layer tmp = *l;
            if (!parse_cell(&cx, bcls->valuestring, bcfg, &tmp, 1)) return false;
            l->cell[1] = tmp.cell[1];
            if (l->cell[1].kind != l->cell[0].kind || l->cell[1].units != l->cell[0].units)
                return err_set(err, "layer '%s': backward_layer must be the same cell with the same units", l->name);
        } else {
            l->cell[1] = l->cell[0];
            l->cell[1].go_backwards = !l->cell[0].go_backwards;
        }
        snprintf(l->dir_name[0], sizeof l->dir_name[0], "forward_%s", l->inner_name);
        if (bname[0]) snprintf(l->dir_name[1], sizeof l->dir_name[1], "%s", bname);
        else snprintf(l->dir_name[1], sizeof l->dir_name[1], "backward_%s", l->inner_name);
        return true;
    }
    return err_set(err, "layer '%s': layer class '%s' is not supported (supported: InputLayer, Embedding, Masking, SimpleRNN, GRU, LSTM, Bidirectional, Dense, Dropout, Conv1D, GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten, SpatialDropout1D)",
                   l->name, cls);
}

/* Reads [null, T] or [null, T, F] from batch_input_shape / batch_shape. */
static bool read_input_shape(const cJSON *cfg, const char *lname, int *seq_len, int *feat, bool *found, Err *err)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(cfg, "batch_input_shape");
    if (is_absent(s)) s = cJSON_GetObjectItemCaseSensitive(cfg, "batch_shape");
    if (is_absent(s)) return true;
    if (!cJSON_IsArray(s)) return err_set(err, "layer '%s': batch_input_shape must be a list", lname);
    int n = cJSON_GetArraySize(s);
    if (n < 2 || n > 3)
        return err_set(err, "layer '%s': input shape has %d dimensions; a sequence of tokens [null, T] or of features [null, T, F] is needed", lname, n);
    int dims[3] = {0, 0, 0};
    int i = -1;
    const cJSON *d = NULL;
    cJSON_ArrayForEach(d, s) {
        if (++i == 0) continue; /* the batch axis */
        if (cJSON_IsNull(d)) {
            if (i == 2) return err_set(err, "layer '%s': the feature size of the input must be known", lname);
            continue;
        }
        if (!cJSON_IsNumber(d) || d->valuedouble != floor(d->valuedouble) || d->valuedouble < 1 ||
            d->valuedouble > (i == 1 ? ENGINE_MAX_SEQ : ENGINE_MAX_DIM))
            return err_set(err, "layer '%s': input shape dimension %d is invalid", lname, i);
        dims[i] = (int)d->valuedouble;
    }
    *seq_len = dims[1];
    *feat = n == 3 ? dims[2] : 0;
    *found = true;
    return true;
}

/* The layer one inbound node reads, and which of its outputs: Keras 2 writes
 * a node as [[name, node_index, tensor_index, kwargs]], Keras 3 as
 * {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history":
 * [name, node_index, tensor_index]}}], "kwargs": {...}} (several inputs are
 * a list inside args). */
static bool node_source(const cJSON *node, const char **src, int *ti, Err *err)
{
    const cJSON *name = NULL, *index = NULL;
    int inputs = 0;
    if (cJSON_IsObject(node)) {
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(node, "args");
        const cJSON *a = NULL;
        if (!cJSON_IsArray(args)) args = NULL;
        cJSON_ArrayForEach(a, args) {
            const cJSON *list = cJSON_IsArray(a) ? a : NULL, *t = NULL;
            int k = 0;
            do {
                t = list ? cJSON_GetArrayItem(list, k++) : a;
                const cJSON *tc = cJSON_GetObjectItemCaseSensitive(t, "class_name");
                if (!cJSON_IsString(tc) || strcmp(tc->valuestring, "__keras_tensor__") != 0) continue;
                const cJSON *hist = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "config"), "keras_history");
                inputs++;
                name = cJSON_GetArrayItem(hist, 0);
                index = cJSON_GetArrayItem(hist, 2);
                if (!cJSON_IsArray(hist) || !cJSON_IsString(name))
                    return err_set(err, "an inbound node of the functional model (Keras 3 inbound_nodes) is malformed");
            } while (list && k < cJSON_GetArraySize(list));
        }
        if (inputs != 1)
            return err_set(err, "a layer of the functional model has %d inputs (Keras 3 inbound_nodes); only a single chain of layers is supported",
                           inputs);
    } else {
        if (!cJSON_IsArray(node) || cJSON_GetArraySize(node) != 1)
            return err_set(err, "a layer of the functional model has %d inputs; only a single chain of layers is supported",
                           cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 0);
        const cJSON *in = cJSON_GetArrayItem(node, 0);
        name = cJSON_GetArrayItem(in, 0);
        index = cJSON_GetArrayItem(in, 2);
        if (!cJSON_IsArray(in) || !cJSON_IsString(name))
            return err_set(err, "an inbound node of the functional model is malformed");
    }
    *src = name->valuestring;
    *ti = cJSON_IsNumber(index) && index->valuedouble >= 0 && index->valuedouble < 1e6 ? (int)index->valuedouble
          : cJSON_IsNumber(index) ? 1 : 0;
    return true;
}

/* The layer list of a Sequential config (a list, or {"layers": [...]}) or of
 * a single-chain functional one, put in chain order. Returns a new array of
 * borrowed pointers; caller frees. */
static const cJSON **chain_layers(const cJSON *topo, int *count, char *mname, size_t mcap, Err *err)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(topo, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(topo, "config");
    if (!cJSON_IsString(cls)) {
        err_set(err, "modelTopology has no class_name");
        return NULL;
    }
    const cJSON *layers = cfg;
    if (cJSON_IsObject(cfg)) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cfg, "name");
        if (cJSON_IsString(nm)) snprintf(mname, mcap, "%s", nm->valuestring);
        layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    }
    if (!cJSON_IsArray(layers)) {
        err_set(err, "modelTopology config has no layers list");
        return NULL;
    }
    int n = cJSON_GetArraySize(layers);
    if (n < 1 || n > ENGINE_MAX_LAYERS + 1) {
        err_set(err, "the model has %d layers (1..%d are supported)", n, ENGINE_MAX_LAYERS);
        return NULL;
    }
    const cJSON **out = xcalloc((size_t)n, sizeof *out);
    bool seq = strcmp(cls->valuestring, "Sequential") == 0;
    if (!seq && strcmp(cls->valuestring, "Functional") != 0 && strcmp(cls->valuestring, "Model") != 0) {
        err_set(err, "model class '%s' is not supported (Sequential, Functional, Model)", cls->valuestring);
        free(out);
        return NULL;
    }
    int i = 0;
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, layers) out[i++] = it;
    *count = n;
    if (seq) return out;
    /* functional: follow the single chain from the input layer */
    const cJSON **ordered = xcalloc((size_t)n, sizeof *ordered);
    const char *prev = NULL;
    for (int k = 0; k < n; k++) {
        const cJSON *next = NULL;
        for (int j = 0; j < n; j++) {
            const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(out[j], "inbound_nodes");
            int nn = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : 0;
            const char *src = NULL;
            if (nn > 1) {
                err_set(err, "layer %d of the functional model is called more than once; only a single chain of layers is supported", j);
                goto fail;
            }
            if (nn == 1) {
                int ti = 0;
                if (!node_source(cJSON_GetArrayItem(nodes, 0), &src, &ti, err)) goto fail;
                if (ti != 0) {
                    err_set(err, "a layer reads output %d of layer '%s' (a returned state); only a single chain of layers is supported",
                            ti, src);
                    goto fail;
                }
            }
            bool match = prev ? (src && strcmp(src, prev) == 0) : (src == NULL);
            if (!match) continue;
            if (next) {
                err_set(err, "the functional model branches; only a single chain of layers is supported");
                goto fail;
            }
            next = out[j];
        }
        if (!next) {
            err_set(err, "the functional model is not a single chain of layers");
            goto fail;
        }
        ordered[k] = next;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(next, "name");
        if (!cJSON_IsString(nm)) nm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(next, "config"), "name");
        if (!cJSON_IsString(nm)) {
            err_set(err, "a layer of the functional model has no name");
            goto fail;
        }
        prev = nm->valuestring;
    }
    free(out);
    return ordered;
fail:
    free(out);
    free(ordered);
    return NULL;
}

static bool parse_topology(Model *m, const cJSON *topo, const cJSON *manifest, Err *err)
{
    const cJSON *wrapped = cJSON_GetObjectItemCaseSensitive(topo, "model_config");
    if (cJSON_IsObject(wrapped)) topo = wrapped;
    int n = 0;
    const cJSON **layers = chain_layers(topo, &n, m->name, sizeof m->name, err);
    if (!layers) return false;
    const cJSON *cls0 = cJSON_GetObjectItemCaseSensitive(topo, "class_name");
    m->functional = cJSON_IsString(cls0) && strcmp(cls0->valuestring, "Sequential") != 0;
    bool ok = false, shape_found = false;
    int seq_len = 0, feat = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(layers[i], "class_name");
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(layers[i], "config");
        if (!cJSON_IsString(cls) || !cJSON_IsObject(cfg)) {
            err_set(err, "layer %d has no class_name or config", i);
            goto done;
        }
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cfg, "name");
        const char *lname = cJSON_IsString(nm) ? nm->valuestring : "?";
        /* Keras 3 (and 2.13+) name a built-in class with registered_name null
         * or the class name itself; anything else is a custom class */
        const cJSON *reg = cJSON_GetObjectItemCaseSensitive(layers[i], "registered_name");
        if (cJSON_IsString(reg) && strcmp(reg->valuestring, cls->valuestring) != 0) {
            err_set(err, "layer '%s': custom class '%s' is not supported (only Keras' built-in layers)", lname, reg->valuestring);
            goto done;
        }
        if (!shape_found && !read_input_shape(cfg, lname, &seq_len, &feat, &shape_found, err)) goto done;
        if (strcmp(cls->valuestring, "InputLayer") == 0) {
            snprintf(m->input_name, sizeof m->input_name, "%s", lname);
            if (i != 0) {
                err_set(err, "layer '%s': InputLayer must come first", lname);
                goto done;
            }
            continue;
        }
        Layer l;
        if (!parse_layer(cls->valuestring, cfg, manifest, &l, err)) goto done;
        if (l.kind == LAYER_EMBEDDING && !shape_found) {
            /* Embedding may give its length as input_length */
            const cJSON *il = cJSON_GetObjectItemCaseSensitive(cfg, "input_length");
            if (cJSON_IsNumber(il) && il->valuedouble >= 1 && il->valuedouble <= ENGINE_MAX_SEQ)
                seq_len = (int)il->valuedouble;
        }
        for (int j = 0; j < m->n_layers; j++)
            if (strcmp(m->layers[j].name, l.name) == 0) {
                err_set(err, "two layers are named '%s'", l.name);
                goto done;
            }
        model_add_layer(m, &l);
    }
    if (m->n_layers == 0) {
        err_set(err, "the model has no layers");
        goto done;
    }
    if (!shape_found) {
        /* a Sequential built without an Input keeps its shape here */
        const cJSON *mcfg = cJSON_GetObjectItemCaseSensitive(topo, "config");
        const cJSON *bis = cJSON_GetObjectItemCaseSensitive(mcfg, "build_input_shape");
        if (cJSON_IsArray(bis)) {
            cJSON *wrap = cJSON_CreateObject();
            cJSON_AddItemReferenceToObject(wrap, "batch_shape", (cJSON *)bis);
            bool shape_ok = read_input_shape(wrap, m->layers[0].name, &seq_len, &feat, &shape_found, err);
            cJSON_Delete(wrap);
            if (!shape_ok) goto done;
        }
    }
    m->seq_len = seq_len;
    if (m->layers[0].kind != LAYER_EMBEDDING) {
        if (!shape_found || feat == 0) {
            err_set(err, "layer '%s': the model's input shape is unknown (an InputLayer or batch_input_shape [null, T, F] is needed)",
                    m->layers[0].name);
            goto done;
        }
        m->input_dim = feat;
    } else if (feat > 1) {
        err_set(err, "layer '%s': Embedding input must be [null, T] tokens, not features of size %d", m->layers[0].name, feat);
        goto done;
    }
    ok = model_layout(m, err);
done:
    free(layers);
    return ok;
}

bool model_config_read(Model *m, const cJSON *topo, const cJSON *manifest, Err *err)
{
    return parse_topology(m, topo, manifest, err);
}

/* ---- weights ------------------------------------------------------------- */

static bool path_inside(const char *dir, const char *rel, char **full, Err *err)
{
    *full = NULL;
    if (!*rel || rel[0] == '/' || strstr(rel, "\\"))
        return err_set(err, "weight shard path '%s' is not a plain relative path", rel);
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return err_set(err, "weight shard path '%s' leaves the model folder", rel);
        p += n + (e ? 1 : 0);
    }
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *joined = xmalloc(len);
    snprintf(joined, len, "%s/%s", dir, rel);
    char *rdir = realpath(dir, NULL), *rfile = realpath(joined, NULL);
    bool ok = false;
    if (!rfile) {
        err_set(err, "weight shard '%s': %s", joined, strerror(errno));
    } else if (!rdir || strncmp(rfile, rdir, strlen(rdir)) != 0 || rfile[strlen(rdir)] != '/') {
        err_set(err, "weight shard '%s' links out of the model folder", rel);
    } else {
        ok = true;
    }
    free(rdir);
    free(rfile);
    if (ok) *full = joined;
    else free(joined);
    return ok;
}

static bool known_var(const char *v)
{
    return strcmp(v, "kernel") == 0 || strcmp(v, "recurrent_kernel") == 0 || strcmp(v, "bias") == 0 ||
           strcmp(v, "embeddings") == 0;
}

/* Maps a manifest weight name to (layer, dir, var); false if it names no
 * layer (err untouched) or is ambiguous (err set, *bad = true). */
static bool match_weight(const Model *m, const char *wname, int *layer, int *dir, char *var, size_t vcap, bool *bad, Err *err)
{
    *bad = false;
    char buf[512];
    if (strlen(wname) >= sizeof buf) return false;
    snprintf(buf, sizeof buf, "%s", wname);
    char *colon = strrchr(buf, ':');
    if (colon && colon > strrchr(buf, '/')) *colon = '\0';
    char *first_slash = strchr(buf, '/');
    char *last = strrchr(buf, '/');
    if (!first_slash) return false;
    *first_slash = '\0';
    int li = -1;
    for (int i = 0; i < m->n_layers; i++)
        if (strcmp(m->layers[i].name, buf) == 0) li = i;
    *first_slash = '/';
    if (li < 0) return false;
    /* the variable: last component, tolerating a "_1" uniquifying suffix */
    snprintf(var, vcap, "%s", last + 1);
    if (!known_var(var)) {
        char *us = strrchr(var, '_');
        if (us && us[1]) {
            bool digits = true;
            for (char *q = us + 1; *q; q++) digits &= *q >= '0' && *q <= '9';
            if (digits) *us = '\0';
        }
    }
    if (!known_var(var)) {
        *bad = true;
        return err_set(err, "weight '%s': '%s' is not a weight of layer '%s'", wname, last + 1, m->layers[li].name);
    }
    *layer = li;
    *dir = 0;
    if (m->layers[li].bidirectional) {
        *dir = -1;
        for (char *p = first_slash + 1; p < last; p = strchr(p, '/') + 1) {
            if (strncmp(p, "forward", 7) == 0) *dir = 0;
            else if (strncmp(p, "backward", 8) == 0) *dir = 1;
            if (*dir >= 0) break;
        }
        if (*dir < 0) {
            *bad = true;
            return err_set(err, "weight '%s' of Bidirectional layer '%s' names neither a forward nor a backward layer", wname,
                           m->layers[li].name);
        }
    }
    return true;
}

static bool shape_str_eq(const ParamInfo *p, const cJSON *shape, char *got, size_t cap)
{
    size_t k = 0;
    got[0] = '\0';
    k += (size_t)snprintf(got + k, cap - k, "[");
    int n = cJSON_IsArray(shape) ? cJSON_GetArraySize(shape) : -1;
    bool eq = n == p->ndim;
    int i = -1;
    const cJSON *d = NULL;
    const cJSON *list = n > 0 ? shape : NULL;
    cJSON_ArrayForEach(d, list) {
        i++;
        double v = cJSON_IsNumber(d) ? d->valuedouble : -1;
        if (k < cap) k += (size_t)snprintf(got + k, cap - k, "%s%.0f", i ? ", " : "", v);
        if (i < p->ndim && v != p->shape[i]) eq = false;
    }
    if (k < cap) snprintf(got + k, cap - k, "]");
    return eq;
}

ParamInfo *model_param_by_weight_name(Model *m, const char *wname, Err *err)
{
    int li = 0, dir_i = 0;
    char var[64];
    bool bad = false;
    if (!match_weight(m, wname, &li, &dir_i, var, sizeof var, &bad, err)) {
        if (!bad) err_set(err, "weight '%s' belongs to no layer of the model", wname);
        return NULL;
    }
    ParamInfo *p = model_find_param(m, li, dir_i, var);
    if (!p) err_set(err, "weight '%s': layer '%s' has no '%s' (use_bias false?)", wname, m->layers[li].name, var);
    return p;
}

/* Checks one manifest group against the model and its shard files; with
 * load, also reads the shards into the (allocated) parameters. The check
 * pass allocates nothing, so a file claiming a huge model is refused cheaply. */
static bool read_group(Model *m, const char *dir, const cJSON *group, int gi, unsigned char *filled, bool load, Err *err)
{
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(group, "paths");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(group, "weights");
    if (!cJSON_IsArray(paths) || !cJSON_IsArray(weights))
        return err_set(err, "weightsManifest group %d needs 'paths' and 'weights' lists", gi);
    /* bytes the group's weights need */
    size_t need = 0;
    const cJSON *w = NULL;
    cJSON_ArrayForEach(w, weights) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "name");
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(w, "shape");
        const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(w, "dtype");
        if (!cJSON_IsString(name) || !cJSON_IsArray(shape))
            return err_set(err, "weightsManifest group %d: a weight has no name or shape", gi);
        if (cJSON_GetObjectItemCaseSensitive(w, "quantization"))
            return err_set(err, "weight '%s' is quantized, which is not supported", name->valuestring);
        if (!is_absent(dtype) && (!cJSON_IsString(dtype) || strcmp(dtype->valuestring, "float32") != 0))
            return err_set(err, "weight '%s' has dtype '%s'; only float32 is supported", name->valuestring,
                           cJSON_IsString(dtype) ? dtype->valuestring : "?");
        size_t count = 1;
        const cJSON *d = NULL;
        if (cJSON_GetArraySize(shape) > MODEL_IO_MAX_RANK)
            return err_set(err, "weight '%s' has too many dimensions (more than %d)", name->valuestring, MODEL_IO_MAX_RANK);
        cJSON_ArrayForEach(d, shape) {
            if (!cJSON_IsNumber(d) || d->valuedouble != floor(d->valuedouble) || d->valuedouble < 0 ||
                d->valuedouble > (double)ENGINE_MAX_TENSOR)
                return err_set(err, "weight '%s' has an invalid shape", name->valuestring);
            count *= (size_t)d->valuedouble;
            if (count > ENGINE_MAX_TENSOR) return err_set(err, "weight '%s' is too large", name->valuestring);
        }
        need += count * 4;
        if (need > (ENGINE_MAX_PARAMS + ENGINE_MAX_TENSOR) * 4)
            return err_set(err, "weightsManifest group %d is too large", gi);
    }
    /* the shards, concatenated */
    size_t have = 0;
    int np = cJSON_GetArraySize(paths);
    char **full = xcalloc((size_t)(np ? np : 1), sizeof *full);
    unsigned char *bytes = NULL;
    bool ok = false;
    int si = 0;
    const cJSON *sp = NULL;
    cJSON_ArrayForEach(sp, paths) {
        if (!cJSON_IsString(sp)) {
            err_set(err, "weightsManifest group %d: a shard path is not a string", gi);
            goto done;
        }
        if (!path_inside(dir, sp->valuestring, &full[si], err)) goto done;
        struct stat st;
        if (stat(full[si], &st) != 0 || !S_ISREG(st.st_mode)) {
            err_set(err, "weight shard '%s' is not a regular file", sp->valuestring);
            goto done;
        }
        have += (size_t)st.st_size;
        si++;
    }
    if (have != need) {
        err_set(err, "weight shards of group %d hold %zu bytes but the manifest needs %zu (%s)", gi, have, need,
                have < need ? "truncated shard?" : "extra bytes");
        goto done;
    }
    bytes = load ? xmalloc(need) : NULL;
    size_t at = 0;
    for (int i = 0; i < np && load; i++) {
        FILE *f = fopen(full[i], "rb");
        if (!f) {
            err_set(err, "weight shard '%s': %s", full[i], strerror(errno));
            goto done;
        }
        struct stat st;
        size_t want = fstat(fileno(f), &st) == 0 ? (size_t)st.st_size : 0;
        size_t got = at + want <= need ? fread(bytes + at, 1, want, f) : 0;
        fclose(f);
        if (got != want || at + want > need) {
            err_set(err, "weight shard '%s' changed while reading", full[i]);
            goto done;
        }
        at += got;
    }
    /* each weight to its parameter, by name */
    at = 0;
    cJSON_ArrayForEach(w, weights) {
        const char *wname = cJSON_GetObjectItemCaseSensitive(w, "name")->valuestring;
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(w, "shape");
        size_t count = 1;
        const cJSON *d = NULL;
        cJSON_ArrayForEach(d, shape) count *= (size_t)d->valuedouble;
        const cJSON *grp = cJSON_GetObjectItemCaseSensitive(w, "group");
        bool optimizer = cJSON_IsString(grp) && strcmp(grp->valuestring, "optimizer") == 0;
        int li = 0, dir_i = 0;
        char var[64];
        bool bad = false;
        if (optimizer || !match_weight(m, wname, &li, &dir_i, var, sizeof var, &bad, err)) {
            if (bad) goto done;
            if (!optimizer) {
                err_set(err, "weight '%s' belongs to no layer of the model", wname);
                goto done;
            }
            at += count * 4;
            continue;
        }
        ParamInfo *p = model_find_param(m, li, dir_i, var);
        if (!p) {
            err_set(err, "weight '%s': layer '%s' has no '%s' (use_bias false?)", wname, m->layers[li].name, var);
            goto done;
        }
        char got[128];
        if (!shape_str_eq(p, shape, got, sizeof got)) {
            if (p->ndim == 3)
                err_set(err, "weight '%s' has shape %s but layer '%s' needs [%d, %d, %d]", wname, got, m->layers[li].name,
                        p->shape[0], p->shape[1], p->shape[2]);
            else if (p->ndim == 2)
                err_set(err, "weight '%s' has shape %s but layer '%s' needs [%d, %d]", wname, got, m->layers[li].name,
                        p->shape[0], p->shape[1]);
            else
                err_set(err, "weight '%s' has shape %s but layer '%s' needs [%d]", wname, got, m->layers[li].name, p->shape[0]);
            goto done;
        }
        size_t pi = (size_t)(p - m->pinfo);
        if (filled[pi]) {
            err_set(err, "weight '%s' is given twice", wname);
            goto done;
        }
        filled[pi] = 1;
        if (load) {
            float *dst = m->params + p->offset;
            memcpy(dst, bytes + at, count * 4); /* little-endian float32, as on x86 and ARM */
            for (size_t k = 0; k < count; k++)
                if (!isfinite(dst[k])) {
                    err_set(err, "weight '%s' holds %s at index %zu", wname, isnan(dst[k]) ? "NaN" : "Inf", k);
                    goto done;
                }
        }
        at += count * 4;
    }
    ok = true;
done:
    for (int i = 0; i < np; i++) free(full[i]);
    free(full);
    free(bytes);
    return ok;
}

/* Deepest bracket nesting of a text, strings skipped: only to word the
 * error when a parse fails. */
static int json_depth(const char *s)
{
    int depth = 0, deepest = 0;
    bool in_str = false;
    for (; *s; s++) {
        if (in_str) {
            if (*s == '\\' && s[1]) s++;
            else if (*s == '"') in_str = false;
        } else if (*s == '"') {
            in_str = true;
        } else if (*s == '[' || *s == '{') {
            deepest = ++depth > deepest ? depth : deepest;
        } else if (*s == ']' || *s == '}') {
            depth--;
        }
    }
    return deepest;
}

char *model_dir_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return xstrdup(path);
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(".");
    if (slash == path) return xstrdup("/");
    char *d = xmalloc((size_t)(slash - path) + 1);
    memcpy(d, path, (size_t)(slash - path));
    d[slash - path] = '\0';
    return d;
}

bool model_load(Model *m, const char *path, Err *err)
{
    if (keras_is_path(path)) return keras_load(m, path, err); /* Keras' own files: keras_io.c */
    model_init(m);
    struct stat st;
    if (stat(path, &st) != 0) return err_set(err, "%s: %s", path, strerror(errno));
    char *dir = model_dir_of(path);
    char *json_path = NULL;
    char *text = NULL;
    cJSON *root = NULL;
    unsigned char *filled = NULL;
    bool ok = false;
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(path) + 16;
        json_path = xmalloc(n);
        snprintf(json_path, n, "%s/model.json", path);
        if (access(json_path, F_OK) != 0) {
            err_set(err, "%s: no model.json in this folder", path);
            goto done;
        }
    } else {
        json_path = xstrdup(path);
    }
    size_t len = 0;
    text = base_read_file(json_path, MODEL_IO_MAX_JSON, &len, err);
    if (!text) goto done;
    if (len == 0) {
        err_set(err, "%s: file is empty", json_path);
        goto done;
    }
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(text, len + 1, &end, true); /* the NUL counts */
    if (!root) {
        if (json_depth(text) > JSON_MAX_DEPTH)
            err_set(err, "%s: not valid JSON here: nesting deeper than %d levels is refused", json_path, JSON_MAX_DEPTH);
        else
            err_set(err, "%s: not valid JSON (error at byte %ld)", json_path, end ? (long)(end - text) : 0L);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        err_set(err, "%s: expected a JSON object", json_path);
        goto done;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (cJSON_IsString(fmt) && strcmp(fmt->valuestring, "layers-model") != 0) {
        err_set(err, "%s: format '%s' is not supported (only TensorFlow.js 'layers-model')", json_path, fmt->valuestring);
        goto done;
    }
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(root, "modelTopology");
    if (!cJSON_IsObject(topo)) {
        err_set(err, "%s: no modelTopology object", json_path);
        goto done;
    }
    const cJSON *manifest = cJSON_GetObjectItemCaseSensitive(root, "weightsManifest");
    if (!parse_topology(m, topo, manifest, err)) {
        err_prefix(err, "%s", json_path);
        goto done;
    }
    if (!cJSON_IsArray(manifest)) {
        err_set(err, "%s: no weightsManifest list", json_path);
        goto done;
    }
    /* the manifest's size, before any file is looked at */
    int n_shards = 0, n_weights = 0;
    const cJSON *grp = NULL;
    cJSON_ArrayForEach(grp, manifest) {
        n_shards += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(grp, "paths"));
        n_weights += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(grp, "weights"));
        if (n_shards > MODEL_IO_MAX_SHARDS || n_weights > MODEL_IO_MAX_WEIGHTS) {
            err_set(err, "%s: the weightsManifest lists more than %d %s", json_path,
                    n_shards > MODEL_IO_MAX_SHARDS ? MODEL_IO_MAX_SHARDS : MODEL_IO_MAX_WEIGHTS,
                    n_shards > MODEL_IO_MAX_SHARDS ? "shard files" : "weights");
            goto done;
        }
    }
    /* the weights, and the largest group's shards read whole beside them */
    size_t weight_bytes = base_size_mul(m->n_params, sizeof(float));
    if (!base_memory_check(base_size_mul(weight_bytes, 2), "loading the model's weights", err)) {
        err_prefix(err, "%s", json_path);
        goto done;
    }
    filled = xcalloc((size_t)(m->n_params_info ? m->n_params_info : 1), 1);
    /* check everything first, then allocate and read */
    for (int pass = 0; pass < 2; pass++) {
        bool load = pass == 1;
        memset(filled, 0, (size_t)(m->n_params_info ? m->n_params_info : 1));
        if (load) model_alloc_params(m);
        int gi = 0;
        const cJSON *g = NULL;
        cJSON_ArrayForEach(g, manifest) {
            if (!read_group(m, dir, g, gi++, filled, load, err)) {
                err_prefix(err, "%s", json_path);
                goto done;
            }
        }
        for (int i = 0; i < m->n_params_info; i++)
            if (!filled[i]) {
                err_set(err, "%s: weight '%s' is missing from the weightsManifest", json_path, m->pinfo[i].name);
                goto done;
            }
    }
    ok = true;
done:
    if (!ok) model_free(m);
    cJSON_Delete(root);
    free(text);
    free(json_path);
    free(dir);
    free(filled);
    return ok;
}

/* ---- writing --------------------------------------------------------------- */

cJSON *model_input_shape_json(const Model *m)
{
    cJSON *s = cJSON_CreateArray();
    cJSON_AddItemToArray(s, cJSON_CreateNull());
    cJSON_AddItemToArray(s, m->seq_len ? cJSON_CreateNumber(m->seq_len) : cJSON_CreateNull());
    if (!m->token_input) cJSON_AddItemToArray(s, cJSON_CreateNumber(m->input_dim));
    return s;
}

void model_layer_options_json(cJSON *cfg, const Layer *l)
{
    switch (l->kind) {
    case LAYER_EMBEDDING:
        cJSON_AddNumberToObject(cfg, "input_dim", l->vocab);
        cJSON_AddNumberToObject(cfg, "output_dim", l->out_dim);
        cJSON_AddBoolToObject(cfg, "mask_zero", l->mask_zero);
        break;
    case LAYER_MASKING:
        cJSON_AddNumberToObject(cfg, "mask_value", l->mask_value);
        break;
    case LAYER_DROPOUT:
        cJSON_AddNumberToObject(cfg, "rate", l->rate);
        break;
    case LAYER_DENSE:
        cJSON_AddNumberToObject(cfg, "units", l->out_dim);
        cJSON_AddStringToObject(cfg, "activation", act_name(l->activation));
        cJSON_AddBoolToObject(cfg, "use_bias", l->use_bias);
        break;
    default:
        break;
    }
}

void model_cell_options_json(cJSON *cfg, const Layer *l, const Cell *c)
{
    cJSON_AddNumberToObject(cfg, "units", c->units);
    cJSON_AddStringToObject(cfg, "activation", act_name(c->activation));
    if (c->kind != CELL_SIMPLE_RNN)
        cJSON_AddStringToObject(cfg, "recurrent_activation", act_name(c->recurrent_activation));
    cJSON_AddBoolToObject(cfg, "use_bias", c->use_bias);
    if (c->kind == CELL_LSTM) cJSON_AddBoolToObject(cfg, "unit_forget_bias", l->unit_forget_bias);
}

static cJSON *cell_config(const Layer *l, const Cell *c, const char *name, bool backward_copy)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "name", name);
    cJSON_AddBoolToObject(cfg, "trainable", l->trainable);
    cJSON_AddStringToObject(cfg, "dtype", "float32");
    model_cell_options_json(cfg, l, c);
    if (c->kind == CELL_GRU) cJSON_AddBoolToObject(cfg, "reset_after", c->reset_after);
    cJSON_AddNumberToObject(cfg, "dropout", l->dropout);
    cJSON_AddNumberToObject(cfg, "recurrent_dropout", l->recurrent_dropout);
    cJSON_AddBoolToObject(cfg, "return_sequences", l->return_sequences);
    cJSON_AddBoolToObject(cfg, "return_state", l->return_state);
    cJSON_AddBoolToObject(cfg, "go_backwards", backward_copy ? !c->go_backwards : c->go_backwards);
    cJSON_AddBoolToObject(cfg, "stateful", false);
    cJSON_AddBoolToObject(cfg, "unroll", false);
    return cfg;
}

static cJSON *layer_json(const Model *m, int i)
{
    const Layer *l = &m->layers[i];
    cJSON *o = cJSON_CreateObject();
    cJSON *cfg = NULL;
    if (l->kind == LAYER_RNN && !l->bidirectional) {
        cfg = cell_config(l, &l->cell[0], l->name, false);
    } else {
        cfg = cJSON_CreateObject();
        cJSON_AddStringToObject(cfg, "name", l->name);
        cJSON_AddBoolToObject(cfg, "trainable", l->trainable);
        cJSON_AddStringToObject(cfg, "dtype", "float32");
    }
    if (i == 0) cJSON_AddItemToObject(cfg, "batch_input_shape", model_input_shape_json(m));
    model_layer_options_json(cfg, l);
    switch (l->kind) {
    case LAYER_EMBEDDING:
        if (m->seq_len) cJSON_AddNumberToObject(cfg, "input_length", m->seq_len);
        else cJSON_AddNullToObject(cfg, "input_length");
        break;
    case LAYER_MASKING:
    case LAYER_DROPOUT:
    case LAYER_DENSE:
        break; /* all in model_layer_options_json */
    case LAYER_CONV1D: {
        cJSON_AddNumberToObject(cfg, "filters", l->out_dim);
        const int v[3] = {l->kernel_size, l->strides, l->dilation};
        static const char *const key[3] = {"kernel_size", "strides", "dilation_rate"};
        for (int k = 0; k < 3; k++) {
            cJSON *a = cJSON_CreateArray();
            cJSON_AddItemToArray(a, cJSON_CreateNumber(v[k]));
            cJSON_AddItemToObject(cfg, key[k], a);
        }
        cJSON_AddStringToObject(cfg, "padding", conv_padding_name(l->padding));
        cJSON_AddStringToObject(cfg, "data_format", "channels_last");
        cJSON_AddStringToObject(cfg, "activation", act_name(l->activation));
        cJSON_AddBoolToObject(cfg, "use_bias", l->use_bias);
        break;
    }
    case LAYER_GLOBAL_AVG_POOL:
    case LAYER_GLOBAL_MAX_POOL:
    case LAYER_FLATTEN:
        cJSON_AddStringToObject(cfg, "data_format", "channels_last");
        break;
    case LAYER_SPATIAL_DROPOUT:
        cJSON_AddNumberToObject(cfg, "rate", l->rate);
        break;
    case LAYER_RNN:
        if (l->bidirectional) {
            cJSON_AddStringToObject(cfg, "merge_mode", merge_mode_name(l->merge));
            cJSON *inner = cJSON_CreateObject();
            cJSON_AddStringToObject(inner, "class_name", cell_class_name(l->cell[0].kind));
            cJSON_AddItemToObject(inner, "config", cell_config(l, &l->cell[0], l->inner_name, false));
            cJSON_AddItemToObject(cfg, "layer", inner);
        }
        break;
    }
    cJSON_AddStringToObject(o, "class_name", layer_class_name(l));
    cJSON_AddItemToObject(o, "config", cfg);
    return o;
}

static char *model_json_text(const Model *m)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", "layers-model");
    cJSON_AddStringToObject(root, "generatedBy", "unroll");
    cJSON_AddNullToObject(root, "convertedBy");
    cJSON *topo = cJSON_CreateObject();
    cJSON_AddStringToObject(topo, "class_name", "Sequential");
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "name", m->name[0] ? m->name : "sequential");
    cJSON *layers = cJSON_CreateArray();
    for (int i = 0; i < m->n_layers; i++) cJSON_AddItemToArray(layers, layer_json(m, i));
    cJSON_AddItemToObject(cfg, "layers", layers);
    cJSON_AddItemToObject(topo, "config", cfg);
    cJSON_AddStringToObject(topo, "keras_version", "tfjs-layers 4.22.0");
    cJSON_AddStringToObject(topo, "backend", "tensor_flow.js");
    cJSON_AddItemToObject(root, "modelTopology", topo);
    cJSON *manifest = cJSON_CreateArray();
    cJSON *group = cJSON_CreateObject();
    cJSON *paths = cJSON_CreateArray();
    cJSON_AddItemToArray(paths, cJSON_CreateString("weights.bin"));
    cJSON_AddItemToObject(group, "paths", paths);
    cJSON *weights = cJSON_CreateArray();
    for (int i = 0; i < m->n_params_info; i++) {
        const ParamInfo *p = &m->pinfo[i];
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "name", p->name);
        cJSON *shape = cJSON_CreateArray();
        for (int d = 0; d < p->ndim; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber(p->shape[d]));
        cJSON_AddItemToObject(w, "shape", shape);
        cJSON_AddStringToObject(w, "dtype", "float32");
        cJSON_AddItemToArray(weights, w);
    }
    cJSON_AddItemToObject(group, "weights", weights);
    cJSON_AddItemToArray(manifest, group);
    cJSON_AddItemToObject(root, "weightsManifest", manifest);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* dir/name, registered (in *handle) for removal should a signal stop us */
static bool write_in(const char *dir, const char *name, const void *data, size_t len, int *handle, Err *err)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    *handle = base_temp_register(p, false);
    bool ok = base_write_file_atomic(p, data, len, err);
    free(p);
    return ok;
}

bool model_save(const Model *m, const char *dir_arg, const ExtraFile *extra, int n_extra, Err *err)
{
    if (keras_is_keras_path(dir_arg)) return keras_save(m, dir_arg, extra, n_extra, err); /* keras_io.c */
    /* "out/" is "out": the temporary goes beside the folder, not into it */
    char *dir = xstrdup(dir_arg);
    for (size_t k = strlen(dir); k > 1 && dir[k - 1] == '/'; k--) dir[k - 1] = '\0';
    /* the new model is written into DIR.tmp<PID>-XXXXXX, flushed, then
     * exchanged with DIR in one step; a signal removes the temporary, and a
     * later save removes what a kill -9 left */
    size_t n = strlen(dir) + 48;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp%ld-XXXXXX", dir, (long)getpid());
    char *text = NULL;
    bool ok = false, made = false;
    int *handles = xmalloc((size_t)(3 + (n_extra > 0 ? n_extra : 0)) * sizeof *handles), n_handles = 0;
    struct stat st;
    bool exists = stat(dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
        err_set(err, "%s: exists and is not a folder", dir);
        goto done;
    }
    if (exists) {
        size_t k = strlen(dir) + 16;
        char *mj = xmalloc(k);
        snprintf(mj, k, "%s/model.json", dir);
        bool is_model = access(mj, F_OK) == 0;
        free(mj);
        /* only a model's own files are replaced: anything else (notes,
         * training data) means the folder is not ours to overwrite */
        DIR *d = opendir(dir);
        int entries = 0;
        char foreign[256] = "";
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                entries++;
                size_t len = strlen(e->d_name);
                bool ours = !strcmp(e->d_name, "model.json") || !strcmp(e->d_name, "tokenizer.json") ||
                            (len > 4 && !strcmp(e->d_name + len - 4, ".bin"));
                if (!ours && !foreign[0]) snprintf(foreign, sizeof foreign, "%s", e->d_name);
            }
            closedir(d);
        }
        if ((!is_model && entries > 0) || foreign[0]) {
            err_set(err, "%s: folder exists and holds something other than a model (%s); not overwriting it", dir,
                    foreign[0] ? foreign : "no model.json");
            goto done;
        }
    }
    if (!base_make_parents(dir, err)) goto done;
    base_remove_stale_temps(dir);
    base_signals_hold(); /* made and registered together */
    made = mkdtemp(tmp) != NULL;
    if (made) handles[n_handles++] = base_temp_register(tmp, true);
    base_signals_release();
    if (!made) {
        err_set(err, "%s: cannot create a temporary folder beside it: %s", dir, strerror(errno));
        goto done;
    }
    text = model_json_text(m);
    if (!write_in(tmp, "model.json", text, strlen(text), &handles[n_handles++], err)) goto done;
    if (!write_in(tmp, "weights.bin", m->params, m->n_params * sizeof *m->params, &handles[n_handles++], err)) goto done;
    for (int i = 0; i < n_extra; i++)
        if (!write_in(tmp, extra[i].name, extra[i].content, extra[i].len ? extra[i].len : strlen(extra[i].content),
                      &handles[n_handles++], err))
            goto done;
    if (!base_fsync_path(tmp, true, err)) goto done;
    /* in place, and the old model (now at tmp) removed, before a signal acts */
    base_signals_hold();
    if (base_dir_replace(tmp, dir, err)) {
        if (exists) base_remove_flat_dir(tmp);
        for (int i = 0; i < n_handles; i++) base_temp_forget(handles[i]);
        n_handles = 0;
        made = false;
        ok = true;
    }
    base_signals_release();
done:
    if (made) base_remove_flat_dir(tmp);
    for (int i = 0; i < n_handles; i++) base_temp_forget(handles[i]);
    free(handles);
    cJSON_free(text);
    free(tmp);
    free(dir);
    return ok;
}
