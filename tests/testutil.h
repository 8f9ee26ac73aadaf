/* testutil: helpers shared by the check suites: float comparison with the
 * fixtures' tolerance, paths into the source tree, and small model builders. */
#ifndef UNROLL_TESTUTIL_H
#define UNROLL_TESTUTIL_H

#include <check.h>
#include <stdbool.h>

#include "engine.h"

/* |got - want| <= abs + rel * |want| */
bool tu_close(double got, double want, double abs, double rel);

#define ck_assert_close(got, want, tol)                                                        \
    ck_assert_msg(tu_close((got), (want), (tol), 0.0), "%s = %.9g, expected %.9g (tol %g)", #got, \
                  (double)(got), (double)(want), (double)(tol))

/* Source tree path of a file under tests/ ("fixtures/ref"). Static buffer. */
const char *tu_path(const char *rel);

/* A fresh empty directory under /tmp; caller removes it with tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *dir);

/* Writes n bytes of data to path (replacing it); fails the test if it
 * cannot. */
void tu_write_bytes(const char *path, const void *data, size_t n);

/* Layers for hand-built models. */
Layer tu_embedding(const char *name, int vocab, int dim, bool mask_zero);
Layer tu_rnn(const char *name, CellKind kind, int units, bool return_sequences);
Layer tu_dense(const char *name, int units, Act act);

/* A test's own model spec language (test_attrib, test_grad): tokens
 * separated by spaces; layer_of makes the layer of one token, named name
 * (l0, l1, ... counting layers), or returns false when the token adds no
 * layer. tu_layers_from_spec does model_init and adds the layers (no
 * model_build: see tu_build_random). */
typedef bool (*TuLayerOf)(Model *m, Layer *l, const char *tok, const char *name);
void tu_layers_from_spec(Model *m, const char *spec, TuLayerOf layer_of);

/* model_build (failing the test if it fails), then every weight
 * scale * (u - 0.5), u uniform from an Rng seeded with seed. */
void tu_build_random(Model *m, uint64_t seed, float scale);

/* Makes l (its cell[0] set) Bidirectional with merge: cell[1] a copy of
 * cell[0] reading the other way. */
void tu_bidirectional(Layer *l, MergeMode merge);

/* Runs a command; captures stdout and stderr (caller frees) and returns the
 * exit status (-1 if it did not exit normally). */
int tu_run(char *const argv[], char **out, char **err);

/* Runs every case of the suite (and frees it); 0 when all passed, 1 if not:
 * what a test's main returns. */
int tu_run_suite(Suite *suite);

#endif
