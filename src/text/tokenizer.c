/* tokenizer: Keras' Tokenizer, pad_sequences and the n-gram rows (text.h).
 * The Python each function reproduces is quoted above it. Pure C11 + base. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the well-formed UTF-8 character at s (at most n bytes), with its
 * code point in *cp; 0 when the bytes there are not well-formed. */
static int utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len = 0;
    uint32_t v = 0, min = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, v = c & 0x07, min = 0x10000;
    else return 0;
    if ((size_t)len > n) return 0;
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

int text_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    return utf8_char((const unsigned char *)s, n, cp);
}

bool text_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp = 0;
    while (i < n) {
        int len = utf8_char(p + i, n - i, &cp);
        if (len == 0) return false;
        i += (size_t)len;
    }
    return true;
}

/* ---- WordTable ---------------------------------------------------------------- */

/* FNV-1a, 64 bit */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void word_table_init(WordTable *t)
{
    *t = (WordTable){0};
}

void word_table_free(WordTable *t)
{
    for (int i = 0; i < t->n; i++) free(t->entries[i].word);
    free(t->entries);
    free(t->slots);
    *t = (WordTable){0};
}

/* The slot holding word (len bytes), or the empty slot where it would go. */
static size_t slot_of(const WordTable *t, const char *word, size_t len)
{
    size_t mask = t->n_slots - 1;
    size_t s = (size_t)hash_bytes(word, len) & mask;
    for (;;) {
        int e = t->slots[s];
        if (e == 0) return s;
        const char *w = t->entries[e - 1].word;
        if (strncmp(w, word, len) == 0 && w[len] == '\0') return s;
        s = (s + 1) & mask;
    }
}

static int find_n(const WordTable *t, const char *word, size_t len)
{
    if (t->n_slots == 0) return -1;
    return t->slots[slot_of(t, word, len)] - 1;
}

int word_table_find(const WordTable *t, const char *word)
{
    return find_n(t, word, strlen(word));
}

static void rehash(WordTable *t, size_t n_slots)
{
    free(t->slots);
    t->slots = xcalloc(n_slots, sizeof *t->slots);
    t->n_slots = n_slots;
    for (int i = 0; i < t->n; i++) {
        const char *w = t->entries[i].word;
        t->slots[slot_of(t, w, strlen(w))] = i + 1;
    }
}

static int set_n(WordTable *t, const char *word, size_t len, long long value)
{
    int e = find_n(t, word, len);
    if (e >= 0) {
        t->entries[e].value = value;
        return e;
    }
    UNROLL_ASSERT(t->n < INT32_MAX / 4);
    if (2 * ((size_t)t->n + 1) >= t->n_slots) rehash(t, t->n_slots ? 2 * t->n_slots : 16);
    if ((size_t)t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->entries = xrealloc(t->entries, t->cap * sizeof *t->entries);
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, word, len);
    copy[len] = '\0';
    t->entries[t->n] = (WordEntry){.word = copy, .value = value};
    t->slots[slot_of(t, word, len)] = t->n + 1;
    return t->n++;
}

int word_table_set(WordTable *t, const char *word, long long value)
{
    return set_n(t, word, strlen(word), value);
}

/* ---- SeqList, TokenGrid, WordList, TextEncoding -------------------------------- */

void seq_list_init(SeqList *s)
{
    *s = (SeqList){0};
    s->cap_seqs = 16;
    s->start = xmalloc(s->cap_seqs * sizeof *s->start);
    s->start[0] = 0;
}

void seq_list_free(SeqList *s)
{
    free(s->tokens);
    free(s->start);
    *s = (SeqList){0};
}

void seq_list_append(SeqList *s, const int *tokens, int len)
{
    UNROLL_ASSERT(s->start && len >= 0);
    int used = s->start[s->n];
    UNROLL_ASSERT(len <= INT32_MAX - used);
    size_t need = (size_t)used + (size_t)len;
    if (need > s->cap_tokens) {
        size_t cap = s->cap_tokens ? s->cap_tokens : 64;
        while (cap < need) cap *= 2;
        if (cap > INT32_MAX) cap = INT32_MAX;
        s->tokens = xrealloc(s->tokens, cap * sizeof *s->tokens);
        s->cap_tokens = cap;
    }
    if ((size_t)s->n + 2 > s->cap_seqs) {
        s->cap_seqs *= 2;
        s->start = xrealloc(s->start, s->cap_seqs * sizeof *s->start);
    }
    if (len) memcpy(s->tokens + used, tokens, (size_t)len * sizeof *tokens);
    s->start[++s->n] = used + len;
}

int seq_list_len(const SeqList *s, int i)
{
    UNROLL_ASSERT(i >= 0 && i < s->n);
    return s->start[i + 1] - s->start[i];
}

const int *seq_list_at(const SeqList *s, int i)
{
    UNROLL_ASSERT(i >= 0 && i < s->n);
    return s->tokens ? s->tokens + s->start[i] : NULL;
}

void token_grid_init(TokenGrid *g)
{
    *g = (TokenGrid){0};
}

void token_grid_free(TokenGrid *g)
{
    free(g->v);
    *g = (TokenGrid){0};
}

void word_list_init(WordList *w)
{
    *w = (WordList){0};
}

void word_list_free(WordList *w)
{
    free(w->words);
    free(w->buf);
    *w = (WordList){0};
}

void text_encoding_init(TextEncoding *e)
{
    *e = (TextEncoding){0};
}

void text_encoding_free(TextEncoding *e)
{
    word_list_free(&e->words);
    free(e->oov);
    free(e->tokens);
    free(e->token_word);
    *e = (TextEncoding){0};
}

/* ---- text_to_word_sequence ------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void filter_set_init(FilterSet *set, const char *filters)
{
    *set = (FilterSet){0};
    size_t n = strlen(filters), i = 0;
    set->wide = xmalloc((n + 1) * sizeof *set->wide);
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_char((const unsigned char *)filters + i, n - i, &cp);
        UNROLL_ASSERT(len > 0);
        if (cp < 128) set->ascii[cp >> 6] |= (uint64_t)1 << (cp & 63);
        else set->wide[set->n_wide++] = cp;
        i += (size_t)len;
    }
    qsort(set->wide, (size_t)set->n_wide, sizeof *set->wide, cmp_u32);
    int k = 0;
    for (int j = 0; j < set->n_wide; j++)
        if (k == 0 || set->wide[k - 1] != set->wide[j]) set->wide[k++] = set->wide[j];
    set->n_wide = k;
}

void filter_set_free(FilterSet *set)
{
    free(set->wide);
    *set = (FilterSet){0};
}

bool filter_set_has(const FilterSet *set, uint32_t cp)
{
    if (cp < 128) return cp != 0 && (set->ascii[cp >> 6] >> (cp & 63) & 1);
    int lo = 0, hi = set->n_wide;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (set->wide[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < set->n_wide && set->wide[lo] == cp;
}

static void split_words(WordList *out, const char *text, const FilterSet *filters, bool lower, const char *split);

/* Python:
 *   if lower: input_text = input_text.lower()
 *   translate_dict = {c: split for c in filters}
 *   input_text = input_text.translate(str.maketrans(translate_dict))
 *   seq = input_text.split(split)
 *   return [i for i in seq if i] */
void text_to_word_sequence(WordList *out, const char *text, const char *filters, bool lower,
                           const char *split)
{
    UNROLL_ASSERT(text && filters && split && *split);
    FilterSet set;
    filter_set_init(&set, filters);
    split_words(out, text, &set, lower, split);
    filter_set_free(&set);
}

/* text_to_word_sequence's text before the split: lowercased (when lower),
 * each filter character replaced by split. A StrBuf (NUL-terminated). */
static StrBuf filtered_text(const char *text, const FilterSet *filters, bool lower, const char *split)
{
    size_t n = strlen(text), slen = strlen(split);

    /* lowercase: Python's str.lower(), which may change lengths */
    char *low = NULL;
    if (lower) {
        low = text_lower_python(text, n, &n);
    } else {
        low = xmalloc(n + 1);
        memcpy(low, text, n + 1);
    }

    /* filter characters become the separator */
    StrBuf b = {0};
    strbuf_put(&b, "", 0);
    size_t i = 0, run = 0; /* run: start of the bytes not yet copied */
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_char((const unsigned char *)low + i, n - i, &cp);
        if (len == 0) {
            i++; /* a stray byte: kept, never filtered */
            continue;
        }
        if (filter_set_has(filters, cp)) {
            strbuf_put(&b, low + run, i - run);
            strbuf_put(&b, split, slen);
            run = i + (size_t)len;
        }
        i += (size_t)len;
    }
    strbuf_put(&b, low + run, n - run);
    free(low);
    return b;
}

/* text_to_word_sequence with the filters already a set */
static void split_words(WordList *out, const char *text, const FilterSet *filters, bool lower, const char *split)
{
    size_t slen = strlen(split);
    *out = (WordList){0};
    StrBuf b = filtered_text(text, filters, lower, split);

    /* split, dropping empty pieces: each separator's first byte becomes NUL */
    int cap = 16;
    out->words = xmalloc((size_t)cap * sizeof *out->words);
    char *s = b.p, *end = b.p + b.len;
    for (;;) {
        char *sep = NULL;
        for (char *q = s; q + slen <= end; q++)
            if (*q == split[0] && memcmp(q, split, slen) == 0) {
                sep = q;
                break;
            }
        char *piece_end = sep ? sep : end;
        if (piece_end > s) {
            if (out->n == cap) out->words = xrealloc(out->words, (size_t)(cap *= 2) * sizeof *out->words);
            out->words[out->n++] = s;
            *piece_end = '\0';
        }
        if (!sep) break;
        s = sep + slen;
    }
    out->buf = b.p;
}

/* ---- the pieces of char_level and TextVectorization ------------------------- */

/* Builds a WordList from pieces of src: piece k is src[at[k] .. at[k]+len[k]). */
static void pieces_to_words(WordList *out, const char *src, const size_t *at, const size_t *len, int n)
{
    size_t total = 0;
    for (int k = 0; k < n; k++) total += len[k] + 1;
    *out = (WordList){0};
    out->buf = xmalloc(total + 1);
    out->words = xmalloc(((size_t)n + 1) * sizeof *out->words);
    char *p = out->buf;
    for (int k = 0; k < n; k++) {
        memcpy(p, src + at[k], len[k]);
        p[len[k]] = '\0';
        out->words[k] = p;
        p += len[k] + 1;
    }
    out->n = n;
}

/* A growing list of (start, length) pieces. */
typedef struct {
    size_t *at, *len;
    int n, cap;
} Pieces;

static void pieces_add(Pieces *ps, size_t at, size_t len)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 32;
        UNROLL_ASSERT(ps->cap > 0 && ps->cap < INT32_MAX / 2);
        ps->at = xrealloc(ps->at, (size_t)ps->cap * sizeof *ps->at);
        ps->len = xrealloc(ps->len, (size_t)ps->cap * sizeof *ps->len);
    }
    ps->at[ps->n] = at;
    ps->len[ps->n++] = len;
}

/* Each character of s[0..n) a piece (a stray byte is a piece of its own). */
static void split_characters(Pieces *ps, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_char((const unsigned char *)s + i, n - i, &cp);
        size_t step = len > 0 ? (size_t)len : 1;
        pieces_add(ps, i, step);
        i += step;
    }
}

/* absl::ascii_isspace, what tf.strings.split splits on */
static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Keras' char_level Tokenizer:
 *   if self.lower: text = text.lower()
 *   seq = text          (a str: each character is a token; no filters) */
static void char_level_pieces(WordList *out, const Tokenizer *tok, const char *text)
{
    size_t n = strlen(text);
    char *s = tok->lower ? text_lower_python(text, n, &n) : xstrdup(text);
    Pieces ps = {0};
    split_characters(&ps, s, n);
    pieces_to_words(out, s, ps.at, ps.len, ps.n);
    free(ps.at);
    free(ps.len);
    free(s);
}

/* TextVectorization._preprocess (Keras), for one text:
 *   if standardize in (lower, lower_and_strip_punctuation): x = tf.strings.lower(x)
 *   [strip_html_breaks: x = tf.strings.regex_replace(x, '<br />', ' ')]
 *   if standardize in (strip_punctuation, lower_and_strip_punctuation):
 *       x = tf.strings.regex_replace(x, DEFAULT_STRIP_REGEX, '')
 *   split "whitespace": tf.strings.split(x); "character":
 *   tf.strings.unicode_split(x, 'UTF-8'); None: x itself is the one token.
 * The punctuation is ASCII, so removing its bytes is the regex's answer on
 * UTF-8 (no multibyte character contains an ASCII byte). */
static char *vectorize_standardize(const Tokenizer *tok, const char *text, size_t *out_len)
{
    size_t n = strlen(text);
    char *s = xstrdup(text);
    TextStandardize std = tok->standardize;
    if (std == TEXT_STD_LOWER || std == TEXT_STD_LOWER_AND_STRIP_PUNCTUATION) text_lower_ascii(s, n);
    if (tok->strip_html_breaks) {
        const size_t hl = strlen(TEXT_HTML_BREAK);
        size_t w = 0;
        for (size_t r = 0; r < n;) {
            if (n - r >= hl && memcmp(s + r, TEXT_HTML_BREAK, hl) == 0) {
                s[w++] = ' ';
                r += hl;
            } else {
                s[w++] = s[r++];
            }
        }
        n = w;
        s[n] = '\0';
    }
    if (std == TEXT_STD_STRIP_PUNCTUATION || std == TEXT_STD_LOWER_AND_STRIP_PUNCTUATION) {
        size_t w = 0;
        for (size_t r = 0; r < n; r++)
            if (!(s[r] > 0 && strchr(TEXT_STRIP_PUNCTUATION, s[r]))) s[w++] = s[r];
        n = w;
        s[n] = '\0';
    }
    *out_len = n;
    return s;
}

static void vectorize_pieces(WordList *out, const Tokenizer *tok, const char *text)
{
    size_t n = 0;
    char *s = vectorize_standardize(tok, text, &n);
    Pieces ps = {0};
    if (tok->split_mode == TEXT_SPLIT_NONE) {
        pieces_add(&ps, 0, n);
    } else if (tok->split_mode == TEXT_SPLIT_CHARACTER) {
        split_characters(&ps, s, n);
    } else {
        size_t i = 0;
        for (;;) {
            while (i < n && ascii_space(s[i])) i++;
            if (i == n) break;
            size_t start = i;
            while (i < n && !ascii_space(s[i])) i++;
            pieces_add(&ps, start, i - start);
        }
    }
    pieces_to_words(out, s, ps.at, ps.len, ps.n);
    free(ps.at);
    free(ps.len);
    free(s);
}

void tokenizer_split_text(WordList *out, const Tokenizer *tok, const char *text)
{
    if (tok->kind == TEXT_KERAS_VECTORIZATION) vectorize_pieces(out, tok, text);
    else if (tok->char_level) char_level_pieces(out, tok, text);
    else split_words(out, text, &tok->filter_set, tok->lower, tok->split);
}

char *tokenizer_standardize(const Tokenizer *tok, const char *text)
{
    size_t n = 0;
    if (tok->kind == TEXT_KERAS_VECTORIZATION) return vectorize_standardize(tok, text, &n);
    if (tok->char_level) return tok->lower ? text_lower_python(text, strlen(text), &n) : xstrdup(text);
    return filtered_text(text, &tok->filter_set, tok->lower, tok->split).p;
}

const char *tokenizer_joiner(const Tokenizer *tok)
{
    bool chars = tok->kind == TEXT_KERAS_VECTORIZATION ? tok->split_mode == TEXT_SPLIT_CHARACTER : tok->char_level;
    return chars ? "" : " ";
}

/* ---- Tokenizer ---------------------------------------------------------------------- */

TokenizerConfig tokenizer_config_default(void)
{
    return (TokenizerConfig){.kind = TEXT_KERAS_TOKENIZER, .num_words = 0, .filters = TEXT_DEFAULT_FILTERS,
                             .lower = true, .split = " ", .oov_token = NULL};
}

TokenizerConfig tokenizer_config_vectorization(void)
{
    return (TokenizerConfig){.kind = TEXT_KERAS_VECTORIZATION, .standardize = TEXT_STD_LOWER_AND_STRIP_PUNCTUATION,
                             .split_mode = TEXT_SPLIT_WHITESPACE};
}

static char *dup_utf8(const char *s)
{
    UNROLL_ASSERT(text_utf8_valid(s, strlen(s)));
    return xstrdup(s);
}

void tokenizer_init(Tokenizer *tok, const TokenizerConfig *cfg)
{
    TokenizerConfig def = tokenizer_config_default();
    if (!cfg) cfg = &def;
    UNROLL_ASSERT(cfg->num_words >= 0);
    UNROLL_ASSERT(cfg->max_tokens == 0 || cfg->max_tokens >= 2);
    UNROLL_ASSERT(cfg->output_sequence_length >= 0);
    *tok = (Tokenizer){0};
    tok->kind = cfg->kind;
    tok->char_level = cfg->char_level;
    tok->standardize = cfg->standardize;
    tok->split_mode = cfg->split_mode;
    tok->max_tokens = cfg->max_tokens;
    tok->output_sequence_length = cfg->output_sequence_length;
    tok->strip_html_breaks = cfg->strip_html_breaks;
    if (tok->kind == TEXT_KERAS_VECTORIZATION) { /* Tokenizer's options do not apply */
        TokenizerConfig v = tokenizer_config_default();
        v.oov_token = TEXT_VECTORIZE_OOV;
        tok->num_words = 0;
        tok->filters = dup_utf8(v.filters);
        filter_set_init(&tok->filter_set, tok->filters);
        tok->lower = false;
        tok->split = dup_utf8(v.split);
        tok->oov_token = dup_utf8(v.oov_token);
        word_table_init(&tok->word_counts);
        word_table_init(&tok->word_docs);
        word_table_init(&tok->word_index);
        return;
    }
    tok->num_words = cfg->num_words;
    tok->filters = dup_utf8(cfg->filters ? cfg->filters : TEXT_DEFAULT_FILTERS);
    filter_set_init(&tok->filter_set, tok->filters);
    tok->lower = cfg->lower;
    tok->split = dup_utf8(cfg->split ? cfg->split : " ");
    UNROLL_ASSERT(tok->split[0] != '\0');
    tok->oov_token = cfg->oov_token ? dup_utf8(cfg->oov_token) : NULL;
    word_table_init(&tok->word_counts);
    word_table_init(&tok->word_docs);
    word_table_init(&tok->word_index);
}

/* Empties the fitted state, keeping the configuration. */
static void clear_state(Tokenizer *tok)
{
    word_table_free(&tok->word_counts);
    word_table_free(&tok->word_docs);
    word_table_free(&tok->word_index);
    free(tok->index_docs);
    free((void *)tok->index_word);
    tok->index_docs = NULL;
    tok->n_index_docs = 0;
    tok->index_word = NULL;
    tok->max_index = 0;
    tok->document_count = 0;
}

void tokenizer_free(Tokenizer *tok)
{
    clear_state(tok);
    free(tok->filters);
    filter_set_free(&tok->filter_set);
    free(tok->split);
    free(tok->oov_token);
    *tok = (Tokenizer){0};
}

bool tokenizer_rebuild_index_word(Tokenizer *tok, Err *err)
{
    free((void *)tok->index_word);
    tok->index_word = NULL;
    tok->max_index = 0;
    const WordTable *wi = &tok->word_index;
    int max = 0;
    for (int i = 0; i < wi->n; i++) {
        long long v = wi->entries[i].value;
        if (v < 1 || v > TEXT_MAX_INDEX)
            return err_set(err, "word_index: index %lld of '%s' is out of range (1..%d)", v, wi->entries[i].word,
                           TEXT_MAX_INDEX);
        if (v > max) max = (int)v;
    }
    const char **iw = xcalloc((size_t)max + 1, sizeof *iw);
    for (int i = 0; i < wi->n; i++) {
        int v = (int)wi->entries[i].value;
        if (iw[v]) {
            err_set(err, "word_index: index %d is given to both '%s' and '%s'", v, iw[v], wi->entries[i].word);
            free((void *)iw);
            return false;
        }
        iw[v] = wi->entries[i].word;
    }
    tok->index_word = iw;
    tok->max_index = max;
    return true;
}

/* word_counts entries by descending count, then by first appearance: the
 * order of Python's stable list.sort(key=count, reverse=True). */
typedef struct {
    long long count;
    int pos;
} Ranked;

static int by_count_desc(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* TextVectorization's finalize_state (IndexLookup), after counting:
 *   token_counts.remove(['']); token_counts.remove(['[UNK]'])
 *   tokens, counts = token_counts.export()
 *   sorted_indices = np.lexsort((tokens, counts))[::-1]
 *   if max_tokens: sorted_indices = sorted_indices[:max_tokens - 2]
 *   vocabulary = ['', '[UNK]'] + tokens[sorted_indices]
 * lexsort's last key is the first: counts ascending, ties by token bytes
 * ascending; reversed, counts descending, ties by bytes descending (tokens
 * are unique, so stability plays no part). */
typedef struct {
    long long count;
    const char *word;
} RankedWord;

static int by_count_then_bytes_desc(const void *a, const void *b)
{
    const RankedWord *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return -strcmp(x->word, y->word); /* strcmp compares as unsigned char */
}

static bool build_vocabulary(Tokenizer *tok, Err *err)
{
    const WordTable *wc = &tok->word_counts;
    RankedWord *order = xmalloc(((size_t)wc->n + 1) * sizeof *order);
    int n = 0;
    for (int i = 0; i < wc->n; i++) {
        const char *w = wc->entries[i].word;
        if (w[0] && strcmp(w, TEXT_VECTORIZE_OOV) != 0) order[n++] = (RankedWord){wc->entries[i].value, w};
    }
    qsort(order, (size_t)n, sizeof *order, by_count_then_bytes_desc);
    if (tok->max_tokens && n > tok->max_tokens - 2) n = tok->max_tokens - 2;
    if (n > TEXT_MAX_INDEX - 1) {
        free(order);
        return err_set(err, "the texts have %d different tokens, more than the %d a vocabulary may hold (use --max-tokens)",
                       n, TEXT_MAX_INDEX - 1);
    }
    word_table_free(&tok->word_index);
    word_table_set(&tok->word_index, TEXT_VECTORIZE_OOV, 1);
    for (int k = 0; k < n; k++) word_table_set(&tok->word_index, order[k].word, 2 + k);
    free(order);
    bool ok = tokenizer_rebuild_index_word(tok, err);
    UNROLL_ASSERT(ok);
    free(tok->index_docs);
    tok->index_docs = NULL;
    tok->n_index_docs = 0;
    return true;
}

/* Python, after counting:
 *   wcounts = list(self.word_counts.items())
 *   wcounts.sort(key=lambda x: x[1], reverse=True)
 *   sorted_voc = [] if self.oov_token is None else [self.oov_token]
 *   sorted_voc.extend(wc[0] for wc in wcounts)
 *   self.word_index = dict(zip(sorted_voc, list(range(1, len(sorted_voc) + 1))))
 *   self.index_word = {c: w for w, c in self.word_index.items()}
 *   for w, c in list(self.word_docs.items()):
 *       self.index_docs[self.word_index[w]] = c */
static bool build_index(Tokenizer *tok, Err *err)
{
    const WordTable *wc = &tok->word_counts;
    int first = tok->oov_token ? 2 : 1;
    if (wc->n > TEXT_MAX_INDEX - first + 1)
        return err_set(err, "the texts have %d different words, more than the %d a tokenizer may hold", wc->n,
                       TEXT_MAX_INDEX - first + 1);
    Ranked *order = xmalloc(((size_t)wc->n + 1) * sizeof *order);
    for (int i = 0; i < wc->n; i++) order[i] = (Ranked){wc->entries[i].value, i};
    qsort(order, (size_t)wc->n, sizeof *order, by_count_desc);

    word_table_free(&tok->word_index);
    if (tok->oov_token) word_table_set(&tok->word_index, tok->oov_token, 1);
    for (int k = 0; k < wc->n; k++) word_table_set(&tok->word_index, wc->entries[order[k].pos].word, first + k);
    free(order);
    bool ok = tokenizer_rebuild_index_word(tok, err);
    UNROLL_ASSERT(ok); /* indices are 1..n, each once */

    free(tok->index_docs);
    tok->index_docs = xmalloc(((size_t)tok->word_docs.n + 1) * sizeof *tok->index_docs);
    tok->n_index_docs = 0;
    for (int i = 0; i < tok->word_docs.n; i++) {
        const WordEntry *e = &tok->word_docs.entries[i];
        int idx = tokenizer_word_index(tok, e->word);
        if (idx) tok->index_docs[tok->n_index_docs++] = (IndexDocs){idx, e->value};
    }
    return true;
}

/* Python:
 *   for text in texts:
 *       self.document_count += 1
 *       seq = text_to_word_sequence(text, self.filters, self.lower, self.split)
 *       for w in seq: self.word_counts[w] += 1   (new words appended)
 *       for w in set(seq): self.word_docs[w] += 1
 *   then build_index above. */
bool tokenizer_fit_on_texts(Tokenizer *tok, const char *const *texts, int n_texts, Err *err)
{
    for (int t = 0; t < n_texts; t++)
        if (!text_utf8_valid(texts[t], strlen(texts[t])))
            return err_set(err, "text %d is not valid UTF-8", t + 1);

    /* stamp[e]: the last text (+1) that counted word_docs entry e */
    size_t stamp_cap = (size_t)tok->word_docs.n + 64;
    int *stamp = xcalloc(stamp_cap, sizeof *stamp);
    for (int t = 0; t < n_texts; t++) {
        tok->document_count++;
        WordList wl;
        tokenizer_split_text(&wl, tok, texts[t]);
        for (int k = 0; k < wl.n; k++) {
            const char *w = wl.words[k];
            int e = word_table_find(&tok->word_counts, w);
            if (e >= 0) tok->word_counts.entries[e].value++;
            else word_table_set(&tok->word_counts, w, 1);

            e = word_table_find(&tok->word_docs, w);
            if (e < 0) e = word_table_set(&tok->word_docs, w, 0);
            if ((size_t)e >= stamp_cap) {
                size_t old = stamp_cap;
                stamp_cap = 2 * (size_t)e + 64;
                stamp = xrealloc(stamp, stamp_cap * sizeof *stamp);
                memset(stamp + old, 0, (stamp_cap - old) * sizeof *stamp);
            }
            if (stamp[e] != t + 1) {
                stamp[e] = t + 1;
                tok->word_docs.entries[e].value++;
            }
        }
        word_list_free(&wl);
    }
    free(stamp);
    if (!(tok->kind == TEXT_KERAS_VECTORIZATION ? build_vocabulary(tok, err) : build_index(tok, err))) {
        clear_state(tok);
        return false;
    }
    return true;
}

int tokenizer_word_index(const Tokenizer *tok, const char *word)
{
    int e = word_table_find(&tok->word_index, word);
    return e < 0 ? 0 : (int)tok->word_index.entries[e].value;
}

const char *tokenizer_index_word(const Tokenizer *tok, int index)
{
    if (index < 1 || index > tok->max_index || !tok->index_word) return NULL;
    return tok->index_word[index];
}

int tokenizer_oov_index(const Tokenizer *tok)
{
    return tok->oov_token ? tokenizer_word_index(tok, tok->oov_token) : 0;
}

/* Python (texts_to_sequences_generator):
 *   oov_token_index = self.word_index.get(self.oov_token)
 *   for w in seq:
 *       i = self.word_index.get(w)
 *       if i is not None:
 *           if num_words and i >= num_words:
 *               if oov_token_index is not None: vect.append(oov_token_index)
 *           else: vect.append(i)
 *       elif self.oov_token is not None: vect.append(oov_token_index)
 * (Keras would append None when the OOV token has no index; we drop it.) */
void tokenizer_encode(TextEncoding *out, const Tokenizer *tok, const char *text)
{
    *out = (TextEncoding){0};
    tokenizer_split_text(&out->words, tok, text);
    int n = out->words.n;
    out->oov = xcalloc((size_t)n + 1, sizeof *out->oov);
    out->tokens = xmalloc(((size_t)n + 1) * sizeof *out->tokens);
    out->token_word = xmalloc(((size_t)n + 1) * sizeof *out->token_word);
    int oov_index = tokenizer_oov_index(tok);
    if (tok->kind == TEXT_KERAS_VECTORIZATION) {
        /* StringLookup: '' is the mask token (0), anything unknown is [UNK] (1) */
        for (int k = 0; k < n; k++) {
            const char *w = out->words.words[k];
            int i = w[0] ? tokenizer_word_index(tok, w) : 0;
            if (w[0] && (i == 0 || i == oov_index)) {
                out->oov[k] = true;
                i = 1;
            }
            out->tokens[out->n_tokens] = i;
            out->token_word[out->n_tokens++] = k;
        }
        return;
    }
    for (int k = 0; k < n; k++) {
        int i = tokenizer_word_index(tok, out->words.words[k]);
        int token = i;
        if (i == 0 || (tok->num_words && i >= tok->num_words)) {
            out->oov[k] = true;
            token = oov_index;
        }
        if (token) {
            out->tokens[out->n_tokens] = token;
            out->token_word[out->n_tokens++] = k;
        }
    }
}

void tokenizer_texts_to_sequences(SeqList *out, const Tokenizer *tok, const char *const *texts, int n_texts)
{
    seq_list_init(out);
    for (int t = 0; t < n_texts; t++) {
        TextEncoding e;
        tokenizer_encode(&e, tok, texts[t]);
        seq_list_append(out, e.tokens, e.n_tokens);
        text_encoding_free(&e);
    }
}

/* ---- pad_sequences and n-grams ------------------------------------------------------- */

/* Python (keras.utils.pad_sequences, dtype int32):
 *   if maxlen is None: maxlen = max(len(s) for s in sequences)
 *   x = np.full((num_samples, maxlen), value)
 *   for idx, s in enumerate(sequences):
 *       if not len(s): continue
 *       trunc = s[-maxlen:] if truncating == 'pre' else s[:maxlen]
 *       if padding == 'post': x[idx, :len(trunc)] = trunc
 *       else:                 x[idx, -len(trunc):] = trunc */
bool text_pad_sequences(TokenGrid *out, const SeqList *seqs, int maxlen, TextSide padding, TextSide truncating,
                        int value, Err *err)
{
    UNROLL_ASSERT(maxlen >= 0);
    *out = (TokenGrid){0};
    if (maxlen == 0)
        for (int i = 0; i < seqs->n; i++)
            if (seq_list_len(seqs, i) > maxlen) maxlen = seq_list_len(seqs, i);
    if (seqs->n && (size_t)maxlen > TEXT_MAX_CELLS / (size_t)seqs->n)
        return err_set(err, "padding %d sequences to length %d needs more than %zu tokens", seqs->n, maxlen,
                       TEXT_MAX_CELLS);
    size_t cells = (size_t)seqs->n * (size_t)maxlen;
    out->v = xmalloc((cells + 1) * sizeof *out->v);
    out->rows = seqs->n;
    out->cols = maxlen;
    for (size_t c = 0; c < cells; c++) out->v[c] = value;
    for (int i = 0; i < seqs->n; i++) {
        int len = seq_list_len(seqs, i);
        if (len == 0) continue;
        const int *s = seq_list_at(seqs, i);
        if (len > maxlen) {
            if (truncating == TEXT_PRE) s += len - maxlen;
            len = maxlen;
        }
        int *row = out->v + (size_t)i * (size_t)maxlen;
        if (padding == TEXT_PRE) row += maxlen - len;
        if (len) memcpy(row, s, (size_t)len * sizeof *s);
    }
    return true;
}

/* The n-gram rows need not be built unpadded: row (line, i) is t[:i+1]
 * pre-padded to the longest row's length L, so its inputs are t[:i] at the
 * right of L - 1 columns and its label is t[i]. */
bool tokenizer_ngrams(TokenGrid *inputs, int **labels, const Tokenizer *tok, const char *const *lines,
                      int n_lines, Err *err)
{
    *inputs = (TokenGrid){0};
    *labels = NULL;
    SeqList seqs;
    tokenizer_texts_to_sequences(&seqs, tok, lines, n_lines);
    size_t rows = 0;
    int longest = 0;
    for (int l = 0; l < seqs.n; l++) {
        int len = seq_list_len(&seqs, l);
        if (len < 2) continue;
        rows += (size_t)len - 1;
        if (len > longest) longest = len;
    }
    int width = longest ? longest - 1 : 0;
    if (rows > INT32_MAX || (width && rows > TEXT_MAX_CELLS / (size_t)width)) {
        err_set(err, "the n-gram rows (%zu rows of %d tokens) would need more than %zu tokens", rows, width,
                TEXT_MAX_CELLS);
        seq_list_free(&seqs);
        return false;
    }
    inputs->v = xcalloc(rows * (size_t)width + 1, sizeof *inputs->v);
    inputs->rows = (int)rows;
    inputs->cols = width;
    *labels = xmalloc((rows + 1) * sizeof **labels);
    size_t r = 0;
    for (int l = 0; l < seqs.n; l++) {
        int len = seq_list_len(&seqs, l);
        const int *t = seq_list_at(&seqs, l);
        for (int i = 1; i < len; i++, r++) {
            memcpy(inputs->v + r * (size_t)width + (width - i), t, (size_t)i * sizeof *t);
            (*labels)[r] = t[i];
        }
    }
    seq_list_free(&seqs);
    return true;
}
