/* history: a training run's snapshots and history.bin (see history.h and
 * contracts.md section 6).
 *
 *   bytes 0..7    "UNRLHIST"
 *   bytes 8..11   version, uint32 little-endian (1)
 *   bytes 12..15  snapshots S, uint32 little-endian (1 .. HISTORY_MAX_SNAPSHOTS)
 *   bytes 16..23  floats per snapshot P, uint64 little-endian (the model's
 *                 parameter count)
 *   then S * P float32 little-endian, snapshot after snapshot; nothing after.
 *
 * Floats are copied as the host holds them: unroll runs on little-endian
 * machines only, as the weight shards it reads and writes assume. */
#include "history.h"
#include "model_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void history_init(History *h, size_t n_params)
{
    *h = (History){0};
    h->n_params = n_params;
}

void history_free(History *h)
{
    free(h->w);
    *h = (History){0};
}

bool history_push(History *h, const Model *m, Err *err)
{
    UNROLL_ASSERT(m->n_params == h->n_params);
    if (h->n >= HISTORY_MAX_SNAPSHOTS)
        return err_set(err, "a training history holds at most %d snapshots (epoch 0 and %d epochs)", HISTORY_MAX_SNAPSHOTS,
                       HISTORY_MAX_SNAPSHOTS - 1);
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 16;
        if (cap > HISTORY_MAX_SNAPSHOTS) cap = HISTORY_MAX_SNAPSHOTS;
        h->w = xrealloc(h->w, base_size_mul((size_t)cap, h->n_params * sizeof *h->w));
        h->cap = cap;
    }
    memcpy(h->w + (size_t)h->n * h->n_params, m->params, h->n_params * sizeof *h->w);
    h->n++;
    return true;
}

const float *history_snapshot(const History *h, int k)
{
    UNROLL_ASSERT(k >= 0 && k < h->n);
    return h->w + (size_t)k * h->n_params;
}

void history_apply(const History *h, int k, Model *m)
{
    UNROLL_ASSERT(m->n_params == h->n_params);
    memcpy(m->params, history_snapshot(h, k), h->n_params * sizeof *m->params);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

unsigned char *history_encode(const History *h, size_t *len)
{
    UNROLL_ASSERT(h->n >= 1);
    size_t body = (size_t)h->n * h->n_params * sizeof(float);
    unsigned char *buf = xmalloc(HISTORY_HEADER_BYTES + body);
    memcpy(buf, HISTORY_MAGIC, 8);
    put_u32(buf + 8, HISTORY_VERSION);
    put_u32(buf + 12, (uint32_t)h->n);
    put_u64(buf + 16, (uint64_t)h->n_params);
    memcpy(buf + HISTORY_HEADER_BYTES, h->w, body);
    *len = HISTORY_HEADER_BYTES + body;
    return buf;
}

bool history_save(const History *h, const char *path, Err *err)
{
    size_t len = 0;
    unsigned char *buf = history_encode(h, &len);
    bool ok = base_write_file_atomic(path, buf, len, err);
    free(buf);
    return ok;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n > k && strcmp(s + n - k, tail) == 0;
}

/* Where a model's history lies: history.bin in a TensorFlow.js model's
 * folder; beside a Keras file, NAME.history.bin for NAME.keras or NAME.h5
 * (a folder can hold several Keras files, each with its own history). */
static char *history_path_beside(const char *model_path)
{
    const char *ext = ends_with(model_path, ".keras") ? ".keras" : ends_with(model_path, ".h5") ? ".h5" : NULL;
    if (ext) {
        size_t stem = strlen(model_path) - strlen(ext), n = stem + sizeof ".history.bin";
        char *path = xmalloc(n);
        snprintf(path, n, "%.*s.history.bin", (int)stem, model_path);
        return path;
    }
    char *dir = model_dir_of(model_path);
    size_t n = strlen(dir) + sizeof HISTORY_FILE + 2;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/%s", dir, HISTORY_FILE);
    free(dir);
    return path;
}

bool history_save_beside(const History *h, const char *model_path, Err *err)
{
    char *path = history_path_beside(model_path);
    bool ok = history_save(h, path, err);
    free(path);
    return ok;
}

bool history_check_budget(size_t n_params, int epochs, Err *err)
{
    if (epochs + 1 > HISTORY_MAX_SNAPSHOTS)
        return err_set(err, "a training history holds at most %d epochs (%d asked for)", HISTORY_MAX_SNAPSHOTS - 1, epochs);
    size_t bytes = base_size_mul(base_size_mul((size_t)epochs + 1, n_params), 2 * sizeof(float));
    return base_memory_check(bytes, "the training history (a copy of the weights after every epoch)", err);
}

bool history_load(History *h, const char *path, size_t n_params, Err *err)
{
    history_init(h, n_params);
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, "%s: %s", path, strerror(errno));
    bool ok = false;
    unsigned char head[HISTORY_HEADER_BYTES];
    if (fread(head, 1, sizeof head, f) != sizeof head) {
        err_set(err, "%s: shorter than a training history's %d-byte header", path, HISTORY_HEADER_BYTES);
        goto done;
    }
    if (memcmp(head, HISTORY_MAGIC, 8) != 0) {
        err_set(err, "%s: not a training history (it does not start with \"%s\")", path, HISTORY_MAGIC);
        goto done;
    }
    uint32_t version = get_u32(head + 8), n = get_u32(head + 12);
    uint64_t p = get_u64(head + 16);
    if (version != HISTORY_VERSION) {
        err_set(err, "%s: training history version %u, this unroll reads version %u", path, (unsigned)version,
                HISTORY_VERSION);
        goto done;
    }
    if (n < 1 || n > HISTORY_MAX_SNAPSHOTS) {
        err_set(err, "%s: %u snapshots, a training history holds 1 to %d", path, (unsigned)n, HISTORY_MAX_SNAPSHOTS);
        goto done;
    }
    if (p != (uint64_t)n_params) {
        err_set(err, "%s: snapshots of %llu weights, but the model beside it has %zu", path, (unsigned long long)p,
                n_params);
        goto done;
    }
    size_t body = base_size_mul(base_size_mul((size_t)n, n_params), sizeof(float));
    if (!base_memory_check(body, path, err)) goto done;
    h->w = xmalloc(body ? body : 1);
    h->cap = (int)n;
    if (fread(h->w, 1, body, f) != body) {
        err_set(err, "%s: holds fewer bytes than its %u snapshots of %zu weights need", path, (unsigned)n, n_params);
        goto done;
    }
    if (fgetc(f) != EOF) {
        err_set(err, "%s: holds more bytes than its %u snapshots of %zu weights need", path, (unsigned)n, n_params);
        goto done;
    }
    h->n = (int)n;
    ok = true;
done:
    fclose(f);
    if (!ok) history_free(h);
    return ok;
}

bool history_load_beside(History *h, const char *model_path, size_t n_params, bool *absent, Err *err)
{
    char *path = history_path_beside(model_path);
    FILE *f = fopen(path, "rb");
    *absent = !f && errno == ENOENT;
    if (f) fclose(f);
    bool ok = !*absent && history_load(h, path, n_params, err);
    if (*absent) history_init(h, n_params);
    free(path);
    return ok;
}
