/* cells: one step of SimpleRNN, GRU and LSTM for a batch, Keras' equations.
 *
 *   SimpleRNN  h = act(x·W + h_prev·U + b)
 *   LSTM       i, f, o = rec_act(x·W_* + h_prev·U_* + b_*)
 *              g = act(x·W_c + h_prev·U_c + b_c)
 *              c = f*c_prev + i*g ;  h = o*act(c)
 *   GRU        z, r = rec_act(x·W_* + h_prev·U_* + b_*)
 *              reset_after:  n = act(x·W_h + b_h[0] + r*(h_prev·U_h + b_h[1]))
 *              otherwise:    n = act(x·W_h + b_h + (r*h_prev)·U_h)
 *              h = z*h_prev + (1-z)*n
 *
 * The input projection x·W (+ input bias) of a whole sequence is done ahead
 * by cell_project, so a step adds only the recurrent sgemm. Masked rows carry
 * h and c and record zero gates. Depends on blas.h and act.c. */
#include <string.h>

#include "blas.h"
#include "engine.h"

int cell_gate_count(CellKind kind)
{
    switch (kind) {
    case CELL_SIMPLE_RNN: return 1;
    case CELL_GRU: return 3;
    case CELL_LSTM: return 4;
    }
    return 0;
}

const char *cell_class_name(CellKind kind)
{
    switch (kind) {
    case CELL_SIMPLE_RNN: return "SimpleRNN";
    case CELL_GRU: return "GRU";
    case CELL_LSTM: return "LSTM";
    }
    return "?";
}

/* G*H, the width of a cell's gate blocks */
static size_t gate_width(const Cell *cell)
{
    return (size_t)cell_gate_count(cell->kind) * (size_t)cell->units;
}

size_t cell_bias_size(const Cell *cell)
{
    if (!cell->use_bias) return 0;
    size_t gh = gate_width(cell);
    return cell->kind == CELL_GRU && cell->reset_after ? 2 * gh : gh;
}

void cell_project(float *xw, const float *x, const Cell *cell, size_t N)
{
    const size_t GH = gate_width(cell), F = (size_t)cell->input_dim;
    if (cell->use_bias) {
        /* input bias is row 0 of the GRU reset_after bias, else the bias */
        for (size_t n = 0; n < N; n++)
            memcpy(xw + n * GH, cell->bias, GH * sizeof *xw);
    }
    blas_sgemm(false, false, N, GH, F, 1.0f, x, F,
               cell->kernel, GH, cell->use_bias ? 1.0f : 0.0f, xw, GH);
}

/* pre (B, GH) = xw + h_prev·U over columns [c0, c0+nc) of the gate blocks */
static void recurrent_add(float *out, const float *h_prev, const Cell *cell,
                          size_t B, size_t c0, size_t nc, size_t ld_out)
{
    const size_t H = (size_t)cell->units, GH = gate_width(cell);
    blas_sgemm(false, false, B, nc, H, 1.0f, h_prev, H,
               cell->recurrent_kernel + c0, GH, 1.0f, out, ld_out);
}

static void copy_rows(float *dst, const float *src, size_t B, size_t n)
{
    memcpy(dst, src, B * n * sizeof *dst);
}

/* SimpleRNN has no gates: its gate slot records the pre-activation, which
 * the inspector shows inside act(...). */
static void simple_rnn_step(float *h, float *pre, const float *xw,
                            const float *h_prev, const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units;
    copy_rows(pre, xw, B, H);
    recurrent_add(pre, h_prev, cell, B, 0, H, H);
    act_forward(h, pre, cell->activation, B * H);
}

static void lstm_step(float *h, float *c, float *gates, const float *xw,
                      const float *h_prev, const float *c_prev,
                      const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units, GH = 4 * H;
    /* pre-activations of all four gate blocks */
    copy_rows(gates, xw, B, GH);
    recurrent_add(gates, h_prev, cell, B, 0, GH, GH);
    for (size_t b = 0; b < B; b++) {
        float *gi = gates + b * GH, *gf = gi + H, *gg = gi + 2 * H,
              *go = gi + 3 * H;
        act_forward(gi, gi, cell->recurrent_activation, 2 * H); /* i, f */
        act_forward(gg, gg, cell->activation, H);
        act_forward(go, go, cell->recurrent_activation, H);
        const float *cp = c_prev + b * H;
        float *cb = c + b * H, *hb = h + b * H;
        /* cell state */
        for (size_t j = 0; j < H; j++) cb[j] = gf[j] * cp[j] + gi[j] * gg[j];
        /* output */
        act_forward(hb, cb, cell->activation, H);
        for (size_t j = 0; j < H; j++) hb[j] *= go[j];
    }
}

static void gru_step(float *h, float *gates, float *hu, float *scratch,
                     const float *xw, const float *h_prev, const Cell *cell,
                     size_t B)
{
    const size_t H = (size_t)cell->units, GH = 3 * H;
    /* recurrent projection: all blocks (reset_after) or z and r only */
    if (cell->reset_after) {
        if (cell->use_bias) {
            for (size_t b = 0; b < B; b++)
                memcpy(hu + b * GH, cell->bias + GH, GH * sizeof *hu);
        } else {
            memset(hu, 0, B * GH * sizeof *hu);
        }
        recurrent_add(hu, h_prev, cell, B, 0, GH, GH);
    } else {
        memset(hu, 0, B * GH * sizeof *hu);
        recurrent_add(hu, h_prev, cell, B, 0, 2 * H, GH);
    }
    /* update and reset gates */
    for (size_t b = 0; b < B; b++) {
        float *g = gates + b * GH;
        const float *x = xw + b * GH, *u = hu + b * GH;
        for (size_t j = 0; j < 2 * H; j++) g[j] = x[j] + u[j];
        act_forward(g, g, cell->recurrent_activation, 2 * H);
    }
    /* candidate */
    if (!cell->reset_after) {
        for (size_t b = 0; b < B; b++) {
            const float *r = gates + b * GH + H, *hp = h_prev + b * H;
            float *s = scratch + b * H;
            for (size_t j = 0; j < H; j++) s[j] = r[j] * hp[j];
        }
        blas_sgemm(false, false, B, H, H, 1.0f, scratch, H,
                   cell->recurrent_kernel + 2 * H, GH, 0.0f, hu + 2 * H, GH);
    }
    for (size_t b = 0; b < B; b++) {
        float *g = gates + b * GH;
        const float *x = xw + b * GH + 2 * H, *u = hu + b * GH + 2 * H;
        const float *r = g + H;
        float *n = g + 2 * H;
        if (cell->reset_after)
            for (size_t j = 0; j < H; j++) n[j] = x[j] + r[j] * u[j];
        else
            for (size_t j = 0; j < H; j++) n[j] = x[j] + u[j];
        act_forward(n, n, cell->activation, H);
        /* new state */
        const float *z = g, *hp = h_prev + b * H;
        float *hb = h + b * H;
        for (size_t j = 0; j < H; j++) hb[j] = z[j] * hp[j] + (1.0f - z[j]) * n[j];
    }
}

void cell_step(float *h, float *c, float *gates, float *hu, float *scratch,
               const float *xw, const float *h_prev, const float *c_prev,
               const unsigned char *mask, const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units, GH = gate_width(cell);
    switch (cell->kind) {
    case CELL_SIMPLE_RNN:
        simple_rnn_step(h, gates, xw, h_prev, cell, B);
        break;
    case CELL_LSTM:
        lstm_step(h, c, gates, xw, h_prev, c_prev, cell, B);
        break;
    case CELL_GRU:
        gru_step(h, gates, hu, scratch, xw, h_prev, cell, B);
        break;
    }
    if (!mask) return;
    /* masked rows carry the state and record no gates */
    for (size_t b = 0; b < B; b++) {
        if (mask[b]) continue;
        memcpy(h + b * H, h_prev + b * H, H * sizeof *h);
        if (c) memcpy(c + b * H, c_prev + b * H, H * sizeof *c);
        if (gates)
            memset(gates + b * GH, 0, GH * sizeof *gates);
    }
}

/* dx = dy * act'(y), from the activation's output y */
void act_backward(float *dx, const float *dy, const float *y, Act act, size_t n)
{
    UNROLL_ASSERT(act != ACT_SOFTMAX); /* softmax backward is done by rows (backward.c) */
    switch (act) {
    case ACT_LINEAR:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i];
        break;
    case ACT_RELU:
        for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case ACT_HARD_SIGMOID:
        /* slope 0.2 inside the clip, 0 where it saturates */
        for (size_t i = 0; i < n; i++) dx[i] = y[i] > 0.0f && y[i] < 1.0f ? 0.2f * dy[i] : 0.0f;
        break;
    case ACT_SOFTMAX: break; /* asserted above */
    }
}

/* in the forward pass: pre = x·W + h_prev·U + b ; h = act(pre) */
static void simple_rnn_step_backward(float *dg, const float *dh, const float *h, const Cell *cell, size_t B)
{
    act_backward(dg, dh, h, cell->activation, B * (size_t)cell->units);
}

/* in the forward pass: c = f*c_prev + i*g ; h = o*act(c)
 * scratch: 2*H floats */
static void lstm_step_backward(float *dg, float *dc_prev, float *scratch, const float *dh, const float *dc,
                               const float *c, const float *c_prev, const float *gates, const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units, GH = 4 * H;
    float *tc = scratch, *dcx = scratch + H;
    for (size_t b = 0; b < B; b++) {
        const float *gi = gates + b * GH, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
        const float *dhb = dh + b * H, *cb = c + b * H, *cp = c_prev + b * H;
        float *di = dg + b * GH, *df = di + H, *dgg = di + 2 * H, *dout = di + 3 * H;
        float *dcp = dc_prev + b * H;
        /* h = o * act(c) */
        act_forward(tc, cb, cell->activation, H);
        for (size_t j = 0; j < H; j++) {
            dout[j] = dhb[j] * tc[j];
            dcx[j] = dhb[j] * go[j];
        }
        act_backward(dcx, dcx, tc, cell->activation, H);
        /* c = f*c_prev + i*g, with what the next step sends back through c */
        for (size_t j = 0; j < H; j++) {
            float dct = dcx[j] + (dc ? dc[b * H + j] : 0.0f);
            di[j] = dct * gg[j];
            df[j] = dct * cp[j];
            dgg[j] = dct * gi[j];
            dcp[j] = dct * gf[j];
        }
        /* through the gate activations */
        act_backward(di, di, gi, cell->recurrent_activation, 2 * H); /* i, f */
        act_backward(dgg, dgg, gg, cell->activation, H);
        act_backward(dout, dout, go, cell->recurrent_activation, H);
    }
}

/* in the forward pass: z, r = rec_act(...); n = act(x·W_h + ... r ...);
 * h = z*h_prev + (1-z)*n. Writes dg, dhu and the direct part of dh_prev;
 * scratch: 2*H floats per row (B*2*H). */
static void gru_step_backward(float *dg, float *dhu, float *rh, float *dh_prev, float *scratch, const float *dh,
                              const float *h_prev, const float *gates, const float *hu, const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units, GH = 3 * H;
    /* h = z*h_prev + (1-z)*n */
    for (size_t b = 0; b < B; b++) {
        const float *z = gates + b * GH, *n = z + 2 * H;
        const float *dhb = dh + b * H, *hp = h_prev + b * H;
        float *d = dg + b * GH, *dn = d + 2 * H, *dhp = dh_prev + b * H;
        for (size_t j = 0; j < H; j++) {
            d[j] = dhb[j] * (hp[j] - n[j]);
            dn[j] = dhb[j] * (1.0f - z[j]);
            dhp[j] = dhb[j] * z[j];
        }
        act_backward(dn, dn, n, cell->activation, H);
        act_backward(d, d, z, cell->recurrent_activation, H);
    }
    /* candidate, through the reset gate */
    if (cell->reset_after) {
        /* n = act(x·W_h + b_h0 + r*(h_prev·U_h + b_h1)) */
        for (size_t b = 0; b < B; b++) {
            const float *r = gates + b * GH + H, *un = hu + b * GH + 2 * H;
            float *d = dg + b * GH, *dr = d + H, *dn = d + 2 * H;
            float *e = dhu + b * GH;
            for (size_t j = 0; j < H; j++) {
                dr[j] = dn[j] * un[j];
                e[2 * H + j] = dn[j] * r[j];
            }
        }
    } else {
        /* n = act(x·W_h + b_h + (r*h_prev)·U_h) */
        float *drh = scratch;
        blas_sgemm(false, true, B, H, H, 1.0f, dg + 2 * H, GH, cell->recurrent_kernel + 2 * H, GH, 0.0f, drh, H);
        for (size_t b = 0; b < B; b++) {
            const float *r = gates + b * GH + H, *hp = h_prev + b * H;
            float *d = dg + b * GH, *dr = d + H, *dn = d + 2 * H;
            float *e = dhu + b * GH, *x = drh + b * H, *rhb = rh + b * H;
            float *dhp = dh_prev + b * H;
            for (size_t j = 0; j < H; j++) {
                dr[j] = x[j] * hp[j];
                dhp[j] += x[j] * r[j];
                rhb[j] = r[j] * hp[j];
                e[2 * H + j] = dn[j];
            }
        }
    }
    for (size_t b = 0; b < B; b++) {
        float *d = dg + b * GH, *e = dhu + b * GH;
        const float *r = gates + b * GH + H;
        act_backward(d + H, d + H, r, cell->recurrent_activation, H);
        memcpy(e, d, 2 * H * sizeof *e); /* z and r see the same sum */
    }
}

void cell_step_backward(float *dg, float *dhu, float *rh, float *dh_prev, float *dc_prev, float *scratch,
                        const float *dh, const float *dc, const float *h, const float *c, const float *h_prev,
                        const float *c_prev, const float *gates, const float *hu, const unsigned char *mask,
                        const Cell *cell, size_t B)
{
    const size_t H = (size_t)cell->units, GH = gate_width(cell);
    switch (cell->kind) {
    case CELL_SIMPLE_RNN:
        simple_rnn_step_backward(dg, dh, h, cell, B);
        break;
    case CELL_LSTM:
        lstm_step_backward(dg, dc_prev, scratch, dh, dc, c, c_prev, gates, cell, B);
        break;
    case CELL_GRU:
        gru_step_backward(dg, dhu, rh, dh_prev, scratch, dh, h_prev, gates, hu, cell, B);
        break;
    }
    /* masked rows: the step was the identity on h and c */
    if (mask)
        for (size_t b = 0; b < B; b++) {
            if (mask[b]) continue;
            memset(dg + b * GH, 0, GH * sizeof *dg);
            if (dhu) memset(dhu + b * GH, 0, GH * sizeof *dhu);
        }
    /* dh_prev += d(recurrent projection)·U^T (GRU without reset_after: z and r blocks only) */
    const float *drec = cell->kind == CELL_GRU ? dhu : dg;
    size_t ncols = cell->kind == CELL_GRU && !cell->reset_after ? 2 * H : GH;
    blas_sgemm(false, true, B, H, ncols, 1.0f, drec, GH, cell->recurrent_kernel, GH,
               cell->kind == CELL_GRU ? 1.0f : 0.0f, dh_prev, H);
    if (mask)
        for (size_t b = 0; b < B; b++) {
            if (mask[b]) continue;
            memcpy(dh_prev + b * H, dh + b * H, H * sizeof *dh_prev);
            if (dc_prev && dc) memcpy(dc_prev + b * H, dc + b * H, H * sizeof *dc_prev);
            else if (dc_prev) memset(dc_prev + b * H, 0, H * sizeof *dc_prev);
        }
}
