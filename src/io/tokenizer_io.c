/* tokenizer_io: Keras' tokenizer.json in and out (tokenizer_io.h). */
#include "tokenizer_io.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts above 2^53 are not exact in a JSON number read as a double. */
#define MAX_COUNT 9007199254740992.0

/* ---- reading ----------------------------------------------------------------- */

static bool is_absent(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

static bool is_utf8(const char *s)
{
    return text_utf8_valid(s, strlen(s));
}

/* A JSON number that is a whole number in lo..hi. */
static bool whole(const cJSON *v, double lo, double hi, long long *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi)
        return false;
    *out = (long long)v->valuedouble;
    return true;
}

/* config.key as a string of at most max bytes; def when absent or null. */
static bool cfg_str(const cJSON *cfg, const char *key, size_t max, const char *def, const char **out, Err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *out = def;
    if (is_absent(v)) return true;
    if (!cJSON_IsString(v)) return err_set(err, "config.%s must be a string", key);
    if (strlen(v->valuestring) > max) return err_set(err, "config.%s is longer than %zu bytes", key, max);
    if (!is_utf8(v->valuestring)) return err_set(err, "config.%s is not valid UTF-8", key);
    *out = v->valuestring;
    return true;
}

static bool cfg_bool(const cJSON *cfg, const char *key, bool def, bool *out, Err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *out = def;
    if (is_absent(v)) return true;
    if (!cJSON_IsBool(v)) return err_set(err, "config.%s must be true or false", key);
    *out = cJSON_IsTrue(v);
    return true;
}

/* config.key holds JSON text (Keras' json.dumps of a dict): parsed into *out,
 * which must be an object. Absent or null gives *out = NULL unless required. */
static bool cfg_dict(const cJSON *cfg, const char *key, bool required, cJSON **out, Err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *out = NULL;
    if (is_absent(v)) return required ? err_set(err, "config.%s is missing", key) : true;
    if (!cJSON_IsString(v))
        return err_set(err, "config.%s must be a string holding JSON, as Keras' to_json() writes it (found %s)", key,
                       cJSON_IsObject(v) ? "an object" : cJSON_IsArray(v) ? "a list" : "another type");
    *out = cJSON_Parse(v->valuestring);
    if (!cJSON_IsObject(*out)) {
        bool parsed = *out != NULL;
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(err, "config.%s %s", key, parsed ? "is JSON but not an object" : "does not hold valid JSON");
    }
    return true;
}

/* word -> whole number in lo..hi, each word once, into t */
static bool read_word_numbers(const cJSON *obj, const char *key, double lo, double hi, WordTable *t, Err *err)
{
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, obj) {
        const char *w = it->string;
        long long v = 0;
        if (!is_utf8(w)) return err_set(err, "%s: a word is not valid UTF-8", key);
        if (!whole(it, lo, hi, &v))
            return err_set(err, "%s: the value of '%.60s' is not a whole number from %.0f to %.0f", key, w, lo, hi);
        if (word_table_find(t, w) >= 0) return err_set(err, "%s: the word '%.60s' appears twice", key, w);
        word_table_set(t, w, v);
    }
    return true;
}

/* "17" -> 17; plain decimal digits only, as json.dumps writes int keys */
static bool index_key(const char *s, long long hi, long long *out)
{
    if (!*s || strlen(s) > 10) return false;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (*p - '0');
    }
    if (v > hi) return false;
    *out = v;
    return true;
}

static bool read_index_docs(const cJSON *obj, Tokenizer *tok, Err *err)
{
    int n = cJSON_GetArraySize(obj);
    if (n > TEXT_MAX_INDEX) return err_set(err, "index_docs has %d entries, more than %d", n, TEXT_MAX_INDEX);
    tok->index_docs = xmalloc(((size_t)n + 1) * sizeof *tok->index_docs);
    unsigned char *seen = xcalloc((size_t)TEXT_MAX_INDEX + 1, 1); /* duplicates in linear time */
    const cJSON *it = NULL;
    bool ok = true;
    cJSON_ArrayForEach(it, obj) {
        long long idx = 0, docs = 0;
        if (!index_key(it->string, TEXT_MAX_INDEX, &idx) || idx < 1) {
            ok = err_set(err, "index_docs: key '%.40s' is not an index from 1 to %d", it->string, TEXT_MAX_INDEX);
            break;
        }
        if (!whole(it, 0, MAX_COUNT, &docs)) {
            ok = err_set(err, "index_docs: the value of index %lld is not a whole number >= 0", idx);
            break;
        }
        if (seen[idx]) {
            ok = err_set(err, "index_docs: index %lld appears twice", idx);
            break;
        }
        seen[idx] = 1;
        tok->index_docs[tok->n_index_docs++] = (IndexDocs){(int)idx, docs};
    }
    free(seen);
    return ok;
}

/* index_word must be exactly the inverse of word_index, as Keras makes it. */
static bool check_index_word(const cJSON *obj, const Tokenizer *tok, Err *err)
{
    int n = 0;
    bool *seen = xcalloc((size_t)tok->max_index + 1, sizeof *seen);
    const cJSON *it = NULL;
    bool ok = false;
    cJSON_ArrayForEach(it, obj) {
        long long idx = 0;
        if (!index_key(it->string, INT_MAX, &idx)) {
            err_set(err, "index_word: key '%.40s' is not a whole number", it->string);
            goto done;
        }
        if (!cJSON_IsString(it)) {
            err_set(err, "index_word: the value of index %lld is not a string", idx);
            goto done;
        }
        const char *w = tokenizer_index_word(tok, (int)idx);
        if (!w || strcmp(w, it->valuestring) != 0) {
            err_set(err, "index_word: index %lld is '%.40s' but word_index gives it to %s%.40s%s", idx,
                    it->valuestring, w ? "'" : "no word", w ? w : "", w ? "'" : "");
            goto done;
        }
        if (seen[idx]) {
            err_set(err, "index_word: index %lld appears twice", idx);
            goto done;
        }
        seen[idx] = true;
        n++;
    }
    if (n != tok->word_index.n) {
        err_set(err, "index_word has %d entries but word_index has %d", n, tok->word_index.n);
        goto done;
    }
    ok = true;
done:
    free(seen);
    return ok;
}

/* ---- TextVectorization ------------------------------------------------------- */

/* config.key: null/absent (0) or a whole number in lo..hi */
static bool cfg_opt_int(const cJSON *cfg, const char *key, long long lo, long long hi, int *out, Err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    long long x = 0;
    *out = 0;
    if (is_absent(v)) return true;
    if (!whole(v, (double)lo, (double)hi, &x))
        return err_set(err, "config.%s must be null or a whole number from %lld to %lld", key, lo, hi);
    *out = (int)x;
    return true;
}

/* root is {"class_name": "TextVectorization", "config": {...}}: Keras'
 * layer config with its vocabulary (get_config() after adapt() gives the
 * vocabulary with get_vocabulary(), '' and [UNK] first). */
static bool parse_vectorization(Tokenizer *tok, const cJSON *cfg, Err *err)
{
    TokenizerConfig c = tokenizer_config_vectorization();
    /* absent: the constructor's default; null: None */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, "standardize");
    if (cJSON_IsNull(v)) c.standardize = TEXT_STD_NONE;
    else if (!v) c.standardize = TEXT_STD_LOWER_AND_STRIP_PUNCTUATION;
    else if (!cJSON_IsString(v) || !text_standardize_parse(v->valuestring, &c.standardize) ||
             strcmp(v->valuestring, "none") == 0)
        return err_set(err, "config.standardize must be null, \"lower\", \"strip_punctuation\" or "
                            "\"lower_and_strip_punctuation\" (a custom function cannot be run here)");
    v = cJSON_GetObjectItemCaseSensitive(cfg, "split");
    if (cJSON_IsNull(v)) c.split_mode = TEXT_SPLIT_NONE;
    else if (!v) c.split_mode = TEXT_SPLIT_WHITESPACE;
    else if (!cJSON_IsString(v) || !text_split_parse(v->valuestring, &c.split_mode) || strcmp(v->valuestring, "none") == 0)
        return err_set(err, "config.split must be null, \"whitespace\" or \"character\" (a custom function cannot be run here)");
    v = cJSON_GetObjectItemCaseSensitive(cfg, "output_mode");
    if (!is_absent(v) && !(cJSON_IsString(v) && strcmp(v->valuestring, "int") == 0))
        return err_set(err, "config.output_mode must be \"int\" (token indices); other modes are not supported");
    v = cJSON_GetObjectItemCaseSensitive(cfg, "ngrams");
    if (!is_absent(v)) return err_set(err, "config.ngrams must be null: n-grams of tokens are not supported");
    if (!cfg_opt_int(cfg, "max_tokens", 2, TEXT_MAX_INDEX + 1LL, &c.max_tokens, err)) return false;
    if (!cfg_opt_int(cfg, "output_sequence_length", 1, TEXT_MAX_PAD_LEN, &c.output_sequence_length, err)) return false;
    if (!cfg_bool(cfg, "strip_html_breaks", false, &c.strip_html_breaks, err)) return false;

    const cJSON *voc = cJSON_GetObjectItemCaseSensitive(cfg, "vocabulary");
    if (!cJSON_IsArray(voc)) return err_set(err, "config.vocabulary must be a list of strings (the adapted vocabulary)");
    int n = cJSON_GetArraySize(voc), first = 0;
    const cJSON *a = cJSON_GetArrayItem(voc, 0), *b = cJSON_GetArrayItem(voc, 1);
    if (n >= 2 && cJSON_IsString(a) && cJSON_IsString(b) && !a->valuestring[0] &&
        strcmp(b->valuestring, TEXT_VECTORIZE_OOV) == 0)
        first = 2; /* get_vocabulary(): '' and [UNK] come first */
    if (n - first > TEXT_MAX_INDEX - 1)
        return err_set(err, "config.vocabulary has %d tokens, more than %d", n - first, TEXT_MAX_INDEX - 1);
    if (c.max_tokens && 2 + (n - first) > c.max_tokens)
        return err_set(err, "config.vocabulary has %d entries with '' and [UNK], more than max_tokens %d", 2 + n - first,
                       c.max_tokens);
    tokenizer_init(tok, &c);
    word_table_set(&tok->word_index, TEXT_VECTORIZE_OOV, 1);
    int k = 0;
    const cJSON *it = NULL;
    cJSON_ArrayForEach(it, voc) {
        if (k++ < first) continue;
        if (!cJSON_IsString(it)) return err_set(err, "config.vocabulary[%d] is not a string", k - 1);
        const char *w = it->valuestring;
        if (!is_utf8(w)) return err_set(err, "config.vocabulary[%d] is not valid UTF-8", k - 1);
        if (!w[0] || strcmp(w, TEXT_VECTORIZE_OOV) == 0)
            return err_set(err, "config.vocabulary[%d] is '%s', which may only come first ('') and second ([UNK])", k - 1, w);
        if (word_table_find(&tok->word_index, w) >= 0)
            return err_set(err, "config.vocabulary: the token '%.60s' appears twice", w);
        word_table_set(&tok->word_index, w, 2 + (k - 1 - first));
    }
    return tokenizer_rebuild_index_word(tok, err);
}

/* root: the {"class_name": ..., "config": {...}} object */
static bool parse_document(Tokenizer *tok, const cJSON *root, Err *err)
{
    cJSON *dict[5] = {0}; /* word_index, word_counts, word_docs, index_docs, index_word */
    bool ok = false;
    if (!cJSON_IsObject(root)) return err_set(err, "expected a JSON object (Keras' Tokenizer.to_json())");
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(root, "class_name");
    bool vectorization = cJSON_IsString(cls) && strcmp(cls->valuestring, "TextVectorization") == 0;
    if (!is_absent(cls) && !vectorization && (!cJSON_IsString(cls) || strcmp(cls->valuestring, "Tokenizer") != 0))
        return err_set(err, "class_name is %s%.40s%s, expected 'Tokenizer' or 'TextVectorization'",
                       cJSON_IsString(cls) ? "'" : "", cJSON_IsString(cls) ? cls->valuestring : "not a string",
                       cJSON_IsString(cls) ? "'" : "");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    if (!cJSON_IsObject(cfg)) return err_set(err, "no config object");
    if (vectorization) return parse_vectorization(tok, cfg, err);

    /* configuration */
    TokenizerConfig c = tokenizer_config_default();
    bool char_level = false;
    long long num_words = 0, document_count = 0;
    const cJSON *v = NULL;
    if (!cfg_bool(cfg, "char_level", false, &char_level, err)) return false;
    c.char_level = char_level;
    v = cJSON_GetObjectItemCaseSensitive(cfg, "num_words");
    if (!is_absent(v) && !whole(v, 0, INT_MAX, &num_words))
        return err_set(err, "config.num_words must be null or a whole number from 0 to %d", INT_MAX);
    c.num_words = (int)num_words;
    if (!cfg_str(cfg, "filters", TEXT_MAX_FILTERS_BYTES, TEXT_DEFAULT_FILTERS, &c.filters, err)) return false;
    if (!cfg_bool(cfg, "lower", true, &c.lower, err)) return false;
    if (!cfg_str(cfg, "split", TEXT_MAX_SPLIT_BYTES, " ", &c.split, err)) return false;
    if (!*c.split) return err_set(err, "config.split is empty");
    if (!cfg_str(cfg, "oov_token", TEXT_MAX_OOV_BYTES, NULL, &c.oov_token, err)) return false;
    v = cJSON_GetObjectItemCaseSensitive(cfg, "document_count");
    if (!is_absent(v) && !whole(v, 0, MAX_COUNT, &document_count))
        return err_set(err, "config.document_count must be a whole number >= 0");

    /* the five dictionaries */
    static const char *const names[5] = {"word_index", "word_counts", "word_docs", "index_docs", "index_word"};
    for (int k = 0; k < 5; k++)
        if (!cfg_dict(cfg, names[k], k == 0, &dict[k], err)) goto done;
    tokenizer_init(tok, &c);
    tok->document_count = document_count;
    if (!read_word_numbers(dict[0], "word_index", 1, TEXT_MAX_INDEX, &tok->word_index, err)) goto done;
    if (!tokenizer_rebuild_index_word(tok, err)) goto done;
    if (dict[1] && !read_word_numbers(dict[1], "word_counts", 0, MAX_COUNT, &tok->word_counts, err)) goto done;
    if (dict[2] && !read_word_numbers(dict[2], "word_docs", 0, MAX_COUNT, &tok->word_docs, err)) goto done;
    if (dict[3] && !read_index_docs(dict[3], tok, err)) goto done;
    if (dict[4] && !check_index_word(dict[4], tok, err)) goto done;
    if (tok->oov_token && tok->word_index.n && !tokenizer_oov_index(tok)) {
        err_set(err, "config.oov_token '%.40s' has no index in word_index", tok->oov_token);
        goto done;
    }
    ok = true;
done:
    for (int k = 0; k < 5; k++) cJSON_Delete(dict[k]);
    return ok;
}

/* JSON's whitespace */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool tokenizer_parse(Tokenizer *tok, const char *text, size_t len, const char *name, Err *err)
{
    *tok = (Tokenizer){0};
    cJSON *root = NULL, *inner = NULL;
    bool ok = false;
    size_t skip = 0;
    while (skip < len && is_space(text[skip])) skip++;
    if (skip == len) {
        err_set(err, "%s: file is empty", name);
        goto done;
    }
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (root && end) {
        while (end < text + len && is_space(*end)) end++;
        if (end < text + len) {
            err_set(err, "%s: not valid JSON (unexpected data at byte %ld)", name, (long)(end - text));
            goto done;
        }
    }
    if (!root) {
        err_set(err, "%s: not valid JSON (at byte %ld)", name, end ? (long)(end - text) : 0L);
        goto done;
    }
    const cJSON *doc = root;
    if (cJSON_IsString(root)) { /* json.dump(tokenizer.to_json(), f): the document inside a string */
        inner = cJSON_Parse(root->valuestring);
        if (!inner) {
            err_set(err, "%s: a JSON string that does not hold a JSON tokenizer", name);
            goto done;
        }
        doc = inner;
    }
    if (!parse_document(tok, doc, err)) {
        err_prefix(err, "%s", name);
        goto done;
    }
    ok = true;
done:
    if (!ok) tokenizer_free(tok);
    cJSON_Delete(inner);
    cJSON_Delete(root);
    return ok;
}

bool tokenizer_load(Tokenizer *tok, const char *path, Err *err)
{
    *tok = (Tokenizer){0};
    size_t len = 0;
    char *text = base_read_file(path, TOKENIZER_IO_MAX_JSON, &len, err);
    if (!text) return false;
    bool ok = tokenizer_parse(tok, text, len, path, err);
    free(text);
    return ok;
}

/* ---- writing: Python's json.dumps, byte for byte ------------------------------- */

static void put_int(StrBuf *b, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    strbuf_puts(b, t);
}

static void put_u16(StrBuf *b, unsigned v)
{
    char t[8];
    snprintf(t, sizeof t, "\\u%04x", v);
    strbuf_puts(b, t);
}

/* json.dumps(s) with ensure_ascii=True: printable ASCII as is except " and \,
 * the short escapes \b \f \n \r \t, everything else as \uXXXX (lowercase hex,
 * surrogate pairs above U+FFFF). Malformed UTF-8 bytes become U+FFFD. */
static void put_pystr(StrBuf *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    strbuf_put(b, "\"", 1);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': strbuf_puts(b, "\\\""); break;
            case '\\': strbuf_puts(b, "\\\\"); break;
            case '\b': strbuf_puts(b, "\\b"); break;
            case '\f': strbuf_puts(b, "\\f"); break;
            case '\n': strbuf_puts(b, "\\n"); break;
            case '\r': strbuf_puts(b, "\\r"); break;
            case '\t': strbuf_puts(b, "\\t"); break;
            default:
                if (c >= 0x20 && c <= 0x7e) strbuf_put(b, s + i, 1);
                else put_u16(b, c);
            }
            i++;
            continue;
        }
        uint32_t cp = 0;
        int len = text_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            cp = 0xFFFD;
            len = 1;
        }
        if (cp >= 0x10000) {
            put_u16(b, 0xD800 + ((cp - 0x10000) >> 10));
            put_u16(b, 0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            put_u16(b, cp);
        }
        i += (size_t)len;
    }
    strbuf_put(b, "\"", 1);
}

/* json.dumps of a {str: int} dict */
static void put_word_table(StrBuf *b, const WordTable *t)
{
    strbuf_put(b, "{", 1);
    for (int i = 0; i < t->n; i++) {
        if (i) strbuf_puts(b, ", ");
        put_pystr(b, t->entries[i].word);
        strbuf_puts(b, ": ");
        put_int(b, t->entries[i].value);
    }
    strbuf_put(b, "}", 1);
}

/* "key": json.dumps(inner) -- the dictionary as a JSON string inside JSON */
static void put_dict_field(StrBuf *b, const char *key, const StrBuf *inner)
{
    strbuf_puts(b, ", \"");
    strbuf_puts(b, key);
    strbuf_puts(b, "\": ");
    put_pystr(b, inner->p);
}

/* Keras' TextVectorization get_config() after adapt(), in its key order,
 * with the vocabulary as get_vocabulary() lists it; strip_html_breaks
 * (unroll's, the course's custom standardization) only when set, so that a
 * plain config stays one Keras' from_config() accepts. */
static char *vectorization_to_json(const Tokenizer *tok)
{
    StrBuf b = {0};
    strbuf_puts(&b, "{\"class_name\": \"TextVectorization\", \"config\": {\"name\": \"text_vectorization\", "
                    "\"trainable\": true, \"max_tokens\": ");
    if (tok->max_tokens) put_int(&b, tok->max_tokens);
    else strbuf_puts(&b, "null");
    const char *std = text_standardize_name(tok->standardize), *split = text_split_name(tok->split_mode);
    strbuf_puts(&b, ", \"standardize\": ");
    if (std) put_pystr(&b, std);
    else strbuf_puts(&b, "null");
    strbuf_puts(&b, ", \"split\": ");
    if (split) put_pystr(&b, split);
    else strbuf_puts(&b, "null");
    strbuf_puts(&b, ", \"ngrams\": null, \"output_mode\": \"int\", \"output_sequence_length\": ");
    if (tok->output_sequence_length) put_int(&b, tok->output_sequence_length);
    else strbuf_puts(&b, "null");
    strbuf_puts(&b, ", \"pad_to_max_tokens\": false, \"sparse\": false, \"ragged\": false, \"vocabulary\": [\"\"");
    for (int i = 1; i <= tok->max_index; i++) {
        const char *w = tokenizer_index_word(tok, i);
        strbuf_puts(&b, ", ");
        put_pystr(&b, w ? w : "");
    }
    strbuf_puts(&b, "], \"idf_weights\": null, \"encoding\": \"utf-8\", \"vocabulary_size\": ");
    put_int(&b, (long long)tok->max_index + 1);
    if (tok->strip_html_breaks) strbuf_puts(&b, ", \"strip_html_breaks\": true");
    strbuf_puts(&b, "}}");
    return b.p;
}

char *tokenizer_to_json(const Tokenizer *tok)
{
    if (tok->kind == TEXT_KERAS_VECTORIZATION) return vectorization_to_json(tok);
    StrBuf b = {0}, d = {0};
    strbuf_puts(&b, "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": ");
    if (tok->num_words) put_int(&b, tok->num_words);
    else strbuf_puts(&b, "null");
    strbuf_puts(&b, ", \"filters\": ");
    put_pystr(&b, tok->filters);
    strbuf_puts(&b, tok->lower ? ", \"lower\": true" : ", \"lower\": false");
    strbuf_puts(&b, ", \"split\": ");
    put_pystr(&b, tok->split);
    strbuf_puts(&b, tok->char_level ? ", \"char_level\": true" : ", \"char_level\": false");
    strbuf_puts(&b, ", \"oov_token\": ");
    if (tok->oov_token) put_pystr(&b, tok->oov_token);
    else strbuf_puts(&b, "null");
    strbuf_puts(&b, ", \"document_count\": ");
    put_int(&b, tok->document_count);

    /* the dictionaries, in get_config()'s order */
    d.len = 0;
    put_word_table(&d, &tok->word_counts);
    put_dict_field(&b, "word_counts", &d);
    d.len = 0;
    put_word_table(&d, &tok->word_docs);
    put_dict_field(&b, "word_docs", &d);
    d.len = 0;
    strbuf_put(&d, "{", 1);
    for (int i = 0; i < tok->n_index_docs; i++) {
        if (i) strbuf_puts(&d, ", ");
        strbuf_put(&d, "\"", 1);
        put_int(&d, tok->index_docs[i].index);
        strbuf_puts(&d, "\": ");
        put_int(&d, tok->index_docs[i].docs);
    }
    strbuf_put(&d, "}", 1);
    put_dict_field(&b, "index_docs", &d);
    d.len = 0;
    strbuf_put(&d, "{", 1); /* {c: w for w, c in word_index.items()}: word_index's order */
    for (int i = 0; i < tok->word_index.n; i++) {
        if (i) strbuf_puts(&d, ", ");
        strbuf_put(&d, "\"", 1);
        put_int(&d, tok->word_index.entries[i].value);
        strbuf_puts(&d, "\": ");
        put_pystr(&d, tok->word_index.entries[i].word);
    }
    strbuf_put(&d, "}", 1);
    put_dict_field(&b, "index_word", &d);
    d.len = 0;
    put_word_table(&d, &tok->word_index);
    put_dict_field(&b, "word_index", &d);
    strbuf_puts(&b, "}}");
    free(d.p);
    return b.p;
}

bool tokenizer_save(const Tokenizer *tok, const char *path, Err *err)
{
    char *text = tokenizer_to_json(tok);
    bool ok = base_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return ok;
}
