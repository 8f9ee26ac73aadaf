/* backward: backpropagation through time for every layer the forward pass
 * runs, and the losses that start it.
 *
 * The backward pass walks the layers last to first. Each recurrent run is
 * the forward loop reversed: t = T-1 .. 0 calls cell_step_backward, then the
 * input side is done for all timesteps at once (dW += X^T·dG and
 * dX += dG·W^T as single sgemms, as the forward projection was). Gradients
 * accumulate with +=; backprop_zero_grads clears them. Every buffer is
 * carved out of one allocation by backprop_init (carve.h). Depends on
 * cells.c, model.c and blas.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "carve.h"
#include "engine.h"

/* ---- buffers ------------------------------------------------------------ */

/* steps of a layer's output sequence for T steps in */
static size_t layer_out_steps(const Layer *l, size_t T)
{
    if (l->kind != LAYER_CONV1D) return T;
    int n = conv_out_steps((int)T, l->kernel_size, l->strides, l->dilation, l->padding);
    return n > 0 ? (size_t)n : 1;
}

static void layout(Backprop *bp, Carver *cv)
{
    const Model *m = bp->model;
    const size_t B = (size_t)bp->B;
    size_t T = (size_t)bp->T; /* steps of the current layer's input (a Conv1D may change them) */
    size_t hmax = 1, gmax = 1;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        size_t T_out = layer_out_steps(l, T);
        size_t out_n = (l->out_seq ? T_out * B : B) * (size_t)l->out_dim;
        bp->dout[i] = carve_floats(cv, out_n);
        size_t T_here = T;
        if (l->out_seq) T = T_out;
        if (l->kind != LAYER_RNN) continue;
        const size_t T_keep = T;
        T = T_here;
        size_t H = (size_t)l->cell[0].units, G = (size_t)cell_gate_count(l->cell[0].kind);
        hmax = H > hmax ? H : hmax;
        gmax = G * H > gmax ? G * H : gmax;
        for (int d = 0; d < l->n_dir; d++) {
            bp->dh[i][d] = carve_floats(cv, T * B * H);
            bp->dg[i][d] = carve_floats(cv, T * B * G * H);
            bp->dhu[i][d] = l->cell[d].kind == CELL_GRU ? carve_floats(cv, T * B * G * H) : NULL;
            bp->rh[i][d] = l->cell[d].kind == CELL_GRU && !l->cell[d].reset_after ? carve_floats(cv, T * B * H) : NULL;
        }
        T = T_keep;
    }
    /* dh_next, dc_next, dh_prev, dc_prev (B, H) each, cell scratch (B, 4H) */
    bp->scratch = carve_floats(cv, B * (8 * hmax + gmax));
    bp->dparams = carve_floats(cv, m->n_params);
    bp->dinput = m->token_input ? NULL : carve_floats(cv, (size_t)bp->T * B * (size_t)m->input_dim);
}

void backprop_init(Backprop *bp, const Model *model, int B, int T)
{
    UNROLL_ASSERT(B >= 1 && T >= 1);
    *bp = (Backprop){0};
    bp->model = model;
    bp->B = B;
    bp->T = T;
    int n = model->n_layers;
    bp->dout = xcalloc((size_t)n, sizeof *bp->dout);
    bp->dh = xcalloc((size_t)n, sizeof *bp->dh);
    bp->dg = xcalloc((size_t)n, sizeof *bp->dg);
    bp->dhu = xcalloc((size_t)n, sizeof *bp->dhu);
    bp->rh = xcalloc((size_t)n, sizeof *bp->rh);
    Carver cv = {0};
    layout(bp, &cv);
    carve_alloc(&cv);
    bp->block = cv.fblock;
    layout(bp, &cv);
}

/* the layout is linear in B: counted at B = 1 and 2, then extended */
static size_t backprop_bytes_at(const Model *model, int B, int T)
{
    size_t n = (size_t)model->n_layers;
    Backprop bp = {.model = model, .B = B, .T = T};
    bp.dout = xcalloc(n, sizeof *bp.dout);
    bp.dh = xcalloc(n, sizeof *bp.dh);
    bp.dg = xcalloc(n, sizeof *bp.dg);
    bp.dhu = xcalloc(n, sizeof *bp.dhu);
    bp.rh = xcalloc(n, sizeof *bp.rh);
    Carver cv = {0};
    layout(&bp, &cv);
    free(bp.dout);
    free(bp.dh);
    free(bp.dg);
    free(bp.dhu);
    free(bp.rh);
    return n * (sizeof *bp.dout + sizeof *bp.dh + sizeof *bp.dg + sizeof *bp.dhu + sizeof *bp.rh) + cv.floats * sizeof(float);
}

size_t backprop_bytes(const Model *model, int B, int T)
{
    UNROLL_ASSERT(B >= 1 && T >= 1);
    if (T > ENGINE_MAX_SEQ || T < model_min_steps(model)) return SIZE_MAX;
    return base_size_linear(backprop_bytes_at(model, 1, T), backprop_bytes_at(model, 2, T), (size_t)B);
}

void backprop_free(Backprop *bp)
{
    free(bp->dout);
    free(bp->dh);
    free(bp->dg);
    free(bp->dhu);
    free(bp->rh);
    free(bp->block);
    *bp = (Backprop){0};
}

void backprop_zero_grads(Backprop *bp)
{
    memset(bp->dparams, 0, bp->model->n_params * sizeof *bp->dparams);
}

static float *grad_of(Backprop *bp, const float *param)
{
    return param && !bp->states_only ? bp->dparams + (param - bp->model->params) : NULL;
}

/* ---- layers ------------------------------------------------------------- */

/* rows of softmax output y: dx = y * (dy - sum(dy*y)) */
static void softmax_backward(float *dx, const float *dy, const float *y, size_t rows, size_t n)
{
    for (size_t r = 0; r < rows; r++) {
        const float *a = dy + r * n, *p = y + r * n;
        float *o = dx + r * n;
        float dot = 0.0f;
        for (size_t j = 0; j < n; j++) dot += a[j] * p[j];
        for (size_t j = 0; j < n; j++) o[j] = p[j] * (a[j] - dot);
    }
}

static void colsum_add(float *db, const float *d, size_t rows, size_t n, size_t ld)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++) db[j] += d[r * ld + j];
}

/* in the forward pass: out = act(in·W + b) */
static void dense_backward(Backprop *bp, const Trace *tr, int i, const float *in, float *din)
{
    const Layer *l = &bp->model->layers[i];
    const size_t B = (size_t)tr->B, N = l->in_seq ? (size_t)tr->layers[i].T_in * B : B;
    const size_t F = (size_t)l->in_dim, D = (size_t)l->out_dim;
    const float *out = tr->layers[i].out;
    float *dpre = bp->dout[i]; /* turned into dL/d(pre-activation) in place */
    if (bp->dout_preactivation && i == bp->model->n_layers - 1) {
        /* seeded past the activation (input attribution of a logit) */
    } else if (l->activation == ACT_SOFTMAX) {
        softmax_backward(dpre, dpre, out, N, D);
    } else {
        act_backward(dpre, dpre, out, l->activation, N * D);
    }
    float *dK = grad_of(bp, l->kernel);
    if (dK) blas_sgemm(true, false, F, D, N, 1.0f, in, F, dpre, D, 1.0f, dK, D);
    if (dK && l->use_bias) colsum_add(grad_of(bp, l->bias), dpre, N, D, D);
    if (din) blas_sgemm(false, true, N, F, D, 1.0f, dpre, D, l->kernel, D, 1.0f, din, F);
}

/* The gradient each run's outputs receive from the layer's output, written
 * into dh (by processing step) before the recurrence adds its part. */
static void rnn_output_grads(Backprop *bp, const Trace *tr, int i)
{
    const Layer *l = &bp->model->layers[i];
    const LayerRecord *r = &tr->layers[i];
    const size_t T = (size_t)r->T_in, B = (size_t)tr->B, H = (size_t)l->cell[0].units, D = (size_t)l->out_dim;
    const float *dout = bp->dout[i];
    for (int d = 0; d < l->n_dir; d++) memset(bp->dh[i][d], 0, T * B * H * sizeof(float));
    if (!l->bidirectional) {
        if (l->return_sequences) memcpy(bp->dh[i][0], dout, T * B * H * sizeof(float));
        else memcpy(bp->dh[i][0] + (T - 1) * B * H, dout, B * H * sizeof(float));
        return;
    }
    /* Bidirectional: out[k] = merge(forward at step k, backward at step T-1-k),
     * masked steps output zeros; without sequences only the last steps */
    size_t kmin = l->return_sequences ? 0 : T - 1;
    for (size_t k = kmin; k < T; k++) {
        size_t tf = l->return_sequences ? k : T - 1, tb = l->return_sequences ? T - 1 - k : T - 1;
        for (size_t b = 0; b < B; b++) {
            const float *g = dout + ((l->return_sequences ? k * B : 0) + b) * D;
            const float *fo = seq_at(r->run[0].h, tf + 1, b, B, H);
            const float *bo = seq_at(r->run[1].h, tb + 1, b, B, H);
            bool fm = !l->return_sequences || !r->run[0].mask || r->run[0].mask[tf * B + b];
            bool bm = !l->return_sequences || !r->run[1].mask || r->run[1].mask[tb * B + b];
            float *df = seq_at(bp->dh[i][0], tf, b, B, H), *db = seq_at(bp->dh[i][1], tb, b, B, H);
            for (size_t j = 0; j < H; j++) {
                float gf = 0, gb = 0;
                switch (l->merge) {
                case MERGE_CONCAT: gf = g[j]; gb = g[H + j]; break;
                case MERGE_SUM: gf = gb = g[j]; break;
                case MERGE_AVE: gf = gb = 0.5f * g[j]; break;
                case MERGE_MUL: gf = g[j] * (bm ? bo[j] : 0.0f); gb = g[j] * (fm ? fo[j] : 0.0f); break;
                }
                if (fm) df[j] += gf;
                if (bm) db[j] += gb;
            }
        }
    }
}

/* ---- Conv1D and the global poolings ------------------------------------- */

/* in the forward pass (model.c conv_forward): out[o] = act(sum_k in[o*s + k*d - pad] · W[k] + b) */
static void conv_backward(Backprop *bp, const Trace *tr, int i, const float *in, float *din)
{
    const Layer *l = &bp->model->layers[i];
    const LayerRecord *r = &tr->layers[i];
    const size_t B = (size_t)tr->B, T_in = (size_t)r->T_in, T_out = (size_t)r->T_out;
    const size_t F = (size_t)l->in_dim, D = (size_t)l->out_dim, s = (size_t)l->strides;
    float *dpre = bp->dout[i]; /* turned into dL/d(pre-activation) in place */
    act_backward(dpre, dpre, r->out, l->activation, T_out * B * D);
    float *dK = grad_of(bp, l->kernel);
    if (dK && l->use_bias) colsum_add(grad_of(bp, l->bias), dpre, T_out * B, D, D);
    /* the front padding, as the forward pass took it */
    long long dk = (long long)(l->kernel_size - 1) * l->dilation + 1, pad = 0;
    if (l->padding == PAD_CAUSAL) pad = dk - 1;
    else if (l->padding == PAD_SAME) {
        long long total = (long long)(T_out - 1) * (long long)s + dk - (long long)T_in;
        pad = total > 0 ? total / 2 : 0;
    }
    for (size_t k = 0; k < (size_t)l->kernel_size; k++) {
        const long long off = (long long)k * l->dilation - pad;
        const float *w = l->kernel + k * F * D;
        float *dw = dK ? dK + k * F * D : NULL;
        for (size_t o = 0; o < T_out; o++) {
            long long p = (long long)o * (long long)s + off;
            if (p < 0 || p >= (long long)T_in) continue;
            const float *g = dpre + o * B * D, *x = in + (size_t)p * B * F;
            if (dw) blas_sgemm(true, false, F, D, B, 1.0f, x, F, g, D, 1.0f, dw, D);
            if (din) blas_sgemm(false, true, B, F, D, 1.0f, g, D, w, D, 1.0f, din + (size_t)p * B * F, F);
        }
    }
}

/* mean over the kept steps: each gets dout / count; max: the first step
 * holding the max takes it all */
static void pool_backward(Backprop *bp, const Trace *tr, int i, const float *in, float *din)
{
    const Layer *l = &bp->model->layers[i];
    const LayerRecord *r = &tr->layers[i];
    const size_t B = (size_t)tr->B, T = (size_t)r->T_in, F = (size_t)l->in_dim;
    const unsigned char *mask = i ? tr->layers[i - 1].mask : NULL;
    if (!din) return;
    for (size_t b = 0; b < B; b++) {
        const float *g = bp->dout[i] + b * F, *o = r->out + b * F;
        if (l->kind == LAYER_GLOBAL_MAX_POOL) {
            for (size_t j = 0; j < F; j++)
                for (size_t t = 0; t < T; t++)
                    if (in[(t * B + b) * F + j] == o[j]) {
                        din[(t * B + b) * F + j] += g[j];
                        break;
                    }
            continue;
        }
        size_t count = 0;
        for (size_t t = 0; t < T; t++) count += !mask || mask[t * B + b];
        if (!count) continue;
        for (size_t t = 0; t < T; t++) {
            if (mask && !mask[t * B + b]) continue;
            for (size_t j = 0; j < F; j++) din[(t * B + b) * F + j] += g[j] / (float)count;
        }
    }
}

/* ---- the recurrent layers' dropout (Keras 3: one mask per sequence) ------ */

/* The cell used h_prev * rdp_mask on real steps; a masked step carried
 * h_prev itself (model.c), so only real rows take the mask. */
static void rec_dropout_backward(float *dh_prev, const RunRecord *run, size_t t)
{
    const size_t B = (size_t)run->B, H = (size_t)run->H;
    const unsigned char *mk = run->mask ? run->mask + t * B : NULL;
    for (size_t b = 0; b < B; b++) {
        if (mk && !mk[b]) continue;
        for (size_t j = 0; j < H; j++) dh_prev[b * H + j] *= run->rdp_mask[b * H + j];
    }
}

/* dx += d(x * dp_mask) for T steps of n = B*F values, the mask by sequence */
static void input_dropout_backward(float *dx, const float *dxd, const float *dp_mask, size_t T, size_t n)
{
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < n; k++) dx[t * n + k] += dxd[t * n + k] * dp_mask[k];
}

/* One run, the forward loop reversed. */
static void run_backward(Backprop *bp, const Trace *tr, int i, int d, const float *x, float *dx)
{
    const Layer *l = &bp->model->layers[i];
    const Cell *c = &l->cell[d];
    const RunRecord *run = &tr->layers[i].run[d];
    const size_t T = (size_t)run->T, B = (size_t)run->B, H = (size_t)run->H, GH = (size_t)run->G * H;
    const size_t F = (size_t)c->input_dim, BH = B * H, BG = B * GH;
    float *dh_next = bp->scratch, *dc_next = dh_next + BH, *dh_prev = dc_next + BH, *dc_prev = dh_prev + BH;
    float *cell_scratch = dc_prev + BH;
    float *dh = bp->dh[i][d], *dg = bp->dg[i][d], *dhu = bp->dhu[i][d], *rh = bp->rh[i][d];
    /* with the layer's dropout the cell saw x * dp_mask and h_prev * rdp_mask */
    const bool drop_rec = run->dropping && run->rdp_mask, drop_in = run->dropping && run->dp_mask;
    const float *hp = drop_rec ? run->hd : run->h; /* h_prev as the step used it, by step */
    float *dx_in = dx; /* dL/d(x) before the input mask */
    if (drop_in) {
        x = run->xd;
        dx = dx ? xcalloc(T * B * F, sizeof *dx) : NULL;
    }
    memset(dh_next, 0, BH * sizeof *dh_next);
    memset(dc_next, 0, BH * sizeof *dc_next);
    for (size_t t = T; t-- > 0;) { /* t = T-1 .. 0 */
        float *dht = dh + t * BH;
        for (size_t k = 0; k < BH; k++) dht[k] += dh_next[k];
        cell_step_backward(dg + t * BG, dhu ? dhu + t * BG : NULL, rh ? rh + t * BH : NULL, dh_prev,
                           run->c ? dc_prev : NULL, cell_scratch, dht, run->c ? dc_next : NULL,
                           run->h + (t + 1) * BH, run->c ? run->c + (t + 1) * BH : NULL, hp + t * BH,
                           run->c ? run->c + t * BH : NULL, run->gates + t * BG, run->hu ? run->hu + t * BG : NULL,
                           run->mask ? run->mask + t * B : NULL, c, B);
        if (drop_rec) rec_dropout_backward(dh_prev, run, t);
        float *tmp = dh_next;
        dh_next = dh_prev;
        dh_prev = tmp;
        tmp = dc_next;
        dc_next = dc_prev;
        dc_prev = tmp;
    }
    /* recurrent weights, all steps at once: dU += h_prev^T · d(recurrent projection) */
    float *dU = grad_of(bp, c->recurrent_kernel);
    const float *drec = dhu ? dhu : dg;
    if (!dU) {
        /* states only: no weight gradients */
    } else if (c->kind == CELL_GRU && !c->reset_after) {
        blas_sgemm(true, false, H, 2 * H, T * B, 1.0f, hp, H, drec, GH, 1.0f, dU, GH);
        blas_sgemm(true, false, H, H, T * B, 1.0f, rh, H, drec + 2 * H, GH, 1.0f, dU + 2 * H, GH);
    } else {
        blas_sgemm(true, false, H, GH, T * B, 1.0f, hp, H, drec, GH, 1.0f, dU, GH);
    }
    if (dU && c->use_bias) {
        float *db = grad_of(bp, c->bias);
        colsum_add(db, dg, T * B, GH, GH);
        if (c->kind == CELL_GRU && c->reset_after) colsum_add(db + GH, dhu, T * B, GH, GH);
    }
    /* input side: dW += x^T · dg and dx += dg · W^T, matching steps to positions */
    float *dW = grad_of(bp, c->kernel);
    if (!run->backwards) {
        if (dW) blas_sgemm(true, false, F, GH, T * B, 1.0f, x, F, dg, GH, 1.0f, dW, GH);
        if (dx) blas_sgemm(false, true, T * B, F, GH, 1.0f, dg, GH, c->kernel, GH, 1.0f, dx, F);
    } else {
        for (size_t t = 0; t < T; t++) {
            size_t pos = T - 1 - t;
            if (dW) blas_sgemm(true, false, F, GH, B, 1.0f, x + pos * B * F, F, dg + t * BG, GH, 1.0f, dW, GH);
            if (dx)
                blas_sgemm(false, true, B, F, GH, 1.0f, dg + t * BG, GH, c->kernel, GH, 1.0f,
                           dx + pos * B * F, F);
        }
    }
    if (drop_in && dx) {
        input_dropout_backward(dx_in, dx, run->dp_mask, T, B * F);
        free(dx);
    }
}

void model_backward(Backprop *bp, const Trace *tr)
{
    const Model *m = bp->model;
    UNROLL_ASSERT(tr->model == m && tr->B == bp->B && tr->T == bp->T && tr->keep);
    const size_t B = (size_t)tr->B;
    /* every layer below the last, and the input, receive gradients by += */
    if (bp->dinput) memset(bp->dinput, 0, (size_t)tr->T * B * (size_t)m->input_dim * sizeof(float));
    for (int i = 0; i < m->n_layers - 1; i++) {
        const Layer *l = &m->layers[i];
        memset(bp->dout[i], 0, (l->out_seq ? (size_t)tr->layers[i].T_out * B : B) * (size_t)l->out_dim * sizeof(float));
    }
    for (int i = m->n_layers - 1; i >= 0; i--) {
        const Layer *l = &m->layers[i];
        const float *in = i ? tr->layers[i - 1].out : tr->input;
        float *din = i ? bp->dout[i - 1] : bp->dinput;
        const size_t F = (size_t)l->in_dim, D = (size_t)l->out_dim;
        const size_t TB = (size_t)tr->layers[i].T_in * B;
        const size_t n_in = (l->in_seq ? TB : B) * F;
        switch (l->kind) {
        case LAYER_EMBEDDING: {
            /* out[k] = E[token k] */
            float *dE = grad_of(bp, l->kernel);
            for (size_t k = 0; dE && k < TB; k++) {
                float *row = dE + (size_t)tr->tokens[k] * D;
                const float *g = bp->dout[i] + k * D;
                for (size_t j = 0; j < D; j++) row[j] += g[j];
            }
            break;
        }
        case LAYER_MASKING: {
            /* out = in * mask */
            const unsigned char *mk = tr->layers[i].mask;
            if (din)
                for (size_t k = 0; k < TB; k++)
                    if (mk[k])
                        for (size_t j = 0; j < F; j++) din[k * F + j] += bp->dout[i][k * F + j];
            break;
        }
        case LAYER_DROPOUT: {
            /* out = in * keep / (1 - rate) */
            const float *keep = tr->layers[i].scratch;
            if (din)
                for (size_t k = 0; k < n_in; k++) din[k] += bp->dout[i][k] * keep[k];
            break;
        }
        case LAYER_DENSE:
            dense_backward(bp, tr, i, in, din);
            break;
        case LAYER_RNN:
            rnn_output_grads(bp, tr, i);
            for (int d = 0; d < l->n_dir; d++) run_backward(bp, tr, i, d, in, din);
            break;
        case LAYER_CONV1D:
            conv_backward(bp, tr, i, in, din);
            break;
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
            pool_backward(bp, tr, i, in, din);
            break;
        case LAYER_FLATTEN:
            if (!din) break;
            if (!l->in_seq) {
                for (size_t k = 0; k < B * F; k++) din[k] += bp->dout[i][k];
                break;
            }
            for (size_t k = 0; k < TB; k++) { /* k = t*B + b reads out[b][t*F + j] */
                const float *g = bp->dout[i] + (k % B) * D + (k / B) * F;
                for (size_t j = 0; j < F; j++) din[k * F + j] += g[j];
            }
            break;
        case LAYER_SPATIAL_DROPOUT: {
            const float *keep = tr->layers[i].scratch; /* (B, F) */
            if (din)
                for (size_t k = 0; k < TB; k++)
                    for (size_t j = 0; j < F; j++) din[k * F + j] += bp->dout[i][k * F + j] * keep[(k % B) * F + j];
            break;
        }
        }
    }
}

/* ---- losses ---------------------------------------------------------------- */

bool model_loss_kind(const Model *m, LossKind *kind, Err *err)
{
    const Layer *l = &m->layers[m->n_layers - 1];
    if (l->kind != LAYER_DENSE || l->out_seq)
        return err_set(err, "training needs the last layer to be a Dense layer giving one vector per sequence (it is '%s')", l->name);
    if (l->activation == ACT_SOFTMAX) {
        *kind = LOSS_SPARSE_CATEGORICAL;
        return true;
    }
    if (l->activation == ACT_SIGMOID && l->out_dim == 1) {
        *kind = LOSS_BINARY;
        return true;
    }
    return err_set(err, "training needs the last layer '%s' to be softmax (classes) or one sigmoid unit (yes/no); it is %s with %d units",
                   l->name, act_name(l->activation), l->out_dim);
}

static float clip_prob(float p)
{
    return p < LOSS_EPSILON ? LOSS_EPSILON : (p > 1.0f - LOSS_EPSILON ? 1.0f - LOSS_EPSILON : p);
}

/* d clip(p)/dp: 1 inside [eps, 1-eps], 0 outside */
static float clip_slope(float p)
{
    return p >= LOSS_EPSILON && p <= 1.0f - LOSS_EPSILON ? 1.0f : 0.0f;
}

double loss_compute(float *dy, const float *y, const int *labels, LossKind kind, int B, int C, int *correct)
{
    const size_t n_rows = (size_t)B, n_cols = (size_t)C;
    double sum = 0.0;
    int right = 0;
    if (dy) memset(dy, 0, n_rows * n_cols * sizeof *dy);
    for (size_t b = 0; b < n_rows; b++) {
        const float *p = y + b * n_cols;
        if (kind == LOSS_SPARSE_CATEGORICAL) {
            /* L = -log(clip(p_label)) */
            int lab = labels[b];
            UNROLL_ASSERT(lab >= 0 && lab < C);
            float pl = clip_prob(p[lab]);
            sum += -log((double)pl);
            int best = 0;
            for (int j = 1; j < C; j++) best = p[j] > p[best] ? j : best;
            right += best == lab;
            if (dy) dy[b * n_cols + (size_t)lab] = -clip_slope(p[lab]) / pl / (float)B;
        } else {
            /* L = -(y log p + (1-y) log(1-p)), p clipped */
            float t = (float)labels[b], pc = clip_prob(p[0]);
            sum += -((double)t * log((double)pc) + (double)(1.0f - t) * log(1.0 - (double)pc));
            right += (p[0] > 0.5f) == (labels[b] == 1);
            if (dy) dy[b] = clip_slope(p[0]) * (-t / pc + (1.0f - t) / (1.0f - pc)) / (float)B;
        }
    }
    if (correct) *correct = right;
    return sum;
}

bool trace_gradient_norms(const Trace *tr, int label, float *const (*norms)[2], Err *err)
{
    const Model *m = tr->model;
    LossKind kind;
    if (!model_loss_kind(m, &kind, err)) return false;
    const Layer *last = &m->layers[m->n_layers - 1];
    int classes = kind == LOSS_BINARY ? 2 : last->out_dim;
    if (label < 0 || label >= classes) return err_set(err, "label %d is not a class of this model (0..%d)", label, classes - 1);
    UNROLL_ASSERT(tr->B == 1 && tr->keep);
    Backprop bp;
    backprop_init(&bp, m, 1, tr->T);
    bp.states_only = true;
    loss_compute(bp.dout[m->n_layers - 1], tr->layers[m->n_layers - 1].out, &label, kind, 1, last->out_dim, NULL);
    model_backward(&bp, tr);
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_RNN) continue;
        const size_t H = (size_t)l->cell[0].units;
        for (int d = 0; d < l->n_dir; d++) {
            if (!norms[i][d]) continue;
            /* a recurrent layer after a Conv1D may read fewer steps: the rest are 0 */
            for (int t = tr->layers[i].T_in; t < tr->T; t++) norms[i][d][t] = 0.0f;
            for (int t = 0; t < tr->layers[i].T_in; t++) {
                double ss = 0;
                const float *g = bp.dh[i][d] + (size_t)t * H;
                for (size_t j = 0; j < H; j++) ss += (double)g[j] * (double)g[j];
                norms[i][d][t] = (float)sqrt(ss);
            }
        }
    }
    backprop_free(&bp);
    return true;
}
