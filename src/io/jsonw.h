/* jsonw: a small streaming JSON writer into a growable buffer, so a command
 * can build its whole document and print nothing if it fails half-way.
 * Floats are printed with 9 significant digits (round-trips float32);
 * non-finite values print as null and set `nonfinite`. Depends on base. */
#ifndef UNROLL_JSONW_H
#define UNROLL_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#define JSONW_MAX_DEPTH 64

typedef struct {
    char *buf;         /* NUL-terminated text so far */
    size_t len, cap;
    int depth;
    bool need_comma[JSONW_MAX_DEPTH];
    bool after_key;
    bool nonfinite;    /* a NaN or Inf was written (as null) */
} JsonW;

void jsonw_init(JsonW *w);
void jsonw_free(JsonW *w);

void jsonw_begin_object(JsonW *w);
void jsonw_end_object(JsonW *w);
void jsonw_begin_array(JsonW *w);
void jsonw_end_array(JsonW *w);
void jsonw_key(JsonW *w, const char *key);
void jsonw_str(JsonW *w, const char *s);
void jsonw_int(JsonW *w, long long v);
void jsonw_float(JsonW *w, float v);
void jsonw_bool(JsonW *w, bool v);
/* [v0, v1, ...] */
void jsonw_floats(JsonW *w, const float *v, int n);
void jsonw_ints(JsonW *w, const int *v, int n);
/* Ends one record of JSON Lines: a newline after a whole document, and the
 * next value starts a new document (no comma). */
void jsonw_end_line(JsonW *w);
/* Raw text appended as is (e.g. a newline between documents). */
void jsonw_raw(JsonW *w, const char *s);

#endif
