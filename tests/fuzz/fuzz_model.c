/* fuzz_model: model.json and its weight shards (model_io.c), then the
 * summary and one trace of what loaded. The input is model.json, a NUL, and
 * shard files, each as [name length: 1 byte][name][size: 4 bytes,
 * little-endian][bytes]; they are written to a temporary folder and loaded
 * from there. Seeds: tests/fixtures/ref and tests/bad_models/cases
 * (make_corpus.py). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <unistd.h>

#include "fuzz.h"
#include "model_io.h"
#include "summary.h"
#include "trace_json.h"

static char dir[64];

static void clear_dir(void)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static void put_file(const char *name, const void *data, size_t len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fuzz_check(f != NULL, "cannot write %s", p);
    if (len) fwrite(data, 1, len, f);
    fclose(f);
}

/* a shard name the folder can hold: letters, digits, '.', '-', '_' */
static bool plain_name(const char *s)
{
    if (!*s || strcmp(s, "model.json") == 0 || s[0] == '.') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static void run_loaded(const Model *m)
{
    fuzz_check(m->n_params == model_param_count(m), "%zu parameters laid out, %zu counted", m->n_params,
               model_param_count(m));
    char *text = summary_text(m);
    fuzz_check(text && strstr(text, "Total params: "), "summary without a total");
    free(text);
    int T = m->seq_len ? m->seq_len : 3;
    Err err = {{0}};
    if (!trace_check_budget(m, 1, T, true, false, true, 0, &err)) {
        fuzz_check_err(&err);
        return;
    }
    int *tokens = xcalloc((size_t)T, sizeof *tokens);
    float *input = m->token_input ? NULL : xcalloc((size_t)T * m->input_dim, sizeof *input);
    Trace tr;
    trace_init(&tr, m, 1, T, true);
    model_forward(&tr, m->token_input ? tokens : NULL, input);
    JsonW w;
    jsonw_init(&w);
    trace_write_json(&w, &tr, 0, &(TraceDocExtras){0});
    fuzz_check(w.buf && w.buf[0] == '{', "a trace document that is not an object");
    jsonw_free(&w);
    trace_free(&tr);
    free(tokens);
    free(input);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        fuzz_setup();
        snprintf(dir, sizeof dir, "/tmp/unroll-fuzz-model-XXXXXX");
        fuzz_check(mkdtemp(dir) != NULL, "no temporary folder");
    }
    clear_dir();
    const uint8_t *nul = memchr(data, 0, size);
    size_t json_len = nul ? (size_t)(nul - data) : size;
    put_file("model.json", data, json_len);
    size_t at = nul ? json_len + 1 : size;
    while (at < size) {
        size_t n = data[at++];
        if (at + n + 4 > size) break;
        char name[256];
        memcpy(name, data + at, n);
        name[n] = '\0';
        at += n;
        size_t len = (size_t)data[at] | (size_t)data[at + 1] << 8 | (size_t)data[at + 2] << 16 | (size_t)data[at + 3] << 24;
        at += 4;
        if (len > size - at) len = size - at;
        if (plain_name(name)) put_file(name, data + at, len);
        at += len;
    }
    Model m;
    Err err = {{0}};
    if (model_load(&m, dir, &err)) {
        run_loaded(&m);
        model_free(&m);
    } else {
        fuzz_check_err(&err);
    }
    return 0;
}
