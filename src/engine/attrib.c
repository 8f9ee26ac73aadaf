/* attrib: input attribution. For one prediction of a model (the output after
 * step t) and one class k, how much each earlier input word contributed:
 *
 *   gradient x input  a_s = sum_j d(log-odds_k)/d(e_s[j]) * e_s[j]
 *     e_s the first layer's output at position s (the word's embedding) or,
 *     for float-input models, the input vector; one forward pass and one
 *     backward pass (model_backward, the same backprop that trains).
 *   occlusion         a_s = p_k(sequence) - p_k(the same with position s
 *     made padding: token 0, or a zero input vector); one extra forward pass
 *     per position, batched.
 *
 * The prediction after step t is the one model_predict_prefixes gives: the
 * prefix of positions 0..t, fitted in front to the model's fixed length, for
 * models that give one vector per sequence; the output at step t of the
 * whole sequence for models whose last layer gives a sequence. What the
 * gradient explains is the log-odds log(p_k / (1 - p_k)) for a softmax or
 * sigmoid output (for one sigmoid unit, class 1 is p and class 0 is 1 - p):
 * unlike p_k and log p_k it does not flatten to 0 when the model is sure,
 * and it is the logit z of a sigmoid unit. For softmax it is
 * z_k - log sum_{j!=k} exp z_j, a logit that does not depend on the shift
 * softmax ignores. Other outputs explain the output value y_k itself.
 * Padding (token 0) is no word: it gets 0.
 *
 * What it does not: choose the class or scale the figures for drawing.
 * Depends on model.c and backward.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* occluded copies per forward pass */
#define ATTRIB_BATCH 64

/* The sequence the prediction after step t was made from: n positions,
 * position p of it reading position p + off of the caller's sequence (none
 * when that is negative: padding in front). out_row is the output row. */
typedef struct {
    int n, off, out_row;
} Window;

static Window window_of(const Model *m, int T, int t)
{
    const Layer *last = &m->layers[m->n_layers - 1];
    if (last->out_seq) return (Window){.n = T, .off = 0, .out_row = t};
    int L = m->seq_len;
    if (L) return (Window){.n = L, .off = t + 1 - L, .out_row = 0};
    return (Window){.n = t + 1, .off = 0, .out_row = 0};
}

/* The window's tokens or input vectors for batch row b (batch-major, as
 * model_forward takes them); position `hole` (of the caller's sequence) is
 * made padding, none when hole < 0. */
static void fill_row(int *tok_rows, float *in_rows, const Model *m, const int *tokens, const float *input,
                     Window w, int b, int hole)
{
    const size_t n = (size_t)w.n, F = (size_t)m->input_dim;
    for (int p = 0; p < w.n; p++) {
        int s = p + w.off;
        bool real = s >= 0 && s != hole;
        if (m->token_input) tok_rows[(size_t)b * n + (size_t)p] = real ? tokens[s] : 0;
        else if (real) memcpy(in_rows + ((size_t)b * n + (size_t)p) * F, input + (size_t)s * F, F * sizeof *in_rows);
        else memset(in_rows + ((size_t)b * n + (size_t)p) * F, 0, F * sizeof *in_rows);
    }
}

static bool is_binary(const Layer *last)
{
    return last->kind == LAYER_DENSE && last->activation == ACT_SIGMOID && last->out_dim == 1;
}

/* a Dense layer giving probabilities: softmax, or sigmoid units */
static bool is_prob(const Layer *last)
{
    return last->kind == LAYER_DENSE && (last->activation == ACT_SOFTMAX || last->activation == ACT_SIGMOID);
}

/* p_k (or the output value) from an output row y */
static float class_value(const Layer *last, const float *y, int k)
{
    if (is_binary(last)) return k == 1 ? y[0] : 1.0f - y[0];
    return y[k];
}

bool model_attrib_log_odds(const Model *m)
{
    return is_prob(&m->layers[m->n_layers - 1]);
}

int model_attrib_classes(const Model *m)
{
    const Layer *last = &m->layers[m->n_layers - 1];
    return is_binary(last) ? 2 : last->out_dim;
}

bool model_attrib_check(const Model *m, int T, int t, int k, Err *err)
{
    if (T < 1) return err_set(err, "attribution needs at least one input position");
    if (t < 0 || t >= T) return err_set(err, "attribution step %d is not a step of this input (0..%d)", t, T - 1);
    int classes = model_attrib_classes(m);
    if (k < 0 || k >= classes)
        return err_set(err, "attribution class %d is not an output of this model (0..%d)", k, classes - 1);
    return true;
}

/* The seed of the backward pass for class k at the output row: for a Dense
 * layer with probabilities, dL/d(pre-activation) of the log-odds
 * log(p_k / (1 - p_k)) (bp->dout_preactivation), else dL/dy_k = 1.
 *   softmax: log p_k - log(sum_{j!=k} p_j) = z_k - log sum_{j!=k} exp z_j,
 *            so dz_k = 1 and dz_j = -q_j, q the softmax of the other z
 *   sigmoid: the unit's z (class 0 of one unit: -z) */
static void seed_output(Backprop *bp, const Trace *tr, Window w, int k)
{
    const Model *m = bp->model;
    const int li = m->n_layers - 1;
    const Layer *last = &m->layers[li];
    const size_t D = (size_t)last->out_dim, F = (size_t)last->in_dim;
    float *dy = bp->dout[li];
    memset(dy, 0, (last->out_seq ? (size_t)w.n : 1) * D * sizeof *dy);
    dy += (size_t)w.out_row * D;
    if (!is_prob(last)) {
        dy[k] = 1.0f;
        return;
    }
    bp->dout_preactivation = true;
    if (last->activation == ACT_SIGMOID) {
        if (is_binary(last)) dy[0] = k == 1 ? 1.0f : -1.0f;
        else dy[k] = 1.0f;
        return;
    }
    /* softmax: the pre-activations again, from the layer's input row */
    const float *in = (li ? tr->layers[li - 1].out : tr->input) + (size_t)w.out_row * F;
    double zmax = -(double)INFINITY, sum = 0.0;
    for (size_t j = 0; j < D; j++) {
        double z = last->use_bias ? (double)last->bias[j] : 0.0;
        for (size_t i = 0; i < F; i++) z += (double)in[i] * (double)last->kernel[i * D + j];
        dy[j] = (float)z;
        if (j != (size_t)k && z > zmax) zmax = z;
    }
    for (size_t j = 0; j < D; j++)
        if (j != (size_t)k) sum += exp((double)dy[j] - zmax);
    for (size_t j = 0; j < D; j++)
        dy[j] = j == (size_t)k ? 1.0f : (float)(-exp((double)dy[j] - zmax) / sum);
}

/* One forward pass of the window, unoccluded, into tr (trace_init with keep;
 * the caller frees tr). */
static void forward_window(Trace *tr, const Model *m, const int *tokens, const float *input, Window w, bool keep)
{
    const size_t n = (size_t)w.n, F = (size_t)m->input_dim;
    int *row_tok = m->token_input ? xcalloc(n, sizeof *row_tok) : NULL;
    float *row_in = m->token_input ? NULL : xcalloc(n * F, sizeof *row_in);
    fill_row(row_tok, row_in, m, tokens, input, w, 0, -1);
    trace_init(tr, m, 1, w.n, keep);
    model_forward(tr, row_tok, row_in);
    free(row_tok);
    free(row_in);
}

/* One forward pass and one backward pass from the seed. */
static void attribute_gradient(float *out, const Model *m, const int *tokens, const float *input, int T, int t, int k)
{
    const Window w = window_of(m, T, t);
    const size_t F = (size_t)m->input_dim;
    Trace tr;
    forward_window(&tr, m, tokens, input, w, true);
    Backprop bp;
    backprop_init(&bp, m, 1, w.n);
    bp.states_only = true;
    seed_output(&bp, &tr, w, k);
    model_backward(&bp, &tr);
    /* gradient x input at each position of the window */
    const float *x = m->token_input ? tr.layers[0].out : tr.input;
    const float *dx = m->token_input ? bp.dout[0] : bp.dinput;
    const size_t E = m->token_input ? (size_t)m->layers[0].out_dim : F;
    for (int s = 0; s < T; s++) out[s] = 0.0f;
    for (int p = 0; p < w.n; p++) {
        int s = p + w.off;
        if (s < 0 || (m->token_input && tokens[s] == 0)) continue;
        double sum = 0.0;
        for (size_t j = 0; j < E; j++)
            sum += (double)dx[(size_t)p * E + j] * (double)x[(size_t)p * E + j];
        out[s] = (float)sum;
    }
    backprop_free(&bp);
    trace_free(&tr);
}

/* Batches of the window with one position made padding each; row 0 of the
 * first batch is the window as it is. */
static void attribute_occlusion(float *out, const Model *m, const int *tokens, const float *input, int T, int t,
                                int k)
{
    const Layer *last = &m->layers[m->n_layers - 1];
    const Window w = window_of(m, T, t);
    const size_t n = (size_t)w.n, F = (size_t)m->input_dim, D = (size_t)last->out_dim;
    for (int s = 0; s < T; s++) out[s] = 0.0f;
    /* the positions to occlude: inside the window, not padding already */
    int *holes = xcalloc(n + 1, sizeof *holes);
    int n_holes = 0;
    holes[n_holes++] = -1;
    for (int p = 0; p < w.n; p++) {
        int s = p + w.off;
        if (s >= 0 && !(m->token_input && tokens[s] == 0)) holes[n_holes++] = s;
    }
    int P = n_holes < ATTRIB_BATCH ? n_holes : ATTRIB_BATCH;
    int *rows_tok = m->token_input ? xcalloc((size_t)P * n, sizeof *rows_tok) : NULL;
    float *rows_in = m->token_input ? NULL : xcalloc((size_t)P * n * F, sizeof *rows_in);
    Trace tr;
    trace_init(&tr, m, P, w.n, false);
    float base = 0.0f;
    for (int h0 = 0; h0 < n_holes; h0 += P) {
        int cnt = n_holes - h0 < P ? n_holes - h0 : P;
        for (int b = 0; b < P; b++) /* spare rows repeat the last one */
            fill_row(rows_tok, rows_in, m, tokens, input, w, b, holes[h0 + (b < cnt ? b : cnt - 1)]);
        model_forward(&tr, rows_tok, rows_in);
        const float *y = tr.layers[m->n_layers - 1].out;
        for (int b = 0; b < cnt; b++) {
            /* the output row of sequence b: (T, B, D) for sequence outputs, else (B, D) */
            size_t r = last->out_seq ? (size_t)w.out_row * (size_t)P + (size_t)b : (size_t)b;
            float v = class_value(last, y + r * D, k);
            if (holes[h0 + b] < 0) base = v;
            else out[holes[h0 + b]] = base - v;
        }
    }
    trace_free(&tr);
    free(rows_tok);
    free(rows_in);
    free(holes);
}

bool model_attrib_prediction(float *y, int *best, const Model *m, const int *tokens, const float *input, int T,
                             int t, Err *err)
{
    if (!model_attrib_check(m, T, t, 0, err)) return false;
    if (m->token_input && !model_check_tokens(m, tokens, T, err)) return false;
    const Layer *last = &m->layers[m->n_layers - 1];
    const Window w = window_of(m, T, t);
    const size_t D = (size_t)last->out_dim;
    Trace tr;
    forward_window(&tr, m, tokens, input, w, false);
    const float *out = tr.layers[m->n_layers - 1].out + (size_t)w.out_row * D;
    if (y) memcpy(y, out, D * sizeof *y);
    int k = 0;
    if (is_binary(last)) {
        k = out[0] > 0.5f;
    } else {
        for (int j = 1; j < (int)D; j++) k = out[j] > out[k] ? j : k;
    }
    if (best) *best = k;
    trace_free(&tr);
    return true;
}

bool model_attribute(float *out, const Model *m, const int *tokens, const float *input, int T, int t, int k,
                     AttribMethod method, Err *err)
{
    UNROLL_ASSERT(m->token_input ? tokens != NULL : input != NULL);
    if (!model_attrib_check(m, T, t, k, err)) return false;
    if (m->token_input && !model_check_tokens(m, tokens, T, err)) return false;
    if (method == ATTRIB_OCCLUSION) {
        attribute_occlusion(out, m, tokens, input, T, t, k);
        return true;
    }
    attribute_gradient(out, m, tokens, input, T, t, k);
    return true;
}
