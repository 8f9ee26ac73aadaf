/* fuzz: what the libFuzzer harnesses in tests/fuzz/ share. Each fuzz_*.c
 * defines LLVMFuzzerTestOneInput over one parser of untrusted input and
 * aborts (fuzz_check) when the parser breaks its contract: an error must be
 * one non-empty line, a success must hold what it claims. The same files
 * build two ways: with clang's -fsanitize=fuzzer as fuzzers (tests/fuzz/run.sh),
 * and with any compiler beside replay.c, which runs every file of a corpus
 * through the harness as a normal test. Depends on base. */
#ifndef UNROLL_FUZZ_H
#define UNROLL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The budget every harness runs under: far below a fuzzer's memory limit,
 * so a file asking for more is refused, not allocated. */
#define FUZZ_MEMORY_LIMIT "256M"

/* Where failed checks are reported: stderr, unless a harness silences the
 * program's own stderr and points this at a copy of it. */
static FILE *fuzz_log;

#define fuzz_check(cond, ...)                                                                   \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            FILE *log_ = fuzz_log ? fuzz_log : stderr;                                          \
            fprintf(log_, "%s:%d: fuzz check failed: %s: ", __FILE__, __LINE__, #cond);          \
            fprintf(log_, __VA_ARGS__);                                                         \
            fputc('\n', log_);                                                                  \
            fflush(log_);                                                                       \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

/* An error message is one line, not empty. */
static inline void fuzz_check_err(const Err *err)
{
    fuzz_check(err->msg[0] != '\0', "an error without a message");
    fuzz_check(strchr(err->msg, '\n') == NULL, "a message of several lines: %s", err->msg);
}

/* Sets the memory budget (once per process). */
static inline void fuzz_setup(void)
{
    setenv("UNROLL_MEMORY_LIMIT", FUZZ_MEMORY_LIMIT, 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
}

/* A copy of the input with a NUL after it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
