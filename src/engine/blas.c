/* blas: wraps cblas_sgemm so the rest of the engine never sees cblas.h. */
#include "blas.h"
#include "engine.h"

#include <cblas.h>

void blas_sgemm(bool ta, bool tb, int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb, float beta,
                float *C, int ldc)
{
    if (M == 0 || N == 0) return;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb,
                beta, C, ldc);
}

void blas_dgemv(bool trans, int rows, int cols, double alpha, const double *A, int lda, const double *x, double beta,
                double *y)
{
    if (rows == 0 || cols == 0) return;
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, rows, cols, alpha, A, lda, x, 1, beta, y, 1);
}

void blas_set_threads(int n)
{
    openblas_set_num_threads(n);
}


int blas_threads_in_use(void)
{
    return openblas_get_num_threads();
}
