/* prompt: text in, tokens for a model out. */
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keras_io.h"
#include "model_io.h"
#include "tokenizer_io.h"

bool prompt_load_tokenizer(Tokenizer *tok, const char *model_path, Err *err)
{
    char *dir = model_dir_of(model_path);
    size_t n = strlen(dir) + 32;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/tokenizer.json", dir);
    free(dir);
    FILE *f = fopen(path, "rb");
    if (!f && keras_is_keras_path(model_path)) {
        /* a .keras file may carry its own vocabulary (TextVectorization) */
        Err verr = {{0}};
        char *json = keras_vocabulary_tokenizer(model_path, &verr);
        bool ok = json && tokenizer_parse(tok, json, strlen(json), model_path, err);
        free(json);
        free(path);
        if (!json && verr.msg[0]) return err_set(err, "%s", verr.msg);
        if (!json)
            return err_set(err, "%s: no vocabulary: token ids only (no tokenizer.json beside it and no TextVectorization "
                                "layer inside; use --tokens)", model_path);
        return ok;
    }
    if (!f) {
        err_set(err, "%s: no vocabulary: token ids only (no tokenizer.json beside the model, so text cannot be turned "
                     "into tokens; use --tokens)", path);
        free(path);
        return false;
    }
    fclose(f);
    bool ok = tokenizer_load(tok, path, err);
    free(path);
    return ok;
}

bool prompt_encode(Prompt *p, const Tokenizer *tok, const char *text, int maxlen, Err *err)
{
    return prompt_encode_sides(p, tok, text, maxlen, TEXT_PRE, TEXT_PRE, err);
}

bool prompt_encode_sides(Prompt *p, const Tokenizer *tok, const char *text, int maxlen, TextSide padding,
                         TextSide truncating, Err *err)
{
    *p = (Prompt){0};
    TextEncoding e;
    text_encoding_init(&e);
    tokenizer_encode(&e, tok, text);
    if (e.n_tokens == 0 && maxlen <= 0) {
        text_encoding_free(&e);
        return err_set(err, "no word of \"%.60s\" is in the model's vocabulary", text);
    }
    p->oov = xcalloc((size_t)(e.words.n ? e.words.n : 1), sizeof *p->oov);
    for (int i = 0; i < e.words.n; i++)
        if (e.oov[i]) p->oov[p->n_oov++] = xstrdup(e.words.words[i]);
    int n = maxlen > 0 ? maxlen : e.n_tokens;
    p->n = n;
    p->tokens = xcalloc((size_t)n, sizeof *p->tokens);
    p->words = xcalloc((size_t)n, sizeof *p->words);
    /* pad and cut as pad_sequences does (in front by default); at the end
     * for a TextVectorization, as its output_sequence_length does */
    if (tok->kind == TEXT_KERAS_VECTORIZATION) padding = truncating = TEXT_POST;
    int skip = e.n_tokens > n && truncating == TEXT_PRE ? e.n_tokens - n : 0;
    int pad = n > e.n_tokens && padding == TEXT_PRE ? n - e.n_tokens : 0;
    for (int t = 0; t < n; t++) {
        int k = t - pad + skip;
        if (t < pad || k >= e.n_tokens) {
            p->words[t] = xstrdup("");
            continue;
        }
        p->tokens[t] = e.tokens[k];
        p->words[t] = xstrdup(e.words.words[e.token_word[k]]);
    }
    text_encoding_free(&e);
    return true;
}

void prompt_free(Prompt *p)
{
    for (int i = 0; i < p->n; i++) free(p->words[i]);
    for (int i = 0; i < p->n_oov; i++) free(p->oov[i]);
    free(p->words);
    free(p->oov);
    free(p->tokens);
    *p = (Prompt){0};
}

/* ---- tensors (lesson 7): the stages of one text ---- */

bool prompt_stages_build(PromptStages *st, const Tokenizer *tok, const char *text, int maxlen, TextSide padding,
                         TextSide truncating, Err *err)
{
    *st = (PromptStages){0};
    if (tok->kind == TEXT_KERAS_VECTORIZATION) padding = truncating = TEXT_POST;
    st->padding = padding;
    st->truncating = truncating;
    if (!prompt_encode_sides(&st->padded, tok, text, maxlen, padding, truncating, err)) return false;
    st->standardized = tokenizer_standardize(tok, text);
    TextEncoding e;
    text_encoding_init(&e);
    tokenizer_encode(&e, tok, text);
    st->words = e.words; /* taken over */
    e.words = (WordList){0};
    int n = st->words.n;
    st->index = xcalloc((size_t)n + 1, sizeof *st->index);
    st->token = xcalloc((size_t)n + 1, sizeof *st->token);
    st->fate = xcalloc((size_t)n + 1, sizeof *st->fate);
    for (int k = 0; k < n; k++) {
        const char *w = st->words.words[k];
        int i = w[0] ? tokenizer_word_index(tok, w) : 0;
        st->index[k] = i == tokenizer_oov_index(tok) && tok->kind == TEXT_KERAS_VECTORIZATION ? 0 : i;
        st->fate[k] = !e.oov[k] ? PROMPT_WORD_KNOWN : (st->index[k] ? PROMPT_WORD_CUT : PROMPT_WORD_UNKNOWN);
    }
    st->seq = xcalloc((size_t)e.n_tokens + 1, sizeof *st->seq);
    st->seq_word = xcalloc((size_t)e.n_tokens + 1, sizeof *st->seq_word);
    for (int j = 0; j < e.n_tokens; j++) {
        st->seq[j] = e.tokens[j];
        st->seq_word[j] = e.token_word[j];
        st->token[e.token_word[j]] = e.tokens[j];
    }
    st->n_seq = e.n_tokens;
    text_encoding_free(&e);
    /* where each padded position came from: prompt_encode_sides' rule */
    int T = st->padded.n, ns = st->n_seq;
    st->padded_from = xmalloc(((size_t)T + 1) * sizeof *st->padded_from);
    int skip = ns > T && truncating == TEXT_PRE ? ns - T : 0;
    int pad = T > ns && padding == TEXT_PRE ? T - ns : 0;
    st->n_cut = ns > T ? ns - T : 0;
    for (int t = 0; t < T; t++) {
        int k = t - pad + skip;
        st->padded_from[t] = t < pad || k >= ns ? -1 : k;
    }
    return true;
}

void prompt_stages_free(PromptStages *st)
{
    free(st->standardized);
    word_list_free(&st->words);
    free(st->index);
    free(st->token);
    free(st->fate);
    free(st->seq);
    free(st->seq_word);
    prompt_free(&st->padded);
    free(st->padded_from);
    *st = (PromptStages){0};
}
