/* model_io_internal: what model_io.c shares with keras_io.c, which reads
 * the same Keras model config from Keras' own files. Not for other modules. */
#ifndef UNROLL_MODEL_IO_INTERNAL_H
#define UNROLL_MODEL_IO_INTERNAL_H

#include <cjson/cJSON.h>

#include "base.h"
#include "engine.h"

/* Builds the layers of m (model_init state) from a Keras model config:
 * {"class_name": "Sequential"|"Functional"|"Model", "config": ...}, or that
 * wrapped as {"model_config": ...}; Keras 2 and Keras 3 spellings. Lays out
 * the parameter table (model_layout) but allocates no weights. manifest is a
 * tfjs weightsManifest (only to settle a GRU's absent reset_after) or NULL.
 * Errors name the layer and option; the caller adds the file. */
bool model_config_read(Model *m, const cJSON *topo, const cJSON *manifest, Err *err);

/* The parameter a weight named as tf.keras names it belongs to:
 * "lstm/lstm_cell/kernel:0", "bidirectional/forward_gru/bias",
 * "dense/kernel:0". NULL with err set when it names no layer or variable. */
ParamInfo *model_param_by_weight_name(Model *m, const char *wname, Err *err);

#endif
