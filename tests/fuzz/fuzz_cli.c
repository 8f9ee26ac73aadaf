/* fuzz_cli: what the command line takes from users, in-process. The first
 * byte picks what the rest is:
 *   0  `unroll trace MODEL --tokens TEXT` on a token model (cli_parse_ints)
 *   1  `unroll trace MODEL --input TEXT` on a feature model (its JSON rows)
 *   2  a model spec (--spec, lessons): spec_check, and small ones (no number
 *      above 512) built
 *   3  a JSONL file of training rows (dataset.c), tokens or 3 features a step
 * A command must exit 0 or 2; an error is one line. The models are
 * tests/bad_models/cases/good_tokens and good_features. Seeds: made by
 * make_corpus.py from the fixtures' token lists, inputs, specs and rows. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
#include "fuzz.h"
#include "spec.h"

#ifndef FUZZ_SOURCE_DIR
#define FUZZ_SOURCE_DIR "."
#endif

static char token_model[4096], feature_model[4096], rows_path[64];

static void setup(void)
{
    fuzz_setup();
    const char *root = getenv("UNROLL_SOURCE_DIR");
    if (!root) root = FUZZ_SOURCE_DIR;
    snprintf(token_model, sizeof token_model, "%s/tests/bad_models/cases/good_tokens", root);
    snprintf(feature_model, sizeof feature_model, "%s/tests/bad_models/cases/good_features", root);
    snprintf(rows_path, sizeof rows_path, "/tmp/unroll-fuzz-rows-%ld.jsonl", (long)getpid());
    /* the commands print; keep a copy of stderr for the checks */
    int saved = dup(2);
    fuzz_log = fdopen(saved, "w");
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
}

static void cleanup(void)
{
    unlink(rows_path);
}

static void trace_command(const char *model, const char *option, const char *value)
{
    char *argv[] = {"trace", (char *)model, (char *)option, (char *)value, NULL};
    int status = cmd_trace(4, argv);
    fuzz_check(status == 0 || status == 2, "trace %s '%s' exited %d", option, value, status);
}

static void spec(const char *text)
{
    Err err = {{0}};
    Model m;
    if (!spec_check(text, 7, &err)) {
        fuzz_check_err(&err);
        return;
    }
    /* only small ones are built: a checked spec of thousands of units is
     * valid, and its orthogonal initialisation (a QR of units x 4 units)
     * takes longer under the sanitizers than a fuzz input may */
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') continue;
        long v = strtol(p, NULL, 10);
        if (v > 512 || v < 0) return;
        while (p[1] >= '0' && p[1] <= '9') p++;
    }
    if (!spec_build(&m, text, 7, 1, &err)) fuzz_check(false, "checked but does not build: %s", err.msg);
    fuzz_check(m.n_params == model_param_count(&m), "parameters laid out and counted differ");
    model_free(&m);
}

static void rows(const char *text, size_t len, int features)
{
    FILE *f = fopen(rows_path, "wb");
    fuzz_check(f != NULL, "cannot write %s", rows_path);
    if (len) fwrite(text, 1, len, f);
    fclose(f);
    DataFile df;
    Err err = {{0}};
    if (!datafile_load(&df, rows_path, features, &err)) {
        fuzz_check_err(&err);
        return;
    }
    fuzz_check(df.view.N >= 1 && df.view.T >= 1 && df.view.T <= ENGINE_MAX_SEQ, "%d rows of %d steps", df.view.N,
               df.view.T);
    datafile_free(&df);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        atexit(cleanup);
        ready = true;
    }
    if (size < 1) return 0;
    char *text = fuzz_text(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: trace_command(token_model, "--tokens", text); break;
    case 1: trace_command(feature_model, "--input", text); break;
    case 2: spec(text); break;
    default: rows(text, size - 1, data[0] & 4 ? 3 : 0); break;
    }
    free(text);
    return 0;
}
