/* keras_io: Keras' .keras (Keras 3 zip) and legacy .h5 (Keras 2) model
 * files in, .keras out. See keras_io.h for what each file holds.
 *
 * Layouts followed (read from Keras' own saving code):
 *   .keras: Keras 3.10 keras/src/saving/saving_lib.py: the zip holds
 *     metadata.json, config.json (serialize_keras_object(model)) and
 *     model.weights.h5 (H5IOStore); every saveable object's variables are
 *     datasets "0", "1", ... in a group <inner_path>/vars, where the path of
 *     a model's layer is layers/<snake_case(class name)> with "_1", "_2", ...
 *     for the second, third layer of a class (_save_container_state), and a
 *     layer's attributes nest below it: an RNN's cell at .../cell,
 *     Bidirectional's copies at .../forward_layer and .../backward_layer.
 *     Keras 2.13-2.15 wrote "_layer_checkpoint_dependencies" for "layers";
 *     both are read. A TextVectorization's vocabulary is
 *     assets/<inner_path>/vocabulary.txt (IndexLookup.save_assets).
 *   .h5: tf.keras 2.x keras/saving/legacy/hdf5_format.py: root attribute
 *     model_config (JSON), group model_weights with attribute layer_names,
 *     each layer's group with attribute weight_names ("lstm/lstm_cell/
 *     kernel:0", ...), each weight a dataset at model_weights/<layer>/<name>.
 *
 * Never extracts the zip to disk: entries are read into memory after their
 * declared size is checked, and model.weights.h5 is opened from memory with
 * HDF5's core driver. HDF5's own error printing is switched off; every
 * failure becomes one Err line. */
#define _POSIX_C_SOURCE 200809L
#include "keras_io.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "model_io_internal.h"
#include "tokenizer_io.h"

/* ---- names ----------------------------------------------------------------- */

/* keras_is_path and keras_is_keras_path: keras_path.c (in every build) */

/* Keras' naming.to_snake_case for the class names unroll knows:
 * "SimpleRNN" -> "simple_rnn", "InputLayer" -> "input_layer",
 * "GlobalAveragePooling1D" -> "global_average_pooling1d". */
static void snake_case(char *dst, size_t cap, const char *cls)
{
    size_t k = 0;
    for (size_t i = 0; cls[i] && k + 2 < cap; i++) {
        unsigned char c = (unsigned char)cls[i];
        bool upper = isupper(c);
        /* ([a-z])([A-Z]) and (.)([A-Z][a-z]+): a digit before a capital
         * splits nothing ("Conv1D" -> "conv1d") */
        bool prev_lower = i > 0 && islower((unsigned char)cls[i - 1]);
        bool next_lower = upper && i > 0 && cls[i + 1] && islower((unsigned char)cls[i + 1]);
        if (upper && (prev_lower || next_lower) && k > 0) dst[k++] = '_';
        dst[k++] = (char)tolower(c);
    }
    dst[k] = '\0';
}

/* ---- HDF5 ------------------------------------------------------------------ */

static void h5_quiet(void)
{
    static bool done = false;
    if (!done) H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    done = true;
}

/* true when loc holds a link at path (each component checked in turn) */
static bool h5_exists(hid_t loc, const char *path)
{
    char buf[1024];
    if (strlen(path) >= sizeof buf) return false;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (buf[0] && H5Lexists(loc, buf, H5P_DEFAULT) <= 0) return false;
            if (!c) return true;
            *p = c;
        }
    }
}

static void shape_text(char *dst, size_t cap, const hsize_t *dims, int nd)
{
    size_t k = (size_t)snprintf(dst, cap, "[");
    for (int i = 0; i < nd && k < cap; i++)
        k += (size_t)snprintf(dst + k, cap - k, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
    if (k < cap) snprintf(dst + k, cap - k, "]");
}

/* Checks the float dataset at dpath against p (type, rank, shape) and, when
 * dst is given, reads it there converted to float32. what names it in
 * messages. */
static bool h5_read_weight(hid_t loc, const char *dpath, const Model *m, const ParamInfo *p, float *dst,
                           const char *what, Err *err)
{
    if (!h5_exists(loc, dpath)) return err_set(err, "weight '%s' is missing (no dataset %s)", what, dpath);
    hid_t ds = H5Dopen2(loc, dpath, H5P_DEFAULT);
    if (ds < 0) return err_set(err, "weight '%s': %s is not a dataset", what, dpath);
    hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
    bool ok = false;
    hsize_t dims[MODEL_IO_MAX_RANK] = {0};
    int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (type < 0 || H5Tget_class(type) != H5T_FLOAT) {
        err_set(err, "weight '%s' (%s) does not hold floating-point numbers", what, dpath);
        goto done;
    }
    if (nd < 0 || nd > MODEL_IO_MAX_RANK) {
        err_set(err, "weight '%s' (%s) has an invalid shape", what, dpath);
        goto done;
    }
    H5Sget_simple_extent_dims(space, dims, NULL);
    bool eq = nd == p->ndim;
    for (int i = 0; i < nd && i < p->ndim; i++) eq &= dims[i] == (hsize_t)p->shape[i];
    if (!eq) {
        char got[128], need[64];
        hsize_t want[3] = {(hsize_t)p->shape[0], (hsize_t)p->shape[1], (hsize_t)p->shape[2]};
        shape_text(got, sizeof got, dims, nd);
        shape_text(need, sizeof need, want, p->ndim);
        err_set(err, "weight '%s' has shape %s but layer '%s' needs %s", what, got, m->layers[p->layer].name, need);
        goto done;
    }
    if (dst) {
        if (H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst) < 0) {
            err_set(err, "weight '%s' (%s) cannot be read (damaged, or stored with a filter libhdf5 lacks)", what, dpath);
            goto done;
        }
        for (size_t k = 0; k < p->size; k++)
            if (!isfinite(dst[k])) {
                err_set(err, "weight '%s' holds %s at index %zu", what, isnan(dst[k]) ? "NaN" : "Inf", k);
                goto done;
            }
    }
    ok = true;
done:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Dclose(ds);
    return ok;
}

/* The strings of attribute name on obj: one (a scalar string) or a list.
 * Fixed-length and variable-length strings both; an empty list of any type
 * is no strings. *n = -1 when the attribute is absent. Caller frees each and
 * the array. */
static char **h5_attr_strings(hid_t obj, const char *name, size_t max_bytes, int *n, Err *err)
{
    *n = -1;
    if (H5Aexists(obj, name) <= 0) return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t type = a >= 0 ? H5Aget_type(a) : -1, space = a >= 0 ? H5Aget_space(a) : -1, mem = -1;
    char **out = NULL, *block = NULL, **vl = NULL;
    bool ok = false;
    hssize_t count = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (a < 0 || type < 0 || count < 0) {
        err_set(err, "attribute '%s' cannot be read", name);
        goto done;
    }
    if (count == 0) { /* Keras writes an empty list as an empty float array */
        *n = 0;
        out = xcalloc(1, sizeof *out);
        ok = true;
        goto done;
    }
    if (H5Tget_class(type) != H5T_STRING) {
        err_set(err, "attribute '%s' does not hold text", name);
        goto done;
    }
    if (count > MODEL_IO_MAX_WEIGHTS) {
        err_set(err, "attribute '%s' lists more than %d names", name, MODEL_IO_MAX_WEIGHTS);
        goto done;
    }
    out = xcalloc((size_t)count, sizeof *out);
    mem = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(type) > 0) {
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(type));
        vl = xcalloc((size_t)count, sizeof *vl);
        if (H5Aread(a, mem, vl) < 0) {
            err_set(err, "attribute '%s' cannot be read", name);
            goto done;
        }
        size_t total = 0;
        for (hssize_t i = 0; i < count; i++) {
            size_t len = vl[i] ? strlen(vl[i]) : 0;
            total += len;
            if (total > max_bytes) {
                err_set(err, "attribute '%s' is longer than %zu bytes", name, max_bytes);
                goto done;
            }
            out[i] = xstrdup(vl[i] ? vl[i] : "");
        }
    } else {
        size_t size = H5Tget_size(type);
        if (size == 0 || size > max_bytes || (size_t)count > max_bytes / size) {
            err_set(err, "attribute '%s' is longer than %zu bytes", name, max_bytes);
            goto done;
        }
        H5Tclose(mem);
        mem = H5Tcopy(type); /* the file's own padding: no conversion, no byte lost */
        block = xmalloc(size * (size_t)count);
        if (H5Aread(a, mem, block) < 0) {
            err_set(err, "attribute '%s' cannot be read", name);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++) {
            const char *s = block + (size_t)i * size;
            size_t len = strnlen(s, size);
            out[i] = xmalloc(len + 1);
            memcpy(out[i], s, len);
            out[i][len] = '\0';
        }
    }
    *n = (int)count;
    ok = true;
done:
    if (vl) {
        for (hssize_t i = 0; i < count; i++)
            if (vl[i]) H5free_memory(vl[i]);
        free(vl);
    }
    free(block);
    if (!ok && out) {
        for (hssize_t i = 0; i < count; i++) free(out[i]);
        free(out);
        out = NULL;
        *n = -1;
    }
    if (mem >= 0) H5Tclose(mem);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (a >= 0) H5Aclose(a);
    return out;
}

static void strings_free(char **s, int n)
{
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* An HDF5 file held in memory (a copy is made), read-only. */
static hid_t h5_open_image(const void *buf, size_t len)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 16, 0);
    H5Pset_file_image(fapl, (void *)buf, len);
    hid_t f = H5Fopen("model.weights.h5", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

static bool has_h5_signature(const unsigned char *b, size_t len)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /* the superblock sits at 0 or after a user block of 512, 1024, 2048 ... */
    for (size_t at = 0; at + 8 <= len; at = at ? at * 2 : 512)
        if (memcmp(b + at, sig, 8) == 0) return true;
    return false;
}

/* ---- config ---------------------------------------------------------------- */

static cJSON *parse_json(const char *text, size_t len, const char *what, Err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        err_set(err, "%s is not valid JSON (error at byte %ld; nested deeper than %d levels is refused too)", what,
                end ? (long)(end - text) : 0L, JSON_MAX_DEPTH);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        err_set(err, "%s is not a JSON object", what);
        return NULL;
    }
    return root;
}

/* the config's layer list (Sequential: a list or {"layers": [...]}) */
static const cJSON *config_layers(const cJSON *topo)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(topo, "config");
    if (cJSON_IsArray(cfg)) return cfg;
    return cJSON_GetObjectItemCaseSensitive(cfg, "layers");
}

static const char *entry_name(const cJSON *entry)
{
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(entry, "config"), "name");
    if (!cJSON_IsString(nm)) nm = cJSON_GetObjectItemCaseSensitive(entry, "name");
    return cJSON_IsString(nm) ? nm->valuestring : NULL;
}

static const char *entry_class(const cJSON *entry)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(entry, "class_name");
    return cJSON_IsString(c) ? c->valuestring : "";
}

/* Keras 3 spells a TextVectorization as a layer of the model; unroll takes
 * it as the tokenizer, so it is taken out of a Sequential config (with the
 * string InputLayer before it, whose length becomes the TextVectorization's
 * output_sequence_length). Returns the layer's name (borrowed from a node
 * detached into *tv, which the caller deletes) or NULL. */
static const char *take_text_vectorization(cJSON *topo, cJSON **tv, Err *err)
{
    *tv = NULL;
    cJSON *layers = (cJSON *)config_layers(topo);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(topo, "class_name");
    if (!cJSON_IsArray(layers)) return NULL;
    int i = 0;
    cJSON *e = NULL;
    cJSON_ArrayForEach(e, layers) {
        if (strcmp(entry_class(e), "TextVectorization") == 0) break;
        i++;
    }
    if (!e) return NULL;
    if (!cJSON_IsString(cls) || strcmp(cls->valuestring, "Sequential") != 0 || i > 1) {
        err_set(err, "a TextVectorization layer is read only as the first layer of a Sequential model");
        return NULL;
    }
    const cJSON *tcfg = cJSON_GetObjectItemCaseSensitive(e, "config");
    const cJSON *osl = cJSON_GetObjectItemCaseSensitive(tcfg, "output_sequence_length");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(tcfg, "output_mode");
    if (cJSON_IsString(mode) && strcmp(mode->valuestring, "int") != 0) {
        err_set(err, "TextVectorization output_mode '%s' is not supported (only 'int': token ids)", mode->valuestring);
        return NULL;
    }
    if (i == 1) cJSON_DeleteItemFromArray(layers, 0); /* the string InputLayer */
    *tv = cJSON_DetachItemFromArray(layers, 0);
    /* the next layer now starts the model: give it the token input shape */
    cJSON *first = cJSON_GetArrayItem(layers, 0);
    cJSON *fcfg = cJSON_GetObjectItemCaseSensitive(first, "config");
    if (cJSON_IsObject(fcfg)) {
        cJSON *shape = cJSON_CreateArray();
        cJSON_AddItemToArray(shape, cJSON_CreateNull());
        cJSON_AddItemToArray(shape, cJSON_IsNumber(osl) && osl->valuedouble >= 1 && osl->valuedouble <= ENGINE_MAX_SEQ
                                        ? cJSON_CreateNumber(floor(osl->valuedouble))
                                        : cJSON_CreateNull());
        cJSON_DeleteItemFromObject(fcfg, "batch_shape");
        cJSON_DeleteItemFromObject(fcfg, "batch_input_shape");
        cJSON_AddItemToObject(fcfg, "batch_shape", shape);
    }
    return entry_name(*tv);
}

/* ---- zip ------------------------------------------------------------------- */

static bool zip_fail(Err *err, const char *path, int code)
{
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    err_set(err, "%s: not a readable .keras file (zip: %s)", path, zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return false;
}

/* Every entry's name is a plain relative path (no leading '/', no '..'
 * component, no backslash): Keras never writes others, and an extracting
 * tool would write them outside its folder. */
static bool zip_check_names(zip_t *z, const char *path, Err *err)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 0 || n > KERAS_IO_MAX_ENTRIES)
        return err_set(err, "%s: the zip holds %lld entries (at most %d are read)", path, (long long)n, KERAS_IO_MAX_ENTRIES);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (!name) return err_set(err, "%s: zip entry %lld has no name", path, (long long)i);
        bool bad = name[0] == '/' || strchr(name, '\\') != NULL || strchr(name, ':') != NULL;
        for (const char *p = name; *p && !bad;) {
            const char *e = strchr(p, '/');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            bad = len == 2 && p[0] == '.' && p[1] == '.';
            p += len + (e ? 1 : 0);
        }
        if (bad) {
            char shown[64];
            size_t k = 0;
            for (const char *p = name; *p && k + 1 < sizeof shown; p++)
                shown[k++] = (*p >= 32 && *p < 127) ? *p : '?';
            shown[k] = '\0';
            return err_set(err, "%s: zip entry '%s' is not a plain relative path (absolute or '..'); refused", path, shown);
        }
    }
    return true;
}

/* The bytes of entry name (NUL-terminated), after checking its declared size
 * against max. NULL with *found false when there is no such entry (err
 * untouched), NULL with err set on any other failure. */
static char *zip_read(zip_t *z, const char *path, const char *name, size_t max, size_t *len, bool *found, Err *err)
{
    *found = false;
    *len = 0;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(z, name, 0, &st) != 0) return NULL;
    *found = true;
    if (!(st.valid & ZIP_STAT_SIZE)) {
        err_set(err, "%s: entry %s does not declare its size", path, name);
        return NULL;
    }
    if (st.size > max) {
        err_set(err, "%s: entry %s declares %llu bytes, more than the %zu read (a zip bomb?)", path, name,
                (unsigned long long)st.size, max);
        return NULL;
    }
    if (!base_memory_check((size_t)st.size * 2, "reading the .keras file", err)) {
        err_prefix(err, "%s", path);
        return NULL;
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f) {
        err_set(err, "%s: entry %s cannot be opened (%s)", path, name, zip_strerror(z));
        return NULL;
    }
    char *buf = xmalloc((size_t)st.size + 1);
    size_t at = 0;
    bool ok = true;
    while (at < st.size) {
        zip_int64_t got = zip_fread(f, buf + at, st.size - at);
        if (got <= 0) {
            ok = false;
            break;
        }
        at += (size_t)got;
    }
    if (ok) { /* one more read: the CRC is checked at the end, and no byte may follow */
        char extra;
        ok = zip_fread(f, &extra, 1) == 0;
    }
    if (!ok) err_set(err, "%s: entry %s is damaged or truncated (%s)", path, name, zip_file_strerror(f));
    zip_fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    buf[at] = '\0';
    *len = at;
    return buf;
}

/* ---- Keras 3 weights --------------------------------------------------------- */

/* Reads (or with dst NULL, checks) the variables of model layer li stored in
 * group base/vars: datasets "0", "1", ... in creation order. */
static bool read_vars(hid_t f, const char *base, Model *m, int li, int dir, bool load, Err *err)
{
    char grp[1200];
    snprintf(grp, sizeof grp, "%s/vars", base);
    static const char *const order[] = {"embeddings", "kernel", "recurrent_kernel", "bias"};
    int k = 0;
    for (size_t v = 0; v < sizeof order / sizeof *order; v++) {
        ParamInfo *p = model_find_param(m, li, dir, order[v]);
        if (!p) continue;
        char ds[1300];
        snprintf(ds, sizeof ds, "%s/%d", grp, k);
        if (!h5_read_weight(f, ds, m, p, load ? m->params + p->offset : NULL, p->name, err)) return false;
        k++;
    }
    /* Keras refuses a layer whose store holds another number of variables */
    if (h5_exists(f, grp)) {
        H5G_info_t info;
        hid_t g = H5Gopen2(f, grp, H5P_DEFAULT);
        bool got = g >= 0 && H5Gget_info(g, &info) >= 0;
        if (g >= 0) H5Gclose(g);
        if (got && info.nlinks != (hsize_t)k)
            return err_set(err, "layer '%s': %s holds %llu weights, %d expected", m->layers[li].name, grp,
                           (unsigned long long)info.nlinks, k);
    }
    return true;
}

/* The path of each model layer in the weights file, from the config's layer
 * list (Sequential: without its InputLayer; Functional: all, InputLayer
 * included) in list order, as _save_container_state names them. */
static bool keras3_read_weights(hid_t f, Model *m, const cJSON *topo, bool load, Err *err)
{
    const cJSON *layers = config_layers(topo);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(topo, "class_name");
    bool seq = cJSON_IsString(cls) && strcmp(cls->valuestring, "Sequential") == 0;
    const char *root = h5_exists(f, "layers") ? "layers"
                       : h5_exists(f, "_layer_checkpoint_dependencies") ? "_layer_checkpoint_dependencies"
                                                                        : "layers";
    int n = cJSON_GetArraySize(layers);
    char (*snakes)[64] = xcalloc((size_t)(n ? n : 1), sizeof *snakes);
    int n_snakes = 0;
    bool ok = false;
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, layers) {
        const char *c = entry_class(e);
        if (seq && strcmp(c, "InputLayer") == 0) continue;
        char snake[48];
        snake_case(snake, sizeof snake, c);
        int used = 0;
        for (int j = 0; j < n_snakes; j++) {
            char *us = strrchr(snakes[j], '#');
            if (us && strcmp(us + 1, snake) == 0) used++;
        }
        snprintf(snakes[n_snakes++], sizeof *snakes, "#%s", snake);
        const char *name = entry_name(e);
        int li = -1;
        for (int i = 0; name && i < m->n_layers; i++)
            if (strcmp(m->layers[i].name, name) == 0) li = i;
        if (li < 0) continue; /* InputLayer, or a layer with no weights here */
        const Layer *l = &m->layers[li];
        char base[600];
        if (used) snprintf(base, sizeof base, "%s/%s_%d", root, snake, used);
        else snprintf(base, sizeof base, "%s/%s", root, snake);
        if (l->kind == LAYER_RNN) {
            for (int d = 0; d < l->n_dir; d++) {
                char cb[700];
                snprintf(cb, sizeof cb, "%s%s/cell", base, !l->bidirectional ? "" : d == 0 ? "/forward_layer" : "/backward_layer");
                if (!read_vars(f, cb, m, li, d, load, err)) goto done;
            }
        } else if (!read_vars(f, base, m, li, 0, load, err)) {
            goto done;
        }
    }
    ok = true;
done:
    free(snakes);
    return ok;
}

/* ---- legacy .h5 weights ------------------------------------------------------ */

static bool legacy_read_weights(hid_t f, Model *m, unsigned char *filled, bool load, Err *err)
{
    const char *root = h5_exists(f, "model_weights") ? "model_weights" : NULL;
    if (!root) return err_set(err, "no model_weights group (the model was saved without its weights?)");
    hid_t g = H5Gopen2(f, root, H5P_DEFAULT);
    if (g < 0) return err_set(err, "model_weights is not a group");
    int nl = 0;
    char **lnames = h5_attr_strings(g, "layer_names", MODEL_IO_MAX_JSON, &nl, err);
    bool ok = false;
    if (nl < 0) {
        if (!lnames && !err->msg[0]) err_set(err, "model_weights has no layer_names attribute");
        goto done;
    }
    for (int i = 0; i < nl; i++) {
        if (!h5_exists(g, lnames[i]) || strchr(lnames[i], '/')) {
            err_set(err, "layer_names lists '%s' but model_weights has no such group", lnames[i]);
            goto done;
        }
        hid_t lg = H5Gopen2(g, lnames[i], H5P_DEFAULT);
        int nw = 0;
        char **wnames = lg >= 0 ? h5_attr_strings(lg, "weight_names", MODEL_IO_MAX_JSON, &nw, err) : NULL;
        if (lg >= 0) H5Gclose(lg);
        if (nw < 0) {
            if (!err->msg[0]) err_set(err, "layer group '%s' has no weight_names attribute", lnames[i]);
            goto done;
        }
        for (int w = 0; w < nw; w++) {
            /* tf.keras names a weight "<layer>/...": Keras 3's legacy writer
             * uses the variable's path, which may start with the model's
             * name ("sequential/lstm/lstm_cell/kernel"): read it from the
             * layer's own name on */
            char scoped[1200];
            const char *use = wnames[w];
            size_t ll = strlen(lnames[i]);
            if (strncmp(use, lnames[i], ll) != 0 || use[ll] != '/') {
                snprintf(scoped, sizeof scoped, "/%s/", lnames[i]);
                const char *hit = strstr(use, scoped);
                if (hit) use = hit + 1;
                else snprintf(scoped, sizeof scoped, "%s/%s", lnames[i], wnames[w]), use = scoped;
            }
            ParamInfo *p = model_param_by_weight_name(m, use, err);
            char ds[1200];
            snprintf(ds, sizeof ds, "%s/%s", lnames[i], wnames[w]);
            bool wok = p != NULL;
            if (wok && filled[p - m->pinfo]) wok = err_set(err, "weight '%s' is given twice", wnames[w]);
            if (wok) wok = h5_read_weight(g, ds, m, p, load ? m->params + p->offset : NULL, wnames[w], err);
            if (wok) filled[p - m->pinfo] = 1;
            if (!wok) {
                strings_free(wnames, nw);
                goto done;
            }
        }
        strings_free(wnames, nw);
    }
    ok = true;
done:
    if (lnames) strings_free(lnames, nl);
    H5Gclose(g);
    return ok;
}

/* The first layer computing hard_sigmoid, or NULL. Keras 3 redefined it as
 * clip(x/6 + 1/2, 0, 1); unroll computes Keras 2's (and tfjs')
 * clip(0.2x + 1/2, 0, 1), so a Keras 3 file naming it is another model. */
static const char *hard_sigmoid_layer(const Model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if ((l->kind == LAYER_DENSE || l->kind == LAYER_CONV1D) && l->activation == ACT_HARD_SIGMOID) return l->name;
        for (int d = 0; l->kind == LAYER_RNN && d < l->n_dir; d++)
            if (l->cell[d].activation == ACT_HARD_SIGMOID ||
                (l->cell[d].kind != CELL_SIMPLE_RNN && l->cell[d].recurrent_activation == ACT_HARD_SIGMOID))
                return l->name;
    }
    return NULL;
}

/* major version from "3.10.0"; 0 when unknown */
static int version_major(const char *v)
{
    return v && v[0] >= '1' && v[0] <= '9' ? atoi(v) : 0;
}

/* ---- loading ----------------------------------------------------------------- */

typedef struct {
    char *config;   /* config.json or the model_config attribute */
    size_t config_len;
    char *h5;       /* model.weights.h5 (.keras only) */
    size_t h5_len;
    char *vocab;    /* a TextVectorization's vocabulary.txt, if any */
    size_t vocab_len;
    int major;      /* Keras version that wrote it (metadata / keras_version), 0 unknown */
} KerasParts;

static void parts_free(KerasParts *k)
{
    free(k->config);
    free(k->h5);
    free(k->vocab);
    *k = (KerasParts){0};
}

/* config.json and model.weights.h5 (and the vocabulary of the named
 * TextVectorization when tv_name is given) from a .keras zip */
static bool keras_unzip(const char *path, KerasParts *k, const char *tv_name, Err *err)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!z) return zip_fail(err, path, code);
    bool ok = false, found = false;
    if (!zip_check_names(z, path, err)) goto done;
    if (tv_name) {
        /* TextVectorization.save_assets hands its folder to its lookup
         * layer; the walk then visits that layer again as _lookup_layer */
        for (int at = 0; at < 2 && !k->vocab; at++) {
            char vp[300];
            snprintf(vp, sizeof vp, "assets/layers/%s/%svocabulary.txt", tv_name, at ? "_lookup_layer/" : "");
            k->vocab = zip_read(z, path, vp, KERAS_IO_MAX_VOCAB_BYTES, &k->vocab_len, &found, err);
            if (!k->vocab && found) goto done;
        }
        ok = true;
        goto done;
    }
    k->config = zip_read(z, path, "config.json", MODEL_IO_MAX_JSON, &k->config_len, &found, err);
    if (!k->config) {
        if (!found) err_set(err, "%s: no config.json in the .keras file", path);
        goto done;
    }
    size_t mlen = 0;
    char *meta = zip_read(z, path, "metadata.json", KERAS_IO_MAX_SMALL, &mlen, &found, err);
    if (!meta && found) goto done;
    cJSON *mj = meta ? cJSON_ParseWithLength(meta, mlen) : NULL;
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(mj, "keras_version");
    k->major = cJSON_IsString(kv) ? version_major(kv->valuestring) : 0;
    cJSON_Delete(mj);
    free(meta);
    k->h5 = zip_read(z, path, "model.weights.h5", KERAS_IO_MAX_H5, &k->h5_len, &found, err);
    if (!k->h5) {
        if (!found) {
            zip_stat_t st;
            if (zip_stat(z, "model.weights.npz", 0, &st) == 0)
                err_set(err, "%s: weights saved as model.weights.npz are not supported (save with Keras' default h5)", path);
            else
                err_set(err, "%s: no model.weights.h5 in the .keras file", path);
        }
        goto done;
    }
    ok = true;
done:
    zip_discard(z);
    return ok;
}

bool keras_load(Model *m, const char *path, Err *err_out)
{
    /* a clean Err of our own: the steps below tell "absent" from "broken"
     * by whether a message was set */
    Err e = {{0}}, *err = &e;
    model_init(m);
    h5_quiet();
    struct stat st;
    if (stat(path, &st) != 0) return err_set(err_out, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return err_set(err_out, "%s: not a file", path);
    bool is_keras = keras_is_keras_path(path);
    KerasParts k = {0};
    cJSON *root = NULL, *tv = NULL;
    hid_t f = -1;
    unsigned char *filled = NULL;
    bool ok = false;
    if (is_keras) {
        if (!keras_unzip(path, &k, NULL, err)) goto done;
        if (!has_h5_signature((unsigned char *)k.h5, k.h5_len)) {
            err_set(err, "%s: model.weights.h5 is not an HDF5 file", path);
            goto done;
        }
        f = h5_open_image(k.h5, k.h5_len);
        if (f < 0) {
            err_set(err, "%s: model.weights.h5 cannot be opened as HDF5 (damaged?)", path);
            goto done;
        }
    } else {
        if ((size_t)st.st_size > KERAS_IO_MAX_H5) {
            err_set(err, "%s: %lld bytes, more than the %zu read", path, (long long)st.st_size, KERAS_IO_MAX_H5);
            goto done;
        }
        FILE *fp = fopen(path, "rb");
        unsigned char head[8] = {0};
        size_t got = fp ? fread(head, 1, sizeof head, fp) : 0;
        if (fp) fclose(fp);
        if (!fp) {
            err_set(err, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (got < 8 || (H5Fis_hdf5(path) <= 0)) {
            err_set(err, "%s: not an HDF5 file (a Keras .h5 model is HDF5)", path);
            goto done;
        }
        f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0) {
            err_set(err, "%s: cannot be opened as HDF5 (damaged?)", path);
            goto done;
        }
        int n = 0;
        char **cfg = h5_attr_strings(f, "model_config", MODEL_IO_MAX_JSON, &n, err);
        if (n != 1) {
            if (cfg) strings_free(cfg, n);
            if (!err->msg[0] || n >= 0)
                err_set(err, "no model_config attribute (a weights-only file? save the whole model with model.save)");
            err_prefix(err, "%s", path);
            goto done;
        }
        k.config = cfg[0];
        k.config_len = strlen(cfg[0]);
        free(cfg);
        char **ver = h5_attr_strings(f, "keras_version", KERAS_IO_MAX_SMALL, &n, err);
        k.major = n == 1 ? version_major(ver[0]) : 0;
        if (ver) strings_free(ver, n);
        err->msg[0] = '\0';
    }
    root = parse_json(k.config, k.config_len, is_keras ? "config.json" : "the model_config attribute", err);
    if (!root) {
        err_prefix(err, "%s", path);
        goto done;
    }
    const char *tv_name = take_text_vectorization(root, &tv, err);
    if (!tv_name && err->msg[0]) {
        err_prefix(err, "%s", path);
        goto done;
    }
    if (!model_config_read(m, root, NULL, err)) {
        err_prefix(err, "%s", path);
        goto done;
    }
    /* a .keras without metadata is taken as Keras 3's, the format's author */
    const char *hs = (k.major >= 3 || (is_keras && k.major == 0)) ? hard_sigmoid_layer(m) : NULL;
    if (hs) {
        err_set(err, "%s: layer '%s' uses hard_sigmoid, which Keras 3 defines as x/6 + 1/2 (clipped); unroll computes "
                     "Keras 2's 0.2x + 1/2, so this model is not supported",
                path, hs);
        goto done;
    }
    if (!base_memory_check(base_size_mul(m->n_params, sizeof(float) * 2), "loading the model's weights", err)) {
        err_prefix(err, "%s", path);
        goto done;
    }
    filled = xcalloc((size_t)(m->n_params_info ? m->n_params_info : 1), 1);
    /* check everything first, then allocate and read */
    for (int pass = 0; pass < 2; pass++) {
        bool load = pass == 1;
        if (load) model_alloc_params(m);
        memset(filled, 0, (size_t)(m->n_params_info ? m->n_params_info : 1));
        bool wok = is_keras ? keras3_read_weights(f, m, root, load, err) : legacy_read_weights(f, m, filled, load, err);
        if (!wok) {
            err_prefix(err, "%s", path);
            goto done;
        }
        for (int i = 0; !is_keras && i < m->n_params_info; i++)
            if (!filled[i]) {
                err_set(err, "%s: weight '%s' is missing from model_weights", path, m->pinfo[i].name);
                goto done;
            }
    }
    ok = true;
done:
    if (!ok) {
        model_free(m);
        if (e.msg[0]) err_set(err_out, "%s", e.msg);
        else err_set(err_out, "%s: cannot be read", path);
    }
    if (f >= 0) H5Fclose(f);
    cJSON_Delete(root);
    cJSON_Delete(tv);
    parts_free(&k);
    free(filled);
    return ok;
}

/* ---- TextVectorization -> tokenizer.json --------------------------------------- */

char *keras_vocabulary_tokenizer(const char *path, Err *err)
{
    if (!keras_is_keras_path(path)) return NULL;
    KerasParts k = {0}, v = {0};
    cJSON *root = NULL, *tv = NULL, *doc = NULL;
    char *out = NULL, *text = NULL;
    Err quiet = {{0}};
    if (!keras_unzip(path, &k, NULL, &quiet)) goto done; /* keras_load reports it */
    root = parse_json(k.config, k.config_len, "config.json", &quiet);
    if (!root) goto done;
    const char *tv_name = take_text_vectorization(root, &tv, &quiet);
    if (!tv_name) goto done;
    /* the vocabulary: assets/.../vocabulary.txt (IndexLookup.save_assets:
     * get_vocabulary() joined by newlines, '' and [UNK] first), else the
     * list the layer was constructed with, in its config */
    char snake[48];
    snake_case(snake, sizeof snake, "TextVectorization");
    if (!keras_unzip(path, &v, snake, err)) goto done;
    cJSON *cfg = cJSON_GetObjectItemCaseSensitive(tv, "config");
    if (!cJSON_IsObject(cfg)) {
        err_set(err, "%s: the TextVectorization layer has no config", path);
        goto done;
    }
    if (v.vocab) {
        cJSON *list = cJSON_CreateArray();
        char *end = v.vocab + v.vocab_len;
        if (v.vocab_len && end[-1] == '\n') end--; /* a final newline ends the last line */
        for (char *p = v.vocab; p <= end;) {
            char *e = memchr(p, '\n', (size_t)(end - p));
            if (!e) e = end;
            *e = '\0';
            cJSON_AddItemToArray(list, cJSON_CreateString(p));
            p = e + 1;
        }
        cJSON_DeleteItemFromObject(cfg, "vocabulary");
        cJSON_AddItemToObject(cfg, "vocabulary", list);
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "vocabulary");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        err_set(err, "%s: the TextVectorization layer has no vocabulary", path);
        goto done;
    }
    /* the layer's own config (standardize, split, max_tokens,
     * output_sequence_length) makes the tokenizer: text is split, lowered,
     * stripped and padded as Keras does it */
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "class_name", "TextVectorization");
    cJSON_AddItemToObject(doc, "config", cJSON_DetachItemFromObject(tv, "config"));
    text = cJSON_PrintUnformatted(doc);
    Tokenizer tok;
    if (!tokenizer_parse(&tok, text, strlen(text), path, err)) goto done;
    out = tokenizer_to_json(&tok);
    tokenizer_free(&tok);
done:
    cJSON_free(text);
    cJSON_Delete(doc);
    cJSON_Delete(root);
    cJSON_Delete(tv);
    parts_free(&k);
    parts_free(&v);
    return out;
}

/* ---- writing ------------------------------------------------------------------- */

static cJSON *dtype_policy(void)
{
    cJSON *d = cJSON_CreateObject(), *c = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "module", "keras");
    cJSON_AddStringToObject(d, "class_name", "DTypePolicy");
    cJSON_AddStringToObject(c, "name", "float32");
    cJSON_AddItemToObject(d, "config", c);
    cJSON_AddNullToObject(d, "registered_name");
    return d;
}

/* {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": null} */
static cJSON *wrap_layer(const char *cls, cJSON *cfg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "module", "keras.layers");
    cJSON_AddStringToObject(o, "class_name", cls);
    cJSON_AddItemToObject(o, "config", cfg);
    cJSON_AddNullToObject(o, "registered_name");
    return o;
}

static cJSON *base_config(const char *name, bool trainable)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "name", name);
    cJSON_AddBoolToObject(cfg, "trainable", trainable);
    cJSON_AddItemToObject(cfg, "dtype", dtype_policy());
    return cfg;
}

/* a recurrent layer's config as Keras 3's LSTM/GRU/SimpleRNN.get_config names it */
static cJSON *rnn_config(const Layer *l, const Cell *c, const char *name)
{
    cJSON *cfg = base_config(name, l->trainable);
    cJSON_AddBoolToObject(cfg, "return_sequences", l->return_sequences);
    cJSON_AddBoolToObject(cfg, "return_state", l->return_state);
    cJSON_AddBoolToObject(cfg, "go_backwards", c->go_backwards);
    cJSON_AddBoolToObject(cfg, "stateful", false);
    cJSON_AddBoolToObject(cfg, "unroll", false);
    cJSON_AddBoolToObject(cfg, "zero_output_for_mask", l->bidirectional && l->return_sequences);
    model_cell_options_json(cfg, l, c);
    cJSON_AddNumberToObject(cfg, "dropout", l->dropout);
    cJSON_AddNumberToObject(cfg, "recurrent_dropout", l->recurrent_dropout);
    cJSON_AddNullToObject(cfg, "seed");
    if (c->kind == CELL_GRU) cJSON_AddBoolToObject(cfg, "reset_after", c->reset_after);
    return cfg;
}

/* {"module": "keras.initializers", "class_name": cls, "config": {...}} as
 * initializers.serialize writes one; with_seed adds "seed": null */
static cJSON *initializer_json(const char *cls, bool with_seed)
{
    cJSON *o = cJSON_CreateObject(), *c = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "module", "keras.initializers");
    cJSON_AddStringToObject(o, "class_name", cls);
    if (with_seed) cJSON_AddNullToObject(c, "seed");
    cJSON_AddItemToObject(o, "config", c);
    cJSON_AddNullToObject(o, "registered_name");
    return o;
}

/* a one-number tuple as Keras 3 writes kernel_size, strides, dilation_rate */
static void add_tuple1(cJSON *cfg, const char *key, int v)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateNumber(v));
    cJSON_AddItemToObject(cfg, key, a);
}

/* Conv1D's options in BaseConv.get_config's order (Keras 3.10) */
static void conv1d_config(cJSON *cfg, const Layer *l)
{
    cJSON_AddNumberToObject(cfg, "filters", l->out_dim);
    add_tuple1(cfg, "kernel_size", l->kernel_size);
    add_tuple1(cfg, "strides", l->strides);
    cJSON_AddStringToObject(cfg, "padding", conv_padding_name(l->padding));
    cJSON_AddStringToObject(cfg, "data_format", "channels_last");
    add_tuple1(cfg, "dilation_rate", l->dilation);
    cJSON_AddNumberToObject(cfg, "groups", 1);
    cJSON_AddStringToObject(cfg, "activation", act_name(l->activation));
    cJSON_AddBoolToObject(cfg, "use_bias", l->use_bias);
    cJSON_AddItemToObject(cfg, "kernel_initializer", initializer_json("GlorotUniform", true));
    cJSON_AddItemToObject(cfg, "bias_initializer", initializer_json("Zeros", false));
    static const char *const none[] = {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                                       "kernel_constraint", "bias_constraint"};
    for (size_t k = 0; k < sizeof none / sizeof *none; k++) cJSON_AddNullToObject(cfg, none[k]);
}

/* config.json: a Keras 3 Sequential with its InputLayer */
static char *keras3_config_text(const Model *m)
{
    cJSON *layers = cJSON_CreateArray();
    cJSON *icfg = cJSON_CreateObject();
    cJSON_AddItemToObject(icfg, "batch_shape", model_input_shape_json(m));
    cJSON_AddStringToObject(icfg, "dtype", m->token_input ? "int32" : "float32");
    cJSON_AddBoolToObject(icfg, "sparse", false);
    cJSON_AddStringToObject(icfg, "name", m->input_name[0] ? m->input_name : "input_layer");
    cJSON_AddItemToArray(layers, wrap_layer("InputLayer", icfg));
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        cJSON *cfg = NULL;
        if (l->kind == LAYER_RNN && !l->bidirectional) {
            cfg = rnn_config(l, &l->cell[0], l->name);
        } else {
            cfg = base_config(l->name, l->trainable);
        }
        model_layer_options_json(cfg, l);
        switch (l->kind) {
        case LAYER_EMBEDDING:
        case LAYER_MASKING:
        case LAYER_DENSE:
            break; /* all in model_layer_options_json */
        case LAYER_DROPOUT:
            cJSON_AddNullToObject(cfg, "seed");
            cJSON_AddNullToObject(cfg, "noise_shape");
            break;
        case LAYER_CONV1D:
            conv1d_config(cfg, l);
            break;
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
            cJSON_AddStringToObject(cfg, "data_format", "channels_last");
            cJSON_AddBoolToObject(cfg, "keepdims", false);
            break;
        case LAYER_FLATTEN:
            cJSON_AddStringToObject(cfg, "data_format", "channels_last");
            break;
        case LAYER_SPATIAL_DROPOUT:
            /* BaseSpatialDropout.get_config: rate, seed, name, dtype and
             * nothing else (its constructor takes no 'trainable') */
            cJSON_DeleteItemFromObject(cfg, "trainable");
            cJSON_AddNumberToObject(cfg, "rate", l->rate);
            cJSON_AddNullToObject(cfg, "seed");
            break;
        case LAYER_RNN:
            if (l->bidirectional) {
                const char *cls = cell_class_name(l->cell[0].kind);
                char fname[ENGINE_NAME_MAX + 16], bname[ENGINE_NAME_MAX + 16];
                snprintf(fname, sizeof fname, "forward_%s", l->inner_name);
                snprintf(bname, sizeof bname, "backward_%s", l->inner_name);
                cJSON_AddStringToObject(cfg, "merge_mode", merge_mode_name(l->merge));
                cJSON_AddItemToObject(cfg, "layer", wrap_layer(cls, rnn_config(l, &l->cell[0], fname)));
                cJSON_AddItemToObject(cfg, "backward_layer", wrap_layer(cls, rnn_config(l, &l->cell[1], bname)));
            }
            break;
        }
        cJSON_AddItemToArray(layers, wrap_layer(layer_class_name(l), cfg));
    }
    cJSON *mcfg = base_config(m->name[0] ? m->name : "sequential", true);
    cJSON_AddItemToObject(mcfg, "layers", layers);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "module", "keras");
    cJSON_AddStringToObject(root, "class_name", "Sequential");
    cJSON_AddItemToObject(root, "config", mcfg);
    cJSON_AddNullToObject(root, "registered_name");
    cJSON *build = cJSON_CreateObject();
    cJSON_AddItemToObject(build, "input_shape", model_input_shape_json(m));
    cJSON_AddItemToObject(root, "build_config", build);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static bool h5_put_group(hid_t f, const char *path)
{
    if (h5_exists(f, path)) return true;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t g = H5Gcreate2(f, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    if (g < 0) return false;
    H5Gclose(g);
    return true;
}

static bool h5_put_vars(hid_t f, const char *base, const Model *m, int li, int dir)
{
    char grp[700];
    snprintf(grp, sizeof grp, "%s/vars", base);
    if (!h5_put_group(f, grp)) return false;
    static const char *const order[] = {"embeddings", "kernel", "recurrent_kernel", "bias"};
    int k = 0;
    for (size_t v = 0; v < sizeof order / sizeof *order; v++) {
        const ParamInfo *p = model_find_param((Model *)m, li, dir, order[v]);
        if (!p) continue;
        hsize_t dims[3] = {(hsize_t)p->shape[0], (hsize_t)p->shape[1], (hsize_t)p->shape[2]};
        hid_t space = H5Screate_simple(p->ndim, dims, NULL);
        char ds[800];
        snprintf(ds, sizeof ds, "%s/%d", grp, k++);
        hid_t d = H5Dcreate2(f, ds, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        bool ok = d >= 0 && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->params + p->offset) >= 0;
        if (d >= 0) H5Dclose(d);
        H5Sclose(space);
        if (!ok) return false;
    }
    return true;
}

/* model.weights.h5 in memory, laid out as H5IOStore writes it: an empty
 * vars group for the model and for each layer, the weights below. */
static void *keras3_weights_image(const Model *m, size_t *len)
{
    *len = 0;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 16, 0);
    hid_t f = H5Fcreate("model.weights.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) return NULL;
    bool ok = h5_put_group(f, "vars") && h5_put_group(f, "layers");
    char (*used)[48] = xcalloc((size_t)m->n_layers + 1, sizeof *used);
    for (int i = 0; ok && i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        char snake[48], base[300];
        snake_case(snake, sizeof snake, layer_class_name(l));
        int count = 0;
        for (int j = 0; j < i; j++) count += strcmp(used[j], snake) == 0;
        snprintf(used[i], sizeof *used, "%s", snake);
        if (count) snprintf(base, sizeof base, "layers/%s_%d", snake, count);
        else snprintf(base, sizeof base, "layers/%s", snake);
        if (l->kind != LAYER_RNN) {
            ok = h5_put_vars(f, base, m, i, 0);
            continue;
        }
        char b[400], cb[500];
        if (!l->bidirectional) {
            snprintf(cb, sizeof cb, "%s/cell", base);
            ok = h5_put_group(f, base) && h5_put_vars(f, base, m, i, -1) && h5_put_vars(f, cb, m, i, 0);
            continue;
        }
        ok = h5_put_vars(f, base, m, i, -1);
        for (int d = 0; ok && d < 2; d++) {
            snprintf(b, sizeof b, "%s/%s", base, d == 0 ? "forward_layer" : "backward_layer");
            snprintf(cb, sizeof cb, "%s/cell", b);
            ok = h5_put_vars(f, b, m, i, -1) && h5_put_vars(f, cb, m, i, d);
        }
    }
    free(used);
    void *image = NULL;
    if (ok && H5Fflush(f, H5F_SCOPE_GLOBAL) >= 0) {
        ssize_t n = H5Fget_file_image(f, NULL, 0);
        if (n > 0) {
            image = xmalloc((size_t)n);
            if (H5Fget_file_image(f, image, (size_t)n) == n) {
                *len = (size_t)n;
            } else {
                free(image);
                image = NULL;
            }
        }
    }
    H5Fclose(f);
    return image;
}

static bool zip_put(zip_t *z, const char *name, const void *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    if (!src) return false;
    zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (idx < 0) {
        zip_source_free(src);
        return false;
    }
    /* stored, as Python's zipfile writes Keras' files */
    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    return true;
}

/* dir/name written with content unless it already holds exactly that */
static bool write_beside(const char *dir, const ExtraFile *x, Err *err)
{
    size_t n = strlen(dir) + strlen(x->name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, x->name);
    bool ok = true;
    size_t len = 0;
    Err quiet = {{0}};
    char *old = access(p, F_OK) == 0 ? base_read_file(p, strlen(x->content) + 1, &len, &quiet) : NULL;
    if (access(p, F_OK) == 0 && (!old || len != strlen(x->content) || memcmp(old, x->content, len) != 0))
        ok = err_set(err, "%s exists with other content; not overwriting it", p);
    else if (!old)
        ok = base_write_file_atomic(p, x->content, strlen(x->content), err);
    free(old);
    free(p);
    return ok;
}

bool keras_save(const Model *m, const char *path, const ExtraFile *extra, int n_extra, Err *err)
{
    h5_quiet();
    char *config = keras3_config_text(m);
    char meta[160];
    time_t now = time(NULL);
    struct tm tmv;
    char date[32] = "1970-01-01@00:00:00";
    if (gmtime_r(&now, &tmv)) strftime(date, sizeof date, "%Y-%m-%d@%H:%M:%S", &tmv);
    /* the Keras version whose layout this is (keras_io.h) */
    snprintf(meta, sizeof meta, "{\"keras_version\": \"3.10.0\", \"date_saved\": \"%s\"}", date);
    size_t h5_len = 0;
    void *h5 = keras3_weights_image(m, &h5_len);
    AtomicFile af = {0};
    bool ok = false, begun = false;
    char *dir = base_parent_dir(path);
    const char *hs = hard_sigmoid_layer(m);
    if (hs) {
        err_set(err, "%s: layer '%s' uses hard_sigmoid, which Keras 3 defines differently (x/6 + 1/2, clipped): a .keras "
                     "file would load as another model; save it as a folder (TensorFlow.js format) instead",
                path, hs);
        goto done;
    }
    if (!h5) {
        err_set(err, "%s: the weights could not be laid out as HDF5", path);
        goto done;
    }
    /* a tokenizer beside it must not clash before anything is written */
    for (int i = 0; i < n_extra; i++) {
        size_t n = strlen(dir) + strlen(extra[i].name) + 2;
        char *p = xmalloc(n);
        snprintf(p, n, "%s/%s", dir, extra[i].name);
        size_t len = 0;
        Err quiet = {{0}};
        char *old = access(p, F_OK) == 0 ? base_read_file(p, strlen(extra[i].content) + 1, &len, &quiet) : NULL;
        bool clash = access(p, F_OK) == 0 && (!old || len != strlen(extra[i].content) || memcmp(old, extra[i].content, len));
        free(old);
        if (clash) err_set(err, "%s exists with other content; not overwriting it (write the model elsewhere)", p);
        free(p);
        if (clash) goto done;
    }
    if (!base_make_parents(path, err)) goto done;
    if (!base_atomic_begin(&af, path, err)) goto done;
    begun = true;
    int code = 0;
    zip_t *z = zip_open(af.tmp, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        err_set(err, "%s: cannot write (%s)", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto done;
    }
    bool added = zip_put(z, "metadata.json", meta, strlen(meta)) && zip_put(z, "config.json", config, strlen(config)) &&
                 zip_put(z, "model.weights.h5", h5, h5_len);
    if (!added) {
        err_set(err, "%s: cannot write (%s)", path, zip_strerror(z));
        zip_discard(z);
        goto done;
    }
    if (zip_close(z) != 0) {
        err_set(err, "%s: cannot write (%s)", path, zip_strerror(z));
        zip_discard(z);
        goto done;
    }
    if (!base_atomic_commit(&af, err)) {
        begun = false;
        goto done;
    }
    begun = false;
    for (int i = 0; i < n_extra; i++)
        if (!write_beside(dir, &extra[i], err)) goto done;
    ok = true;
done:
    if (begun) base_atomic_abort(&af);
    free(dir);
    free(h5);
    cJSON_free(config);
    return ok;
}
