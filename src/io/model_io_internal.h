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

/* Writing, shared by model.json (model_io.c) and .keras config.json
 * (keras_io.c); each caller adds its own format's other keys around these. */

/* The input shape as both formats write it: [null, seq_len or null] and,
 * unless the model takes token ids, input_dim. */
cJSON *model_input_shape_json(const Model *m);

/* Adds to cfg the options both formats write alike for an Embedding
 * (input_dim, output_dim, mask_zero), Masking (mask_value), Dropout (rate)
 * or Dense (units, activation, use_bias), in that order; nothing for other
 * kinds. */
void model_layer_options_json(cJSON *cfg, const Layer *l);

/* Adds to cfg a recurrent cell's units, activation, recurrent_activation
 * (LSTM, GRU), use_bias and unit_forget_bias (LSTM), in that order. */
void model_cell_options_json(cJSON *cfg, const Layer *l, const Cell *c);

#endif
