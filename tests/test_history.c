/* test_history: the training history (history.bin) and the epoch slider.
 * - `unroll train` writes history.bin: epoch 0 is the model it started from
 *   (the seeded initial weights of `unroll new`), the last is the model it
 *   wrote, one snapshot per epoch between;
 * - history_save / history_load round trip; every damaged file is refused
 *   with one line naming the file, and the window refuses the model;
 * - the slider (app_set_epoch) puts the snapshot's weights in every model
 *   and the gradient view's numbers are those of a trace from that
 *   snapshot's weights, computed here independently;
 * - a run whose loss is not finite stops with a message and keeps the
 *   weights from before the epoch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "history.h"
#include "model_io.h"
#include "prepare.h"
#include "spec.h"
#include "testutil.h"

static const char *bin(void)
{
    const char *b = getenv("UNROLL_BIN");
    return b ? b : "./unroll";
}

/* A model from a spec (unroll new's syntax), weights seeded with seed. */
static void build_spec(Model *m, const char *spec, uint64_t seed)
{
    Err err = {{0}};
    ck_assert_msg(spec_build(m, spec, 0, seed, &err), "%s", err.msg);
}

/* `unroll new` a seeded SimpleRNN, `unroll train` it 3 epochs: history.bin
 * holds 4 snapshots, the first the fresh model's weights bit for bit, the
 * last the trained model's */
START_TEST(train_writes_history)
{
    char *tmp = tu_tmpdir();
    char fresh[4096], out[4096], data[4096];
    snprintf(fresh, sizeof fresh, "%s/fresh", tmp);
    snprintf(out, sizeof out, "%s/trained", tmp);
    snprintf(data, sizeof data, "%s/rows.jsonl", tmp);
    const char *rows = "{\"tokens\": [0, 1, 2, 3], \"label\": 1}\n{\"tokens\": [3, 2, 1, 4], \"label\": 0}\n"
                       "{\"tokens\": [4, 4, 1, 2], \"label\": 1}\n";
    tu_write_bytes(data, rows, strlen(rows));
    const char *spec = "embedding:5:3, rnn:4, dense:2:softmax";
    char *o = NULL, *e = NULL;
    int rc = tu_run((char *const[]){(char *)bin(), "new", fresh, "--spec", (char *)spec, "--seed", "7", NULL}, &o, &e);
    ck_assert_msg(rc == 0, "new: %s", e);
    free(o), free(e);
    rc = tu_run((char *const[]){(char *)bin(), "train", fresh, "--data", data, "--epochs", "3", "--batch-size", "2", "--lr",
                                "0.1", "--out", out, NULL},
                &o, &e);
    ck_assert_msg(rc == 0, "train: %s", e);
    free(o), free(e);
    Model start, trained, built;
    Err err = {{0}};
    ck_assert_msg(model_load(&start, fresh, &err), "%s", err.msg);
    ck_assert_msg(model_load(&trained, out, &err), "%s", err.msg);
    ck_assert_msg(spec_build(&built, spec, 0, 7, &err), "%s", err.msg);
    History h;
    bool absent = true;
    ck_assert_msg(history_load_beside(&h, out, trained.n_params, &absent, &err), "%s", err.msg);
    ck_assert(!absent);
    ck_assert_int_eq(h.n, 4); /* epoch 0 and 3 epochs */
    ck_assert_uint_eq(h.n_params, 5 * 3 + (3 * 4 + 4 * 4 + 4) + (4 * 2 + 2)); /* Keras' counts: 15 + 32 + 10 */
    ck_assert(memcmp(history_snapshot(&h, 0), start.params, start.n_params * sizeof(float)) == 0);
    ck_assert(memcmp(history_snapshot(&h, 0), built.params, built.n_params * sizeof(float)) == 0);
    ck_assert(memcmp(history_snapshot(&h, 3), trained.params, trained.n_params * sizeof(float)) == 0);
    ck_assert(memcmp(history_snapshot(&h, 1), history_snapshot(&h, 0), h.n_params * sizeof(float)) != 0);
    history_free(&h);
    /* --no-history writes none */
    char out2[4200], hp[4300];
    snprintf(out2, sizeof out2, "%s/plain", tmp);
    rc = tu_run((char *const[]){(char *)bin(), "train", fresh, "--data", data, "--epochs", "1", "--batch-size", "2",
                                "--no-history", "--out", out2, NULL},
                &o, &e);
    ck_assert_msg(rc == 0, "train: %s", e);
    free(o), free(e);
    snprintf(hp, sizeof hp, "%s/history.bin", out2);
    FILE *f = fopen(hp, "rb");
    ck_assert(!f);
    /* --out NAME.keras: the history is NAME.history.bin beside it, and it
     * is the one loaded for that file (two Keras files in one folder keep
     * their own) */
    char kout[4200], kout2[4200], khp[4300];
    snprintf(kout, sizeof kout, "%s/retrained.keras", tmp);
    snprintf(kout2, sizeof kout2, "%s/other.keras", tmp);
    rc = tu_run((char *const[]){(char *)bin(), "train", fresh, "--data", data, "--epochs", "2", "--batch-size", "2",
                                "--out", kout, NULL},
                &o, &e);
    ck_assert_msg(rc == 0, "train --out .keras: %s", e);
    free(o), free(e);
    rc = tu_run((char *const[]){(char *)bin(), "train", fresh, "--data", data, "--epochs", "1", "--batch-size", "2",
                                "--out", kout2, NULL},
                &o, &e);
    ck_assert_msg(rc == 0, "train --out .keras: %s", e);
    free(o), free(e);
    snprintf(khp, sizeof khp, "%s/retrained.history.bin", tmp);
    f = fopen(khp, "rb");
    ck_assert_msg(f, "no %s", khp);
    fclose(f);
    Model kt;
    ck_assert_msg(model_load(&kt, kout, &err), "%s", err.msg);
    ck_assert_msg(history_load_beside(&h, kout, kt.n_params, &absent, &err), "%s", err.msg);
    ck_assert_int_eq(h.n, 3);
    ck_assert(memcmp(history_snapshot(&h, 2), kt.params, kt.n_params * sizeof(float)) == 0);
    history_free(&h);
    ck_assert_msg(history_load_beside(&h, kout2, kt.n_params, &absent, &err), "%s", err.msg);
    ck_assert_int_eq(h.n, 2);
    history_free(&h);
    model_free(&kt);
    model_free(&start);
    model_free(&trained);
    model_free(&built);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* save and load give the same snapshots; the bytes follow the documented
 * layout (header fields little-endian) */
START_TEST(round_trip_and_layout)
{
    Model m;
    Err err = {{0}};
    build_spec(&m, "embedding:4:2, gru:3, dense:2:softmax", 3);
    History h;
    history_init(&h, m.n_params);
    for (int k = 0; k < 3; k++) {
        m.params[0] = (float)k + 0.5f;
        ck_assert(history_push(&h, &m, &err));
    }
    char *tmp = tu_tmpdir();
    char p[4096];
    snprintf(p, sizeof p, "%s/history.bin", tmp);
    ck_assert_msg(history_save(&h, p, &err), "%s", err.msg);
    size_t len = 0;
    unsigned char *raw = (unsigned char *)base_read_file(p, 1 << 20, &len, &err);
    ck_assert(raw);
    ck_assert_uint_eq(len, 24 + 3 * m.n_params * 4);
    ck_assert(memcmp(raw, "UNRLHIST", 8) == 0);
    ck_assert_int_eq(raw[8], 1);
    ck_assert_int_eq(raw[12], 3);
    ck_assert_int_eq(raw[16], (int)(m.n_params & 0xff));
    float second = 0;
    memcpy(&second, raw + 24 + m.n_params * 4, 4);
    ck_assert(second == 1.5f);
    free(raw);
    History back;
    ck_assert_msg(history_load(&back, p, m.n_params, &err), "%s", err.msg);
    ck_assert_int_eq(back.n, 3);
    ck_assert(memcmp(back.w, h.w, 3 * m.n_params * sizeof(float)) == 0);
    history_apply(&back, 2, &m);
    ck_assert(m.params[0] == 2.5f);
    history_free(&back);
    history_free(&h);
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* damaged files: one line naming the file and the problem */
START_TEST(bad_files_are_refused)
{
    const size_t P = 10;
    unsigned char good[24 + 2 * 10 * 4] = {0};
    memcpy(good, "UNRLHIST", 8);
    good[8] = 1;
    good[12] = 2;
    good[16] = (unsigned char)P;
    struct {
        const char *what;
        size_t len;
        int at;
        unsigned char value;
        const char *want;
    } cases[] = {
        {"short header", 10, -1, 0, "shorter than"},
        {"bad magic", sizeof good, 0, 'X', "not a training history"},
        {"version 2", sizeof good, 8, 2, "version 2"},
        {"no snapshots", sizeof good, 12, 0, "0 snapshots"},
        {"too many snapshots", sizeof good, 14, 0x7f, "snapshots, a training history holds 1 to"},
        {"wrong size", sizeof good, 16, 11, "snapshots of 11 weights"},
        {"truncated", sizeof good - 4, -1, 0, "fewer bytes"},
        {"trailing bytes", sizeof good + 4, -1, 0, "more bytes"},
    };
    char *tmp = tu_tmpdir();
    char p[4096];
    snprintf(p, sizeof p, "%s/history.bin", tmp);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char buf[sizeof good + 4] = {0};
        memcpy(buf, good, sizeof good);
        if (cases[i].at >= 0) buf[cases[i].at] = cases[i].value;
        tu_write_bytes(p, buf, cases[i].len);
        History h;
        Err err = {{0}};
        ck_assert_msg(!history_load(&h, p, P, &err), "%s: accepted", cases[i].what);
        ck_assert_msg(strstr(err.msg, cases[i].want) && strstr(err.msg, p) && !strchr(err.msg, '\n'), "%s: '%s'",
                      cases[i].what, err.msg);
        ck_assert_ptr_null(h.w);
    }
    /* a missing file is an error of its own */
    History h;
    Err err = {{0}};
    snprintf(p, sizeof p, "%s/none.bin", tmp);
    ck_assert(!history_load(&h, p, P, &err));
    ck_assert(strstr(err.msg, "none.bin"));
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* the window refuses a model whose history.bin is damaged, naming it */
START_TEST(window_refuses_a_bad_history)
{
    char *tmp = tu_tmpdir();
    char dir[4096], p[4200];
    snprintf(dir, sizeof dir, "%s/m", tmp);
    Model m;
    Err err = {{0}};
    build_spec(&m, "embedding:6:2, rnn:3, dense:6:softmax", 1);
    ck_assert_msg(model_save(&m, dir, NULL, 0, &err), "%s", err.msg);
    snprintf(p, sizeof p, "%s/history.bin", dir);
    tu_write_bytes(p, "UNRLHIST", 8);
    App *a = app_headless_create(640, 400, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert(!app_headless_open(a, dir, &err));
    ck_assert_msg(strstr(err.msg, "history.bin") && strstr(err.msg, "shorter than"), "%s", err.msg);
    /* a good one gives a slider from epoch 0 to 1 */
    History h;
    history_init(&h, m.n_params);
    ck_assert(history_push(&h, &m, &err));
    m.params[m.n_params - 1] = 3.0f;
    ck_assert(history_push(&h, &m, &err));
    ck_assert(history_save(&h, p, &err));
    ck_assert_msg(app_headless_open(a, dir, &err), "%s", err.msg);
    ck_assert_int_eq(doc_epoch_count(a->doc), 1);
    app_set_epoch(a, 0);
    ck_assert(a->doc->models[0].model.params[m.n_params - 1] == 0.0f);
    app_set_epoch(a, 5); /* clamped */
    ck_assert_int_eq(a->doc->epoch, 1);
    ck_assert(a->doc->models[0].model.params[m.n_params - 1] == 3.0f);
    history_free(&h);
    app_headless_destroy(a);
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* the gradient view's numbers after moving the slider are those of a
 * trace of the snapshot's weights (computed here on their own) */
static void grad_of(const Model *m, const Doc *d, int label, float *out)
{
    Trace tr;
    trace_init(&tr, m, 1, d->prompt.n, true);
    model_forward(&tr, d->prompt.tokens, NULL);
    float *(*norms)[2] = xcalloc((size_t)m->n_layers, sizeof *norms);
    norms[1][0] = out;
    Err err = {{0}};
    ck_assert_msg(trace_gradient_norms(&tr, label, (float *const(*)[2])norms, &err), "%s", err.msg);
    free(norms);
    trace_free(&tr);
}

START_TEST(slider_moves_the_gradients)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/06-gradients.md", tu_path(""));
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    Doc *d = a->doc;
    ck_assert_int_eq(doc_epoch_count(d), d->lesson.epochs);
    /* epoch 0 is the model built from the lesson's spec and seed */
    LessonData ld;
    ck_assert_msg(lesson_data_load(&ld, &d->lesson, &err), "%s", err.msg);
    app_set_epoch(a, 0);
    ck_assert_int_eq(doc_epoch_shown(d), 0);
    for (int k = 0; k < d->n_models; k++) {
        Model fresh;
        ck_assert_msg(lesson_model_new(&fresh, &d->lesson, &ld, k, &err), "%s", err.msg);
        ck_assert(memcmp(fresh.params, d->models[k].model.params, fresh.n_params * sizeof(float)) == 0);
        float *want = xcalloc((size_t)d->T, sizeof *want);
        grad_of(&fresh, d, d->models[k].grad_label, want);
        for (int t = 0; t < d->T; t++)
            ck_assert_msg(want[t] == d->models[k].grad[t], "model %d step %d: %g vs %g", k, t, (double)want[t],
                          (double)d->models[k].grad[t]);
        free(want);
        model_free(&fresh);
    }
    /* epoch 3: the snapshot's weights, and the gradients differ from epoch 0's */
    float first0 = d->models[0].grad[0];
    app_set_epoch(a, 3);
    for (int k = 0; k < d->n_models; k++) {
        Model snap;
        ck_assert_msg(lesson_model_new(&snap, &d->lesson, &ld, k, &err), "%s", err.msg);
        history_apply(&d->models[k].hist, 3, &snap);
        float *want = xcalloc((size_t)d->T, sizeof *want);
        grad_of(&snap, d, d->models[k].grad_label, want);
        for (int t = 0; t < d->T; t++) ck_assert(want[t] == d->models[k].grad[t]);
        free(want);
        model_free(&snap);
    }
    ck_assert(d->models[0].grad[0] != first0);
    /* the last epoch is the shipped model */
    app_set_epoch(a, d->lesson.epochs);
    for (int k = 0; k < d->n_models; k++) {
        Model shipped;
        char *dir = lesson_model_dir(&d->lesson, k);
        ck_assert_msg(model_load(&shipped, dir, &err), "%s", err.msg);
        free(dir);
        ck_assert(memcmp(shipped.params, d->models[k].model.params, shipped.n_params * sizeof(float)) == 0);
        model_free(&shipped);
    }
    /* the slider shows in every view, and drawing it registers its region */
    a->anim = 1.0f;
    app_draw(a);
    ck_assert_int_eq(app_epoch_at(a, 0), 0);
    ck_assert_int_eq(app_epoch_at(a, a->render.width), d->lesson.epochs);
    lesson_data_free(&ld);
    app_headless_destroy(a);
}
END_TEST

/* A weight that is NaN (what an overflowing run leaves) makes the outputs
 * and the loss NaN: the epoch stops with a message naming it and the
 * weights are those from before the epoch, bit for bit. (Huge learning
 * rates alone saturate tanh and softmax instead: measured, SGD at 3e38
 * leaves the loss at 5.4, finite, since Keras clips probabilities.) */
START_TEST(non_finite_loss_stops_cleanly)
{
    Model m;
    Err err = {{0}};
    build_spec(&m, "embedding:5:3, rnn:4, dense:2:softmax", 2);
    int tokens[] = {1, 2, 3, 4, 4, 3, 2, 1, 1, 1, 2, 2};
    int labels[] = {0, 1, 0};
    Dataset ds = {.tokens = tokens, .labels = labels, .N = 3, .T = 4};
    TrainConfig cfg = {.epochs = 3, .batch_size = 1, .optimizer = OPT_SGD, .lr = 0.1f, .shuffle = false};
    Trainer tr;
    ck_assert_msg(trainer_init(&tr, &m, &cfg, 4, &err), "%s", err.msg);
    float *before = xmalloc(m.n_params * sizeof *before);
    EpochStats st;
    ck_assert_msg(trainer_epoch(&tr, &ds, NULL, &st, NULL, NULL, &err), "%s", err.msg);
    m.params[m.n_params - 1] = NAN; /* the Dense bias of class 1 */
    memcpy(before, m.params, m.n_params * sizeof *before);
    ck_assert(!trainer_epoch(&tr, &ds, NULL, &st, NULL, NULL, &err));
    ck_assert_msg(strstr(err.msg, "epoch 2") && strstr(err.msg, "not finite"), "%s", err.msg);
    ck_assert(memcmp(before, m.params, m.n_params * sizeof *before) == 0);
    free(before);
    trainer_free(&tr);
    model_free(&m);
}
END_TEST

/* clipnorm: a tensor's gradient of norm 5 (3, 4) clipped to 1 becomes
 * (0.6, 0.8); one of norm 0.5 stays as it is (hand-computed) */
START_TEST(clipnorm_math)
{
    Model m;
    model_init(&m);
    m.input_dim = 1;
    Layer l = tu_rnn("rnn", CELL_SIMPLE_RNN, 2, false);
    model_add_layer(&m, &l);
    Err err = {{0}};
    ck_assert(model_build(&m, &err));
    /* kernel (1, 2), recurrent (2, 2), bias (2): 8 floats */
    ck_assert_uint_eq(m.n_params, 8);
    float g[8] = {3, 4, 0.3f, 0.4f, 0, 0, 0, 0};
    Optimizer opt;
    optimizer_init(&opt, OPT_SGD, 1.0f, 1.0f, &m);
    optimizer_step(&opt, &m, g);
    ck_assert_close(m.params[0], -0.6, 1e-6);
    ck_assert_close(m.params[1], -0.8, 1e-6);
    ck_assert_close(m.params[2], -0.3, 1e-6);
    ck_assert_close(m.params[3], -0.4, 1e-6);
    optimizer_free(&opt);
    model_free(&m);
}
END_TEST

/* the centre of the hot region of button id in the last frame */
static bool button_at(const App *a, int id, int *x, int *y)
{
    for (int i = 0; i < a->render.n_hot; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind == HOT_BUTTON && h->unit == id) {
            *x = h->box.x + h->box.w / 2;
            *y = h->box.y + h->box.h / 2;
            return true;
        }
    }
    return false;
}

static void mouse(App *a, Uint32 type, int x, int y)
{
    SDL_Event e = {0};
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = (int)lroundf((float)x / a->dpi);
        e.motion.y = (int)lroundf((float)y / a->dpi);
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = (int)lroundf((float)x / a->dpi);
        e.button.y = (int)lroundf((float)y / a->dpi);
    }
    app_event(a, &e);
}

static void key(App *a, SDL_Keycode k, Uint16 mod)
{
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    app_event(a, &e);
}

/* the controls: , and . move the epoch (Shift: first / last), dragging the
 * bar follows the mouse; in the training view a A and the - + buttons step
 * the learning rate through 0.01 0.03 0.1 ..., c C and - + the clipnorm
 * through off 0.1 0.25 ..., p switches to SGD */
START_TEST(slider_and_training_controls)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/06-gradients.md", tu_path(""));
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert_int_eq(doc_epoch_shown(a->doc), 40);
    key(a, SDLK_COMMA, 0);
    ck_assert_int_eq(doc_epoch_shown(a->doc), 39);
    key(a, SDLK_COMMA, KMOD_LSHIFT);
    ck_assert_int_eq(doc_epoch_shown(a->doc), 0);
    key(a, SDLK_PERIOD, 0);
    ck_assert_int_eq(doc_epoch_shown(a->doc), 1);
    a->anim = 1.0f;
    app_draw(a);
    int x = 0, y = 0;
    ck_assert(button_at(a, BTN_EPOCH_SLIDER, &x, &y));
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y); /* the middle of the bar: epoch 20 */
    ck_assert_int_eq(doc_epoch_shown(a->doc), 20);
    mouse(a, SDL_MOUSEMOTION, 0, y); /* dragged to the left end */
    ck_assert_int_eq(doc_epoch_shown(a->doc), 0);
    mouse(a, SDL_MOUSEBUTTONUP, 0, y);
    mouse(a, SDL_MOUSEMOTION, a->render.width - 1, y); /* released: moving no longer drags */
    ck_assert_int_eq(doc_epoch_shown(a->doc), 0);
    app_set_view(a, VIEW_TRAINING);
    key(a, SDLK_a, KMOD_LSHIFT);
    ck_assert(a->train_lr == 0.03f);
    key(a, SDLK_a, 0);
    key(a, SDLK_a, 0);
    ck_assert(a->train_lr == 0.003f);
    key(a, SDLK_c, KMOD_LSHIFT);
    ck_assert(a->train_clipnorm == 0.1f);
    key(a, SDLK_p, 0);
    ck_assert(a->train_sgd);
    app_draw(a);
    ck_assert(button_at(a, BTN_LR_UP, &x, &y));
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    ck_assert(a->train_lr == 0.01f);
    ck_assert(button_at(a, BTN_CLIP_UP, &x, &y));
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    ck_assert(a->train_clipnorm == 0.25f);
    ck_assert(button_at(a, BTN_CLIP_DOWN, &x, &y));
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    ck_assert(a->train_clipnorm == 0.0f);
    app_headless_destroy(a);
}
END_TEST

/* the lesson directive `epoch:`: a number from 0, or last; anything else
 * is one error naming the line */
START_TEST(epoch_directive)
{
    const char *head = "---\ntitle: T\ntask: next-word\ncorpus: c.txt\ncells: [simplernn]\n"
                       "spec: \"embedding:V:4, rnn:2, dense:V:softmax\"\nepochs: 1\nbatch_size: 1\nseed: 1\n"
                       "models: m\nsentence: \"a b\"\n---\n\n## One\n\nText.\n\n```unroll\n";
    struct {
        const char *dir;
        bool ok;
        int epoch;
        const char *want;
    } cases[] = {
        {"epoch: 0", true, 0, NULL},
        {"epoch: 12", true, 12, NULL},
        {"epoch: last", true, LESSON_EPOCH_LAST, NULL},
        {"view: gradients", true, -1, NULL},
        {"epoch: -1", false, 0, ":19: 'epoch' counts from 0"},
        {"epoch: first", false, 0, ":19:"},
        {"epoch: 5000", false, 0, ":19:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s\n```\n", head, cases[i].dir);
        Lesson l;
        Err err = {{0}};
        bool ok = lesson_parse(&l, text, strlen(text), "t.md", &err);
        ck_assert_msg(ok == cases[i].ok, "%s: %s", cases[i].dir, err.msg);
        if (ok) {
            ck_assert_int_eq(l.steps[0].dir.epoch, cases[i].epoch);
            lesson_unload(&l);
        } else {
            ck_assert_msg(strstr(err.msg, cases[i].want) && !strchr(err.msg, '\n'), "%s: '%s'", cases[i].dir, err.msg);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, train_writes_history);
    tcase_add_test(tc, round_trip_and_layout);
    tcase_add_test(tc, bad_files_are_refused);
    tcase_add_test(tc, window_refuses_a_bad_history);
    tcase_add_test(tc, slider_moves_the_gradients);
    tcase_add_test(tc, non_finite_loss_stops_cleanly);
    tcase_add_test(tc, clipnorm_math);
    tcase_add_test(tc, epoch_directive);
    tcase_add_test(tc, slider_and_training_controls);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
