/* blas: the engine's one door to cblas (only blas.c includes cblas.h).
 * Row-major single precision. Depends on OpenBLAS. */
#ifndef UNROLL_BLAS_H
#define UNROLL_BLAS_H

#include <stdbool.h>
#include <stddef.h>

/* Sizes and leading dimensions are element counts (size_t, as the engine
 * indexes memory); each must fit the BLAS' int, which is asserted. */

/* C (M, N) = alpha * op(A) · op(B) + beta * C, row-major, where op(A) is
 * (M, K) and op(B) is (K, N); ta/tb transpose the stored matrices. */
void blas_sgemm(bool ta, bool tb, size_t M, size_t N, size_t K, float alpha,
                const float *A, size_t lda, const float *B, size_t ldb, float beta,
                float *C, size_t ldc);

/* y (M) = alpha * op(A) · x + beta * y in double precision, A (rows, cols)
 * row-major, op(A) = A^T when trans (then x has rows entries, y cols). */
void blas_dgemv(bool trans, size_t rows, size_t cols, double alpha, const double *A, size_t lda, const double *x,
                double beta, double *y);

/* Counting for tests (process-wide, off by default): while on, every
 * blas_sgemm counts the subnormal floats among its operands (A, B, and C
 * when beta is not 0) and in its result. Turning it on or off resets both
 * counts. */
void blas_count_subnormals(bool on);
size_t blas_subnormals_in(void);
size_t blas_subnormals_out(void);

#endif
