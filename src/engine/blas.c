/* blas: the engine's one door to cblas, and the process set-up the BLAS
 * needs to be fast on any x86-64 CPU.
 *
 * It does: wrap cblas_sgemm and cblas_dgemv; flush subnormal floats to zero
 * in the threads that compute (on many Intel cores every subnormal operand
 * costs a microcode assist, and gradients flowing back through hundreds of
 * steps decay into them); choose OpenBLAS' Haswell kernels where the
 * library fell back to a generic core on a CPU with AVX2 and FMA; report the
 * core and the thread count; count subnormals reaching sgemm for tests.
 * It does not: pick thread counts (OPENBLAS_NUM_THREADS decides), or touch a
 * setting the user made in the environment.
 * Depends on cblas (OpenBLAS; the OpenBLAS-only calls are looked up at run
 * time, so another cblas still links and works). */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "blas.h"
#include "engine.h"

#include <cblas.h>
#include <dlfcn.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "clones.h"
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#endif

/* ---- subnormal counting (tests only) --------------------------------------- */

static atomic_bool counting;
static atomic_size_t subnormals_in, subnormals_out;

static size_t count_subnormal(const float *a, size_t rows, size_t cols, size_t ld)
{
    size_t n = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) n += fpclassify(a[i * ld + j]) == FP_SUBNORMAL;
    return n;
}

void blas_count_subnormals(bool on)
{
    atomic_store(&subnormals_in, 0);
    atomic_store(&subnormals_out, 0);
    atomic_store(&counting, on);
}

size_t blas_subnormals_in(void)
{
    return atomic_load(&subnormals_in);
}

size_t blas_subnormals_out(void)
{
    return atomic_load(&subnormals_out);
}

/* ---- the kernels --------------------------------------------------------- */

/* A size as cblas takes it (its blasint is int) */
static int blas_int(size_t n)
{
    UNROLL_ASSERT(n <= INT_MAX);
    return (int)n;
}

/* Matrix sizes (K*N floats) up to which a one-row product is done here, in
 * this thread: OpenBLAS hands a matrix-vector product of 64 x 256 to its
 * worker threads, and waking them costs more than the 16 K multiply-adds
 * (a traced LSTM of 64 units ran three times slower with two threads). */
#define SMALL_ROW_PRODUCT (64u * 1024u)

/* c (N) = alpha * a·op(B) + beta * c for one row a (K, stride inc_a) */
VECTOR_CLONES static void row_product(float *c, const float *a, size_t inc_a, const float *B, size_t ldb, bool tb,
                                      size_t N, size_t K, float alpha, float beta)
{
    if (beta == 0.0f)
        memset(c, 0, N * sizeof *c);
    else if (beta != 1.0f)
        for (size_t j = 0; j < N; j++) c[j] *= beta;
    if (tb) { /* B is (N, K): c[j] += alpha * B[j]·a */
        for (size_t j = 0; j < N; j++) {
            const float *b = B + j * ldb;
            float sum = 0.0f;
            for (size_t k = 0; k < K; k++) sum += b[k] * a[k * inc_a];
            c[j] += alpha * sum;
        }
        return;
    }
    for (size_t k = 0; k < K; k++) { /* B is (K, N): c += alpha * a[k] * B[k] */
        const float s = alpha * a[k * inc_a];
        const float *b = B + k * ldb;
        for (size_t j = 0; j < N; j++) c[j] += s * b[j];
    }
}

void blas_sgemm(bool ta, bool tb, size_t M, size_t N, size_t K, float alpha,
                const float *A, size_t lda, const float *B, size_t ldb, float beta,
                float *C, size_t ldc)
{
    if (M == 0 || N == 0) return;
    bool count = atomic_load_explicit(&counting, memory_order_relaxed);
    if (count) {
        size_t n = count_subnormal(A, ta ? K : M, ta ? M : K, lda) + count_subnormal(B, tb ? N : K, tb ? K : N, ldb);
        if (beta != 0.0f) n += count_subnormal(C, M, N, ldc);
        atomic_fetch_add(&subnormals_in, n);
    }
    if (M == 1 && K * N <= SMALL_ROW_PRODUCT) {
        row_product(C, A, ta ? lda : 1, B, ldb, tb, N, K, alpha, beta);
    } else if (M == 1) {
        /* one row (a traced sequence, a generated word): y = op(B)^T·a as a
         * matrix-vector product. sgemm would first copy all of op(B) into
         * its packed layout, for every row: for a 512-unit LSTM that is 4 MB
         * copied to do 1 M multiply-adds, at every timestep. */
        const size_t inc_a = ta ? lda : 1;
        if (beta != 1.0f && beta != 0.0f)
            for (size_t j = 0; j < N; j++) C[j] *= beta;
        else if (beta == 0.0f)
            memset(C, 0, N * sizeof *C);
        if (K > 0)
            cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, blas_int(tb ? N : K), blas_int(tb ? K : N),
                        alpha, B, blas_int(ldb), A, blas_int(inc_a), 1.0f, C, 1);
    } else {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, blas_int(M),
                    blas_int(N), blas_int(K), alpha, A, blas_int(lda), B, blas_int(ldb), beta, C, blas_int(ldc));
    }
    if (count) atomic_fetch_add(&subnormals_out, count_subnormal(C, M, N, ldc));
}

void blas_dgemv(bool trans, size_t rows, size_t cols, double alpha, const double *A, size_t lda, const double *x,
                double beta, double *y)
{
    if (rows == 0 || cols == 0) return;
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blas_int(rows), blas_int(cols), alpha, A,
                blas_int(lda), x, 1, beta, y, 1);
}

/* ---- the float environment ----------------------------------------------- */

/* MXCSR bit 15 flushes subnormal results to zero (FTZ); bit 6 reads
 * subnormal operands as zero (DAZ). TensorFlow runs with both set. */
#define MXCSR_FTZ 0x8000u
#define MXCSR_DAZ 0x0040u

void engine_flush_subnormals(void)
{
#ifdef HAVE_MXCSR
    _mm_setcsr(_mm_getcsr() | MXCSR_FTZ | MXCSR_DAZ);
#endif
}

bool engine_flushes_subnormals(void)
{
    /* what the arithmetic does, not what the register says: valgrind, for
     * one, keeps the bits but computes subnormals all the same */
    volatile float tiny = FLT_MIN, half = 0.5f;
    volatile float r = tiny * half;
    return r == 0.0f;
}

/* ---- OpenBLAS: core and threads ------------------------------------------- */

typedef void (*AnyFn)(void);

/* A function of the loaded BLAS by name, NULL if it has none (ISO C has no
 * cast from dlsym's object pointer to a function pointer: copy the bits) */
#ifdef __EMSCRIPTEN__
/* The browser build links OpenBLAS statically and has no dlsym: its one
 * core (RISCV64_GENERIC, plain C) and one thread need no switching, and the
 * names that are only asked for are linked directly. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
static AnyFn blas_symbol(const char *name)
{
    AnyFn f = NULL;
    if (strcmp(name, "openblas_get_corename") == 0) f = (AnyFn)openblas_get_corename;
    if (strcmp(name, "openblas_get_config") == 0) f = (AnyFn)openblas_get_config;
    return f;
}
#else
static AnyFn blas_symbol(const char *name)
{
    void *p = dlsym(RTLD_DEFAULT, name);
    AnyFn f = NULL;
    if (p) memcpy(&f, &p, sizeof f);
    return f;
}
#endif

const char *blas_core_name(void)
{
    char *(*corename)(void) = (char *(*)(void))blas_symbol("openblas_get_corename");
    const char *s = corename ? corename() : NULL;
    return s && *s ? s : "unknown";
}

const char *blas_config(void)
{
    char *(*config)(void) = (char *(*)(void))blas_symbol("openblas_get_config");
    const char *s = config ? config() : NULL;
    return s && *s ? s : "unknown";
}

int blas_threads_in_use(void)
{
    int (*get)(void) = (int (*)(void))blas_symbol("openblas_get_num_threads");
    return get ? get() : 1;
}

/* Kernel families of OpenBLAS' x86-64 build that use AVX2 or wider; any
 * other core on a CPU with AVX2 and FMA is a fallback (OpenBLAS 0.3.21 gives
 * Prescott, its SSE3 kernels, to CPUs it does not know). */
static bool core_is_modern(const char *core)
{
    static const char *const MODERN[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"};
    for (size_t i = 0; i < sizeof MODERN / sizeof MODERN[0]; i++)
        if (strcasecmp(core, MODERN[i]) == 0) return true;
    return false;
}

static bool cpu_has_avx2_fma(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

/* OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded; its dynamic-arch
 * build can choose again: forget the table, then pick with the variable set.
 * The variable is removed again so that child processes choose for
 * themselves. */
static void choose_core(void)
{
    if (getenv("OPENBLAS_CORETYPE")) return; /* the user's choice stands */
    const char *core = blas_core_name();
    /* cppcheck reads cpu_has_avx2_fma without __x86_64__ and GCC, where it
     * is always false; on x86-64 it asks the CPU */
    /* cppcheck-suppress knownConditionTrueFalse */
    if (strcmp(core, "unknown") == 0 || core_is_modern(core) || !cpu_has_avx2_fma()) return;
    void (*quit)(void) = blas_symbol("gotoblas_dynamic_quit");
    void (*init)(void) = blas_symbol("gotoblas_dynamic_init");
    if (!quit || !init) return;
    setenv("OPENBLAS_CORETYPE", "Haswell", 1);
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
}

/* OpenBLAS starts its worker threads while it is loaded, before main, and
 * a thread takes its float environment from the thread that creates it:
 * stop them and start them again from this thread, now flushing. */
static void restart_threads(void)
{
    void (*shutdown)(void) = blas_symbol("blas_thread_shutdown_");
    int (*start)(void) = (int (*)(void))blas_symbol("blas_thread_init");
    if (!shutdown || !start) return;
    shutdown();
    start();
}

void engine_setup_process(void)
{
    engine_flush_subnormals();
    choose_core();
    restart_threads();
}
