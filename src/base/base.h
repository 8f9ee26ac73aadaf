/* base: the three error tiers every module shares.
 *
 * 1. Programmer error: UNROLL_ASSERT prints file:line and aborts.
 * 2. Out of memory: xmalloc/xcalloc/xrealloc report the size and abort.
 * 3. Bad input from outside: an Err value carrying one line that names the
 *    file (or argument) and what is wrong; callers print it or show it.
 * Library code never calls exit(). Depends on the C library only. */
#ifndef UNROLL_BASE_H
#define UNROLL_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unroll_limits.h"

#define UNROLL_ASSERT(cond)                                                   \
    do {                                                                      \
        if (!(cond)) base_assert_fail(#cond, __FILE__, __LINE__);             \
    } while (0)

/* noreturn as a GNU attribute: cppcheck reads that one (not C11 _Noreturn),
 * so what an assertion checked holds after it there too */
__attribute__((noreturn)) void base_assert_fail(const char *expr, const char *file, int line);

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);

/* One line describing bad input. An empty msg means "no error". */
typedef struct {
    char msg[512];
} Err;

/* Formats the message into err (if err is non-NULL) and returns false, so a
 * failing function can `return err_set(err, "...")`. */
bool err_set(Err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message: "prefix: old message". Returns false. */
bool err_prefix(Err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sizes that saturate at SIZE_MAX instead of wrapping, for estimates of
 * what input would make us allocate. */
size_t base_size_add(size_t a, size_t b);
size_t base_size_mul(size_t a, size_t b);
/* The size at n (>= 1) of a cost that grows linearly with n, from its sizes
 * at 1 and 2 (at2 >= at1); saturates. */
size_t base_size_linear(size_t at1, size_t at2, size_t n);

/* The memory budget for data that input drives: LIMIT_MEMORY_DEFAULT, or the
 * environment variable UNROLL_MEMORY_LIMIT (bytes, or a number with K, M, G
 * or T). False with err when the variable is set but is not such a size. */
bool base_memory_budget(size_t *budget, Err *err);

/* True when need bytes fit the budget. Otherwise false with err naming what
 * needs the memory, how much, the budget and how to raise it:
 * "WHAT needs 24.4 GiB of memory, more than the limit of 4.0 GiB (set
 * UNROLL_MEMORY_LIMIT to raise it, e.g. UNROLL_MEMORY_LIMIT=32G)". */
bool base_memory_check(size_t need, const char *what, Err *err);

/* Reads a whole file (at most max_bytes) into a NUL-terminated buffer the
 * caller frees. Returns NULL with err set on failure. */
char *base_read_file(const char *path, size_t max_bytes, size_t *len, Err *err);

/* ---- output written whole or not at all, and stopping on a signal ----
 *
 * Every output file appears in one rename: a temporary beside it is written,
 * flushed to disk (fsync), then renamed over the old one, so a crash or
 * kill -9 at any moment leaves the old file or the new one, never half of
 * one. Temporaries are named `PATH.tmp<PID>-...`; a later write to PATH
 * removes those whose process no longer runs (what a kill -9 left).
 *
 * base_signals_install makes SIGINT, SIGTERM and SIGHUP end the process at
 * once with status 128 + the signal (130, 143, 129), after removing every
 * temporary registered with base_temp_register, so an interrupted command
 * leaves no partial output. Install it before SDL_Init: SDL then leaves
 * these signals alone (it only takes them while they have no handler). */
void base_signals_install(void);

/* Registers a temporary file (is_dir false) or folder to be removed if a
 * signal stops the process (files first, then folders, which must then be
 * empty). Returns a handle for base_temp_forget, or -1 when the table is
 * full (then it is simply not removed). Thread-safe. */
int base_temp_register(const char *path, bool is_dir);
void base_temp_forget(int handle);

/* A section a signal must not cut (moving new output into place): a signal
 * arriving between hold and release takes effect at release. Nests. */
void base_signals_hold(void);
void base_signals_release(void);

/* A file written by name, by us or a library (IMG_SavePNG): begin makes the
 * temporary name beside path (registered, stale ones removed), commit
 * flushes it to disk and renames it over path, abort removes it. Commit and
 * abort free the struct's strings; call exactly one of them. */
typedef struct {
    char *path, *tmp;
    int handle;
} AtomicFile;

bool base_atomic_begin(AtomicFile *af, const char *path, Err *err);
bool base_atomic_commit(AtomicFile *af, Err *err);
void base_atomic_abort(AtomicFile *af);

/* Writes data to path atomically (base_atomic_begin .. commit). */
bool base_write_file_atomic(const char *path, const void *data, size_t len,
                            Err *err);

/* Removes the temporaries (files, or folders of plain files) that a killed
 * process left beside path: `PATH.tmp<PID>...` whose PID no longer runs. */
void base_remove_stale_temps(const char *path);

/* Removes a folder of plain files (model_save's temporaries): its entries,
 * then the folder. Best effort: what cannot be removed stays. */
void base_remove_flat_dir(const char *dir);

/* Puts the folder tmp in dir's place in one step: if dir exists the two are
 * exchanged (Linux renameat2 RENAME_EXCHANGE; where the file system cannot,
 * two renames inside a held section), so tmp then holds the old folder for
 * the caller to remove. */
bool base_dir_replace(const char *tmp, const char *dir, Err *err);

/* Flushes a file or folder entry to disk; false with err on failure. */
bool base_fsync_path(const char *path, bool is_dir, Err *err);

/* Creates the folders of path's parent that do not exist yet (mkdir -p of
 * its dirname). */
bool base_make_parents(const char *path, Err *err);

/* Keras pad_sequences' defaults for one sequence: dst (len) gets the last
 * min(n, len) tokens of src (n) at its end, zeros (padding) before them. */
/* path's folder ("." when it has none, "/" for the root), as a new string. */
char *base_parent_dir(const char *path);

void base_fit_front(int *dst, int len, const int *src, int n);

/* A growable NUL-terminated string (p is NULL until the first put). */
typedef struct {
    char *p;
    size_t len, cap;
} StrBuf;

void strbuf_put(StrBuf *b, const char *s, size_t n);
void strbuf_puts(StrBuf *b, const char *s);

/* Deterministic random numbers (xorshift128+ seeded by splitmix64),
 * so lessons and tests behave the same on every machine. */
typedef struct {
    uint64_t s[2];
} Rng;

void rng_init(Rng *rng, uint64_t seed);
uint64_t rng_next(Rng *rng);
/* Uniform float in [0, 1). */
float rng_uniform(Rng *rng);
/* Standard normal (Box-Muller). */
float rng_normal(Rng *rng);

#endif
