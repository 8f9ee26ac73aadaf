/* spec: a fresh model from a one-line description, for lessons and for
 * `unroll new`. Layers are separated by commas; each is a kind and its
 * arguments separated by colons:
 *
 *   input:T[:F]                 fixed length T; F float features (no Embedding)
 *   embedding:VOCAB:DIM[:mask]  mask = mask_zero
 *   masking[:VALUE]
 *   lstm:UNITS[:opt...]  gru:UNITS[:opt...]  rnn:UNITS[:opt...] (SimpleRNN)
 *       opts: seq (return_sequences), state (return_state), backwards,
 *             relu|linear|sigmoid|tanh (activation), hard (hard_sigmoid
 *             recurrent activation), nobias, reset_before (GRU reset_after false),
 *             dropout=R, recurrent_dropout=R (the layer's own dropout rates)
 *   bi-lstm / bi-gru / bi-rnn:UNITS[:concat|sum|mul|ave][:opt...]  Bidirectional
 *   dropout:RATE
 *   dense:UNITS[:softmax|sigmoid|relu|tanh|linear]
 *   conv1d:FILTERS:KERNEL[:opt...]  Conv1D; opts: valid (default), same, causal,
 *             strideN, dilationN, nobias, an activation (relu, tanh, ...)
 *   gavgpool  gmaxpool  flatten     GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten
 *   spatialdropout:RATE             SpatialDropout1D
 *
 * VOCAB and UNITS may be the letter V, replaced by the vocab argument (the
 * size of a tokenizer's vocabulary). Example:
 *   "embedding:V:16:mask, lstm:32, dense:V:softmax"
 * Layers are named as Keras names them (lstm, lstm_1, ...). Weights are
 * Keras' initializers from seed. Depends on engine. */
#ifndef UNROLL_SPEC_H
#define UNROLL_SPEC_H

#include <stdint.h>

#include "engine.h"

bool spec_build(Model *model, const char *spec, int vocab, uint64_t seed, Err *err);

/* Parses and lays the model out (shapes, parameter table) without
 * allocating or initialising weights: a cheap check of a spec. */
bool spec_check(const char *spec, int vocab, Err *err);

#endif
