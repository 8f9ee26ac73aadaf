/* blas: the engine's one door to cblas (only blas.c includes cblas.h).
 * Row-major single precision. Depends on OpenBLAS. */
#ifndef UNROLL_BLAS_H
#define UNROLL_BLAS_H

#include <stdbool.h>

/* C (M, N) = alpha * op(A) · op(B) + beta * C, row-major, where op(A) is
 * (M, K) and op(B) is (K, N); ta/tb transpose the stored matrices. */
void blas_sgemm(bool ta, bool tb, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc);

/* y (M) = alpha * op(A) · x + beta * y in double precision, A (rows, cols)
 * row-major, op(A) = A^T when trans (then x has rows entries, y cols). */
void blas_dgemv(bool trans, int rows, int cols, double alpha, const double *A, int lda, const double *x, double beta,
                double *y);

/* Sets how many threads OpenBLAS may use (process-wide; benchmarks and the
 * trainer call it, the forward pass does not). */
void blas_set_threads(int n);

#endif
