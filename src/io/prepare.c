/* prepare: a lesson's data and models. */
#include "prepare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "trace_json.h"

/* the corpus' lines (a last newline adds none; empty lines are skipped) */
static char **read_lines(const char *path, char **text, int *n, Err *err)
{
    size_t len = 0;
    *text = base_read_file(path, LESSON_MAX_DATA_BYTES, &len, err);
    if (!*text) return NULL;
    int cap = 64;
    char **lines = xmalloc((size_t)cap * sizeof *lines);
    *n = 0;
    for (char *p = *text; *p;) {
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        size_t k = strlen(p);
        if (k && p[k - 1] == '\r') p[k - 1] = '\0';
        if (*p) {
            if (*n == cap) lines = xrealloc(lines, (size_t)(cap *= 2) * sizeof *lines);
            lines[(*n)++] = p;
        }
        if (!e) break;
        p = e + 1;
    }
    return lines;
}

/* The rows of the text at path into df: fitting the tokenizer first when
 * fit (the training corpus), else with it as fitted (validation); T is the
 * row length, 0: maxlen or the longest. */
static bool next_word_rows(LessonData *ld, const Lesson *l, const char *path, bool fit, int T, DataFile *df, Err *err)
{
    char *text = NULL;
    int n = 0;
    char **lines = read_lines(path, &text, &n, err);
    if (!lines) return false;
    bool ok = false;
    TokenGrid in;
    token_grid_init(&in);
    int *labels = NULL;
    if (n == 0) {
        err_set(err, "%s: the text has no lines", path);
        goto done;
    }
    if (fit && !tokenizer_fit_on_texts(&ld->tok, (const char *const *)lines, n, err)) goto done;
    if (!tokenizer_ngrams(&in, &labels, &ld->tok, (const char *const *)lines, n, err)) goto done;
    if (in.rows == 0) {
        err_set(err, "%s: no line has two known words", path);
        goto done;
    }
    int L = T > 0 ? T : l->maxlen > 0 ? l->maxlen : in.cols;
    if ((size_t)L > TEXT_MAX_CELLS / (size_t)in.rows) {
        err_set(err, "%s: %d rows of %d tokens (maxlen) is more than %zu tokens", path, in.rows, L, TEXT_MAX_CELLS);
        goto done;
    }
    df->tokens = xcalloc((size_t)in.rows * L, sizeof *df->tokens);
    df->labels = xmalloc((size_t)in.rows * sizeof *df->labels);
    for (int r = 0; r < in.rows; r++) {
        base_fit_front(df->tokens + (size_t)r * L, L, in.v + (size_t)r * in.cols, in.cols);
        df->labels[r] = labels[r];
    }
    df->view = (Dataset){.tokens = df->tokens, .labels = df->labels, .N = in.rows, .T = L};
    if (fit) {
        ld->vocab = ld->tok.max_index + 1;
        ld->n_classes = ld->vocab;
    }
    ok = true;
done:
    token_grid_free(&in);
    free(labels);
    free(lines);
    free(text);
    return ok;
}

/* classify: rows {"text": "...", "label": k} (or "tokens") in a JSONL file */
static bool classify_rows(LessonData *ld, const Lesson *l, const char *path, bool fit, int T, DataFile *df, Err *err)
{
    char *text = NULL;
    int n = 0;
    char **lines = read_lines(path, &text, &n, err);
    if (!lines) return false;
    bool ok = false;
    char **texts = xcalloc((size_t)(n ? n : 1), sizeof *texts);
    int *labels = xcalloc((size_t)(n ? n : 1), sizeof *labels);
    cJSON **rows = xcalloc((size_t)(n ? n : 1), sizeof *rows);
    SeqList seqs;
    seq_list_init(&seqs);
    TokenGrid grid;
    token_grid_init(&grid);
    for (int i = 0; i < n; i++) {
        rows[i] = cJSON_Parse(lines[i]);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(rows[i], "text");
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(rows[i], "label");
        if (!cJSON_IsString(t) || !cJSON_IsNumber(y) || y->valuedouble < 0 || y->valuedouble >= (l->n_labels ? l->n_labels : 2)) {
            err_set(err, "%s: row %d needs {\"text\": \"...\", \"label\": 0..%d}", path, i + 1, (l->n_labels ? l->n_labels : 2) - 1);
            goto done;
        }
        texts[i] = t->valuestring;
        labels[i] = (int)y->valuedouble;
    }
    if (n == 0) {
        err_set(err, "%s: no rows", path);
        goto done;
    }
    if (fit && !tokenizer_fit_on_texts(&ld->tok, (const char *const *)texts, n, err)) goto done;
    seq_list_free(&seqs); /* texts_to_sequences overwrites its output */
    tokenizer_texts_to_sequences(&seqs, &ld->tok, (const char *const *)texts, n);
    /* pad_sequences with the lesson's padding and truncating (pre unless
     * it says post); TextVectorization at the end */
    TextSide pad = l->padding, cut = l->truncating;
    if (ld->tok.kind == TEXT_KERAS_VECTORIZATION) pad = cut = TEXT_POST;
    if (!text_pad_sequences(&grid, &seqs, T > 0 ? T : l->maxlen, pad, cut, 0, err)) goto done;
    df->tokens = xmalloc((size_t)grid.rows * grid.cols * sizeof *df->tokens);
    memcpy(df->tokens, grid.v, (size_t)grid.rows * grid.cols * sizeof *df->tokens);
    df->labels = labels;
    labels = NULL;
    df->view = (Dataset){.tokens = df->tokens, .labels = df->labels, .N = grid.rows, .T = grid.cols};
    if (fit) {
        ld->vocab = ld->tok.max_index + 1;
        ld->n_classes = l->n_labels ? l->n_labels : 2;
    }
    ok = true;
done:
    for (int i = 0; i < n; i++) cJSON_Delete(rows[i]);
    free(rows);
    free(texts);
    free(labels);
    token_grid_free(&grid);
    seq_list_free(&seqs);
    free(lines);
    free(text);
    return ok;
}

bool lesson_data_load(LessonData *ld, const Lesson *l, Err *err)
{
    memset(ld, 0, sizeof *ld);
    TokenizerConfig cfg = tokenizer_config_default();
    cfg.char_level = l->char_level;
    cfg.oov_token = l->oov_token; /* tensors (lesson 7) */
    cfg.num_words = l->num_words;
    if (l->text_vectorize) { /* TextVectorization (issue 13) */
        cfg = tokenizer_config_vectorization();
        cfg.standardize = l->standardize;
        cfg.split_mode = l->split_mode;
        cfg.max_tokens = l->max_tokens;
        cfg.output_sequence_length = l->maxlen;
        cfg.strip_html_breaks = l->strip_html_breaks;
    }
    tokenizer_init(&ld->tok, &cfg);
    bool ok = l->task == LESSON_CLASSIFY ? classify_rows(ld, l, l->data, true, 0, &ld->rows, err)
                                         : next_word_rows(ld, l, l->corpus, true, 0, &ld->rows, err);
    if (ok && l->validation) { /* the held-out set, as long as the training rows */
        int T = ld->rows.view.T;
        ok = l->task == LESSON_CLASSIFY ? classify_rows(ld, l, l->validation, false, T, &ld->val, err)
                                        : next_word_rows(ld, l, l->validation, false, T, &ld->val, err);
        ld->has_val = ok;
    }
    if (!ok) lesson_data_free(ld);
    return ok;
}

void lesson_data_free(LessonData *ld)
{
    tokenizer_free(&ld->tok);
    datafile_free(&ld->rows);
    datafile_free(&ld->val);
    memset(ld, 0, sizeof *ld);
}

bool lesson_model_new(Model *m, const Lesson *l, const LessonData *ld, int k, Err *err)
{
    char *spec = lesson_spec_for(l, k);
    bool ok = spec_build(m, spec, ld->vocab, l->seed, err);
    if (!ok) err_prefix(err, "%s: spec \"%s\"", l->path, spec);
    free(spec);
    return ok;
}

TrainConfig lesson_train_config(const Lesson *l)
{
    return (TrainConfig){.epochs = l->epochs > 0 ? l->epochs : 50, .batch_size = l->batch_size > 0 ? l->batch_size : 32,
                         .optimizer = OPT_ADAM, .lr = (float)l->learning_rate, .shuffle = true, .seed = l->seed};
}

char *lesson_model_dir(const Lesson *l, int k)
{
    size_t n = strlen(l->models) + strlen(lesson_model_name(l, k)) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", l->models, lesson_model_name(l, k));
    return p;
}

bool evaluate_rows(const Model *m, const Tokenizer *tok, const char *path, int *n_rows, double *accuracy, double *loss,
                   Err *err)
{
    return evaluate_rows_sides(m, tok, path, TEXT_PRE, TEXT_PRE, n_rows, accuracy, loss, err);
}

bool evaluate_rows_sides(const Model *m, const Tokenizer *tok, const char *path, TextSide padding, TextSide truncating,
                         int *n_rows, double *accuracy, double *loss, Err *err)
{
    LossKind kind;
    if (!model_loss_kind(m, &kind, err)) return false;
    char *text = NULL;
    int n = 0;
    char **lines = read_lines(path, &text, &n, err);
    if (!lines) return false;
    const int C = m->layers[m->n_layers - 1].out_dim;
    int right = 0, used = 0;
    double sum = 0;
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        cJSON *row = cJSON_Parse(lines[i]);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "text");
        const cJSON *toks = cJSON_GetObjectItemCaseSensitive(row, "tokens");
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(row, "label");
        int *tokens = NULL, T = 0;
        if (!cJSON_IsNumber(y) || (!cJSON_IsString(t) && !cJSON_IsArray(toks))) {
            ok = err_set(err, "%s:%d: a row needs \"label\" and \"text\" or \"tokens\"", path, i + 1);
        } else if (cJSON_IsString(t)) {
            if (!tok) {
                ok = err_set(err, "%s:%d: text rows need the model's tokenizer", path, i + 1);
            } else {
                TextEncoding e;
                text_encoding_init(&e);
                tokenizer_encode(&e, tok, t->valuestring);
                if (m->seq_len && e.n_tokens > m->seq_len && truncating == TEXT_POST)
                    e.n_tokens = m->seq_len; /* cut at the end: keep the first */
                if (e.n_tokens > ENGINE_MAX_SEQ) {
                    ok = err_set(err, "%s:%d: the text has %d tokens, more than %d", path, i + 1, e.n_tokens, ENGINE_MAX_SEQ);
                } else {
                    T = e.n_tokens > 0 ? e.n_tokens : 1;
                    tokens = xcalloc((size_t)T, sizeof *tokens);
                    memcpy(tokens, e.tokens, (size_t)e.n_tokens * sizeof *tokens);
                }
                text_encoding_free(&e);
            }
        } else {
            /* the same cap as training rows (dataset.c), before anything is allocated */
            T = cJSON_GetArraySize(toks);
            if (T > ENGINE_MAX_SEQ) {
                ok = err_set(err, "%s:%d: %d steps is more than %d", path, i + 1, T, ENGINE_MAX_SEQ);
            } else {
                tokens = xcalloc((size_t)(T ? T : 1), sizeof *tokens);
                int k = 0;
                const cJSON *v = NULL;
                cJSON_ArrayForEach(v, toks) {
                    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
                        v->valuedouble > 1e9) {
                        ok = err_set(err, "%s:%d: token %d is not a whole number >= 0", path, i + 1, k);
                        break;
                    }
                    tokens[k++] = (int)v->valuedouble;
                }
            }
        }
        if (ok && tokens && m->seq_len && T != m->seq_len) {
            /* pad or cut to the model's length, as pad_sequences does (in
             * front by default; a post cut was made above) */
            int *fit = xcalloc((size_t)m->seq_len, sizeof *fit);
            if (padding == TEXT_POST && T < m->seq_len) memcpy(fit, tokens, (size_t)T * sizeof *fit);
            else base_fit_front(fit, m->seq_len, tokens, T);
            free(tokens);
            tokens = fit;
            T = m->seq_len;
        }
        if (ok && (y->valuedouble != floor(y->valuedouble) || y->valuedouble < 0 || y->valuedouble > 1e9))
            ok = err_set(err, "%s:%d: \"label\" must be a whole number >= 0", path, i + 1);
        int label = ok ? (int)y->valuedouble : 0;
        if (ok && (label < 0 || label >= (kind == LOSS_BINARY ? 2 : C)))
            ok = err_set(err, "%s:%d: label %d is not a class of the model", path, i + 1, label);
        if (ok && m->seq_len && T != m->seq_len)
            ok = err_set(err, "%s:%d: the model takes %d steps, the row has %d", path, i + 1, m->seq_len, T);
        if (ok && !model_check_tokens(m, tokens, T, err)) ok = false;
        if (ok && !trace_check_budget(m, 1, T, false, false, false, 0, err)) ok = err_prefix(err, "%s:%d", path, i + 1);
        if (ok) {
            Trace tr;
            trace_init(&tr, m, 1, T, false);
            model_forward(&tr, tokens, NULL);
            int c = 0;
            sum += loss_compute(NULL, tr.layers[m->n_layers - 1].out, &label, kind, 1, C, &c);
            right += c;
            used++;
            trace_free(&tr);
        }
        free(tokens);
        cJSON_Delete(row);
    }
    free(lines);
    free(text);
    if (ok && used == 0) ok = err_set(err, "%s: no rows", path);
    if (!ok) return false;
    *n_rows = used;
    *accuracy = (double)right / used;
    *loss = sum / used;
    return true;
}
