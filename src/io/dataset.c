/* dataset: JSONL training rows in. */
#include "dataset.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int *tokens;
    float *inputs;
    int *labels;
    size_t n, cap, T;
} Rows;

static bool whole(const cJSON *v, double lo, double hi)
{
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && v->valuedouble >= lo && v->valuedouble <= hi;
}

static bool add_row(Rows *r, const cJSON *row, int F, const char *path, int line, Err *err)
{
    if (!cJSON_IsObject(row)) return err_set(err, "%s:%d: expected an object {\"tokens\": [...], \"label\": N}", path, line);
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(row, "label");
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(row, F ? "input" : "tokens");
    if (!whole(label, 0, 1e9)) return err_set(err, "%s:%d: \"label\" must be a whole number >= 0", path, line);
    if (!cJSON_IsArray(seq) || cJSON_GetArraySize(seq) < 1)
        return err_set(err, "%s:%d: \"%s\" must be a non-empty list", path, line, F ? "input" : "tokens");
    size_t T = (size_t)cJSON_GetArraySize(seq);
    if (r->n == 0) r->T = T;
    if (T != r->T)
        return err_set(err, "%s:%d: this row has %zu steps but the first has %zu (pad the rows to one length first)", path, line, T, r->T);
    if (T > ENGINE_MAX_SEQ) return err_set(err, "%s:%d: %zu steps is more than %d", path, line, T, ENGINE_MAX_SEQ);
    /* the row's shape first, so nothing is allocated for a malformed one */
    const cJSON *v = NULL;
    if (F) {
        size_t step = 0;
        cJSON_ArrayForEach(v, seq) {
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != F)
                return err_set(err, "%s:%d: step %zu must be a list of %d numbers", path, line, step, F);
            step++;
        }
    }
    if ((r->n + 1) * T * (size_t)(F ? F : 1) > ENGINE_MAX_PARAMS)
        return err_set(err, "%s:%d: the rows hold more than %zu numbers", path, line, (size_t)ENGINE_MAX_PARAMS);
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        if (F) r->inputs = xrealloc(r->inputs, r->cap * T * F * sizeof *r->inputs);
        else r->tokens = xrealloc(r->tokens, r->cap * T * sizeof *r->tokens);
        r->labels = xrealloc(r->labels, r->cap * sizeof *r->labels);
    }
    size_t t = 0;
    cJSON_ArrayForEach(v, seq) {
        if (!F) {
            if (!whole(v, 0, 2147483647.0)) return err_set(err, "%s:%d: token %zu is not a whole number >= 0", path, line, t);
            r->tokens[r->n * T + t] = (int)v->valuedouble;
        } else {
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != F)
                return err_set(err, "%s:%d: step %zu must be a list of %d numbers", path, line, t, F);
            int j = 0;
            const cJSON *x = NULL;
            cJSON_ArrayForEach(x, v) {
                if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble))
                    return err_set(err, "%s:%d: step %zu, feature %d is not a finite number", path, line, t, j);
                r->inputs[(r->n * T + t) * F + (size_t)j++] = (float)x->valuedouble;
            }
        }
        t++;
    }
    r->labels[r->n++] = (int)label->valuedouble;
    return true;
}

bool datafile_load(DataFile *df, const char *path, int F, Err *err)
{
    *df = (DataFile){0};
    size_t len = 0;
    char *text = base_read_file(path, DATASET_MAX_BYTES, &len, err);
    if (!text) return false;
    Rows r = {0};
    bool ok = false;
    int line = 0;
    for (char *p = text; *p;) {
        char *end = strchr(p, '\n');
        if (end) *end = '\0';
        line++;
        char *s = p;
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        if (*s) {
            cJSON *row = cJSON_Parse(s);
            if (!row) {
                err_set(err, "%s:%d: not valid JSON", path, line);
                goto done;
            }
            bool good = add_row(&r, row, F, path, line, err);
            cJSON_Delete(row);
            if (!good) goto done;
        }
        if (!end) break;
        p = end + 1;
    }
    if (r.n == 0) {
        err_set(err, "%s: no rows (the file is empty)", path);
        goto done;
    }
    df->tokens = r.tokens;
    df->inputs = r.inputs;
    df->labels = r.labels;
    df->view = (Dataset){.tokens = r.tokens, .inputs = r.inputs, .labels = r.labels, .N = (int)r.n, .T = (int)r.T};
    ok = true;
done:
    if (!ok) {
        free(r.tokens);
        free(r.inputs);
        free(r.labels);
    }
    free(text);
    return ok;
}

void datafile_free(DataFile *df)
{
    free(df->tokens);
    free(df->inputs);
    free(df->labels);
    *df = (DataFile){0};
}
