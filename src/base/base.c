/* base: assertions, allocation wrappers, error values, whole-file I/O and a
 * seeded random generator. No dependency beyond libc and POSIX. */
#define _POSIX_C_SOURCE 200809L
#include "base.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void base_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
    abort();
}

static void oom(size_t size)
{
    fprintf(stderr, "unroll: out of memory allocating %zu bytes\n", size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) oom(size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) oom(size);
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* An error is one line: control characters from file text (a newline in a
 * layer name, an escape sequence) become '?'. */
static void one_line(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) *p = '?';
}

bool err_set(Err *err, const char *fmt, ...)
{
    if (!err) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->msg);
    return false;
}

bool err_prefix(Err *err, const char *fmt, ...)
{
    if (!err) return false;
    char prefix[256] = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char joined[sizeof prefix + sizeof err->msg + 4];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
    size_t n = strlen(joined);
    if (n >= sizeof err->msg) n = sizeof err->msg - 1;
    memcpy(err->msg, joined, n);
    err->msg[n] = '\0';
    one_line(err->msg);
    return false;
}

char *base_read_file(const char *path, size_t max_bytes, size_t *len, Err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f) {
        err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= max_bytes) {
                /* full at the limit: a file of exactly max_bytes ends here */
                if (fgetc(f) == EOF && !ferror(f)) break;
                err_set(err, "%s: file is larger than %zu bytes", path,
                        max_bytes);
                goto fail;
            }
            cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                err_set(err, "%s: read error", path);
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

bool base_write_file_atomic(const char *path, const void *data, size_t len,
                            Err *err)
{
    size_t n = strlen(path) + 32;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    bool ok = false;
    if (!f) {
        err_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (fwrite(data, 1, len, f) != len) {
        err_set(err, "%s: write failed: %s", path, strerror(errno));
        fclose(f);
        remove(tmp);
        goto done;
    }
    if (fclose(f) != 0) {
        err_set(err, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        err_set(err, "%s: %s", path, strerror(errno));
        remove(tmp);
        goto done;
    }
    ok = true;
done:
    free(tmp);
    return ok;
}

bool base_make_parents(const char *path, Err *err)
{
    char *p = xstrdup(path);
    char *slash = strrchr(p, '/');
    bool ok = true;
    if (slash) {
        *slash = '\0';
        for (char *q = p + 1; ok && *q; q++) {
            if (*q != '/') continue;
            *q = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) ok = err_set(err, "%s: %s", p, strerror(errno));
            *q = '/';
        }
        if (ok && *p && mkdir(p, 0755) != 0 && errno != EEXIST) ok = err_set(err, "%s: %s", p, strerror(errno));
    }
    free(p);
    return ok;
}

void base_fit_front(int *dst, int len, const int *src, int n)
{
    int take = n < len ? n : len;
    memset(dst, 0, (size_t)(len - take) * sizeof *dst);
    memcpy(dst + (len - take), src + (n - take), (size_t)take * sizeof *dst);
}

void strbuf_put(StrBuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void strbuf_puts(StrBuf *b, const char *s)
{
    strbuf_put(b, s, strlen(s));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rng_init(Rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    rng->s[0] = splitmix64(&x);
    rng->s[1] = splitmix64(&x);
}

/* xorshift128+ */
uint64_t rng_next(Rng *rng)
{
    uint64_t s1 = rng->s[0];
    const uint64_t s0 = rng->s[1];
    const uint64_t result = s0 + s1;
    rng->s[0] = s0;
    s1 ^= s1 << 23;
    rng->s[1] = s1 ^ s0 ^ (s1 >> 18) ^ (s0 >> 5);
    return result;
}

float rng_uniform(Rng *rng)
{
    /* 24 random bits: every value is exactly representable in a float */
    return (float)(rng_next(rng) >> 40) * (1.0f / 16777216.0f);
}

float rng_normal(Rng *rng)
{
    double u1 = ((double)(rng_next(rng) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = (double)(rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
