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
