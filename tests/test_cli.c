/* test_cli: the unroll binary as scripts use it: help, exit codes, and the
 * corpus of malformed model files in tests/bad_models (cases.tsv: name, path,
 * a substring the one error line must contain, arguments). Each must give
 * exit status 2, nothing on stdout and exactly one line on stderr. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#include <cjson/cJSON.h>

#include "model_io.h"
#include "testutil.h"

static const char *bin(void)
{
    const char *b = getenv("UNROLL_BIN");
    return b ? b : "./unroll";
}

START_TEST(help_and_unknown)
{
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "--help", NULL}, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert(strstr(out, "trace"));
    free(out);
    free(err);
    rc = tu_run((char *const[]){(char *)bin(), "frobnicate", NULL}, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}
END_TEST

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == tolower((unsigned char)needle[k])) k++;
        if (k == n) return true;
    }
    return n == 0;
}

START_TEST(bad_model_corpus)
{
    char tsv[4096];
    snprintf(tsv, sizeof tsv, "%s", tu_path("bad_models/cases.tsv"));
    FILE *f = fopen(tsv, "r");
    ck_assert_msg(f, "cannot open %s", tsv);
    char base[4096];
    snprintf(base, sizeof base, "%s", tu_path("bad_models"));
    char line[8192];
    int cases = 0, failures = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0]) continue;
        char *fields[4] = {0};
        char *p = line;
        for (int k = 0; k < 4; k++) {
            fields[k] = p;
            char *tab = p ? strchr(p, '\t') : NULL;
            if (tab) *tab = '\0';
            p = tab ? tab + 1 : NULL;
        }
        char *argv[64];
        int argc = 0;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", base, fields[1]);
        argv[argc++] = (char *)bin();
        bool summary = fields[3] && strncmp(fields[3], "summary", 7) == 0;
        argv[argc++] = summary ? "summary" : "trace";
        argv[argc++] = path;
        if (fields[3] && *fields[3] && !summary)
            for (char *a = strtok(fields[3], " "); a && argc < 62; a = strtok(NULL, " ")) argv[argc++] = a;
        argv[argc] = NULL;
        char *out = NULL, *err = NULL;
        int rc = tu_run(argv, &out, &err);
        size_t len = strlen(err);
        int lines = 0;
        for (size_t k = 0; k < len; k++) lines += err[k] == '\n';
        bool ok = rc == 2 && out[0] == '\0' && lines == 1 && len > 0 && err[len - 1] == '\n' &&
                  contains_ci(err, fields[2] ? fields[2] : "");
        if (!ok) {
            fprintf(stderr, "FAIL %s: exit %d, stdout %zu bytes, %d stderr lines: %s", fields[0], rc, strlen(out), lines, err);
            failures++;
        }
        cases++;
        free(out);
        free(err);
    }
    fclose(f);
    fprintf(stderr, "bad model corpus: %d cases, %d failures\n", cases, failures);
    ck_assert_int_ge(cases, 100);
    ck_assert_int_eq(failures, 0);
}
END_TEST

/* the example model the README uses: --text goes through its tokenizer */
START_TEST(example_model_text_trace)
{
    char model[4200];
    snprintf(model, sizeof model, "%s/../assets/models/example", tu_path(""));
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "trace", model, "--text", "The night is LONG, and bright", NULL}, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    /* the, night, is, long, and = 1, 2, 3, 5, 4; "bright" is not in the vocabulary */
    ck_assert_msg(strstr(out, "\"tokens\":[1,2,3,5,4]"), "%.200s", out);
    ck_assert_msg(strstr(out, "\"oov\":[\"bright\"]"), "%.300s", out);
    ck_assert(strstr(out, "\"words\":[\"the\",\"night\",\"is\",\"long\",\"and\"]"));
    free(out);
    free(err);
    rc = tu_run((char *const[]){(char *)bin(), "summary", model, NULL}, &out, &err);
    ck_assert_int_eq(rc, 0);
    /* Embedding(8, 4) 32, LSTM(6) on 4 inputs 4*6*(4+6+1) = 264, Dense(8) 6*8+8 = 56 */
    ck_assert_msg(strstr(out, "Total params: 352\n"), "%s", out);
    free(out);
    free(err);
}
END_TEST

/* trace --attribution (helper attr): the "attribution" entry holds what
 * model_attribute computes in-process, the default class is the most
 * probable one, and a bad step or class is one line and exit 2 */
static cJSON *attribution_of(const char *out)
{
    cJSON *doc = cJSON_Parse(out);
    ck_assert_msg(doc, "not JSON: %.200s", out);
    cJSON *a = cJSON_DetachItemFromObject(doc, "attribution");
    cJSON_Delete(doc);
    ck_assert_msg(a, "no attribution entry");
    return a;
}

START_TEST(trace_attribution)
{
    char model[4200];
    snprintf(model, sizeof model, "%s/../assets/models/example", tu_path(""));
    Model m;
    Err e = {{0}};
    ck_assert_msg(model_load(&m, model, &e), "%s", e.msg);
    static const int tokens[5] = {1, 2, 3, 5, 4};
    float want[2][5], y[8];
    int best = -1;
    ck_assert(model_attribute(want[0], &m, tokens, NULL, 5, 2, 3, ATTRIB_GRADIENT, &e));
    ck_assert(model_attribute(want[1], &m, tokens, NULL, 5, 2, 3, ATTRIB_OCCLUSION, &e));
    ck_assert(model_attrib_prediction(y, &best, &m, tokens, NULL, 5, 4, &e));
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "trace", model, "--tokens", "1,2,3,5,4", "--attribution", "2:3", NULL}, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    cJSON *a = attribution_of(out);
    ck_assert_int_eq(cJSON_GetObjectItem(a, "step")->valueint, 2);
    ck_assert_int_eq(cJSON_GetObjectItem(a, "class")->valueint, 3);
    ck_assert_str_eq(cJSON_GetObjectItem(a, "explains")->valuestring, "log_odds");
    const char *keys[2] = {"gradient_x_input", "occlusion"};
    for (int k = 0; k < 2; k++) {
        const cJSON *arr = cJSON_GetObjectItem(a, keys[k]);
        ck_assert_int_eq(cJSON_GetArraySize(arr), 5);
        for (int s = 0; s < 5; s++)
            ck_assert_msg(tu_close(cJSON_GetArrayItem(arr, s)->valuedouble, want[k][s], 1e-7, 1e-6), "%s[%d] %g, want %g", keys[k], s,
                          cJSON_GetArrayItem(arr, s)->valuedouble, (double)want[k][s]);
        /* the prediction after step 2 read positions 0..2 only */
        ck_assert(cJSON_GetArrayItem(arr, 3)->valuedouble == 0.0 && cJSON_GetArrayItem(arr, 4)->valuedouble == 0.0);
    }
    cJSON_Delete(a);
    free(out);
    free(err);
    /* no class: the most probable one after that step */
    rc = tu_run((char *const[]){(char *)bin(), "trace", model, "--tokens", "1,2,3,5,4", "--attribution", "4", NULL}, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    a = attribution_of(out);
    ck_assert_int_eq(cJSON_GetObjectItem(a, "class")->valueint, best);
    ck_assert(tu_close(cJSON_GetObjectItem(a, "value")->valuedouble, y[best], 1e-7, 1e-6));
    cJSON_Delete(a);
    free(out);
    free(err);
    /* bad step, class, or form: one line, exit 2, nothing on stdout */
    const char *bad[][2] = {{"5", "step 5"}, {"-1", "step -1"}, {"1:8", "class 8"}, {"1:x", "1:x"}, {"", "''"}, {"2:", "2:"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = tu_run((char *const[]){(char *)bin(), "trace", model, "--tokens", "1,2,3,5,4", "--attribution", (char *)bad[i][0], NULL},
                    &out, &err);
        ck_assert_msg(rc == 2, "--attribution '%s': status %d", bad[i][0], rc);
        ck_assert_str_eq(out, "");
        ck_assert_msg(strstr(err, bad[i][1]) && strchr(err, '\n') == err + strlen(err) - 1, "'%s': %s", bad[i][0], err);
        free(out);
        free(err);
    }
    model_free(&m);
}
END_TEST

/* with no display the window says so in one line, points to render, exits 2 */
START_TEST(no_display)
{
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("SDL_VIDEODRIVER");
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), NULL}, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(out, "");
    ck_assert_msg(strstr(err, "no display") && strstr(err, "unroll render"), "%s", err);
    ck_assert_int_eq((int)(strchr(err, '\n') - err), (int)strlen(err) - 1);
    free(out);
    free(err);
    /* `unroll MODEL_DIR` is the window too, not an unknown command */
    char model[4200];
    snprintf(model, sizeof model, "%s/../assets/models/example", tu_path(""));
    rc = tu_run((char *const[]){(char *)bin(), model, NULL}, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, "no display"), "%s", err);
    free(out);
    free(err);
}
END_TEST

/* training that blows up stops with a message and writes nothing */
START_TEST(nan_loss_keeps_last_good_model)
{
    char *tmp = tu_tmpdir();
    char data[4200], model[4200], outdir[4200];
    snprintf(data, sizeof data, "%s/d.jsonl", tmp);
    snprintf(model, sizeof model, "%s/m", tmp);
    snprintf(outdir, sizeof outdir, "%s/out", tmp);
    FILE *f = fopen(data, "w");
    /* long rows through a linear SimpleRNN: once SGD with a huge rate has
     * blown up U, h overflows to infinity and the loss is NaN */
    for (int i = 0; i < 8; i++) {
        fprintf(f, "{\"tokens\": [");
        for (int t = 0; t < 40; t++) fprintf(f, "%s%d", t ? ", " : "", 1 + (i + t) % 5);
        fprintf(f, "], \"label\": %d}\n", i % 2);
    }
    fclose(f);
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "new", model, "--spec", "embedding:6:4, rnn:8:linear, dense:2:softmax",
                                    "--seed", "1", NULL}, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    rc = tu_run((char *const[]){(char *)bin(), "train", model, "--data", data, "--epochs", "50", "--batch-size", "4",
                                "--optimizer", "sgd", "--lr", "1e6", "--out", outdir, NULL}, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, "not finite") && strstr(err, "nothing written"), "%s", err);
    /* --out is written whole or not at all */
    struct stat st;
    ck_assert_int_ne(stat(outdir, &st), 0);
    free(out);
    free(err);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* the argument parser: every mistake is one line in one wording, exit 2,
 * nothing on stdout; each case gives the exact line */
START_TEST(argument_errors)
{
    static const struct {
        const char *args[8];
        const char *line;
    } CASES[] = {
        {{"train", "m", "--frobnicate"}, "unroll train: unknown option '--frobnicate' (see unroll train --help)\n"},
        {{"train", "m", "--frob=3"}, "unroll train: unknown option '--frob' (see unroll train --help)\n"},
        {{"train", "m", "--epochs"}, "unroll train: --epochs needs a value: a whole number from 1 to 1000000\n"},
        {{"train", "m", "--epochs", "x1"}, "unroll train: --epochs 'x1' is not a whole number from 1 to 1000000\n"},
        {{"train", "m", "--epochs", "0"}, "unroll train: --epochs '0' is not a whole number from 1 to 1000000\n"},
        {{"train", "m", "--epochs=3", "--epochs", "4"}, "unroll train: --epochs is given twice\n"},
        {{"train", "m", "--epochs="}, "unroll train: --epochs '' is not a whole number from 1 to 1000000\n"},
        {{"train", "m", "--lr", "-1"}, "unroll train: --lr '-1' is not a positive number\n"},
        {{"train", "m", "--lr", "nan"}, "unroll train: --lr 'nan' is not a positive number\n"},
        {{"train", "m", "--optimizer=rmsprop"}, "unroll train: --optimizer 'rmsprop' is not one of adam, sgd\n"},
        {{"train", "m", "--no-shuffle=yes"}, "unroll train: --no-shuffle takes no value\n"},
        {{"train", "m", "--no-shuffle", "--no-shuffle"}, "unroll train: --no-shuffle is given twice\n"},
        {{"train"}, "unroll train: no MODEL given (see unroll train --help)\n"},
        {{"train", "m", "n"}, "unroll train: unexpected argument 'n' (see unroll train --help)\n"},
        /* --flag=value is taken as the value: everything but --out is there */
        {{"train", "m", "--data=d.jsonl", "--epochs=2", "--batch-size=4"},
         "unroll train: --out OUT_DIR is needed (see unroll train --help)\n"},
        /* after --, a leading dash is a positional argument */
        {{"summary", "--", "--help"}, "unroll summary: --help: "},
        {{"tokenize", "f.txt", "--padding", "middle"}, "unroll tokenize: --padding 'middle' is not one of pre, post\n"},
        {{"tokenize", "f.txt", "--oov-token", ""},
         "unroll tokenize: --oov-token '' is not a word in UTF-8, e.g. --oov-token '<OOV>'\n"},
        {{"render", "x", "--size", "800by600", "--out", "o.png"},
         "unroll render: --size '800by600' is not WxH, e.g. 1920x1080\n"},
        {{"generate", "m", "--words", "1", "--seed-text", "a", "--temperature", "101"},
         "unroll generate: --temperature '101' is not a number from 0 to 100\n"},
        {{"trace", "m", "--tokens"}, "unroll trace: --tokens needs a value: token ids, e.g. --tokens 3,1,4\n"},
        {{"new", "out"}, "unroll new: --spec SPEC is needed (see unroll new --help)\n"},
        {{"open", "a.md", "b.md"}, "unroll open: unexpected argument 'b.md' (see unroll open --help)\n"},
    };
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        char *argv[10] = {(char *)bin()};
        for (int k = 0; k < 8 && CASES[c].args[k]; k++) argv[k + 1] = (char *)CASES[c].args[k];
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        ck_assert_msg(rc == 2, "case %zu (%s): exit %d", c, CASES[c].line, rc);
        ck_assert_msg(out[0] == '\0', "case %zu: stdout %s", c, out);
        /* a line without its newline is a prefix (the rest names a system error) */
        size_t n = strlen(CASES[c].line);
        bool whole = CASES[c].line[n - 1] == '\n';
        ck_assert_msg(whole ? strcmp(err, CASES[c].line) == 0 : strncmp(err, CASES[c].line, n) == 0,
                      "case %zu: got %s wanted %s", c, err, CASES[c].line);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "case %zu: not one line: %s", c, err);
        free(out);
        free(err);
    }
    /* --help anywhere among the options prints the usage and exits 0 */
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "train", "m", "--epochs", "3", "--help", NULL}, &out, &err);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strncmp(out, "usage: unroll train MODEL", 25) == 0, "%s", out);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "cannot open %s", path);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* `tokenize` output, byte for byte. Counts: the 2, owl 2, sees 2, an 1,
 * "owl\x01eye" 1 (a control character is no filter, so it stays in the
 * word and is escaped as \u0001); ties keep first appearance, <?> is 1.
 * --ngrams: every line's prefixes of 2.. tokens, the last as the label,
 * padded (or cut) in front to --maxlen. */
START_TEST(tokenize_known_answer)
{
    char *tmp = tu_tmpdir();
    char txt[4200], rows[4200];
    snprintf(txt, sizeof txt, "%s/t.txt", tmp);
    snprintf(rows, sizeof rows, "%s/rows.jsonl", tmp);
    FILE *f = fopen(txt, "w");
    fputs("The owl sees, the owl\nan owl\x01" "eye sees\n", f);
    fclose(f);
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "tokenize", txt, "--oov-token", "<?>", "--maxlen", "4", "--ngrams",
                                    rows, NULL},
                    &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_str_eq(out, "{\"word_index\":{\"<?>\":1,\"the\":2,\"owl\":3,\"sees\":4,\"an\":5,\"owl\\u0001eye\":6},"
                          "\"sequences\":[[2,3,4,2,3],[5,6,4]],\"padded\":[[3,4,2,3],[0,5,6,4]]}\n");
    free(out);
    free(err);
    char *got = slurp(rows);
    ck_assert_str_eq(got, "{\"tokens\":[0,0,0,2],\"label\":3}\n{\"tokens\":[0,0,2,3],\"label\":4}\n"
                          "{\"tokens\":[0,2,3,4],\"label\":2}\n{\"tokens\":[2,3,4,2],\"label\":3}\n"
                          "{\"tokens\":[0,0,0,5],\"label\":6}\n{\"tokens\":[0,0,5,6],\"label\":4}\n");
    free(got);
    /* --maxlen 2 cuts the longer prefixes in front */
    rc = tu_run((char *const[]){(char *)bin(), "tokenize", txt, "--oov-token", "<?>", "--maxlen", "2", "--ngrams", rows,
                                NULL},
                &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    got = slurp(rows);
    ck_assert_str_eq(got, "{\"tokens\":[0,2],\"label\":3}\n{\"tokens\":[2,3],\"label\":4}\n{\"tokens\":[3,4],\"label\":2}\n"
                          "{\"tokens\":[4,2],\"label\":3}\n{\"tokens\":[0,5],\"label\":6}\n{\"tokens\":[5,6],\"label\":4}\n");
    free(got);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* ---- stopping on a signal (contracts.md section 5) ---------------------------- */

/* starts argv with stdout and stderr to errfile; returns the pid */
static pid_t start(char *const argv[], const char *errfile)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    ck_assert_int_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* waits (up to a minute) until the file holds text, or a thread of pid has
 * that name: the command is then inside its long computation */
static bool wait_for_text(const char *file, const char *text)
{
    for (int k = 0; k < 6000; k++) {
        FILE *f = fopen(file, "r");
        char buf[4096] = "";
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f) fclose(f);
        buf[n] = '\0';
        if (strstr(buf, text)) return true;
        pause_ms(10);
    }
    return false;
}

static bool wait_for_thread(pid_t pid, const char *name)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%ld/task", (long)pid);
    for (int k = 0; k < 6000; k++) {
        DIR *d = opendir(dir);
        struct dirent *e;
        bool found = false;
        while (d && !found && (e = readdir(d))) {
            char path[600], comm[64] = "";
            snprintf(path, sizeof path, "%s/%s/comm", dir, e->d_name);
            FILE *f = fopen(path, "r");
            if (f && fgets(comm, sizeof comm, f)) found = strncmp(comm, name, strlen(name)) == 0;
            if (f) fclose(f);
        }
        if (d) closedir(d);
        if (found) return true;
        pause_ms(10);
    }
    return false;
}

/* sends sig, returns the exit status (-1: killed by the signal itself) */
static int stop_with(pid_t pid, int sig)
{
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* names in dir holding ".tmp", as one string (empty: none) */
static void temps_in(const char *dir, char *out, size_t cap)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp")) snprintf(out + strlen(out), cap - strlen(out), "%s ", e->d_name);
    if (d) closedir(d);
}

static char *slurp_or_null(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fclose(f);
    return slurp(path);
}

/* `train` stopped by SIGINT while training writes nothing (exit 130); by
 * SIGTERM with an older model at --out leaves that model as it was (143);
 * neither leaves a temporary behind */
START_TEST(train_stops_on_signal)
{
    char *tmp = tu_tmpdir();
    char data[4200], model[4200], outdir[4200], log[4200], mj[4300], wb[4300];
    snprintf(data, sizeof data, "%s/d.jsonl", tmp);
    snprintf(model, sizeof model, "%s/m", tmp);
    snprintf(outdir, sizeof outdir, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    snprintf(mj, sizeof mj, "%s/model.json", outdir);
    snprintf(wb, sizeof wb, "%s/weights.bin", outdir);
    FILE *f = fopen(data, "w");
    for (int i = 0; i < 64; i++) {
        fprintf(f, "{\"tokens\": [");
        for (int t = 0; t < 20; t++) fprintf(f, "%s%d", t ? ", " : "", 1 + (i * 7 + t) % 30);
        fprintf(f, "], \"label\": %d}\n", i % 30);
    }
    fclose(f);
    char *out, *err;
    int rc = tu_run((char *const[]){(char *)bin(), "new", model, "--spec", "embedding:31:16, lstm:32, dense:31:softmax",
                                    "--seed", "1", NULL},
                    &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    char *const train[] = {(char *)bin(), "train", model, "--data", data, "--epochs", "1000000", "--batch-size", "8",
                           "--out", outdir, NULL};
    pid_t pid = start(train, log);
    ck_assert_msg(wait_for_text(log, "epoch 1/"), "train never reported an epoch");
    ck_assert_int_eq(stop_with(pid, SIGINT), 130);
    struct stat st;
    ck_assert_int_ne(stat(outdir, &st), 0);
    char temps[4096];
    temps_in(tmp, temps, sizeof temps);
    ck_assert_str_eq(temps, "");

    /* an older model at --out survives SIGTERM untouched */
    rc = tu_run((char *const[]){(char *)bin(), "new", outdir, "--spec", "embedding:31:16, lstm:32, dense:31:softmax",
                                "--seed", "2", NULL},
                &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out);
    free(err);
    char *before_json = slurp(mj), *before_w = slurp(wb);
    pid = start(train, log);
    ck_assert_msg(wait_for_text(log, "epoch 1/"), "train never reported an epoch");
    ck_assert_int_eq(stop_with(pid, SIGTERM), 143);
    char *after_json = slurp_or_null(mj), *after_w = slurp_or_null(wb);
    ck_assert_ptr_nonnull(after_json);
    ck_assert_ptr_nonnull(after_w);
    ck_assert_str_eq(after_json, before_json);
    ck_assert(memcmp(after_w, before_w, 1 << 15) == 0);
    temps_in(tmp, temps, sizeof temps);
    ck_assert_str_eq(temps, "");
    free(before_json);
    free(before_w);
    free(after_json);
    free(after_w);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* `render` of the training view stops on SIGINT/SIGTERM while it trains,
 * after SDL has started (SDL would turn the signal into an unread quit
 * event): exit 130/143, no PNG, no temporary */
START_TEST(render_stops_on_signal)
{
    static const int SIGS[] = {SIGINT, SIGTERM};
    char *tmp = tu_tmpdir();
    char png[4200], log[4200], lesson[4200];
    snprintf(png, sizeof png, "%s/view.png", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    snprintf(lesson, sizeof lesson, "%s/../lessons/01-lyrics.md", tu_path(""));
    for (int k = 0; k < 2; k++) {
        pid_t pid = start((char *const[]){(char *)bin(), "render", lesson, "--view", "training", "--train", "--out", png, NULL}, log);
        ck_assert_msg(wait_for_thread(pid, "unroll-train"), "render never started training");
        ck_assert_int_eq(stop_with(pid, SIGS[k]), 128 + SIGS[k]);
        struct stat st;
        ck_assert_int_ne(stat(png, &st), 0);
        char temps[4096];
        temps_in(tmp, temps, sizeof temps);
        ck_assert_str_eq(temps, "");
    }
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* what a kill -9 leaves (PATH.tmp<PID>-...) is removed by the next write to
 * PATH when that process is gone, and kept while it runs */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

START_TEST(stale_temporaries_removed)
{
    char *tmp = tu_tmpdir();
    char file[4200], stale_file[4300], live_file[4300], model[4200], stale_dir[4300], inside[4400];
    snprintf(file, sizeof file, "%s/view.png", tmp);
    snprintf(stale_file, sizeof stale_file, "%s.tmp%ld-0", file, (long)dead_pid());
    snprintf(live_file, sizeof live_file, "%s.tmp%ld-0", file, (long)getppid());
    snprintf(model, sizeof model, "%s/m", tmp);
    snprintf(stale_dir, sizeof stale_dir, "%s.tmp%ld-AbC123", model, (long)dead_pid());
    snprintf(inside, sizeof inside, "%s/weights.bin", stale_dir);
    FILE *f = fopen(stale_file, "w");
    fputs("half a png", f);
    fclose(f);
    f = fopen(live_file, "w");
    fclose(f);
    ck_assert_int_eq(mkdir(stale_dir, 0755), 0);
    f = fopen(inside, "w");
    fputs("half the weights", f);
    fclose(f);

    Err err = {{0}};
    ck_assert_msg(base_write_file_atomic(file, "png", 3, &err), "%s", err.msg);
    ck_assert(!exists(stale_file));
    ck_assert(exists(live_file)); /* a running process's: a write in progress */
    char *got = slurp(file);
    ck_assert_str_eq(got, "png");
    free(got);

    Model m;
    model_init(&m);
    Layer emb = tu_embedding("embedding", 5, 2, false);
    model_add_layer(&m, &emb);
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    ck_assert_msg(model_save(&m, model, NULL, 0, &err), "%s", err.msg);
    ck_assert(!exists(stale_dir));
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* render --lesson-step 0 is the introduction; a step past the lesson's
 * last, or a --step past the input's, is an error, not a quiet clamp */
START_TEST(render_lesson_step_bounds)
{
    const char *bin = getenv("UNROLL_BIN");
    char lesson[4096], *tmp = tu_tmpdir(), png[4200];
    snprintf(lesson, sizeof lesson, "%s/../lessons/02-memory.md", tu_path(""));
    snprintf(png, sizeof png, "%s/x.png", tmp);
    char *out = NULL, *err = NULL;
    char *intro[] = {(char *)bin, "render", lesson, "--view", "lesson", "--lesson-step", "0", "--size", "640x400", "--out", png, NULL};
    ck_assert_int_eq(tu_run(intro, &out, &err), 0);
    free(out), free(err);
    char *last[] = {(char *)bin, "render", lesson, "--view", "lesson", "--lesson-step", "5", "--size", "640x400", "--out", png, NULL}; /* lesson 2 has 5 steps */
    ck_assert_int_eq(tu_run(last, &out, &err), 0);
    free(out), free(err);
    remove(png);
    char *past[] = {(char *)bin, "render", lesson, "--view", "lesson", "--lesson-step", "6", "--out", png, NULL};
    ck_assert_int_eq(tu_run(past, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "has 5 steps"));
    free(out), free(err);
    char *step[] = {(char *)bin, "render", lesson, "--step", "30", "--out", png, NULL};
    ck_assert_int_eq(tu_run(step, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "29 steps"));
    free(out), free(err);
    ck_assert_int_ne(access(png, F_OK), 0);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("commands");
    tcase_add_test(tc, help_and_unknown);
    tcase_add_test(tc, argument_errors);
    tcase_add_test(tc, tokenize_known_answer);
    tcase_add_test(tc, train_stops_on_signal);
    tcase_add_test(tc, render_stops_on_signal);
    tcase_add_test(tc, render_lesson_step_bounds);
    tcase_add_test(tc, stale_temporaries_removed);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bad_model_corpus);
    tcase_add_test(tc, no_display);
    tcase_add_test(tc, example_model_text_trace);
    tcase_add_test(tc, nan_loss_keeps_last_good_model);
    tcase_add_test(tc, trace_attribution); /* helper attr */
    suite_add_tcase(s, tc);
    return s;
}


int main(void)
{
    return tu_run_suite(cli_suite());
}
