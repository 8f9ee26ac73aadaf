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

size_t cell_bias_size(const Cell *cell)
{
    if (!cell->use_bias) return 0;
    size_t gh = (size_t)cell_gate_count(cell->kind) * cell->units;
    return cell->kind == CELL_GRU && cell->reset_after ? 2 * gh : gh;
}

void cell_project(float *xw, const float *x, const Cell *cell, int N)
{
    const int GH = cell_gate_count(cell->kind) * cell->units;
    if (cell->use_bias) {
        /* input bias is row 0 of the GRU reset_after bias, else the bias */
        for (int n = 0; n < N; n++)
            memcpy(xw + (size_t)n * GH, cell->bias, (size_t)GH * sizeof *xw);
    }
    blas_sgemm(false, false, N, GH, cell->input_dim, 1.0f, x, cell->input_dim,
               cell->kernel, GH, cell->use_bias ? 1.0f : 0.0f, xw, GH);
}

/* pre (B, GH) = xw + h_prev·U over columns [c0, c0+nc) of the gate blocks */
static void recurrent_add(float *out, const float *h_prev, const Cell *cell,
                          int B, int c0, int nc, int ld_out)
{
    const int H = cell->units, GH = cell_gate_count(cell->kind) * H;
    blas_sgemm(false, false, B, nc, H, 1.0f, h_prev, H,
               cell->recurrent_kernel + c0, GH, 1.0f, out, ld_out);
}

static void copy_rows(float *dst, const float *src, int B, int n)
{
    memcpy(dst, src, (size_t)B * n * sizeof *dst);
}

/* SimpleRNN has no gates: its gate slot records the pre-activation, which
 * the inspector shows inside act(...). */
static void simple_rnn_step(float *h, float *pre, const float *xw,
                            const float *h_prev, const Cell *cell, int B)
{
    const int H = cell->units;
    copy_rows(pre, xw, B, H);
    recurrent_add(pre, h_prev, cell, B, 0, H, H);
    act_forward(h, pre, cell->activation, B * H);
}

static void lstm_step(float *h, float *c, float *gates, const float *xw,
                      const float *h_prev, const float *c_prev,
                      const Cell *cell, int B)
{
    const int H = cell->units, GH = 4 * H;
    /* pre-activations of all four gate blocks */
    copy_rows(gates, xw, B, GH);
    recurrent_add(gates, h_prev, cell, B, 0, GH, GH);
    for (int b = 0; b < B; b++) {
        float *gi = gates + (size_t)b * GH, *gf = gi + H, *gg = gi + 2 * H,
              *go = gi + 3 * H;
        act_forward(gi, gi, cell->recurrent_activation, 2 * H); /* i, f */
        act_forward(gg, gg, cell->activation, H);
        act_forward(go, go, cell->recurrent_activation, H);
        const float *cp = c_prev + (size_t)b * H;
        float *cb = c + (size_t)b * H, *hb = h + (size_t)b * H;
        /* cell state */
        for (int j = 0; j < H; j++) cb[j] = gf[j] * cp[j] + gi[j] * gg[j];
        /* output */
        act_forward(hb, cb, cell->activation, H);
        for (int j = 0; j < H; j++) hb[j] *= go[j];
    }
}

static void gru_step(float *h, float *gates, float *hu, float *scratch,
                     const float *xw, const float *h_prev, const Cell *cell,
                     int B)
{
    const int H = cell->units, GH = 3 * H;
    /* recurrent projection: all blocks (reset_after) or z and r only */
    if (cell->reset_after) {
        if (cell->use_bias) {
            for (int b = 0; b < B; b++)
                memcpy(hu + (size_t)b * GH, cell->bias + GH, (size_t)GH * sizeof *hu);
        } else {
            memset(hu, 0, (size_t)B * GH * sizeof *hu);
        }
        recurrent_add(hu, h_prev, cell, B, 0, GH, GH);
    } else {
        memset(hu, 0, (size_t)B * GH * sizeof *hu);
        recurrent_add(hu, h_prev, cell, B, 0, 2 * H, GH);
    }
    /* update and reset gates */
    for (int b = 0; b < B; b++) {
        float *g = gates + (size_t)b * GH;
        const float *x = xw + (size_t)b * GH, *u = hu + (size_t)b * GH;
        for (int j = 0; j < 2 * H; j++) g[j] = x[j] + u[j];
        act_forward(g, g, cell->recurrent_activation, 2 * H);
    }
    /* candidate */
    if (!cell->reset_after) {
        for (int b = 0; b < B; b++) {
            const float *r = gates + (size_t)b * GH + H, *hp = h_prev + (size_t)b * H;
            float *s = scratch + (size_t)b * H;
            for (int j = 0; j < H; j++) s[j] = r[j] * hp[j];
        }
        blas_sgemm(false, false, B, H, H, 1.0f, scratch, H,
                   cell->recurrent_kernel + 2 * H, GH, 0.0f, hu + 2 * H, GH);
    }
    for (int b = 0; b < B; b++) {
        float *g = gates + (size_t)b * GH;
        const float *x = xw + (size_t)b * GH + 2 * H, *u = hu + (size_t)b * GH + 2 * H;
        const float *r = g + H;
        float *n = g + 2 * H;
        if (cell->reset_after)
            for (int j = 0; j < H; j++) n[j] = x[j] + r[j] * u[j];
        else
            for (int j = 0; j < H; j++) n[j] = x[j] + u[j];
        act_forward(n, n, cell->activation, H);
        /* new state */
        const float *z = g, *hp = h_prev + (size_t)b * H;
        float *hb = h + (size_t)b * H;
        for (int j = 0; j < H; j++) hb[j] = z[j] * hp[j] + (1.0f - z[j]) * n[j];
    }
}

void cell_step(float *h, float *c, float *gates, float *hu, float *scratch,
               const float *xw, const float *h_prev, const float *c_prev,
               const unsigned char *mask, const Cell *cell, int B)
{
    const int H = cell->units, GH = cell_gate_count(cell->kind) * H;
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
    for (int b = 0; b < B; b++) {
        if (mask[b]) continue;
        memcpy(h + (size_t)b * H, h_prev + (size_t)b * H, (size_t)H * sizeof *h);
        if (c) memcpy(c + (size_t)b * H, c_prev + (size_t)b * H, (size_t)H * sizeof *c);
        if (gates)
            memset(gates + (size_t)b * GH, 0, (size_t)GH * sizeof *gates);
    }
}

/* dx = dy * act'(y), from the activation's output y */
void act_backward(float *dx, const float *dy, const float *y, Act act, int n)
{
    switch (act) {
    case ACT_LINEAR:
        for (int i = 0; i < n; i++) dx[i] = dy[i];
        break;
    case ACT_RELU:
        for (int i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ACT_TANH:
        for (int i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case ACT_SIGMOID:
        for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case ACT_HARD_SIGMOID:
        /* slope 0.2 inside the clip, 0 where it saturates */
        for (int i = 0; i < n; i++) dx[i] = y[i] > 0.0f && y[i] < 1.0f ? 0.2f * dy[i] : 0.0f;
        break;
    case ACT_SOFTMAX:
        UNROLL_ASSERT(!"softmax backward is done by rows");
        break;
    }
}

/* in the forward pass: pre = x·W + h_prev·U + b ; h = act(pre) */
static void simple_rnn_step_backward(float *dg, const float *dh, const float *h, const Cell *cell, int B)
{
    act_backward(dg, dh, h, cell->activation, B * cell->units);
}

/* in the forward pass: c = f*c_prev + i*g ; h = o*act(c)
 * scratch: 2*H floats */
static void lstm_step_backward(float *dg, float *dc_prev, float *scratch, const float *dh, const float *dc,
                               const float *c, const float *c_prev, const float *gates, const Cell *cell, int B)
{
    const int H = cell->units, GH = 4 * H;
    float *tc = scratch, *dcx = scratch + H;
    for (int b = 0; b < B; b++) {
        const float *gi = gates + (size_t)b * GH, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
        const float *dhb = dh + (size_t)b * H, *cb = c + (size_t)b * H, *cp = c_prev + (size_t)b * H;
        float *di = dg + (size_t)b * GH, *df = di + H, *dgg = di + 2 * H, *dout = di + 3 * H;
        float *dcp = dc_prev + (size_t)b * H;
        /* h = o * act(c) */
        act_forward(tc, cb, cell->activation, H);
        for (int j = 0; j < H; j++) {
            dout[j] = dhb[j] * tc[j];
            dcx[j] = dhb[j] * go[j];
        }
        act_backward(dcx, dcx, tc, cell->activation, H);
        /* c = f*c_prev + i*g, with what the next step sends back through c */
        for (int j = 0; j < H; j++) {
            float dct = dcx[j] + (dc ? dc[(size_t)b * H + j] : 0.0f);
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
                              const float *h_prev, const float *gates, const float *hu, const Cell *cell, int B)
{
    const int H = cell->units, GH = 3 * H;
    /* h = z*h_prev + (1-z)*n */
    for (int b = 0; b < B; b++) {
        const float *z = gates + (size_t)b * GH, *n = z + 2 * H;
        const float *dhb = dh + (size_t)b * H, *hp = h_prev + (size_t)b * H;
        float *d = dg + (size_t)b * GH, *dn = d + 2 * H, *dhp = dh_prev + (size_t)b * H;
        for (int j = 0; j < H; j++) {
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
        for (int b = 0; b < B; b++) {
            const float *r = gates + (size_t)b * GH + H, *un = hu + (size_t)b * GH + 2 * H;
            float *d = dg + (size_t)b * GH, *dr = d + H, *dn = d + 2 * H;
            float *e = dhu + (size_t)b * GH;
            for (int j = 0; j < H; j++) {
                dr[j] = dn[j] * un[j];
                e[2 * H + j] = dn[j] * r[j];
            }
        }
    } else {
        /* n = act(x·W_h + b_h + (r*h_prev)·U_h) */
        float *drh = scratch;
        blas_sgemm(false, true, B, H, H, 1.0f, dg + 2 * H, GH, cell->recurrent_kernel + 2 * H, GH, 0.0f, drh, H);
        for (int b = 0; b < B; b++) {
            const float *r = gates + (size_t)b * GH + H, *hp = h_prev + (size_t)b * H;
            float *d = dg + (size_t)b * GH, *dr = d + H, *dn = d + 2 * H;
            float *e = dhu + (size_t)b * GH, *x = drh + (size_t)b * H, *rhb = rh + (size_t)b * H;
            float *dhp = dh_prev + (size_t)b * H;
            for (int j = 0; j < H; j++) {
                dr[j] = x[j] * hp[j];
                dhp[j] += x[j] * r[j];
                rhb[j] = r[j] * hp[j];
                e[2 * H + j] = dn[j];
            }
        }
    }
    for (int b = 0; b < B; b++) {
        float *d = dg + (size_t)b * GH, *e = dhu + (size_t)b * GH;
        const float *r = gates + (size_t)b * GH + H;
        act_backward(d + H, d + H, r, cell->recurrent_activation, H);
        memcpy(e, d, (size_t)2 * H * sizeof *e); /* z and r see the same sum */
    }
}

void cell_step_backward(float *dg, float *dhu, float *rh, float *dh_prev, float *dc_prev, float *scratch,
                        const float *dh, const float *dc, const float *h, const float *c, const float *h_prev,
                        const float *c_prev, const float *gates, const float *hu, const unsigned char *mask,
                        const Cell *cell, int B)
{
    const int H = cell->units, GH = cell_gate_count(cell->kind) * H;
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
        for (int b = 0; b < B; b++) {
            if (mask[b]) continue;
            memset(dg + (size_t)b * GH, 0, (size_t)GH * sizeof *dg);
            if (dhu) memset(dhu + (size_t)b * GH, 0, (size_t)GH * sizeof *dhu);
        }
    /* dh_prev += d(recurrent projection)·U^T (GRU without reset_after: z and r blocks only) */
    const float *drec = cell->kind == CELL_GRU ? dhu : dg;
    int ncols = cell->kind == CELL_GRU && !cell->reset_after ? 2 * H : GH;
    blas_sgemm(false, true, B, H, ncols, 1.0f, drec, GH, cell->recurrent_kernel, GH,
               cell->kind == CELL_GRU ? 1.0f : 0.0f, dh_prev, H);
    if (mask)
        for (int b = 0; b < B; b++) {
            if (mask[b]) continue;
            memcpy(dh_prev + (size_t)b * H, dh + (size_t)b * H, (size_t)H * sizeof *dh_prev);
            if (dc_prev && dc) memcpy(dc_prev + (size_t)b * H, dc + (size_t)b * H, (size_t)H * sizeof *dc_prev);
            else if (dc_prev) memset(dc_prev + (size_t)b * H, 0, (size_t)H * sizeof *dc_prev);
        }
}
