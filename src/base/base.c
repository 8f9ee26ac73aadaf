/* base: assertions, allocation wrappers, error values, whole-file I/O
 * (atomic writes, stopping cleanly on a signal) and a seeded random
 * generator. No dependency beyond libc and POSIX (plus Linux' renameat2,
 * with a fallback). */
#define _GNU_SOURCE
#include "base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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

size_t base_size_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

size_t base_size_mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

size_t base_size_linear(size_t at1, size_t at2, size_t n)
{
    UNROLL_ASSERT(n >= 1 && at2 >= at1);
    return base_size_add(at1, base_size_mul(at2 - at1, n - 1));
}

bool base_memory_budget(size_t *budget, Err *err)
{
    *budget = LIMIT_MEMORY_DEFAULT;
    const char *s = getenv(LIMIT_MEMORY_ENV);
    if (!s || !*s) return true;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    double unit = 1;
    switch (*end) {
    case 'k': case 'K': unit = 1024.0; end++; break;
    case 'm': case 'M': unit = 1024.0 * 1024; end++; break;
    case 'g': case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b') end++;
    if (end == s || *end || errno || !(v > 0) || !isfinite(v))
        return err_set(err, "%s='%.40s' is not a size such as 4G, 512M or 8000000000", LIMIT_MEMORY_ENV, s);
    double bytes = v * unit;
    *budget = bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
    return true;
}

/* "24.4 GiB": the powers of 1024 UNROLL_MEMORY_LIMIT's suffixes mean */
static void human_bytes(char *out, size_t cap, size_t n)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    if (u == 0) snprintf(out, cap, "%zu bytes", n);
    else snprintf(out, cap, "%.1f %s", v, unit[u]);
}

bool base_memory_check(size_t need, const char *what, Err *err)
{
    size_t budget = 0;
    if (!base_memory_budget(&budget, err)) return false;
    if (need <= budget) return true;
    char a[32], b[32];
    human_bytes(a, sizeof a, need);
    human_bytes(b, sizeof b, budget);
    /* suggest a budget that would do, in whole GiB */
    double gib = ceil((double)need / (1024.0 * 1024 * 1024));
    if (need == SIZE_MAX)
        return err_set(err, "%s needs more memory than this machine can address (the limit is %s)", what, b);
    return err_set(err, "%s needs %s of memory, more than the limit of %s (set %s to raise it, e.g. %s=%.0fG)", what, a, b,
                   LIMIT_MEMORY_ENV, LIMIT_MEMORY_ENV, gib);
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

/* ---- stopping on a signal ------------------------------------------------------
 * The handler may only use async-signal-safe calls (unlink, rmdir, _exit)
 * and lock-free atomics; paths are copied into fixed slots beforehand. */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs lock-free atomic ints");

#define TEMP_SLOTS 64
enum { SLOT_FREE, SLOT_FILLING, SLOT_FILE, SLOT_DIR };
static char temp_path[TEMP_SLOTS][PATH_MAX];
static atomic_int temp_state[TEMP_SLOTS];
static atomic_int hold_depth, pending_signal;
static atomic_uint temp_serial;

static _Noreturn void stop_now(int sig)
{
    for (int pass = SLOT_FILE; pass <= SLOT_DIR; pass++)
        for (int i = TEMP_SLOTS - 1; i >= 0; i--)
            if (atomic_load(&temp_state[i]) == pass) (pass == SLOT_FILE ? unlink : rmdir)(temp_path[i]);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    /* pending first, then the hold: a release racing with us sees one or the other */
    atomic_store(&pending_signal, sig);
    if (atomic_load(&hold_depth) > 0) return;
    stop_now(sig);
}

void base_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* a signal held during a commit must not fail its writes */
    sigemptyset(&sa.sa_mask);
    static const int SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++) sigaddset(&sa.sa_mask, SIGNALS[i]);
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++) sigaction(SIGNALS[i], &sa, NULL);
}

int base_temp_register(const char *path, bool is_dir)
{
    size_t n = strlen(path);
    if (n >= PATH_MAX) return -1;
    for (int i = 0; i < TEMP_SLOTS; i++) {
        int expect = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&temp_state[i], &expect, SLOT_FILLING)) continue;
        memcpy(temp_path[i], path, n + 1);
        atomic_store(&temp_state[i], is_dir ? SLOT_DIR : SLOT_FILE);
        return i;
    }
    return -1;
}

void base_temp_forget(int handle)
{
    if (handle >= 0 && handle < TEMP_SLOTS) atomic_store(&temp_state[handle], SLOT_FREE);
}

void base_signals_hold(void)
{
    atomic_fetch_add(&hold_depth, 1);
}

void base_signals_release(void)
{
    if (atomic_fetch_sub(&hold_depth, 1) == 1) {
        int sig = atomic_load(&pending_signal);
        if (sig) stop_now(sig);
    }
}

/* ---- atomic files ------------------------------------------------------------ */

bool base_fsync_path(const char *path, bool is_dir, Err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));
    if (fd < 0) return err_set(err, "%s: %s", path, strerror(errno));
    bool ok = fsync(fd) == 0 || errno == EINVAL; /* EINVAL: a file system that cannot sync */
    if (!ok) err_set(err, "%s: cannot flush to disk: %s", path, strerror(errno));
    close(fd);
    return ok;
}

char *base_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(".");
    if (slash == path) return xstrdup("/");
    size_t n = (size_t)(slash - path);
    char *d = xmalloc(n + 1);
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

void base_remove_flat_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) { /* a link: never what it points to */
        unlink(dir);
        return;
    }
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            size_t n = strlen(dir) + strlen(e->d_name) + 2;
            char *p = xmalloc(n);
            snprintf(p, n, "%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

void base_remove_stale_temps(const char *path)
{
    char *dir = base_parent_dir(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t nb = strlen(base);
    DIR *d = opendir(dir);
    while (d && nb > 0) {
        struct dirent *e = readdir(d);
        if (!e) break;
        if (strncmp(e->d_name, base, nb) != 0 || strncmp(e->d_name + nb, ".tmp", 4) != 0) continue;
        char *end = NULL;
        long pid = strtol(e->d_name + nb + 4, &end, 10);
        if (end == e->d_name + nb + 4 || *end != '-' || pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* that process still runs */
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = xmalloc(n);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) base_remove_flat_dir(p);
            else unlink(p);
        }
        free(p);
    }
    if (d) closedir(d);
    free(dir);
}

bool base_atomic_begin(AtomicFile *af, const char *path, Err *err)
{
    base_remove_stale_temps(path);
    size_t n = strlen(path) + 48;
    af->path = xstrdup(path);
    af->tmp = xmalloc(n);
    snprintf(af->tmp, n, "%s.tmp%ld-%u", path, (long)getpid(), atomic_fetch_add(&temp_serial, 1));
    af->handle = base_temp_register(af->tmp, false);
    (void)err; /* nothing can fail yet; kept for a future check */
    return true;
}

static void atomic_done(AtomicFile *af)
{
    base_temp_forget(af->handle);
    free(af->path);
    free(af->tmp);
    *af = (AtomicFile){NULL, NULL, -1};
}

void base_atomic_abort(AtomicFile *af)
{
    if (!af->tmp) return;
    unlink(af->tmp);
    atomic_done(af);
}

bool base_atomic_commit(AtomicFile *af, Err *err)
{
    Err e = {{0}};
    bool ok = base_fsync_path(af->tmp, false, &e);
    if (ok && rename(af->tmp, af->path) != 0) ok = err_set(&e, "%s: %s", af->path, strerror(errno));
    if (ok) {
        /* the rename itself reaches the disk with the folder's entry */
        char *dir = base_parent_dir(af->path);
        base_fsync_path(dir, true, NULL);
        free(dir);
        atomic_done(af);
        return true;
    }
    if (err) *err = e;
    base_atomic_abort(af);
    return false;
}

bool base_write_file_atomic(const char *path, const void *data, size_t len, Err *err)
{
    AtomicFile af;
    if (!base_atomic_begin(&af, path, err)) return false;
    int fd = open(af.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_set(err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            err_set(err, "%s: write failed: %s", path, k < 0 ? strerror(errno) : "nothing written");
            close(fd);
            goto fail;
        }
        p += k;
        left -= (size_t)k;
    }
    if (close(fd) != 0) {
        err_set(err, "%s: write failed: %s", path, strerror(errno));
        goto fail;
    }
    return base_atomic_commit(&af, err);
fail:
    base_atomic_abort(&af);
    return false;
}

/* Swaps two paths in one step (Linux' renameat2); -1 with ENOSYS where the
 * C library has no such call (the browser build's), which takes the
 * three-rename way below. */
static int dir_exchange(const char *a, const char *b)
{
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    (void)a, (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

bool base_dir_replace(const char *tmp, const char *dir, Err *err)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (rename(tmp, dir) != 0) return err_set(err, "%s: %s", dir, strerror(errno));
    } else if (dir_exchange(tmp, dir) != 0) {
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
            return err_set(err, "%s: cannot put the new folder in place: %s", dir, strerror(errno));
        /* no exchange here: old aside, new in, old to tmp's name; a signal
         * waits, only a kill -9 in between leaves dir missing for a moment */
        size_t n = strlen(tmp) + 8;
        char *aside = xmalloc(n);
        snprintf(aside, n, "%s.old", tmp);
        base_signals_hold();
        bool ok = rename(dir, aside) == 0;
        if (ok && rename(tmp, dir) != 0) {
            ok = false;
            rename(aside, dir);
        }
        if (ok) rename(aside, tmp);
        else err_set(err, "%s: cannot put the new folder in place: %s", dir, strerror(errno));
        base_signals_release();
        free(aside);
        if (!ok) return false;
    }
    char *parent = base_parent_dir(dir);
    base_fsync_path(parent, true, NULL);
    free(parent);
    return true;
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
