/* history: a training run's weights after every epoch, kept beside a model
 * as history.bin (contracts.md section 6): snapshot 0 is the initial weights
 * (Keras' initializers from the seed), snapshot k the weights after k
 * epochs. Each snapshot is the model's whole parameter block in the order
 * unroll writes weights.bin. Read as untrusted input: every size is checked
 * against the model and the limits before anything is allocated. Writes
 * atomically. Depends on base and engine. */
#ifndef UNROLL_HISTORY_H
#define UNROLL_HISTORY_H

#include "base.h"
#include "engine.h"

/* HISTORY_MAX_SNAPSHOTS: unroll_limits.h */
#define HISTORY_MAGIC "UNRLHIST"
#define HISTORY_VERSION 1u
#define HISTORY_HEADER_BYTES 24
#define HISTORY_FILE "history.bin"

typedef struct {
    int n;              /* snapshots held: epochs + 1 */
    int cap;
    size_t n_params;    /* floats per snapshot */
    float *w;           /* (cap, n_params) */
} History;

void history_init(History *h, size_t n_params);
void history_free(History *h);
/* Appends a copy of the model's weights (its parameter count must match).
 * False with err when the history is full (HISTORY_MAX_SNAPSHOTS). */
bool history_push(History *h, const Model *m, Err *err);
/* Snapshot k (0 <= k < n). */
const float *history_snapshot(const History *h, int k);
/* Writes model m's weights from snapshot k. */
void history_apply(const History *h, int k, Model *m);

/* history.bin's bytes (caller frees), for writing inside a model folder. */
unsigned char *history_encode(const History *h, size_t *len);
/* Whether a history of epochs + 1 snapshots of n_params floats (and its
 * encoded copy) fits HISTORY_MAX_SNAPSHOTS and the memory budget. */
bool history_check_budget(size_t n_params, int epochs, Err *err);
/* Writes the history to path atomically. */
bool history_save(const History *h, const char *path, Err *err);
/* history_save beside the model at model_path: <folder>/history.bin for a
 * TensorFlow.js model (its folder or model.json), NAME.history.bin for
 * NAME.keras or NAME.h5. */
bool history_save_beside(const History *h, const char *model_path, Err *err);
/* Reads path for a model of n_params floats; err names the file and what is
 * wrong in it. */
bool history_load(History *h, const char *path, size_t n_params, Err *err);
/* history_load of the history beside the model at model_path (as
 * history_save_beside names it).
 * No such file: false with *absent set and h empty (not an error); a file
 * that is there but bad: false with err, *absent clear. */
bool history_load_beside(History *h, const char *model_path, size_t n_params, bool *absent, Err *err);

#endif
