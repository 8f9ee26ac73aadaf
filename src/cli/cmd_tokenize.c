/* cmd_tokenize: `unroll tokenize`, Keras' Tokenizer (word or char_level) and
 * pad_sequences, or Keras' TextVectorization (adapt, then the layer's int
 * output), over a text file, one text a line (contracts.md section 4).
 * Prints word_index, the sequences and the padded grid as one JSON document;
 * can save the fitted tokenizer as tokenizer.json. Depends on text and io. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jsonw.h"
#include "text.h"
#include "tokenizer_io.h"

static const char USAGE[] =
    "usage: unroll tokenize FILE [--num-words N] [--oov-token TOK] [--char-level]\n"
    "                            [--maxlen N] [--padding pre|post] [--truncating pre|post]\n"
    "                            [--save-tokenizer OUT.json] [--ngrams OUT.jsonl]\n"
    "       unroll tokenize FILE [--standardize MODE] [--split MODE] [--max-tokens N]\n"
    "                            [--output-sequence-length N] [--strip-html-breaks]\n"
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
    "  --char-level         every character is a token (Tokenizer(char_level=True):\n"
    "                       lowercased, never filtered; spaces are tokens too)\n"
    "  --maxlen N           pad/cut every sequence to N (default: the longest)\n"
    "  --padding pre|post   where the zeros go (default pre)\n"
    "  --truncating pre|post  which end of a long sequence is cut (default pre)\n"
    "  --save-tokenizer OUT.json  also write the tokenizer as Keras' to_json()\n"
    "  --ngrams OUT.jsonl   also write next-word training rows: every line's\n"
    "                       prefixes of 2..n tokens, padded in front, the last\n"
    "                       token as the label ({\"tokens\": [...], \"label\": N});\n"
    "                       the inputs are --maxlen long when given\n"
    "\n"
    "Any of the next options makes it Keras' TextVectorization instead (index 0\n"
    "is padding, 1 is [UNK] for every unknown token; ties in count are ranked by\n"
    "the tokens' bytes, highest first; sequences are padded and cut at the end;\n"
    "the document adds \"vocabulary\", Keras' get_vocabulary()):\n"
    "  --standardize MODE   lower_and_strip_punctuation (default), lower,\n"
    "                       strip_punctuation or none. lower changes A-Z only, as\n"
    "                       tf.strings.lower does; the punctuation is the 32 ASCII\n"
    "                       marks, apostrophe included, removed without a space\n"
    "  --split MODE         whitespace (default), character or none\n"
    "  --max-tokens N       vocabulary size counting '' and [UNK] (N >= 2)\n"
    "  --output-sequence-length N  pad with 0 or cut, at the end, to N\n"
    "  --strip-html-breaks  each \"<br />\" becomes a space after lowercasing and\n"
    "                       before stripping, as the course does for movie reviews\n"
    "\n"
    "Errors print one line on stderr and exit with status 2.\n";

/* Largest text file read (TEXT_MAX_FILE_BYTES) and largest --maxlen
 * (TEXT_MAX_PAD_LEN): unroll_limits.h. */

static const char *const SIDES[] = {"pre", "post", NULL}; /* in TextSide order */
/* in TextStandardize and TextSplitMode order */
static const char *const STANDARDIZE[] = {"none", "lower", "strip_punctuation", "lower_and_strip_punctuation", NULL};
static const char *const SPLITS[] = {"none", "whitespace", "character", NULL};

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
    long long num_words = 0, maxlen = 0, max_tokens = 0, seq_len = 0;
    int padding = -1, truncating = -1, standardize = -1, split = -1; /* -1: not given */
    bool char_level = false, strip_html = false;
    const CliOpt opts[] = {
        {"--num-words", CLI_INT, &num_words, .lo = 0, .hi = INT_MAX, .what = "a whole number >= 0 (0: keep every word)"},
        {"--oov-token", CLI_CUSTOM, &oov, .parse = parse_oov, .what = "a word in UTF-8, e.g. --oov-token '<OOV>'"},
        {"--maxlen", CLI_INT, &maxlen, .lo = 1, .hi = TEXT_MAX_PAD_LEN},
        {"--padding", CLI_CHOICE, &padding, .choices = SIDES},
        {"--truncating", CLI_CHOICE, &truncating, .choices = SIDES},
        {"--save-tokenizer", CLI_STR, &save, .nonempty = true, .what = "a file name"},
        {"--ngrams", CLI_STR, &ngrams, .nonempty = true, .what = "a file name"},
        {"--char-level", CLI_FLAG, &char_level, .what = NULL},
        {"--standardize", CLI_CHOICE, &standardize, .meta = "MODE", .choices = STANDARDIZE},
        {"--split", CLI_CHOICE, &split, .meta = "MODE", .choices = SPLITS},
        {"--max-tokens", CLI_INT, &max_tokens, .lo = 2, .hi = TEXT_MAX_INDEX + 1LL,
         .what = "a whole number >= 2 (the vocabulary with '' and [UNK])"},
        {"--output-sequence-length", CLI_INT, &seq_len, .lo = 1, .hi = TEXT_MAX_PAD_LEN},
        {"--strip-html-breaks", CLI_FLAG, &strip_html, .what = NULL},
    };
    const CliSpec spec = {"tokenize", USAGE, opts, CLI_NOPTS(opts), "FILE", false, &path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;

    /* Tokenizer or TextVectorization: their options do not mix */
    const bool vectorize = standardize >= 0 || split >= 0 || max_tokens || seq_len || strip_html;
    if (vectorize) {
        const char *tok_opt = num_words ? "--num-words" : oov ? "--oov-token" : char_level ? "--char-level" : NULL;
        const char *pad_opt = maxlen ? "--maxlen" : padding >= 0 ? "--padding" : truncating >= 0 ? "--truncating" : NULL;
        if (tok_opt)
            return cli_failf("tokenize", "%s is Keras' Tokenizer's; it does not go with TextVectorization's --standardize, "
                                         "--split, --max-tokens, --output-sequence-length, --strip-html-breaks",
                             tok_opt);
        if (pad_opt)
            return cli_failf("tokenize", "%s is pad_sequences'; TextVectorization pads and cuts at the end to "
                                         "--output-sequence-length",
                             pad_opt);
    }
    if (padding < 0) padding = vectorize ? TEXT_POST : TEXT_PRE;
    if (truncating < 0) truncating = vectorize ? TEXT_POST : TEXT_PRE;
    if (vectorize) maxlen = seq_len;

    Err err = {{0}};
    int status = 2, n = 0;
    char **lines = NULL;
    size_t len = 0;
    char *text = base_read_file(path, TEXT_MAX_FILE_BYTES, &len, &err);
    if (!text) return cli_fail("tokenize", &err);
    TokenizerConfig cfg = tokenizer_config_default();
    if (vectorize) {
        cfg = tokenizer_config_vectorization();
        if (standardize >= 0) cfg.standardize = (TextStandardize)standardize;
        if (split >= 0) cfg.split_mode = (TextSplitMode)split;
        cfg.max_tokens = (int)max_tokens;
        cfg.output_sequence_length = (int)seq_len;
        cfg.strip_html_breaks = strip_html;
    }
    cfg.num_words = (int)num_words;
    cfg.oov_token = vectorize ? NULL : oov;
    cfg.char_level = char_level;
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
    if (vectorize) { /* get_vocabulary() */
        jsonw_key(&w, "vocabulary");
        jsonw_begin_array(&w);
        jsonw_str(&w, "");
        for (int i = 1; i <= tok.max_index; i++) jsonw_str(&w, tokenizer_index_word(&tok, i));
        jsonw_end_array(&w);
    }
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
