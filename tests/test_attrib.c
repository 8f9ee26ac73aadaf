/* test_attrib: input attribution (attrib.c). Gradient x input is checked
 * against central finite differences of the prediction itself: scaling
 * position s's embedding by (1 + a) changes the log-odds of class k at the rate
 * sum_j d(log-odds_k)/d(e_s[j]) * e_s[j], so each token of the test sentence
 * has its own embedding row and that row is scaled. The reference
 * predictions come from model_predict_prefixes (or a forward pass of the
 * prefix), not from attrib.c's own windowing. Occlusion is checked against
 * hand-made sentences with the word removed or replaced by padding. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define T 6
#define F 3
#define VOCAB 12
#define EPS 1e-3
#define ATOL 2e-3
#define RTOL 2e-2

/* distinct tokens, so each position owns its embedding row */
static const int PLAIN[T] = {4, 3, 5, 7, 2, 9};
/* padding in front and one inside, for masked models */
static const int PADDED[T] = {0, 3, 5, 0, 2, 9};

typedef struct {
    const char *name;
    const char *spec;
    bool padded;   /* the sentence has padding (PADDED, or zero vectors) */
    bool fixed;    /* the model has a fixed length T */
} Case;

/* Spec, tokens separated by spaces:
 *   E  Embedding(12, 3, mask_zero)   e  Embedding(12, 3)   M  Masking(0), float input F = 3
 *   S / G / g / L  SimpleRNN / GRU(reset_after) / GRU(reset_after false) / LSTM(4)
 *     suffixes: s return_sequences, b go_backwards, 2 Bidirectional (concat)
 *   Ds / Dg / Dt  Dense(4 softmax) / Dense(1 sigmoid) / Dense(4 tanh) */
/* the layer of one token of build()'s spec */
static bool attrib_layer(Model *m, Layer *l, const char *tok, const char *name)
{
    if (tok[0] == 'E' || tok[0] == 'e') {
        *l = tu_embedding(name, VOCAB, F, tok[0] == 'E');
    } else if (tok[0] == 'M') {
        m->input_dim = F;
        l->kind = LAYER_MASKING;
        snprintf(l->name, sizeof l->name, "%s", name);
    } else if (tok[0] == 'D') {
        *l = tu_dense(name, tok[1] == 'g' ? 1 : 4, tok[1] == 's' ? ACT_SOFTMAX : tok[1] == 't' ? ACT_TANH : ACT_SIGMOID);
    } else {
        CellKind k = tok[0] == 'S' ? CELL_SIMPLE_RNN : tok[0] == 'L' ? CELL_LSTM : CELL_GRU;
        *l = tu_rnn(name, k, 4, strchr(tok + 1, 's') != NULL);
        l->cell[0].reset_after = tok[0] == 'G';
        l->cell[0].go_backwards = strchr(tok + 1, 'b') != NULL;
        if (strchr(tok, '2')) tu_bidirectional(l, MERGE_CONCAT);
    }
    return true;
}

static void build(Model *m, const char *spec, bool fixed)
{
    tu_layers_from_spec(m, spec, attrib_layer);
    if (fixed) m->seq_len = T;
    tu_build_random(m, 7, 1.6f);
}

static const Layer *last_layer(const Model *m)
{
    return &m->layers[m->n_layers - 1];
}

/* The output row of the prediction after step t, computed without attrib.c */
static void ref_row(const Model *m, const int *tokens, const float *input, int t, double *y)
{
    const Layer *last = last_layer(m);
    const size_t D = (size_t)last->out_dim;
    const float *row = NULL;
    float out[T * 4];
    Trace tr;
    bool traced = false;
    if (last->out_seq) {
        trace_init(&tr, m, 1, T, false);
        model_forward(&tr, tokens, input);
        row = tr.layers[m->n_layers - 1].out + (size_t)t * D;
        traced = true;
    } else if (m->token_input) {
        model_predict_prefixes(m, tokens, T, out);
        row = out + (size_t)t * D;
    } else {
        trace_init(&tr, m, 1, t + 1, false);
        model_forward(&tr, NULL, input);
        row = tr.layers[m->n_layers - 1].out;
        traced = true;
    }
    for (size_t j = 0; j < D; j++) y[j] = row[j];
    if (traced) trace_free(&tr);
}

/* p_k (one sigmoid unit: class 0 is 1 - p), or y_k */
static double ref_value(const Model *m, const int *tokens, const float *input, int t, int k)
{
    double y[4];
    ref_row(m, tokens, input, t, y);
    return last_layer(m)->out_dim == 1 && last_layer(m)->activation == ACT_SIGMOID ? (k ? y[0] : 1.0 - y[0]) : y[k];
}

/* what the gradient explains: the log-odds log(p_k / (1 - p_k)) of
 * probabilities, y_k of other outputs */
static double ref_explained(const Model *m, const int *tokens, const float *input, int t, int k)
{
    const Layer *last = last_layer(m);
    double y[4];
    ref_row(m, tokens, input, t, y);
    if (last->activation == ACT_SIGMOID) {
        double p = last->out_dim == 1 ? (k ? y[0] : 1.0 - y[0]) : y[k];
        return log(p) - log(1.0 - p);
    }
    if (last->activation != ACT_SOFTMAX) return y[k];
    double rest = 0;
    for (int j = 0; j < last->out_dim; j++) rest += j == k ? 0.0 : y[j];
    return log(y[k]) - log(rest);
}

/* d/da of the explained value with position s scaled by (1 + a), at a = 0 */
static double finite_difference(Model *m, const int *tokens, float *input, int t, int k, int s)
{
    float *row = m->token_input ? m->layers[0].kernel + (size_t)tokens[s] * F : input + (size_t)s * F;
    float keep[F];
    memcpy(keep, row, sizeof keep);
    double v[2];
    for (int side = 0; side < 2; side++) {
        double a = side ? -EPS : EPS;
        for (int j = 0; j < F; j++) row[j] = (float)((double)keep[j] * (1.0 + a));
        v[side] = ref_explained(m, tokens, input, t, k);
    }
    memcpy(row, keep, sizeof keep);
    return (v[0] - v[1]) / (2 * EPS);
}

static void make_input(float *input, bool padded)
{
    Rng rng;
    rng_init(&rng, 3);
    for (int s = 0; s < T; s++)
        for (int j = 0; j < F; j++)
            input[s * F + j] = padded && (s == 0 || s == 3) ? 0.0f : 2.0f * rng_uniform(&rng) - 1.0f;
}

static bool reads_forwards_only(const Model *m)
{
    return model_reads_forwards(m);
}

static const Case CASES[] = {
    {"SimpleRNN", "e S Ds", false, false},
    {"GRU", "e G Ds", false, false},
    {"GRU reset_after=false", "e g Ds", false, false},
    {"LSTM", "e L Ds", false, false},
    {"LSTM go_backwards", "e Lb Ds", false, false},
    {"LSTM fixed length", "e L Ds", false, true},
    {"masked LSTM", "E L Ds", true, false},
    {"masked GRU fixed length", "E G Ds", true, true},
    {"Bidirectional LSTM", "e L2 Ds", false, false},
    {"masked Bidirectional GRU", "E G2 Ds", true, false},
    {"stacked GRU, LSTM", "e Gs L Ds", false, false},
    {"masked stacked SimpleRNN, LSTM", "E Ss L Ds", true, false},
    {"sequence output", "e Ls Ds", false, false},
    {"masked Bidirectional sequence output", "E L2s Ds", true, false},
    {"one sigmoid unit", "e L Dg", false, false},
    {"tanh output", "e G Dt", false, false},
    {"Masking, float input", "M L Ds", true, false},
    {"float input Bidirectional", "M S2 Ds", false, false},
};

START_TEST(gradient_matches_finite_differences)
{
    const Case *c = &CASES[_i];
    Model m;
    build(&m, c->spec, c->fixed);
    const int *tokens = m.token_input ? (c->padded ? PADDED : PLAIN) : NULL;
    float input[T * F];
    make_input(input, c->padded);
    const float *in = m.token_input ? NULL : input;
    int classes = model_attrib_classes(&m);
    double worst = 0;
    for (int t = 0; t < T; t++) {
        if (tokens && tokens[t] == 0) continue;
        for (int k = 0; k < classes; k++) {
            float a[T];
            Err err = {{0}};
            ck_assert_msg(model_attribute(a, &m, tokens, in, T, t, k, ATTRIB_GRADIENT, &err), "%s", err.msg);
            for (int s = 0; s < T; s++) {
                bool pad = c->padded && (tokens ? tokens[s] == 0 : (s == 0 || s == 3));
                bool unseen = s > t && !last_layer(&m)->out_seq;
                if (pad || unseen) {
                    /* padding and words the prediction never read: exactly 0 */
                    ck_assert_msg(a[s] == 0.0f, "%s t %d k %d s %d: %g, not 0", c->name, t, k, s, (double)a[s]);
                    continue;
                }
                if (s > t && reads_forwards_only(&m))
                    ck_assert_msg(a[s] == 0.0f, "%s: a later word counts (%g)", c->name, (double)a[s]);
                double fd = finite_difference(&m, tokens, input, t, k, s);
                double diff = fabs(fd - (double)a[s]);
                worst = diff > worst ? diff : worst;
                ck_assert_msg(tu_close(a[s], fd, ATOL, RTOL), "%s t %d k %d s %d: %.6g, finite differences %.6g",
                              c->name, t, k, s, (double)a[s], fd);
            }
        }
    }
    printf("%-40s worst |grad x input - fd| %.2e\n", c->name, worst);
    model_free(&m);
}
END_TEST

/* A Bidirectional layer with sequence output sees the words after t: they
 * count, and the check above compared them with finite differences. */
START_TEST(bidirectional_sees_later_words)
{
    Model m;
    build(&m, "e L2s Ds", false);
    float a[T];
    Err err = {{0}};
    ck_assert(model_attribute(a, &m, PLAIN, NULL, T, 1, 2, ATTRIB_GRADIENT, &err));
    ck_assert(a[4] != 0.0f && a[5] != 0.0f);
    model_free(&m);
    build(&m, "e Ls Ds", false);
    ck_assert(model_attribute(a, &m, PLAIN, NULL, T, 1, 2, ATTRIB_GRADIENT, &err));
    for (int s = 2; s < T; s++) ck_assert_float_eq(a[s], 0.0f);
    model_free(&m);
}
END_TEST

/* Occlusion with mask_zero: the drop in p_k equals a hand-run pass over the
 * prefix with that word removed. */
START_TEST(occlusion_is_word_removed)
{
    const char *specs[] = {"E L Ds", "E G2 Ds", "E Ss L Ds"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        Model m;
        build(&m, specs[i], false);
        for (int t = 1; t < T; t++) {
            for (int k = 0; k < 4; k++) {
                float a[T];
                Err err = {{0}};
                ck_assert(model_attribute(a, &m, PADDED, NULL, T, t, k, ATTRIB_OCCLUSION, &err));
                /* the whole prefix, by hand */
                Trace tr;
                trace_init(&tr, &m, 1, t + 1, false);
                model_forward(&tr, PADDED, NULL);
                double full = tr.layers[m.n_layers - 1].out[k];
                trace_free(&tr);
                for (int s = 0; s < T; s++) {
                    if (s > t || PADDED[s] == 0) {
                        ck_assert_float_eq(a[s], 0.0f);
                        continue;
                    }
                    /* the prefix without word s */
                    int shorter[T];
                    int n = 0;
                    for (int p = 0; p <= t; p++)
                        if (p != s) shorter[n++] = PADDED[p];
                    trace_init(&tr, &m, 1, n, false);
                    model_forward(&tr, shorter, NULL);
                    double without = tr.layers[m.n_layers - 1].out[k];
                    trace_free(&tr);
                    ck_assert_msg(tu_close(a[s], full - without, 1e-6, 1e-5), "%s t %d k %d s %d: %.9g, by hand %.9g",
                                  specs[i], t, k, s, (double)a[s], full - without);
                }
            }
        }
        model_free(&m);
    }
}
END_TEST

/* Without a mask, occlusion replaces the word by token 0 (a fixed length
 * model: the prefix padded in front), and for float input zeroes the vector. */
START_TEST(occlusion_is_padding_token)
{
    Model m;
    build(&m, "e G Dg", true);
    const int t = 3, k = 0;
    float a[T];
    Err err = {{0}};
    ck_assert(model_attribute(a, &m, PLAIN, NULL, T, t, k, ATTRIB_OCCLUSION, &err));
    double full = ref_value(&m, PLAIN, NULL, t, k);
    for (int s = 0; s <= t; s++) {
        int row[T];
        memcpy(row, PLAIN, sizeof row);
        row[s] = 0;
        double v = ref_value(&m, row, NULL, t, k);
        ck_assert_msg(tu_close(a[s], full - v, 1e-6, 1e-5), "s %d: %.9g, by hand %.9g", s, (double)a[s], full - v);
        ck_assert(fabs(full - v) > 1e-4); /* each word matters to this model */
    }
    for (int s = t + 1; s < T; s++) ck_assert_float_eq(a[s], 0.0f);
    model_free(&m);

    build(&m, "M L Ds", false);
    float input[T * F];
    make_input(input, false);
    ck_assert(model_attribute(a, &m, NULL, input, T, 4, 1, ATTRIB_OCCLUSION, &err));
    full = ref_value(&m, NULL, input, 4, 1);
    float hole[T * F];
    memcpy(hole, input, sizeof hole);
    memset(hole + 2 * F, 0, F * sizeof *hole);
    double v = ref_value(&m, NULL, hole, 4, 1);
    ck_assert_msg(tu_close(a[2], full - v, 1e-6, 1e-5), "%.9g, by hand %.9g", (double)a[2], full - v);
    ck_assert_float_eq(a[5], 0.0f);
    model_free(&m);
}
END_TEST

/* Occlusion batches 64 copies a pass: a sentence longer than one batch. */
START_TEST(occlusion_long_sentence)
{
    Model m;
    build(&m, "E G Ds", false);
    enum { N = 150 };
    int *tok = xcalloc(N, sizeof *tok);
    for (int s = 0; s < N; s++) tok[s] = 1 + s % (VOCAB - 1);
    float *a = xcalloc(N, sizeof *a);
    Err err = {{0}};
    ck_assert(model_attribute(a, &m, tok, NULL, N, N - 1, 3, ATTRIB_OCCLUSION, &err));
    const int s = 130; /* in the third batch */
    int *shorter = xcalloc(N, sizeof *shorter);
    int n = 0;
    for (int p = 0; p < N; p++)
        if (p != s) shorter[n++] = tok[p];
    Trace tr;
    trace_init(&tr, &m, 1, N, false);
    model_forward(&tr, tok, NULL);
    double full = tr.layers[m.n_layers - 1].out[3];
    trace_free(&tr);
    trace_init(&tr, &m, 1, n, false);
    model_forward(&tr, shorter, NULL);
    double without = tr.layers[m.n_layers - 1].out[3];
    trace_free(&tr);
    ck_assert_msg(tu_close(a[s], full - without, 1e-6, 1e-5), "%.9g, by hand %.9g", (double)a[s], full - without);
    free(shorter);
    free(a);
    free(tok);
    model_free(&m);
}
END_TEST

/* A model so sure that p_k is 1.0f in float (the output layer's weights
 * scaled up): log p_k is flat there and its gradient 0, the log-odds is
 * not; the figures stay finite and nonzero. */
START_TEST(sure_model_keeps_its_gradient)
{
    Model m;
    build(&m, "e L Ds", false);
    Layer *d = &m.layers[m.n_layers - 1];
    float a2[T];
    Err err = {{0}};
    for (int j = 0; j < d->in_dim * d->out_dim; j++) d->kernel[j] *= 400.0f;
    for (int j = 0; j < d->out_dim; j++) d->bias[j] *= 400.0f;
    float y[4];
    int best = -1;
    ck_assert(model_attrib_prediction(y, &best, &m, PLAIN, NULL, T, T - 1, &err));
    ck_assert_msg(y[best] == 1.0f, "p = %.9g, not saturated", (double)y[best]);
    ck_assert(model_attribute(a2, &m, PLAIN, NULL, T, T - 1, best, ATTRIB_GRADIENT, &err));
    int nonzero = 0;
    for (int s = 0; s < T; s++) {
        ck_assert(isfinite(a2[s]));
        nonzero += a2[s] != 0.0f;
    }
    ck_assert_int_ge(nonzero, T - 1);
    model_free(&m);
}
END_TEST

START_TEST(bad_step_or_class)
{
    Model m;
    build(&m, "e L Dg", false);
    float a[T];
    Err err = {{0}};
    ck_assert(!model_attribute(a, &m, PLAIN, NULL, T, T, 0, ATTRIB_GRADIENT, &err));
    ck_assert_msg(strstr(err.msg, "step 6") != NULL, "%s", err.msg);
    ck_assert(!model_attribute(a, &m, PLAIN, NULL, T, -1, 0, ATTRIB_OCCLUSION, &err));
    ck_assert(!model_attribute(a, &m, PLAIN, NULL, T, 2, 2, ATTRIB_GRADIENT, &err));
    ck_assert_msg(strstr(err.msg, "class 2") != NULL && strstr(err.msg, "0..1") != NULL, "%s", err.msg);
    int bad[T] = {4, 3, 5, 12, 2, 9};
    ck_assert(!model_attribute(a, &m, bad, NULL, T, 2, 1, ATTRIB_GRADIENT, &err));
    model_free(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("attrib");
    TCase *tc = tcase_create("gradient x input");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, bidirectional_sees_later_words);
    tcase_add_test(tc, sure_model_keeps_its_gradient);
    suite_add_tcase(s, tc);
    tc = tcase_create("occlusion");
    tcase_add_test(tc, occlusion_is_word_removed);
    tcase_add_test(tc, occlusion_is_padding_token);
    tcase_add_test(tc, occlusion_long_sentence);
    tcase_add_test(tc, bad_step_or_class);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
