/* model_io: reads and writes models in the TensorFlow.js layers format
 * (contracts.md section 1): a folder holding model.json and float32 weight
 * shards. Reads both what tfjs' model.save() writes and what the Keras
 * converter writes (wrapped model_config, InputLayer, cell-scoped weight
 * names, any manifest order, several shards, single-chain functional models).
 * Everything read is untrusted: every length, shape, path and number is
 * checked, and problems come back as one Err line naming the file, layer and
 * option. Writes what model.save() writes, atomically.
 * Depends on base, engine and cJSON. */
#ifndef UNROLL_MODEL_IO_H
#define UNROLL_MODEL_IO_H

#include "base.h"
#include "engine.h"

/* Largest model.json accepted: MODEL_IO_MAX_JSON (unroll_limits.h). */

/* Loads the model at path: a folder holding model.json, or the path of the
 * model.json itself; a path ending in .keras or .h5 is one of Keras' own
 * files, read by keras_load (keras_io.h). On failure model is left freed
 * (model_init state). */
bool model_load(Model *model, const char *path, Err *err);

/* The folder a model path refers to (path itself, or the folder of a
 * model.json). Caller frees. */
char *model_dir_of(const char *path);

/* Writes model.json and weights.bin into dir, as tfjs' model.save('file://')
 * does. The folder appears whole or not at all: it is written beside as a
 * temporary folder and renamed into place. Extra files (e.g. a tokenizer)
 * may be given as name/content pairs to be written into the same folder. */
typedef struct {
    const char *name;
    const char *content;
    size_t len;             /* bytes of content; 0: a C string (strlen) */
} ExtraFile;

/* A dir ending in .keras is written as a Keras 3 .keras file instead
 * (keras_save), the extra files beside it. */
bool model_save(const Model *model, const char *dir, const ExtraFile *extra,
                int n_extra, Err *err);

#endif
