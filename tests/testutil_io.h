/* testutil_io: tu_* helpers shared by the check suites that link the io
 * library (cJSON, the trace document); testutil.h has the rest. The
 * engine-only suites (engine, blas, grad, attrib) do not build this file. */
#ifndef UNROLL_TESTUTIL_IO_H
#define UNROLL_TESTUTIL_IO_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "engine.h"

/* Reads and parses a JSON file (at most 64 MiB); fails the test if it
 * cannot be read or is not JSON. Caller cJSON_Deletes it. */
cJSON *tu_read_json(const char *path);

/* The reference input of a fixture's expected.json / input.json: its
 * "tokens" (a list of ids) or its "input" (T vectors of m->input_dim).
 * Sets *tokens or *input (the other NULL; caller frees both) and returns T. */
int tu_fixture_input(const Model *m, const cJSON *exp, int **tokens, float **input);

/* The trace document (contracts.md 2) of one sequence of T steps through
 * m, as text (caller frees); *nonfinite (if not NULL) tells whether the
 * writer met a NaN or infinity. */
char *tu_trace_text(const Model *m, const int *tokens, const float *input, int T, bool *nonfinite);

#endif
