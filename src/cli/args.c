/* args: argument helpers shared by the subcommands, and where unroll's data
 * (the lessons) lives. */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
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

/* ---- the table-driven parser ---- */

#define CLI_MAX_OPTS 32

static bool parse_float(const char *s, double min, double max, float *out)
{
    if (!s || !*s) return false;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v < min || v > max) return false;
    *out = (float)v;
    return true;
}

static int choice_index(const char *const *choices, const char *v)
{
    for (int k = 0; choices[k]; k++)
        if (strcmp(choices[k], v) == 0) return k;
    return -1;
}

/* what the option's value must be, for its error line */
static void describe(const CliOpt *o, char *buf, size_t cap)
{
    if (o->what) {
        snprintf(buf, cap, "%s", o->what);
    } else if (o->kind == CLI_INT) {
        snprintf(buf, cap, "a whole number from %lld to %lld", o->lo, o->hi);
    } else if (o->kind == CLI_FLOAT) {
        snprintf(buf, cap, "a number from %g to %g", o->min, o->max);
    } else if (o->kind == CLI_CHOICE) {
        size_t n = (size_t)snprintf(buf, cap, "one of");
        for (int k = 0; o->choices[k] && n < cap; k++)
            n += (size_t)snprintf(buf + n, cap - n, "%s %s", k ? "," : "", o->choices[k]);
    } else {
        snprintf(buf, cap, "%s", o->meta ? o->meta : "a value");
    }
}

/* stores value into o->out; false when it is not what the option takes */
static bool take_value(const CliOpt *o, const char *v)
{
    switch (o->kind) {
    case CLI_STR:
        if (o->nonempty && !*v) return false;
        *(const char **)o->out = v;
        return true;
    case CLI_INT:
        return cli_parse_int(v, o->lo, o->hi, (long long *)o->out);
    case CLI_FLOAT:
        return parse_float(v, o->min, o->max, (float *)o->out);
    case CLI_CHOICE: {
        int k = choice_index(o->choices, v);
        if (k < 0) return false;
        *(int *)o->out = k;
        return true;
    }
    case CLI_CUSTOM:
        return o->parse(v, o->out);
    case CLI_FLAG:
        break;
    }
    return false;
}

static const CliOpt *find_opt(const CliSpec *spec, const char *arg, size_t name_len)
{
    for (int k = 0; k < spec->n_opts; k++) {
        const char *name = spec->opts[k].name;
        if (strlen(name) == name_len && strncmp(name, arg, name_len) == 0) return &spec->opts[k];
    }
    return NULL;
}

int cli_parse(const CliSpec *spec, int argc, char **argv)
{
    UNROLL_ASSERT(spec->n_opts <= CLI_MAX_OPTS);
    const char *cmd = spec->cmd;
    bool seen[CLI_MAX_OPTS] = {false};
    bool have_pos = false, options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool is_option = !options_done && a[0] == '-' && a[1] != '\0';
        if (!is_option) {
            if (!spec->positional || have_pos)
                return cli_failf(cmd, "unexpected argument '%s' (see unroll %s --help)", a, cmd);
            *spec->pos_out = a;
            have_pos = true;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (cli_is_help(a)) {
            fputs(spec->usage, stdout);
            return 0;
        }
        const char *eq = strchr(a, '=');
        size_t name_len = eq ? (size_t)(eq - a) : strlen(a);
        const CliOpt *o = find_opt(spec, a, name_len);
        if (!o) return cli_failf(cmd, "unknown option '%.*s' (see unroll %s --help)", (int)name_len, a, cmd);
        int k = (int)(o - spec->opts);
        if (seen[k]) return cli_failf(cmd, "%s is given twice", o->name);
        seen[k] = true;
        if (o->kind == CLI_FLAG) {
            if (eq) return cli_failf(cmd, "%s takes no value", o->name);
            *(bool *)o->out = true;
            continue;
        }
        char what[256];
        describe(o, what, sizeof what);
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) return cli_failf(cmd, "%s needs a value: %s", o->name, what);
        if (!take_value(o, v)) return cli_failf(cmd, "%s '%s' is not %s", o->name, v, what);
    }
    if (spec->positional && !have_pos && !spec->positional_optional)
        return cli_failf(cmd, "no %s given (see unroll %s --help)", spec->positional, cmd);
    for (int k = 0; k < spec->n_opts; k++)
        if (spec->opts[k].required && !seen[k])
            return cli_failf(cmd, "%s%s%s is needed (see unroll %s --help)", spec->opts[k].name,
                             spec->opts[k].meta ? " " : "", spec->opts[k].meta ? spec->opts[k].meta : "", cmd);
    return CLI_GO;
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

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- where unroll's data lives ---------------------------------------------
 * One place decides (cli_data_dir): every lookup of lessons goes through it. */

/* found = base + rel when that names a folder holding lessons/ */
static bool data_try(char *found, size_t cap, const char *base, const char *rel)
{
    char cand[PATH_MAX + 64];
    snprintf(cand, sizeof cand, "%s%s/lessons", base, rel);
    if (!is_dir(cand)) return false;
    snprintf(found, cap, "%s%s", base, rel);
    return true;
}

const char *cli_data_dir(void)
{
    static char found[PATH_MAX + 64];
    if (found[0]) return found;
    /* 1. the user's override: the folder holding lessons/ (or, as before,
     * the assets/ folder beside it) */
    const char *env = getenv("UNROLL_DATA_DIR");
    if (env && *env && (data_try(found, sizeof found, env, "") || data_try(found, sizeof found, env, "/..")))
        return found;
    char exe[PATH_MAX] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? strrchr(exe, '/') : NULL;
    if (slash) {
        *slash = '\0';
        /* 2. installed: PREFIX/bin/unroll reads PREFIX/share/unroll, wherever
         * the prefix was copied to */
        const char *installed = UNROLL_DATADIR_REL[0] == '/' ? "" : exe; /* --datadir outside the prefix */
        const char *sep = UNROLL_DATADIR_REL[0] == '/' ? "" : "/";
        char rel[PATH_MAX];
        snprintf(rel, sizeof rel, "%s%s", sep, UNROLL_DATADIR_REL);
        if (data_try(found, sizeof found, installed, rel)) return found;
        /* 3. build/unroll (or a binary under the build folder) reads the
         * source tree it was built from, and only such a binary does */
        size_t b = strlen(UNROLL_BUILD_ROOT);
        if (strncmp(exe, UNROLL_BUILD_ROOT, b) == 0 && (exe[b] == '\0' || exe[b] == '/') &&
            data_try(found, sizeof found, UNROLL_SOURCE_ROOT, ""))
            return found;
        /* nothing there: name the installed place in messages */
        snprintf(found, sizeof found, "%s%s", installed, rel);
        return found;
    }
    snprintf(found, sizeof found, "%s", UNROLL_SOURCE_ROOT);
    return found;
}

const char *cli_lessons_dir(void)
{
    static char dir[PATH_MAX + 80];
    const char *env = getenv("UNROLL_LESSONS_DIR");
    if (env && *env) snprintf(dir, sizeof dir, "%s", env);
    else snprintf(dir, sizeof dir, "%s/lessons", cli_data_dir());
    return dir;
}

const char *cli_lesson_path(const char *name)
{
    static char path[PATH_MAX + 200];
    if (!name || !*name || strchr(name, '/') || strlen(name) > 64 || is_file(name) || is_dir(name)) return NULL;
    /* "1" and "01" are the lesson's number, "lyrics" its topic, "01-lyrics"
     * or "01-lyrics.md" its file name */
    char want[80];
    snprintf(want, sizeof want, "%s", name);
    size_t len = strlen(want);
    if (len > 3 && strcmp(want + len - 3, ".md") == 0) want[len -= 3] = '\0';
    char *end = NULL;
    long num = strtol(want, &end, 10);
    bool numeric = end != want && *end == '\0' && num > 0 && num < 100;
    const char *dir = cli_lessons_dir();
    DIR *d = opendir(dir);
    if (!d) return NULL;
    bool hit = false;
    struct dirent *e;
    while (!hit && (e = readdir(d)) != NULL) {
        const char *f = e->d_name;
        size_t fl = strlen(f);
        /* lesson files are NN-topic.md */
        if (fl < 7 || strcmp(f + fl - 3, ".md") != 0 || !isdigit((unsigned char)f[0]) || !isdigit((unsigned char)f[1]) || f[2] != '-')
            continue;
        if (numeric) hit = (f[0] - '0') * 10 + (f[1] - '0') == num;
        else hit = (fl - 3 == len && strncmp(f, want, len) == 0) || (fl - 6 == len && strncmp(f + 3, want, len) == 0);
        if (hit) snprintf(path, sizeof path, "%s/%s", dir, f);
    }
    closedir(d);
    return hit && is_file(path) ? path : NULL;
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
