/* cli: the subcommands behind `unroll CMD`. Each returns the process exit
 * status: 0 on success, 2 on bad input or usage (after printing one line on
 * stderr and nothing on stdout). Depends on engine and io. */
#ifndef UNROLL_CLI_H
#define UNROLL_CLI_H

#include <stdbool.h>

#include "base.h"

int cmd_trace(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_prepare(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_version(int argc, char **argv); /* [inst] */

/* ---- shared helpers (args.c) ---- */

/* Prints "unroll CMD: message" on stderr and returns 2. */
int cli_fail(const char *cmd, const Err *err);
int cli_failf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the argument parser: one table per command ----
 *
 * A command lists its options in a table and calls cli_parse once. Options
 * are `--name VALUE` or `--name=VALUE` (flags take no value), in any order,
 * each at most once; `--` ends the options; `-h`/`--help` prints the usage.
 * Every mistake is one line in one wording, "unroll CMD: ...", exit 2:
 *   unknown option '--x' (see unroll CMD --help)
 *   --x needs a value: WHAT          --x 'V' is not WHAT
 *   --x is given twice               --x takes no value
 *   --x META is needed (see ...)     no POSITIONAL given (see ...)
 *   unexpected argument 'V' (see unroll CMD --help) */
typedef enum {
    CLI_FLAG,   /* bool *: set when present */
    CLI_STR,    /* const char **: the value as given */
    CLI_INT,    /* long long *: a whole number in [lo, hi] */
    CLI_FLOAT,  /* float *: a finite number in [min, max] */
    CLI_CHOICE, /* int *: the index of the value in choices */
    CLI_CUSTOM, /* parse(value, out) decides */
} CliKind;

typedef struct {
    const char *name; /* "--epochs" */
    CliKind kind;
    void *out;
    const char *what; /* the value wanted, for errors ("a positive number");
                         NULL: made from the range or the choices */
    const char *meta; /* the value's name in "--data FILE.jsonl is needed" */
    bool required;
    bool nonempty;                /* CLI_STR: refuse "" */
    long long lo, hi;             /* CLI_INT */
    double min, max;              /* CLI_FLOAT */
    const char *const *choices;   /* CLI_CHOICE, NULL-terminated */
    bool (*parse)(const char *value, void *out); /* CLI_CUSTOM */
} CliOpt;

typedef struct {
    const char *cmd;        /* "train", as in "unroll train: ..." */
    const char *usage;      /* printed for --help */
    const CliOpt *opts;
    int n_opts;
    const char *positional; /* "MODEL"; NULL: the command takes none */
    bool positional_optional;
    const char **pos_out;
} CliSpec;

/* cli_parse's answer when the command should go on. */
#define CLI_GO (-1)

/* Parses argv[1..argc-1] against spec, filling each option's out. Returns
 * CLI_GO, or the exit status to return at once: 0 after --help (usage on
 * stdout), 2 after a mistake (one line on stderr). */
int cli_parse(const CliSpec *spec, int argc, char **argv);

#define CLI_NOPTS(table) ((int)(sizeof(table) / sizeof(table)[0]))

/* Whether arg asks for help (-h, --help). */
bool cli_is_help(const char *arg);

/* Parses "3,1,4" into a new array; false with err on anything else. */
bool cli_parse_ints(const char *s, int **out, int *n, Err *err);
bool cli_parse_int(const char *s, long long lo, long long hi, long long *out);

/* Vocabulary size a model needs for the tokenizer at path (the largest
 * index + 1, within num_words); 0 with err on failure. */
int cli_tokenizer_vocab(const char *path, Err *err);

/* The lesson `unroll` opens with no arguments. */
const char *cli_default_lesson(void);

/* The folder holding unroll's lessons/ (the one function that decides):
 * UNROLL_DATA_DIR when set; PREFIX/share/unroll beside an installed
 * PREFIX/bin/unroll; the source tree for a binary in its build folder.
 * Never NULL. */
const char *cli_data_dir(void);
/* The lessons folder: UNROLL_LESSONS_DIR, or cli_data_dir()/lessons. */
const char *cli_lessons_dir(void);
/* A lesson named by number ("1"), topic ("lyrics") or file name
 * ("01-lyrics.md") in cli_lessons_dir(), when name is no existing file or
 * folder; NULL otherwise. The result is overwritten by the next call. */
const char *cli_lesson_path(const char *name);

#endif
