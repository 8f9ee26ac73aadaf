/* test_grad: the engine's centrepiece, a gradient check. For every cell,
 * option, mask rule and loss, the analytic gradients of model_backward are
 * compared with central finite differences of the forward pass, for every
 * weight (and every input value of float-input models). The loss is a fixed
 * random linear function of the last output, or the model's own loss.
 * The worst difference of each case is printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define B 2
#define T 5
#define EPS 1e-3f
#define ATOL 2e-3
#define RTOL 2e-2

typedef enum { LOSS_LINEAR, LOSS_MODEL } LossChoice;

typedef struct {
    const char *name;
    const char *spec; /* layers, see build() */
    LossChoice loss;
    bool training;    /* Dropout drops (with the same mask every evaluation) */
} Case;

/* A tiny spec language for this test only: tokens separated by spaces.
 *   E   Embedding(7, 3, mask_zero)       e  Embedding(7, 3)
 *   M   Masking(0) on float input (F=3)  f  float input (F=3), no Masking
 *   S/G/g/L  SimpleRNN / GRU(reset_after) / GRU(reset_after=false) / LSTM(3)
 *     suffixes: s return_sequences, b go_backwards, r relu, l linear,
 *               h hard_sigmoid recurrent, n no bias, 2..5 Bidirectional
 *               (2 concat, 3 sum, 4 mul, 5 ave)
 *   D  Dropout(0.3)   Ds/Dt/Dg Dense(4, softmax / tanh / sigmoid 1 unit)
 * Layers beside the recurrent ones (issue 13):
 *   C  Conv1D(4, kernel 3), then flags: v valid, s same, c causal padding,
 *      2 strides 2, d dilation 2, r relu, n no bias
 *   A  GlobalAveragePooling1D   X  GlobalMaxPooling1D   F  Flatten (fixes
 *      the model's length to T)  P  SpatialDropout1D(0.3)   Dr Dense(4, relu)
 *   recurrent suffixes p dropout 0.3, q recurrent_dropout 0.3 */
/* the tokens C, A, X, F, P of build() */
static void build_more(Model *m, Layer *l, const char *tok, const char *name)
{
    snprintf(l->name, sizeof l->name, "%s", name);
    switch (tok[0]) {
    case 'C':
        l->kind = LAYER_CONV1D;
        l->out_dim = 4;
        l->kernel_size = 3;
        l->strides = strchr(tok, '2') ? 2 : 1;
        l->dilation = strchr(tok, 'd') ? 2 : 1;
        l->padding = strchr(tok, 's') ? PAD_SAME : strchr(tok, 'c') ? PAD_CAUSAL : PAD_VALID;
        l->activation = strchr(tok, 'r') ? ACT_RELU : ACT_TANH;
        l->use_bias = !strchr(tok, 'n');
        break;
    case 'A': l->kind = LAYER_GLOBAL_AVG_POOL; break;
    case 'X': l->kind = LAYER_GLOBAL_MAX_POOL; break;
    case 'F':
        l->kind = LAYER_FLATTEN;
        m->seq_len = T;
        break;
    default:
        l->kind = LAYER_SPATIAL_DROPOUT;
        l->rate = 0.3f;
        break;
    }
}

/* the layer of one token of build()'s spec; false for 'f' (no layer) */
static bool grad_layer(Model *m, Layer *l, const char *tok, const char *name)
{
    switch (tok[0]) {
    case 'C': case 'A': case 'X': case 'F': case 'P':
        build_more(m, l, tok, name);
        break;
    case 'E': case 'e':
        *l = tu_embedding(name, 7, 3, tok[0] == 'E');
        break;
    case 'f':
        m->input_dim = 3;
        return false;
    case 'M':
        m->input_dim = 3;
        l->kind = LAYER_MASKING;
        snprintf(l->name, sizeof l->name, "%s", name);
        break;
    case 'D':
        if (!tok[1]) {
            l->kind = LAYER_DROPOUT;
            snprintf(l->name, sizeof l->name, "%s", name);
            l->rate = 0.3f;
        } else {
            *l = tu_dense(name, tok[1] == 'g' ? 1 : 4,
                          tok[1] == 's' ? ACT_SOFTMAX : tok[1] == 't' ? ACT_TANH : tok[1] == 'r' ? ACT_RELU : ACT_SIGMOID);
        }
        break;
    default: {
        CellKind k = tok[0] == 'S' ? CELL_SIMPLE_RNN : tok[0] == 'L' ? CELL_LSTM : CELL_GRU;
        *l = tu_rnn(name, k, 3, strchr(tok, 's') != NULL);
        l->cell[0].reset_after = tok[0] == 'G';
        l->cell[0].go_backwards = strchr(tok, 'b') != NULL;
        if (strchr(tok, 'r')) l->cell[0].activation = ACT_RELU;
        if (strchr(tok, 'l')) l->cell[0].activation = ACT_LINEAR;
        if (strchr(tok, 'h')) l->cell[0].recurrent_activation = ACT_HARD_SIGMOID;
        if (strchr(tok, 'n')) l->cell[0].use_bias = false;
        if (strchr(tok, 'p')) l->dropout = 0.3f;
        if (strchr(tok, 'q')) l->recurrent_dropout = 0.3f;
        for (int mode = 2; mode <= 5; mode++)
            if (strchr(tok, '0' + mode)) tu_bidirectional(l, (MergeMode)(mode - 2));
    }
    }
    return true;
}

static void build(Model *m, const char *spec)
{
    tu_layers_from_spec(m, spec, grad_layer);
    tu_build_random(m, 99, 1.0f);
}

static const int TOKENS[B * T] = {0, 3, 5, 0, 6, 1, 2, 0, 4, 2};
static const int LABELS_CAT[B] = {2, 0};
static const int LABELS_BIN[B] = {1, 0};

typedef struct {
    const Case *c;
    Model *m;
    float *input;     /* (B, T, F) for float models, batch-major as given */
    float *lin;       /* weights of the linear loss */
} Ctx;

static const float *last_out(const Trace *tr)
{
    return tr->layers[tr->model->n_layers - 1].out;
}

static size_t last_size(const Model *m)
{
    const Layer *l = &m->layers[m->n_layers - 1];
    int steps = T; /* a Conv1D changes the length */
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == LAYER_CONV1D)
            steps = conv_out_steps(steps, m->layers[i].kernel_size, m->layers[i].strides, m->layers[i].dilation,
                                   m->layers[i].padding);
    return (l->out_seq ? (size_t)B * (size_t)steps : (size_t)B) * l->out_dim;
}

/* the loss of the current weights and input, in double */
static double eval(Ctx *cx, float *dy)
{
    Trace tr;
    trace_init(&tr, cx->m, B, T, true);
    trace_set_training(&tr, cx->c->training, 5);
    model_forward(&tr, cx->m->token_input ? TOKENS : NULL, cx->input);
    double L = 0;
    size_t n = last_size(cx->m);
    if (cx->c->loss == LOSS_LINEAR) {
        for (size_t k = 0; k < n; k++) L += (double)cx->lin[k] * last_out(&tr)[k];
        if (dy) memcpy(dy, cx->lin, n * sizeof *dy);
    } else {
        LossKind kind;
        Err err = {{0}};
        ck_assert(model_loss_kind(cx->m, &kind, &err));
        const Layer *l = &cx->m->layers[cx->m->n_layers - 1];
        L = loss_compute(dy, last_out(&tr), kind == LOSS_BINARY ? LABELS_BIN : LABELS_CAT, kind, B, l->out_dim, NULL) / B;
    }
    trace_free(&tr);
    return L;
}

static void check_case(const Case *c)
{
    Model m;
    build(&m, c->spec);
    Ctx cx = {.c = c, .m = &m};
    Rng rng;
    rng_init(&rng, 3);
    size_t n_out = last_size(&m);
    cx.lin = xmalloc(n_out * sizeof *cx.lin);
    for (size_t k = 0; k < n_out; k++) cx.lin[k] = rng_uniform(&rng) * 2.0f - 1.0f;
    size_t n_in = m.token_input ? 0 : (size_t)B * T * m.input_dim;
    if (n_in) {
        cx.input = xmalloc(n_in * sizeof *cx.input);
        for (size_t k = 0; k < n_in; k++) cx.input[k] = rng_uniform(&rng) * 2.0f - 1.0f;
        /* whole masked steps for Masking(0): sequence 0 step 1, sequence 1 step 4 */
        for (int j = 0; j < 3; j++) cx.input[(0 * T + 1) * 3 + j] = cx.input[(1 * T + 4) * 3 + j] = 0.0f;
    }
    /* analytic */
    Trace tr;
    trace_init(&tr, &m, B, T, true);
    trace_set_training(&tr, c->training, 5);
    model_forward(&tr, m.token_input ? TOKENS : NULL, cx.input);
    Backprop bp;
    backprop_init(&bp, &m, B, T);
    backprop_zero_grads(&bp);
    eval(&cx, bp.dout[m.n_layers - 1]);
    model_backward(&bp, &tr);
    /* numeric, every weight and input value */
    double worst = 0;
    char where[128] = "";
    int checked = 0, nonzero = 0;
    for (size_t k = 0; k < m.n_params + n_in; k++) {
        float *w = k < m.n_params ? &m.params[k] : &cx.input[k - m.n_params];
        /* a masked step's input is all mask_value: nudging it would unmask the
         * step, so its derivative is not defined by finite differences */
        if (k >= m.n_params && *w == 0.0f) continue;
        float an;
        if (k < m.n_params) {
            an = bp.dparams[k];
        } else {
            /* input is batch-major, dinput time-major */
            size_t q = k - m.n_params, b = q / ((size_t)T * 3), t = (q / 3) % T, j = q % 3;
            an = bp.dinput[(t * B + b) * 3 + j];
        }
        float keep = *w;
        *w = keep + EPS;
        double lp = eval(&cx, NULL);
        *w = keep - EPS;
        double lm = eval(&cx, NULL);
        *w = keep;
        double fd = (lp - lm) / (2.0 * EPS);
        double diff = fabs(fd - an), scale = ATOL + RTOL * fmax(fabs(fd), fabs(an));
        if (diff / scale > worst) {
            worst = diff / scale;
            snprintf(where, sizeof where, "%s %zu: analytic %.6g, numeric %.6g", k < m.n_params ? "param" : "input",
                     k < m.n_params ? k : k - m.n_params, an, fd);
        }
        checked++;
        nonzero += fabs(fd) > 1e-4;
    }
    fprintf(stderr, "%-34s %5d values, worst %.3f of tolerance (%s)\n", c->name, checked, worst, where);
    ck_assert_msg(worst <= 1.0, "%s: %s", c->name, where);
    ck_assert_msg(nonzero > checked / 4, "%s: only %d of %d gradients are nonzero", c->name, nonzero, checked);
    backprop_free(&bp);
    trace_free(&tr);
    free(cx.lin);
    free(cx.input);
    model_free(&m);
}

static const Case CASES[] = {
    {"simple_rnn", "E S Ds", LOSS_MODEL, false},
    {"gru reset_after", "E G Ds", LOSS_MODEL, false},
    {"gru reset_before", "E g Ds", LOSS_MODEL, false},
    {"lstm", "E L Ds", LOSS_MODEL, false},
    {"lstm binary loss", "E L Dg", LOSS_MODEL, false},
    {"gru binary loss, no mask", "e G Dg", LOSS_MODEL, false},
    {"simple_rnn seq relu", "E Ssr Dt", LOSS_LINEAR, false},
    {"simple_rnn linear no bias", "e Sln Ds", LOSS_MODEL, false},
    {"lstm hard_sigmoid relu", "E Lhr Ds", LOSS_MODEL, false},
    {"gru hard_sigmoid no bias", "E Ghn Ds", LOSS_MODEL, false},
    {"gru_b hard_sigmoid seq", "E ghs Dt", LOSS_LINEAR, false},
    {"go_backwards lstm", "E Lb Ds", LOSS_MODEL, false},
    {"go_backwards gru seq", "E Gbs Dt", LOSS_LINEAR, false},
    {"go_backwards simple_rnn seq", "e Sbs Dt", LOSS_LINEAR, false},
    {"stacked lstm gru simple_rnn", "E Ls Gs S Ds", LOSS_MODEL, false},
    {"bidirectional concat", "E L2 Ds", LOSS_MODEL, false},
    {"bidirectional sum seq", "E G3s Dt", LOSS_LINEAR, false},
    {"bidirectional mul seq", "E S4s Dt", LOSS_LINEAR, false},
    {"bidirectional ave", "E g5 Ds", LOSS_MODEL, false},
    {"bidirectional stacked masked", "E L2s G3 Ds", LOSS_MODEL, false},
    {"masking layer float input", "M Ls G Ds", LOSS_MODEL, false},
    {"float input, no mask", "f L Ds", LOSS_LINEAR, false},
    {"dropout (training)", "E Ls D S Ds", LOSS_MODEL, true},
    {"dense on sequence", "E Ss Dt Ds", LOSS_LINEAR, false},
    /* ---- layers beside the recurrent ones (issue 13) ---- */
    {"conv1d valid, avg pool", "e Cv A Ds", LOSS_MODEL, false},
    {"conv1d same relu, max pool", "e Csr X Ds", LOSS_MODEL, false},
    {"conv1d causal into lstm, float input", "f Cc Ls Dt", LOSS_LINEAR, false},
    {"conv1d valid stride 2, flatten", "e Cv2 F Ds", LOSS_MODEL, false},
    {"conv1d same stride 2", "f Cs2 A Ds", LOSS_MODEL, false},
    {"conv1d causal dilation 2", "e Ccd X Ds", LOSS_MODEL, false},
    {"conv1d same dilation 2 no bias", "e Csdn Ls Dt", LOSS_LINEAR, false},
    {"conv1d valid dilation 2 seq out", "f Cvd Dt", LOSS_LINEAR, false},
    {"avg pool with a mask", "E Ls A Ds", LOSS_MODEL, false},
    {"max pool after masked gru", "E Gs X Ds", LOSS_MODEL, false},
    {"flatten, dense relu", "e Ss F Dr Ds", LOSS_MODEL, false},
    {"dense relu", "e L Dr Ds", LOSS_MODEL, false},
    {"spatial dropout (training)", "e P Cv A Ds", LOSS_MODEL, true},
    {"lstm dropout+recurrent (training)", "E Lpq Ds", LOSS_MODEL, true},
    {"simple_rnn dropout+recurrent seq (training)", "E Spqs Dt", LOSS_LINEAR, true},
    {"gru dropout+recurrent (training)", "E Gpq Ds", LOSS_MODEL, true},
    {"bi-lstm dropout+recurrent (training)", "E Lpq2 Ds", LOSS_MODEL, true},
    {"backwards lstm dropout, Masking (training)", "M Lbpq Ds", LOSS_MODEL, true},
    {"stacked dropout rnn over dropout (training)", "E Sqs D Lp Ds", LOSS_MODEL, true},
};

START_TEST(gradient_check)
{
    check_case(&CASES[_i]);
}
END_TEST

/* the loss values themselves, by hand */
START_TEST(loss_known_answers)
{
    /* softmax rows [0.7, 0.2, 0.1] label 0 and [0.25, 0.25, 0.5] label 2:
     * -(log 0.7 + log 0.5) = 0.35667494 + 0.69314718 */
    const float y[] = {0.7f, 0.2f, 0.1f, 0.25f, 0.25f, 0.5f};
    int right = 0;
    double sum = loss_compute(NULL, y, (int[]){0, 2}, LOSS_SPARSE_CATEGORICAL, 2, 3, &right);
    ck_assert_close(sum, 1.0498221244986778, 1e-6);
    ck_assert_int_eq(right, 2);
    /* a probability of 0 is clipped to 1e-7: -log(1e-7) = 16.118095651 */
    const float z[] = {1.0f, 0.0f};
    sum = loss_compute(NULL, z, (int[]){1}, LOSS_SPARSE_CATEGORICAL, 1, 2, &right);
    ck_assert_close(sum, 16.11809565095832, 1e-4);
    ck_assert_int_eq(right, 0);
    /* binary: p = 0.8 label 1 -> -log 0.8 ; p = 0.8 label 0 -> -log 0.2 */
    const float p[] = {0.8f, 0.8f};
    sum = loss_compute(NULL, p, (int[]){1, 0}, LOSS_BINARY, 2, 1, &right);
    ck_assert_close(sum, 0.2231435513142097 + 1.6094379124341003, 1e-6);
    ck_assert_int_eq(right, 1);
}
END_TEST

/* Adam's first step moves every weight by lr against its gradient's sign
 * (m/sqrt(v) = g/|g| after bias correction); SGD by lr * g; clipnorm caps
 * each tensor's gradient norm. */
START_TEST(optimizer_known_answers)
{
    Model m;
    model_init(&m);
    m.input_dim = 1;
    Layer l = tu_rnn("rnn", CELL_SIMPLE_RNN, 1, false);
    model_add_layer(&m, &l);
    Err err = {{0}};
    ck_assert(model_build(&m, &err));
    /* params: kernel, recurrent_kernel, bias */
    float g[3] = {0.5f, -2.0f, 0.0f};
    Optimizer opt;
    optimizer_init(&opt, OPT_ADAM, 0, 0, &m);
    ck_assert_close(opt.lr, 0.001, 1e-9);
    optimizer_step(&opt, &m, g);
    ck_assert_close(m.params[0], -0.001, 1e-7);
    ck_assert_close(m.params[1], 0.001, 1e-7);
    ck_assert_close(m.params[2], 0.0, 0);
    /* second step with the same gradient: m/(sqrt v) is still 1 */
    optimizer_step(&opt, &m, g);
    ck_assert_close(m.params[0], -0.002, 1e-6);
    optimizer_free(&opt);
    memset(m.params, 0, 3 * sizeof(float));
    optimizer_init(&opt, OPT_SGD, 0, 1.0f, &m);
    float h[3] = {0.5f, -2.0f, 0.25f};
    optimizer_step(&opt, &m, h);
    /* sgd lr 0.01; recurrent kernel's gradient -2 is clipped to norm 1 */
    ck_assert_close(m.params[0], -0.005, 1e-8);
    ck_assert_close(m.params[1], 0.01, 1e-8);
    ck_assert_close(m.params[2], -0.0025, 1e-8);
    optimizer_free(&opt);
    model_free(&m);
}
END_TEST

/* initializers: orthogonal recurrent kernels, glorot limits, forget bias 1 */
START_TEST(initializers)
{
    Model m;
    model_init(&m);
    m.input_dim = 10;
    Layer l = tu_rnn("lstm", CELL_LSTM, 5, false);
    model_add_layer(&m, &l);
    Err err = {{0}};
    ck_assert(model_build(&m, &err));
    model_init_weights(&m, 42);
    const Cell *c = &m.layers[0].cell[0];
    /* U (5, 20) has orthonormal rows */
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            double dot = 0;
            for (int j = 0; j < 20; j++) dot += (double)c->recurrent_kernel[a * 20 + j] * c->recurrent_kernel[b * 20 + j];
            ck_assert_close(dot, a == b ? 1.0 : 0.0, 1e-5);
        }
    float limit = sqrtf(6.0f / (10 + 20));
    for (int k = 0; k < 200; k++) ck_assert(fabsf(c->kernel[k]) <= limit);
    for (int j = 0; j < 20; j++) ck_assert_close(c->bias[j], j >= 5 && j < 10 ? 1.0 : 0.0, 0);
    /* same seed, same weights */
    float first = c->kernel[3];
    model_init_weights(&m, 42);
    ck_assert_float_eq(first, c->kernel[3]);
    model_free(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grad");
    TCase *tc = tcase_create("finite differences");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, gradient_check, 0, (int)(sizeof CASES / sizeof CASES[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("losses and optimizers");
    tcase_add_test(tc, loss_known_answers);
    tcase_add_test(tc, optimizer_known_answers);
    tcase_add_test(tc, initializers);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
