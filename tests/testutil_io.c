/* testutil_io: see testutil_io.h. */
#include "testutil_io.h"

#include <check.h>
#include <stdlib.h>

#include "base.h"
#include "jsonw.h"
#include "trace_json.h"

cJSON *tu_read_json(const char *path)
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

int tu_fixture_input(const Model *m, const cJSON *exp, int **tokens, float **input)
{
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(exp, "tokens");
    const cJSON *inp = cJSON_GetObjectItemCaseSensitive(exp, "input");
    int T = cJSON_GetArraySize(tok ? tok : inp);
    *tokens = NULL;
    *input = NULL;
    if (tok) {
        *tokens = xcalloc((size_t)T, sizeof **tokens);
        for (int t = 0; t < T; t++) (*tokens)[t] = (int)cJSON_GetArrayItem(tok, t)->valuedouble;
    } else {
        *input = xcalloc((size_t)T * (size_t)m->input_dim, sizeof **input);
        for (int t = 0; t < T; t++)
            for (int j = 0; j < m->input_dim; j++)
                (*input)[t * m->input_dim + j] =
                    (float)cJSON_GetArrayItem(cJSON_GetArrayItem(inp, t), j)->valuedouble;
    }
    return T;
}

char *tu_trace_text(const Model *m, const int *tokens, const float *input, int T, bool *nonfinite)
{
    Trace tr;
    trace_init(&tr, m, 1, T, true);
    model_forward(&tr, tokens, input);
    JsonW w;
    jsonw_init(&w);
    trace_write_json(&w, &tr, 0, NULL);
    if (nonfinite) *nonfinite = w.nonfinite;
    char *text = xstrdup(w.buf);
    jsonw_free(&w);
    trace_free(&tr);
    return text;
}
