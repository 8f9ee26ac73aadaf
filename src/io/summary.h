/* summary: Keras' model.summary() table for a model, as text: one row per
 * layer with name (class), output shape and parameter count, then the
 * totals with comma thousands separators. Depends on engine. */
#ifndef UNROLL_SUMMARY_H
#define UNROLL_SUMMARY_H

#include <stddef.h>

#include "engine.h"

/* Output shape as Keras prints it: "(None, 7, 64)", or a list for layers
 * with return_state: "[(None, 64), (None, 64), (None, 64)]". */
void summary_output_shape(const Model *m, int layer, char *buf, size_t cap);

/* 1281364 -> "1,281,364" */
void summary_thousands(size_t n, char *buf, size_t cap);

/* The whole table; caller frees. */
char *summary_text(const Model *m);

#endif
