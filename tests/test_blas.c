/* test_blas: the process set-up of blas.c. Subnormal floats are flushed to
 * zero in every thread that computes, OpenBLAS' own worker threads included,
 * so none reaches sgemm on the long LSTM shape of design.md's targets
 * (counted, never timed); the BLAS names its core. Under valgrind, which
 * ignores the flush mode, the counting tests say so and check nothing. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "testutil.h"

static bool under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload");
}

START_TEST(flush_in_this_thread)
{
    if (under_valgrind()) return;
    ck_assert(engine_flushes_subnormals());
    volatile float tiny = 1e-30f;
    volatile float r = tiny * 1e-10f; /* 1e-40 is subnormal: flushed to 0 */
    ck_assert_float_eq(r, 0.0f);
}
END_TEST

/* Products of 1e-22 and 1e-22 are 1e-44, subnormal; summed over K = 256
 * they stay below FLT_MIN. With every thread flushing, C is exactly 0; a
 * worker thread that does not flush leaves its rows of C subnormal. */
START_TEST(flush_in_blas_threads)
{
    if (under_valgrind()) return;
    const int M = 768, N = 768, K = 256;
    float *A = xmalloc((size_t)M * K * sizeof *A), *Bm = xmalloc((size_t)K * N * sizeof *Bm);
    float *C = xmalloc((size_t)M * N * sizeof *C);
    for (size_t k = 0; k < (size_t)M * K; k++) A[k] = 1e-22f;
    for (size_t k = 0; k < (size_t)K * N; k++) Bm[k] = 1e-22f;
    blas_count_subnormals(true);
    blas_sgemm(false, false, M, N, K, 1.0f, A, K, Bm, N, 0.0f, C, N);
    size_t out = blas_subnormals_out();
    blas_count_subnormals(false);
    size_t nonzero = 0;
    for (size_t k = 0; k < (size_t)M * N; k++) nonzero += C[k] != 0.0f;
    fprintf(stderr, "sgemm with %d BLAS threads (core %s): %zu subnormal results, %zu nonzero\n",
            blas_threads_in_use(), blas_core_name(), out, nonzero);
    ck_assert_uint_eq(out, 0);
    ck_assert_uint_eq(nonzero, 0);
    free(A);
    free(Bm);
    free(C);
}
END_TEST

/* The workload that was 20x slower on Intel cores: LSTM forward and
 * backward, B=64, T=200, E=128, H=256, loss the sum of the last output.
 * Its gradients decay through 200 steps; none may reach sgemm subnormal. */
START_TEST(no_subnormal_reaches_sgemm_long_lstm)
{
    if (under_valgrind()) return;
    const int Bn = 64, T = 200, E = 128, H = 256;
    Model m;
    model_make_rnn(&m, CELL_LSTM, E, H, 1);
    Rng rng;
    rng_init(&rng, 2);
    size_t n_in = (size_t)Bn * T * E;
    float *x = xmalloc(n_in * sizeof *x);
    for (size_t k = 0; k < n_in; k++) x[k] = rng_uniform(&rng) * 2.0f - 1.0f;
    Trace tr;
    trace_init(&tr, &m, Bn, T, true);
    Backprop bp = {0};
    backprop_init(&bp, &m, Bn, T);
    blas_count_subnormals(true);
    model_forward(&tr, NULL, x);
    for (size_t k = 0; k < (size_t)Bn * H; k++) bp.dout[0][k] = 1.0f;
    backprop_zero_grads(&bp);
    model_backward(&bp, &tr);
    size_t in = blas_subnormals_in(), out = blas_subnormals_out();
    blas_count_subnormals(false);
    /* the gradient did decay far: the first step's dh is tiny or zero */
    fprintf(stderr, "long LSTM: %zu subnormal operands, %zu subnormal results\n", in, out);
    ck_assert_uint_eq(in, 0);
    ck_assert_uint_eq(out, 0);
    backprop_free(&bp);
    trace_free(&tr);
    free(x);
    model_free(&m);
}
END_TEST

START_TEST(core_named)
{
    const char *core = blas_core_name();
    ck_assert_ptr_nonnull(core);
    ck_assert(strlen(core) > 0);
    ck_assert_int_ge(blas_threads_in_use(), 1);
}
END_TEST

/* OpenBLAS 0.3.21 gives CPUs it does not know its Prescott (SSE3) kernels.
 * Put it in that state (pick the core again with OPENBLAS_CORETYPE set, as
 * at load), then set the process up: on a CPU with AVX2 and FMA it must
 * move to Haswell; with the variable set by the user it must stay. */
typedef void (*VoidFn)(void);

static VoidFn symbol(const char *name)
{
    void *p = dlsym(RTLD_DEFAULT, name);
    VoidFn f = NULL;
    if (p) memcpy(&f, &p, sizeof f);
    return f;
}

static void force_core(const char *core)
{
    VoidFn quit = symbol("gotoblas_dynamic_quit"), init = symbol("gotoblas_dynamic_init");
    ck_assert(quit && init);
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
}

START_TEST(generic_core_moves_to_haswell)
{
    if (!symbol("gotoblas_dynamic_init")) {
        fprintf(stderr, "this BLAS cannot choose its core again; nothing to check\n");
        return;
    }
    __builtin_cpu_init();
    bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    force_core("Prescott");
    ck_assert_str_eq(blas_core_name(), "Prescott");
    engine_setup_process();
    ck_assert_str_eq(blas_core_name(), avx2 ? "Haswell" : "Prescott");
    /* the user's choice stands */
    force_core("Prescott");
    setenv("OPENBLAS_CORETYPE", "Prescott", 1);
    engine_setup_process();
    ck_assert_str_eq(blas_core_name(), "Prescott");
    unsetenv("OPENBLAS_CORETYPE");
    /* and a modern core is left alone */
    force_core("Zen");
    engine_setup_process();
    ck_assert_str_eq(blas_core_name(), "Zen");
    /* products still right after the moves */
    float A[6] = {1, 2, 3, 4, 5, 6}, Bm[6] = {1, 0, 0, 1, 1, 1}, C[4] = {0};
    blas_sgemm(false, false, 2, 2, 3, 1.0f, A, 3, Bm, 2, 0.0f, C, 2);
    ck_assert_float_eq(C[0], 4.0f);
    ck_assert_float_eq(C[1], 5.0f);
    ck_assert_float_eq(C[2], 10.0f);
    ck_assert_float_eq(C[3], 11.0f);
}
END_TEST

int main(void)
{
    engine_setup_process();
    Suite *s = suite_create("blas");
    TCase *tc = tcase_create("subnormals");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, flush_in_this_thread);
    tcase_add_test(tc, flush_in_blas_threads);
    tcase_add_test(tc, no_subnormal_reaches_sgemm_long_lstm);
    tcase_add_test(tc, core_named);
    tcase_add_test(tc, generic_core_moves_to_haswell);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
