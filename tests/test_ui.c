/* test_ui: the window, drawn headless (SDL's dummy driver, software
 * renderer) on the first lesson and its shipped models.
 * - pixels: a unit's square has the colour map's colour of its traced value;
 *   the current step's cell wears the highlight; light and dark differ;
 * - layout: at 1280x720, 1920x1080 and 3840x2160, in every view, no two text
 *   boxes overlap and none leaves the frame;
 * - input: events pushed with SDL_PushEvent step, open the inspector and
 *   change the hover; 10,000 random events leave the app consistent;
 * - bad input: a broken model shows a message and the app stays usable;
 * - the input bar edits as a text field, and marks unknown words by the
 *   tokenizer's rule; keys 1..N choose views and drop the old hover;
 * - on a (dummy) window, F11 covers the display and back, and the layout
 *   follows the drawable size through it and through resizes. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "model_io.h"
#include "prepare.h"
#include "spec.h"
#include "testutil.h"
#include "unitpick.h"

static const char *lesson_path(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/01-lyrics.md", tu_path(""));
    return p;
}

static App *open_lesson(int w, int h)
{
    Err err = {{0}};
    App *a = app_headless_create(w, h, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, lesson_path(), &err), "%s", err.msg);
    a->anim = 1.0f;
    return a;
}

static const Hot *find_hot(const App *a, HotKind kind, int layer, int t, int vec, int unit)
{
    for (int i = 0; i < a->render.n_hot; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind == kind && (layer < 0 || h->layer == layer) && (t < 0 || h->t == t) && (vec < 0 || h->vec == vec) &&
            (unit < 0 || h->unit == unit) && h->model == a->model)
            return h;
    }
    return NULL;
}

static bool same_colour(Color x, Color y, int tol)
{
    return abs(x.r - y.r) <= tol && abs(x.g - y.g) <= tol && abs(x.b - y.b) <= tol;
}

START_TEST(unit_square_has_its_value_colour)
{
    App *a = open_lesson(1280, 720);
    a->step = a->doc->T - 1;
    app_draw(a);
    const DocModel *dm = &a->doc->models[a->model];
    int li = doc_first_rnn(dm);
    const RunRecord *run = &dm->trace.layers[li].run[0];
    int checked = 0;
    for (int t = 0; t < a->doc->T; t++) {
        for (int j = 0; j < run->H; j += 7) {
            const Hot *h = find_hot(a, HOT_UNIT, li, t, VEC_H, j);
            ck_assert_msg(h, "no square for h[%d] at step %d", j, t);
            float v = run->h[(size_t)(t + 1) * run->H + j];
            Color want = colormap(v, 1.0f); /* tanh: the fixed range [-1, 1] */
            Color got = app_headless_pixel(a, h->box.x + h->box.w / 3, h->box.y + h->box.h / 3);
            ck_assert_msg(same_colour(got, want, 1), "h[%d] at step %d = %g: pixel %d,%d,%d, map %d,%d,%d", j, t, (double)v, got.r,
                          got.g, got.b, want.r, want.g, want.b);
            checked++;
        }
    }
    ck_assert_int_ge(checked, 20);
    app_headless_destroy(a);
}
END_TEST

START_TEST(current_step_is_highlighted)
{
    App *a = open_lesson(1280, 720);
    for (int s = 0; s < a->doc->T; s += 2) {
        a->step = s;
        app_draw(a);
        const Hot *cell = find_hot(a, HOT_CELL, -1, s, -1, -1);
        ck_assert(cell);
        Color edge = app_headless_pixel(a, cell->box.x + 1, cell->box.y + cell->box.h / 2);
        ck_assert_msg(same_colour(edge, a->theme.highlight, 0), "step %d: edge %d,%d,%d", s, edge.r, edge.g, edge.b);
        /* a step that is not current has no highlight */
        const Hot *other = find_hot(a, HOT_CELL, -1, (s + 1) % a->doc->T, -1, -1);
        Color e2 = app_headless_pixel(a, other->box.x + 1, other->box.y + other->box.h / 2);
        ck_assert(!same_colour(e2, a->theme.highlight, 0));
    }
    app_headless_destroy(a);
}
END_TEST

START_TEST(light_and_dark_differ)
{
    App *a = open_lesson(1280, 720);
    app_draw(a);
    Color light_bg = app_headless_pixel(a, a->render.width / 2, a->render.height - 60);
    Color light_bar = app_headless_pixel(a, 3, 3);
    ck_assert(same_colour(light_bar, a->theme.panel, 0));
    a->dark = true;
    theme_get(&a->theme, true, false);
    app_draw(a);
    Color dark_bar = app_headless_pixel(a, 3, 3);
    ck_assert(same_colour(dark_bar, a->theme.panel, 0));
    ck_assert(!same_colour(light_bar, dark_bar, 40));
    Color dark_bg = app_headless_pixel(a, a->render.width / 2, a->render.height - 60);
    ck_assert(!same_colour(light_bg, dark_bg, 40));
    app_headless_destroy(a);
}
END_TEST

static const int SIZES[3][2] = {{1280, 720}, {1920, 1080}, {3840, 2160}};

START_TEST(text_boxes_do_not_overlap)
{
    App *a = open_lesson(SIZES[_i][0], SIZES[_i][1]);
    int problems = 0;
    for (int lesson = 0; lesson < 2; lesson++) {
        a->show_lesson = lesson == 1;
        if (lesson) app_goto_lesson_step(a, 3);
        for (int v = VIEW_UNROLLED; v < VIEW_COUNT; v++) {
            a->view = (ViewKind)v;
            a->step = a->doc->T / 2;
            a->has_selected = true;
            a->selected = (Hot){.kind = HOT_UNIT, .model = (short)a->model, .layer = (short)a->layer, .t = (short)a->step, .vec = VEC_H, .unit = 3};
            a->anim = 1.0f;
            if (v == VIEW_GENERATE) {
                Err err = {{0}};
                doc_generate_begin(a->doc, &a->gen, NULL, 1);
                for (int g = 0; g < 12; g++) ck_assert(doc_generate_next(a->doc, a->model, &a->gen, 0.0f, &err));
            }
            app_draw(a);
            const Render *r = &a->render;
            ck_assert_int_gt(r->n_text_boxes, 10);
            for (int i = 0; i < r->n_text_boxes; i++) {
                Box b = r->text_boxes[i];
                if (b.x < 0 || b.y < 0 || b.x + b.w > r->width || b.y + b.h > r->height) {
                    fprintf(stderr, "%dx%d view %d: text box %d,%d %dx%d leaves the frame\n", r->width, r->height, v, b.x, b.y, b.w, b.h);
                    problems++;
                }
                for (int k = i + 1; k < r->n_text_boxes; k++) {
                    Box c = r->text_boxes[k];
                    if (box_overlap(b, c)) {
                        fprintf(stderr, "%dx%d view %d lesson %d: text boxes overlap: %d,%d %dx%d and %d,%d %dx%d\n", r->width, r->height, v,
                                lesson, b.x, b.y, b.w, b.h, c.x, c.y, c.w, c.h);
                        problems++;
                    }
                }
            }
        }
    }
    ck_assert_int_eq(problems, 0);
    app_headless_destroy(a);
}
END_TEST

/* pushes one event through SDL's queue and hands it to the app */
static void push(App *a, SDL_Event e)
{
    ck_assert_int_eq(SDL_PushEvent(&e), 1);
    SDL_Event got;
    while (SDL_PollEvent(&got)) app_event(a, &got);
    app_tick(a, a->now_ms + 1000);
    app_draw(a);
}

static SDL_Event key(SDL_Keycode k)
{
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    return e;
}

static SDL_Event mouse(Uint32 type, int x, int y)
{
    SDL_Event e = {0};
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = x;
        e.motion.y = y;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = x;
        e.button.y = y;
    }
    return e;
}

START_TEST(events_step_inspect_and_hover)
{
    App *a = open_lesson(1280, 720);
    app_draw(a);
    ck_assert_int_eq(a->step, 0);
    push(a, key(SDLK_RIGHT));
    push(a, key(SDLK_RIGHT));
    ck_assert_int_eq(a->step, 2);
    push(a, key(SDLK_LEFT));
    ck_assert_int_eq(a->step, 1);
    push(a, key(SDLK_END));
    ck_assert_int_eq(a->step, a->doc->T - 1);
    /* hovering a square of step 2 shows that unit */
    const Hot *h = find_hot(a, HOT_UNIT, -1, 2, VEC_H, 5);
    ck_assert(h);
    Hot want = *h;
    push(a, mouse(SDL_MOUSEMOTION, want.box.x + 1, want.box.y + 1));
    ck_assert(a->has_hover);
    ck_assert_int_eq(a->hover.unit, 5);
    ck_assert_int_eq(a->hover.t, 2);
    const Hot *h2 = find_hot(a, HOT_UNIT, -1, 3, VEC_H, 9);
    ck_assert(h2);
    Hot want2 = *h2;
    push(a, mouse(SDL_MOUSEMOTION, want2.box.x + 1, want2.box.y + 1));
    ck_assert_int_eq(a->hover.unit, 9);
    ck_assert_int_eq(a->hover.t, 3);
    /* the tooltip says what the square is, with its formula */
    char title[512], formula[512];
    ck_assert(app_describe(a, &a->hover, title, sizeof title, formula, sizeof formula));
    ck_assert_msg(strstr(formula, "h[9] = o \xC2\xB7 tanh(c)"), "%s", formula);
    /* clicking a cell opens the inspector on it */
    const Hot *cell = find_hot(a, HOT_CELL, -1, 1, -1, -1);
    ck_assert(cell);
    Box cb = cell->box;
    push(a, mouse(SDL_MOUSEBUTTONDOWN, cb.x + 2, cb.y + 2));
    ck_assert_int_eq(a->view, VIEW_INSPECTOR);
    ck_assert_int_eq(a->step, 1);
    /* a square in the inspector selects its unit's equations */
    const Hot *sq = find_hot(a, HOT_UNIT, -1, 1, VEC_GATE1, 4);
    ck_assert(sq);
    Box sb = sq->box;
    push(a, mouse(SDL_MOUSEBUTTONDOWN, sb.x + 1, sb.y + 1));
    ck_assert(a->has_selected);
    ck_assert_int_eq(a->selected.unit, 4);
    ck_assert_int_eq(a->selected.vec, VEC_GATE1);
    push(a, key(SDLK_ESCAPE));
    ck_assert_int_eq(a->view, VIEW_UNROLLED);
    /* typing a sentence traces it */
    push(a, key(SDLK_RETURN));
    ck_assert(a->editing);
    SDL_Event u = key(SDLK_u);
    u.key.keysym.mod = KMOD_CTRL;
    push(a, u);
    SDL_Event text = {0};
    text.type = SDL_TEXTINPUT;
    snprintf(text.text.text, sizeof text.text.text, "hold the light zebra");
    push(a, text);
    push(a, key(SDLK_RETURN));
    ck_assert(!a->editing);
    ck_assert_int_eq(a->doc->T, 3);
    ck_assert_int_eq(a->doc->prompt.n_oov, 1);
    ck_assert_str_eq(a->doc->prompt.oov[0], "zebra");
    app_headless_destroy(a);
}
END_TEST

START_TEST(random_events)
{
    App *a = open_lesson(800, 600);
    /* Enter in the training view trains: keep such runs tiny */
    a->train_epochs = 1;
    a->train_units = 2;
    static const SDL_Keycode keys[] = {SDLK_LEFT, SDLK_RIGHT, SDLK_HOME, SDLK_END, SDLK_SPACE, SDLK_TAB, SDLK_1, SDLK_2, SDLK_3,
                                       SDLK_4, SDLK_ESCAPE, SDLK_RETURN, SDLK_m, SDLK_l, SDLK_t, SDLK_PAGEDOWN, SDLK_PAGEUP,
                                       SDLK_r, SDLK_n, SDLK_BACKSPACE, SDLK_EQUALS, SDLK_MINUS, SDLK_SLASH, SDLK_a, SDLK_0};
    Rng rng;
    rng_init(&rng, 2026);
    Uint32 now = 0;
    for (int i = 0; i < 10000; i++) {
        SDL_Event e = {0};
        switch (rng_next(&rng) % 6) {
        case 0: case 1:
            e = key(keys[rng_next(&rng) % (sizeof keys / sizeof keys[0])]);
            if (rng_next(&rng) % 8 == 0) e.key.keysym.mod = KMOD_CTRL;
            break;
        case 2: e = mouse(SDL_MOUSEMOTION, (int)(rng_next(&rng) % 800), (int)(rng_next(&rng) % 600)); break;
        case 3: e = mouse(SDL_MOUSEBUTTONDOWN, (int)(rng_next(&rng) % 800), (int)(rng_next(&rng) % 600)); break;
        case 4:
            e.type = SDL_MOUSEWHEEL;
            e.wheel.y = (int)(rng_next(&rng) % 5) - 2;
            break;
        default:
            e.type = SDL_TEXTINPUT;
            snprintf(e.text.text, sizeof e.text.text, "%s", (const char *[]){"the", " ", "road", "\xC3\xA9t\xC3\xA9", "?", "9"}[rng_next(&rng) % 6]);
        }
        app_event(a, &e);
        now += (Uint32)(rng_next(&rng) % 200);
        app_tick(a, now);
        if (i % 10 == 0) app_draw(a);
        ck_assert(a->has_doc);
        ck_assert(a->step >= 0 && a->step < a->doc->T);
        ck_assert(a->model >= 0 && a->model < a->doc->n_models);
        ck_assert(a->doc->models[a->model].model.layers[a->layer].kind == LAYER_RNN);
    }
    app_headless_destroy(a);
}
END_TEST

START_TEST(broken_model_shows_a_message)
{
    char bad[4096];
    snprintf(bad, sizeof bad, "%s", tu_path("bad_models/cases/truncated_shard"));
    /* with nothing open */
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert(a);
    app_open(a, bad);
    ck_assert(!a->has_doc);
    ck_assert_msg(strstr(a->message, "truncated shard"), "%s", a->message);
    app_draw(a);
    /* over a lesson: the lesson stays */
    app_open(a, lesson_path());
    ck_assert(a->has_doc);
    int T = a->doc->T;
    app_open(a, bad);
    ck_assert(a->has_doc);
    ck_assert_int_eq(a->doc->T, T);
    ck_assert(a->message[0]);
    app_draw(a);
    push(a, key(SDLK_ESCAPE));
    ck_assert(!a->message[0]);
    push(a, key(SDLK_RIGHT));
    /* a lesson whose models are missing */
    app_open(a, tu_path("fixtures/lessons/good.md"));
    ck_assert(a->message[0]);
    app_headless_destroy(a);
}
END_TEST

/* the training view trains copies; a cancelled run leaves the old models,
 * a finished one replaces them */
START_TEST(training_cancels_cleanly)
{
    App *a = open_lesson(1280, 720);
    const Model *m = &a->doc->models[0].model;
    size_t n = m->n_params;
    float *before = xmalloc(n * sizeof *before);
    memcpy(before, m->params, n * sizeof *before);
    TrainRunProgress *p = xmalloc(sizeof *p); /* copies taken under the worker's lock */
    a->train_epochs = 2000;
    app_train_start(a);
    train_run_progress(&a->train, p);
    ck_assert(p->running);
    /* wait for the first epoch, then cancel in the middle of the run */
    for (int i = 0; i < 2000; i++) {
        train_run_progress(&a->train, p);
        if (p->epochs_done[0] >= 1) break;
        SDL_Delay(5);
    }
    app_train_cancel(a);
    app_train_join(a);
    train_run_progress(&a->train, p);
    ck_assert(p->failed);
    ck_assert_msg(strstr(p->message, "cancelled"), "%s", p->message);
    ck_assert_int_lt(p->epochs_done[0], 2000);
    ck_assert_int_eq(memcmp(before, a->doc->models[0].model.params, n * sizeof *before), 0);
    app_draw(a);
    /* a short run that finishes replaces the models and traces again */
    a->train_epochs = 2;
    a->train_units = 8;
    app_train_start(a);
    app_train_join(a);
    train_run_progress(&a->train, p);
    ck_assert(!p->failed);
    ck_assert_int_eq(p->epochs_done[2], 2);
    ck_assert_int_eq(a->doc->models[2].model.layers[1].cell[0].units, 8);
    ck_assert(a->doc->models[2].traced);
    ck_assert_int_eq(a->doc->models[2].trace.layers[1].run[0].H, 8);
    app_draw(a);
    /* opening a document forgets the run */
    app_open(a, lesson_path());
    train_run_progress(&a->train, p);
    ck_assert_int_eq(p->epochs_done[2], 0);
    ck_assert(!p->finished);
    free(p);
    free(before);
    app_headless_destroy(a);
}
END_TEST

/* webtrain: without threads (the browser) the training view's run goes in
 * slices of the frame loop. With a budget that lets one step through per
 * slice, the run takes exactly 1 (the data) + per cell (1 + per epoch
 * (1 + ceil(N/B) batches + 1) + 1) + 1 (the end) slices, the curves fill in
 * between them, and the trained models equal the thread's on the same seed
 * bit for bit, as do the loss curves. Through app_tick (the frame loop's
 * call, 12 ms slices) a long run advances and Escape cancels it: the old
 * models stay. */
START_TEST(training_in_slices_equals_the_thread)
{
    App *a = open_lesson(1280, 720);
    const int n_cells = a->doc->lesson.n_cells, E = 2;
    ck_assert_int_ge(n_cells, 2);
    a->train_epochs = E;
    a->train_units = 6;
    TrainRunProgress *p = xmalloc(sizeof *p), *pt = xmalloc(sizeof *pt);
    /* the thread's run */
    ck_assert(!a->train.sliced); /* natively the thread is the default */
    app_train_start(a);
    ck_assert(a->train.thread && !a->train.job);
    app_train_join(a);
    train_run_progress(&a->train, pt);
    ck_assert_msg(!pt->failed, "%s", pt->message);
    float *want[CELL_KIND_COUNT];
    for (int k = 0; k < n_cells; k++) {
        const Model *m = &a->doc->models[k].model;
        want[k] = xmalloc(m->n_params * sizeof *want[k]);
        memcpy(want[k], m->params, m->n_params * sizeof *want[k]);
    }
    /* the sliced run, a step a slice */
    Err err = {{0}};
    LessonData ld;
    ck_assert_msg(lesson_data_load(&ld, &a->doc->lesson, &err), "%s", err.msg);
    int B = lesson_train_config(&a->doc->lesson).batch_size, N = ld.rows.view.N;
    lesson_data_free(&ld);
    int expect = 1 + n_cells * (1 + E * (1 + (N + B - 1) / B + 1) + 1) + 1;
    a->train.sliced = true;
    app_train_start(a);
    ck_assert(a->train.job && !a->train.thread && train_run_active(&a->train));
    int slices = 0, seen_mid = 0, last_done = 0;
    bool finished = false;
    while (!finished && slices < expect + 10) {
        finished = train_run_slice(&a->train, 1e-9);
        slices++;
        train_run_progress(&a->train, p);
        ck_assert_int_ge(p->epochs_done[0], last_done); /* the curve only grows */
        last_done = p->epochs_done[0];
        if (p->running && p->epochs_done[0] == 1 && p->cell == 0) seen_mid++;
    }
    ck_assert_int_eq(slices, expect);
    ck_assert_int_gt(seen_mid, 0); /* the first epoch's point is shown while the run goes on */
    ck_assert(p->finished && !p->running && !p->failed);
    ck_assert(train_run_active(&a->train)); /* until the frame loop joins it */
    app_tick(a, SDL_GetTicks());
    ck_assert(!train_run_active(&a->train));
    for (int k = 0; k < n_cells; k++) {
        const Model *m = &a->doc->models[k].model;
        ck_assert_int_eq(m->layers[1].cell[0].units, 6);
        ck_assert_msg(memcmp(want[k], m->params, m->n_params * sizeof *want[k]) == 0, "cell %d differs", k);
        ck_assert_int_eq(p->epochs_done[k], E);
        for (int e = 0; e < E; e++) ck_assert(p->loss[k][e] == pt->loss[k][e] && isfinite(p->loss[k][e]));
        ck_assert(a->doc->models[k].traced);
    }
    /* a long run through the frame loop's call, cancelled with Escape */
    a->train_epochs = 2000;
    app_set_view(a, VIEW_TRAINING);
    app_train_start(a);
    for (int ticks = 0; ticks < 100000; ticks++) {
        app_tick(a, SDL_GetTicks());
        train_run_progress(&a->train, p);
        if (p->epochs_done[0] >= 1) break;
    }
    ck_assert(p->running && p->epochs_done[0] >= 1);
    ck_assert(app_animating(a)); /* the window keeps calling */
    a->message[0] = '\0'; /* Escape's first press would close a message */
    push(a, key(SDLK_ESCAPE));
    for (int i = 0; i < 100 && train_run_active(&a->train); i++) app_tick(a, SDL_GetTicks());
    ck_assert(!train_run_active(&a->train));
    train_run_progress(&a->train, p);
    ck_assert(p->failed);
    ck_assert_msg(strstr(p->message, "cancelled"), "%s", p->message);
    for (int k = 0; k < n_cells; k++) {
        const Model *m = &a->doc->models[k].model;
        ck_assert_msg(memcmp(want[k], m->params, m->n_params * sizeof *want[k]) == 0, "cell %d changed", k);
        free(want[k]);
    }
    free(p);
    free(pt);
    app_headless_destroy(a);
}
END_TEST

/* the lesson browser lists lessons/ and opens one by number */
START_TEST(lesson_browser)
{
    App *a = open_lesson(1280, 720);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../lessons", tu_path(""));
    app_scan_lessons(a, dir);
    ck_assert_int_ge(a->n_lessons, 6);
    ck_assert_str_eq(a->lesson_titles[0], "Next word on song lyrics");
    push(a, key(SDLK_o));
    ck_assert(a->show_lessons);
    push(a, key(SDLK_2));
    ck_assert(!a->show_lessons);
    ck_assert_str_eq(a->doc->lesson.title, a->lesson_titles[1]);
    app_headless_destroy(a);
}
END_TEST


/* ---- the window's rough edges (issue 11) ---- */

static SDL_Event key_mod(SDL_Keycode k, Uint16 mod)
{
    SDL_Event e = key(k);
    e.key.keysym.mod = mod;
    return e;
}

static SDL_Event typed(const char *s)
{
    SDL_Event e = {0};
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof e.text.text, "%s", s);
    return e;
}

/* Enter selects the whole sentence, so typing replaces it; the arrows,
 * Home/End, Ctrl+A, Backspace and Delete edit as in any text field; Esc
 * brings the old sentence back. */
START_TEST(input_bar_edits_like_a_text_field)
{
    App *a = open_lesson(1280, 720);
    app_draw(a);
    char old[DOC_MAX_INPUT];
    snprintf(old, sizeof old, "%s", a->doc->input);
    int from = -1, to = -1;
    push(a, key(SDLK_RETURN));
    ck_assert(a->editing);
    ck_assert_str_eq(a->edit.text, old);
    field_selection(&a->edit, &from, &to);
    ck_assert_int_eq(from, 0);
    ck_assert_int_eq(to, (int)strlen(old));
    push(a, typed("the road"));
    ck_assert_str_eq(a->edit.text, "the road"); /* replaced, not appended */
    push(a, key(SDLK_HOME));
    ck_assert_int_eq(a->edit.cursor, 0);
    for (int i = 0; i < 4; i++) push(a, key(SDLK_RIGHT));
    ck_assert_int_eq(a->edit.cursor, 4);
    push(a, key_mod(SDLK_END, KMOD_SHIFT)); /* selects "road" */
    field_selection(&a->edit, &from, &to);
    ck_assert_int_eq(from, 4);
    ck_assert_int_eq(to, 8);
    push(a, typed("hill"));
    ck_assert_str_eq(a->edit.text, "the hill");
    push(a, key(SDLK_LEFT));
    push(a, key(SDLK_BACKSPACE));
    ck_assert_str_eq(a->edit.text, "the hil");
    push(a, key(SDLK_DELETE));
    ck_assert_str_eq(a->edit.text, "the hi");
    push(a, key(SDLK_END));
    push(a, typed("\xC3\xA9"));
    ck_assert_str_eq(a->edit.text, "the hi\xC3\xA9");
    push(a, key(SDLK_LEFT)); /* one character, two bytes */
    ck_assert_int_eq(a->edit.cursor, 6);
    push(a, key(SDLK_DELETE));
    ck_assert_str_eq(a->edit.text, "the hi");
    push(a, key_mod(SDLK_a, KMOD_CTRL));
    push(a, typed("lantern"));
    ck_assert_str_eq(a->edit.text, "lantern");
    /* Esc: the old sentence stays, and is what the next Enter starts from */
    push(a, key(SDLK_ESCAPE));
    ck_assert(!a->editing);
    ck_assert_str_eq(a->doc->input, old);
    ck_assert_int_eq(a->view, VIEW_UNROLLED); /* Esc left the field only */
    push(a, key(SDLK_RETURN));
    ck_assert_str_eq(a->edit.text, old);
    push(a, typed("the road"));
    push(a, key(SDLK_RETURN));
    ck_assert(!a->editing);
    ck_assert_str_eq(a->doc->input, "the road");
    ck_assert_int_eq(a->doc->T, 2);
    app_headless_destroy(a);
}
END_TEST

/* The input bar marks the words the tokenizer does not know, by the
 * tokenizer's rule: "lantern" is known although the unknown "lan" starts
 * it, and "Lantern," is "lantern" after lowercasing and filtering. */
START_TEST(unknown_words_follow_the_tokenizer)
{
    App *a = open_lesson(1280, 720);
    Err err = {{0}};
    ck_assert_msg(doc_set_input(a->doc, "lan lantern Lantern, zebra-hill", &err), "%s", err.msg);
    ck_assert(doc_input_word_unknown(a->doc, 0));
    ck_assert(!doc_input_word_unknown(a->doc, 1));
    ck_assert(!doc_input_word_unknown(a->doc, 2));
    ck_assert(doc_input_word_unknown(a->doc, 3)); /* "zebra" of zebra-hill */
    ck_assert(!doc_input_word_unknown(a->doc, 4)); /* past the end */
    ck_assert_int_eq(a->doc->prompt.n_oov, 2);
    app_draw(a);
    /* the mark is drawn under the unknown word only: the first two text
     * boxes inside the input field are "lan" and "lantern" */
    const Hot *field = NULL;
    for (int i = 0; i < a->render.n_hot && !field; i++)
        if (a->render.hot[i].kind == HOT_BUTTON && a->render.hot[i].unit == BTN_INPUT) field = &a->render.hot[i];
    ck_assert(field);
    int found = 0;
    Box words[2] = {{0}};
    for (int i = 0; i < a->render.n_text_boxes && found < 2; i++) {
        Box b = a->render.text_boxes[i];
        if (box_contains(field->box, b.x, b.y) && b.w > 0) words[found++] = b;
    }
    ck_assert_int_eq(found, 2);
    ck_assert_int_lt(words[0].x, words[1].x);
    Color under0 = app_headless_pixel(a, words[0].x + words[0].w / 2, words[0].y + words[0].h - 1);
    Color under1 = app_headless_pixel(a, words[1].x + words[1].w / 2, words[1].y + words[1].h - 1);
    ck_assert(same_colour(under0, a->theme.oov, 8));
    ck_assert(!same_colour(under1, a->theme.oov, 8));
    app_headless_destroy(a);
}
END_TEST

/* Keys 1..N choose among however many views there are; the next digit
 * does nothing. Switching views drops the hover of the old one. */
START_TEST(views_by_number_and_hover_cleared)
{
    App *a = open_lesson(1280, 720);
    app_draw(a);
    for (int v = 0; v < VIEW_COUNT; v++) {
        push(a, key(SDLK_1 + v));
        ck_assert_int_eq(a->view, v);
    }
    if (VIEW_COUNT < 9) {
        push(a, key(SDLK_1 + VIEW_COUNT));
        ck_assert_int_eq(a->view, VIEW_COUNT - 1);
    }
    push(a, key(SDLK_1));
    const Hot *h = find_hot(a, HOT_UNIT, -1, 0, VEC_H, 1);
    ck_assert(h);
    Box hb = h->box;
    push(a, mouse(SDL_MOUSEMOTION, hb.x + 1, hb.y + 1));
    ck_assert(a->has_hover);
    push(a, key(SDLK_6)); /* gradients */
    ck_assert_int_eq(a->view, VIEW_GRADIENTS);
    ck_assert(!a->has_hover);
    /* the same through the tab buttons */
    push(a, key(SDLK_1));
    push(a, mouse(SDL_MOUSEMOTION, hb.x + 1, hb.y + 1));
    ck_assert(a->has_hover);
    const Hot *tab = NULL;
    for (int i = 0; i < a->render.n_hot && !tab; i++)
        if (a->render.hot[i].kind == HOT_BUTTON && a->render.hot[i].unit == BTN_VIEW0 + VIEW_GENERATE) tab = &a->render.hot[i];
    ck_assert(tab);
    Box tb = tab->box;
    push(a, mouse(SDL_MOUSEBUTTONDOWN, tb.x + 2, tb.y + 2));
    ck_assert_int_eq(a->view, VIEW_GENERATE);
    ck_assert(!a->has_hover);
    app_headless_destroy(a);
}
END_TEST

/* On a window (SDL's dummy driver, as app_run makes it): F11 makes the
 * window cover the display and the layout follows the drawable size; F11
 * again puts the window back; a resize is followed too. */
START_TEST(presenter_mode_follows_the_window)
{
    if (!getenv("SDL_VIDEODRIVER")) setenv("SDL_VIDEODRIVER", "dummy", 1);
    ck_assert_int_eq(SDL_Init(SDL_INIT_VIDEO), 0);
    SDL_Window *win = SDL_CreateWindow("unroll test", 10, 20, 900, 600, SDL_WINDOW_RESIZABLE);
    ck_assert(win);
    SDL_Renderer *ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    ck_assert(ren);
    App *a = xcalloc(1, sizeof *a);
    app_init(a, NULL);
    Err err = {{0}};
    ck_assert_msg(render_init(&a->render, ren, &err), "%s", err.msg);
    app_open(a, lesson_path());
    ck_assert(a->has_doc);
    SDL_Rect display;
    ck_assert_int_eq(SDL_GetDisplayBounds(0, &display), 0);
    app_draw(a);
    ck_assert_int_eq(a->render.width, 900);
    ck_assert_int_eq(a->render.height, 600);
    int px = app_px(a, TEXT_BODY);
    push(a, key(SDLK_F11));
    ck_assert(a->presenter);
    int w = 0, h = 0;
    SDL_GetWindowSize(win, &w, &h);
    ck_assert_int_eq(w, display.w);
    ck_assert_int_eq(h, display.h);
    ck_assert_int_eq(a->render.width, display.w);
    ck_assert_int_eq(a->render.height, display.h);
    ck_assert_int_gt(app_px(a, TEXT_BODY), px);
    for (int i = 0; i < a->render.n_text_boxes; i++) {
        Box b = a->render.text_boxes[i];
        ck_assert_int_le(b.x + b.w, a->render.width);
        ck_assert_int_le(b.y + b.h, a->render.height);
    }
    push(a, key(SDLK_F11));
    ck_assert(!a->presenter);
    SDL_GetWindowSize(win, &w, &h);
    ck_assert_int_eq(w, 900);
    ck_assert_int_eq(h, 600);
    int x = 0, y = 0;
    SDL_GetWindowPosition(win, &x, &y);
    ck_assert_int_eq(x, 10);
    ck_assert_int_eq(y, 20);
    ck_assert_int_eq(a->render.width, 900);
    ck_assert_int_eq(a->render.height, 600);
    /* a resize: SDL queues SIZE_CHANGED; the next frame has the new size */
    SDL_SetWindowSize(win, 700, 500);
    SDL_Event e = {0};
    e.type = SDL_WINDOWEVENT;
    e.window.event = SDL_WINDOWEVENT_SIZE_CHANGED;
    e.window.data1 = 700;
    e.window.data2 = 500;
    ck_assert(app_event(a, &e));
    push(a, key(SDLK_RIGHT));
    ck_assert_int_eq(a->render.width, 700);
    ck_assert_int_eq(a->render.height, 500);
    app_free(a);
    train_run_free(&a->train);
    render_free(&a->render);
    free(a);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
}
END_TEST

/* A long session draws many sentences at many sizes: the string cache
 * stays within its pixel budget (2048 strings of this size would hold 20
 * times as many pixels). */
START_TEST(text_cache_is_bounded)
{
    App *a = open_lesson(1280, 720);
    Render *r = &a->render;
    char s[96];
    for (int frame = 0; frame < 60; frame++) {
        render_begin(r, a->theme.bg);
        for (int i = 0; i < 15; i++) {
            snprintf(s, sizeof s, "sentence %d of frame %d, long enough to take room", i, frame);
            render_text(r, 0, i * 16, s, 36 + frame % 5, FONT_REGULAR, a->theme.text, ALIGN_LEFT);
        }
        render_end(r);
        ck_assert_uint_le(render_cache_pixels(r), RENDER_TEXT_CACHE_PIXELS);
    }
    ck_assert_uint_gt(render_cache_pixels(r), RENDER_TEXT_CACHE_PIXELS / 2); /* it does cache */
    app_headless_destroy(a);
}
END_TEST

/* ---- cases that see a bug (issue 10) ------------------------------------- */

/* The colour map against fixed RGB values of Paul Tol's "sunset" (Tol,
 * "Colour Schemes", technical note SRON/EPS/TN/09-002, the 11-colour
 * diverging list #364B9A #4A7BB7 #6EA6CD #98CAE1 #C2E4EF #EAECCC #FEDA8B
 * #FDB366 #F67E4B #DD3D2D #A50026), with the values between two colours
 * interpolated linearly in RGB. Each expected value is computed by hand:
 * v on [-range, range] maps to u = (v/range + 1)/2, x = 10u, and the colour
 * is stop[floor x] + (x - floor x) * (stop[floor x + 1] - stop[floor x]),
 * rounded. */
START_TEST(colormap_known_values)
{
    static const struct {
        float v, range;
        int r, g, b;
        const char *why;
    } cases[] = {
        {-1.0f, 1.0f, 0x36, 0x4B, 0x9A, "u 0: first stop #364B9A (blue, negative)"},
        {1.0f, 1.0f, 0xA5, 0x00, 0x26, "u 1: last stop #A50026 (red, positive)"},
        {0.0f, 1.0f, 0xEA, 0xEC, 0xCC, "u 0.5: middle stop #EAECCC (pale)"},
        {-0.5f, 1.0f, 131, 184, 215, "x 2.5: halfway #6EA6CD (110,166,205) -> #98CAE1 (152,202,225)"},
        {0.5f, 1.0f, 250, 153, 89, "x 7.5: halfway #FDB366 (253,179,102) -> #F67E4B (246,126,75)"},
        {0.9f, 1.0f, 193, 31, 42, "x 9.5: halfway #DD3D2D (221,61,45) -> #A50026 (165,0,38)"},
        {-0.86f, 1.0f, 68, 109, 174, "x 0.7: #364B9A + 0.7 (#4A7BB7 - #364B9A) = (68, 108.6, 174.3)"},
        {0.5f, 2.0f, 254, 208, 130, "range 2, x 6.25: #FEDA8B + 0.25 (#FDB366 - #FEDA8B) = (253.75, 208.25, 129.75)"},
        {-2.0f, 2.0f, 0x36, 0x4B, 0x9A, "range 2: -2 is the blue end"},
        {3.0f, 1.0f, 0xA5, 0x00, 0x26, "above the range: clamped to the red end"},
        {-7.0f, 1.0f, 0x36, 0x4B, 0x9A, "below the range: clamped to the blue end"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Color c = colormap(cases[i].v, cases[i].range);
        ck_assert_msg(abs(c.r - cases[i].r) <= 1 && abs(c.g - cases[i].g) <= 1 && abs(c.b - cases[i].b) <= 1,
                      "colormap(%g, %g) = %d,%d,%d, expected %d,%d,%d (%s)", (double)cases[i].v, (double)cases[i].range,
                      c.r, c.g, c.b, cases[i].r, cases[i].g, cases[i].b, cases[i].why);
        ck_assert_int_eq(c.a, 255);
    }
    /* the gate map: the upper half, pale at 0, red at 1 */
    static const struct {
        float v;
        int r, g, b;
    } unit[] = {
        {0.0f, 0xEA, 0xEC, 0xCC}, /* u 0.5 */
        {1.0f, 0xA5, 0x00, 0x26}, /* u 1 */
        {0.5f, 250, 153, 89},     /* u 0.75: x 7.5, as above */
    };
    for (size_t i = 0; i < sizeof unit / sizeof unit[0]; i++) {
        Color c = colormap_unit(unit[i].v);
        ck_assert_msg(abs(c.r - unit[i].r) <= 1 && abs(c.g - unit[i].g) <= 1 && abs(c.b - unit[i].b) <= 1,
                      "colormap_unit(%g) = %d,%d,%d, expected %d,%d,%d", (double)unit[i].v, c.r, c.g, c.b, unit[i].r,
                      unit[i].g, unit[i].b);
    }
}
END_TEST

/* Lesson 4 (a Bidirectional SimpleRNN): the h_{t-1} -> h_t arrow between two
 * neighbouring cells points right in the forward lane and left in the
 * backward (go_backwards) lane. Measured in the pixels of the gap between
 * the two cells: the arrow head is the only part of the arrow more than 3
 * px above or below the shaft's row, and it sits at the end the arrow
 * points to. */
static void arrow_head_side(const App *a, int layer, int dir, int *left, int *right)
{
    /* two neighbouring cells of the lane, well inside the frame */
    const Hot *cells[2] = {NULL, NULL};
    for (int i = 0; i < a->render.n_hot && !cells[1]; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind != HOT_CELL || h->layer != layer || h->dir != dir || h->model != a->model) continue;
        if (h->box.x < a->render.width / 4 || h->box.x + h->box.w > a->render.width * 3 / 4) continue;
        for (int j = 0; j < a->render.n_hot; j++) {
            const Hot *k = &a->render.hot[j];
            if (k->kind == HOT_CELL && k->layer == layer && k->dir == dir && k->model == a->model && k->box.x > h->box.x &&
                k->box.x - (h->box.x + h->box.w) < h->box.w && k->box.x + k->box.w <= a->render.width * 3 / 4) {
                cells[0] = h;
                cells[1] = k;
                break;
            }
        }
    }
    ck_assert_msg(cells[1], "no two neighbouring cells in lane %d.%d", layer, dir);
    int x0 = cells[0]->box.x + cells[0]->box.w + 1, x1 = cells[1]->box.x - 1; /* the gap, edges excluded */
    int mid = (x0 + x1) / 2, yh = cells[0]->box.y + cells[0]->box.h / 2;
    ck_assert_int_ge(x1 - x0, 8);
    *left = *right = 0;
    for (int x = x0; x <= x1; x++)
        for (int y = yh - cells[0]->box.h / 4; y <= yh + cells[0]->box.h / 4; y++) {
            if (abs(y - yh) <= 3) continue; /* the shaft */
            if (!same_colour(app_headless_pixel(a, x, y), a->theme.arrow, 8)) continue;
            if (x < mid) (*left)++;
            else if (x > mid) (*right)++;
        }
}

START_TEST(arrows_follow_go_backwards)
{
    Err err = {{0}};
    App *a = app_headless_create(1920, 1080, &err);
    ck_assert_msg(a, "%s", err.msg);
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/04-bidirectional.md", tu_path(""));
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    a->view = VIEW_UNROLLED;
    a->anim = 1.0f;
    a->zoom = 4.0f; /* wide gaps between cells */
    app_set_step(a, a->doc->T - 1);
    a->anim = 1.0f;
    app_draw(a);
    const DocModel *dm = &a->doc->models[a->model];
    int li = doc_first_rnn(dm);
    ck_assert(dm->model.layers[li].bidirectional);
    ck_assert(!dm->model.layers[li].cell[0].go_backwards && dm->model.layers[li].cell[1].go_backwards);
    int left = 0, right = 0;
    arrow_head_side(a, li, 0, &left, &right);
    ck_assert_msg(right > 10 && left == 0, "forward lane: arrow head pixels %d left, %d right of the gap's middle", left,
                  right);
    arrow_head_side(a, li, 1, &left, &right);
    ck_assert_msg(left > 10 && right == 0, "backward lane: arrow head pixels %d left, %d right of the gap's middle", left,
                  right);
    app_headless_destroy(a);
}
END_TEST

/* Lesson 4's backward lane: processing step s read position T-1-s, so the
 * squares of h after step s stand above the token at T-1-s (the forward
 * lane's above the token at s), in the colour of that h. */
START_TEST(backward_lane_stands_above_its_tokens)
{
    Err err = {{0}};
    App *a = app_headless_create(1920, 1080, &err);
    ck_assert_msg(a, "%s", err.msg);
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/04-bidirectional.md", tu_path(""));
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    a->view = VIEW_UNROLLED;
    app_set_step(a, a->doc->T - 1);
    a->anim = 1.0f;
    app_draw(a);
    const DocModel *dm = &a->doc->models[a->model];
    int li = doc_first_rnn(dm), T = a->doc->T, checked = 0;
    for (int dir = 0; dir < 2; dir++) {
        const RunRecord *run = &dm->trace.layers[li].run[dir];
        for (int s = 0; s < T; s += 3) {
            int pos = dir ? T - 1 - s : s;
            const Hot *unit = NULL, *token = NULL;
            for (int i = 0; i < a->render.n_hot; i++) {
                const Hot *h = &a->render.hot[i];
                if (h->model != a->model) continue;
                if (h->kind == HOT_UNIT && h->layer == li && h->dir == dir && h->t == s && h->vec == VEC_H && h->unit == 0)
                    unit = h;
                if (h->kind == HOT_TOKEN && h->t == pos) token = h;
            }
            if (!unit || !token) continue; /* scrolled out */
            int cx = unit->box.x + unit->box.w / 2;
            ck_assert_msg(cx >= token->box.x && cx < token->box.x + token->box.w,
                          "lane %d: h after step %d at x %d, not above token %d (x %d..%d)", dir, s, cx, pos, token->box.x,
                          token->box.x + token->box.w);
            if (run->mask && !run->mask[s]) continue; /* hatched */
            float v = run->h[(size_t)(s + 1) * run->H];
            Color want = colormap(v, 1.0f);
            Color got = app_headless_pixel(a, unit->box.x + unit->box.w / 3, unit->box.y + unit->box.h / 3);
            ck_assert_msg(same_colour(got, want, 1), "lane %d step %d: pixel %d,%d,%d, map of %g %d,%d,%d", dir, s, got.r,
                          got.g, got.b, (double)v, want.r, want.g, want.b);
            checked++;
        }
    }
    ck_assert_int_ge(checked, 6);
    app_headless_destroy(a);
}
END_TEST

/* The colour scale of c is the largest |c| of the trace (at least 1). An
 * LSTM(1) on one float a step whose weights are zero and bias (i, f, g, o) =
 * (10, 0, -5, 0), linear activation: g = -5 every step, i ~ 1, f = 0.5, so
 * c = -4.9997, -7.4995, ... is negative throughout: the scale is its size,
 * not its signed maximum. */
START_TEST(c_range_is_the_largest_magnitude)
{
    Model m;
    model_init(&m);
    m.input_dim = 1;
    Layer l = tu_rnn("lstm", CELL_LSTM, 1, false);
    l.cell[0].activation = ACT_LINEAR;
    model_add_layer(&m, &l);
    Err err = {{0}};
    ck_assert_msg(model_build(&m, &err), "%s", err.msg);
    const float bias[4] = {10.0f, 0.0f, -5.0f, 0.0f};
    memcpy(m.layers[0].cell[0].bias, bias, sizeof bias);
    char *tmp = tu_tmpdir();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/neg", tmp);
    ck_assert_msg(model_save(&m, dir, NULL, 0, &err), "%s", err.msg);
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, dir, &err), "%s", err.msg);
    const DocModel *dm = &a->doc->models[0];
    const RunRecord *run = &dm->trace.layers[0].run[0];
    ck_assert_int_ge(a->doc->T, 2);
    float biggest = 0.0f;
    for (int t = 1; t <= a->doc->T; t++) {
        ck_assert_msg(run->c[t] < -4.9f, "c after step %d = %g", t, (double)run->c[t]);
        biggest = fmaxf(biggest, -run->c[t]);
    }
    ck_assert_float_eq_tol(dm->c_range, biggest, 1e-6f);
    app_headless_destroy(a);
    model_free(&m);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A big model's strips (512 units, squares of a few pixels) are drawn as
 * one image each, with one hot region: pointing at a square still names
 * its unit, and the pixel there has that unit's colour. */
START_TEST(big_strips_hover_names_the_unit)
{
    Err err = {{0}};
    char *tmp = tu_tmpdir(), path[4200];
    snprintf(path, sizeof path, "%s/big", tmp);
    Model m;
    ck_assert_msg(spec_build(&m, "embedding:20:8, lstm:512, dense:20:softmax", 20, 1, &err), "%s", err.msg);
    ck_assert_msg(model_save(&m, path, NULL, 0, &err), "%s", err.msg);
    model_free(&m);
    App *a = app_headless_create(1920, 1080, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    char ids[512] = "";
    for (int t = 0; t < 80; t++) snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%d", t ? "," : "", 1 + (t * 7) % 19);
    ck_assert_msg(doc_set_input(a->doc, ids, &err), "%s", err.msg);
    a->view = VIEW_UNROLLED;
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    app_draw(a);
    const Hot *grid = NULL;
    for (int i = 0; i < a->render.n_hot && !grid; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind == HOT_UNIT && h->vec == VEC_H && h->t == a->step && h->grid_cell > 0) grid = h;
    }
    ck_assert_msg(grid, "no grid hot region for h at the current step");
    ck_assert_int_lt(grid->grid_cell, 6);
    const RunRecord *run = &a->doc->models[0].trace.layers[grid->layer].run[0];
    const float *hv = run->h + (size_t)(a->step + 1) * (size_t)run->H;
    static const int PICK[][2] = {{0, 0}, {2, 3}, {5, 1}};
    for (int k = 0; k < 3; k++) {
        int row = PICK[k][0], col = PICK[k][1];
        int x = grid->box.x + col * grid->grid_cell + grid->grid_cell / 2, y = grid->box.y + row * grid->grid_cell + grid->grid_cell / 2;
        Hot at;
        ck_assert(render_hot_at(&a->render, x, y, &at));
        ck_assert_int_eq(at.kind, HOT_UNIT);
        ck_assert_int_eq(at.unit, row * grid->grid_cols + col);
        ck_assert_int_eq(at.grid_cell, 0);
        Color want = colormap(hv[at.unit], 1.0f), got = app_headless_pixel(a, x, y);
        ck_assert_msg(same_colour(got, want, 2), "unit %d: pixel %d,%d,%d, its value's colour %d,%d,%d", at.unit, got.r, got.g,
                      got.b, want.r, want.g, want.b);
    }
    app_headless_destroy(a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A sentence computed off the frame loop (DocJob) gives the document what
 * doc_set_input gives it, number for number; a cancelled job leaves the
 * document as it was. */
START_TEST(input_job_equals_set_input)
{
    Err err = {{0}};
    const char *text = "the lantern on the hill is burning low";
    Doc *sync = xcalloc(1, sizeof *sync), *async = xcalloc(1, sizeof *async);
    ck_assert_msg(doc_open(sync, lesson_path(), &err), "%s", err.msg);
    ck_assert_msg(doc_open(async, lesson_path(), &err), "%s", err.msg);
    char before[DOC_MAX_INPUT];
    snprintf(before, sizeof before, "%s", async->input);
    int T_before = async->T;
    /* cancelled: nothing changes */
    DocJob *j = doc_job_start(async, text, NULL, NULL, &err);
    ck_assert_msg(j, "%s", err.msg);
    doc_job_cancel(j);
    ck_assert_str_eq(async->input, before);
    ck_assert_int_eq(async->T, T_before);
    /* finished: the same numbers as at once */
    ck_assert_msg(doc_set_input(sync, text, &err), "%s", err.msg);
    j = doc_job_start(async, text, NULL, NULL, &err);
    ck_assert_msg(j, "%s", err.msg);
    while (!doc_job_done(j)) SDL_Delay(1);
    ck_assert_int_eq(doc_job_models_done(j), async->n_models);
    doc_job_finish(j, async);
    ck_assert_str_eq(async->input, text);
    ck_assert_int_eq(async->T, sync->T);
    for (int i = 0; i < sync->n_models; i++) {
        const DocModel *x = &sync->models[i], *y = &async->models[i];
        ck_assert(y->traced);
        for (int li = 0; li < x->model.n_layers; li++) {
            const LayerRecord *rx = &x->trace.layers[li], *ry = &y->trace.layers[li];
            for (int d = 0; d < rx->n_runs; d++) {
                size_t n = (size_t)(sync->T + 1) * (size_t)rx->run[d].H;
                ck_assert(memcmp(rx->run[d].h, ry->run[d].h, n * sizeof(float)) == 0);
            }
        }
        ck_assert(memcmp(x->preds, y->preds, (size_t)sync->T * (size_t)x->n_classes * sizeof(float)) == 0);
        ck_assert_float_eq(x->c_range, y->c_range);
        ck_assert_int_eq(x->grad != NULL, y->grad != NULL);
        if (x->grad) ck_assert(memcmp(x->grad, y->grad, (size_t)sync->T * sizeof(float)) == 0);
    }
    /* a refused text is refused at once, as doc_set_input refuses it */
    ck_assert_ptr_null(doc_job_start(async, "zzzz qqqq", NULL, NULL, &err));
    doc_close(sync);
    doc_close(async);
    free(sync);
    free(async);
}
END_TEST

/* A classifier's class 0 is a class: lesson 2's side panel puts "maps" on
 * top for a pilot's sentence (it started at class 1, padding for next-word
 * models, and showed "bread 0%" there), and a classifier does not
 * generate. */
START_TEST(classifier_panels_start_at_class_zero)
{
    Err err = {{0}};
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/02-memory.md", tu_path(""));
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert(!doc_predicts_words(a->doc, 1));
    ck_assert_int_eq(doc_first_class(a->doc, 1), 0);
    ck_assert_msg(doc_set_input(a->doc, "my friend the pilot went to the market on a quiet morning and at dinner always likes to talk about", &err),
                  "%s", err.msg);
    a->model = 1; /* the GRU (the layer shown stays the first recurrent one) */
    a->view = VIEW_UNROLLED;
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    app_draw(a);
    const Hot *bar = NULL;
    for (int i = 0; i < a->render.n_hot && !bar; i++)
        if (a->render.hot[i].kind == HOT_BAR) bar = &a->render.hot[i];
    ck_assert_msg(bar, "no prediction bars");
    char buf[64];
    ck_assert_str_eq(doc_class_name(a->doc, 1, bar->unit, buf, sizeof buf), "maps");
    Generation g;
    doc_generate_begin(a->doc, &g, NULL, 1);
    ck_assert(!doc_generate_next(a->doc, 1, &g, 0.0f, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "next-word"));
    app_headless_destroy(a);
    /* a next-word model's class 0 stays padding */
    a = open_lesson(1280, 720);
    ck_assert(doc_predicts_words(a->doc, 0));
    ck_assert_int_eq(doc_first_class(a->doc, 0), 1);
    app_headless_destroy(a);
}
END_TEST

/* A lesson's `highlight: f 3` outlines that square, `highlight: h` the
 * whole h of the step (lesson 1, steps 4 and 2) */
START_TEST(lesson_highlights_are_outlined)
{
    App *a = open_lesson(1280, 720);
    app_goto_lesson_step(a, 3); /* inspector, highlight: f 3 */
    a->anim = 1.0f;
    app_draw(a);
    const Hot *f3 = NULL;
    for (int i = 0; i < a->render.n_hot && !f3; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind == HOT_UNIT && h->vec == VEC_GATE1 && h->unit == 3 && h->t == a->step) f3 = h;
    }
    ck_assert_msg(f3, "no square for f[3]");
    Color edge = app_headless_pixel(a, f3->box.x - 2, f3->box.y + f3->box.h / 2);
    ck_assert_msg(same_colour(edge, a->theme.accent, 8), "f[3] is not outlined (%d,%d,%d)", edge.r, edge.g, edge.b);
    /* step 2: the whole h of the current step */
    app_goto_lesson_step(a, 1);
    a->anim = 1.0f;
    app_draw(a);
    int x0 = 1 << 30, y0 = 1 << 30;
    for (int i = 0; i < a->render.n_hot; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind == HOT_UNIT && h->vec == VEC_H && h->t == a->step && h->model == a->model) {
            x0 = h->box.x < x0 ? h->box.x : x0;
            y0 = h->box.y < y0 ? h->box.y : y0;
        }
    }
    ck_assert_int_lt(x0, 1 << 30);
    Color corner = app_headless_pixel(a, x0 - 3, y0 + 4);
    ck_assert_msg(same_colour(corner, a->theme.accent, 8), "h is not outlined (%d,%d,%d)", corner.r, corner.g, corner.b);
    app_headless_destroy(a);
}
END_TEST

/* ---- chart helper: the unit chart, the heat map, one grid, one scale ---- */

static App *open_memory(int w, int h)
{
    Err err = {{0}};
    char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/02-memory.md", tu_path(""));
    App *a = app_headless_create(w, h, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, p, &err), "%s", err.msg);
    a->anim = 1.0f;
    return a;
}

/* the HOT_UNIT regions of h the chart view registers, in drawing order */
static int chart_hots(const App *a, const Hot **out, int cap)
{
    int n = 0;
    for (int i = 0; i < a->render.n_hot && n < cap; i++)
        if (a->render.hot[i].kind == HOT_UNIT && a->render.hot[i].vec == VEC_H) out[n++] = &a->render.hot[i];
    return n;
}

/* Hand-made: unit 0 splits the two classes exactly (ratio "infinite"),
 * unit 1 varies only within them (0), unit 2 has class means 1 and -1
 * about 0 (between 1) and within-class variance 0.5 (ratio 2); the
 * contributions are |w * h| by hand. */
START_TEST(unitpick_known_answers)
{
    const float h[4 * 3] = {1, 1, 2, 1, -1, 0, -1, 1, -1, -1, -1, -1};
    const int labels[4] = {0, 0, 1, 1};
    float ratio[3];
    ck_assert_int_eq(unitpick_fisher(ratio, h, labels, 4, 3, 2), 4);
    ck_assert_float_ge(ratio[0], 1e29f);
    ck_assert_float_eq_tol(ratio[1], 0.0f, 1e-6f);
    ck_assert_float_eq_tol(ratio[2], 2.0f, 1e-5f);
    int top[3];
    ck_assert_int_eq(unitpick_top(top, ratio, 3, 3), 3);
    ck_assert_int_eq(top[0], 0);
    ck_assert_int_eq(top[1], 2);
    ck_assert_int_eq(top[2], 1);
    /* w (3 units x 2 classes), h: |w[j,1] * h[j]| = |0.5*1|, |-1*-2|, |4*0.25| */
    const float w[6] = {9, 0.5f, 9, -1, 9, 4}, hv[3] = {1, -2, 0.25f};
    float score[3];
    unitpick_contribution(score, hv, w, 3, 2, 1);
    ck_assert_float_eq_tol(score[0], 0.5f, 1e-6f);
    ck_assert_float_eq_tol(score[1], 2.0f, 1e-6f);
    ck_assert_float_eq_tol(score[2], 1.0f, 1e-6f);
    ck_assert_int_eq(unitpick_top(top, score, 3, 2), 2);
    ck_assert_int_eq(top[0], 1);
    ck_assert_int_eq(top[1], 2);
    /* the grid of a layer depends on its units only */
    ck_assert_int_eq(strip_cols(32), 4);
    ck_assert_int_eq(strip_cols(64), 8);
    ck_assert_int_eq(strip_cols(512), 16);
    ck_assert_int_eq(strip_cols(31), 6);
}
END_TEST

/* The chart view on lesson 2's LSTM: each charted unit's h line passes
 * through the pixel where its traced value falls, in h's colour; the
 * units a lesson step names are the ones charted. */
START_TEST(chart_line_has_its_value_colour)
{
    App *a = open_memory(1920, 1080);
    app_set_view(a, VIEW_CHART);
    a->step = 12;
    a->anim = 1.0f;
    app_draw(a);
    const Hot *hots[16];
    int n = chart_hots(a, hots, 16);
    ck_assert_int_ge(n, 1);
    int units[LESSON_MAX_UNITS];
    char why[256];
    int nu = app_chart_units(a, units, LESSON_MAX_UNITS, why, sizeof why);
    ck_assert_int_eq(nu, 3);
    ck_assert_msg(strstr(why, "separates the classes"), "%s", why);
    const DocModel *dm = &a->doc->models[a->model];
    ck_assert_int_eq(units[0], dm->picked[0]);
    const RunRecord *run = &dm->trace.layers[a->layer].run[0];
    for (int k = 0; k < n; k++) {
        ck_assert_int_eq(hots[k]->unit, units[k]);
        for (int s = 0; s < run->T; s += 7) {
            float v = run->h[(size_t)(s + 1) * run->H + units[k]];
            int x = chart_x(hots[k]->box, run->T, s), y = chart_y(hots[k]->box, v, 1.0f);
            Color got = app_headless_pixel(a, x, y), want = chart_line_color(0);
            ck_assert_msg(same_colour(got, want, 8), "unit %d step %d (h %g): pixel %d,%d,%d, h's colour %d,%d,%d", units[k], s,
                          (double)v, got.r, got.g, got.b, want.r, want.g, want.b);
        }
    }
    /* chosen units replace the picks, in their order */
    a->chart_units[0] = 7;
    a->chart_units[1] = 2;
    a->n_chart_units = 2;
    app_draw(a);
    n = chart_hots(a, hots, 16);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(hots[0]->unit, 7);
    ck_assert_int_eq(hots[1]->unit, 2);
    app_headless_destroy(a);
}
END_TEST

/* ---- judged quizzes and presenter type (helper quiz) ---- */

/* the hot region of a quiz choice, or NULL */
static const Hot *choice_hot(const App *a, int k)
{
    for (int i = 0; i < a->render.n_hot; i++)
        if (a->render.hot[i].kind == HOT_BUTTON && a->render.hot[i].unit == BTN_CHOICE0 + k) return &a->render.hot[i];
    return NULL;
}

/* lesson 1 step 3: a wrong choice clicked turns red and the right one is
 * ringed green, a right one (number key) turns green; the bars come back */
START_TEST(quiz_click_judges)
{
    App *a = open_lesson(1920, 1080);
    app_goto_lesson_step(a, 2);
    a->anim = 1.0f;
    app_draw(a);
    const LessonDirectives *d = app_quiz_step(a);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->n_choices, 4);
    ck_assert(app_answer_hidden(a));
    ck_assert(!a->quiz_judged);
    int right = -1, wrong = -1;
    for (int k = 0; k < d->n_choices; k++) {
        if (!strcmp(d->choices[k], d->answer)) right = k;
        else if (wrong < 0) wrong = k;
    }
    ck_assert_int_ge(right, 0);
    ck_assert_int_ge(wrong, 0);
    /* before: plain panel colour */
    const Hot *w = choice_hot(a, wrong);
    ck_assert_ptr_nonnull(w);
    Box wb = w->box;
    ck_assert(same_colour(app_headless_pixel(a, wb.x + 3, wb.y + 3), a->theme.panel, 2));
    push(a, mouse(SDL_MOUSEBUTTONDOWN, wb.x + wb.w / 2, wb.y + 3));
    ck_assert(a->quiz_judged);
    ck_assert(!a->quiz_right);
    ck_assert_int_eq(a->quiz_pick, wrong);
    ck_assert(!app_answer_hidden(a));
    ck_assert(same_colour(app_headless_pixel(a, wb.x + 3, wb.y + 3), a->theme.bad, 2));
    const Hot *rh = choice_hot(a, right);
    ck_assert_ptr_nonnull(rh);
    ck_assert(same_colour(app_headless_pixel(a, rh->box.x - 2, rh->box.y + rh->box.h / 2), a->theme.good, 2));
    /* a second click changes nothing: the verdict stands */
    Box rb = rh->box;
    push(a, mouse(SDL_MOUSEBUTTONDOWN, rb.x + rb.w / 2, rb.y + 3));
    ck_assert_int_eq(a->quiz_pick, wrong);
    /* the step again, the right answer by its number key */
    app_goto_lesson_step(a, 2);
    ck_assert(!a->quiz_judged);
    ck_assert(app_answer_hidden(a));
    push(a, key(SDLK_1 + right));
    ck_assert(a->quiz_judged);
    ck_assert(a->quiz_right);
    ck_assert_int_eq(a->view, VIEW_PREDICTIONS); /* the number key answered; it did not switch views */
    rh = choice_hot(a, right);
    ck_assert_ptr_nonnull(rh);
    ck_assert(same_colour(app_headless_pixel(a, rh->box.x + 3, rh->box.y + 3), a->theme.good, 2));
    app_headless_destroy(a);
}
END_TEST

/* A 128-unit layer: the heat map's rows are the charted units first (in
 * their order), then the others by number; each cell is the colour of h. */
START_TEST(heat_map_puts_the_picked_units_on_top)
{
    Err err = {{0}};
    char *tmp = tu_tmpdir(), path[4200];
    snprintf(path, sizeof path, "%s/wide", tmp);
    Model m;
    ck_assert_msg(spec_build(&m, "embedding:20:8, lstm:128, dense:20:softmax", 20, 3, &err), "%s", err.msg);
    ck_assert_msg(model_save(&m, path, NULL, 0, &err), "%s", err.msg);
    model_free(&m);
    App *a = app_headless_create(1920, 1080, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    ck_assert_msg(doc_set_input(a->doc, "3,1,4,1,5,9,2,6", &err), "%s", err.msg);
    app_set_view(a, VIEW_CHART);
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    a->chart_units[0] = 77;
    a->chart_units[1] = 5;
    a->n_chart_units = 2;
    app_draw(a);
    const Hot *hots[200];
    int n = chart_hots(a, hots, 200);
    /* 128 rows, then two line panels */
    ck_assert_int_eq(n, 128 + 2);
    const Hot *const *rows = hots;
    ck_assert_int_eq(hots[128]->unit, 77);
    ck_assert_int_eq(hots[129]->unit, 5);
    ck_assert_int_eq(rows[0]->unit, 77);
    ck_assert_int_eq(rows[1]->unit, 5);
    ck_assert_int_eq(rows[2]->unit, 0);
    ck_assert_int_eq(rows[6]->unit, 4);
    ck_assert_int_eq(rows[7]->unit, 6);
    ck_assert_int_eq(rows[127]->unit, 127);
    for (int k = 1; k < 128; k++) ck_assert_int_gt(rows[k]->box.y, rows[k - 1]->box.y);
    const RunRecord *run = &a->doc->models[0].trace.layers[1].run[0];
    const int T = run->T;
    for (int k = 0; k < 128; k += 9) {
        for (int s = 0; s < T; s += 3) {
            Box b = rows[k]->box;
            int x = b.x + (int)((s + 0.5f) * b.w / (float)T), y = b.y + b.h / 2;
            if (s == a->step) continue; /* the current step's outline */
            Color want = colormap(run->h[(size_t)(s + 1) * run->H + rows[k]->unit], 1.0f), got = app_headless_pixel(a, x, y);
            ck_assert_msg(same_colour(got, want, 2), "row %d unit %d step %d", k, rows[k]->unit, s);
        }
    }
    app_headless_destroy(a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* One unit keeps one place: in the unrolled and compare views of lesson 2
 * the LSTM's c and h strips put unit k in the same row and column, for a
 * 29-word sentence and a 20-word one. */
static void grid_place(const App *a, int vec, int t, int unit, int *col, int *row)
{
    const Hot *h0 = find_hot(a, HOT_UNIT, -1, t, vec, 0), *hk = find_hot(a, HOT_UNIT, -1, t, vec, unit);
    ck_assert(h0 && hk);
    *col = (hk->box.x - h0->box.x) / hk->box.w;
    *row = (hk->box.y - h0->box.y) / hk->box.h;
}

START_TEST(one_grid_for_h_and_c)
{
    App *a = open_memory(1920, 1080);
    static const char *const SENT[2] = {NULL, "the old pilot went to the market on a quiet morning and at dinner always likes to talk about"};
    for (int k = 0; k < 2; k++) {
        if (SENT[k]) {
            Err err = {{0}};
            ck_assert_msg(doc_set_input(a->doc, SENT[k], &err), "%s", err.msg);
        }
        for (int v = 0; v < 2; v++) {
            app_set_view(a, v ? VIEW_COMPARE : VIEW_UNROLLED);
            a->model = 2;
            a->step = 3;
            a->anim = 1.0f;
            app_draw(a);
            static const int UNITS[] = {1, 5, 14, 18, 31};
            for (int u = 0; u < 5; u++) {
                int cc, cr, hc, hr;
                grid_place(a, VEC_C, 3, UNITS[u], &cc, &cr);
                grid_place(a, VEC_H, 3, UNITS[u], &hc, &hr);
                ck_assert_msg(cc == hc && cr == hr, "view %d unit %d: c at %d,%d, h at %d,%d", v, UNITS[u], cc, cr, hc, hr);
                /* 4 columns of 8 rows for 32 units, whatever the length */
                ck_assert_int_eq(cc, UNITS[u] % 4);
                ck_assert_int_eq(cr, UNITS[u] / 4);
            }
        }
    }
    app_headless_destroy(a);
}
END_TEST

/* a typed answer (the step made a typed quiz on the model's own word):
 * Enter opens the field, the word typed is judged, case ignored */
START_TEST(quiz_typed_answer)
{
    App *a = open_lesson(1280, 720);
    LessonDirectives *d = &a->doc->lesson.steps[2].dir;
    char **choices = d->choices;
    int n = d->n_choices;
    char *answer = d->answer;
    d->choices = NULL;
    d->n_choices = 0;
    d->answer = NULL;
    d->answer_model = true;
    for (int round = 0; round < 2; round++) {
        app_goto_lesson_step(a, 2);
        app_draw(a);
        char want[64];
        ck_assert_ptr_nonnull(app_quiz_answer(a, want, sizeof want));
        /* the model's own top word at this step: what the predictions view puts first */
        ck_assert_msg(strcmp(want, "is") == 0 || strcmp(want, "will") == 0, "model %d step %d: %s", a->model, a->step, want);
        push(a, key(SDLK_RETURN));
        ck_assert(a->editing);
        ck_assert(a->quiz_typing);
        char up[64];
        for (size_t i = 0; i <= strlen(want); i++) up[i] = (char)(i < strlen(want) ? want[i] - 32 : 0);
        push(a, typed(round == 0 ? "moon" : up));
        push(a, key(SDLK_RETURN));
        ck_assert(!a->editing);
        ck_assert(a->quiz_judged);
        ck_assert_int_eq(a->quiz_right, round == 1);
        ck_assert_str_eq(a->doc->input, "the lantern on the hill"); /* the answer is not a sentence */
    }
    d->choices = choices;
    d->n_choices = n;
    d->answer = answer;
    d->answer_model = false;
    app_headless_destroy(a);
}
END_TEST

/* The height of the ink of the lines drawn in the lesson panel's narration
 * column: the tallest line, top of 'h' to bottom of 'p' */
static int narration_ink_height(const App *a)
{
    const Render *r = &a->render;
    int x0 = r->width - app_lesson_panel_width(a, r->width);
    Color bg = a->theme.panel;
    int tallest = 0;
    int title_y = -1;
    for (int i = 0; i < r->n_text_boxes; i++) {
        Box b = r->text_boxes[i];
        if (b.x < x0) continue;
        if (title_y < 0 || b.y < title_y) title_y = b.y;
    }
    for (int i = 0; i < r->n_text_boxes; i++) {
        Box b = r->text_boxes[i];
        if (b.x < x0 || b.y < title_y + b.h * 3 || b.y + b.h > r->height - b.h * 3) continue; /* head, title, footer */
        int top = -1, bottom = -1;
        for (int y = b.y; y < b.y + b.h; y++)
            for (int x = b.x; x < b.x + b.w; x++) {
                Color c = app_headless_pixel(a, x, y);
                if (abs(c.r - bg.r) + abs(c.g - bg.g) + abs(c.b - bg.b) > 200) {
                    if (top < 0) top = y;
                    bottom = y;
                    break;
                }
            }
        if (top >= 0 && bottom - top + 1 > tallest) tallest = bottom - top + 1;
    }
    return tallest;
}

/* Presenter mode at 1920x1080: the narration's glyphs (ascender to
 * descender) are at least 28 px tall, taller than without it */
START_TEST(presenter_narration_is_large)
{
    App *a = open_lesson(1920, 1080);
    app_goto_lesson_step(a, 1);
    app_draw(a);
    int normal = narration_ink_height(a);
    a->presenter = true;
    theme_get(&a->theme, a->dark, true);
    app_draw(a);
    int big = narration_ink_height(a);
    fprintf(stderr, "narration ink height at 1080p: %d px, presenter %d px\n", normal, big);
    ck_assert_int_ge(big, 28);
    ck_assert_int_lt(normal, big);
    app_headless_destroy(a);
}
END_TEST

/* The cell diagrams in presenter mode at 1280x720, lesson panel open:
 * no two of a cell's boxes (gates, candidate, tanh) intersect, and the
 * selected unit's equations are set at 14 px or more (their text boxes) */
START_TEST(inspector_boxes_apart_in_presenter)
{
    App *a = open_lesson(1280, 720);
    a->presenter = true;
    theme_get(&a->theme, a->dark, true);
    app_goto_lesson_step(a, 3); /* the inspector, unit 3 selected */
    static const int want_boxes[] = {2, 3, 5};
    for (int m = 0; m < a->doc->n_models; m++) {
        a->model = m;
        a->layer = 1; /* Embedding, then the recurrent layer */
        a->dir = 0;
        a->view = VIEW_INSPECTOR;
        a->has_selected = true;
        a->selected = (Hot){.kind = HOT_UNIT, .model = (short)m, .layer = (short)a->layer, .t = (short)a->step, .vec = VEC_H, .unit = 3};
        a->anim = 1.0f;
        app_draw(a);
        const Render *r = &a->render;
        Box boxes[16];
        int n = 0;
        for (int i = 0; i < r->n_hot && n < 16; i++)
            if (r->hot[i].kind == HOT_DIAGRAM) boxes[n++] = r->hot[i].box;
        ck_assert_int_eq(n, want_boxes[a->doc->models[m].model.layers[a->layer].cell[0].kind]);
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
                ck_assert_msg(!box_overlap(boxes[i], boxes[k]), "model %d: boxes %d,%d %dx%d and %d,%d %dx%d intersect", m,
                              boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].h, boxes[k].x, boxes[k].y, boxes[k].w, boxes[k].h);
        /* the equations: the lowest text lines of the view, in the mono type */
        int eq_lines = 0;
        for (int i = 0; i < r->n_text_boxes; i++) {
            Box b = r->text_boxes[i];
            if (b.y > r->height * 7 / 10 && b.x < r->width - app_lesson_panel_width(a, r->width) && b.h < 40 && b.w > 200) {
                ck_assert_int_ge(b.h, render_line_height(&a->render, 14, FONT_MONO) - 1);
                eq_lines++;
            }
        }
        ck_assert_int_ge(eq_lines, 1);
    }
    app_headless_destroy(a);
}
END_TEST

/* One colour scale per lesson: c's range is the same for two sentences,
 * and a c square has the colour of its value on that scale. */
START_TEST(one_colour_scale_per_lesson)
{
    App *a = open_memory(1920, 1080);
    const DocModel *dm = &a->doc->models[2];
    float scale = dm->c_range;
    ck_assert_float_gt(scale, 1.0f);
    ck_assert_float_eq(scale, dm->c_scale);
    Err err = {{0}};
    ck_assert_msg(doc_set_input(a->doc, "the old pilot went to the market and at dinner always likes to talk about", &err), "%s", err.msg);
    ck_assert_float_eq(dm->c_range, scale);
    a->model = 2;
    app_set_view(a, VIEW_UNROLLED);
    a->step = a->doc->T - 1;
    a->anim = 1.0f;
    app_draw(a);
    const RunRecord *run = &dm->trace.layers[1].run[0];
    for (int u = 0; u < 32; u += 5) {
        const Hot *h = find_hot(a, HOT_UNIT, -1, a->step, VEC_C, u);
        ck_assert(h);
        Color want = colormap(run->c[(size_t)(a->step + 1) * 32 + u], scale);
        Color got = app_headless_pixel(a, h->box.x + h->box.w / 2 - 1, h->box.y + h->box.h / 2 - 1);
        ck_assert_msg(same_colour(got, want, 2), "unit %d", u);
    }
    app_headless_destroy(a);
}
END_TEST

/* Input attribution (helper attr): lesson 3's "Which words decided" step
 * shades the token cell of "bad", the word with the largest attribution to
 * "negative", in the red end of the map; hovering the "positive" bar turns
 * it to the blue end (one sigmoid unit: the log-odds of the other class is
 * minus this one); the a key turns the shading off. */
static Color token_pixel(const App *a, int t)
{
    const Hot *tok = find_hot(a, HOT_TOKEN, -1, t, -1, -1);
    ck_assert_msg(tok, "no token cell for step %d", t);
    return app_headless_pixel(a, tok->box.x + 5, tok->box.y + 2);
}

START_TEST(attribution_shades_the_deciding_word)
{
    Err err = {{0}};
    char path[4096];
    snprintf(path, sizeof path, "%s/../lessons/03-sentiment.md", tu_path(""));
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    int k = -1;
    for (int i = 0; i < a->doc->lesson.n_steps; i++)
        if (a->doc->lesson.steps[i].dir.attribution) k = i;
    ck_assert_msg(k >= 0, "lesson 3 has no step with attribution");
    app_goto_lesson_step(a, k);
    ck_assert(a->attrib_on);
    a->anim = 1.0f;
    app_draw(a);
    const int T = a->doc->T, last = T - 1;
    ck_assert_int_eq(a->step, last);
    ck_assert_str_eq(a->doc->prompt.words[last], "bad");
    /* the figures, independently of the window's cache */
    const Model *m = &a->doc->models[a->model].model;
    float v[64];
    ck_assert(T <= 64);
    ck_assert(model_attribute(v, m, a->doc->prompt.tokens, NULL, T, last, 0, ATTRIB_GRADIENT, &err));
    float range = 0;
    int top = 0;
    for (int t = 0; t < T; t++) {
        range = fmaxf(range, fabsf(v[t]));
        top = v[t] > v[top] ? t : top;
    }
    ck_assert_int_eq(top, last);
    Color want = colormap(range, range), got = token_pixel(a, last);
    ck_assert_msg(same_colour(got, want, 2), "'bad' is (%d,%d,%d), the red end is (%d,%d,%d)", got.r, got.g, got.b, want.r,
                  want.g, want.b);
    /* a padding token is not shaded */
    ck_assert(!same_colour(token_pixel(a, 0), want, 40));
    /* hover the "positive" bar: the same word, the other end of the map */
    const Hot *bar = find_hot(a, HOT_BAR, -1, last, -1, 1);
    ck_assert_msg(bar, "no bar for 'positive'");
    a->hover = *bar;
    a->has_hover = true;
    app_draw(a);
    want = colormap(-range, range);
    got = token_pixel(a, last);
    ck_assert_msg(same_colour(got, want, 2), "'bad' for positive is (%d,%d,%d), the blue end is (%d,%d,%d)", got.r, got.g, got.b,
                  want.r, want.g, want.b);
    /* Shift+A: occlusion, the drop in p(negative) with each word made padding */
    a->has_hover = false;
    SDL_Event key = {0};
    key.type = SDL_KEYDOWN;
    key.key.keysym.sym = SDLK_a;
    key.key.keysym.mod = KMOD_LSHIFT;
    app_event(a, &key);
    ck_assert(a->attrib_on && a->attrib_occlusion);
    app_draw(a);
    ck_assert(model_attribute(v, m, a->doc->prompt.tokens, NULL, T, last, 0, ATTRIB_OCCLUSION, &err));
    range = 0;
    for (int t = 0; t < T; t++) range = fmaxf(range, fabsf(v[t]));
    ck_assert(range > 0);
    want = colormap(v[last], range);
    got = token_pixel(a, last);
    ck_assert_msg(same_colour(got, want, 2), "'bad' by occlusion is (%d,%d,%d), want (%d,%d,%d)", got.r, got.g, got.b, want.r,
                  want.g, want.b);
    /* the a key turns it off */
    key.key.keysym.mod = 0;
    app_event(a, &key);
    ck_assert(!a->attrib_on);
    app_draw(a);
    ck_assert(!same_colour(token_pixel(a, last), colormap(range, range), 40));
    app_headless_destroy(a);
}
END_TEST

/* A narration too long for the panel (presenter mode, large type, 720p)
 * scrolls with the wheel over it, no further than its last line, and
 * back; what the panel shows changes */
START_TEST(narration_scrolls_to_its_end)
{
    App *a = open_lesson(1280, 720);
    a->presenter = true;
    a->font_scale = 1.6f;
    theme_get(&a->theme, a->dark, true);
    app_goto_lesson_step(a, 3);
    app_draw(a);
    const Hot *region = NULL;
    for (int i = 0; i < a->render.n_hot; i++)
        if (a->render.hot[i].kind == HOT_BUTTON && a->render.hot[i].unit == BTN_NARRATION) region = &a->render.hot[i];
    ck_assert_ptr_nonnull(region);
    int most = region->t;
    ck_assert_int_gt(most, 0); /* it does not fit */
    Box pb = region->box;
    int px = pb.x + pb.w / 2, py = pb.y + pb.h / 2;
    push(a, mouse(SDL_MOUSEMOTION, px, py));
    unsigned long before = 0, after = 0;
    for (int y = pb.y; y < pb.y + pb.h; y += 2)
        for (int x = pb.x; x < pb.x + pb.w; x += 2) before = before * 31 + app_headless_pixel(a, x, y).r;
    SDL_Event w = {0};
    w.type = SDL_MOUSEWHEEL;
    w.wheel.y = -1;
    for (int k = 0; k < 50; k++) push(a, w);
    ck_assert_int_eq(a->lesson_scroll, most);
    for (int y = pb.y; y < pb.y + pb.h; y += 2)
        for (int x = pb.x; x < pb.x + pb.w; x += 2) after = after * 31 + app_headless_pixel(a, x, y).r;
    ck_assert(before != after);
    w.wheel.y = 1;
    push(a, w);
    ck_assert_int_eq(a->lesson_scroll, most > 3 ? most - 3 : 0);
    for (int k = 0; k < 50; k++) push(a, w);
    ck_assert_int_eq(a->lesson_scroll, 0);
    app_headless_destroy(a);
}
END_TEST

/* ---- cut helper: whole words under the steps, whole steps, inspector
 * labels clear of the wires ---- */
static App *open_lesson_file(const char *file, int w, int h, bool presenter)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/../lessons/%s", tu_path(""), file);
    Err err = {{0}};
    App *a = app_headless_create(w, h, &err);
    ck_assert_msg(a, "%s", err.msg);
    ck_assert_msg(app_headless_open(a, p, &err), "%s", err.msg);
    a->presenter = presenter;
    theme_get(&a->theme, a->dark, presenter);
    a->anim = 1.0f;
    return a;
}

/* ---- tensors (lesson 7): the Tensors view ---- */

/* Lesson 7's padding step: the view's padded row is the 20 ids of "The tea
 * was LOVELY, again!" (15 zeros, then 2 52 3 17 34: worked from the
 * shipped word_index in test_lessons), each box a HOT_TOKEN of its step;
 * the 15 padding boxes are hatched in the pad colour and the 5 word boxes
 * have none of it; key 9 opens the view */
START_TEST(tensors_view_hatches_padding)
{
    const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int z = 0; z < 2; z++) {
        App *a = open_lesson_file("07-tensors.md", sizes[z][0], sizes[z][1], z == 1);
        app_set_view(a, VIEW_UNROLLED);
        push(a, key(SDLK_9));
        ck_assert_int_eq(a->view, VIEW_TENSORS);
        ck_assert_str_eq(view_kind_name(VIEW_TENSORS), "tensors");
        int k = -1;
        for (int i = 0; i < a->doc->lesson.n_steps; i++)
            if (!strcmp(a->doc->lesson.steps[i].title, "Padding")) k = i;
        ck_assert_int_ge(k, 0);
        app_goto_lesson_step(a, k);
        ck_assert_int_eq(a->view, VIEW_TENSORS);
        app_draw(a);
        static const int ids[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 52, 3, 17, 34};
        Color hatch = view_tensors_pad_color(&a->theme);
        int found = 0;
        for (int i = 0; i < a->render.n_hot; i++) {
            const Hot *h = &a->render.hot[i];
            if (h->kind != HOT_TOKEN || h->layer != -1) continue;
            ck_assert_int_lt(h->t, 20);
            ck_assert_int_eq(h->unit, ids[h->t]);
            ck_assert_int_eq(a->doc->stages.padded_from[h->t] < 0, h->t < 15);
            int hatched = 0;
            for (int y = h->box.y + 2; y < h->box.y + h->box.h - 2; y++)
                for (int x = h->box.x + 2; x < h->box.x + h->box.w - 2; x++)
                    hatched += same_colour(app_headless_pixel(a, x, y), hatch, 2);
            if (h->t < 15) ck_assert_msg(hatched >= h->box.h, "pad box %d: %d hatch pixels", h->t, hatched);
            else ck_assert_msg(hatched == 0, "word box %d: %d hatch pixels", h->t, hatched);
            found++;
        }
        ck_assert_int_eq(found, 20);
        /* the shapes the stages have: (1, 5) ids, (1, 20) padded */
        ck_assert_int_eq(a->doc->stages.n_seq, 5);
        ck_assert_int_eq(a->doc->stages.padded.n, 20);
        /* clicking a padded box moves to its step */
        const Hot *h17 = find_hot(a, HOT_TOKEN, -1, 17, -1, 3);
        ck_assert_ptr_nonnull(h17);
        int cx = h17->box.x + h17->box.w / 2, cy = h17->box.y + h17->box.h / 2;
        push(a, mouse(SDL_MOUSEMOTION, cx, cy));
        push(a, mouse(SDL_MOUSEBUTTONDOWN, cx, cy));
        ck_assert_int_eq(a->step, 17);
        app_headless_destroy(a);
    }
}
END_TEST

/* b is word drawn whole: its box is the word's size in the body or the
 * small type (regular or bold); a cut word ("b…") is narrower */
static bool drawn_whole(App *a, const char *word, Box b)
{
    const int sizes[2] = {app_px(a, TEXT_BODY), app_px(a, TEXT_SMALL)};
    for (int k = 0; k < 2; k++)
        for (int st = FONT_REGULAR; st <= FONT_BOLD; st++) {
            int w = 0, h = 0;
            render_text_size(&a->render, word, sizes[k], (FontStyle)st, &w, &h);
            if (w == b.w && h == b.h) return true;
        }
    return false;
}

/* Every word drawn under the steps of the current view is whole: for each
 * HOT_TOKEN region (one per word shown) a text box centred within it, below
 * its top, is the whole word; no two such words overlap. Returns how many
 * words were checked; *saw_step says whether the current step's was. */
static int check_tokens_whole(App *a, const char *what, bool *saw_step)
{
    const Render *r = &a->render;
    Box words[256];
    int n = 0;
    *saw_step = false;
    for (int i = 0; i < r->n_hot; i++) {
        const Hot *h = &r->hot[i];
        if (h->kind != HOT_TOKEN || h->t < 0 || h->t >= a->doc->T) continue;
        char wb[64];
        const char *w = doc_word(a->doc, h->t, wb, sizeof wb);
        if (!*w || (a->doc->models[a->model].model.token_input && a->doc->prompt.tokens[h->t] == 0)) continue; /* padding: a dash */
        int found = -1;
        for (int k = 0; k < r->n_text_boxes && found < 0; k++) {
            Box b = r->text_boxes[k];
            int cx = b.x + b.w / 2;
            if (cx >= h->box.x - 1 && cx <= h->box.x + h->box.w && b.y >= h->box.y - 4 && b.y < h->box.y + h->box.h &&
                drawn_whole(a, w, b))
                found = k;
        }
        ck_assert_msg(found >= 0, "%s: the word \"%s\" at position %d is not drawn whole", what, w, h->t + 1);
        if (h->t == a->step) *saw_step = true;
        if (n < 256) words[n++] = r->text_boxes[found];
    }
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            ck_assert_msg(!box_overlap(words[i], words[k]), "%s: two words overlap at x %d and %d", what, words[i].x, words[k].x);
    return n;
}

/* Lesson 2's sentence (29 words; "baker" is word 4): in the compare, the
 * gradients and the unrolled views, at 1920x1080 and 1280x720, light and
 * presenter, every word shown under the steps is whole, the current one
 * among them, and at least 8 are shown */
START_TEST(token_words_whole_in_every_step_view)
{
    static const int sizes[2][2] = {{1920, 1080}, {1280, 720}};
    static const ViewKind views[3] = {VIEW_COMPARE, VIEW_GRADIENTS, VIEW_UNROLLED};
    for (int z = 0; z < 2; z++)
        for (int pr = 0; pr < 2; pr++) {
            App *a = open_lesson_file("02-memory.md", sizes[z][0], sizes[z][1], pr);
            app_goto_lesson_step(a, 0); /* "baker" */
            for (int v = 0; v < 3; v++)
                for (int k = 0; k < 2; k++) {
                    a->view = views[v];
                    app_set_step(a, k ? a->doc->T - 1 : 3);
                    a->anim = 1.0f;
                    app_draw(a);
                    char what[96];
                    snprintf(what, sizeof what, "view %d at %dx%d%s, step %d", (int)views[v], sizes[z][0], sizes[z][1],
                             pr ? " presenter" : "", a->step + 1);
                    bool saw = false;
                    int n = check_tokens_whole(a, what, &saw);
                    ck_assert_msg(n >= 8, "%s: only %d words shown", what, n);
                    ck_assert_msg(saw, "%s: the current word is not shown whole", what);
                }
            app_headless_destroy(a);
        }
}
END_TEST

/* Presenter mode, lesson 3's padding step (step 10 of 10): the unrolled
 * view shows all ten steps whole (a cell region for each; a cell cut by
 * the edge registers none), and the words whole; lesson 2 at "baker"
 * shows whole steps from the first, the words whole */
START_TEST(presenter_unrolled_shows_whole_steps)
{
    static const int sizes[2][2] = {{1920, 1080}, {1280, 720}};
    for (int z = 0; z < 2; z++) {
        App *a = open_lesson_file("03-sentiment.md", sizes[z][0], sizes[z][1], true);
        app_goto_lesson_step(a, 2);
        a->view = VIEW_UNROLLED;
        a->anim = 1.0f;
        app_draw(a);
        ck_assert_int_eq(a->doc->T, 10);
        for (int t = 0; t < a->doc->T; t++)
            ck_assert_msg(find_hot(a, HOT_CELL, -1, t, -1, -1), "%dx%d: step %d of lesson 3 is not shown whole", sizes[z][0],
                          sizes[z][1], t + 1);
        bool saw = false;
        ck_assert_int_ge(check_tokens_whole(a, "lesson 3 presenter", &saw), 4);
        ck_assert(saw);
        app_headless_destroy(a);
        a = open_lesson_file("02-memory.md", sizes[z][0], sizes[z][1], true);
        app_goto_lesson_step(a, 0);
        a->view = VIEW_UNROLLED;
        a->anim = 1.0f;
        app_draw(a);
        ck_assert_int_eq(a->step, 3);
        for (int t = 0; t <= a->step; t++)
            ck_assert_msg(find_hot(a, HOT_CELL, -1, t, -1, -1), "%dx%d: step %d of lesson 2 is not shown whole", sizes[z][0],
                          sizes[z][1], t + 1);
        ck_assert_int_ge(check_tokens_whole(a, "lesson 2 presenter", &saw), 8);
        ck_assert(saw);
        app_headless_destroy(a);
    }
}
END_TEST

/* whether the segment (thickened) passes through box b */
static bool line_hits_box(const RenderLine *l, Box b)
{
    float grow = l->thickness / 2.0f;
    float len = hypotf(l->x1 - l->x0, l->y1 - l->y0);
    int n = (int)(len * 2.0f) + 1;
    for (int i = 0; i <= n; i++) {
        float x = l->x0 + (l->x1 - l->x0) * i / n, y = l->y0 + (l->y1 - l->y0) * i / n;
        if (x + grow >= b.x && x - grow <= b.x + b.w && y + grow >= b.y && y - grow <= b.y + b.h) return true;
    }
    return false;
}

static Box box_union(Box a, Box b)
{
    if (a.w == 0) return b;
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w, y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (Box){x0, y0, x1 - x0, y1 - y0};
}

/* the gap between two boxes (0 when they touch or overlap) */
static int box_gap(Box a, Box b)
{
    int dx = a.x > b.x + b.w ? a.x - b.x - b.w : (b.x > a.x + a.w ? b.x - a.x - a.w : 0);
    int dy = a.y > b.y + b.h ? a.y - b.y - b.h : (b.y > a.y + a.h ? b.y - a.y - a.h : 0);
    return dx > dy ? dx : dy;
}

/* The labels of the gate-value strips (f, i, g, o; z, r, n) and of GRU's
 * (1-z)·n and r·(…) strips, in the inspector, at 1280x720 and 1920x1080
 * presenter and light: each label (the text box nearest its strip) touches
 * no line or arrow drawn, no box of the diagram, no other strip (nor the 3
 * px of panel around it, which would cover it) and stays in the view.
 * (The labels of the strips on the c and h lines are not checked: they
 * still sit on their line.) */
START_TEST(inspector_labels_clear_of_wires)
{
    static const int sizes[2][2] = {{1920, 1080}, {1280, 720}};
    for (int z = 0; z < 2; z++)
        for (int pr = 0; pr < 2; pr++) {
            App *a = open_lesson_file("02-memory.md", sizes[z][0], sizes[z][1], pr);
            app_goto_lesson_step(a, 2); /* the inspector */
            for (int m = 0; m < a->doc->n_models; m++) {
                a->model = m;
                a->layer = doc_first_rnn(&a->doc->models[m]);
                a->dir = 0;
                a->view = VIEW_INSPECTOR;
                a->has_selected = false;
                a->anim = 1.0f;
                app_draw(a);
                const Render *r = &a->render;
                CellKind kind = a->doc->models[m].model.layers[a->layer].cell[0].kind;
                Box strips[VEC_COUNT] = {{0}};
                for (int i = 0; i < r->n_hot; i++)
                    if (r->hot[i].kind == HOT_UNIT && r->hot[i].vec < VEC_COUNT)
                        strips[r->hot[i].vec] = box_union(strips[r->hot[i].vec], r->hot[i].box);
                VecKind want[6];
                int nw = 0;
                if (kind == CELL_LSTM)
                    for (int k = 0; k < 4; k++) want[nw++] = (VecKind)(VEC_GATE0 + k);
                if (kind == CELL_GRU) {
                    for (int k = 0; k < 3; k++) want[nw++] = (VecKind)(VEC_GATE0 + k);
                    want[nw++] = VEC_ZN;
                    want[nw++] = VEC_RH;
                }
                int view_right = r->width - app_lesson_panel_width(a, r->width);
                for (int q = 0; q < nw; q++) {
                    Box s = strips[want[q]];
                    ck_assert_msg(s.w > 0, "model %d: no strip for vec %d", m, (int)want[q]);
                    int best = -1, gap = 1 << 30;
                    for (int i = 0; i < r->n_text_boxes; i++) {
                        int g = box_gap(s, r->text_boxes[i]);
                        if (g < gap) gap = g, best = i;
                    }
                    ck_assert_int_ge(best, 0);
                    Box lb = r->text_boxes[best];
                    char what[96];
                    snprintf(what, sizeof what, "%dx%d%s model %d vec %d label at %d,%d %dx%d", sizes[z][0], sizes[z][1],
                             pr ? " presenter" : "", m, (int)want[q], lb.x, lb.y, lb.w, lb.h);
                    ck_assert_msg(gap <= 3 * app_px(a, TEXT_SMALL), "%s: too far from its strip", what);
                    ck_assert_msg(lb.x >= 0 && lb.x + lb.w <= view_right, "%s: leaves the view", what);
                    for (int i = 0; i < r->n_lines; i++)
                        ck_assert_msg(!line_hits_box(&r->lines[i], lb), "%s: touches the line %.0f,%.0f-%.0f,%.0f", what,
                                      (double)r->lines[i].x0, (double)r->lines[i].y0, (double)r->lines[i].x1, (double)r->lines[i].y1);
                    for (int i = 0; i < r->n_hot; i++)
                        if (r->hot[i].kind == HOT_DIAGRAM)
                            ck_assert_msg(!box_overlap(r->hot[i].box, lb), "%s: on a box of the diagram", what);
                    for (int v = 0; v < VEC_COUNT; v++) {
                        Box o = strips[v];
                        if (o.w == 0 || v == (int)want[q]) continue; /* its own strip: beside it */
                        Box ring = {o.x - 4, o.y - 4, o.w + 8, o.h + 8};
                        ck_assert_msg(!box_overlap(ring, lb), "%s: on the strip of vec %d", what, v);
                    }
                }
            }
            app_headless_destroy(a);
        }
}
END_TEST

/* Presenter mode's larger tabs leave the title less room: it drops to the
 * body type rather than being cut ("Next word on s..." before), and in the
 * normal theme it keeps the title type. */
START_TEST(presenter_title_whole)
{
    App *a = open_lesson(1920, 1080);
    const char *title = a->doc->title;
    for (int presenter = 0; presenter < 2; presenter++) {
        a->presenter = presenter == 1;
        theme_get(&a->theme, a->dark, a->presenter);
        app_draw(a);
        int px = app_px(a, presenter ? TEXT_BODY : TEXT_TITLE), want = 0;
        render_text_size(&a->render, title, px, FONT_BOLD, &want, NULL);
        /* one line, or (presenter mode beside nine tabs) two lines of the
         * body type: their widths and the space between add up to the whole */
        int lines = 0, total = 0, space = 0;
        render_text_size(&a->render, " ", px, FONT_BOLD, &space, NULL);
        for (int i = 0; i < a->render.n_text_boxes; i++) {
            Box b = a->render.text_boxes[i];
            if (b.x != app_px(a, TEXT_BODY) || b.y > app_px(a, TEXT_TITLE) * 2) continue; /* at the left margin, in the top bar */
            total += (lines ? space : 0) + b.w;
            lines++;
        }
        ck_assert_msg(lines >= 1, "presenter %d: no title drawn", presenter);
        ck_assert_msg(lines <= 1 + presenter, "presenter %d: the title on %d lines", presenter, lines);
        ck_assert_msg(abs(total - want) <= 2, "presenter %d: the title is %d px wide in %d lines, whole it is %d", presenter, total, lines,
                      want);
    }
    app_headless_destroy(a);
}
END_TEST

/* variants: a lesson of two named models with a validation set, prepared by
 * the CLI; the training view's curves (recomputed from history.bin) equal
 * the models' own evaluation: the last snapshot's validation figures equal
 * evaluate_rows of the saved model on the validation file (tokenized apart),
 * and prepare's report names the validation rows. */
START_TEST(variants_history_curves)
{
    char *tmp = tu_tmpdir(), path[4200], data[4200], val[4200];
    snprintf(data, sizeof data, "%s/d.jsonl", tmp);
    snprintf(val, sizeof val, "%s/v.jsonl", tmp);
    snprintf(path, sizeof path, "%s/v.md", tmp);
    static const char *const good[] = {"warm", "kind", "bright", "calm"}, *const bad[] = {"cold", "grim", "dull", "sour"};
    char rows[8192];
    size_t n = 0;
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(rows + n, sizeof rows - n, "{\"text\": \"the %s day was %s\", \"label\": %d}\n",
                              i % 3 ? "long" : "short", i % 2 ? good[i / 2 % 4] : bad[i / 2 % 4], i % 2);
    tu_write_bytes(data, rows, n);
    n = 0;
    for (int i = 0; i < 6; i++)
        n += (size_t)snprintf(rows + n, sizeof rows - n, "{\"text\": \"a %s night felt %s\", \"label\": %d}\n",
                              i % 3 ? "long" : "short", i % 2 ? good[i % 4] : bad[i % 4], i % 2);
    tu_write_bytes(val, rows, n);
    const char *lesson = "---\ntitle: V\ntask: classify\nlabels: [bad, good]\ndata: d.jsonl\nvalidation: v.jsonl\n"
                         "variants:\n  conv: \"input:6, embedding:V:4, conv1d:3:2:relu, gmaxpool, dense:1:sigmoid\"\n"
                         "  gru: \"input:6, embedding:V:4:mask, gru:4, dense:1:sigmoid\"\n"
                         "maxlen: 6\nepochs: 3\nbatch_size: 8\nseed: 3\nmodels: m\nsentence: \"the day was warm\"\n---\n## s\nText.\n";
    tu_write_bytes(path, lesson, strlen(lesson));
    char *out = NULL, *errs = NULL;
    int rc = tu_run((char *const[]){(char *)getenv("UNROLL_BIN"), "prepare", path, NULL}, &out, &errs);
    ck_assert_msg(rc == 0, "prepare: %s", errs);
    ck_assert_msg(strstr(out, "conv ") && strstr(out, "validation (6 rows)") && strstr(out, "s/epoch"), "%s", out);
    free(out);
    free(errs);
    Err err = {{0}};
    Lesson l;
    ck_assert_msg(lesson_load(&l, path, &err), "%s", err.msg);
    char *gdir = lesson_model_dir(&l, 1);
    ck_assert(strstr(gdir, "/m/gru"));
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    bool opened = app_headless_open(a, path, &err);
    if (opened) {
        Doc *d = a->doc;
        ck_assert(doc_curves_pending(d));
        while (doc_curves_pending(d)) doc_curves_advance(d, 0.0);
        ck_assert_str_eq(d->curve_error, "");
        for (int k = 0; k < d->n_models; k++) {
            const DocModel *dm = &d->models[k];
            ck_assert_int_eq(dm->hist.n, 4);
            ck_assert_int_eq(dm->curve_done, 4);
            int rows_n = 0;
            double acc = 0, loss = 0;
            /* the weights as saved: the curves put them back */
            ck_assert_msg(evaluate_rows(&dm->model, &d->tok, val, &rows_n, &acc, &loss, &err), "%s", err.msg);
            ck_assert_int_eq(rows_n, 6);
            ck_assert_float_eq_tol(dm->curve_vloss[3], loss, 1e-5);
            ck_assert_float_eq_tol(dm->curve_vacc[3], acc, 1e-6);
            ck_assert_msg(dm->curve_loss[0] != dm->curve_loss[3], "training moved nothing");
        }
        app_set_view(a, VIEW_TRAINING);
        app_draw(a);
    } else {
        /* the conv variant needs the convolution view: then the gru model's history is checked */
        ck_assert_msg(strstr(err.msg, "recurrent"), "%s", err.msg);
        Model g;
        ck_assert_msg(model_load(&g, gdir, &err), "%s", err.msg);
        History h;
        bool absent = false;
        ck_assert_msg(history_load_beside(&h, gdir, g.n_params, &absent, &err), "%s", err.msg);
        ck_assert_int_eq(h.n, 4);
        history_free(&h);
        model_free(&g);
    }
    free(gdir);
    lesson_unload(&l);
    app_headless_destroy(a);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* variants: a lesson with a validation set shows each model's held-out
 * accuracy in the predictions view; the figure is the model's own on the
 * validation rows (evaluate_rows reads and tokenizes the file apart), and
 * it follows the epoch slider */
START_TEST(heldout_accuracy_follows_the_weights)
{
    Err err = {{0}};
    App *a = app_headless_create(1280, 720, &err);
    ck_assert_msg(a, "%s", err.msg);
    char path[4200], probe[4200];
    snprintf(path, sizeof path, "%s/../lessons/02-memory.md", tu_path(""));
    snprintf(probe, sizeof probe, "%s/../lessons/memory/probe.jsonl", tu_path(""));
    ck_assert_msg(app_headless_open(a, path, &err), "%s", err.msg);
    Doc *d = a->doc;
    for (int round = 0; round < 2; round++) {
        for (int m = 0; m < d->n_models; m++) {
            const DocModel *dm = &d->models[m];
            ck_assert_int_eq(dm->heldout_rows, 200);
            int n = 0;
            double acc = 0, loss = 0;
            ck_assert_msg(evaluate_rows(&dm->model, &d->tok, probe, &n, &acc, &loss, &err), "%s", err.msg);
            ck_assert_int_eq(n, 200);
            ck_assert_float_eq_tol(dm->heldout_acc, acc, 1e-9);
            ck_assert_float_eq_tol(dm->heldout_loss, loss, 1e-4);
        }
        if (round == 0) {
            double trained = d->models[2].heldout_acc;
            ck_assert_msg(doc_set_epoch(d, 0, &err), "%s", err.msg); /* Keras' initial weights */
            ck_assert_msg(d->models[2].heldout_acc < trained - 0.3, "LSTM held out %g at epoch 0, %g trained",
                          d->models[2].heldout_acc, trained);
        }
    }
    app_set_view(a, VIEW_PREDICTIONS);
    app_draw(a);
    app_headless_destroy(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("window");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, unit_square_has_its_value_colour);
    tcase_add_test(tc, current_step_is_highlighted);
    tcase_add_test(tc, light_and_dark_differ);
    tcase_add_loop_test(tc, text_boxes_do_not_overlap, 0, 3);
    tcase_add_test(tc, events_step_inspect_and_hover);
    tcase_add_test(tc, random_events);
    tcase_add_test(tc, broken_model_shows_a_message);
    tcase_add_test(tc, training_cancels_cleanly);
    tcase_add_test(tc, training_in_slices_equals_the_thread); /* webtrain */
    tcase_add_test(tc, lesson_browser);
    tcase_add_test(tc, input_bar_edits_like_a_text_field);
    tcase_add_test(tc, unknown_words_follow_the_tokenizer);
    tcase_add_test(tc, views_by_number_and_hover_cleared);
    tcase_add_test(tc, presenter_mode_follows_the_window);
    tcase_add_test(tc, text_cache_is_bounded);
    tcase_add_test(tc, presenter_title_whole);
    suite_add_tcase(s, tc);
    tc = tcase_create("mutants");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, colormap_known_values);
    tcase_add_test(tc, arrows_follow_go_backwards);
    tcase_add_test(tc, backward_lane_stands_above_its_tokens);
    tcase_add_test(tc, c_range_is_the_largest_magnitude);
    tcase_add_test(tc, big_strips_hover_names_the_unit);
    tcase_add_test(tc, input_job_equals_set_input);
    tcase_add_test(tc, classifier_panels_start_at_class_zero);
    tcase_add_test(tc, lesson_highlights_are_outlined);
    /* chart helper */
    tcase_add_test(tc, unitpick_known_answers);
    tcase_add_test(tc, chart_line_has_its_value_colour);
    tcase_add_test(tc, heat_map_puts_the_picked_units_on_top);
    tcase_add_test(tc, one_grid_for_h_and_c);
    tcase_add_test(tc, one_colour_scale_per_lesson);
    tcase_add_test(tc, attribution_shades_the_deciding_word); /* helper attr */
    tcase_add_test(tc, quiz_click_judges); /* helper quiz */
    tcase_add_test(tc, quiz_typed_answer);
    tcase_add_test(tc, presenter_narration_is_large);
    tcase_add_test(tc, inspector_boxes_apart_in_presenter);
    tcase_add_test(tc, narration_scrolls_to_its_end);
    tcase_add_test(tc, token_words_whole_in_every_step_view); /* cut helper */
    tcase_add_test(tc, presenter_unrolled_shows_whole_steps);
    tcase_add_test(tc, inspector_labels_clear_of_wires);
    tcase_add_test(tc, variants_history_curves);
    tcase_add_test(tc, heldout_accuracy_follows_the_weights);
    tcase_add_test(tc, tensors_view_hatches_padding); /* tensors (lesson 7) */
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
