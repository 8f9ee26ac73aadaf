/* test_engine: known answers for the engine. One-unit cells computed by hand
 * (values from a calculator, shown beside each), every activation, every
 * mask rule, Keras' published parameter counts, batch = per-sequence, and
 * two models on two threads. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A model reading 1 float per step into one recurrent layer. */
static void one_unit_model(Model *m, CellKind kind, bool reset_after, bool seq)
{
    model_init(m);
    m->input_dim = 1;
    Layer l = tu_rnn("rnn", kind, 1, seq);
    l.cell[0].reset_after = reset_after;
    model_add_layer(m, &l);
    Err err = {{0}};
    ck_assert_msg(model_build(m, &err), "%s", err.msg);
}

static void set_cell(Cell *c, const float *W, const float *U, const float *b, size_t nb)
{
    int G = cell_gate_count(c->kind);
    memcpy(c->kernel, W, (size_t)G * sizeof *W);
    memcpy(c->recurrent_kernel, U, (size_t)G * sizeof *U);
    memcpy(c->bias, b, nb * sizeof *b);
}

START_TEST(simple_rnn_by_hand)
{
    Model m;
    one_unit_model(&m, CELL_SIMPLE_RNN, false, true);
    set_cell(&m.layers[0].cell[0], (float[]){0.5f}, (float[]){-1.0f}, (float[]){0.1f}, 1);
    Trace tr;
    trace_init(&tr, &m, 1, 2, true);
    model_forward(&tr, NULL, (float[]){1.0f, 2.0f});
    /* h1 = tanh(0.5*1 + 0.1) = tanh(0.6); h2 = tanh(0.5*2 - h1 + 0.1) */
    ck_assert_close(tr.layers[0].out[0], 0.5370495669980353, 1e-6);
    ck_assert_close(tr.layers[0].out[1], 0.5101632506598709, 1e-6);
    /* the gate slot records the pre-activation: 0.6 at step 0 */
    ck_assert_close(tr.layers[0].run[0].gates[0], 0.6, 1e-6);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(lstm_by_hand)
{
    Model m;
    one_unit_model(&m, CELL_LSTM, false, true);
    set_cell(&m.layers[0].cell[0], (float[]){0.5f, -0.3f, 0.8f, 0.2f}, (float[]){0.1f, 0.4f, -0.6f, 0.3f},
             (float[]){0.0f, 1.0f, 0.1f, -0.2f}, 4);
    Trace tr;
    trace_init(&tr, &m, 1, 2, true);
    model_forward(&tr, NULL, (float[]){1.0f, -1.0f});
    const RunRecord *r = &tr.layers[0].run[0];
    /* step 0: i = s(0.5), f = s(0.7), g = tanh(0.9), o = s(0) */
    ck_assert_close(r->gates[0], 0.6224593312018546, 1e-6);
    ck_assert_close(r->gates[1], 0.6681877721681662, 1e-6);
    ck_assert_close(r->gates[2], 0.7162978701990245, 1e-6);
    ck_assert_close(r->gates[3], 0.5, 1e-6);
    ck_assert_close(r->c[1], 0.4458662932253976, 1e-6);
    ck_assert_close(r->h[1], 0.20924758814315608, 1e-6);
    /* step 1 feeds h and c back */
    ck_assert_close(r->gates[4 + 0], 0.38247051732320064, 1e-6);
    ck_assert_close(r->gates[4 + 1], 0.7995844245291158, 1e-6);
    ck_assert_close(r->gates[4 + 2], -0.6780785445561806, 1e-6);
    ck_assert_close(r->gates[4 + 3], 0.41648353898822904, 1e-6);
    ck_assert_close(r->c[2], 0.09716269176339426, 1e-6);
    ck_assert_close(r->h[2], 0.040339797733940766, 1e-6);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(gru_by_hand)
{
    /* _i = 0: reset_after false, n = tanh(x Wh + bh + (r h) Uh);
     * _i = 1: reset_after true,  n = tanh(x Wh + b0h + r (h Uh + b1h)) */
    static const double want[2][2][4] = {
        {{0.6224593312018546, 0.35434369377420455, 0.7397830512740042, 0.27929818794352024},
         {0.7222920702628791, 0.2657661976536851, 0.9466027016358098, 0.46461394294524216}},
        {{0.6681877721681662, 0.425557483188341, 0.6525786949998134, 0.21653359062347888},
         {0.7582862390107202, 0.32408972689786275, 0.9317155286885096, 0.3894029066647796}},
    };
    Model m;
    one_unit_model(&m, CELL_GRU, _i == 1, true);
    const float b_flat[] = {0.1f, -0.1f, 0.05f};
    const float b_two[] = {0.1f, -0.1f, 0.05f, 0.2f, 0.3f, -0.4f};
    set_cell(&m.layers[0].cell[0], (float[]){0.4f, -0.5f, 0.9f}, (float[]){0.2f, 0.3f, -0.7f},
             _i ? b_two : b_flat, _i ? 6 : 3);
    Trace tr;
    trace_init(&tr, &m, 1, 2, true);
    model_forward(&tr, NULL, (float[]){1.0f, 2.0f});
    const RunRecord *r = &tr.layers[0].run[0];
    for (int t = 0; t < 2; t++) {
        for (int k = 0; k < 3; k++) ck_assert_close(r->gates[t * 3 + k], want[_i][t][k], 1e-6);
        ck_assert_close(r->h[t + 1], want[_i][t][3], 1e-6);
    }
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(activations)
{
    float x[] = {-3.0f, -0.5f, 0.0f, 0.5f, 1.0f, 3.0f}, y[6];
    act_forward(y, x, ACT_HARD_SIGMOID, 6); /* clip(0.2x + 0.5, 0, 1) */
    const float hs[] = {0.0f, 0.4f, 0.5f, 0.6f, 0.7f, 1.0f};
    for (int i = 0; i < 6; i++) ck_assert_close(y[i], hs[i], 1e-7);
    act_forward(y, x, ACT_RELU, 6);
    ck_assert_close(y[1], 0.0, 0);
    ck_assert_close(y[5], 3.0, 0);
    act_forward(y, x, ACT_LINEAR, 6);
    ck_assert_close(y[1], -0.5, 0);
    act_forward(y, x, ACT_SIGMOID, 6);
    ck_assert_close(y[2], 0.5, 1e-7);
    ck_assert_close(y[4], 0.7310585786300049, 1e-7); /* 1/(1+e^-1) */
    act_forward(y, x, ACT_TANH, 6);
    ck_assert_close(y[3], 0.46211715726000974, 1e-7);
    float s[] = {1.0f, 2.0f, 3.0f};
    act_softmax_rows(s, 1, 3);
    ck_assert_close(s[0], 0.09003057317038046, 1e-7);
    ck_assert_close(s[1], 0.24472847105479767, 1e-7);
    ck_assert_close(s[2], 0.6652409557748219, 1e-7);
    Act a;
    ck_assert(act_parse("hardSigmoid", &a) && a == ACT_HARD_SIGMOID);
    ck_assert(act_parse("hard_sigmoid", &a) && a == ACT_HARD_SIGMOID);
    ck_assert(!act_parse("selu", &a));
}
END_TEST

/* Embedding(5, 1, mask_zero) with rows = token value, then SimpleRNN(1)
 * with W = 1, U = 0, b = 0, linear: h_t = token, masked steps carry h. */
static void mask_model(Model *m, bool go_backwards, bool bidirectional, MergeMode merge)
{
    model_init(m);
    Layer e = tu_embedding("embedding", 5, 1, true);
    model_add_layer(m, &e);
    Layer r = tu_rnn("rnn", CELL_SIMPLE_RNN, 1, true);
    r.cell[0].activation = ACT_LINEAR;
    r.cell[0].go_backwards = go_backwards;
    if (bidirectional) {
        r.bidirectional = true;
        r.merge = merge;
        r.cell[1] = r.cell[0];
        r.cell[1].go_backwards = !go_backwards;
        snprintf(r.dir_name[0], sizeof r.dir_name[0], "forward_rnn");
        snprintf(r.dir_name[1], sizeof r.dir_name[1], "backward_rnn");
    }
    model_add_layer(m, &r);
    Err err = {{0}};
    ck_assert_msg(model_build(m, &err), "%s", err.msg);
    for (int k = 0; k < 5; k++) m->layers[0].kernel[k] = (float)k;
    for (int d = 0; d < m->layers[1].n_dir; d++) {
        m->layers[1].cell[d].kernel[0] = 1.0f;
        m->layers[1].cell[d].recurrent_kernel[0] = 0.0f;
        m->layers[1].cell[d].bias[0] = 0.0f;
    }
}

START_TEST(mask_carries_state_and_repeats_output)
{
    Model m;
    mask_model(&m, false, false, MERGE_CONCAT);
    const int tokens[] = {0, 2, 0, 3, 0};
    Trace tr;
    trace_init(&tr, &m, 1, 5, true);
    model_forward(&tr, tokens, NULL);
    /* zeros before the first real step, then the previous output repeats */
    const float want[] = {0, 2, 2, 3, 3};
    for (int t = 0; t < 5; t++) ck_assert_close(tr.layers[1].out[t], want[t], 0);
    ck_assert_int_eq(tr.layers[1].run[0].mask[0], 0);
    ck_assert_int_eq(tr.layers[1].run[0].mask[1], 1);
    ck_assert_ptr_eq(tr.layers[1].mask, tr.layers[0].mask); /* return_sequences passes it on */
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(mask_go_backwards_in_processing_order)
{
    Model m;
    mask_model(&m, true, false, MERGE_CONCAT);
    const int tokens[] = {1, 0, 4, 0};
    Trace tr;
    trace_init(&tr, &m, 1, 4, true);
    model_forward(&tr, tokens, NULL);
    /* processing reads 0, 4, 0, 1: outputs 0, 4, 4, 1 */
    const float want[] = {0, 4, 4, 1};
    for (int t = 0; t < 4; t++) ck_assert_close(tr.layers[1].out[t], want[t], 0);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(mask_bidirectional_zeros)
{
    Model m;
    mask_model(&m, false, true, MERGE_CONCAT);
    const int tokens[] = {2, 0, 3};
    Trace tr;
    trace_init(&tr, &m, 1, 3, true);
    model_forward(&tr, tokens, NULL);
    /* forward outputs 2, -, 3; backward (reversed back) 2, -, 3 as it reads
     * 3, -, 2 with U = 0; the masked step is zero in both halves */
    const float want[] = {2, 2, 0, 0, 3, 3};
    for (int k = 0; k < 6; k++) ck_assert_close(tr.layers[1].out[k], want[k], 0);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(bidirectional_merge_modes)
{
    /* forward sees 1 then 2 (U = 0.5); backward sees 2 then 1.
     * last outputs: forward 2 + 0.5*1 = 2.5, backward 1 + 0.5*2 = 2 */
    static const float want[4][2] = {{2.5f, 2.0f}, {4.5f, 0}, {5.0f, 0}, {2.25f, 0}};
    Model m;
    model_init(&m);
    Layer e = tu_embedding("embedding", 3, 1, false);
    model_add_layer(&m, &e);
    Layer r = tu_rnn("bi", CELL_SIMPLE_RNN, 1, false);
    r.cell[0].activation = ACT_LINEAR;
    r.bidirectional = true;
    r.merge = (MergeMode)_i;
    r.cell[1] = r.cell[0];
    r.cell[1].go_backwards = true;
    model_add_layer(&m, &r);
    Err err = {{0}};
    ck_assert(model_build(&m, &err));
    ck_assert_int_eq(m.layers[1].out_dim, _i == MERGE_CONCAT ? 2 : 1);
    for (int k = 0; k < 3; k++) m.layers[0].kernel[k] = (float)k;
    for (int d = 0; d < 2; d++) {
        m.layers[1].cell[d].kernel[0] = 1.0f;
        m.layers[1].cell[d].recurrent_kernel[0] = 0.5f;
        m.layers[1].cell[d].bias[0] = 0.0f;
    }
    Trace tr;
    trace_init(&tr, &m, 1, 2, true);
    model_forward(&tr, (int[]){1, 2}, NULL);
    for (int k = 0; k < m.layers[1].out_dim; k++) ck_assert_close(tr.layers[1].out[k], want[_i][k], 1e-6);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

START_TEST(masking_layer_zeroes_and_masks)
{
    Model m;
    model_init(&m);
    m.input_dim = 2;
    Layer mk = {0};
    mk.kind = LAYER_MASKING;
    snprintf(mk.name, sizeof mk.name, "masking");
    mk.mask_value = -1.0f;
    model_add_layer(&m, &mk);
    Layer r = tu_rnn("rnn", CELL_SIMPLE_RNN, 1, false);
    r.cell[0].activation = ACT_LINEAR;
    model_add_layer(&m, &r);
    Err err = {{0}};
    ck_assert(model_build(&m, &err));
    m.layers[1].cell[0].kernel[0] = 1.0f;
    m.layers[1].cell[0].kernel[1] = 1.0f;
    /* step 1 is all mask_value: masked; step 2 has one -1: kept */
    const float in[] = {1, 2, -1, -1, -1, 5};
    Trace tr;
    trace_init(&tr, &m, 1, 3, true);
    model_forward(&tr, NULL, in);
    ck_assert_int_eq(tr.layers[0].mask[0], 1);
    ck_assert_int_eq(tr.layers[0].mask[1], 0);
    ck_assert_int_eq(tr.layers[0].mask[2], 1);
    ck_assert_close(tr.layers[0].out[2], 0, 0);
    ck_assert_close(tr.layers[0].out[3], 0, 0);
    ck_assert_close(tr.layers[0].out[4], -1, 0);
    /* h = x0 + x1 at real steps, no recurrence (U = 0): last = -1 + 5 */
    ck_assert_close(tr.layers[1].out[0], 4.0, 1e-6);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

/* Keras' documented summary() figures */
START_TEST(param_counts)
{
    Model m;
    Err err = {{0}};
    model_init(&m);
    Layer e = tu_embedding("embedding", 20000, 64, false);
    Layer r = tu_rnn("simple_rnn", CELL_SIMPLE_RNN, 16, false);
    Layer d = tu_dense("dense", 4, ACT_SOFTMAX);
    model_add_layer(&m, &e);
    model_add_layer(&m, &r);
    model_add_layer(&m, &d);
    ck_assert(model_build(&m, &err));
    ck_assert_uint_eq(layer_param_count(&m.layers[1]), 16 * (64 + 16 + 1));
    ck_assert_uint_eq(model_param_count(&m), 1281364);
    ck_assert_uint_eq(m.n_params, 1281364);
    model_free(&m);

    model_init(&m);
    m.input_dim = 64;
    Layer b = tu_rnn("bidirectional", CELL_LSTM, 64, false);
    b.bidirectional = true;
    b.cell[1] = b.cell[0];
    b.cell[1].go_backwards = true;
    model_add_layer(&m, &b);
    ck_assert(model_build(&m, &err));
    ck_assert_uint_eq(model_param_count(&m), 66048);
    ck_assert_int_eq(m.layers[0].out_dim, 128);
    model_free(&m);

    /* GRU(32) on 16 inputs: 3*32*(16+32+2) with reset_after, 3*32*(16+32+1) without */
    for (int ra = 0; ra < 2; ra++) {
        model_init(&m);
        m.input_dim = 16;
        Layer g = tu_rnn("gru", CELL_GRU, 32, false);
        g.cell[0].reset_after = ra;
        model_add_layer(&m, &g);
        ck_assert(model_build(&m, &err));
        ck_assert_uint_eq(model_param_count(&m), ra ? 4800 : 4704);
        model_free(&m);
    }
    /* LSTM(128) on 64 inputs, no bias: 4*128*(64+128) */
    model_init(&m);
    m.input_dim = 64;
    Layer l = tu_rnn("lstm", CELL_LSTM, 128, false);
    l.cell[0].use_bias = false;
    model_add_layer(&m, &l);
    ck_assert(model_build(&m, &err));
    ck_assert_uint_eq(model_param_count(&m), 98304);
    model_free(&m);
}
END_TEST

static void random_fill(Model *m, uint64_t seed)
{
    Rng rng;
    rng_init(&rng, seed);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] = rng_uniform(&rng) - 0.5f;
}

/* a small stack: Embedding(mask) -> LSTM(seq) -> GRU(seq, bidi sum) -> Dense */
static void stack_model(Model *m)
{
    model_init(m);
    Layer e = tu_embedding("embedding", 9, 3, true);
    Layer a = tu_rnn("lstm", CELL_LSTM, 4, true);
    Layer b = tu_rnn("bidirectional", CELL_GRU, 3, true);
    b.bidirectional = true;
    b.merge = MERGE_SUM;
    b.cell[1] = b.cell[0];
    b.cell[1].go_backwards = true;
    Layer s = tu_rnn("simple_rnn", CELL_SIMPLE_RNN, 2, false);
    Layer d = tu_dense("dense", 5, ACT_SOFTMAX);
    model_add_layer(m, &e);
    model_add_layer(m, &a);
    model_add_layer(m, &b);
    model_add_layer(m, &s);
    model_add_layer(m, &d);
    Err err = {{0}};
    ck_assert(model_build(m, &err));
    random_fill(m, 7);
}

START_TEST(batch_equals_single)
{
    Model m;
    stack_model(&m);
    const int B = 3, T = 6;
    const int tokens[3][6] = {{0, 0, 1, 2, 3, 4}, {5, 6, 7, 8, 1, 2}, {3, 0, 4, 0, 5, 0}};
    Trace all;
    trace_init(&all, &m, B, T, true);
    model_forward(&all, &tokens[0][0], NULL);
    const int last = m.n_layers - 1;
    for (int b = 0; b < B; b++) {
        Trace one;
        trace_init(&one, &m, 1, T, b == 1); /* keep = false must not change results */
        model_forward(&one, tokens[b], NULL);
        for (int j = 0; j < 5; j++)
            ck_assert_close(one.layers[last].out[j], all.layers[last].out[b * 5 + j], 1e-6);
        trace_free(&one);
    }
    float sum = 0;
    for (int j = 0; j < 5; j++) sum += all.layers[last].out[j];
    ck_assert_close(sum, 1.0, 1e-5);
    trace_free(&all);
    model_free(&m);
}
END_TEST

typedef struct {
    float out[5];
} ThreadResult;

static void *run_stack(void *arg)
{
    ThreadResult *res = arg;
    Model m;
    stack_model(&m);
    const int tokens[] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int rep = 0; rep < 50; rep++) {
        Trace tr;
        trace_init(&tr, &m, 1, 8, true);
        model_forward(&tr, tokens, NULL);
        memcpy(res->out, tr.layers[m.n_layers - 1].out, sizeof res->out);
        trace_free(&tr);
    }
    model_free(&m);
    return NULL;
}

START_TEST(two_threads)
{
    ThreadResult a = {{0}}, b = {{0}}, c = {{0}};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_stack, &a);
    pthread_create(&tb, NULL, run_stack, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    run_stack(&c);
    for (int j = 0; j < 5; j++) {
        ck_assert_float_eq(a.out[j], c.out[j]);
        ck_assert_float_eq(b.out[j], c.out[j]);
    }
}
END_TEST

START_TEST(build_rejects_bad_shapes)
{
    Model m;
    Err err = {{0}};
    model_init(&m);
    Layer e = tu_embedding("embedding", 10, 4, false);
    Layer a = tu_rnn("lstm", CELL_LSTM, 4, false);
    Layer b = tu_rnn("gru", CELL_GRU, 4, false);
    model_add_layer(&m, &e);
    model_add_layer(&m, &a);
    model_add_layer(&m, &b);
    ck_assert(!model_build(&m, &err));
    ck_assert_msg(strstr(err.msg, "'gru'") && strstr(err.msg, "return_sequences"), "%s", err.msg);
    model_free(&m);

    model_init(&m);
    Layer big = tu_rnn("lstm", CELL_LSTM, 2147483647, false);
    m.input_dim = 4;
    model_add_layer(&m, &big);
    ck_assert(!model_build(&m, &err));
    ck_assert_msg(strstr(err.msg, "units"), "%s", err.msg);
    model_free(&m);
}
END_TEST

START_TEST(tokens_checked)
{
    Model m;
    stack_model(&m);
    Err err = {{0}};
    ck_assert(model_check_tokens(&m, (int[]){0, 8}, 2, &err));
    ck_assert(!model_check_tokens(&m, (int[]){0, 9}, 2, &err));
    ck_assert_msg(strstr(err.msg, "token 9") && strstr(err.msg, "input_dim 9"), "%s", err.msg);
    ck_assert(!model_check_tokens(&m, (int[]){-1}, 1, &err));
    model_free(&m);
}
END_TEST

/* programmer error: a batch of zero sequences aborts with file:line */
START_TEST(trace_init_asserts)
{
    Model m;
    stack_model(&m);
    Trace tr;
    trace_init(&tr, &m, 0, 4, true);
}
END_TEST

/* ---- cases that see a bug (issue 10): each fails on a mutant that every
 * other test passed ---------------------------------------------------------- */

/* Training-time Dropout(0.25) on a float input of ones and of known values:
 * every unit is either dropped (0) or kept and scaled by 1/(1 - 0.25) = 4/3
 * (inverted dropout, Keras); about a quarter are dropped; the mean output
 * stays the mean input. At inference the layer is the identity. */
START_TEST(dropout_training_output)
{
    const float rate = 0.25f;
    const int F = 4, T = 500, n = F * T;
    Model m;
    model_init(&m);
    m.input_dim = F;
    Layer d = {0};
    d.kind = LAYER_DROPOUT;
    snprintf(d.name, sizeof d.name, "dropout");
    d.rate = rate;
    model_add_layer(&m, &d);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    float *x = xmalloc((size_t)n * sizeof *x);
    for (int k = 0; k < n; k++) x[k] = 0.75f * (float)(k % 7 + 1); /* kept: k % 7 + 1 exactly, by hand */
    Trace tr;
    trace_init(&tr, &m, 1, T, true);
    trace_set_training(&tr, true, 42);
    model_forward(&tr, NULL, x);
    const float *out = tr.layers[0].out, *mask = tr.layers[0].scratch;
    int dropped = 0;
    for (int k = 0; k < n; k++) {
        if (out[k] == 0.0f) {
            dropped++;
            ck_assert_msg(mask[k] == 0.0f, "unit %d dropped but its mask is %g", k, (double)mask[k]);
        } else {
            ck_assert_msg(tu_close(out[k], (double)(k % 7 + 1), 0, 1e-6), "unit %d kept as %g, expected %d", k,
                          (double)out[k], k % 7 + 1);
            ck_assert_close(mask[k], 4.0 / 3.0, 1e-6);
        }
    }
    /* dropped ~ Binomial(2000, 0.25): mean 500, sd 19.4; 5 sd */
    ck_assert_msg(abs(dropped - 500) < 97, "%d of %d dropped, expected about 500", dropped, n);
    trace_free(&tr);

    /* ones: the mean output is 1 within 5 sd (4/3 * sqrt(0.1875 / 2000) = 0.0129) */
    for (int k = 0; k < n; k++) x[k] = 1.0f;
    trace_init(&tr, &m, 1, T, true);
    trace_set_training(&tr, true, 7);
    model_forward(&tr, NULL, x);
    double mean = 0;
    for (int k = 0; k < n; k++) mean += tr.layers[0].out[k];
    mean /= n;
    ck_assert_msg(fabs(mean - 1.0) < 0.065, "mean output %g, expected 1", mean);
    trace_free(&tr);

    /* inference: identity */
    trace_init(&tr, &m, 1, T, true);
    model_forward(&tr, NULL, x);
    for (int k = 0; k < n; k++) ck_assert_close(tr.layers[0].out[k], 1.0, 0);
    trace_free(&tr);
    free(x);
    model_free(&m);
}
END_TEST

/* Embedding(5, 1, mask_zero) with row k = k, then GRU(1) with the weights of
 * gru_by_hand, on tokens 2, 0, 3: step 1 is masked. By hand (Python,
 * double precision, from Keras' equations in cells.c):
 *   step 0 (x = 2): pre (z, r, n), gates, h1
 *   step 1 masked: h and gates carried/zero; the pre-activations the step
 *     would have had from x = 0 and h1 (trace_preactivation's contract)
 *   step 2 (x = 3) from h_prev = h1: pre, gates, h3
 * _i = 0: reset_after false; _i = 1: reset_after true. */
START_TEST(masked_gru_step_by_hand)
{
    static const double want[2][3][7] = {
        /* pre z, r, n; gate z, r, n; h after the step (carried when masked) */
        {{0.9, -1.1, 1.85, 0.7109495026250039, 0.24973989440488234, 0.9517459571646616, 0.2751026422930872},
         {0.15502052845861744, -0.017469207312073853, -0.04544492679917082, 0.5386777066153573, 0.4956328092338833,
          -0.04541366770762345, 0.2751026422930872},
         {1.3550205284586176, -1.517469207312074, 2.7153689388951094, 0.7949492111715301, 0.179834493857209,
          0.9912784734765399, 0.42195506141713923}},
        {{1.1, -0.8, 1.725989792451045, 0.7502601055951177, 0.31002551887238755, 0.938580242577882,
          0.23440093067190906},
         {0.3468801861343818, 0.2703202792015727, -0.2699304869006191, 0.585860828298498, 0.5671715313522742,
          -0.2635601522127073, 0.23440093067190906},
         {1.546880186134382, -1.2296797207984274, 2.62238381094736, 0.8244626769357969, 0.2262374869976386,
          0.9895052655060353, 0.3669499242428673}},
    };
    Model m;
    model_init(&m);
    Layer e = tu_embedding("embedding", 5, 1, true);
    model_add_layer(&m, &e);
    Layer g = tu_rnn("gru", CELL_GRU, 1, true);
    g.cell[0].reset_after = _i == 1;
    model_add_layer(&m, &g);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    for (int k = 0; k < 5; k++) m.layers[0].kernel[k] = (float)k;
    const float b_flat[] = {0.1f, -0.1f, 0.05f};
    const float b_two[] = {0.1f, -0.1f, 0.05f, 0.2f, 0.3f, -0.4f};
    set_cell(&m.layers[1].cell[0], (float[]){0.4f, -0.5f, 0.9f}, (float[]){0.2f, 0.3f, -0.7f}, _i ? b_two : b_flat,
             _i ? 6 : 3);
    Trace tr;
    trace_init(&tr, &m, 1, 3, true);
    model_forward(&tr, (int[]){2, 0, 3}, NULL);
    const RunRecord *r = &tr.layers[1].run[0];
    ck_assert(r->mask && r->mask[0] && !r->mask[1] && r->mask[2]);
    for (int t = 0; t < 3; t++) {
        const double *w = want[_i][t];
        float pre[3];
        trace_preactivation(&tr, 1, 0, t, 0, pre);
        for (int k = 0; k < 3; k++) {
            ck_assert_msg(tu_close(pre[k], w[k], 1e-6, 0), "step %d pre[%d] = %.9g, expected %.9g", t, k, (double)pre[k],
                          w[k]);
            /* the trace records gates of real steps, zeros at masked ones */
            double gate = r->mask[t] ? w[3 + k] : 0.0;
            ck_assert_msg(tu_close(r->gates[t * 3 + k], gate, 1e-6, 0), "step %d gate %d = %.9g, expected %.9g", t, k,
                          (double)r->gates[t * 3 + k], gate);
        }
        ck_assert_msg(tu_close(r->h[t + 1], w[6], 1e-6, 0), "h after step %d = %.9g, expected %.9g", t,
                      (double)r->h[t + 1], w[6]);
        /* the cell's wires: the gates the step had or would have had */
        CellWires cw;
        cell_wires_init(&cw, &tr, 1, 0, t, 0);
        ck_assert_int_eq(cw.mask, r->mask[t]);
        for (int k = 0; k < 3; k++) ck_assert_close(cw.gate[k], w[3 + k], 1e-6);
        ck_assert_close(cw.h_prev[0], t ? want[_i][t - 1][6] : 0.0, 1e-6);
        cell_wires_free(&cw);
    }
    /* return_sequences: the masked step repeats the previous output */
    ck_assert_close(tr.layers[1].out[1], want[_i][0][6], 1e-6);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

/* sample_next at temperature T draws from p^(1/T), renormalised. For
 * p = (0.5, 0.3, 0.2), by hand:
 *   T = 0.5: p^2 / 0.38          = 0.657895, 0.236842, 0.105263
 *   T = 2:   sqrt(p) / 1.702035  = 0.415446, 0.321803, 0.262751
 * 20,000 draws from a fixed seed: each frequency within 5 sd (<= 0.0168). */
START_TEST(sampling_temperature_frequencies)
{
    static const float p[3] = {0.5f, 0.3f, 0.2f};
    static const struct {
        float temperature;
        double want[3];
    } cases[] = {
        {0.5f, {0.6578947368421053, 0.23684210526315788, 0.10526315789473686}},
        {2.0f, {0.41544591325034014, 0.32180302065369965, 0.26275106609596016}},
        {1.0f, {0.5, 0.3, 0.2}},
    };
    const int N = 20000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Rng rng;
        rng_init(&rng, 1234 + c);
        int count[3] = {0};
        for (int i = 0; i < N; i++) {
            int k = sample_next(p, 3, cases[c].temperature, 0, NULL, &rng);
            ck_assert(k >= 0 && k < 3);
            count[k]++;
        }
        for (int k = 0; k < 3; k++) {
            double f = (double)count[k] / N, w = cases[c].want[k];
            double bound = 5.0 * sqrt(w * (1 - w) / N);
            ck_assert_msg(fabs(f - w) <= bound, "T = %g: token %d drawn %.4f of the time, expected %.4f (+- %.4f)",
                          (double)cases[c].temperature, k, f, w, bound);
        }
    }
    /* top_k = 2 at T = 1: (0.5, 0.3) renormalised = 0.625, 0.375; token 2 never */
    Rng rng;
    rng_init(&rng, 99);
    int count[3] = {0};
    for (int i = 0; i < N; i++) count[sample_next(p, 3, 1.0f, 2, NULL, &rng)]++;
    ck_assert_int_eq(count[2], 0);
    ck_assert_msg(fabs((double)count[0] / N - 0.625) <= 5.0 * sqrt(0.625 * 0.375 / N), "top_k 2: %d of %d", count[0], N);
    /* banned token 0 at T = 1: (0.3, 0.2) renormalised = 0.6, 0.4 */
    memset(count, 0, sizeof count);
    for (int i = 0; i < N; i++) count[sample_next(p, 3, 1.0f, 0, (unsigned char[]){1, 0, 0}, &rng)]++;
    ck_assert_int_eq(count[0], 0);
    ck_assert_msg(fabs((double)count[1] / N - 0.6) <= 5.0 * sqrt(0.24 / N), "banned: %d of %d", count[1], N);
}
END_TEST

/* trace_preactivation read back through the cell's activations gives the
 * gates the trace recorded, at every real step, for every cell kind read
 * forwards and backwards (go_backwards): the reader must take each step's
 * input projection from the position that step read (T-1-t backwards). */
START_TEST(preactivation_gives_the_recorded_gates)
{
    static const CellKind kinds[] = {CELL_SIMPLE_RNN, CELL_GRU, CELL_LSTM};
    const int T = 5, H = 3;
    for (int k = 0; k < 3; k++)
        for (int back = 0; back <= 1; back++) {
            Model m;
            model_init(&m);
            m.input_dim = 2;
            Layer l = tu_rnn("rnn", kinds[k], H, true);
            l.cell[0].go_backwards = back;
            model_add_layer(&m, &l);
            Err err = {{0}};
            ck_assert_msg(model_build(&m, &err), "%s", err.msg);
            model_init_weights(&m, 5);
            for (size_t q = 0; q < cell_bias_size(&m.layers[0].cell[0]); q++)
                m.layers[0].cell[0].bias[q] = 0.1f * (float)q - 0.3f;
            float x[10];
            for (int q = 0; q < 10; q++) x[q] = sinf(1.7f * (float)q) * 2.0f; /* every step differs */
            Trace tr;
            trace_init(&tr, &m, 1, T, true);
            model_forward(&tr, NULL, x);
            const RunRecord *r = &tr.layers[0].run[0];
            const Cell *c = &m.layers[0].cell[0];
            const int G = cell_gate_count(kinds[k]);
            for (int t = 0; t < T; t++) {
                float pre[4 * 3], gate[4 * 3];
                trace_preactivation(&tr, 0, 0, t, 0, pre);
                if (kinds[k] == CELL_SIMPLE_RNN) {
                    /* the gate slot holds the pre-activation itself; h = act(pre) */
                    act_forward(gate, pre, c->activation, H);
                    for (int j = 0; j < H; j++) ck_assert_close(gate[j], r->h[(t + 1) * H + j], 1e-6);
                    continue;
                }
                /* GRU z, r and LSTM i, f, o: rec_act */
                act_forward(gate, pre, c->recurrent_activation, G * H);
                act_forward(gate + 2 * H, pre + 2 * H, c->activation, H); /* block 2: GRU n, LSTM g */
                for (int j = 0; j < G * H; j++)
                    ck_assert_msg(tu_close(gate[j], r->gates[t * G * H + j], 1e-6, 0),
                                  "%s%s step %d gate %d: act(pre) %.9g, recorded %.9g", cell_class_name(kinds[k]),
                                  back ? " backwards" : "", t, j, (double)gate[j], (double)r->gates[t * G * H + j]);
            }
            trace_free(&tr);
            model_free(&m);
        }
}
END_TEST

/* Greedy choice (temperature 0) skips banned tokens; all banned gives -1. */
START_TEST(greedy_skips_banned)
{
    static const float p[4] = {0.1f, 0.6f, 0.25f, 0.05f};
    Rng rng;
    rng_init(&rng, 1);
    ck_assert_int_eq(sample_next(p, 4, 0.0f, 0, NULL, &rng), 1);
    ck_assert_int_eq(sample_next(p, 4, 0.0f, 0, (unsigned char[]){0, 1, 0, 0}, &rng), 2);
    ck_assert_int_eq(sample_next(p, 4, 0.0f, 0, (unsigned char[]){1, 1, 1, 0}, &rng), 3);
    ck_assert_int_eq(sample_next(p, 4, 0.0f, 0, (unsigned char[]){1, 1, 1, 1}, &rng), -1);
    ck_assert_int_eq(sample_next(p, 4, 1.0f, 0, (unsigned char[]){1, 1, 1, 1}, &rng), -1);
}
END_TEST

/* ---- layers beside the recurrent ones (issue 13): known answers ---------- */

/* A float-input Conv1D model: T steps of F features, filters D, kernel k */
static void conv_model(Model *m, int F, int D, int k, int strides, int dilation, ConvPadding pad)
{
    model_init(m);
    m->input_dim = F;
    Layer l = {0};
    l.kind = LAYER_CONV1D;
    snprintf(l.name, sizeof l.name, "conv1d");
    l.out_dim = D;
    l.kernel_size = k;
    l.strides = strides;
    l.dilation = dilation;
    l.padding = pad;
    l.activation = ACT_LINEAR;
    l.use_bias = true;
    model_add_layer(m, &l);
    Err err = {{0}};
    ck_assert_msg(model_build(m, &err), "%s", err.msg);
}

/* x = 1, 2, 3, 4, 5 (one feature), kernel taps w = 1, 10, 100 (or 1, 10),
 * bias 0.5: each output digit says which input each tap read, zero padding
 * reading 0. Worked by hand from Keras' rules: valid reads x[o .. o+k-1];
 * same pads (out-1)*s + (k-1)*d + 1 - T zeros, the smaller half (floor) in
 * front; causal pads (k-1)*d in front. */
static const struct {
    int k, s, d;
    ConvPadding pad;
    int n_out;
    float want[5];
} CONV_CASES[] = {
    {3, 1, 1, PAD_VALID, 3, {321.5f, 432.5f, 543.5f}},
    {3, 1, 1, PAD_SAME, 5, {210.5f, 321.5f, 432.5f, 543.5f, 54.5f}},
    {3, 1, 1, PAD_CAUSAL, 5, {100.5f, 210.5f, 321.5f, 432.5f, 543.5f}},
    {3, 2, 1, PAD_SAME, 3, {210.5f, 432.5f, 54.5f}},
    {3, 2, 1, PAD_VALID, 2, {321.5f, 543.5f}},
    {2, 1, 1, PAD_SAME, 5, {21.5f, 32.5f, 43.5f, 54.5f, 5.5f}},   /* one zero, at the back */
    {2, 1, 2, PAD_CAUSAL, 5, {10.5f, 20.5f, 31.5f, 42.5f, 53.5f}}, /* x[o-2] + 10 x[o] */
    {2, 1, 2, PAD_VALID, 3, {31.5f, 42.5f, 53.5f}},
};

START_TEST(conv1d_by_hand)
{
    const float x[5] = {1, 2, 3, 4, 5};
    const int k = CONV_CASES[_i].k, n_out = CONV_CASES[_i].n_out;
    Model m;
    conv_model(&m, 1, 1, k, CONV_CASES[_i].s, CONV_CASES[_i].d, CONV_CASES[_i].pad);
    const float taps[3] = {1, 10, 100};
    memcpy(m.layers[0].kernel, taps, (size_t)k * sizeof(float));
    m.layers[0].bias[0] = 0.5f;
    ck_assert_int_eq(conv_out_steps(5, k, CONV_CASES[_i].s, CONV_CASES[_i].d, CONV_CASES[_i].pad), n_out);
    Trace tr;
    trace_init(&tr, &m, 1, 5, true);
    model_forward(&tr, NULL, x);
    ck_assert_int_eq(tr.layers[0].T_out, n_out);
    for (int o = 0; o < n_out; o++)
        ck_assert_msg(tr.layers[0].out[o] == CONV_CASES[_i].want[o], "case %d output %d: %g, expected %g", _i, o,
                      (double)tr.layers[0].out[o], (double)CONV_CASES[_i].want[o]);
    trace_free(&tr);
    model_free(&m);
}
END_TEST

/* kernel (k, in, filters): with k = 1, x_t = (t+1, 10(t+1)) and W = [[1, 2],
 * [3, 4]] (row = input feature), filter 0 is x0 + 3 x1 = 31(t+1) and filter
 * 1 is 2 x0 + 4 x1 = 42(t+1) (the transpose would give 21 and 43); two
 * sequences in a batch, relu on the second. */
START_TEST(conv1d_kernel_layout_and_batch)
{
    Model m;
    conv_model(&m, 2, 2, 1, 1, 1, PAD_VALID);
    const float w[4] = {1, 2, 3, 4};
    memcpy(m.layers[0].kernel, w, sizeof w);
    m.layers[0].activation = ACT_RELU;
    float x[2 * 3 * 2];
    for (int b = 0; b < 2; b++)
        for (int t = 0; t < 3; t++) {
            float v = (float)(t + 1) * (b ? -1.0f : 1.0f);
            x[(b * 3 + t) * 2] = v;
            x[(b * 3 + t) * 2 + 1] = 10 * v;
        }
    Trace tr;
    trace_init(&tr, &m, 2, 3, true);
    model_forward(&tr, NULL, x);
    for (int t = 0; t < 3; t++) {
        const float *o0 = seq_at(tr.layers[0].out, (size_t)t, 0, 2, 2), *o1 = seq_at(tr.layers[0].out, (size_t)t, 1, 2, 2);
        ck_assert_close(o0[0], 31.0 * (t + 1), 0);
        ck_assert_close(o0[1], 42.0 * (t + 1), 0);
        ck_assert_close(o1[0], 0.0, 0); /* relu of negatives */
        ck_assert_close(o1[1], 0.0, 0);
    }
    trace_free(&tr);
    model_free(&m);
}
END_TEST

/* Embedding(6, 2, mask_zero) rows (k, 10k), row 0 = (9, -9); tokens 2, 0, 4:
 * GlobalAveragePooling1D averages the unmasked steps: (3, 30); Keras 3's
 * GlobalMaxPooling1D takes no mask, so row 0 counts: (9, 40). Without a
 * mask (tokens 2, 1, 4) the average is (7/3, 70/3). */
START_TEST(global_pooling_by_hand)
{
    for (int kind = 0; kind < 2; kind++)
        for (int masked = 0; masked < 2; masked++) {
            Model m;
            model_init(&m);
            Layer e = tu_embedding("embedding", 6, 2, masked);
            model_add_layer(&m, &e);
            Layer p = {0};
            p.kind = kind ? LAYER_GLOBAL_MAX_POOL : LAYER_GLOBAL_AVG_POOL;
            snprintf(p.name, sizeof p.name, "pool");
            model_add_layer(&m, &p);
            Err err = {{0}};
            ck_assert_msg(model_build(&m, &err), "%s", err.msg);
            ck_assert_int_eq(m.layers[1].out_dim, 2);
            ck_assert(!m.layers[1].out_seq);
            float *tab = m.layers[0].kernel;
            for (int r = 0; r < 6; r++) {
                tab[r * 2] = (float)r;
                tab[r * 2 + 1] = 10.0f * (float)r;
            }
            tab[0] = 9;
            tab[1] = -9;
            const int toks[3] = {2, masked ? 0 : 1, 4};
            Trace tr;
            trace_init(&tr, &m, 1, 3, true);
            model_forward(&tr, toks, NULL);
            const float *o = tr.layers[1].out;
            if (kind == 0 && masked) {
                ck_assert_close(o[0], 3.0, 1e-6);
                ck_assert_close(o[1], 30.0, 1e-5);
            } else if (kind == 0) {
                ck_assert_close(o[0], 7.0 / 3.0, 1e-6);
                ck_assert_close(o[1], 70.0 / 3.0, 1e-5);
            } else {
                ck_assert_close(o[0], masked ? 9.0 : 4.0, 0);
                ck_assert_close(o[1], 40.0, 0);
            }
            trace_free(&tr);
            model_free(&m);
        }
}
END_TEST

/* Keras' summary counts: Conv1D(128, 5) after Embedding(..., 16) has
 * (5*16 + 1)*128 = 10,368; without bias 10,240; Conv1D(32, 3) on 128
 * channels 12,320; pooling, Flatten and the dropouts none. Output lengths:
 * valid 100 -> 96, stride 2 same 100 -> 50, causal keeps 100. */
START_TEST(conv_param_counts_and_lengths)
{
    Model m;
    model_init(&m);
    m.seq_len = 100;
    Layer e = tu_embedding("embedding", 1000, 16, false);
    model_add_layer(&m, &e);
    Layer c = {0};
    c.kind = LAYER_CONV1D;
    c.out_dim = 128;
    c.kernel_size = 5;
    c.strides = c.dilation = 1;
    c.use_bias = true;
    c.activation = ACT_RELU;
    snprintf(c.name, sizeof c.name, "conv1d");
    model_add_layer(&m, &c);
    Layer c2 = c;
    snprintf(c2.name, sizeof c2.name, "conv1d_1");
    c2.out_dim = 32;
    c2.kernel_size = 3;
    c2.strides = 2;
    c2.padding = PAD_SAME;
    model_add_layer(&m, &c2);
    Layer c3 = c;
    snprintf(c3.name, sizeof c3.name, "conv1d_2");
    c3.use_bias = false;
    c3.in_dim = 0;
    c3.padding = PAD_CAUSAL;
    model_add_layer(&m, &c3);
    Layer sd = {0};
    sd.kind = LAYER_SPATIAL_DROPOUT;
    sd.rate = 0.5f;
    snprintf(sd.name, sizeof sd.name, "sd");
    model_add_layer(&m, &sd);
    Layer f = {0};
    f.kind = LAYER_FLATTEN;
    snprintf(f.name, sizeof f.name, "flatten");
    model_add_layer(&m, &f);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    ck_assert_uint_eq(layer_param_count(&m.layers[1]), 10368);
    ck_assert_uint_eq(layer_param_count(&m.layers[2]), 12320);
    ck_assert_uint_eq(layer_param_count(&m.layers[3]), (size_t)5 * 32 * 128);
    ck_assert_uint_eq(layer_param_count(&m.layers[4]), 0);
    ck_assert_uint_eq(layer_param_count(&m.layers[5]), 0);
    ck_assert_int_eq(m.layers[1].out_len, 96);
    ck_assert_int_eq(m.layers[2].out_len, 48);
    ck_assert_int_eq(m.layers[3].out_len, 48);
    ck_assert_int_eq(m.layers[5].out_dim, 48 * 128);
    ck_assert_int_eq(model_find_param(&m, 1, 0, "kernel")->ndim, 3);
    ck_assert_int_eq(model_find_param(&m, 1, 0, "kernel")->shape[1], 16);
    model_free(&m);
}
END_TEST

/* SpatialDropout1D(0.5) training: each (sequence, channel) is dropped at
 * every step or kept at every step times 1/(1-0.5) = 2; about half dropped;
 * identity at inference. A mutated scale or a per-step mask fails it. */
START_TEST(spatial_dropout_training_output)
{
    const int F = 8, T = 6, Bn = 50;
    Model m;
    model_init(&m);
    m.input_dim = F;
    Layer d = {0};
    d.kind = LAYER_SPATIAL_DROPOUT;
    snprintf(d.name, sizeof d.name, "spatial_dropout1d");
    d.rate = 0.5f;
    model_add_layer(&m, &d);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    float *x = xmalloc((size_t)(Bn * T * F) * sizeof *x);
    for (int k = 0; k < Bn * T * F; k++) x[k] = (float)(k % 5 + 1);
    Trace tr;
    trace_init(&tr, &m, Bn, T, true);
    trace_set_training(&tr, true, 3);
    model_forward(&tr, NULL, x);
    int dropped = 0;
    for (int b = 0; b < Bn; b++)
        for (int j = 0; j < F; j++) {
            bool drop = seq_at(tr.layers[0].out, 0, (size_t)b, (size_t)Bn, (size_t)F)[j] == 0.0f;
            dropped += drop;
            for (int t = 0; t < T; t++) {
                float in = x[(b * T + t) * F + j], out = seq_at(tr.layers[0].out, (size_t)t, (size_t)b, (size_t)Bn, (size_t)F)[j];
                ck_assert_msg(out == (drop ? 0.0f : 2.0f * in), "seq %d channel %d step %d: %g from %g", b, j, t, (double)out,
                              (double)in);
            }
        }
    /* Binomial(400, 0.5): sd 10; 5 sd */
    ck_assert_msg(abs(dropped - 200) < 50, "%d of 400 channels dropped", dropped);
    trace_free(&tr);
    trace_init(&tr, &m, Bn, T, true);
    model_forward(&tr, NULL, x);
    for (int b = 0; b < Bn; b++)
        for (int t = 0; t < T; t++)
            for (int j = 0; j < F; j++)
                ck_assert(seq_at(tr.layers[0].out, (size_t)t, (size_t)b, (size_t)Bn, (size_t)F)[j] == x[(b * T + t) * F + j]);
    trace_free(&tr);
    free(x);
    model_free(&m);
}
END_TEST

/* The recurrent layers' own dropout, by hand: SimpleRNN(1 unit, linear, no
 * bias) on x = 1, 2, 3.
 *  dropout 0.5, W = 1, U = 0: h_t = x_t * m, one m in {0, 2} per sequence
 *    for every step: (0, 0, 0) or (2, 4, 6).
 *  recurrent_dropout 0.5, W = 1, U = 1: h_t = x_t + r h_{t-1}, r in {0, 2}
 *    per sequence: (1, 2, 3) or (1, 4, 11).
 * About half the 200 sequences each way; at inference (1, 2, 3) and
 * (1, 3, 6). A mutated scale or a mask drawn per step fails it. */
START_TEST(recurrent_dropout_by_hand)
{
    const int Bn = 200, T = 3;
    for (int rec = 0; rec < 2; rec++) {
        Model m;
        model_init(&m);
        m.input_dim = 1;
        Layer l = tu_rnn("simple_rnn", CELL_SIMPLE_RNN, 1, true);
        l.cell[0].activation = ACT_LINEAR;
        l.cell[0].use_bias = false;
        if (rec) l.recurrent_dropout = 0.5f;
        else l.dropout = 0.5f;
        model_add_layer(&m, &l);
        Err err = {{0}};
        ck_assert_msg(model_build(&m, &err), "%s", err.msg);
        m.layers[0].cell[0].kernel[0] = 1.0f;
        m.layers[0].cell[0].recurrent_kernel[0] = rec ? 1.0f : 0.0f;
        float *x = xmalloc((size_t)(Bn * T) * sizeof *x);
        for (int k = 0; k < Bn * T; k++) x[k] = (float)(k % T + 1);
        const float want[2][2][3] = {{{0, 0, 0}, {2, 4, 6}}, {{1, 2, 3}, {1, 4, 11}}};
        Trace tr;
        trace_init(&tr, &m, Bn, T, true);
        trace_set_training(&tr, true, 11);
        model_forward(&tr, NULL, x);
        int kept = 0;
        for (int b = 0; b < Bn; b++) {
            const float *h1 = seq_at(tr.layers[0].out, 1, (size_t)b, (size_t)Bn, 1);
            int which = *h1 != want[rec][0][1];
            kept += which;
            for (int t = 0; t < T; t++)
                ck_assert_msg(*seq_at(tr.layers[0].out, (size_t)t, (size_t)b, (size_t)Bn, 1) == want[rec][which][t],
                              "recurrent %d seq %d step %d: %g, expected %g", rec, b, t,
                              (double)*seq_at(tr.layers[0].out, (size_t)t, (size_t)b, (size_t)Bn, 1), (double)want[rec][which][t]);
        }
        ck_assert_msg(abs(kept - 100) < 36, "%d of 200 kept", kept); /* sd 7.1; 5 sd */
        trace_free(&tr);
        trace_init(&tr, &m, Bn, T, true);
        model_forward(&tr, NULL, x);
        for (int t = 0; t < T; t++)
            ck_assert_close(*seq_at(tr.layers[0].out, (size_t)t, 7, (size_t)Bn, 1), rec ? (t + 1) * (t + 2) / 2.0 : t + 1.0, 0);
        trace_free(&tr);
        free(x);
        model_free(&m);
    }
}
END_TEST

/* lesson 10 (helper l10): the LSTM's own dropout and recurrent_dropout at
 * rate 0.25, checked against a recomputation at inference. Keras draws one
 * input mask (B, in_dim) and one recurrent mask (B, H) per sequence and
 * reuses both at every step; each entry is 0 or 1/(1 - 0.25) = 4/3. So the
 * training-time output of sequence b must equal the inference output of a
 * copy of the layer whose kernel rows are scaled by the input mask and whose
 * recurrent kernel rows are scaled by the recurrent mask (x·diag(m)·W =
 * (x*m)·W). The masks' pattern (which entries are zero) is read from the
 * trace; their value is the test's own 4/3, so a mutated scale, a mask
 * redrawn at each step or one mask shared by the whole batch fails it. About
 * a quarter of the entries are dropped. */
START_TEST(lstm_dropout_masks_by_recompute)
{
    const int Bn = 40, T = 5, F = 3, H = 4;
    const float rate = 0.25f, scale = 4.0f / 3.0f;
    Model m;
    model_init(&m);
    m.input_dim = F;
    Layer l = tu_rnn("lstm", CELL_LSTM, H, true);
    l.dropout = rate;
    l.recurrent_dropout = rate;
    model_add_layer(&m, &l);
    tu_build_random(&m, 5, 1.5f);
    float *x = xmalloc((size_t)(Bn * T * F) * sizeof *x);
    for (int k = 0; k < Bn * T * F; k++) x[k] = 0.1f * (float)(k % 11) - 0.4f;
    Trace tr;
    trace_init(&tr, &m, Bn, T, true);
    trace_set_training(&tr, true, 2026);
    model_forward(&tr, NULL, x);
    const RunRecord *run = &tr.layers[0].run[0];
    ck_assert(run->dropping && run->dp_mask && run->rdp_mask);
    int dropped = 0, entries = 0, differ = 0;
    Model one;
    model_init(&one);
    one.input_dim = F;
    Layer l1 = tu_rnn("lstm", CELL_LSTM, H, true);
    model_add_layer(&one, &l1);
    Err err = {{0}};
    ck_assert_msg(model_build(&one, &err), "%s", err.msg);
    const Cell *c = &m.layers[0].cell[0];
    Cell *c1 = &one.layers[0].cell[0];
    for (int b = 0; b < Bn; b++) {
        float dm[8], rm[8];
        for (int j = 0; j < F; j++) {
            float v = run->dp_mask[b * F + j];
            ck_assert_msg(v == 0.0f || tu_close(v, scale, 1e-7, 0), "sequence %d input mask %d is %g", b, j, (double)v);
            dm[j] = v == 0.0f ? 0.0f : scale;
            dropped += v == 0.0f;
        }
        for (int j = 0; j < H; j++) {
            float v = run->rdp_mask[b * H + j];
            ck_assert_msg(v == 0.0f || tu_close(v, scale, 1e-7, 0), "sequence %d recurrent mask %d is %g", b, j, (double)v);
            rm[j] = v == 0.0f ? 0.0f : scale;
            dropped += v == 0.0f;
        }
        entries += F + H;
        /* the copy: W rows times the input mask, U rows times the recurrent mask */
        for (int i = 0; i < F; i++)
            for (int g = 0; g < 4 * H; g++) c1->kernel[i * 4 * H + g] = c->kernel[i * 4 * H + g] * dm[i];
        for (int i = 0; i < H; i++)
            for (int g = 0; g < 4 * H; g++) c1->recurrent_kernel[i * 4 * H + g] = c->recurrent_kernel[i * 4 * H + g] * rm[i];
        memcpy(c1->bias, c->bias, (size_t)(4 * H) * sizeof *c1->bias);
        Trace t1;
        trace_init(&t1, &one, 1, T, true);
        model_forward(&t1, NULL, x + (size_t)b * (size_t)(T * F));
        for (int t = 0; t < T; t++)
            for (int j = 0; j < H; j++) {
                float got = seq_at(tr.layers[0].out, (size_t)t, (size_t)b, (size_t)Bn, (size_t)H)[j];
                float want = t1.layers[0].out[t * H + j];
                ck_assert_msg(tu_close(got, want, 1e-5, 1e-5), "sequence %d step %d unit %d: %g in training, %g by recomputation", b,
                              t, j, (double)got, (double)want);
            }
        trace_free(&t1);
        /* the masks differ from sequence to sequence */
        if (b > 0) differ += memcmp(run->dp_mask + b * F, run->dp_mask, (size_t)F * sizeof(float)) != 0 ||
                             memcmp(run->rdp_mask + b * H, run->rdp_mask, (size_t)H * sizeof(float)) != 0;
    }
    /* Binomial(280, 0.25): mean 70, sd 7.2; 5 sd */
    ck_assert_msg(abs(dropped - entries / 4) < 37, "%d of %d mask entries dropped, expected about a quarter", dropped, entries);
    ck_assert_int_gt(differ, Bn / 2);
    trace_free(&tr);
    /* inference: no mask, the layer as it is (the copy with unit masks) */
    memcpy(c1->kernel, c->kernel, (size_t)(F * 4 * H) * sizeof *c1->kernel);
    memcpy(c1->recurrent_kernel, c->recurrent_kernel, (size_t)(H * 4 * H) * sizeof *c1->recurrent_kernel);
    trace_init(&tr, &m, Bn, T, true);
    model_forward(&tr, NULL, x);
    Trace t1;
    trace_init(&t1, &one, 1, T, true);
    model_forward(&t1, NULL, x + 3 * T * F);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < H; j++)
            ck_assert_close(seq_at(tr.layers[0].out, (size_t)t, 3, (size_t)Bn, (size_t)H)[j], t1.layers[0].out[t * H + j], 1e-6);
    trace_free(&t1);
    trace_free(&tr);
    free(x);
    model_free(&one);
    model_free(&m);
}
END_TEST

/* Bad configurations are refused at build time with the layer named. */
START_TEST(conv_bad_configs)
{
    static const struct {
        int seq_len, filters, k, s, d;
        bool mask;
        const char *want;
    } cases[] = {
        {4, 8, 5, 1, 1, false, "longer than the 4 steps"},
        {0, 0, 3, 1, 1, false, "filters 0"},
        {0, 8, 0, 1, 1, false, "kernel_size 0"},
        {0, 8, 3, 2, 2, false, "strides > 1 together with dilation_rate > 1"},
        {0, 8, 3, 1, 1, true, "does not support masking"},
        {5, 8, 3, 1, 3, false, "longer than the 5 steps"},
        {0, 8, 100000, 1, 100000, false, "reaches over more than 100000 steps"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Model m;
        model_init(&m);
        m.seq_len = cases[i].seq_len;
        Layer e = tu_embedding("embedding", 10, 4, cases[i].mask);
        model_add_layer(&m, &e);
        Layer c = {0};
        c.kind = LAYER_CONV1D;
        snprintf(c.name, sizeof c.name, "conv1d");
        c.out_dim = cases[i].filters;
        c.kernel_size = cases[i].k;
        c.strides = cases[i].s;
        c.dilation = cases[i].d;
        model_add_layer(&m, &c);
        Err err = {{0}};
        ck_assert_msg(!model_build(&m, &err), "case %zu built", i);
        ck_assert_msg(strstr(err.msg, cases[i].want) && strstr(err.msg, "conv1d") && !strchr(err.msg, '\n'),
                      "case %zu: '%s'", i, err.msg);
        model_free(&m);
    }
    /* too few tokens for a valid kernel when the length is free */
    Model m;
    model_init(&m);
    Layer e = tu_embedding("embedding", 10, 4, false);
    model_add_layer(&m, &e);
    Layer c = {0};
    c.kind = LAYER_CONV1D;
    snprintf(c.name, sizeof c.name, "conv1d");
    c.out_dim = 2;
    c.kernel_size = 4;
    c.strides = c.dilation = 1;
    model_add_layer(&m, &c);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    ck_assert_int_eq(model_min_steps(&m), 4);
    const int toks[3] = {1, 2, 3};
    ck_assert(!model_check_tokens(&m, toks, 3, &err));
    ck_assert_msg(strstr(err.msg, "needs at least 4 steps, but gets 3"), "%s", err.msg);
    ck_assert_uint_eq(trace_bytes(&m, 1, 3, true), SIZE_MAX);
    /* Flatten without a fixed length, a dropout rate of 1 */
    Layer f = {0};
    f.kind = LAYER_FLATTEN;
    snprintf(f.name, sizeof f.name, "flatten");
    model_add_layer(&m, &f);
    ck_assert(!model_build(&m, &err));
    ck_assert_msg(strstr(err.msg, "'flatten': Flatten needs a fixed sequence length"), "%s", err.msg);
    m.n_layers--;
    Layer d = {0};
    d.kind = LAYER_DROPOUT;
    d.rate = 1.0f;
    snprintf(d.name, sizeof d.name, "dropout");
    model_add_layer(&m, &d);
    ck_assert(!model_build(&m, &err));
    ck_assert_msg(strstr(err.msg, "'dropout': rate must be in [0, 1)"), "%s", err.msg);
    model_free(&m);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("known answers");
    tcase_add_test(tc, simple_rnn_by_hand);
    tcase_add_test(tc, lstm_by_hand);
    tcase_add_loop_test(tc, gru_by_hand, 0, 2);
    tcase_add_test(tc, activations);
    tcase_add_test(tc, param_counts);
    suite_add_tcase(s, tc);
    tc = tcase_create("masks");
    tcase_add_test(tc, mask_carries_state_and_repeats_output);
    tcase_add_test(tc, mask_go_backwards_in_processing_order);
    tcase_add_test(tc, mask_bidirectional_zeros);
    tcase_add_loop_test(tc, bidirectional_merge_modes, 0, 4);
    tcase_add_test(tc, masking_layer_zeroes_and_masks);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_add_test(tc, batch_equals_single);
    tcase_add_test(tc, two_threads);
    tcase_add_test(tc, build_rejects_bad_shapes);
    tcase_add_test(tc, tokens_checked);
    tcase_add_test_raise_signal(tc, trace_init_asserts, SIGABRT);
    suite_add_tcase(s, tc);
    tc = tcase_create("mutants");
    tcase_add_test(tc, dropout_training_output);
    tcase_add_loop_test(tc, masked_gru_step_by_hand, 0, 2);
    tcase_add_test(tc, sampling_temperature_frequencies);
    tcase_add_test(tc, preactivation_gives_the_recorded_gates);
    tcase_add_test(tc, greedy_skips_banned);
    /* layers beside the recurrent ones (issue 13) */
    tcase_add_loop_test(tc, conv1d_by_hand, 0, (int)(sizeof CONV_CASES / sizeof CONV_CASES[0]));
    tcase_add_test(tc, conv1d_kernel_layout_and_batch);
    tcase_add_test(tc, global_pooling_by_hand);
    tcase_add_test(tc, conv_param_counts_and_lengths);
    tcase_add_test(tc, spatial_dropout_training_output);
    tcase_add_test(tc, recurrent_dropout_by_hand);
    tcase_add_test(tc, lstm_dropout_masks_by_recompute); /* lesson 10 */
    tcase_add_test(tc, conv_bad_configs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(engine_suite());
}
