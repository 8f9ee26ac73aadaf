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

/* ---- shared helpers (args.c) ---- */

/* Prints "unroll CMD: message" on stderr and returns 2. */
int cli_fail(const char *cmd, const Err *err);
int cli_failf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when argv[*i] is --name VALUE or --name=VALUE; advances *i past the
 * value and sets *value. A missing value sets *value = NULL. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value);
bool cli_is_help(const char *arg);

/* Parses "3,1,4" into a new array; false with err on anything else. */
bool cli_parse_ints(const char *s, int **out, int *n, Err *err);
bool cli_parse_int(const char *s, long long lo, long long hi, long long *out);

/* Vocabulary size a model needs for the tokenizer at path (the largest
 * index + 1, within num_words); 0 with err on failure. */
int cli_tokenizer_vocab(const char *path, Err *err);

/* The lesson `unroll` opens with no arguments. */
const char *cli_default_lesson(void);

/* The folder holding unroll's assets (UNROLL_DATA_DIR, beside the binary,
 * or the source tree it was built from). Never NULL. */
const char *cli_assets_dir(void);

#endif
