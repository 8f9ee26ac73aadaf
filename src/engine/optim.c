/* optim: Keras' optimizers (Adam in Keras' form, SGD), per-tensor clipnorm,
 * and Keras' initializers for fresh models, from a seeded generator.
 *
 *   Adam: m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2
 *         w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
 *   SGD:  w -= lr * g
 * clipnorm (Keras 2): each weight tensor's gradient is scaled down to norm
 * clipnorm when it is larger. Depends on base and model.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "engine.h"

void optimizer_init(Optimizer *opt, OptKind kind, float lr, float clipnorm, const Model *model)
{
    *opt = (Optimizer){0};
    opt->kind = kind;
    opt->lr = lr > 0 ? lr : (kind == OPT_ADAM ? 0.001f : 0.01f);
    opt->beta1 = 0.9f;
    opt->beta2 = 0.999f;
    opt->epsilon = 1e-7f;
    opt->clipnorm = clipnorm;
    opt->n = model->n_params;
    if (kind == OPT_ADAM) {
        opt->m = xcalloc(opt->n, sizeof *opt->m);
        opt->v = xcalloc(opt->n, sizeof *opt->v);
    }
}

void optimizer_free(Optimizer *opt)
{
    free(opt->m);
    free(opt->v);
    *opt = (Optimizer){0};
}

void optimizer_step(Optimizer *opt, Model *model, float *grad)
{
    UNROLL_ASSERT(opt->n == model->n_params);
    if (opt->clipnorm > 0) {
        for (int i = 0; i < model->n_params_info; i++) {
            const ParamInfo *p = &model->pinfo[i];
            float *g = grad + p->offset;
            double ss = 0;
            for (size_t k = 0; k < p->size; k++) ss += (double)g[k] * (double)g[k];
            double norm = sqrt(ss);
            if (norm > (double)opt->clipnorm) {
                float scale = (float)((double)opt->clipnorm / norm);
                for (size_t k = 0; k < p->size; k++) g[k] *= scale;
            }
        }
    }
    opt->step++;
    float *w = model->params;
    if (opt->kind == OPT_SGD) {
        for (size_t k = 0; k < opt->n; k++) w[k] -= opt->lr * grad[k];
        return;
    }
    const float b1 = opt->beta1, b2 = opt->beta2;
    const double t = (double)opt->step;
    const float lr_t = (float)((double)opt->lr * sqrt(1.0 - pow((double)b2, t)) / (1.0 - pow((double)b1, t)));
    for (size_t k = 0; k < opt->n; k++) {
        float g = grad[k];
        opt->m[k] = b1 * opt->m[k] + (1.0f - b1) * g;
        opt->v[k] = b2 * opt->v[k] + (1.0f - b2) * g * g;
        w[k] -= lr_t * opt->m[k] / (sqrtf(opt->v[k]) + opt->epsilon);
    }
}

/* ---- initializers --------------------------------------------------------- */

static void glorot_uniform(float *w, size_t fan_in, size_t fan_out, Rng *rng)
{
    float limit = sqrtf(6.0f / (float)(fan_in + fan_out));
    for (size_t k = 0; k < fan_in * fan_out; k++) w[k] = (2.0f * rng_uniform(rng) - 1.0f) * limit;
}

/* Keras' Orthogonal for a (rows, cols) kernel: QR of a normal matrix of
 * shape (max, min), columns signed by diag(R), transposed when rows < cols.
 * Gram-Schmidt in double (classical, done twice per column). */
static void orthogonal(float *w, size_t rows, size_t cols, Rng *rng)
{
    size_t big = rows > cols ? rows : cols, small = rows < cols ? rows : cols;
    /* columns stored contiguously: column j is a[j*big .. j*big + big) */
    double *a = xmalloc(big * small * sizeof *a);
    for (size_t k = 0; k < big * small; k++) a[k] = (double)rng_normal(rng);
    double *coef = xmalloc(small * sizeof *coef);
    for (size_t j = 0; j < small; j++) {
        double *cj = a + j * big;
        /* classical Gram-Schmidt done twice (CGS2, as stable as modified GS),
         * as matrix-vector products: coef = Q^T cj ; cj -= Q coef */
        for (int pass = 0; pass < 2 && j > 0; pass++) {
            blas_dgemv(false, j, big, 1.0, a, big, cj, 0.0, coef);
            blas_dgemv(true, j, big, -1.0, a, big, coef, 1.0, cj);
        }
        double norm = 0;
        for (size_t i = 0; i < big; i++) norm += cj[i] * cj[i];
        norm = sqrt(norm);
        /* Gram-Schmidt's R has a positive diagonal, so sign(diag(R)) = +1 */
        for (size_t i = 0; i < big; i++) cj[i] = norm > 0 ? cj[i] / norm : 0;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            w[r * cols + c] = (float)(rows >= cols ? a[c * big + r] : a[r * big + c]);
    free(coef);
    free(a);
}

void model_init_weights(Model *m, uint64_t seed)
{
    Rng rng;
    rng_init(&rng, seed);
    memset(m->params, 0, m->n_params * sizeof *m->params);
    for (int i = 0; i < m->n_params_info; i++) {
        const ParamInfo *p = &m->pinfo[i];
        const Layer *l = &m->layers[p->layer];
        float *w = m->params + p->offset;
        if (strcmp(p->var, "embeddings") == 0) {
            for (size_t k = 0; k < p->size; k++) w[k] = (2.0f * rng_uniform(&rng) - 1.0f) * 0.05f;
        } else if (strcmp(p->var, "kernel") == 0 && p->ndim == 3) {
            /* Conv1D (k, in, filters): Keras' fans are in*k and filters*k */
            size_t k = (size_t)p->shape[0], fan_in = k * (size_t)p->shape[1], fan_out = k * (size_t)p->shape[2];
            float limit = sqrtf(6.0f / (float)(fan_in + fan_out));
            for (size_t q = 0; q < p->size; q++) w[q] = (2.0f * rng_uniform(&rng) - 1.0f) * limit;
        } else if (strcmp(p->var, "kernel") == 0) {
            glorot_uniform(w, (size_t)p->shape[0], (size_t)p->shape[1], &rng);
        } else if (strcmp(p->var, "recurrent_kernel") == 0) {
            orthogonal(w, (size_t)p->shape[0], (size_t)p->shape[1], &rng);
        } else if (strcmp(p->var, "bias") == 0 && l->kind == LAYER_RNN && l->cell[p->dir].kind == CELL_LSTM &&
                   l->unit_forget_bias) {
            int H = l->cell[p->dir].units;
            for (int j = H; j < 2 * H; j++) w[j] = 1.0f; /* forget gate block */
        }
    }
}
