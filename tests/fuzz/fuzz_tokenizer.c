/* fuzz_tokenizer: Keras tokenizer.json (tokenizer_io.c) and the tokenizer on
 * arbitrary bytes (text/tokenizer.c). The first byte picks what the rest is:
 *   0  a tokenizer.json; what loads is written back and must load again with
 *      the same words, and it encodes its own text
 *   1  lines of text: fit_on_texts, texts_to_sequences, pad_sequences and the
 *      n-gram rows, every token inside the vocabulary (the second line's
 *      first byte picks char_level or a TextVectorization)
 *   2  filters, a NUL, then a text: text_to_word_sequence
 * Seeds: the tokenizers under tests/ and lessons/, lesson corpora. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"
#include "text.h"
#include "tokenizer_io.h"

static void check_tokens(const Tokenizer *tok, const int *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fuzz_check(t[i] >= 0 && t[i] <= tok->max_index, "token %d outside 0..%d", t[i], tok->max_index);
}

static void json_document(const char *text, size_t len)
{
    Tokenizer tok, again;
    Err err = {{0}};
    if (!tokenizer_parse(&tok, text, len, "tokenizer.json", &err)) {
        fuzz_check_err(&err);
        return;
    }
    char *json = tokenizer_to_json(&tok);
    bool ok = tokenizer_parse(&again, json, strlen(json), "written", &err);
    fuzz_check(ok, "what was written does not load: %s", err.msg);
    fuzz_check(again.word_index.n == tok.word_index.n && again.max_index == tok.max_index, "%d words became %d",
               tok.word_index.n, again.word_index.n);
    TextEncoding e;
    tokenizer_encode(&e, &tok, text);
    check_tokens(&tok, e.tokens, (size_t)e.n_tokens);
    text_encoding_free(&e);
    tokenizer_free(&again);
    tokenizer_free(&tok);
    free(json);
}

static void lines_of_text(char *text)
{
    char *lines[64];
    int n = 0;
    for (char *p = text; p && n < 64;) {
        lines[n++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = '\0';
    }
    TokenizerConfig cfg = tokenizer_config_default();
    cfg.oov_token = (text[0] & 1) ? "<OOV>" : NULL;
    cfg.num_words = (unsigned char)text[0] % 8;
    /* issue 13: the second line's first byte picks char_level or a
     * TextVectorization with its modes, max_tokens and HTML breaks */
    unsigned char k = n > 1 ? (unsigned char)lines[1][0] : 0;
    cfg.char_level = k & 1;
    if (k & 2) {
        cfg = tokenizer_config_vectorization();
        cfg.standardize = (TextStandardize)((k >> 2) & 3);
        cfg.split_mode = (TextSplitMode)((k >> 4) % 3);
        cfg.max_tokens = (k & 64) ? 2 + (k >> 7) * 3 : 0;
        cfg.strip_html_breaks = k & 128;
    }
    Tokenizer tok;
    tokenizer_init(&tok, &cfg);
    Err err = {{0}};
    if (!tokenizer_fit_on_texts(&tok, (const char *const *)lines, n, &err)) {
        fuzz_check_err(&err);
        tokenizer_free(&tok);
        return;
    }
    SeqList seqs;
    tokenizer_texts_to_sequences(&seqs, &tok, (const char *const *)lines, n);
    check_tokens(&tok, seqs.tokens, (size_t)seqs.start[seqs.n]);
    TokenGrid grid;
    if (text_pad_sequences(&grid, &seqs, (unsigned char)text[0] % 5, TEXT_PRE, TEXT_POST, 0, &err)) {
        check_tokens(&tok, grid.v, (size_t)grid.rows * grid.cols);
        token_grid_free(&grid);
    } else {
        fuzz_check_err(&err);
    }
    int *labels = NULL;
    if (tokenizer_ngrams(&grid, &labels, &tok, (const char *const *)lines, n, &err)) {
        check_tokens(&tok, grid.v, (size_t)grid.rows * grid.cols);
        check_tokens(&tok, labels, (size_t)grid.rows);
        token_grid_free(&grid);
        free(labels);
    } else {
        fuzz_check_err(&err);
    }
    seq_list_free(&seqs);
    tokenizer_free(&tok);
}

static void filtered_text(const char *s, size_t size)
{
    size_t flen = strlen(s);
    if (!text_utf8_valid(s, flen)) return; /* filters are valid UTF-8 by contract */
    const char *text = flen < size ? s + flen + 1 : "";
    WordList wl;
    text_to_word_sequence(&wl, text, s, true, " ");
    for (int i = 0; i < wl.n; i++) fuzz_check(wl.words[i][0] != '\0', "an empty word");
    word_list_free(&wl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_setup();
        ready = true;
    }
    if (size < 1) return 0;
    char *text = fuzz_text(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: json_document(text, size - 1); break;
    case 1: lines_of_text(text); break;
    default: filtered_text(text, size - 1); break;
    }
    free(text);
    return 0;
}
