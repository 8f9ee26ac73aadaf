/* jsonw: JSON text out. Escapes strings per RFC 8259. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

void jsonw_init(JsonW *w)
{
    *w = (JsonW){0};
    w->cap = 4096;
    w->buf = xmalloc(w->cap);
    w->buf[0] = '\0';
}

void jsonw_free(JsonW *w)
{
    free(w->buf);
    *w = (JsonW){0};
}

static void put(JsonW *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        while (w->len + n + 1 > w->cap) w->cap *= 2;
        w->buf = xrealloc(w->buf, w->cap);
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(JsonW *w, const char *s)
{
    put(w, s, strlen(s));
}

/* comma before a value unless it follows a key or opens a container */
static void value_prefix(JsonW *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth]) put(w, ",", 1);
    w->need_comma[w->depth] = true;
}

static void open_(JsonW *w, char c)
{
    value_prefix(w);
    put(w, &c, 1);
    UNROLL_ASSERT(w->depth + 1 < JSONW_MAX_DEPTH);
    w->depth++;
    w->need_comma[w->depth] = false;
}

static void close_(JsonW *w, char c)
{
    UNROLL_ASSERT(w->depth > 0);
    w->depth--;
    put(w, &c, 1);
}

void jsonw_begin_object(JsonW *w) { open_(w, '{'); }
void jsonw_end_object(JsonW *w) { close_(w, '}'); }
void jsonw_begin_array(JsonW *w) { open_(w, '['); }
void jsonw_end_array(JsonW *w) { close_(w, ']'); }

static void quoted(JsonW *w, const char *s)
{
    put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': puts_(w, "\\\""); break;
        case '\\': puts_(w, "\\\\"); break;
        case '\n': puts_(w, "\\n"); break;
        case '\r': puts_(w, "\\r"); break;
        case '\t': puts_(w, "\\t"); break;
        default:
            if (*p < 0x20) {
                char esc[8];
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(w, esc);
            } else {
                put(w, (const char *)p, 1);
            }
        }
    }
    put(w, "\"", 1);
}

void jsonw_key(JsonW *w, const char *key)
{
    value_prefix(w);
    quoted(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void jsonw_str(JsonW *w, const char *s)
{
    value_prefix(w);
    quoted(w, s);
}

void jsonw_int(JsonW *w, long long v)
{
    char b[32];
    value_prefix(w);
    snprintf(b, sizeof b, "%lld", v);
    puts_(w, b);
}

void jsonw_float(JsonW *w, float v)
{
    char b[32];
    value_prefix(w);
    if (!isfinite(v)) {
        w->nonfinite = true;
        puts_(w, "null");
        return;
    }
    snprintf(b, sizeof b, "%.9g", (double)v);
    puts_(w, b);
}

void jsonw_bool(JsonW *w, bool v)
{
    value_prefix(w);
    puts_(w, v ? "true" : "false");
}

void jsonw_floats(JsonW *w, const float *v, int n)
{
    jsonw_begin_array(w);
    for (int i = 0; i < n; i++) jsonw_float(w, v[i]);
    jsonw_end_array(w);
}

void jsonw_ints(JsonW *w, const int *v, int n)
{
    jsonw_begin_array(w);
    for (int i = 0; i < n; i++) jsonw_int(w, v[i]);
    jsonw_end_array(w);
}

void jsonw_end_line(JsonW *w)
{
    UNROLL_ASSERT(w->depth == 0 && !w->after_key);
    put(w, "\n", 1);
    w->need_comma[0] = false;
}

void jsonw_raw(JsonW *w, const char *s)
{
    puts_(w, s);
}
