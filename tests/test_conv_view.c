/* test_conv_view: convolution models in the window (view_conv.c, issue 13),
 * drawn headless like test_ui (suite ui).
 * - doc: a model with no recurrent layer opens, and one whose valid Conv1D
 *   shortens the sequence before an LSTM; which of them are drawn as
 *   windows;
 * - receptive fields from the layers, hand-computed: conv(5) -> conv(5)
 *   sees 9 positions, with dilation 2 on the second 13, a stride-2 conv(3)
 *   under a conv(3) 7; causal padding puts the field left of the output,
 *   same padding around it;
 * - the inspector's sum equals the engine's output for a tiny model whose
 *   weights are set by hand (kernel 2, one filter), values computed by hand;
 * - pixels: the window outline at a step covers exactly the kernel's token
 *   boxes (the highlight colour on theirs, not on their neighbours');
 * - layout: the conv views' text boxes stay apart and in the frame;
 * - an LSTM after a shortening conv: its cell inspector steps through the
 *   conv's positions and says which words each read. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app_internal.h"
#include "model_io.h"
#include "spec.h"
#include "testutil.h"

/* a fresh model from spec saved under tmp/name; returns its path */
static char *save_spec(const char *tmp, const char *name, const char *spec, int vocab)
{
    static char path[4][4200];
    static int k = 0;
    char *p = path[k++ % 4];
    snprintf(p, 4200, "%s/%s", tmp, name);
    Model m;
    Err err = {{0}};
    ck_assert_msg(spec_build(&m, spec, vocab, 7, &err), "%s: %s", spec, err.msg);
    ck_assert_msg(model_save(&m, p, NULL, 0, &err), "%s", err.msg);
    model_free(&m);
    return p;
}

static Model build(const char *spec, int vocab)
{
    Model m;
    Err err = {{0}};
    ck_assert_msg(spec_build(&m, spec, vocab, 3, &err), "%s: %s", spec, err.msg);
    return m;
}

START_TEST(pure_conv_and_conv_before_rnn_open)
{
    char *tmp = tu_tmpdir();
    const char *specs[] = {
        "input:20, embedding:30:16, conv1d:32:5:relu, gmaxpool, dense:1:sigmoid",
        "input:20, embedding:30:16, conv1d:8:5:relu, gavgpool, dense:3:softmax",
        "input:20, embedding:30:16, conv1d:8:3:relu, flatten, dense:1:sigmoid",
        "input:20, embedding:30:8, spatialdropout:0.2, conv1d:8:3:relu:same, dropout:0.5, conv1d:8:3:relu:dilation2, gmaxpool, dense:4:relu, dense:1:sigmoid",
        "input:20, embedding:30:8, conv1d:8:3:relu, lstm:6, dense:1:sigmoid", /* valid: 18 steps reach the LSTM */
        "input:20, embedding:30:8, conv1d:8:4:relu:stride2, bi-gru:4, dense:1:sigmoid",
        "input:20, embedding:30:8, gavgpool, dense:1:sigmoid", /* neither conv nor recurrent */
    };
    const bool windows[] = {true, true, true, true, true, true, true};
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        char name[32];
        snprintf(name, sizeof name, "m%zu", i);
        const char *path = save_spec(tmp, name, specs[i], 30);
        Doc *d = calloc(1, sizeof *d);
        Err err = {{0}};
        ck_assert_msg(doc_open(d, path, &err), "%s: %s", specs[i], err.msg);
        ck_assert_int_eq(d->n_models, 1);
        ck_assert_int_eq(d->T, 20);
        ck_assert_msg(conv_shown_as_windows(&d->models[0].model) == windows[i], "%s", specs[i]);
        doc_close(d);
        free(d);
        /* every view draws it */
        App *a = app_headless_create(1280, 720, &err);
        ck_assert_msg(a, "%s", err.msg);
        ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
        a->anim = 1.0f;
        a->attrib_on = true; /* input attribution over a convolution */
        for (int v = 0; v < VIEW_COUNT; v++) {
            app_set_view(a, (ViewKind)v);
            app_draw(a);
        }
        /* l goes through the conv and recurrent layers, and stays put without any */
        const Model *mm = &a->doc->models[0].model;
        for (int k = 0; k < 3; k++) {
            ck_assert(app_command_key(a, SDLK_l, 0));
            ck_assert_int_ge(a->layer, 0);
            ck_assert_int_lt(a->layer, mm->n_layers);
            LayerKind kind = mm->layers[a->layer].kind;
            ck_assert(kind == LAYER_CONV1D || kind == LAYER_RNN || i == 6);
            app_set_view(a, VIEW_INSPECTOR);
            app_draw(a);
        }
        app_headless_destroy(a);
    }
    /* a same-padded conv keeps the words as the LSTM's steps: the recurrent view */
    Model m = build("input:20, embedding:30:8, conv1d:8:3:relu:same, lstm:6, dense:1:sigmoid", 30);
    ck_assert(!conv_shown_as_windows(&m));
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(receptive_fields_hand_computed)
{
    unsigned char seen[64], work[64];
    int lo = 0, hi = 0;
    /* conv(5) -> conv(5), valid: 1 + 4 + 4 = 9; output 0 reads 0..8 */
    Model m = build("input:20, embedding:10:4, conv1d:2:5, conv1d:2:5, gmaxpool, dense:1:sigmoid", 10);
    ck_assert_int_eq(conv_receptive_size(&m, 2), 9);
    ck_assert(conv_receptive_span(&m, 2, 20, 0, &lo, &hi));
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, 8);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 3, seen, work), 9);
    for (int p = 0; p < 20; p++) ck_assert_int_eq(seen[p], p >= 3 && p <= 11);
    char text[128];
    conv_receptive_text(&m, 2, text, sizeof text);
    ck_assert_str_eq(text, "9 positions wide: kernel 5, then kernel 5");
    model_free(&m);
    /* dilation 2 on the second: 1 + 2*4 + 4 = 13; taps 0,2,..,8 of the first, each 5 wide */
    m = build("input:20, embedding:10:4, conv1d:2:5, conv1d:2:5:dilation2, gmaxpool, dense:1:sigmoid", 10);
    ck_assert_int_eq(conv_receptive_size(&m, 2), 13);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 0, seen, work), 13);
    ck_assert(conv_receptive_span(&m, 2, 20, 7, &lo, &hi));
    ck_assert_int_eq(lo, 7);
    ck_assert_int_eq(hi, 19);
    model_free(&m);
    /* causal both: output o reads o-8..o; at o = 0 only word 0 is real */
    m = build("input:20, embedding:10:4, conv1d:2:5:causal, conv1d:2:5:causal, gmaxpool, dense:1:sigmoid", 10);
    ck_assert(conv_receptive_span(&m, 2, 20, 10, &lo, &hi));
    ck_assert_int_eq(lo, 2);
    ck_assert_int_eq(hi, 10);
    ck_assert(conv_receptive_span(&m, 2, 20, 0, &lo, &hi));
    ck_assert_int_eq(lo, -8);
    ck_assert_int_eq(hi, 0);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 0, seen, work), 1);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 10, seen, work), 9);
    ck_assert(seen[2] && seen[10] && !seen[1] && !seen[11]);
    model_free(&m);
    /* same both: o-4..o+4 */
    m = build("input:20, embedding:10:4, conv1d:2:5:same, conv1d:2:5:same, gmaxpool, dense:1:sigmoid", 10);
    ck_assert(conv_receptive_span(&m, 2, 20, 10, &lo, &hi));
    ck_assert_int_eq(lo, 6);
    ck_assert_int_eq(hi, 14);
    model_free(&m);
    /* stride 2 then kernel 3: output 0 reads first-layer 0,1,2 = inputs 0-2, 2-4, 4-6 */
    m = build("input:20, embedding:10:4, conv1d:2:3:stride2, conv1d:2:3, gmaxpool, dense:1:sigmoid", 10);
    ck_assert_int_eq(conv_receptive_size(&m, 2), 7);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 1, seen, work), 7);
    for (int p = 0; p < 20; p++) ck_assert_int_eq(seen[p], p >= 2 && p <= 8);
    model_free(&m);
    /* a recurrent layer below: not a window */
    m = build("input:20, embedding:10:4, lstm:3:seq, conv1d:2:3, gmaxpool, dense:1:sigmoid", 10);
    ck_assert_int_eq(conv_receptive_field(&m, 2, 20, 0, seen, work), -1);
    model_free(&m);
}
END_TEST

/* embedding rows 2 and 3, the kernel (2 taps, 2 channels, 1 filter) and
 * the bias, set by hand:
 *   E[2] = (1, 2), E[3] = (-1, 0.5); W[0] = (0.5, -1), W[1] = (2, 6), b = 1
 *   output 1 of tokens 1,2,3 (valid) reads E[2], E[3]:
 *   tap 0: 0.5*1 - 1*2 = -1.5;  tap 1: 2*(-1) + 6*0.5 = 1;  pre = 1 - 1.5 + 1 = 0.5 = relu(0.5) */
static void set_hand_weights(Model *m)
{
    Layer *e = &m->layers[0], *c = &m->layers[1];
    float *E = e->kernel;
    E[2 * 2 + 0] = 1.0f;
    E[2 * 2 + 1] = 2.0f;
    E[3 * 2 + 0] = -1.0f;
    E[3 * 2 + 1] = 0.5f;
    const float W[4] = {0.5f, -1.0f, 2.0f, 6.0f}; /* (tap, channel, filter) */
    memcpy(c->kernel, W, sizeof W);
    c->bias[0] = 1.0f;
}

START_TEST(inspector_sum_equals_engine)
{
    Model m = build("embedding:5:2, conv1d:1:2:relu, gmaxpool, dense:1:sigmoid", 5);
    ck_assert_int_eq(m.layers[1].kind, LAYER_CONV1D);
    set_hand_weights(&m);
    const int tokens[3] = {1, 2, 3};
    Trace tr;
    trace_init(&tr, &m, 1, 3, true);
    model_forward(&tr, tokens, NULL);
    ck_assert_float_eq(tr.layers[1].out[1], 0.5f); /* the engine, hand-computed */
    ConvTerms ct;
    ck_assert(trace_conv_terms(&tr, 1, 1, 0, 0, &ct));
    ck_assert_int_eq(ct.n_taps, 2);
    ck_assert_int_eq(ct.pos[0], 1);
    ck_assert_int_eq(ct.pos[1], 2);
    ck_assert_float_eq(ct.dot[0], -1.5f);
    ck_assert_float_eq(ct.dot[1], 1.0f);
    ck_assert_float_eq(ct.bias, 1.0f);
    ck_assert_float_eq(ct.pre, 0.5f);
    ck_assert_float_eq(ct.y, tr.layers[1].out[1]);
    ck_assert(!trace_conv_terms(&tr, 1, 2, 0, 0, &ct)); /* valid: two outputs only */
    ck_assert(!trace_conv_terms(&tr, 0, 0, 0, 0, &ct));
    ck_assert(!trace_conv_terms(&tr, 1, 1, 1, 0, &ct)); /* one sequence */
    trace_free(&tr);
    /* a batch of two: sequence 1 is {1, 2, 3} again (the same terms), and
     * every output of both is its bias plus its taps through relu */
    const int batch[6] = {3, 1, 2, 1, 2, 3};
    trace_init(&tr, &m, 2, 3, true);
    model_forward(&tr, batch, NULL);
    ck_assert(trace_conv_terms(&tr, 1, 1, 1, 0, &ct));
    ck_assert_float_eq(ct.dot[0], -1.5f);
    ck_assert_float_eq(ct.dot[1], 1.0f);
    ck_assert_float_eq(ct.y, 0.5f);
    for (int b = 0; b < 2; b++)
        for (int o = 0; o < 2; o++) {
            ck_assert(trace_conv_terms(&tr, 1, o, b, 0, &ct));
            ck_assert_float_eq(ct.y, tr.layers[1].out[(size_t)o * 2 + (size_t)b]);
            ck_assert_float_eq_tol(ct.y, fmaxf(0.0f, ct.bias + ct.dot[0] + ct.dot[1]), 1e-6f);
        }
    trace_free(&tr);

    /* the window shows it: the square's description prints the sum */
    char *tmp = tu_tmpdir(), path[4200];
    snprintf(path, sizeof path, "%s/hand", tmp);
    Err err = {{0}};
    ck_assert_msg(model_save(&m, path, NULL, 0, &err), "%s", err.msg);
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert(app_set_input(a, "1,2,3"));
    a->anim = 1.0f;
    Hot h = {0};
    h.kind = HOT_UNIT;
    h.model = 0;
    h.layer = 1;
    h.t = 1;
    h.unit = 0;
    char title[256], formula[512];
    ck_assert(app_describe(a, &h, title, sizeof title, formula, sizeof formula));
    ck_assert_msg(strstr(formula, "relu(0.500) = 0.500"), "%s", formula);
    /* and the inspector at that position reads the same filter (no crash, its window's taps) */
    app_set_view(a, VIEW_INSPECTOR);
    a->layer = 1;
    app_set_step(a, conv_output_step(&a->doc->models[0], 1, a->doc->T, 1));
    ck_assert_int_eq(conv_current_output(&a->doc->models[0], 1, a->doc->T, a->step), 1);
    app_draw(a);
    app_headless_destroy(a);
    model_free(&m);

    /* causal padding: output 0's first tap reads position -1, a zero */
    m = build("embedding:5:2, conv1d:1:2:relu:causal, gmaxpool, dense:1:sigmoid", 5);
    set_hand_weights(&m);
    trace_init(&tr, &m, 1, 3, true);
    const int t2[3] = {3, 2, 1};
    model_forward(&tr, t2, NULL);
    ck_assert(trace_conv_terms(&tr, 1, 0, 0, 0, &ct));
    ck_assert_int_eq(ct.pos[0], -1);
    ck_assert_float_eq(ct.dot[0], 0.0f);
    ck_assert_float_eq(ct.dot[1], 1.0f); /* W[1]·E[3] */
    ck_assert_float_eq(ct.y, 2.0f);      /* relu(1 + 0 + 1) */
    ck_assert_float_eq(tr.layers[1].out[0], 2.0f);
    trace_free(&tr);
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

static bool same_colour(Color x, Color y, int tol)
{
    return abs(x.r - y.r) <= tol && abs(x.g - y.g) <= tol && abs(x.b - y.b) <= tol;
}

START_TEST(window_outline_covers_the_kernels_tokens)
{
    char *tmp = tu_tmpdir();
    const char *path = save_spec(tmp, "win", "embedding:20:4, conv1d:6:3:relu, gmaxpool, dense:1:sigmoid", 20);
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert(app_set_input(a, "3,1,4,1,5,9,2,6"));
    a->anim = 1.0f;
    app_set_view(a, VIEW_UNROLLED);
    /* valid kernel 3: output o stands on word o + 1 and reads words o..o+2 */
    for (int step = 2; step <= 6; step += 4) {
        app_set_step(a, step);
        a->anim = 1.0f;
        app_draw(a);
        int o = conv_current_output(&a->doc->models[0], 1, a->doc->T, a->step);
        ck_assert_int_eq(o, step - 1);
        Box tokens[8];
        int n_tok = 0, n_tap = 0;
        for (int i = 0; i < a->render.n_hot; i++)
            if (a->render.hot[i].kind == HOT_TOKEN && a->render.hot[i].t < 8) tokens[a->render.hot[i].t] = a->render.hot[i].box, n_tok++;
        ck_assert_int_eq(n_tok, 8);
        Box tap_box = {0};
        for (int i = 0; i < a->render.n_hot; i++) {
            const Hot *h = &a->render.hot[i];
            if (h->kind != HOT_DIAGRAM) continue;
            ck_assert_int_eq(h->t, o + h->unit);
            /* the tap's box sits over its word's box */
            Box tb = tokens[h->t];
            ck_assert_int_ge(h->box.x, tb.x);
            ck_assert_int_le(h->box.x + h->box.w, tb.x + tb.w);
            if (h->unit == 0) tap_box = h->box;
            n_tap++;
        }
        ck_assert_int_eq(n_tap, 3);
        /* the outline's left edge at each word's place: highlighted on the
         * window's three words, not on the others */
        int y = tap_box.y + tap_box.h / 2;
        for (int p = 0; p < 8; p++) {
            int x = tokens[p].x + (tap_box.x - tokens[o].x);
            Color c = app_headless_pixel(a, x, y);
            bool in = p >= o && p <= o + 2;
            ck_assert_msg(same_colour(c, a->theme.highlight, 8) == in, "step %d word %d: pixel %d,%d,%d", step, p, c.r, c.g, c.b);
        }
    }
    app_headless_destroy(a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* an LSTM after a valid conv(3) reads 8 positions of 10 words: its cell
 * inspector steps through those, position 5 at word 6 (centred windows) */
START_TEST(cell_inspector_after_a_shortening_conv)
{
    char *tmp = tu_tmpdir();
    const char *path = save_spec(tmp, "cl", "embedding:20:4, conv1d:6:3:relu, lstm:5, dense:1:sigmoid", 20);
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert(app_set_input(a, "3,1,4,1,5,9,2,6,5,3"));
    ck_assert_int_eq(a->layer, 2); /* the LSTM */
    const DocModel *dm = &a->doc->models[0];
    ck_assert_int_eq(dm->trace.layers[2].run[0].T, 8);
    char what[200];
    ck_assert_int_eq(conv_rnn_step(dm, 2, 0, 10, 5, what, sizeof what), 4);
    ck_assert_str_eq(what, "position 5 of conv1d (words 5\xE2\x80\x93" "7)");
    ck_assert_int_eq(conv_rnn_step(dm, 2, 0, 10, 9, what, sizeof what), 7); /* the last word: the last position */
    app_set_view(a, VIEW_INSPECTOR);
    for (int step = 0; step < 10; step++) {
        app_set_step(a, step);
        a->anim = 1.0f;
        app_draw(a);
        int units = 0;
        for (int i = 0; i < a->render.n_hot; i++) {
            const Hot *h = &a->render.hot[i];
            if (h->kind != HOT_UNIT || h->layer != 2) continue;
            ck_assert_int_lt(h->t, 8);
            units++;
        }
        ck_assert_int_gt(units, 0);
    }
    app_headless_destroy(a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* at 1280x720 and 1920x1080, light and presenter, the conv views' text
 * stays in the frame and no two text boxes overlap */
START_TEST(conv_text_boxes_apart)
{
    char *tmp = tu_tmpdir();
    const char *specs[] = {
        "input:12, embedding:30:16, conv1d:16:3:relu:same, spatialdropout:0.1, conv1d:16:3:relu:dilation2, gmaxpool, dense:8:relu, dense:1:sigmoid",
        "input:12, embedding:30:8, conv1d:8:5:relu:causal, flatten, dense:3:softmax",
        "input:12, embedding:30:8, conv1d:8:3:relu, lstm:6, dense:1:sigmoid",
    };
    const int sizes[3][2] = {{1280, 720}, {1920, 1080}, {1280, 720}};
    int problems = 0;
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%zu", i);
        const char *path = save_spec(tmp, name, specs[i], 30);
        for (int z = 0; z < 3; z++) {
            Err err = {{0}};
            App *a = app_headless_create(sizes[z][0], sizes[z][1], &err);
            ck_assert_msg(a, "%s", err.msg);
            ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
            if (z == 2) app_toggle_presenter(a);
            const ViewKind views[] = {VIEW_UNROLLED, VIEW_INSPECTOR, VIEW_COMPARE, VIEW_GRADIENTS, VIEW_CHART};
            for (int st = 0; st < a->doc->T; st += 5)
                for (size_t v = 0; v < sizeof views / sizeof *views; v++) {
                    app_set_view(a, views[v]);
                    app_set_step(a, st);
                    a->anim = 1.0f;
                    app_draw(a);
                    const Render *r = &a->render;
                    ck_assert_int_gt(r->n_text_boxes, 10);
                    for (int b = 0; b < r->n_text_boxes; b++) {
                        Box x = r->text_boxes[b];
                        if (x.x < 0 || x.y < 0 || x.x + x.w > r->width || x.y + x.h > r->height) {
                            fprintf(stderr, "%s %dx%d view %d: text box %d,%d %dx%d leaves the frame\n", specs[i], r->width, r->height,
                                    (int)views[v], x.x, x.y, x.w, x.h);
                            problems++;
                        }
                        for (int k = b + 1; k < r->n_text_boxes; k++)
                            if (box_overlap(x, r->text_boxes[k])) {
                                Box c = r->text_boxes[k];
                                fprintf(stderr, "%s %dx%d view %d step %d: text boxes overlap: %d,%d %dx%d and %d,%d %dx%d\n", specs[i],
                                        r->width, r->height, (int)views[v], st, x.x, x.y, x.w, x.h, c.x, c.y, c.w, c.h);
                                problems++;
                            }
                    }
                }
            app_headless_destroy(a);
        }
    }
    ck_assert_int_eq(problems, 0);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conv_view");
    TCase *tc = tcase_create("conv_view");
    tcase_add_test(tc, pure_conv_and_conv_before_rnn_open);
    tcase_add_test(tc, receptive_fields_hand_computed);
    tcase_add_test(tc, inspector_sum_equals_engine);
    tcase_add_test(tc, window_outline_covers_the_kernels_tokens);
    tcase_add_test(tc, cell_inspector_after_a_shortening_conv);
    tcase_add_test(tc, conv_text_boxes_apart);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
