/* keras_io: Keras' own model files, read and written without TensorFlow
 * (contracts.md section 5, docs/keras.md):
 *   - `.keras`, Keras 3's zip: config.json (the model config), metadata.json
 *     and model.weights.h5 (HDF5: each layer's variables under
 *     layers/<class_snake_name>[_k]/vars/<i>, an RNN's under .../cell/vars,
 *     Bidirectional's under forward_layer/ and backward_layer/), plus assets
 *     (a TextVectorization's vocabulary.txt). Layout of Keras 3.6 to 3.10
 *     (keras/src/saving/saving_lib.py).
 *   - `.h5`, the legacy HDF5 of Keras 2 / tf.keras (2.x, saving/legacy/
 *     hdf5_format.py): the model_config attribute (JSON) and
 *     model_weights/<layer>/<weight name> listed by the layer_names and
 *     weight_names attributes.
 * The config becomes the same Model as a tfjs model.json (model_io.c reads
 * both). Everything read is untrusted: zip entry sizes are checked before a
 * byte is inflated, entries with absolute or `..` paths are refused, every
 * dataset's type and shape is checked before it is read, and each problem is
 * one Err line naming the file. Writes `.keras` (never `.h5`) atomically.
 * Does not: npz weights, optimizer state (neither read nor written), models
 * with layers unroll lacks. Depends on base, engine, cJSON, libzip, libhdf5. */
#ifndef UNROLL_KERAS_IO_H
#define UNROLL_KERAS_IO_H

#include "base.h"
#include "engine.h"
#include "model_io.h"

/* True when path names a Keras file: ends in ".keras" or ".h5" (any case). */
bool keras_is_path(const char *path);
/* True when path ends in ".keras" (any case): what keras_save writes. */
bool keras_is_keras_path(const char *path);

/* Loads a .keras or legacy .h5 model. On failure model is left freed. */
bool keras_load(Model *model, const char *path, Err *err);

/* Writes model as a Keras 3 .keras file at path, whole or not at all (a
 * temporary beside it, then rename). Extra files (a tokenizer.json) are
 * written beside it, each atomically; one that exists with other content is
 * not overwritten (an error). */
bool keras_save(const Model *model, const char *path, const ExtraFile *extra, int n_extra, Err *err);

/* A tokenizer.json text (class_name "TextVectorization", tokenizer_io.h:
 * "" 0, "[UNK]" 1, words from index 2) made from a TextVectorization layer
 * saved inside the .keras file at path: its vocabulary and its own
 * standardize, split, max_tokens and output_sequence_length. NULL when the
 * model holds none (err untouched) or when its vocabulary or options cannot
 * be used (err set). Caller frees. */
char *keras_vocabulary_tokenizer(const char *path, Err *err);

#endif
