/* app: the window's state and what changes it: opening documents, the
 * current step, view, model and layer, a lesson's steps, the lesson list,
 * the input sentence, sizes of type. Events (app_events.c) and commands
 * (app_commands.c) call these; nothing here draws. */
#define _POSIX_C_SOURCE 200809L
#include "app_internal.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void app_set_message(App *a, const char *msg, bool error)
{
    snprintf(a->message, sizeof a->message, "%s", msg);
    a->message_is_error = error;
    a->dirty = true;
}

int app_step_count(const App *a)
{
    return a->has_doc ? a->doc->T : 0;
}

void app_pick_layer(App *a)
{
    a->layer = a->has_doc ? doc_first_rnn(&a->doc->models[a->model]) : 0;
    if (a->layer < 0) a->layer = conv_first_layer(&a->doc->models[a->model].model); /* conv helper: a model without one */
    a->dir = 0;
    a->has_selected = false;
}

void app_set_view(App *a, ViewKind v)
{
    if ((unsigned)v >= VIEW_COUNT) return;
    if (v != a->view) a->has_hover = false; /* its square belongs to the old view */
    a->view = v;
    a->dirty = true;
}

void app_set_step(App *a, int t)
{
    int n = app_step_count(a);
    if (n == 0) return;
    if (t < 0) t = 0;
    if (t > n - 1) t = n - 1;
    if (t != a->step) {
        a->anim_start_ms = a->now_ms;
        a->anim = 0.0f;
    }
    a->step = t;
    a->dirty = true;
}

void app_init(App *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->font_scale = 1.0f;
    a->dpi = 1.0f;
    a->zoom = 1.0f;
    a->anim = 1.0f;
    a->lesson_step = -1;
    a->quiz_pick = -1;
    a->view = VIEW_UNROLLED;
    a->attrib_class = -1;
    theme_get(&a->theme, false, false);
    train_run_init(&a->train);
    a->dirty = true;
    if (path) app_open(a, path);
}

void app_free(App *a)
{
    app_input_job_end(a, false);
    app_train_cancel(a);
    app_train_join(a);
    if (a->has_doc) {
        doc_close(a->doc);
        free(a->doc);
    }
    a->doc = NULL;
    a->has_doc = false;
    app_attrib_free(a);
}

void app_open(App *a, const char *path)
{
#ifdef __EMSCRIPTEN__
    /* the page downloads a lesson's files when it is first opened
     * (app_window.c); it opens when they are there */
    if (!app_web_files_ready(a, path)) return;
#endif
    app_input_job_end(a, false);
    Doc *d = xcalloc(1, sizeof *d);
    Err err = {{0}};
    if (!doc_open(d, path, &err)) {
        free(d);
        app_set_message(a, err.msg, true);
        return;
    }
    app_free(a);
    a->doc = d;
    a->has_doc = true;
    app_open_done(a);
#ifdef __EMSCRIPTEN__
    app_web_opened(a, path);
#endif
}

/* a lesson opens at its first step with its narration, a model at its last step */
/* the first real word: a sentence padded in front opens past its padding */
static int first_word_step(const Doc *d)
{
    int t = 0;
    while (t < d->T - 1 && d->prompt.words && !d->prompt.words[t][0]) t++;
    return t;
}

void app_open_done(App *a)
{
    a->highlight_vec = -1;
    a->has_hover = false;
    a->has_selected = false;
    if (a->editing) SDL_StopTextInput();
    a->editing = false;
    a->model = a->doc->n_models - 1; /* the richest cell (LSTM) of a lesson */
    app_pick_layer(a);
    a->step = a->doc->is_lesson ? first_word_step(a->doc) : a->doc->T - 1;
    a->anim = 1.0f;
    a->scroll = 0;
    a->zoom = 1.0f;
    a->lesson_step = -1;
    a->n_chart_units = 0; /* chart helper */
    app_quiz_reset(a);
    a->lesson_scroll = 0;
    a->show_lesson = a->doc->is_lesson;
    a->view = a->doc->is_lesson ? a->doc->lesson.view : VIEW_UNROLLED;
    a->message[0] = '\0';
    a->dirty = true;
    a->train_units = 0; /* as the lesson's spec says */
    a->train_epochs = a->doc->is_lesson ? a->doc->lesson.epochs : 20;
    a->train_seed = a->doc->is_lesson ? a->doc->lesson.seed : 1;
    a->train_lr = 0;       /* hist: the lesson's learning rate */
    a->train_clipnorm = 0; /* hist: no clipping */
    a->train_sgd = false;
    a->epoch_drag = false;
    train_run_reset(&a->train);
    doc_generate_begin(a->doc, &a->gen, NULL, 1);
    a->attrib_on = false;
    a->attrib_occlusion = false;
    a->attrib_class = -1;
    a->attrib.valid = false;
}

/* a new input is in the document: back to its first step */
static void input_installed(App *a)
{
    a->message[0] = '\0';
    a->step = first_word_step(a->doc);
    a->highlight_vec = -1;
    a->anim = 0.0f;
    a->anim_start_ms = a->now_ms;
    a->has_selected = false;
    a->has_hover = false;
    a->dirty = true;
}

bool app_set_input(App *a, const char *text)
{
    Err err = {{0}};
    if (!a->has_doc) return false;
    app_input_job_end(a, false); /* a typed sentence still computing gives way */
    if (!doc_set_input(a->doc, text, &err)) {
        app_set_message(a, err.msg, true);
        return false;
    }
    input_installed(a);
    return true;
}

/* runs on the job's thread: wakes the window's loop */
static void input_job_done(void *user)
{
    (void)user;
    SDL_Event e = {0};
    e.type = SDL_USEREVENT;
    SDL_PushEvent(&e);
}

bool app_set_input_async(App *a, const char *text)
{
    if (a->surface) return app_set_input(a, text); /* headless: at once */
    Err err = {{0}};
    if (!a->has_doc) return false;
    app_input_job_end(a, false);
    a->input_job = doc_job_start(a->doc, text, input_job_done, NULL, &err);
    if (!a->input_job) {
        app_set_message(a, err.msg, true);
        return false;
    }
    a->input_job_ms = a->now_ms;
    a->dirty = true;
    return true;
}

void app_input_job_end(App *a, bool keep)
{
    if (!a->input_job) return;
    if (keep) {
        doc_job_finish(a->input_job, a->doc);
        a->input_job = NULL;
        input_installed(a);
        doc_generate_begin(a->doc, &a->gen, NULL, 1);
    } else {
        doc_job_cancel(a->input_job);
        a->input_job = NULL;
    }
    a->dirty = true;
}

void app_open_inspector(App *a, const Hot *h)
{
    a->model = h->model;
    a->layer = h->layer;
    a->dir = h->dir;
    app_set_step(a, h->t);
    app_set_view(a, VIEW_INSPECTOR);
    a->has_selected = false;
    a->dirty = true;
}

void app_start_editing(App *a)
{
    if (!a->has_doc) return;
    a->editing = true;
    a->quiz_typing = false;
    field_begin(&a->edit, a->doc->input);
    SDL_StartTextInput();
    a->dirty = true;
}

void app_finish_editing(App *a, bool keep)
{
    a->editing = false;
    SDL_StopTextInput();
    if (a->quiz_typing) { /* the answer to a typed quiz, not a sentence */
        a->quiz_typing = false;
        if (keep && a->edit.text[0]) app_quiz_type(a, a->edit.text);
        a->dirty = true;
        return;
    }
    /* Esc: the document still holds the sentence from before */
    if (keep && app_set_input_async(a, a->edit.text) && !a->input_job) doc_generate_begin(a->doc, &a->gen, NULL, 1);
    a->dirty = true;
}

/* the vector a lesson's `highlight:` names (h, c, x, or a gate's letter) */
static VecKind highlight_vec_kind(const char *name)
{
    static const struct {
        const char *name;
        VecKind vec;
    } map[] = {{"h", VEC_H}, {"c", VEC_C}, {"x", VEC_X}, {"i", VEC_GATE0}, {"z", VEC_GATE0}, {"f", VEC_GATE1},
               {"r", VEC_GATE1}, {"g", VEC_GATE2}, {"n", VEC_GATE2}, {"o", VEC_GATE3}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(name, map[i].name) == 0) return map[i].vec;
    return VEC_H;
}

/* input attribution (helper attr): a step's `attribution:` turns the shading
 * on (off when unset) and names the class by its label or word */
static void lesson_step_attribution(App *a, const LessonDirectives *dv)
{
    a->attrib_on = dv->attribution;
    a->attrib_class = -1;
    if (!dv->attribution || !dv->attribution_class) return;
    const Model *m = &a->doc->models[a->model].model;
    for (int k = 0; k < model_attrib_classes(m); k++) {
        char name[64];
        if (strcmp(doc_class_name(a->doc, a->model, k, name, sizeof name), dv->attribution_class) == 0) {
            a->attrib_class = k;
            return;
        }
    }
    char msg[160];
    snprintf(msg, sizeof msg, "attribution: '%s' is not a class of %s; showing the most probable", dv->attribution_class,
             a->doc->models[a->model].label);
    app_set_message(a, msg, true);
}

void app_goto_lesson_step(App *a, int k)
{
    if (!a->has_doc || !a->doc->is_lesson) return;
    const Lesson *l = &a->doc->lesson;
    if (k < -1) k = -1;
    if (k > l->n_steps - 1) k = l->n_steps - 1;
    a->lesson_step = k;
    a->show_lesson = true;
    app_quiz_reset(a);
    a->lesson_scroll = 0;
    a->dirty = true;
    if (k < 0) return;
    const LessonDirectives *dv = &l->steps[k].dir;
    if (dv->sentence) app_set_input(a, dv->sentence);
    if (dv->cell >= 0 && dv->cell < a->doc->n_models) {
        a->model = dv->cell;
        app_pick_layer(a);
    }
    if (dv->has_view) app_set_view(a, dv->view);
    if (dv->epoch >= 0) app_set_epoch(a, dv->epoch); /* hist */
    /* lesson 9: a step that sets the temperature, the sentence or opens the
     * generate view starts generating again (sampling seed 1, as on opening) */
    if (dv->temperature >= 0) a->temperature = dv->temperature;
    if (dv->temperature >= 0 || dv->sentence || (dv->has_view && dv->view == VIEW_GENERATE))
        doc_generate_begin(a->doc, &a->gen, NULL, 1);
    if (dv->step >= 0) app_set_step(a, dv->step);
    /* chart helper: the units a step charts (kept until another step sets them) */
    if (dv->n_units > 0) {
        memcpy(a->chart_units, dv->units, sizeof dv->units);
        a->n_chart_units = dv->n_units;
        a->chart_units_from_lesson = true;
    }
    const Layer *hl = &a->doc->models[a->model].model.layers[a->layer];
    a->highlight_vec = -1;
    a->has_selected = false;
    if (dv->highlight_vec[0] && dv->highlight_unit < 0) a->highlight_vec = (short)highlight_vec_kind(dv->highlight_vec);
    lesson_step_attribution(a, dv);
    if (dv->highlight_unit >= 0 && dv->highlight_vec[0] && dv->highlight_unit < hl->cell[0].units) {
        /* select that unit so the inspector shows its equation */
        a->has_selected = true;
        memset(&a->selected, 0, sizeof a->selected);
        a->selected.kind = HOT_UNIT;
        a->selected.model = (short)a->model;
        a->selected.layer = (short)a->layer;
        a->selected.t = (short)a->step;
        a->selected.unit = dv->highlight_unit;
        a->selected.vec = (short)highlight_vec_kind(dv->highlight_vec);
    }
}

/* ---- hist: the training history's epoch slider ---- */

void app_set_epoch(App *a, int epoch)
{
    if (!a->has_doc || doc_epoch_count(a->doc) < 1) return;
    app_input_job_end(a, true); /* a sentence computing with the old weights goes in first */
    int step = a->step;
    Err err = {{0}};
    if (!doc_set_epoch(a->doc, epoch, &err)) app_set_message(a, err.msg, true);
    a->step = step < a->doc->T ? step : a->doc->T - 1;
    a->has_hover = false;
    a->dirty = true;
}

int app_epoch_at(const App *a, int x)
{
    int last = a->has_doc ? doc_epoch_count(a->doc) : 0;
    if (last < 1) return -1;
    for (int i = 0; i < a->render.n_hot; i++) {
        const Hot *h = &a->render.hot[i];
        if (h->kind != HOT_BUTTON || h->unit != BTN_EPOCH_SLIDER || h->box.w < 2) continue;
        float f = (float)(x - h->box.x) / (float)(h->box.w - 1);
        f = f < 0 ? 0 : (f > 1 ? 1 : f);
        return (int)lroundf(f * (float)last);
    }
    return -1;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

void app_scan_lessons(App *a, const char *dir)
{
    snprintf(a->lessons_dir, sizeof a->lessons_dir, "%s", dir);
    a->n_lessons = 0;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && a->n_lessons < 16) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0 || e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(a->lesson_paths[a->n_lessons++], sizeof a->lesson_paths[0], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(a->lesson_paths, (size_t)a->n_lessons, sizeof a->lesson_paths[0], cmp_str);
    for (int i = 0; i < a->n_lessons; i++) {
        Lesson l;
        Err err = {{0}};
        if (lesson_load(&l, a->lesson_paths[i], &err)) {
            snprintf(a->lesson_titles[i], sizeof a->lesson_titles[i], "%s", l.title);
            lesson_unload(&l);
        } else {
            snprintf(a->lesson_titles[i], sizeof a->lesson_titles[i], "(cannot be read: %.90s)", err.msg);
        }
    }
}

int app_px(const App *a, TextRole role)
{
    static const float base[] = {0.016f, 0.019f, 0.024f, 0.030f};
    float h = (float)(a->render.height > 0 ? a->render.height : 720);
    float w = (float)(a->render.width > 0 ? a->render.width : 1280);
    /* by height, but never so large that a 16:9 row of steps cannot fit */
    float s = fminf(h, w * 0.5625f);
    float px = s * base[role] * a->font_scale * (a->presenter ? 1.3f : 1.0f);
    return px < 9 ? 9 : (int)lroundf(px);
}
