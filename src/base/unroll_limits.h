/* unroll_limits: every bound on a size that a file, a lesson or an argument
 * from outside can set, in one place. Parsers check these before they
 * allocate, so hostile or mistaken input is one clear error, never an abort
 * or a machine brought to its knees. docs/limits.md lists them for users.
 *
 * The memory budget (LIMIT_MEMORY_DEFAULT, raised with the environment
 * variable UNROLL_MEMORY_LIMIT) bounds what the sizes together may ask for:
 * each limit below alone is generous, their product is not, so traces,
 * training buffers and loaded weights are checked against the budget too
 * (base_memory_check). Included by base.h; no code. */
#ifndef UNROLL_LIMITS_H
#define UNROLL_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* ---- memory ------------------------------------------------------------ */

/* What one command may allocate for input-driven data unless
 * UNROLL_MEMORY_LIMIT says otherwise: fits a 2-core / 24 GB machine with
 * room for the rest of the system and a second program. Where size_t has 32
 * bits (the browser build's wasm32, whose memory ends at 2 GiB) 4 GiB does
 * not fit in it: there, 1 GiB. */
#define LIMIT_MEMORY_DEFAULT (SIZE_MAX > 0xFFFFFFFFu ? (size_t)1 << 30 << 2 : (size_t)1 << 30)
/* The environment variable that sets the budget: bytes, or a number with
 * K, M, G or T (powers of 1024), e.g. UNROLL_MEMORY_LIMIT=16G. */
#define LIMIT_MEMORY_ENV "UNROLL_MEMORY_LIMIT"

/* ---- models (engine, model files, specs) -------------------------------- */

/* units, vocabulary (Embedding input_dim), output_dim, features per step */
#define ENGINE_MAX_DIM (1 << 24)
/* floats in one weight tensor: 2^26 floats is 256 MB */
#define ENGINE_MAX_TENSOR ((size_t)1 << 26)
/* floats in all of a model's weights: 512 MB */
#define ENGINE_MAX_PARAMS ((size_t)1 << 27)
#define ENGINE_MAX_LAYERS 256
/* timesteps of one sequence (a model's input length, a trace, a row) */
#define ENGINE_MAX_SEQ 100000
/* bytes of a layer or model name, with its NUL */
#define ENGINE_NAME_MAX 96
/* rows in one training batch; epochs of one training */
#define ENGINE_MAX_BATCH (1 << 20)
#define ENGINE_MAX_EPOCHS 1000000

/* model.json (and a .keras config) */
#define MODEL_IO_MAX_JSON ((size_t)64 << 20)
/* shard files listed in one model's weightsManifest (all groups) */
#define MODEL_IO_MAX_SHARDS 4096
/* weights listed in one model's weightsManifest (all groups) */
#define MODEL_IO_MAX_WEIGHTS 65536
/* dimensions of one weight's shape */
#define MODEL_IO_MAX_RANK 8

/* Keras' own files (keras_io.c). Entries in a .keras zip: */
#define KERAS_IO_MAX_ENTRIES 4096
/* model.weights.h5 inside a .keras, or a legacy .h5 file: the largest model
 * (ENGINE_MAX_PARAMS floats) plus room for HDF5's own structures and an
 * optimizer's state. Checked against the zip's declared size before inflating. */
#define KERAS_IO_MAX_H5 (((size_t)ENGINE_MAX_PARAMS * 4) * 3 + ((size_t)64 << 20))
/* metadata.json, and a TextVectorization's vocabulary.txt */
#define KERAS_IO_MAX_SMALL ((size_t)1 << 20)
#define KERAS_IO_MAX_VOCAB_BYTES ((size_t)64 << 20)

/* nesting of any JSON document: cJSON's own CJSON_NESTING_LIMIT, which its
 * parser enforces (model_io.c checks the two agree) */
#define JSON_MAX_DEPTH 1000

/* a model spec ("embedding:V:16, lstm:32, dense:V:softmax") */
#define SPEC_MAX_BYTES 4096
/* colon-separated parts of one layer of a spec (kind, size, options) */
#define SPEC_MAX_PARTS 16

/* snapshots in a training history (history.bin): the initial weights and
 * one per epoch of a run of up to 2,000 epochs (the window's limit); the
 * memory budget bounds their bytes too */
#define HISTORY_MAX_SNAPSHOTS 2001

/* ---- text --------------------------------------------------------------- */

/* largest word index a tokenizer may hold (and so its largest vocabulary):
 * far above any vocabulary an Embedding layer is trained on, small enough
 * that the index -> word table stays a few MB */
#define TEXT_MAX_INDEX (1 << 21)
/* largest padded matrix (rows * columns) built at once: 2^27 ints = 512 MB */
#define TEXT_MAX_CELLS ((size_t)1 << 27)
/* bytes of a tokenizer's filters (every character is a separator), of its
 * split string (searched for at every byte of a text, so kept short) and of
 * its oov_token (a word) */
#define TEXT_MAX_FILTERS_BYTES 65536
#define TEXT_MAX_SPLIT_BYTES 64
#define TEXT_MAX_OOV_BYTES 1024
/* tokenizer.json */
#define TOKENIZER_IO_MAX_JSON ((size_t)64 << 20)
/* a text file given to `unroll tokenize` */
#define TEXT_MAX_FILE_BYTES ((size_t)64 << 20)
/* `unroll tokenize --maxlen`: far beyond any sentence */
#define TEXT_MAX_PAD_LEN 1000000

/* ---- data --------------------------------------------------------------- */

/* a JSONL file of training or evaluation rows */
#define DATASET_MAX_BYTES ((size_t)512 << 20)

/* ---- lessons: a lesson is a short document ------------------------------- */

#define LESSON_MAX_BYTES ((size_t)1 << 20)
#define LESSON_MAX_STEPS 200
/* any value, title or narration text */
#define LESSON_MAX_STRING ((size_t)64 << 10)
#define LESSON_MAX_CELLS 3
#define LESSON_MAX_LABELS 256
/* units a lesson step's `units:` may chart (the chart view's lines) */
#define LESSON_MAX_UNITS 8
/* quiz: a judged question offers 2..LESSON_MAX_CHOICES choices (number keys 1..9) */
#define LESSON_MAX_CHOICES 9
/* a lesson's corpus or rows file, or the rows given to `unroll evaluate` */
#define LESSON_MAX_DATA_BYTES ((size_t)16 << 20)

#endif
