/* args: argument helpers shared by the subcommands, and where assets live. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "tokenizer_io.h"

int cli_fail(const char *cmd, const Err *err)
{
    fprintf(stderr, "unroll %s: %s\n", cmd, err->msg);
    return 2;
}

int cli_failf(const char *cmd, const char *fmt, ...)
{
    Err err = {{0}};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.msg, sizeof err.msg, fmt, ap);
    va_end(ap);
    return cli_fail(cmd, &err);
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return false;
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0') return false;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

bool cli_parse_int(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !*s) return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool cli_parse_ints(const char *s, int **out, int *n, Err *err)
{
    *out = NULL;
    *n = 0;
    if (!s) return err_set(err, "a comma-separated list of whole numbers is needed");
    size_t cap = 16;
    int *v = xmalloc(cap * sizeof *v);
    const char *p = s;
    for (;;) {
        while (*p == ' ') p++;
        errno = 0;
        char *end = NULL;
        long long x = strtoll(p, &end, 10);
        if (end == p || errno || x < INT_MIN || x > INT_MAX) {
            free(v);
            return err_set(err, "'%s' is not a comma-separated list of whole numbers", s);
        }
        if ((size_t)*n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = (int)x;
        p = end;
        while (*p == ' ') p++;
        if (*p == '\0') break;
        if (*p != ',') {
            free(v);
            return err_set(err, "'%s' is not a comma-separated list of whole numbers", s);
        }
        p++;
    }
    *out = v;
    return true;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cli_assets_dir(void)
{
    static char found[PATH_MAX + 64];
    if (found[0]) return found;
    const char *env = getenv("UNROLL_DATA_DIR");
    if (env && is_dir(env)) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    char exe[PATH_MAX - 64] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        static const char *const rel[] = {"/assets", "/../assets", "/../share/unroll/assets"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX];
            snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
            if (is_dir(cand)) {
                snprintf(found, sizeof found, "%s", cand);
                return found;
            }
        }
    }
    snprintf(found, sizeof found, "%s", UNROLL_SOURCE_ASSETS);
    return found;
}

int cli_tokenizer_vocab(const char *path, Err *err)
{
    Tokenizer tok;
    if (!tokenizer_load(&tok, path, err)) return 0;
    /* an Embedding must hold every index the tokenizer can give */
    int n = tok.num_words > 0 && tok.num_words <= tok.max_index ? tok.num_words : tok.max_index + 1;
    int oov = tokenizer_oov_index(&tok); /* Keras may place it at or past num_words */
    if (oov >= n) n = oov + 1;
    tokenizer_free(&tok);
    return n;
}
