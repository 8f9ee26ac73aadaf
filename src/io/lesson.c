/* lesson: lesson files (format in lesson.h). The front matter and each
 * ```unroll block are YAML read event by event with libyaml, so every key and
 * value keeps its line; the body is Markdown parsed by md4c, and lines come
 * from where the text md4c hands back sits in the original buffer.
 *
 * What it does not: render Markdown beyond plain text and spans, read the
 * files a lesson names, or keep global state. Depends on base, engine, spec,
 * libyaml and md4c. */
#include "lesson.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <md4c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "spec.h"
#include "text.h"

/* ---- names ---------------------------------------------------------- */

/* The one table of view names: the lesson's (contracts.md) and the
 * window's tab title. */
static const struct {
    const char *name, *title;
} VIEWS[VIEW_COUNT] = {
    [VIEW_UNROLLED] = {"unrolled", "Unrolled"},     [VIEW_INSPECTOR] = {"inspector", "Cell"},
    [VIEW_COMPARE] = {"compare", "Compare"},        [VIEW_PREDICTIONS] = {"predictions", "Predict"},
    [VIEW_TRAINING] = {"training", "Train"},        [VIEW_GRADIENTS] = {"gradients", "Gradients"},
    [VIEW_GENERATE] = {"generate", "Generate"},
    [VIEW_CHART] = {"chart", "Units"}, /* chart helper */
    [VIEW_TENSORS] = {"tensors", "Tensors"}, /* tensors (lesson 7) */
};

const char *view_kind_name(ViewKind v)
{
    return (unsigned)v < VIEW_COUNT ? VIEWS[v].name : "?";
}

const char *view_kind_title(ViewKind v)
{
    return (unsigned)v < VIEW_COUNT ? VIEWS[v].title : "?";
}

bool view_kind_parse(const char *s, ViewKind *out)
{
    for (int i = 0; i < VIEW_COUNT; i++) {
        if (strcmp(s, VIEWS[i].name) == 0) {
            *out = (ViewKind)i;
            return true;
        }
    }
    return false;
}

/* The one table of cell names: in lessons (and the folders under models/),
 * and in the spec language. The Keras class name is the engine's
 * cell_class_name. */
static const struct {
    const char *name, *spec;
} CELLS[CELL_KIND_COUNT] = {
    [CELL_SIMPLE_RNN] = {"simplernn", "rnn"},
    [CELL_GRU] = {"gru", "gru"},
    [CELL_LSTM] = {"lstm", "lstm"},
};

const char *lesson_cell_name(CellKind kind)
{
    return (unsigned)kind < CELL_KIND_COUNT ? CELLS[kind].name : "?";
}

const char *lesson_cell_spec_name(CellKind kind)
{
    return (unsigned)kind < CELL_KIND_COUNT ? CELLS[kind].spec : "?";
}

bool lesson_cell_parse(const char *s, CellKind *out)
{
    for (int i = 0; i < CELL_KIND_COUNT; i++) {
        if (strcmp(s, CELLS[i].name) == 0) {
            *out = (CellKind)i;
            return true;
        }
    }
    return false;
}

/* "a, b, c": the n names of a table, for messages. */
static const char *name_list(const char *(*name)(int), int n, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < cap; i++) o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", name(i));
    return buf;
}

static const char *view_name_at(int i)
{
    return view_kind_name((ViewKind)i);
}

static const char *cell_name_at(int i)
{
    return lesson_cell_name((CellKind)i);
}

#define VIEW_LIST(buf) name_list(view_name_at, VIEW_COUNT, buf, sizeof buf)
#define CELL_LIST(buf) name_list(cell_name_at, CELL_KIND_COUNT, buf, sizeof buf)

/* The vectors a step may highlight, and which cells have them: SimpleRNN
 * only h; GRU gates z, r and candidate n; LSTM c and gates i, f, g, o. */
#define VECTOR_LIST "h, c, i, f, g, o, z, r, n, x"
static const char *const cell_vectors[CELL_KIND_COUNT] = {"hx", "hxzrn", "hcxifgo"};

/* ---- growable text (StrBuf, base.h) ---------------------------------- */

/* The text as a string the caller owns ("" when empty); b is left empty. */
static char *buf_take(StrBuf *b)
{
    char *s = b->p ? b->p : xstrdup("");
    *b = (StrBuf){0};
    return s;
}

static void buf_free(StrBuf *b)
{
    free(b->p);
    *b = (StrBuf){0};
}

/* ---- errors with lines ---------------------------------------------- */

typedef struct {
    const char *path;  /* for messages */
    const char *text;  /* the whole file */
    size_t len;
    size_t *line_starts; /* (n_lines) byte offset of each line */
    int n_lines;
    Err *err;
    bool failed;       /* err holds the first problem found; later ones are dropped */
    Lesson *l;
} Ctx;

static void lines_index(Ctx *cx)
{
    int n = 1;
    for (size_t i = 0; i < cx->len; i++) n += cx->text[i] == '\n';
    cx->line_starts = xmalloc((size_t)n * sizeof *cx->line_starts);
    cx->line_starts[0] = 0;
    int k = 1;
    for (size_t i = 0; i < cx->len; i++)
        if (cx->text[i] == '\n') cx->line_starts[k++] = i + 1;
    cx->n_lines = n;
}

/* 1-based line holding byte offset off */
static int line_of(const Ctx *cx, size_t off)
{
    int lo = 0, hi = cx->n_lines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (cx->line_starts[mid] <= off) lo = mid;
        else hi = mid - 1;
    }
    return lo + 1;
}

/* "path:line: message"; returns false. The first error wins: md4c goes on
 * calling back after a callback asked it to stop, and what it reports then
 * is a consequence of the first problem, not the problem. */
static bool fail(Ctx *cx, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(Ctx *cx, int line, const char *fmt, ...)
{
    if (cx->failed) return false;
    cx->failed = true;
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(cx->err, "%s:%d: %s", cx->path, line, msg);
}

/* Offset of the first byte that is not well-formed UTF-8 (or is NUL), or
 * len if all are: text_utf8_decode's rule, with where it breaks. */
static size_t utf8_check(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        int n = s[i] ? text_utf8_decode(s + i, len - i, &cp) : 0;
        if (n == 0) return i;
        i += (size_t)n;
    }
    return len;
}

/* ---- YAML: a mapping of scalars and lists of scalars ----------------- */

typedef struct {
    char *key;
    int key_line;
    bool is_list;
    char *value;        /* scalar */
    bool plain;         /* unquoted scalar */
    int line;           /* of the value */
    char **items;       /* list: (n_items); a mapping's keys */
    int *item_lines;
    int n_items;
    bool is_map;        /* a mapping of scalars (variants): items are its keys */
    char **values;      /* its values, (n_items) */
} Entry;

typedef struct {
    Entry *e;
    int n;
} Map;

static void map_free(Map *m)
{
    for (int i = 0; i < m->n; i++) {
        Entry *e = &m->e[i];
        free(e->key);
        free(e->value);
        for (int k = 0; k < e->n_items; k++) free(e->items[k]);
        if (e->values)
            for (int k = 0; k < e->n_items; k++) free(e->values[k]);
        free(e->values);
        free(e->items);
        free(e->item_lines);
    }
    free(m->e);
    *m = (Map){0};
}

typedef struct {
    Ctx *cx;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev;
    int first_line; /* file line of the YAML text's first line */
    const char *what; /* "front matter", "```unroll block" */
} Yaml;

static int ev_line(const Yaml *y)
{
    return y->first_line + (int)y->ev.start_mark.line;
}

static bool yaml_next(Yaml *y)
{
    if (y->have_ev) yaml_event_delete(&y->ev);
    y->have_ev = false;
    if (!yaml_parser_parse(&y->parser, &y->ev)) {
        const yaml_parser_t *p = &y->parser;
        int line = y->first_line + (int)p->problem_mark.line;
        int from = y->first_line + (int)p->context_mark.line;
        if (p->context && from != line)
            return fail(y->cx, line, "YAML syntax error in the %s: %s %s that starts on line %d", y->what,
                        p->problem ? p->problem : "bad YAML", p->context, from);
        if (p->context)
            return fail(y->cx, line, "YAML syntax error in the %s: %s %s", y->what,
                        p->problem ? p->problem : "bad YAML", p->context);
        return fail(y->cx, line, "YAML syntax error in the %s: %s", y->what, p->problem ? p->problem : "bad YAML");
    }
    y->have_ev = true;
    return true;
}

/* A scalar event's text as a string, refusing control characters (YAML
 * escapes can make them) and overlong values. */
static bool scalar_dup(Yaml *y, const char *name, char **out)
{
    const char *s = (const char *)y->ev.data.scalar.value;
    size_t n = y->ev.data.scalar.length;
    if (n > LESSON_MAX_STRING)
        return fail(y->cx, ev_line(y), "'%s' is longer than %zu bytes", name, LESSON_MAX_STRING);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
            return fail(y->cx, ev_line(y), "'%s' holds a control character", name);
    *out = xmalloc(n + 1);
    memcpy(*out, s, n);
    (*out)[n] = '\0';
    return true;
}

static bool read_list(Yaml *y, Entry *e)
{
    int cap = 0;
    for (;;) {
        if (!yaml_next(y)) return false;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT) return true;
        if (y->ev.type != YAML_SCALAR_EVENT)
            return fail(y->cx, ev_line(y), "'%s' must be a list of words, like [a, b]", e->key);
        if (e->n_items >= LESSON_MAX_LABELS)
            return fail(y->cx, ev_line(y), "'%s' has more than %d items", e->key, LESSON_MAX_LABELS);
        if (e->n_items == cap) {
            cap = cap ? cap * 2 : 4;
            e->items = xrealloc(e->items, (size_t)cap * sizeof *e->items);
            e->item_lines = xrealloc(e->item_lines, (size_t)cap * sizeof *e->item_lines);
        }
        e->item_lines[e->n_items] = ev_line(y);
        if (!scalar_dup(y, e->key, &e->items[e->n_items])) return false;
        e->n_items++;
    }
}

/* A mapping of plain keys to scalars (key: "value" lines indented under
 * the key), for variants. */
static bool read_pairs(Yaml *y, Entry *e)
{
    int cap = 0;
    e->is_map = true;
    for (;;) {
        if (!yaml_next(y)) return false;
        if (y->ev.type == YAML_MAPPING_END_EVENT) return true;
        if (y->ev.type != YAML_SCALAR_EVENT || y->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return fail(y->cx, ev_line(y), "'%s' must hold 'name: value' lines with plain names", e->key);
        if (e->n_items >= LESSON_MAX_LABELS)
            return fail(y->cx, ev_line(y), "'%s' has more than %d entries", e->key, LESSON_MAX_LABELS);
        if (e->n_items == cap) {
            cap = cap ? cap * 2 : 4;
            e->items = xrealloc(e->items, (size_t)cap * sizeof *e->items);
            e->values = xrealloc(e->values, (size_t)cap * sizeof *e->values);
            e->item_lines = xrealloc(e->item_lines, (size_t)cap * sizeof *e->item_lines);
        }
        int k = e->n_items;
        e->item_lines[k] = ev_line(y);
        e->values[k] = NULL;
        if (!scalar_dup(y, e->key, &e->items[k])) return false;
        e->n_items++;
        for (int j = 0; j < k; j++)
            if (strcmp(e->items[j], e->items[k]) == 0)
                return fail(y->cx, e->item_lines[k], "'%s' names '%s' twice", e->key, e->items[k]);
        if (!yaml_next(y)) return false;
        if (y->ev.type != YAML_SCALAR_EVENT)
            return fail(y->cx, ev_line(y), "'%s': '%s' must be one value", e->key, e->items[k]);
        if (!scalar_dup(y, e->key, &e->values[k])) return false;
    }
}

/* Far more keys than any block knows (15): the duplicate check is quadratic. */
#define MAX_KEYS 64

/* Reads src (n bytes, its first line being first_line in the file) as a
 * mapping of key: scalar or key: [list]. Empty text is an empty mapping.
 * Duplicate keys are refused. */
static bool map_read(Ctx *cx, const char *src, size_t n, int first_line, const char *what, Map *out)
{
    Yaml y = {.cx = cx, .first_line = first_line, .what = what};
    bool ok = false;
    int cap = 0;
    *out = (Map){0};
    if (!yaml_parser_initialize(&y.parser)) return fail(cx, first_line, "out of memory reading YAML");
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)src, n);
    yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);

    if (!yaml_next(&y)) goto done; /* stream start */
    if (!yaml_next(&y)) goto done;
    if (y.ev.type == YAML_STREAM_END_EVENT) {
        ok = true; /* nothing but comments */
        goto done;
    }
    if (!yaml_next(&y)) goto done; /* past document start */
    if (y.ev.type == YAML_SCALAR_EVENT && y.ev.data.scalar.length == 0) {
        ok = true; /* an empty document */
        goto done;
    }
    if (y.ev.type != YAML_MAPPING_START_EVENT) {
        fail(cx, ev_line(&y), "the %s must be 'key: value' lines", what);
        goto done;
    }
    for (;;) {
        if (!yaml_next(&y)) goto done;
        if (y.ev.type == YAML_MAPPING_END_EVENT) break;
        if (y.ev.type != YAML_SCALAR_EVENT || y.ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
            fail(cx, ev_line(&y), "the %s must be 'key: value' lines with plain words as keys", what);
            goto done;
        }
        if (out->n >= MAX_KEYS) {
            fail(cx, ev_line(&y), "the %s has more than %d keys", what, MAX_KEYS);
            goto done;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->e = xrealloc(out->e, (size_t)cap * sizeof *out->e);
        }
        Entry *e = &out->e[out->n++];
        *e = (Entry){.key_line = ev_line(&y)};
        if (!scalar_dup(&y, "key", &e->key)) goto done;
        for (int i = 0; i < out->n - 1; i++) {
            if (strcmp(out->e[i].key, e->key) == 0) {
                fail(cx, e->key_line, "'%s' is given twice (first on line %d)", e->key, out->e[i].key_line);
                goto done;
            }
        }
        if (!yaml_next(&y)) goto done;
        e->line = ev_line(&y);
        if (y.ev.type == YAML_SCALAR_EVENT) {
            e->plain = y.ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (!scalar_dup(&y, e->key, &e->value)) goto done;
        } else if (y.ev.type == YAML_SEQUENCE_START_EVENT) {
            e->is_list = true;
            if (!read_list(&y, e)) goto done;
        } else if (y.ev.type == YAML_ALIAS_EVENT) {
            fail(cx, e->line, "'%s': YAML aliases (*name) are not supported", e->key);
            goto done;
        } else if (y.ev.type == YAML_MAPPING_START_EVENT && strcmp(e->key, "variants") == 0) {
            if (!read_pairs(&y, e)) goto done;
        } else {
            fail(cx, e->line, "'%s' must be a value or a [list], not a mapping", e->key);
            goto done;
        }
    }
    if (!yaml_next(&y)) goto done; /* document end */
    if (!yaml_next(&y)) goto done;
    if (y.ev.type != YAML_STREAM_END_EVENT) {
        fail(cx, ev_line(&y), "the %s holds more than one YAML document", what);
        goto done;
    }
    ok = true;
done:
    if (y.have_ev) yaml_event_delete(&y.ev);
    yaml_parser_delete(&y.parser);
    if (!ok) map_free(out);
    return ok;
}

static const Entry *map_get(const Map *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->e[i].key, key) == 0) return &m->e[i];
    return NULL;
}

/* Every key must be one of known (a NULL-terminated list). */
static bool map_check_keys(Ctx *cx, const Map *m, const char *const *known, const char *what, const char *list)
{
    for (int i = 0; i < m->n; i++) {
        bool found = false;
        for (const char *const *k = known; *k; k++) found = found || strcmp(*k, m->e[i].key) == 0;
        if (!found) return fail(cx, m->e[i].key_line, "unknown %s '%s' (%s)", what, m->e[i].key, list);
    }
    return true;
}

static bool is_null(const Entry *e)
{
    return e->plain && (!e->value[0] || strcmp(e->value, "~") == 0 || strcmp(e->value, "null") == 0 ||
                        strcmp(e->value, "Null") == 0 || strcmp(e->value, "NULL") == 0);
}

/* The value of a one-value key; NULL (with the error set) if it is a list or empty. */
static const char *want_scalar(Ctx *cx, const Entry *e)
{
    if (e->is_map) {
        fail(cx, e->line, "'%s' must be one value, not a mapping", e->key);
        return NULL;
    }
    if (e->is_list) {
        fail(cx, e->line, "'%s' must be one value, not a list", e->key);
        return NULL;
    }
    if (is_null(e)) {
        fail(cx, e->line, "'%s' has no value", e->key);
        return NULL;
    }
    return e->value;
}

static bool want_str(Ctx *cx, const Entry *e, char **out)
{
    const char *v = want_scalar(cx, e);
    if (!v) return false;
    if (!v[0]) return fail(cx, e->line, "'%s' is empty", e->key);
    *out = xstrdup(v);
    return true;
}

/* A whole number written plainly (a quoted "3" is text, not a number). */
static bool want_int(Ctx *cx, const Entry *e, long long lo, long long hi, long long *out)
{
    const char *v = want_scalar(cx, e);
    if (!v) return false;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!e->plain || end == v || *end || errno == ERANGE)
        return fail(cx, e->line, "'%s' must be a whole number, not '%s'", e->key, v);
    if (x < lo || x > hi) return fail(cx, e->line, "'%s' must be from %lld to %lld, not %lld", e->key, lo, hi, x);
    *out = x;
    return true;
}

/* A path relative to the lesson's folder that stays inside it, joined to dir. */
static bool want_path(Ctx *cx, const Entry *e, char **out)
{
    const char *v = want_scalar(cx, e);
    if (!v) return false;
    if (!v[0] || v[0] == '/' || strchr(v, '\\'))
        return fail(cx, e->line, "'%s' must be a path relative to the lesson's folder, not '%s'", e->key, v);
    for (const char *p = v; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return fail(cx, e->line, "'%s' must stay inside the lesson's folder ('..' in '%s')", e->key, v);
        p += n + (slash != NULL);
    }
    const char *dir = cx->l->dir;
    if (strcmp(dir, ".") == 0) {
        *out = xstrdup(v);
        return true;
    }
    size_t n = strlen(dir) + strlen(v) + 2;
    *out = xmalloc(n);
    snprintf(*out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", v);
    return true;
}

static bool want_list(Ctx *cx, const Entry *e, int lo, int hi, const char *example)
{
    if (!e->is_list) return fail(cx, e->line, "'%s' must be a list, like %s", e->key, example);
    if (e->n_items < lo || e->n_items > hi)
        return fail(cx, e->line, "'%s' must list %d to %d items, not %d", e->key, lo, hi, e->n_items);
    return true;
}

/* ---- front matter --------------------------------------------------- */

static const char *const front_keys[] = {
    "title", "task", "corpus", "labels", "data", "cells", "spec", "maxlen", "epochs",
    "batch_size", "learning_rate", "seed", "models", "sentence", "view",
    /* text (issue 13) */
    "standardize", "split", "max_tokens", "strip_html_breaks", "char_level",
    /* variants and validation (issue 13) */
    "variants", "validation",
    /* tensors (lesson 7) */
    "oov_token", "num_words", "padding", "truncating", NULL,
};
#define FRONT_LIST                                                                                                  \
    "title, task, corpus, labels, data, cells, spec, maxlen, epochs, batch_size, learning_rate, seed, models, " \
    "sentence, view, standardize, split, max_tokens, strip_html_breaks, char_level, variants, validation, oov_token, " \
    "num_words, padding, truncating"

/* Checks the spec names {cell} when it must and no other placeholder, and
 * that each cell's spec builds (with a tiny vocabulary). */
static bool check_spec(Ctx *cx, const Entry *e)
{
    Lesson *l = cx->l;
    bool has_cell = false;
    for (const char *p = l->spec; (p = strchr(p, '{')); p++) {
        if (strncmp(p, "{cell}", 6) != 0)
            return fail(cx, e->line, "'spec' has '%.12s': the only placeholder is {cell}", p);
        has_cell = true;
    }
    if (!has_cell && l->n_cells > 1)
        return fail(cx, e->line, "'spec' needs {cell} where each of the %d cells goes, e.g. \"embedding:V:16, {cell}:32, dense:V:softmax\"",
                    l->n_cells);
    for (int k = 0; k < l->n_cells; k++) {
        char *spec = lesson_spec_for(l, k);
        Err e2 = {0};
        bool ok = spec_check(spec, 4, &e2); /* shapes only: no weights are made */
        free(spec);
        if (!ok) return fail(cx, e->line, "%s (for %s)", e2.msg, lesson_cell_name(l->cells[k]));
    }
    return true;
}

/* ---- text (issue 13): how the lesson's texts become tokens ------------ */

/* true or false, written plainly */
static bool want_bool(Ctx *cx, const Entry *e, bool *out)
{
    const char *v = want_scalar(cx, e);
    if (!v) return false;
    if (e->plain && strcmp(v, "true") == 0) return *out = true, true;
    if (e->plain && strcmp(v, "false") == 0) return *out = false, true;
    return fail(cx, e->line, "'%s' must be true or false, not '%s'", e->key, v);
}

/* tensors (lesson 7): oov_token and num_words (Keras' Tokenizer only),
 * padding and truncating (pad_sequences: pre or post). */
static bool want_side(Ctx *cx, const Entry *e, TextSide *out)
{
    const char *v = want_scalar(cx, e);
    if (!v) return false;
    if (e->plain && strcmp(v, "pre") == 0) return *out = TEXT_PRE, true;
    if (e->plain && strcmp(v, "post") == 0) return *out = TEXT_POST, true;
    return fail(cx, e->line, "'%s' must be pre or post, not '%s'", e->key, v);
}

static bool front_apply_tensors(Ctx *cx, const Map *m)
{
    Lesson *l = cx->l;
    const Entry *e = NULL;
    long long x = 0;
    TextSide dflt = l->text_vectorize ? TEXT_POST : TEXT_PRE;
    l->padding = l->truncating = dflt;
    if ((e = map_get(m, "oov_token"))) {
        if (l->text_vectorize)
            return fail(cx, e->line, "'oov_token' is Keras' Tokenizer's; TextVectorization's unknown word is always [UNK], index 1");
        if (!want_str(cx, e, &l->oov_token)) return false;
        if (!l->oov_token[0] || strlen(l->oov_token) > TEXT_MAX_OOV_BYTES || !text_utf8_valid(l->oov_token, strlen(l->oov_token)))
            return fail(cx, e->line, "'oov_token' must be 1 to %d bytes of UTF-8", TEXT_MAX_OOV_BYTES);
    }
    if ((e = map_get(m, "num_words"))) {
        if (l->text_vectorize)
            return fail(cx, e->line, "'num_words' is Keras' Tokenizer's; TextVectorization's is max_tokens");
        if (!want_int(cx, e, 1, TEXT_MAX_INDEX + 1LL, &x)) return false;
        l->num_words = (int)x;
    }
    const char *keys[2] = {"padding", "truncating"};
    TextSide *sides[2] = {&l->padding, &l->truncating};
    for (int k = 0; k < 2; k++) {
        if (!(e = map_get(m, keys[k]))) continue;
        if (!want_side(cx, e, sides[k])) return false;
        if (l->text_vectorize && *sides[k] != TEXT_POST)
            return fail(cx, e->line, "TextVectorization pads and cuts at the end (output_sequence_length): '%s' can only be post",
                        keys[k]);
        if (l->task == LESSON_NEXT_WORD && *sides[k] != TEXT_PRE)
            return fail(cx, e->line, "a next-word lesson's rows are padded and cut in front: '%s' can only be pre", keys[k]);
    }
    return true;
}

/* standardize, split, max_tokens, strip_html_breaks (any of them: Keras'
 * TextVectorization) or char_level (Keras' Tokenizer(char_level=True)). */
static bool front_apply_text(Ctx *cx, const Map *m)
{
    Lesson *l = cx->l;
    const Entry *e = NULL;
    long long x = 0;
    l->standardize = TEXT_STD_LOWER_AND_STRIP_PUNCTUATION;
    l->split_mode = TEXT_SPLIT_WHITESPACE;
    if ((e = map_get(m, "standardize"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (!text_standardize_parse(v, &l->standardize))
            return fail(cx, e->line, "unknown standardize '%s' (lower_and_strip_punctuation, lower, strip_punctuation, none)", v);
        l->text_vectorize = true;
    }
    if ((e = map_get(m, "split"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (!text_split_parse(v, &l->split_mode)) return fail(cx, e->line, "unknown split '%s' (whitespace, character, none)", v);
        l->text_vectorize = true;
    }
    if ((e = map_get(m, "max_tokens"))) {
        if (!want_int(cx, e, 2, TEXT_MAX_INDEX + 1LL, &x)) return false;
        l->max_tokens = (int)x;
        l->text_vectorize = true;
    }
    if ((e = map_get(m, "strip_html_breaks"))) {
        if (!want_bool(cx, e, &l->strip_html_breaks)) return false;
        l->text_vectorize = true;
    }
    if ((e = map_get(m, "char_level"))) {
        if (!want_bool(cx, e, &l->char_level)) return false;
        if (l->char_level && l->text_vectorize)
            return fail(cx, e->line, "'char_level' is Keras' Tokenizer's; with standardize/split/max_tokens/strip_html_breaks "
                                     "(TextVectorization) write split: character");
    }
    return front_apply_tensors(cx, m);
}

/* variants: name: "spec" lines, each a model of its own, in place of cells
 * and spec; the first recurrent layer's kind stands for its cell. */
static bool front_apply_variants(Ctx *cx, const Map *m, const Entry *e)
{
    Lesson *l = cx->l;
    const Entry *other = map_get(m, "cells");
    if (!other) other = map_get(m, "spec");
    if (other) return fail(cx, other->key_line, "'%s' and 'variants' do not go together: each variant has its own spec", other->key);
    if (!e->is_map)
        return fail(cx, e->line, "'variants' must hold 'name: \"spec\"' lines, e.g. conv: \"embedding:V:16, conv1d:32:5:relu, gmaxpool, dense:1:sigmoid\"");
    if (e->n_items < 1 || e->n_items > LESSON_MAX_CELLS)
        return fail(cx, e->line, "'variants' must name 1 to %d models, not %d", LESSON_MAX_CELLS, e->n_items);
    for (int k = 0; k < e->n_items; k++) {
        const char *name = e->items[k], *spec = e->values[k];
        size_t n = strlen(name);
        bool ok = n >= 1 && n <= 32;
        for (size_t i = 0; i < n && ok; i++)
            ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_';
        if (!ok) return fail(cx, e->item_lines[k], "variant name '%s' must be 1 to 32 of a-z, 0-9, - and _ (it names a folder)", name);
        if (!spec || !spec[0]) return fail(cx, e->item_lines[k], "variant '%s' has no spec", name);
        if (strchr(spec, '{')) return fail(cx, e->item_lines[k], "variant '%s': a variant's spec has no placeholders", name);
        Err e2 = {0};
        if (!spec_check(spec, 4, &e2)) return fail(cx, e->item_lines[k], "%s (for %s)", e2.msg, name);
        l->variant_names[k] = xstrdup(name);
        l->variant_specs[k] = xstrdup(spec);
        l->cells[k] = CELL_LSTM;
        /* the first recurrent layer's kind, from the (checked) spec's layer words */
        for (const char *p = spec; *p;) {
            while (*p == ' ' || *p == ',') p++;
            if (strncmp(p, "bi-", 3) == 0) p += 3;
            CellKind kind;
            bool found = true;
            if (strncmp(p, "lstm", 4) == 0) kind = CELL_LSTM;
            else if (strncmp(p, "gru", 3) == 0) kind = CELL_GRU;
            else if (strncmp(p, "rnn", 3) == 0) kind = CELL_SIMPLE_RNN;
            else found = false;
            if (found) {
                l->cells[k] = kind;
                l->variant_recurrent[k] = true;
                break;
            }
            p += strcspn(p, ",");
        }
        l->n_cells++;
    }
    return true;
}

static bool front_apply(Ctx *cx, const Map *m)
{
    Lesson *l = cx->l;
    const Entry *e = NULL;
    long long x = 0;
    if (!map_check_keys(cx, m, front_keys, "front matter key", FRONT_LIST)) return false;

    if (!(e = map_get(m, "title"))) return fail(cx, 1, "the front matter has no 'title'");
    if (!want_str(cx, e, &l->title)) return false;

    l->task = LESSON_NEXT_WORD;
    if (!(e = map_get(m, "task"))) return fail(cx, 1, "the front matter has no 'task' (next-word or classify)");
    const char *task = want_scalar(cx, e);
    if (!task) return false;
    if (strcmp(task, "classify") == 0) l->task = LESSON_CLASSIFY;
    else if (strcmp(task, "next-word") != 0)
        return fail(cx, e->line, "unknown task '%s' (next-word, classify)", task);

    const Entry *variants = map_get(m, "variants");
    if (variants) {
        if (!front_apply_variants(cx, m, variants)) return false;
    } else {
        char list[128], example[130];
        snprintf(example, sizeof example, "[%s]", CELL_LIST(list));
        if (!(e = map_get(m, "cells"))) return fail(cx, 1, "the front matter has no 'cells', e.g. %s", example);
        if (!want_list(cx, e, 1, LESSON_MAX_CELLS, example)) return false;
        for (int i = 0; i < e->n_items; i++) {
            CellKind k;
            if (!lesson_cell_parse(e->items[i], &k))
                return fail(cx, e->item_lines[i], "unknown cell '%s' (%s)", e->items[i], CELL_LIST(list));
            for (int j = 0; j < i; j++)
                if (l->cells[j] == k) return fail(cx, e->item_lines[i], "cell '%s' is listed twice", e->items[i]);
            l->cells[l->n_cells++] = k;
        }

        if (!(e = map_get(m, "spec"))) return fail(cx, 1, "the front matter has no 'spec', e.g. \"embedding:V:16, {cell}:32, dense:V:softmax\"");
        if (!want_str(cx, e, &l->spec) || !check_spec(cx, e)) return false;
    }

    /* what the models learn from */
    const Entry *corpus = map_get(m, "corpus"), *data = map_get(m, "data"), *labels = map_get(m, "labels");
    if (l->task == LESSON_NEXT_WORD) {
        if (data) return fail(cx, data->key_line, "'data' is for classify lessons; next-word lessons learn from 'corpus'");
        if (labels) return fail(cx, labels->key_line, "'labels' is for classify lessons only");
        if (!corpus) return fail(cx, 1, "the front matter has no 'corpus' (the text a next-word lesson learns from)");
        if (!want_path(cx, corpus, &l->corpus)) return false;
    } else {
        if (corpus) return fail(cx, corpus->key_line, "'corpus' is for next-word lessons; classify lessons learn from 'data'");
        if (!data) return fail(cx, 1, "the front matter has no 'data' (the rows a classify lesson learns from)");
        if (!labels) return fail(cx, 1, "the front matter has no 'labels' (the class names, in label order)");
        if (!want_path(cx, data, &l->data)) return false;
        if (!want_list(cx, labels, 2, LESSON_MAX_LABELS, "[negative, positive]")) return false;
        l->labels = xcalloc((size_t)labels->n_items, sizeof *l->labels);
        for (int i = 0; i < labels->n_items; i++) {
            if (!labels->items[i][0]) return fail(cx, labels->item_lines[i], "label %d is empty", i);
            for (int j = 0; j < i; j++)
                if (strcmp(labels->items[i], l->labels[j]) == 0)
                    return fail(cx, labels->item_lines[i], "label '%s' is listed twice", labels->items[i]);
            l->labels[l->n_labels++] = xstrdup(labels->items[i]);
        }
    }

    /* training */
    if ((e = map_get(m, "maxlen"))) {
        if (!want_int(cx, e, 1, ENGINE_MAX_SEQ, &x)) return false;
        l->maxlen = (int)x;
    }
    if (!(e = map_get(m, "epochs"))) return fail(cx, 1, "the front matter has no 'epochs'");
    if (!want_int(cx, e, 1, ENGINE_MAX_EPOCHS, &x)) return false;
    l->epochs = (int)x;
    if (!(e = map_get(m, "batch_size"))) return fail(cx, 1, "the front matter has no 'batch_size'");
    if (!want_int(cx, e, 1, ENGINE_MAX_BATCH, &x)) return false;
    l->batch_size = (int)x;
    if ((e = map_get(m, "learning_rate"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        char *end = NULL;
        double lr = strtod(v, &end);
        if (!e->plain || end == v || *end || !isfinite(lr) || lr <= 0 || lr > 10)
            return fail(cx, e->line, "'learning_rate' must be a number above 0 and at most 10, not '%s'", v);
        l->learning_rate = lr;
    }
    if (!(e = map_get(m, "seed"))) return fail(cx, 1, "the front matter has no 'seed' (lessons are the same every time)");
    if (!want_int(cx, e, 0, LLONG_MAX, &x)) return false;
    l->seed = (unsigned long long)x;
    if (!(e = map_get(m, "models"))) return fail(cx, 1, "the front matter has no 'models' (the folder of models/<cell>/)");
    if (!want_path(cx, e, &l->models)) return false;
    if ((e = map_get(m, "validation")) && !want_path(cx, e, &l->validation)) return false;

    /* how it opens */
    if (!(e = map_get(m, "sentence"))) return fail(cx, 1, "the front matter has no 'sentence' (the input the lesson opens with)");
    if (!want_str(cx, e, &l->sentence)) return false;
    l->view = VIEW_UNROLLED;
    if ((e = map_get(m, "view"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        char views[160];
        if (!view_kind_parse(v, &l->view)) return fail(cx, e->line, "unknown view '%s' (%s)", v, VIEW_LIST(views));
    }
    return front_apply_text(cx, m);
}

/* ---- directives (a step's ```unroll block) --------------------------- */

static const char *const dir_keys[] = {"view", "sentence", "step", "cell", "highlight", "quiz", "choices", "answer",
                                       "explain", "units", "attribution", "epoch", "temperature", NULL};
#define DIR_LIST \
    "view, sentence, step, cell, highlight, quiz, choices, answer, explain, units, attribution, epoch, temperature"

/* quiz: a judged quiz's choices, answer and explanation */
static bool quiz_apply(Ctx *cx, const Map *m, LessonDirectives *d)
{
    static const char *const judged[] = {"choices", "answer", "explain"};
    for (int k = 0; k < 3; k++) {
        const Entry *e = map_get(m, judged[k]);
        if (e && !d->quiz) return fail(cx, e->key_line, "'%s' belongs to a quiz: add 'quiz: \"the question\"'", judged[k]);
    }
    const Entry *e = NULL;
    if ((e = map_get(m, "choices"))) {
        if (!want_list(cx, e, 2, LESSON_MAX_CHOICES, "[moon, road, hill]")) return false;
        d->choices = xcalloc((size_t)e->n_items, sizeof *d->choices);
        for (int i = 0; i < e->n_items; i++) {
            if (!e->items[i][0]) return fail(cx, e->item_lines[i], "choice %d is empty", i + 1);
            if (strlen(e->items[i]) > 64) return fail(cx, e->item_lines[i], "choice %d is longer than 64 bytes", i + 1);
            for (int j = 0; j < i; j++)
                if (strcmp(e->items[i], d->choices[j]) == 0)
                    return fail(cx, e->item_lines[i], "choice '%s' is listed twice", e->items[i]);
            d->choices[d->n_choices++] = xstrdup(e->items[i]);
        }
    }
    if ((e = map_get(m, "answer"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (!v[0]) return fail(cx, e->line, "'answer' is empty");
        if (strlen(v) > 64) return fail(cx, e->line, "'answer' is longer than 64 bytes");
        if (e->plain && strcmp(v, "model") == 0) d->answer_model = true;
        else {
            bool listed = d->n_choices == 0;
            for (int i = 0; i < d->n_choices; i++) listed |= strcmp(d->choices[i], v) == 0;
            if (!listed) return fail(cx, e->line, "answer '%s' is not one of the choices", v);
            if (!d->n_choices && strchr(v, ' '))
                return fail(cx, e->line, "a typed answer is one word, not '%s'", v);
            d->answer = xstrdup(v);
        }
    } else if (d->n_choices) {
        return fail(cx, map_get(m, "choices")->key_line, "'choices' need an 'answer' (one of them, or 'model')");
    }
    if ((e = map_get(m, "explain"))) {
        if (!d->answer && !d->answer_model) return fail(cx, e->key_line, "'explain' needs an 'answer' to explain");
        if (!want_str(cx, e, &d->explain)) return false;
    }
    return true;
}

static bool directives_apply(Ctx *cx, const Map *m, LessonDirectives *d)
{
    const Lesson *l = cx->l;
    const Entry *e = NULL;
    long long x = 0;
    if (!map_check_keys(cx, m, dir_keys, "directive", DIR_LIST)) return false;
    if ((e = map_get(m, "view"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        char list[160];
        if (!view_kind_parse(v, &d->view)) return fail(cx, e->line, "unknown view '%s' (%s)", v, VIEW_LIST(list));
        d->has_view = true;
    }
    if ((e = map_get(m, "sentence")) && !want_str(cx, e, &d->sentence)) return false;
    if ((e = map_get(m, "step"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (e->plain && v[0] == '-' && v[1] >= '0' && v[1] <= '9')
            return fail(cx, e->line, "'step' counts timesteps from 0; it cannot be %s", v);
        if (!want_int(cx, e, 0, ENGINE_MAX_SEQ - 1, &x)) return false;
        d->step = (int)x;
    }
    if ((e = map_get(m, "cell"))) {
        const char *v = want_scalar(cx, e);
        CellKind k;
        if (!v) return false;
        char list[128];
        if (l->variant_names[0]) {
            /* a variant, by name */
            for (int i = 0; i < l->n_cells; i++)
                if (strcmp(l->variant_names[i], v) == 0) d->cell = i;
            if (d->cell < 0) {
                size_t n = 0;
                list[0] = '\0';
                for (int i = 0; i < l->n_cells && n < sizeof list; i++)
                    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", l->variant_names[i]);
                return fail(cx, e->line, "cell '%s' is not one of this lesson's variants (%s)", v, list);
            }
        } else {
            if (!lesson_cell_parse(v, &k)) return fail(cx, e->line, "unknown cell '%s' (%s)", v, CELL_LIST(list));
            for (int i = 0; i < l->n_cells; i++)
                if (l->cells[i] == k) d->cell = i;
            if (d->cell < 0) return fail(cx, e->line, "cell '%s' is not one of this lesson's cells (see 'cells')", v);
        }
    }
    if ((e = map_get(m, "highlight"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        char name[16] = {0};
        char rest[32] = {0};
        int got = sscanf(v, "%15s %31s", name, rest);
        if (got < 1 || strlen(name) != 1 || !strchr("hcifgozrnx", name[0]))
            return fail(cx, e->line, "highlight: unknown vector '%s' (" VECTOR_LIST ")", got >= 1 ? name : v);
        d->highlight_unit = -1;
        if (got == 2) {
            char *end = NULL;
            errno = 0;
            long u = strtol(rest, &end, 10);
            if (end == rest || *end || errno == ERANGE || u < 0 || u >= ENGINE_MAX_DIM)
                return fail(cx, e->line, "highlight: the unit after '%s' must be a whole number from 0, not '%s'", name, rest);
            char extra[8] = {0};
            if (sscanf(v, "%*s %*s %7s", extra) == 1)
                return fail(cx, e->line, "highlight takes a vector and a unit, like 'f 5', not '%s'", v);
            d->highlight_unit = (int)u;
        }
        int shown = d->cell >= 0 ? d->cell : l->n_cells == 1 ? 0 : -1;
        if (shown >= 0 && l->variant_names[shown] && !l->variant_recurrent[shown] && name[0] != 'x')
            return fail(cx, e->line, "highlight: %s has no recurrent cell, so no vector '%s'", l->variant_names[shown], name);
        if (shown >= 0 && !strchr(cell_vectors[l->cells[shown]], name[0])) {
            const char *has = l->cells[shown] == CELL_LSTM ? "h, c, x, i, f, g, o"
                              : l->cells[shown] == CELL_GRU ? "h, x, z, r, n"
                                                            : "h, x";
            return fail(cx, e->line, "highlight: %s has no vector '%s' (%s)", lesson_model_name(l, shown), name, has);
        }
        memcpy(d->highlight_vec, name, 2);
    }
    /* hist: the training history's snapshot a step opens at */
    if ((e = map_get(m, "epoch"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (strcmp(v, "last") == 0) {
            d->epoch = LESSON_EPOCH_LAST;
        } else {
            if (e->plain && v[0] == '-')
                return fail(cx, e->line, "'epoch' counts from 0 (the initial weights) or is 'last'; it cannot be %s", v);
            if (!want_int(cx, e, 0, HISTORY_MAX_SNAPSHOTS - 1, &x)) return false;
            d->epoch = (int)x;
        }
    }
    /* lesson 9: the generation temperature a step opens at */
    if ((e = map_get(m, "temperature"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        char *end = NULL;
        double t = strtod(v, &end);
        if (!e->plain || end == v || *end || !isfinite(t) || t < 0 || t > LESSON_MAX_TEMPERATURE)
            return fail(cx, e->line, "'temperature' must be a number from 0 (greedy) to %g, not '%s'",
                        (double)LESSON_MAX_TEMPERATURE, v);
        d->temperature = (float)t;
    }
    if ((e = map_get(m, "quiz"))) {
        if (e->is_list) return fail(cx, e->line, "'quiz' must be one question, not a list");
        if (is_null(e) || !e->value[0]) return fail(cx, e->line, "'quiz' needs the question's text");
        d->quiz = xstrdup(e->value);
    }
    /* chart helper: the units the chart view plots */
    if ((e = map_get(m, "units"))) {
        if (!want_list(cx, e, 1, LESSON_MAX_UNITS, "[18, 14, 15]")) return false;
        for (int i = 0; i < e->n_items; i++) {
            char *end = NULL;
            errno = 0;
            long u = strtol(e->items[i], &end, 10);
            if (end == e->items[i] || *end || errno == ERANGE || u < 0 || u >= ENGINE_MAX_DIM)
                return fail(cx, e->item_lines[i], "units: '%s' is not a unit number from 0 to %d", e->items[i], ENGINE_MAX_DIM - 1);
            for (int k = 0; k < d->n_units; k++)
                if (d->units[k] == (int)u) return fail(cx, e->item_lines[i], "units: unit %ld is listed twice", u);
            d->units[d->n_units++] = (int)u;
        }
    }

    /* input attribution (helper attr): true, false, or the class to explain */
    if ((e = map_get(m, "attribution"))) {
        const char *v = want_scalar(cx, e);
        if (!v) return false;
        if (!v[0]) return fail(cx, e->line, "'attribution' takes true, false or a class (a label or a word)");
        free(d->attribution_class);
        d->attribution_class = NULL;
        d->attribution = strcmp(v, "false") != 0;
        if (d->attribution && strcmp(v, "true") != 0) {
            if (strlen(v) >= 64) return fail(cx, e->line, "attribution: the class '%.20s...' is longer than 63 bytes", v);
            d->attribution_class = xstrdup(v);
        }
    }
    return quiz_apply(cx, m, d);
}

/* ---- body: Markdown through md4c ------------------------------------ */

/* Narration being written: separators are owed, not written, until more
 * text comes, so no text ends in blank lines. */
typedef struct {
    StrBuf text;
    LessonSpan *spans;
    int n_spans, cap_spans;
    int pending; /* newlines owed before the next text (0..2) */
    int indent;  /* spaces owed after them */
} Prose;

static void prose_break(Prose *p, int newlines, int indent)
{
    if (newlines > p->pending) p->pending = newlines;
    p->indent = indent;
}

static void prose_flush(Prose *p)
{
    if (p->text.len > 0 && p->pending) {
        strbuf_put(&p->text, "\n\n", (size_t)p->pending);
        for (int i = 0; i < p->indent; i++) strbuf_put(&p->text, " ", 1);
    }
    p->pending = 0;
    p->indent = 0;
}

static void prose_put(Prose *p, const char *s, size_t n)
{
    if (!n) return;
    prose_flush(p);
    strbuf_put(&p->text, s, n);
}

static void prose_span(Prose *p, LessonSpanKind kind, size_t start)
{
    if (p->text.len <= start) return;
    if (p->n_spans == p->cap_spans) {
        p->cap_spans = p->cap_spans ? p->cap_spans * 2 : 8;
        p->spans = xrealloc(p->spans, (size_t)p->cap_spans * sizeof *p->spans);
    }
    p->spans[p->n_spans++] = (LessonSpan){kind, (int)start, (int)(p->text.len - start)};
}

static void prose_free(Prose *p)
{
    buf_free(&p->text);
    free(p->spans);
    *p = (Prose){0};
}

/* Spans are recorded as they close, so inner ones come first: order them
 * by start (then outer first). */
static int span_cmp(const void *a, const void *b)
{
    const LessonSpan *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->len > y->len ? -1 : x->len < y->len;
}

static void prose_take(Prose *p, char **text, LessonSpan **spans, int *n_spans)
{
    if (p->n_spans) qsort(p->spans, (size_t)p->n_spans, sizeof *p->spans, span_cmp);
    *text = buf_take(&p->text);
    *spans = p->spans;
    *n_spans = p->n_spans;
    *p = (Prose){0};
}

#define MAX_NEST 32 /* deeper lists and spans still parse; they are just not numbered or styled */

typedef struct {
    Ctx *cx;
    Prose prose;       /* the intro, then the current step's narration */
    bool failed;
    size_t last_off;   /* last place in the file md4c's text came from */
    bool seen_text;    /* last_off is text's, not the body's start */
    /* headings */
    int heading;       /* 0, or the level of the '#'/'##' heading being read */
    StrBuf title;
    int title_line;
    bool seen_title;   /* the '#' title */
    /* blocks */
    int nest;          /* quotes and lists around us */
    int list_depth;
    int ol_next[MAX_NEST]; /* next number of an ordered list; 0 for bullets */
    bool item_fresh;   /* just wrote an item's bullet */
    int table_cell;
    bool in_html;
    int code;          /* 0, 1 a narration code block, 2 an ```unroll block */
    size_t code_start; /* narration code: where its text starts */
    StrBuf yaml;          /* ```unroll block's content */
    int span_depth;
    size_t span_start[MAX_NEST];
} Md;

/* md4c hands over text from the file or from its own constants ("\n"). */
static bool in_file(const Ctx *cx, const char *s)
{
    uintptr_t p = (uintptr_t)s, a = (uintptr_t)cx->text;
    return p >= a && p < a + cx->len;
}

static LessonStep *cur_step(Md *md)
{
    Lesson *l = md->cx->l;
    return l->n_steps ? &l->steps[l->n_steps - 1] : NULL;
}

/* The narration gathered so far goes to the intro or the current step. */
static void finish_prose(Md *md)
{
    Lesson *l = md->cx->l;
    LessonStep *s = cur_step(md);
    if (s) prose_take(&md->prose, &s->text, &s->spans, &s->n_spans);
    else prose_take(&md->prose, &l->intro, &l->intro_spans, &l->n_intro_spans);
}

/* A heading with no text gave no position: it is the first line after the
 * last text seen that starts with '#'. */
static int empty_heading_line(const Md *md)
{
    const Ctx *cx = md->cx;
    int first = md->seen_text ? line_of(cx, md->last_off) + 1 : line_of(cx, md->last_off);
    for (int ln = first; ln <= cx->n_lines; ln++) {
        const char *s = cx->text + cx->line_starts[ln - 1];
        const char *end = cx->text + cx->len;
        while (s < end && *s == ' ') s++;
        if (s < end && *s == '#') return ln;
    }
    return first <= cx->n_lines ? first : cx->n_lines;
}

/* Stops md4c: the error is already set. */
static int md_stop(Md *md)
{
    md->failed = true;
    return 1;
}

static int md_fail(Md *md, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int md_fail(Md *md, int line, const char *fmt, ...)
{
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(md->cx, line, "%s", msg);
    return md_stop(md);
}

/* A new paragraph-like block: a blank line at the top, in a list a new
 * indented line (unless it is the item's first). */
static void block_break(Md *md)
{
    if (md->list_depth == 0) prose_break(&md->prose, 2, 0);
    else if (md->item_fresh) md->item_fresh = false;
    else prose_break(&md->prose, 1, 2 * md->list_depth);
}

static bool start_step(Md *md)
{
    Ctx *cx = md->cx;
    Lesson *l = cx->l;
    if (l->n_steps >= LESSON_MAX_STEPS)
        return fail(cx, md->title_line, "a lesson has at most %d steps ('##' headings)", LESSON_MAX_STEPS);
    finish_prose(md);
    l->steps = xrealloc(l->steps, (size_t)(l->n_steps + 1) * sizeof *l->steps);
    LessonStep *s = &l->steps[l->n_steps++];
    *s = (LessonStep){0};
    s->dir = (LessonDirectives){.step = -1, .cell = -1, .highlight_unit = -1, .epoch = -1, .temperature = -1};
    s->line = md->title_line;
    s->title = buf_take(&md->title);
    return true;
}

static int md_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    Md *md = ud;
    if (md->failed) return 1;
    Ctx *cx = md->cx;
    switch (type) {
    case MD_BLOCK_DOC:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
        break;
    case MD_BLOCK_QUOTE:
        block_break(md);
        md->nest++;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (md->list_depth == 0) prose_break(&md->prose, 2, 0);
        else prose_break(&md->prose, 1, 0);
        md->item_fresh = false;
        if (md->list_depth < MAX_NEST)
            md->ol_next[md->list_depth] = type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        md->list_depth++;
        md->nest++;
        break;
    case MD_BLOCK_LI: {
        char bullet[64];
        int depth = md->list_depth < MAX_NEST ? md->list_depth : MAX_NEST;
        int indent = 2 * (depth - 1);
        int number = md->ol_next[depth - 1];
        if (number > 0) {
            snprintf(bullet, sizeof bullet, "%*s%d. ", indent, "", number);
            md->ol_next[depth - 1]++;
        } else {
            snprintf(bullet, sizeof bullet, "%*s\xe2\x80\xa2 ", indent, "");
        }
        prose_break(&md->prose, 1, 0);
        prose_put(&md->prose, bullet, strlen(bullet));
        md->item_fresh = true;
        break;
    }
    case MD_BLOCK_H: {
        unsigned level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        if (level <= 2 && md->nest == 0) {
            md->heading = (int)level;
            md->title_line = 0;
            buf_free(&md->title);
        } else {
            block_break(md);
        }
        break;
    }
    case MD_BLOCK_CODE: {
        const MD_BLOCK_CODE_DETAIL *d = detail;
        if (d->fence_char && d->lang.size == 6 && memcmp(d->lang.text, "unroll", 6) == 0) {
            int line = in_file(cx, d->lang.text) ? line_of(cx, (size_t)(d->lang.text - cx->text))
                                                  : line_of(cx, md->last_off);
            LessonStep *s = cur_step(md);
            if (d->info.size != d->lang.size)
                return md_fail(md, line, "an ```unroll fence takes nothing after 'unroll'");
            if (!s)
                return md_fail(md, line,
                               "an ```unroll block belongs to a step: put it under a '##' heading (the opening "
                               "view and sentence go in the front matter)");
            if (s->dir.line)
                return md_fail(md, line, "a step has one ```unroll block; this step's first is on line %d",
                               s->dir.line);
            s->dir.line = line;
            md->code = 2;
            buf_free(&md->yaml);
        } else {
            block_break(md);
            md->code = 1;
            md->code_start = SIZE_MAX; /* set by its first text */
        }
        break;
    }
    case MD_BLOCK_HTML:
        md->in_html = true; /* raw HTML (comments, say) is not narration */
        break;
    case MD_BLOCK_HR:
    case MD_BLOCK_P:
    case MD_BLOCK_TABLE:
        block_break(md);
        break;
    case MD_BLOCK_TR:
        prose_break(&md->prose, 1, 2 * md->list_depth);
        md->table_cell = 0;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (md->table_cell++ > 0) prose_put(&md->prose, " | ", 3);
        break;
    }
    return 0;
}

static int md_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    Md *md = ud;
    if (md->failed) return 1;
    Ctx *cx = md->cx;
    Lesson *l = cx->l;
    switch (type) {
    case MD_BLOCK_QUOTE:
        md->nest--;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        md->list_depth--;
        md->nest--;
        md->item_fresh = false;
        break;
    case MD_BLOCK_H:
        if (!md->heading) break;
        if (!md->title_line) md->title_line = empty_heading_line(md);
        if (md->heading == 1) {
            if (md->seen_title || l->n_steps || md->prose.text.len)
                return md_fail(md, md->title_line, "a lesson has one '#' title, at the top; steps are '##' headings");
            md->seen_title = true;
            buf_free(&md->title);
        } else {
            if (!md->title.len) return md_fail(md, md->title_line, "a '##' step heading needs a title");
            if (!start_step(md)) return md_stop(md);
        }
        md->heading = 0;
        break;
    case MD_BLOCK_CODE:
        if (md->code == 2) {
            LessonStep *s = cur_step(md);
            Map m = {0};
            bool ok = map_read(cx, md->yaml.p ? md->yaml.p : "", md->yaml.len, s->dir.line + 1, "```unroll block", &m) &&
                      directives_apply(cx, &m, &s->dir);
            map_free(&m);
            buf_free(&md->yaml);
            if (!ok) return md_stop(md);
        } else if (md->code == 1 && md->code_start != SIZE_MAX) {
            prose_span(&md->prose, LESSON_SPAN_CODE, md->code_start);
        }
        md->code = 0;
        break;
    case MD_BLOCK_HTML:
        md->in_html = false;
        break;
    default:
        break;
    }
    (void)detail;
    return 0;
}

static int md_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    Md *md = ud;
    if (md->failed) return 1;
    (void)type;
    (void)detail;
    if (!md->heading && md->span_depth < MAX_NEST) {
        prose_flush(&md->prose);
        md->span_start[md->span_depth] = md->prose.text.len;
    }
    md->span_depth++;
    return 0;
}

static int md_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    Md *md = ud;
    if (md->failed) return 1;
    (void)detail;
    md->span_depth--;
    if (md->heading || md->span_depth >= MAX_NEST) return 0;
    size_t start = md->span_start[md->span_depth];
    if (type == MD_SPAN_EM) prose_span(&md->prose, LESSON_SPAN_EM, start);
    else if (type == MD_SPAN_STRONG) prose_span(&md->prose, LESSON_SPAN_STRONG, start);
    else if (type == MD_SPAN_CODE) prose_span(&md->prose, LESSON_SPAN_CODE, start);
    return 0;
}

static size_t utf8_put(char *out, unsigned long cp)
{
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* md4c hands entities over verbatim: the numeric ones and the few named
 * ones a lesson is likely to use become characters, others stay as written. */
static size_t entity_decode(const char *s, size_t n, char *out)
{
    static const struct {
        const char *name, *utf8;
    } named[] = {{"&amp;", "&"},   {"&lt;", "<"},           {"&gt;", ">"},           {"&quot;", "\""},
                 {"&apos;", "'"},  {"&nbsp;", "\xc2\xa0"},  {"&mdash;", "\xe2\x80\x94"}, {"&ndash;", "\xe2\x80\x93"},
                 {"&hellip;", "\xe2\x80\xa6"}, {"&times;", "\xc3\x97"}, {"&middot;", "\xc2\xb7"}};
    if (n >= 4 && s[1] == '#') {
        bool hex = s[2] == 'x' || s[2] == 'X';
        unsigned long cp = strtoul(s + (hex ? 3 : 2), NULL, hex ? 16 : 10);
        return utf8_put(out, cp);
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0) {
            size_t k = strlen(named[i].utf8);
            memcpy(out, named[i].utf8, k);
            return k;
        }
    }
    return 0;
}

static int md_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    Md *md = ud;
    if (md->failed) return 1;
    Ctx *cx = md->cx;
    if (in_file(cx, s)) {
        md->last_off = (size_t)(s - cx->text);
        md->seen_text = true;
        if (md->heading && !md->title_line) md->title_line = line_of(cx, md->last_off);
    }
    if (md->in_html || type == MD_TEXT_HTML) return 0;
    if (md->code == 2) {
        strbuf_put(&md->yaml, s, n);
        return 0;
    }
    if (md->code == 1) {
        /* a narration code block: its lines are kept, indented in a list */
        for (size_t i = 0; i < n;) {
            const char *nl = memchr(s + i, '\n', n - i);
            size_t k = nl ? (size_t)(nl - (s + i)) : n - i;
            if (k && md->code_start == SIZE_MAX) {
                prose_flush(&md->prose);
                md->code_start = md->prose.text.len;
            }
            prose_put(&md->prose, s + i, k);
            i += k;
            if (nl) {
                if (md->prose.pending < 2) md->prose.pending++;
                md->prose.indent = 2 * md->list_depth;
                i++;
            }
        }
    } else {
        char tmp[8];
        const char *put = s;
        size_t len = n;
        if (type == MD_TEXT_SOFTBR) {
            put = " ";
            len = 1;
        } else if (type == MD_TEXT_BR) {
            if (md->heading) {
                put = " ";
                len = 1;
            } else {
                prose_break(&md->prose, 1, 2 * md->list_depth);
                return 0;
            }
        } else if (type == MD_TEXT_NULLCHAR) {
            put = "\xef\xbf\xbd";
            len = 3;
        } else if (type == MD_TEXT_ENTITY) {
            size_t k = entity_decode(s, n, tmp);
            if (k) {
                put = tmp;
                len = k;
            }
        }
        if (md->heading) strbuf_put(&md->title, put, len);
        else prose_put(&md->prose, put, len);
    }
    if (md->title.len > LESSON_MAX_STRING || md->prose.text.len > LESSON_MAX_STRING ||
        md->yaml.len > LESSON_MAX_STRING) {
        return md_fail(md, line_of(cx, md->last_off), "this part of the lesson is longer than %zu bytes",
                       LESSON_MAX_STRING);
    }
    return 0;
}

/* Parses the body (from byte off to the end of the file). */
static bool body_read(Ctx *cx, size_t off)
{
    Md md = {.cx = cx, .last_off = off};
    MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH,
        .enter_block = md_enter_block,
        .leave_block = md_leave_block,
        .enter_span = md_enter_span,
        .leave_span = md_leave_span,
        .text = md_text,
    };
    int rc = md_parse(cx->text + off, (MD_SIZE)(cx->len - off), &parser, &md);
    bool ok = !md.failed;
    if (ok && rc != 0) ok = fail(cx, line_of(cx, off), "the Markdown could not be parsed (md4c error %d)", rc);
    if (ok) finish_prose(&md);
    prose_free(&md.prose);
    buf_free(&md.title);
    buf_free(&md.yaml);
    return ok;
}

/* ---- the file ------------------------------------------------------- */

/* Is line ln (1-based) "---", give or take trailing blanks? */
static bool is_fence(const Ctx *cx, int ln)
{
    size_t a = cx->line_starts[ln - 1];
    size_t b = ln < cx->n_lines ? cx->line_starts[ln] : cx->len;
    if (b - a < 3 || memcmp(cx->text + a, "---", 3) != 0) return false;
    for (size_t i = a + 3; i < b; i++)
        if (cx->text[i] != ' ' && cx->text[i] != '\t' && cx->text[i] != '\r' && cx->text[i] != '\n') return false;
    return true;
}


bool lesson_parse(Lesson *l, const char *text, size_t len, const char *path, Err *err)
{
    UNROLL_ASSERT(l && path && (text || len == 0));
    *l = (Lesson){0};
    l->path = xstrdup(path);
    l->dir = base_parent_dir(path);
    Ctx cx = {.path = path, .text = text, .len = len, .err = err, .l = l};
    Map front = {0};
    char *copy = NULL;
    bool ok = false;

    if (len > LESSON_MAX_BYTES) {
        fail(&cx, 1, "the lesson is larger than %zu bytes", LESSON_MAX_BYTES);
        goto done;
    }
    /* md4c 0.4.8 may look a byte past the end it is given: parse a copy
     * that ends in zeros, whatever the caller's buffer ends in */
    copy = xcalloc(len + 8, 1);
    if (len) memcpy(copy, text, len);
    text = cx.text = copy;
    /* a byte-order mark is not text; skipping it keeps the lines */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        cx.text = text + 3;
        cx.len = len - 3;
    }
    lines_index(&cx);
    size_t bad = utf8_check(cx.text, cx.len);
    if (bad < cx.len) {
        fail(&cx, line_of(&cx, bad), "%s (a lesson is UTF-8 text)",
             cx.text[bad] ? "a byte that is not UTF-8" : "a NUL byte");
        goto done;
    }
    bool blank = true;
    for (size_t i = 0; i < cx.len && blank; i++) blank = strchr(" \t\r\n", cx.text[i]) != NULL;
    if (blank) {
        fail(&cx, 1, "empty file: a lesson starts with '---' front matter, then its text");
        goto done;
    }

    /* front matter: from line 2 to the next '---' line */
    if (!is_fence(&cx, 1)) {
        fail(&cx, 1, "no front matter: a lesson starts with a '---' line, then 'title: ...', then '---'");
        goto done;
    }
    int close = 2;
    while (close <= cx.n_lines && !is_fence(&cx, close)) close++;
    if (close > cx.n_lines) {
        fail(&cx, 1, "unterminated front matter: no '---' line closes what this one opens");
        goto done;
    }
    size_t fm_start = cx.n_lines >= 2 ? cx.line_starts[1] : cx.len;
    size_t fm_end = cx.line_starts[close - 1];
    if (!map_read(&cx, cx.text + fm_start, fm_end - fm_start, 2, "front matter", &front)) goto done;
    if (!front_apply(&cx, &front)) goto done;

    size_t body = close < cx.n_lines ? cx.line_starts[close] : cx.len;
    if (!body_read(&cx, body)) goto done;
    ok = true;
done:
    map_free(&front);
    free(cx.line_starts);
    free(copy);
    if (!ok) lesson_unload(l);
    return ok;
}

bool lesson_load(Lesson *l, const char *path, Err *err)
{
    size_t len = 0;
    *l = (Lesson){0};
    char *text = base_read_file(path, LESSON_MAX_BYTES, &len, err);
    if (!text) return false;
    bool ok = lesson_parse(l, text, len, path, err);
    free(text);
    return ok;
}

void lesson_unload(Lesson *l)
{
    free(l->path);
    free(l->dir);
    free(l->title);
    free(l->intro);
    free(l->intro_spans);
    free(l->corpus);
    free(l->data);
    free(l->models);
    free(l->spec);
    free(l->sentence);
    free(l->validation);
    for (int k = 0; k < LESSON_MAX_CELLS; k++) {
        free(l->variant_names[k]);
        free(l->variant_specs[k]);
    }
    free(l->oov_token); /* tensors (lesson 7) */
    for (int i = 0; i < l->n_labels; i++) free(l->labels[i]);
    free(l->labels);
    for (int i = 0; i < l->n_steps; i++) {
        LessonStep *s = &l->steps[i];
        free(s->title);
        free(s->text);
        free(s->spans);
        free(s->dir.sentence);
        free(s->dir.quiz);
        free(s->dir.attribution_class);
        for (int k = 0; k < s->dir.n_choices; k++) free(s->dir.choices[k]);
        free(s->dir.choices);
        free(s->dir.answer);
        free(s->dir.explain);
    }
    free(l->steps);
    *l = (Lesson){0};
}

const char *lesson_model_name(const Lesson *l, int k)
{
    UNROLL_ASSERT(k >= 0 && k < l->n_cells);
    return l->variant_names[k] ? l->variant_names[k] : lesson_cell_name(l->cells[k]);
}

char *lesson_spec_for(const Lesson *l, int k)
{
    return lesson_spec_with_units(l, k, 0);
}

char *lesson_spec_with_units(const Lesson *l, int k, int units)
{
    UNROLL_ASSERT(k >= 0 && k < l->n_cells && units >= 0);
    if (l->variant_specs[k]) return xstrdup(l->variant_specs[k]); /* a variant's units are its own */
    UNROLL_ASSERT(l->spec);
    const char *name = lesson_cell_spec_name(l->cells[k]);
    StrBuf b = {0};
    for (const char *p = l->spec; *p;) {
        const char *hit = strstr(p, "{cell}");
        if (!hit) {
            strbuf_puts(&b, p);
            break;
        }
        strbuf_put(&b, p, (size_t)(hit - p));
        strbuf_puts(&b, name);
        p = hit + 6;
        if (units > 0 && *p == ':') {
            /* "{cell}:32" -> "lstm:<units>" */
            char num[24];
            snprintf(num, sizeof num, ":%d", units);
            strbuf_puts(&b, num);
            p++;
            while (*p >= '0' && *p <= '9') p++;
        }
    }
    return buf_take(&b);
}
