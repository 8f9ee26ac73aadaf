/* test_predict: model_predict_prefixes, the predictions after every prefix
 * of a sentence, against their definition: each prefix padded (or cut) in
 * front to the model's length and run on its own. The fast paths (one pass
 * for forward-reading models, batches of prefixes otherwise) must give the
 * same numbers for every kind of model: masked and unmasked padding, fixed
 * and free lengths, prefixes longer than the model's length, stacked,
 * Bidirectional and go_backwards layers, Dropout and Dense heads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "testutil.h"

#define VOCAB 12

static const char *const SPECS[] = {
    "embedding:V:6, lstm:8, dense:V:softmax",
    "embedding:V:6:mask, gru:5:seq, rnn:4, dense:V:softmax",
    "input:7, embedding:V:6, lstm:8, dense:V:softmax",
    "input:7, embedding:V:6:mask, gru:5:seq, lstm:4, dense:V:softmax",
    "input:7, embedding:V:6:mask, gru:5:reset_before, dropout:0.3, dense:9:relu, dense:V:softmax",
    "input:7, embedding:V:6:mask, masking, lstm:4, dense:V:softmax",
    "input:7, embedding:V:6:mask, bi-gru:4, dense:V:softmax",
    "input:7, embedding:V:6:mask, lstm:4:backwards, dense:1:sigmoid",
    "embedding:V:6, bi-lstm:4:sum, dense:V:softmax",
    "embedding:V:6:mask, rnn:4:backwards, dense:3:softmax",
};

/* the definition: one forward pass per prefix */
static void predict_naive(const Model *m, const int *tokens, int T, float *out)
{
    const int D = m->layers[m->n_layers - 1].out_dim, L = m->seq_len;
    int *row = xcalloc((size_t)(L ? L : T), sizeof *row);
    for (int t = 0; t < T; t++) {
        int len = L ? L : t + 1;
        base_fit_front(row, len, tokens, t + 1);
        Trace tr;
        trace_init(&tr, m, 1, len, false);
        model_forward(&tr, row, NULL);
        memcpy(out + (size_t)t * D, tr.layers[m->n_layers - 1].out, (size_t)D * sizeof *out);
        trace_free(&tr);
    }
    free(row);
}

START_TEST(prefixes_match_definition)
{
    const char *spec = SPECS[_i];
    static const int LENGTHS[] = {1, 2, 7, 13, 150};
    Err err = {{0}};
    Model m;
    ck_assert_msg(spec_build(&m, spec, VOCAB, 3, &err), "%s: %s", spec, err.msg);
    const int D = m.layers[m.n_layers - 1].out_dim;
    double worst = 0;
    for (size_t k = 0; k < sizeof LENGTHS / sizeof LENGTHS[0]; k++) {
        int T = LENGTHS[k];
        int *tokens = xmalloc((size_t)T * sizeof *tokens);
        for (int t = 0; t < T; t++) tokens[t] = 1 + (t * 5 + 3) % (VOCAB - 1);
        if (T > 3) tokens[T / 2] = 0; /* a 0 inside the text: masked where padding is */
        float *fast = xmalloc((size_t)T * D * sizeof *fast), *slow = xmalloc((size_t)T * D * sizeof *slow);
        model_predict_prefixes(&m, tokens, T, fast);
        predict_naive(&m, tokens, T, slow);
        for (size_t j = 0; j < (size_t)T * D; j++) {
            ck_assert_msg(tu_close(fast[j], slow[j], 1e-6, 1e-5), "%s, T=%d: prefix %zu output %zu is %.9g, not %.9g",
                          spec, T, j / D + 1, j % D, fast[j], slow[j]);
            worst = fmax(worst, fabs(fast[j] - slow[j]));
        }
        /* the window's way: a kept trace of the sentence as the model reads
         * it (padded or cut in front to its length), then its prefixes */
        int n = m.seq_len ? m.seq_len : T;
        int *row = xmalloc((size_t)n * sizeof *row);
        base_fit_front(row, n, tokens, T);
        float *from_trace = xmalloc((size_t)n * D * sizeof *from_trace), *want = xmalloc((size_t)n * D * sizeof *want);
        Trace tr;
        trace_init(&tr, &m, 1, n, true);
        model_forward(&tr, row, NULL);
        trace_predict_prefixes(&tr, from_trace);
        predict_naive(&m, row, n, want);
        for (size_t j = 0; j < (size_t)n * D; j++) {
            ck_assert_msg(tu_close(from_trace[j], want[j], 1e-6, 1e-5), "%s, T=%d, from the trace: step %zu output %zu is %.9g, not %.9g",
                          spec, T, j / D + 1, j % D, from_trace[j], want[j]);
            worst = fmax(worst, fabs(from_trace[j] - want[j]));
        }
        trace_free(&tr);
        free(row);
        free(from_trace);
        free(want);
        free(tokens);
        free(fast);
        free(slow);
    }
    fprintf(stderr, "%-90s worst difference %.2g\n", spec, worst);
    model_free(&m);
}
END_TEST

/* trace_bytes is what trace_init allocates: a trace of twice the steps
 * needs about twice the bytes, and a bigger model more. */
START_TEST(trace_bytes_scale)
{
    Err err = {{0}};
    Model m;
    ck_assert_msg(spec_build(&m, "embedding:V:6, lstm:8:seq, lstm:8, dense:V:softmax", VOCAB, 1, &err), "%s", err.msg);
    size_t a = trace_bytes(&m, 1, 100, true), b = trace_bytes(&m, 1, 200, true), c = trace_bytes(&m, 2, 100, true);
    /* per step and row: embedding 6, two runs of xw 32 + h 8 + c 8 + gates 32, masks none */
    size_t per_step = (6 + 2 * (32 + 8 + 8 + 32)) * sizeof(float) + sizeof(int);
    ck_assert_uint_eq(b - a, 100 * per_step);
    /* and per row: h[0] and c[0] of both runs, both runs' scratch, Dense out */
    ck_assert_uint_eq(c - a, 100 * per_step + (2 * (8 + 8) + 2 * 8 + VOCAB) * sizeof(float));
    ck_assert(trace_bytes(&m, 1, 100, false) < a);
    model_free(&m);
}
END_TEST

/* Reading a sequence in pieces with trace_carry_state gives the states and
 * outputs of one pass over the whole (generation's one step per word). */
START_TEST(carried_state_equals_one_pass)
{
    static const char *const FORWARD[] = {
        "embedding:V:6, lstm:8, dense:V:softmax",
        "embedding:V:6:mask, gru:5:seq, rnn:4, dense:V:softmax",
        "embedding:V:6, gru:5:reset_before:seq, dropout:0.2, lstm:3, dense:9:relu, dense:V:softmax",
    };
    for (size_t q = 0; q < sizeof FORWARD / sizeof FORWARD[0]; q++) {
        Err err = {{0}};
        Model m;
        ck_assert_msg(spec_build(&m, FORWARD[q], VOCAB, 5, &err), "%s", err.msg);
        ck_assert(model_reads_forwards(&m));
        const int T = 9, D = m.layers[m.n_layers - 1].out_dim;
        int tokens[9];
        for (int t = 0; t < T; t++) tokens[t] = 1 + (t * 7 + 2) % (VOCAB - 1);
        Trace whole;
        trace_init(&whole, &m, 1, T, false);
        model_forward(&whole, tokens, NULL);
        /* the first 4 tokens as one piece, then one token at a time */
        Trace head, step;
        trace_init(&head, &m, 1, 4, false);
        model_forward(&head, tokens, NULL);
        trace_init(&step, &m, 1, 1, false);
        trace_carry_state(&step, &head);
        for (int t = 4; t < T; t++) {
            model_forward(&step, tokens + t, NULL);
            trace_carry_state(&step, &step);
        }
        const float *a = whole.layers[m.n_layers - 1].out, *b = step.layers[m.n_layers - 1].out;
        for (int j = 0; j < D; j++)
            ck_assert_msg(tu_close(b[j], a[j], 1e-6, 1e-5), "%s: output %d is %.9g in pieces, %.9g in one pass",
                          FORWARD[q], j, b[j], a[j]);
        for (int i = 0; i < m.n_layers; i++) {
            if (m.layers[i].kind != LAYER_RNN) continue;
            const RunRecord *rw = &whole.layers[i].run[0], *rs = &step.layers[i].run[0];
            for (int j = 0; j < rw->H; j++) {
                ck_assert(tu_close(rs->h[j], rw->h[(size_t)T * rw->H + j], 1e-6, 1e-5));
                if (rw->c) ck_assert(tu_close(rs->c[j], rw->c[(size_t)T * rw->H + j], 1e-6, 1e-5));
            }
        }
        trace_free(&whole);
        trace_free(&head);
        trace_free(&step);
        model_free(&m);
    }
    /* a model that reads backwards cannot be read in pieces */
    Err err = {{0}};
    Model m;
    ck_assert(spec_build(&m, "embedding:V:6, bi-gru:4, dense:V:softmax", VOCAB, 1, &err));
    ck_assert(!model_reads_forwards(&m));
    model_free(&m);
    ck_assert(spec_build(&m, "embedding:V:6, lstm:4:backwards, dense:V:softmax", VOCAB, 1, &err));
    ck_assert(!model_reads_forwards(&m));
    model_free(&m);
}
END_TEST

/* `unroll generate` far past the old 1,000-word cap: every word counted,
 * and greedy generation repeats itself exactly when run again */
START_TEST(generate_many_words)
{
    char model[4096];
    snprintf(model, sizeof model, "%s/../lessons/lyrics/models/lstm", tu_path(""));
    const char *bin = getenv("UNROLL_BIN");
    ck_assert_ptr_nonnull(bin);
    char *const argv[] = {(char *)bin, "generate", model, "--seed-text", "the lantern", "--words", "3000", NULL};
    char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
    ck_assert_int_eq(tu_run(argv, &out, &err), 0);
    int words = 0;
    for (const char *p = out; *p; p++) words += (p == out || p[-1] == ' ') && *p != ' ' && *p != '\n';
    ck_assert_int_eq(words, 3002);
    ck_assert_int_eq(tu_run(argv, &out2, &err2), 0);
    ck_assert_str_eq(out, out2);
    free(out);
    free(err);
    free(out2);
    free(err2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("predict");
    TCase *tc = tcase_create("prefixes");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, prefixes_match_definition, 0, (int)(sizeof SPECS / sizeof SPECS[0]));
    tcase_add_test(tc, trace_bytes_scale);
    tcase_add_test(tc, carried_state_equals_one_pass);
    tcase_add_test(tc, generate_many_words);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
