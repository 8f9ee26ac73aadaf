/* cmd_tokenize: `unroll tokenize`, Keras' Tokenizer and pad_sequences over a
 * text file, one text a line (contracts.md section 4). Prints word_index, the
 * sequences and the padded grid as one JSON document; can save the fitted
 * tokenizer as Keras' tokenizer.json. Depends on text and io. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"
#include "text.h"
#include "tokenizer_io.h"

static const char USAGE[] =
    "usage: unroll tokenize FILE [--num-words N] [--oov-token TOK] [--maxlen N]\n"
    "                            [--padding pre|post] [--truncating pre|post]\n"
    "                            [--save-tokenizer OUT.json] [--ngrams OUT.jsonl]\n"
    "\n"
    "Fits Keras' Tokenizer on FILE (one text a line, UTF-8; a last newline does\n"
    "not start another text, an empty line is a text with no words), then prints\n"
    "  {\"word_index\": {...}, \"sequences\": [[...]], \"padded\": [[...]]}\n"
    "with word_index in index order. Words are lowercased, punctuation becomes a\n"
    "space, and the most frequent word gets index 1 (2 with --oov-token).\n"
    "\n"
    "  --num-words N        sequences keep only indices below N (Keras' num_words)\n"
    "  --oov-token TOK      index 1 stands for every word not kept\n"
    "  --maxlen N           pad/cut every sequence to N (default: the longest)\n"
    "  --padding pre|post   where the zeros go (default pre)\n"
    "  --truncating pre|post  which end of a long sequence is cut (default pre)\n"
    "  --save-tokenizer OUT.json  also write the tokenizer as Keras' to_json()\n"
    "  --ngrams OUT.jsonl   also write next-word training rows: every line's\n"
    "                       prefixes of 2..n tokens, padded in front, the last\n"
    "                       token as the label ({\"tokens\": [...], \"label\": N});\n"
    "                       the inputs are --maxlen long when given\n"
    "\n"
    "Errors print one line on stderr and exit with status 2.\n";

/* Largest text file read (TEXT_MAX_FILE_BYTES) and largest --maxlen
 * (TEXT_MAX_PAD_LEN): unroll_limits.h. */

static const char *const SIDES[] = {"pre", "post", NULL}; /* in TextSide order */

static bool parse_oov(const char *v, void *out)
{
    if (!*v || !text_utf8_valid(v, strlen(v))) return false;
    *(const char **)out = v;
    return true;
}

/* Splits the file's text into lines in place: "\n" or "\r\n" ends a line, a
 * final line ending does not start another text. Refuses NUL bytes and text
 * that is not UTF-8. */
static bool split_lines(char *text, size_t len, const char *path, char ***lines, int *n, Err *err)
{
    *lines = NULL;
    *n = 0;
    if (memchr(text, '\0', len)) return err_set(err, "%s: contains a NUL byte; not a text file", path);
    size_t cap = 64;
    char **v = xmalloc(cap * sizeof *v);
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        if (line_end > p && line_end[-1] == '\r') line_end[-1] = '\0';
        *line_end = '\0';
        if (!text_utf8_valid(p, strlen(p))) {
            free(v);
            return err_set(err, "%s: line %d is not valid UTF-8", path, *n + 1);
        }
        if ((size_t)*n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = p;
        p = line_end + 1;
    }
    *lines = v;
    return true;
}

static void write_grid_rows(JsonW *w, const int *v, int rows, int cols)
{
    jsonw_begin_array(w);
    for (int r = 0; r < rows; r++) jsonw_ints(w, v + (size_t)r * (size_t)cols, cols);
    jsonw_end_array(w);
}

/* The next-word rows as JSONL, written whole or not at all. */
static bool write_ngrams(const Tokenizer *tok, const char *const *lines, int n, int maxlen, const char *out, Err *err)
{
    TokenGrid in;
    token_grid_init(&in);
    int *labels = NULL;
    if (!tokenizer_ngrams(&in, &labels, tok, lines, n, err)) return false;
    bool ok = false;
    JsonW w;
    jsonw_init(&w);
    if (in.rows == 0) {
        err_set(err, "--ngrams: no line has two known words, so there are no rows");
        goto done;
    }
    int L = maxlen > 0 ? maxlen : in.cols;
    if ((size_t)in.rows * (size_t)L > TEXT_MAX_CELLS) {
        err_set(err, "--ngrams: %d rows of %d tokens is more than %zu numbers", in.rows, L, (size_t)TEXT_MAX_CELLS);
        goto done;
    }
    int *row = xmalloc((size_t)L * sizeof *row);
    for (int r = 0; r < in.rows; r++) {
        base_fit_front(row, L, in.v + (size_t)r * (size_t)in.cols, in.cols);
        jsonw_begin_object(&w);
        jsonw_key(&w, "tokens");
        jsonw_ints(&w, row, L);
        jsonw_key(&w, "label");
        jsonw_int(&w, labels[r]);
        jsonw_end_object(&w);
        jsonw_end_line(&w);
    }
    free(row);
    ok = base_write_file_atomic(out, w.buf, w.len, err);
done:
    jsonw_free(&w);
    token_grid_free(&in);
    free(labels);
    return ok;
}

int cmd_tokenize(int argc, char **argv)
{
    const char *path = NULL, *oov = NULL, *save = NULL, *ngrams = NULL;
    long long num_words = 0, maxlen = 0;
    int padding = TEXT_PRE, truncating = TEXT_PRE;
    const CliOpt opts[] = {
        {"--num-words", CLI_INT, &num_words, .lo = 0, .hi = INT_MAX, .what = "a whole number >= 0 (0: keep every word)"},
        {"--oov-token", CLI_CUSTOM, &oov, .parse = parse_oov, .what = "a word in UTF-8, e.g. --oov-token '<OOV>'"},
        {"--maxlen", CLI_INT, &maxlen, .lo = 1, .hi = TEXT_MAX_PAD_LEN},
        {"--padding", CLI_CHOICE, &padding, .choices = SIDES},
        {"--truncating", CLI_CHOICE, &truncating, .choices = SIDES},
        {"--save-tokenizer", CLI_STR, &save, .nonempty = true, .what = "a file name"},
        {"--ngrams", CLI_STR, &ngrams, .nonempty = true, .what = "a file name"},
    };
    const CliSpec spec = {"tokenize", USAGE, opts, CLI_NOPTS(opts), "FILE", false, &path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;

    Err err = {{0}};
    int status = 2, n = 0;
    char **lines = NULL;
    size_t len = 0;
    char *text = base_read_file(path, TEXT_MAX_FILE_BYTES, &len, &err);
    if (!text) return cli_fail("tokenize", &err);
    TokenizerConfig cfg = tokenizer_config_default();
    cfg.num_words = (int)num_words;
    cfg.oov_token = oov;
    Tokenizer tok;
    tokenizer_init(&tok, &cfg);
    SeqList seqs;
    seq_list_init(&seqs);
    TokenGrid padded;
    token_grid_init(&padded);
    JsonW w;
    jsonw_init(&w);

    /* fit, encode, pad */
    if (!split_lines(text, len, path, &lines, &n, &err) ||
        !tokenizer_fit_on_texts(&tok, (const char *const *)lines, n, &err)) {
        cli_fail("tokenize", &err);
        goto done;
    }
    seq_list_free(&seqs);
    tokenizer_texts_to_sequences(&seqs, &tok, (const char *const *)lines, n);
    if (!text_pad_sequences(&padded, &seqs, (int)maxlen, (TextSide)padding, (TextSide)truncating, 0, &err)) {
        cli_fail("tokenize", &err);
        goto done;
    }

    /* the document, whole before anything is printed */
    jsonw_begin_object(&w);
    jsonw_key(&w, "word_index");
    jsonw_begin_object(&w);
    for (int i = 1; i <= tok.max_index; i++) {
        const char *word = tokenizer_index_word(&tok, i);
        if (!word) continue;
        jsonw_key(&w, word);
        jsonw_int(&w, i);
    }
    jsonw_end_object(&w);
    jsonw_key(&w, "sequences");
    jsonw_begin_array(&w);
    for (int s = 0; s < seqs.n; s++) jsonw_ints(&w, seq_list_at(&seqs, s), seq_list_len(&seqs, s));
    jsonw_end_array(&w);
    jsonw_key(&w, "padded");
    write_grid_rows(&w, padded.v, padded.rows, padded.cols);
    jsonw_end_object(&w);

    if (ngrams && !write_ngrams(&tok, (const char *const *)lines, n, (int)maxlen, ngrams, &err)) {
        cli_fail("tokenize", &err);
        goto done;
    }
    if (save && !tokenizer_save(&tok, save, &err)) {
        cli_fail("tokenize", &err);
        goto done;
    }
    fputs(w.buf, stdout);
    fputc('\n', stdout);
    status = fflush(stdout) == 0 ? 0 : 2;
done:
    jsonw_free(&w);
    token_grid_free(&padded);
    seq_list_free(&seqs);
    tokenizer_free(&tok);
    free(lines);
    free(text);
    return status;
}
