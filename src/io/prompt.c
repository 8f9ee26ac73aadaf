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
    /* pad and cut in front, as pad_sequences' defaults do; at the end for
     * a TextVectorization, as its output_sequence_length does */
    int skip = e.n_tokens > n ? e.n_tokens - n : 0, pad = n > e.n_tokens ? n - e.n_tokens : 0;
    if (tok->kind == TEXT_KERAS_VECTORIZATION) skip = 0, pad = 0;
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
