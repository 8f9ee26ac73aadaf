/* text: Keras' Tokenizer, TextVectorization and pad_sequences in C
 * (contracts.md section 4), following keras.preprocessing.text / tf.keras
 * (Keras 2) and keras.layers.TextVectorization line by line.
 *
 * Does: split a text into words (lowercase, every filter character becomes
 * the separator, split on the separator, drop empty pieces), fit_on_texts
 * (word_counts, word_docs, word_index, index_word, index_docs,
 * document_count), texts_to_sequences (with a variant that says which words
 * were out of vocabulary), pad_sequences, and the n-gram rows of the
 * next-word exercise. Keras' legacy char_level Tokenizer (every character a
 * token). TextVectorization's standardize and split modes, adapt() with
 * max_tokens, and output_sequence_length.
 * Does not: read or write files or JSON (io/tokenizer_io does), custom
 * analyzers, texts_to_matrix / tf-idf, TextVectorization's ngrams and
 * non-"int" output modes.
 * Lowercasing, two kinds, as Keras has them:
 *  - Tokenizer (legacy, also char_level) calls Python's str.lower(): full
 *    Unicode case mapping (SpecialCasing: U+0130 -> "i" U+0307; titlecase
 *    letters; Final_Sigma: "ΣΑΣ" -> "σας"), done here with libunistring's
 *    u8_tolower (no language, no normalization), except that each capital
 *    sigma is decided by Python's Final_Sigma test on libunistring's Cased
 *    and Case_Ignorable tables (u8_tolower misses the apostrophe there).
 *    Debian's libunistring 1.0 and Python 3.11 both have Unicode 14.0.0;
 *    every code point lowers as in Python (tests/fixtures/text).
 *    text_lower_python().
 *  - TextVectorization calls tf.strings.lower(x) with its default encoding
 *    '', which TensorFlow lowers with absl::AsciiStrToLower: A-Z only,
 *    every other byte unchanged ("ÉCOLE" -> "École": the É stays).
 *    text_lower_ascii().
 * Multibyte UTF-8 words are never split or damaged; bytes that are not
 * UTF-8 pass through unchanged.
 * Depends on base and libunistring. */
#ifndef UNROLL_TEXT_H
#define UNROLL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* Keras' default filters: punctuation (not the apostrophe), tab, newline. */
#define TEXT_DEFAULT_FILTERS "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"

/* The characters TextVectorization's "strip_punctuation" removes: its regex
 * r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']' (DEFAULT_STRIP_REGEX), which
 * is Python's string.punctuation: all 32 ASCII punctuation characters,
 * apostrophe included (unlike TEXT_DEFAULT_FILTERS). Removed, not replaced. */
#define TEXT_STRIP_PUNCTUATION "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
/* TextVectorization's out-of-vocabulary token, index 1 ('' is index 0). */
#define TEXT_VECTORIZE_OOV "[UNK]"
/* The HTML line break the course's movie reviews are full of; its custom
 * standardization replaces it by a space (see TokenizerConfig). */
#define TEXT_HTML_BREAK "<br />"

/* TEXT_MAX_INDEX (largest word index, so largest vocabulary) and
 * TEXT_MAX_CELLS (largest padded matrix) are in unroll_limits.h. */

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);
/* Byte length (1..4) of the well-formed UTF-8 character at s (reading at
 * most n bytes), its code point in *cp; 0 when the bytes are not one. */
int text_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Python's str.lower() of s[0..n) (see the top of this file): a new
 * NUL-terminated string (caller frees), its length in *out_len. Runs of
 * bytes that are not UTF-8 are copied unchanged (and split the text for the
 * Final_Sigma context). */
char *text_lower_python(const char *s, size_t n, size_t *out_len);
/* tf.strings.lower with no encoding: A-Z to a-z in place, nothing else. */
void text_lower_ascii(char *s, size_t n);

/* ---- word -> number map in insertion order (a Python dict) ---------------- */

typedef struct {
    char *word;      /* owned, NUL-terminated UTF-8 */
    long long value;
} WordEntry;

typedef struct {
    WordEntry *entries; /* (n,) in insertion order */
    int n;
    size_t cap;         /* entries allocated */
    int *slots;         /* (n_slots,) open addressing: entry number + 1, 0 = empty */
    size_t n_slots;     /* 0 or a power of two above 2n */
} WordTable;

void word_table_init(WordTable *t);
void word_table_free(WordTable *t);
/* Entry number of word, or -1 when absent. */
int word_table_find(const WordTable *t, const char *word);
/* Python's d[word] = value: a new word is appended, an existing one keeps
 * its place and takes the new value. Returns the entry number. */
int word_table_set(WordTable *t, const char *word, long long value);

/* ---- lists of token sequences and padded matrices ------------------------ */

/* n sequences of different lengths, stored back to back. */
typedef struct {
    int *tokens;          /* all sequences concatenated */
    int *start;           /* (n + 1,) sequence i is tokens[start[i] .. start[i+1]) */
    int n;
    size_t cap_tokens, cap_seqs; /* allocated lengths of tokens and start */
} SeqList;

void seq_list_init(SeqList *s);
void seq_list_free(SeqList *s);
/* Appends a copy of tokens[0..len). */
void seq_list_append(SeqList *s, const int *tokens, int len);
int seq_list_len(const SeqList *s, int i);
const int *seq_list_at(const SeqList *s, int i);

typedef struct {
    int *v;          /* (rows, cols), row-major */
    int rows, cols;
} TokenGrid;

void token_grid_init(TokenGrid *g);
void token_grid_free(TokenGrid *g);

/* The words of one text, each NUL-terminated, all in one block. */
typedef struct {
    char **words;    /* (n,) pointers into buf */
    int n;
    char *buf;
} WordList;

void word_list_init(WordList *w);
void word_list_free(WordList *w);

/* keras.preprocessing.text.text_to_word_sequence: optionally lowercase (see
 * the top of this file), replace every character of filters (UTF-8, each
 * character on its own) by split, split on split (non-empty), drop empty
 * pieces. Bytes that are not valid UTF-8 are kept as they are and never
 * filtered. out is overwritten (not freed first). */
void text_to_word_sequence(WordList *out, const char *text, const char *filters, bool lower,
                           const char *split);

/* The characters of a filters string as a set, built once so that testing
 * a character costs the same however long the filters are: ASCII as bits,
 * other code points sorted for a binary search. */
typedef struct {
    uint64_t ascii[2];  /* bit c set: ASCII character c is a filter */
    uint32_t *wide;     /* (n_wide,) code points >= 128, sorted, no repeats */
    int n_wide;
} FilterSet;

/* filters must be valid UTF-8. */
void filter_set_init(FilterSet *set, const char *filters);
void filter_set_free(FilterSet *set);
bool filter_set_has(const FilterSet *set, uint32_t cp);

/* ---- Tokenizer ------------------------------------------------------------ */

/* Which Keras object a Tokenizer reproduces. */
typedef enum {
    TEXT_KERAS_TOKENIZER,     /* keras.preprocessing.text.Tokenizer (legacy) */
    TEXT_KERAS_VECTORIZATION, /* keras.layers.TextVectorization, output_mode "int" */
} TextKind;

/* TextVectorization(standardize=...): None, "lower", "strip_punctuation",
 * "lower_and_strip_punctuation" (Keras' default). */
typedef enum {
    TEXT_STD_NONE,
    TEXT_STD_LOWER,
    TEXT_STD_STRIP_PUNCTUATION,
    TEXT_STD_LOWER_AND_STRIP_PUNCTUATION,
} TextStandardize;
/* TextVectorization(split=...): None (the whole text is one token),
 * "whitespace" (Keras' default: runs of ASCII space, \t \n \v \f \r, as
 * tf.strings.split), "character" (each code point, tf.strings.unicode_split). */
typedef enum { TEXT_SPLIT_NONE, TEXT_SPLIT_WHITESPACE, TEXT_SPLIT_CHARACTER } TextSplitMode;

/* Keras' names of the modes ("lower_and_strip_punctuation", "whitespace";
 * NULL for NONE, which Keras writes as null) and back (false if unknown;
 * the word "none" parses as NONE). */
const char *text_standardize_name(TextStandardize m);
bool text_standardize_parse(const char *name, TextStandardize *m);
const char *text_split_name(TextSplitMode m);
bool text_split_parse(const char *name, TextSplitMode *m);

/* Keras' Tokenizer(...) or TextVectorization(...) arguments;
 * tokenizer_config_default() gives Keras' Tokenizer defaults (num_words None,
 * default filters, lower True, split " ", no OOV, char_level False), and
 * tokenizer_config_vectorization() TextVectorization's (max_tokens None,
 * lower_and_strip_punctuation, whitespace, output_sequence_length None). */
typedef struct {
    TextKind kind;
    /* Tokenizer */
    int num_words;          /* texts_to_sequences keeps indices < num_words; 0 = None */
    const char *filters;    /* NULL = TEXT_DEFAULT_FILTERS */
    bool lower;
    const char *split;      /* NULL = " "; must not be empty */
    const char *oov_token;  /* NULL = None */
    bool char_level;        /* every character is a token: lowercased (when
                               lower), never filtered, never split (Keras
                               applies neither filters nor split then) */
    /* TextVectorization */
    TextStandardize standardize;
    TextSplitMode split_mode;
    int max_tokens;             /* vocabulary size with '' and [UNK]; 0 = None, else >= 2 */
    int output_sequence_length; /* pad/cut at the end to this; 0 = None */
    bool strip_html_breaks;     /* the course's custom_standardization: after
                                   lowercasing, each "<br />" becomes " ",
                                   before punctuation is stripped */
} TokenizerConfig;

typedef struct {
    int index;
    long long docs;
} IndexDocs;

/* Fields mirror the Keras attributes of the same names. Readers may use them
 * through a const pointer; change them only through the functions below (or,
 * for loaders, fill the tables then call tokenizer_rebuild_index_word). */
typedef struct {
    /* configuration, owned copies, valid UTF-8 */
    TextKind kind;
    int num_words;          /* 0 = None */
    char *filters;
    FilterSet filter_set;   /* filters as a set, for splitting */
    bool lower;
    char *split;            /* non-empty */
    char *oov_token;        /* NULL = None; TEXT_VECTORIZE_OOV for TextVectorization */
    bool char_level;
    TextStandardize standardize;   /* TextVectorization only, like the four below */
    TextSplitMode split_mode;
    int max_tokens;
    int output_sequence_length;
    bool strip_html_breaks;
    /* state, from fit_on_texts or a tokenizer.json */
    long long document_count;
    WordTable word_counts;  /* word -> occurrences, in first-appearance order */
    WordTable word_docs;    /* word -> texts containing it, first-appearance order */
    WordTable word_index;   /* word -> index >= 1, in the order of Keras' dict */
    IndexDocs *index_docs;  /* (n_index_docs,) index -> texts containing its word */
    int n_index_docs;
    const char **index_word; /* (max_index + 1,) inverse of word_index, NULL where no
                                word has the index; points into word_index */
    int max_index;           /* largest index in word_index, 0 when empty */
} Tokenizer;

TokenizerConfig tokenizer_config_default(void);
TokenizerConfig tokenizer_config_vectorization(void);

/* An empty tokenizer with cfg (NULL = defaults). The strings are copied and
 * must be valid UTF-8; split must not be empty; num_words >= 0. */
void tokenizer_init(Tokenizer *tok, const TokenizerConfig *cfg);
void tokenizer_free(Tokenizer *tok);

/* Keras' fit_on_texts: may be called again to add texts. Every text counts
 * as a document, even one without words. word_index ranks words by
 * descending count, ties in order of first appearance (Keras' stable sort of
 * its OrderedDict); the OOV token, when set, is index 1 and words start at 2.
 * Edge case, as Keras does it: if the OOV token also occurs as a word, Keras
 * builds word_index = dict(zip([oov] + ranked_words, 1..)), so the later
 * duplicate wins: the token keeps its first place in the dict's order but
 * takes the index of its rank among the words, and index 1 is left with no
 * word at all (index_word has no 1). unknown words then map to that index.
 * index_docs is rebuilt from word_docs (Keras updates it in place; the
 * values are the same).
 * Errors: a text that is not valid UTF-8 ("text N ...", counting from 1;
 * nothing is changed), or a vocabulary above TEXT_MAX_INDEX (the
 * tokenizer's state is then emptied, its configuration kept). */
bool tokenizer_fit_on_texts(Tokenizer *tok, const char *const *texts, int n_texts, Err *err);
/* For TextVectorization the same call is adapt(texts): every token is
 * counted (word_counts, word_docs kept too); '' and [UNK] are not counted;
 * the vocabulary is ranked by descending count, ties by the tokens' UTF-8
 * bytes in descending order (Keras: np.lexsort((tokens, counts))[::-1]),
 * cut to max_tokens - 2 entries; word_index is [UNK] 1, then 2, 3, ...
 * Unlike Keras' adapt(), a second call adds to the counts. */

/* The pieces one text gives: words, or characters (char_level, split
 * "character"), or the whole standardized text (split None), exactly as
 * the tokenizer's Keras object makes them before looking them up. */
void tokenizer_split_text(WordList *out, const Tokenizer *tok, const char *text);

/* tensors (lesson 7): the text as the tokenizer has standardized it just
 * before splitting it (the same code tokenizer_split_text runs): Tokenizer:
 * lowercased, each filter character replaced by split; char_level:
 * lowercased; TextVectorization: its standardize (and <br /> replaced).
 * A new NUL-terminated string; caller frees. */
char *tokenizer_standardize(const Tokenizer *tok, const char *text);

/* What joins a tokenizer's tokens back into text: "" for characters
 * (char_level, or split "character"), " " otherwise. */
const char *tokenizer_joiner(const Tokenizer *tok);

/* For loaders that filled word_index themselves: checks each index is in
 * 1..TEXT_MAX_INDEX and given to one word only, then builds index_word and
 * max_index. The message names the word and index ("word_index: ..."). */
bool tokenizer_rebuild_index_word(Tokenizer *tok, Err *err);

/* Index of word as stored (already lowercased and filtered), 0 if none. */
int tokenizer_word_index(const Tokenizer *tok, const char *word);
/* The word of index, NULL if no word has it (0, out of range, a gap). */
const char *tokenizer_index_word(const Tokenizer *tok, int index);
/* word_index[oov_token], 0 when there is no OOV token or it has no index. */
int tokenizer_oov_index(const Tokenizer *tok);

/* One text through texts_to_sequences, keeping what a trace reports. */
typedef struct {
    WordList words;      /* the text's words after lowercasing, filtering, splitting */
    bool *oov;           /* (words.n,) unknown, or index >= num_words */
    int *tokens;         /* (n_tokens,) exactly texts_to_sequences([text])[0] */
    int *token_word;     /* (n_tokens,) the word each token came from */
    int n_tokens;
} TextEncoding;

void text_encoding_init(TextEncoding *e);
void text_encoding_free(TextEncoding *e);

/* Keras' texts_to_sequences for one text, as Keras does it: a known word
 * with index < num_words (or any index when num_words is 0) gives its index;
 * any other word gives the OOV index when there is an OOV token with an
 * index, and is dropped otherwise (either way oov[] is true for it).
 * TextVectorization: each piece gives its index, 1 ([UNK]) when unknown,
 * 0 for the empty text with split None (Keras' mask token ''); none is
 * dropped, and the sequence is not padded (text_pad_sequences does that,
 * TEXT_POST both ways, to output_sequence_length).
 * out is overwritten (not freed first). */
void tokenizer_encode(TextEncoding *out, const Tokenizer *tok, const char *text);

/* Keras' texts_to_sequences(texts). out is overwritten (not freed first). */
void tokenizer_texts_to_sequences(SeqList *out, const Tokenizer *tok, const char *const *texts,
                                  int n_texts);

/* ---- padding and n-grams --------------------------------------------------- */

typedef enum { TEXT_PRE, TEXT_POST } TextSide;

/* Keras' pad_sequences(seqs, maxlen, padding, truncating, value) with
 * dtype int32: a (seqs->n, maxlen) grid filled with value; a sequence longer
 * than maxlen keeps its last maxlen tokens (truncating PRE) or its first
 * (POST), and sits at the end of its row (padding PRE) or the start (POST).
 * maxlen 0 means Keras' None: the longest sequence's length. Empty
 * sequences give rows of value. Fails (out left empty) when the grid would
 * have more than TEXT_MAX_CELLS cells. out is overwritten. */
bool text_pad_sequences(TokenGrid *out, const SeqList *seqs, int maxlen, TextSide padding,
                        TextSide truncating, int value, Err *err);

/* The next-word training rows of the TensorFlow text-generation exercise:
 *   for line in lines: t = texts_to_sequences([line])[0]
 *       for i in 1..len(t)-1: rows.append(t[:i+1])
 *   rows = pad_sequences(rows, maxlen=longest row, padding='pre')
 *   inputs, labels = rows[:, :-1], rows[:, -1]
 * inputs is (n_rows, longest - 1), labels (n_rows,) (caller frees). Lines
 * with fewer than two tokens give no rows; with no rows at all (where
 * Python's max() would raise) inputs is 0 x 0 and *labels an empty block.
 * Fails when inputs would have more than TEXT_MAX_CELLS cells. */
bool tokenizer_ngrams(TokenGrid *inputs, int **labels, const Tokenizer *tok, const char *const *lines,
                      int n_lines, Err *err);

#endif
