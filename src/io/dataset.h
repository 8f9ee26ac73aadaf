/* dataset: training rows from JSONL (contracts.md section 3): one object a
 * line, {"tokens": [ints], "label": int}, or {"input": [[floats]], "label": int}
 * for float-input models; every row the same length. Untrusted input: each
 * problem is one Err line naming the file and line. Depends on engine (for
 * the Dataset it fills) and cJSON. */
#ifndef UNROLL_DATASET_H
#define UNROLL_DATASET_H

#include "engine.h"

typedef struct {
    Dataset view;   /* what the trainer reads; points into the arrays below */
    int *tokens;    /* (N, T) */
    float *inputs;  /* (N, T, F) */
    int *labels;    /* (N) */
} DataFile;

/* Largest file accepted: DATASET_MAX_BYTES (unroll_limits.h). */

/* Reads path; feature_dim is the model's input_dim for float rows (0 for
 * token rows). On failure df is left empty. */
bool datafile_load(DataFile *df, const char *path, int feature_dim, Err *err);
void datafile_free(DataFile *df);

#endif
