/* app: state, events, the frame, headless rendering and the window loop. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <SDL_image.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STEP_ANIM_MS 350
#define PLAY_INTERVAL_MS 900

static const char *const VIEW_TITLES[VIEW_COUNT] = {"Unrolled", "Cell", "Compare", "Predict", "Train", "Gradients", "Generate"};

/* ---- state ----------------------------------------------------------------- */

static void app_open_done(App *a);

static void set_message(App *a, const char *msg, bool error)
{
    snprintf(a->message, sizeof a->message, "%s", msg);
    a->message_is_error = error;
    a->dirty = true;
}

int app_step_count(const App *a)
{
    return a->has_doc ? a->doc->T : 0;
}

static void pick_layer(App *a)
{
    a->layer = a->has_doc ? doc_first_rnn(&a->doc->models[a->model]) : 0;
    a->dir = 0;
    a->has_selected = false;
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
    a->view = VIEW_UNROLLED;
    theme_get(&a->theme, false, false);
    a->dirty = true;
    if (path) app_open(a, path);
}

void app_free(App *a)
{
    app_train_cancel(a);
    app_train_join(a);
    if (a->has_doc) {
        doc_close(a->doc);
        free(a->doc);
    }
    a->doc = NULL;
    a->has_doc = false;
}

void app_open(App *a, const char *path)
{
    Doc *d = xcalloc(1, sizeof *d);
    Err err = {{0}};
    if (!doc_open(d, path, &err)) {
        free(d);
        set_message(a, err.msg, true);
        return;
    }
    app_free(a);
    a->doc = d;
    a->has_doc = true;
    app_open_done(a);
}

/* the state a freshly opened document starts in: a lesson at its first
 * step with its narration, a model at its last step */
static void app_open_done(App *a)
{
    a->has_hover = false;
    a->has_selected = false;
    a->model = a->doc->n_models - 1; /* the richest cell (LSTM) of a lesson */
    pick_layer(a);
    a->step = a->doc->is_lesson ? 0 : a->doc->T - 1;
    a->anim = 1.0f;
    a->scroll = 0;
    a->zoom = 1.0f;
    a->lesson_step = -1;
    a->show_lesson = a->doc->is_lesson;
    a->view = a->doc->is_lesson ? a->doc->lesson.view : VIEW_UNROLLED;
    a->message[0] = '\0';
    a->dirty = true;
    a->train_units = 0; /* as the lesson's spec says */
    a->train_epochs = a->doc->is_lesson ? a->doc->lesson.epochs : 20;
    a->train_seed = a->doc->is_lesson ? a->doc->lesson.seed : 1;
    memset(&a->train.epochs_done, 0, sizeof a->train.epochs_done);
    a->train.finished = false;
    a->train.n_cells = 0;
    doc_generate_begin(a->doc, &a->gen, NULL, 1);
}

static bool set_input(App *a, const char *text)
{
    Err err = {{0}};
    if (!a->has_doc) return false;
    if (!doc_set_input(a->doc, text, &err)) {
        set_message(a, err.msg, true);
        return false;
    }
    a->message[0] = '\0';
    a->step = 0;
    a->anim = 0.0f;
    a->anim_start_ms = a->now_ms;
    a->has_selected = false;
    a->has_hover = false;
    a->dirty = true;
    return true;
}

void app_goto_lesson_step(App *a, int k)
{
    if (!a->has_doc || !a->doc->is_lesson) return;
    const Lesson *l = &a->doc->lesson;
    if (k < -1) k = -1;
    if (k > l->n_steps - 1) k = l->n_steps - 1;
    a->lesson_step = k;
    a->show_lesson = true;
    a->quiz_revealed = false;
    a->dirty = true;
    if (k < 0) return;
    const LessonDirectives *dv = &l->steps[k].dir;
    if (dv->sentence) set_input(a, dv->sentence);
    if (dv->cell >= 0 && dv->cell < a->doc->n_models) {
        a->model = dv->cell;
        pick_layer(a);
    }
    if (dv->has_view) a->view = dv->view;
    if (dv->step >= 0) app_set_step(a, dv->step);
    const Layer *hl = &a->doc->models[a->model].model.layers[a->layer];
    if (dv->highlight_unit >= 0 && dv->highlight_vec[0] && dv->highlight_unit < hl->cell[0].units) {
        /* select that unit so the inspector shows its equation */
        a->has_selected = true;
        memset(&a->selected, 0, sizeof a->selected);
        a->selected.kind = HOT_UNIT;
        a->selected.model = (short)a->model;
        a->selected.layer = (short)a->layer;
        a->selected.t = (short)a->step;
        a->selected.unit = dv->highlight_unit;
        static const struct {
            const char *name;
            VecKind vec;
        } map[] = {{"h", VEC_H}, {"c", VEC_C}, {"x", VEC_X}, {"i", VEC_GATE0}, {"z", VEC_GATE0}, {"f", VEC_GATE1},
                   {"r", VEC_GATE1}, {"g", VEC_GATE2}, {"n", VEC_GATE2}, {"o", VEC_GATE3}};
        a->selected.vec = VEC_H;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcmp(dv->highlight_vec, map[i].name) == 0) a->selected.vec = (short)map[i].vec;
    }
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

/* ---- sizes ----------------------------------------------------------------- */

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

/* ---- events ------------------------------------------------------------------ */

static void toggle_theme(App *a)
{
    a->dark = !a->dark;
    theme_get(&a->theme, a->dark, a->presenter);
    a->dirty = true;
}

static void cycle_view(App *a, int delta)
{
    a->view = (ViewKind)(((int)a->view + delta + VIEW_COUNT) % VIEW_COUNT);
    a->dirty = true;
}

static void open_inspector(App *a, const Hot *h)
{
    a->model = h->model;
    a->layer = h->layer;
    a->dir = h->dir;
    app_set_step(a, h->t);
    a->view = VIEW_INSPECTOR;
    a->has_selected = false;
    a->dirty = true;
}

/* The one PNG writer (Ctrl+S and `unroll render --out`): a temporary
 * beside path, flushed and renamed, so the PNG appears whole or not at all. */
static bool app_save_png(SDL_Surface *s, const char *path, Err *err)
{
    AtomicFile af;
    if (!base_atomic_begin(&af, path, err)) return false;
    if (IMG_SavePNG(s, af.tmp) != 0) {
        err_set(err, "%s: cannot write: %s", path, IMG_GetError());
        base_atomic_abort(&af);
        return false;
    }
    return base_atomic_commit(&af, err);
}

void app_save_frame(App *a)
{
    a->want_save = false;
    char name[128];
    snprintf(name, sizeof name, "unroll-%s-step%d.png", view_kind_name(a->view), a->step + 1);
    int w = a->render.width, h = a->render.height;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) return;
    char msg[600];
    Err err = {{0}};
    if (SDL_RenderReadPixels(a->render.sdl, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0)
        snprintf(msg, sizeof msg, "could not save %s: %s", name, SDL_GetError());
    else if (!app_save_png(s, name, &err))
        snprintf(msg, sizeof msg, "could not save %s", err.msg);
    else
        snprintf(msg, sizeof msg, "saved %s", name);
    SDL_FreeSurface(s);
    set_message(a, msg, false);
}

static void start_editing(App *a)
{
    a->editing = true;
    snprintf(a->edit, sizeof a->edit, "%s", a->has_doc ? a->doc->input : "");
    SDL_StartTextInput();
    a->dirty = true;
}

static bool key_event(App *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode key = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    if (a->editing) {
        if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
            a->editing = false;
            SDL_StopTextInput();
            if (set_input(a, a->edit)) doc_generate_begin(a->doc, &a->gen, NULL, 1);
        } else if (key == SDLK_ESCAPE) {
            a->editing = false;
            SDL_StopTextInput();
        } else if (key == SDLK_BACKSPACE) {
            size_t n = strlen(a->edit);
            while (n > 0 && ((unsigned char)a->edit[n - 1] & 0xC0) == 0x80) n--; /* UTF-8 continuation */
            if (n > 0) n--;
            a->edit[n] = '\0';
        } else if (ctrl && key == SDLK_u) {
            a->edit[0] = '\0';
        }
        a->dirty = true;
        return true;
    }
    if (a->show_help && key != SDLK_F11) {
        a->show_help = false;
        a->dirty = true;
        return true;
    }
    if (a->show_lessons && key != SDLK_o) {
        int pick = key >= SDLK_1 && key <= SDLK_9 ? (int)(key - SDLK_1) : -1;
        a->show_lessons = false;
        if (pick >= 0 && pick < a->n_lessons) app_open(a, a->lesson_paths[pick]);
        a->dirty = true;
        return true;
    }
    switch (key) {
    case SDLK_RIGHT: app_set_step(a, a->step + 1); a->playing = false; break;
    case SDLK_LEFT: app_set_step(a, a->step - 1); a->playing = false; break;
    case SDLK_HOME: app_set_step(a, 0); a->playing = false; break;
    case SDLK_END: app_set_step(a, app_step_count(a) - 1); a->playing = false; break;
    case SDLK_SPACE:
        a->playing = !a->playing;
        if (a->playing && a->step >= app_step_count(a) - 1) app_set_step(a, 0);
        a->next_play_ms = a->now_ms + PLAY_INTERVAL_MS;
        break;
    case SDLK_TAB: cycle_view(a, shift ? -1 : 1); break;
    case SDLK_1: case SDLK_2: case SDLK_3: case SDLK_4: case SDLK_5: case SDLK_6: case SDLK_7:
        a->view = (ViewKind)(key - SDLK_1);
        break;
    case SDLK_ESCAPE:
        if (a->message[0]) a->message[0] = '\0';
        else if (a->view == VIEW_TRAINING && a->train.thread) app_train_cancel(a);
        else if (a->view != VIEW_UNROLLED) a->view = VIEW_UNROLLED;
        break;
    case SDLK_RETURN: case SDLK_KP_ENTER:
        if (a->view == VIEW_TRAINING) app_train_start(a);
        else if (a->has_doc) start_editing(a);
        break;
    case SDLK_e:
        if (a->view == VIEW_TRAINING) {
            int e = shift ? a->train_epochs * 2 : a->train_epochs / 2;
            a->train_epochs = e < 1 ? 1 : (e > TRAIN_MAX_EPOCHS ? TRAIN_MAX_EPOCHS : e);
        } else if (a->has_doc) {
            start_editing(a);
        }
        break;
    case SDLK_u:
        if (a->view == VIEW_TRAINING && a->has_doc) {
            int u = a->train_units > 0 ? a->train_units : 32;
            u = shift ? u * 2 : u / 2;
            a->train_units = u < 1 ? 1 : (u > 512 ? 512 : u);
        }
        break;
    case SDLK_s:
        if (ctrl) a->want_save = true;
        else if (a->view == VIEW_TRAINING) a->train_seed++;
        break;
    case SDLK_g:
        if (a->has_doc) {
            Err err = {{0}};
            if (!doc_generate_next(a->doc, a->model, &a->gen, a->temperature, &err)) set_message(a, err.msg, true);
            a->quiz_revealed = false;
            a->view = VIEW_GENERATE;
        }
        break;
    case SDLK_c:
        if (a->has_doc) doc_generate_begin(a->doc, &a->gen, NULL, a->gen.rng.s[0] + 1);
        break;
    case SDLK_LEFTBRACKET: a->temperature = fmaxf(0.0f, a->temperature - 0.1f); break;
    case SDLK_RIGHTBRACKET: a->temperature = fminf(2.0f, a->temperature + 0.1f); break;
    case SDLK_m:
        if (a->has_doc && a->doc->n_models > 1) {
            a->model = (a->model + 1) % a->doc->n_models;
            pick_layer(a);
        }
        break;
    case SDLK_l:
        /* next recurrent layer / direction of the model */
        if (a->has_doc) {
            const Model *m = &a->doc->models[a->model].model;
            int li = a->layer, d = a->dir + 1;
            if (d >= m->layers[li].n_dir) {
                d = 0;
                do li = (li + 1) % m->n_layers;
                while (m->layers[li].kind != LAYER_RNN);
            }
            a->layer = li;
            a->dir = d;
            a->has_selected = false;
        }
        break;
    case SDLK_t: toggle_theme(a); break;
    case SDLK_F11:
        a->presenter = !a->presenter;
        theme_get(&a->theme, a->dark, a->presenter);
        {
            SDL_Window *w = SDL_RenderGetWindow(a->render.sdl);
            if (w) SDL_SetWindowFullscreen(w, a->presenter ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        }
        break;
    case SDLK_EQUALS: case SDLK_PLUS: case SDLK_KP_PLUS:
        if (ctrl) a->font_scale = fminf(a->font_scale * 1.15f, 3.0f);
        else a->zoom = fminf(a->zoom * 1.25f, 12.0f);
        break;
    case SDLK_MINUS: case SDLK_KP_MINUS:
        if (ctrl) a->font_scale = fmaxf(a->font_scale / 1.15f, 0.5f);
        else a->zoom = fmaxf(a->zoom / 1.25f, 1.0f);
        break;
    case SDLK_0:
        if (ctrl) a->font_scale = 1.0f;
        break;
    case SDLK_q:
        if (ctrl) a->quit = true;
        else {
            a->quiz_mode = !a->quiz_mode;
            a->quiz_revealed = false;
        }
        break;
    case SDLK_PAGEDOWN: app_goto_lesson_step(a, a->lesson_step + 1); break;
    case SDLK_PAGEUP: app_goto_lesson_step(a, a->lesson_step - 1); break;
    case SDLK_r: a->quiz_revealed = !a->quiz_revealed; break;
    case SDLK_n: a->show_lesson = !a->show_lesson; break;
    case SDLK_o: a->show_lessons = !a->show_lessons; break;
    case SDLK_SLASH: case SDLK_QUESTION: case SDLK_F1: a->show_help = true; break;
    default: return false;
    }
    a->dirty = true;
    return true;
}

static void update_hover(App *a)
{
    const Hot *h = render_hot_at(&a->render, a->mouse_x, a->mouse_y);
    bool had = a->has_hover;
    Hot old = a->hover;
    a->has_hover = h && (h->kind == HOT_UNIT || h->kind == HOT_BAR || h->kind == HOT_TOKEN);
    if (a->has_hover) a->hover = *h;
    if (had != a->has_hover || (a->has_hover && memcmp(&old, &a->hover, sizeof old) != 0)) a->dirty = true;
}

static void click(App *a, int x, int y)
{
    const Hot *h = render_hot_at(&a->render, x, y);
    if (!h) return;
    switch (h->kind) {
    case HOT_BUTTON:
        if (h->unit >= BTN_VIEW0 && h->unit < BTN_VIEW0 + VIEW_COUNT) a->view = (ViewKind)(h->unit - BTN_VIEW0);
        else if (h->unit >= BTN_MODEL0 && h->unit < BTN_MODEL0 + DOC_MAX_MODELS) {
            a->model = h->unit - BTN_MODEL0;
            pick_layer(a);
        } else if (h->unit == BTN_INPUT) start_editing(a);
        else if (h->unit >= BTN_LESSON0 && h->unit < BTN_LESSON0 + a->n_lessons) {
            a->show_lessons = false;
            app_open(a, a->lesson_paths[h->unit - BTN_LESSON0]);
        }
        break;
    case HOT_CELL: open_inspector(a, h); break;
    case HOT_TOKEN: app_set_step(a, h->t); break;
    case HOT_UNIT:
        if (a->doc->models[h->model].model.layers[h->layer].kind != LAYER_RNN) break; /* an input square */
        if (a->view == VIEW_INSPECTOR) {
            a->selected = *h;
            a->has_selected = true;
        } else {
            open_inspector(a, h);
            a->selected = *h;
            a->has_selected = true;
        }
        break;
    default: break;
    }
    a->dirty = true;
}

bool app_event(App *a, const SDL_Event *e)
{
    a->dirty = false;
    switch (e->type) {
    case SDL_QUIT: a->quit = true; return true;
    case SDL_KEYDOWN: return key_event(a, &e->key);
    case SDL_TEXTINPUT:
        if (a->editing) {
            size_t n = strlen(a->edit), k = strlen(e->text.text);
            if (n + k < sizeof a->edit) memcpy(a->edit + n, e->text.text, k + 1);
            a->dirty = true;
        } else if (strcmp(e->text.text, "?") == 0) {
            a->show_help = true;
            a->dirty = true;
        }
        return a->dirty;
    case SDL_MOUSEMOTION:
        a->mouse_x = (int)lroundf(e->motion.x * a->dpi);
        a->mouse_y = (int)lroundf(e->motion.y * a->dpi);
        update_hover(a);
        return a->dirty;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            if (a->show_help) a->show_help = false;
            else click(a, (int)lroundf(e->button.x * a->dpi), (int)lroundf(e->button.y * a->dpi));
            a->dirty = true;
        }
        return a->dirty;
    case SDL_MOUSEWHEEL: {
        const Uint8 *keys = SDL_GetKeyboardState(NULL);
        bool shift = keys && (keys[SDL_SCANCODE_LSHIFT] || keys[SDL_SCANCODE_RSHIFT]);
        int dy = e->wheel.y, dx = e->wheel.x;
        if (shift || dx) a->scroll -= (dx ? dx : dy) * 60;
        else if (dy > 0) a->zoom = fminf(a->zoom * 1.2f, 12.0f);
        else if (dy < 0) a->zoom = fmaxf(a->zoom / 1.2f, 1.0f);
        if (a->scroll < 0) a->scroll = 0;
        a->dirty = true;
        return true;
    }
    case SDL_DROPFILE:
        app_open(a, e->drop.file);
        SDL_free(e->drop.file);
        a->dirty = true;
        return true;
    case SDL_WINDOWEVENT:
        a->dirty = true;
        return true;
    default: return false;
    }
}

void app_tick(App *a, Uint32 now)
{
    a->now_ms = now;
    if (a->train.thread) {
        a->dirty = true; /* progress to show */
        if (app_train_finished(a)) app_train_join(a);
    }
    if (a->anim < 1.0f) {
        a->anim = fminf(1.0f, (float)(now - a->anim_start_ms) / STEP_ANIM_MS);
        a->dirty = true;
    }
    if (a->playing && now >= a->next_play_ms) {
        if (a->step >= app_step_count(a) - 1) {
            a->playing = false;
        } else {
            app_set_step(a, a->step + 1);
            a->next_play_ms = now + PLAY_INTERVAL_MS;
        }
        a->dirty = true;
    }
}

bool app_animating(const App *a)
{
    return a->anim < 1.0f || a->playing || a->train.thread != NULL;
}

/* ---- the frame ---------------------------------------------------------------- */

static void draw_wrapped(Render *r, Box box, const char *text, int px, FontStyle st, Color c, int *used_h)
{
    /* word wrap by measuring; paragraphs split on blank lines */
    char line[1024];
    int y = box.y, lh = (int)fmaxf(px * 1.35f, (float)render_line_height(r, px, st));
    const char *p = text;
    while (*p && y + lh <= box.y + box.h) {
        if (*p == '\n') {
            y += *(p + 1) == '\n' ? lh / 2 : 0;
            p++;
            continue;
        }
        size_t best = 0, k = 0;
        while (p[k] && p[k] != '\n' && k < sizeof line - 1) {
            size_t e = k;
            while (p[e] && p[e] != ' ' && p[e] != '\n' && e < sizeof line - 1) e++;
            memcpy(line, p, e);
            line[e] = '\0';
            int w = 0;
            render_text_size(r, line, px, st, &w, NULL);
            if (w > box.w && best > 0) break;
            best = e;
            k = e;
            while (p[k] == ' ') k++;
            if (w > box.w) break;
        }
        if (best == 0) best = k ? k : 1;
        memcpy(line, p, best);
        line[best] = '\0';
        render_text(r, box.x, y, line, px, st, c, ALIGN_LEFT);
        y += lh;
        p += best;
        while (*p == ' ') p++;
    }
    if (used_h) *used_h = y - box.y;
}

static Box draw_button(App *a, Render *r, int x, int y, const char *label, bool on, int id, int px)
{
    const Theme *th = &a->theme;
    int w = 0, h = 0;
    render_text_size(r, label, px, FONT_BOLD, &w, &h);
    Box b = {x, y, w + px, h + px / 2};
    render_fill(r, b, on ? th->accent : th->panel);
    render_outline(r, b, on ? th->accent : th->panel_edge, 1);
    render_text(r, x + px / 2, y + px / 4, label, px, FONT_BOLD, on ? th->accent_text : th->text, ALIGN_LEFT);
    Hot *hot = render_hot(r, b, HOT_BUTTON);
    if (hot) hot->unit = id;
    return b;
}

static int draw_top(App *a, Render *r)
{
    const Theme *th = &a->theme;
    int W = r->width, px = app_px(a, TEXT_BODY), tpx = app_px(a, TEXT_TITLE);
    int pad = px;
    int bar_h = tpx + 2 * pad;
    render_fill(r, (Box){0, 0, W, bar_h}, th->panel);
    render_fill(r, (Box){0, bar_h - 1, W, 1}, th->panel_edge);
    /* view tabs on the right */
    int x = W - pad;
    for (int v = VIEW_COUNT - 1; v >= VIEW_UNROLLED; v--) {
        char label[64];
        snprintf(label, sizeof label, "%d %s", v + 1, VIEW_TITLES[v]);
        int w = 0;
        render_text_size(r, label, px, FONT_BOLD, &w, NULL);
        x -= w + px;
        draw_button(a, r, x, (bar_h - px * 3 / 2) / 2, label, a->view == (ViewKind)v, BTN_VIEW0 + v, px);
        x -= px / 2;
    }
    /* title on the left, cut to fit */
    char buf[256];
    const char *title = a->has_doc ? a->doc->title : "unroll";
    const char *fit = render_fit_text(r, title, tpx, FONT_BOLD, x - 2 * pad, buf, sizeof buf);
    render_text(r, pad, pad, fit, tpx, FONT_BOLD, th->text, ALIGN_LEFT);
    return bar_h;
}

static int draw_input_bar(App *a, Render *r, int y)
{
    const Theme *th = &a->theme;
    int W = r->width, px = app_px(a, TEXT_LARGE), spx = app_px(a, TEXT_BODY), pad = spx;
    int h = px + pad * 2;
    render_fill(r, (Box){0, y, W, h}, th->bg);
    int x = pad;
    const char *label = a->has_doc && !a->doc->models[0].model.token_input ? "Input" : "Sentence";
    Box lb = render_text(r, x, y + pad + (px - spx) / 2, label, spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    x = lb.x + lb.w + pad;
    /* model chips on the right */
    int right = W - pad;
    if (a->has_doc && a->doc->n_models > 1) {
        for (int m = a->doc->n_models - 1; m >= 0; m--) {
            int w = 0;
            render_text_size(r, a->doc->models[m].label, spx, FONT_BOLD, &w, NULL);
            right -= w + spx;
            draw_button(a, r, right, y + pad / 2 + (px - spx) / 2, a->doc->models[m].label, a->model == m, BTN_MODEL0 + m, spx);
            right -= spx / 2;
        }
        right -= pad;
    }
    Box field = {x, y + pad / 2, right - x, px + pad};
    render_fill(r, field, th->panel);
    render_outline(r, field, a->editing ? th->accent : th->panel_edge, a->editing ? 2 : 1);
    Hot *hot = render_hot(r, field, HOT_BUTTON);
    if (hot) hot->unit = BTN_INPUT;
    int tx = field.x + pad / 2, ty = field.y + pad / 2;
    render_clip_push(r, field);
    if (a->editing) {
        Box tb = render_text(r, tx, ty, a->edit, px, FONT_REGULAR, th->text, ALIGN_LEFT);
        render_fill(r, (Box){tb.x + tb.w + 2, ty, 2, px + px / 5}, th->accent);
    } else if (a->has_doc) {
        /* the input as words, unknown words marked */
        const char *s = a->doc->input;
        char word[256];
        int cx = tx;
        while (*s) {
            size_t n = strcspn(s, " ");
            if (n >= sizeof word) n = sizeof word - 1;
            memcpy(word, s, n);
            word[n] = '\0';
            bool oov = false;
            for (int i = 0; i < a->doc->prompt.n_oov; i++) {
                /* compare after Keras' lowercasing and filtering: the prompt kept the filtered form */
                char low[256];
                size_t k = 0;
                for (; word[k] && k < sizeof low - 1; k++) low[k] = (char)((word[k] >= 'A' && word[k] <= 'Z') ? word[k] + 32 : word[k]);
                low[k] = '\0';
                if (strstr(low, a->doc->prompt.oov[i]) == low) oov = true;
            }
            Box wb = render_text(r, cx, ty, word, px, FONT_REGULAR, oov ? th->oov : th->text, ALIGN_LEFT);
            if (oov) render_fill(r, (Box){wb.x, wb.y + wb.h - 2, wb.w, 2}, th->oov);
            int sw = 0;
            render_text_size(r, " ", px, FONT_REGULAR, &sw, NULL);
            cx = wb.x + wb.w + sw;
            s += n;
            while (*s == ' ') s++;
        }
        if (a->doc->prompt.n_oov > 0) {
            char note[128];
            snprintf(note, sizeof note, "%d unknown word%s", a->doc->prompt.n_oov, a->doc->prompt.n_oov > 1 ? "s" : "");
            render_text(r, field.x + field.w - pad / 2, ty + (px - spx) / 2, note, spx, FONT_REGULAR, th->oov, ALIGN_RIGHT);
        }
    }
    render_clip_pop(r);
    return h;
}

static int draw_status(App *a, Render *r)
{
    const Theme *th = &a->theme;
    int W = r->width, H = r->height, px = app_px(a, TEXT_SMALL), pad = px / 2 + 2;
    int h = px + 2 * pad;
    render_fill(r, (Box){0, H - h, W, h}, th->panel);
    render_fill(r, (Box){0, H - h, W, 1}, th->panel_edge);
    char left[256];
    if (a->has_doc) {
        char wb[64];
        snprintf(left, sizeof left, "step %d of %d  \xC2\xB7  \xE2\x80\x9C%s\xE2\x80\x9D  \xC2\xB7  %s%s", a->step + 1, a->doc->T,
                 doc_word(a->doc, a->step, wb, sizeof wb), a->doc->models[a->model].label, a->playing ? "  \xC2\xB7  playing" : "");
    } else {
        snprintf(left, sizeof left, "no lesson or model open: drop a folder or a lesson here");
    }
    render_text(r, pad * 2, H - h + pad, left, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    const char *keys = "\xE2\x86\x90/\xE2\x86\x92 step   Space play   Enter type   click a cell to look inside   ? keys";
    int lw = 0, kw = 0;
    render_text_size(r, left, px, FONT_REGULAR, &lw, NULL);
    render_text_size(r, keys, px, FONT_REGULAR, &kw, NULL);
    if (pad * 2 + lw + 3 * px + kw < W) render_text(r, W - pad * 2, H - h + pad, keys, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    return h;
}

static void draw_message(App *a, Render *r)
{
    if (!a->message[0]) return;
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), W = r->width;
    int w = W * 2 / 3, x = (W - w) / 2, y = r->height / 3;
    int used = 0;
    Box inner = {x + px, y + px * 3, w - 2 * px, r->height / 3};
    /* measure first by drawing off-screen is not possible; size generously */
    render_fill(r, (Box){x, y, w, px * 8}, th->panel);
    render_outline(r, (Box){x, y, w, px * 8}, a->message_is_error ? th->bad : th->accent, 3);
    render_text(r, x + px, y + px, a->message_is_error ? "Cannot open that" : "Note", px, FONT_BOLD,
                a->message_is_error ? th->bad : th->accent, ALIGN_LEFT);
    inner.h = px * 4;
    draw_wrapped(r, inner, a->message, px, FONT_REGULAR, th->text, &used);
    render_text(r, x + w - px, y + px, "Esc to close", app_px(a, TEXT_SMALL), FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
}

static void draw_lesson_list(App *a, Render *r)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), lpx = app_px(a, TEXT_LARGE), lh = render_line_height(r, lpx, FONT_BOLD) + px / 2;
    int w = px * 36, h = lh * (a->n_lessons + 1) + px * 3;
    if (w > r->width - 2 * px) w = r->width - 2 * px;
    int x = (r->width - w) / 2, y = (r->height - h) / 2;
    if (y < px) y = px;
    render_fill(r, (Box){0, 0, r->width, r->height}, (Color){0, 0, 0, 110});
    render_fill(r, (Box){x, y, w, h}, th->panel);
    render_outline(r, (Box){x, y, w, h}, th->accent, 2);
    render_text(r, x + px, y + px, a->n_lessons ? "Lessons  (a number or a click opens one)" : "No lessons found", px, FONT_BOLD,
                th->text_dim, ALIGN_LEFT);
    for (int i = 0; i < a->n_lessons; i++) {
        int yy = y + px * 2 + lh * i + px / 2;
        char label[200], fit[200];
        snprintf(label, sizeof label, "%d  %s", i + 1, a->lesson_titles[i]);
        bool current = a->has_doc && strcmp(a->doc->path, a->lesson_paths[i]) == 0;
        render_text(r, x + px, yy, render_fit_text(r, label, lpx, FONT_BOLD, w - 2 * px, fit, sizeof fit), lpx, FONT_BOLD,
                    current ? th->accent : th->text, ALIGN_LEFT);
        Hot *hot = render_hot(r, (Box){x, yy, w, lh}, HOT_BUTTON);
        if (hot) hot->unit = BTN_LESSON0 + i;
    }
}

static void draw_help(App *a, Render *r)
{
    const Theme *th = &a->theme;
    static const char *const KEYS[][2] = {
        {"\xE2\x86\x90  \xE2\x86\x92", "step back / forward"},   {"Home  End", "first / last step"},
        {"Space", "play / pause"},                               {"1 \xE2\x80\xA6 7  Tab", "unrolled, cell, compare, predict, train, gradients, generate"},
        {"click a cell", "look inside it"},                     {"click a square", "its equation with the numbers"},
        {"Enter", "type a sentence (Enter again to run it)"},    {"m  l", "next model / next layer"},
        {"wheel  + -", "zoom the steps (Shift+wheel scrolls)"},   {"PageUp PageDown", "lesson: previous / next step"},
        {"q  r", "quiz mode: hide the answers / reveal them"},  {"t", "light / dark theme"},
        {"g  c  [ ]", "generate a word, start again, temperature"},  {"Enter  u U  e E  s", "train view: start, units, epochs, seed"},
        {"F11", "presenter mode (full screen, large type)"},   {"Ctrl + / Ctrl -", "larger / smaller type"},
        {"Ctrl+S", "save this view as a PNG"},                   {"Esc", "back to the unrolled view"},
    };
    int n = (int)(sizeof KEYS / sizeof KEYS[0]);
    int px = app_px(a, TEXT_BODY), lh = (int)(px * 1.6f);
    int kw = 0, dw = 0;
    for (int i = 0; i < n; i++) {
        int w1 = 0, w2 = 0;
        render_text_size(r, KEYS[i][0], px, FONT_BOLD, &w1, NULL);
        render_text_size(r, KEYS[i][1], px, FONT_REGULAR, &w2, NULL);
        kw = w1 > kw ? w1 : kw;
        dw = w2 > dw ? w2 : dw;
    }
    int w = kw + dw + px * 4, h = lh * (n + 2) + px;
    if (w > r->width - 2 * px) w = r->width - 2 * px;
    int x = (r->width - w) / 2, y = (r->height - h) / 2;
    if (y < px) y = px;
    render_fill(r, (Box){0, 0, r->width, r->height}, (Color){0, 0, 0, 110});
    render_fill(r, (Box){x, y, w, h}, th->panel);
    render_outline(r, (Box){x, y, w, h}, th->accent, 2);
    render_text(r, x + px, y + px, "Keys", app_px(a, TEXT_LARGE), FONT_BOLD, th->text, ALIGN_LEFT);
    for (int i = 0; i < n; i++) {
        int yy = y + px + lh * (i + 1) + px / 2;
        render_text(r, x + px, yy, KEYS[i][0], px, FONT_BOLD, th->accent, ALIGN_LEFT);
        render_text(r, x + px * 2 + kw, yy, KEYS[i][1], px, FONT_REGULAR, th->text, ALIGN_LEFT);
    }
}

static int draw_lesson_panel(App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Lesson *l = &a->doc->lesson;
    int px = app_px(a, TEXT_BODY), pad = px;
    int w = area.w * 30 / 100;
    Box p = {area.x + area.w - w, area.y, w, area.h};
    render_fill(r, p, th->panel);
    render_fill(r, (Box){p.x, p.y, 1, p.h}, th->panel_edge);
    int y = p.y + pad;
    char head[96];
    if (a->lesson_step < 0) snprintf(head, sizeof head, "Introduction");
    else snprintf(head, sizeof head, "Step %d of %d", a->lesson_step + 1, l->n_steps);
    render_text(r, p.x + pad, y, head, app_px(a, TEXT_SMALL), FONT_BOLD, th->accent, ALIGN_LEFT);
    y += render_line_height(r, app_px(a, TEXT_SMALL), FONT_BOLD) + pad / 2;
    const char *title = a->lesson_step < 0 ? l->title : l->steps[a->lesson_step].title;
    int used = 0;
    draw_wrapped(r, (Box){p.x + pad, y, w - 2 * pad, app_px(a, TEXT_LARGE) * 3}, title, app_px(a, TEXT_LARGE), FONT_BOLD,
                 th->text, &used);
    y += used + pad / 2;
    const char *text = a->lesson_step < 0 ? (l->intro ? l->intro : "") : l->steps[a->lesson_step].text;
    int foot = app_px(a, TEXT_SMALL) * 2 + pad;
    draw_wrapped(r, (Box){p.x + pad, y, w - 2 * pad, p.y + p.h - y - foot - pad}, text ? text : "", px, FONT_REGULAR, th->text, &used);
    y += used;
    if (a->lesson_step >= 0 && l->steps[a->lesson_step].dir.quiz) {
        y += pad;
        draw_wrapped(r, (Box){p.x + pad, y, w - 2 * pad, px * 4}, l->steps[a->lesson_step].dir.quiz, px, FONT_BOLD, th->accent, &used);
        y += used;
        render_text(r, p.x + pad, y, a->quiz_revealed ? "(answer shown; r hides it)" : "press r to reveal the answer",
                    app_px(a, TEXT_SMALL), FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    }
    render_text(r, p.x + pad, p.y + p.h - foot, "PageUp / PageDown: previous / next step", app_px(a, TEXT_SMALL),
                FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    return w;
}

void app_draw(App *a)
{
    Render *r = &a->render;
    render_begin(r, a->theme.bg);
    int top = draw_top(a, r);
    int status = draw_status(a, r);
    if (a->has_doc) {
        int inbar = draw_input_bar(a, r, top);
        Box area = {0, top + inbar, r->width, r->height - top - inbar - status};
        if (a->doc->is_lesson && a->show_lesson) area.w -= draw_lesson_panel(a, r, area);
        render_clip_push(r, area);
        switch (a->view) {
        case VIEW_INSPECTOR: view_inspector_draw(a, r, area); break;
        case VIEW_COMPARE: view_compare_draw(a, r, area); break;
        case VIEW_PREDICTIONS: view_predictions_draw(a, r, area); break;
        case VIEW_TRAINING: view_training_draw(a, r, area); break;
        case VIEW_GRADIENTS: view_gradients_draw(a, r, area); break;
        case VIEW_GENERATE: view_generate_draw(a, r, area); break;
        default: view_unrolled_draw(a, r, area); break;
        }
        render_clip_pop(r);
        draw_tooltip(a, r);
    } else {
        int px = app_px(a, TEXT_LARGE);
        render_text(r, r->width / 2, r->height / 2 - px, "Drop a lesson (.md) or a model folder here", px, FONT_BOLD,
                    a->theme.text_dim, ALIGN_CENTER);
    }
    draw_message(a, r);
    /* overlays the user asked for come on top of everything */
    if (a->show_lessons) draw_lesson_list(a, r);
    if (a->show_help) draw_help(a, r);
    render_end(r);
    a->dirty = false;
}

/* ---- headless ------------------------------------------------------------------ */

App *app_headless_create(int w, int h, Err *err)
{
    if (w < 200 || h < 150 || w > 8192 || h > 8192) {
        err_set(err, "size %dx%d is out of range (200x150 .. 8192x8192)", w, h);
        return NULL;
    }
    if (!getenv("SDL_VIDEODRIVER")) setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        err_set(err, "cannot start SDL: %s", SDL_GetError());
        return NULL;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    App *a = xcalloc(1, sizeof *a);
    app_init(a, NULL);
    a->surface = surf;
    if (!ren || !render_init(&a->render, ren, err)) {
        if (!ren) err_set(err, "cannot make a software renderer: %s", SDL_GetError());
        if (ren) SDL_DestroyRenderer(ren);
        if (surf) SDL_FreeSurface(surf);
        free(a);
        SDL_Quit();
        return NULL;
    }
    a->render.width = w;
    a->render.height = h;
    return a;
}

void app_headless_destroy(App *a)
{
    if (!a) return;
    SDL_Renderer *ren = a->render.sdl;
    app_free(a);
    if (a->train.lock) SDL_DestroyMutex(a->train.lock);
    render_free(&a->render);
    if (ren) SDL_DestroyRenderer(ren);
    if (a->surface) SDL_FreeSurface(a->surface);
    free(a);
    SDL_Quit();
}

bool app_headless_open(App *a, const char *path, Err *err)
{
    Doc *d = xcalloc(1, sizeof *d);
    if (!doc_open(d, path, err)) {
        free(d);
        return false;
    }
    app_free(a);
    a->doc = d;
    a->has_doc = true;
    app_open_done(a);
    return true;
}

Color app_headless_pixel(const App *a, int x, int y)
{
    const SDL_Surface *s = a->surface;
    if (!s || x < 0 || y < 0 || x >= s->w || y >= s->h) return (Color){0, 0, 0, 0};
    Uint32 p = ((const Uint32 *)s->pixels)[(size_t)y * (s->pitch / 4) + x];
    return (Color){(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, 255};
}

bool app_render_png(const RenderRequest *req, const char *out_png, Err *err)
{
    App *a = app_headless_create(req->width, req->height, err);
    if (!a) return false;
    bool ok = false;
    if (!app_headless_open(a, req->path, err)) goto done;
    if (req->model >= 0 && req->model < a->doc->n_models) {
        a->model = req->model;
        pick_layer(a);
    }
    a->dark = req->dark;
    theme_get(&a->theme, a->dark, false);
    if (req->text && !doc_set_input(a->doc, req->text, err)) goto done;
    if (req->lesson_step >= 0) app_goto_lesson_step(a, req->lesson_step);
    if (req->view != VIEW_COUNT) a->view = req->view;
    if (req->step >= 0 || req->lesson_step < 0) a->step = req->step < 0 || req->step >= a->doc->T ? a->doc->T - 1 : req->step;
    a->anim = 1.0f;
    if (a->view == VIEW_GENERATE) {
        doc_generate_begin(a->doc, &a->gen, NULL, 1);
        for (int i = 0; i < req->words; i++)
            if (!doc_generate_next(a->doc, a->model, &a->gen, 0.0f, err)) goto done;
    }
    if (a->view == VIEW_TRAINING && a->doc->is_lesson) {
        app_train_start(a);
        app_train_join(a);
        if (a->train.failed) {
            err_set(err, "%s", a->train.message);
            goto done;
        }
    }
    app_draw(a);
    ok = app_save_png(a->surface, out_png, err);
done:
    app_headless_destroy(a);
    return ok;
}

/* ---- the window ------------------------------------------------------------------ */

int app_run(const char *path, const char *lessons_dir)
{
    const char *disp = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY"), *drv = getenv("SDL_VIDEODRIVER");
    if ((!disp || !*disp) && (!wl || !*wl) && !(drv && *drv)) {
        fprintf(stderr, "unroll: no display to open a window on (DISPLAY is not set); "
                        "use `unroll render LESSON_OR_MODEL --view unrolled --out view.png` to draw to a file\n");
        return 2;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "unroll: cannot open a window (%s); use `unroll render ... --out view.png` to draw to a file\n",
                SDL_GetError());
        return 2;
    }
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_Window *win = SDL_CreateWindow("unroll", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1440, 900,
                                       SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!win) {
        fprintf(stderr, "unroll: cannot open a window (%s); use `unroll render ... --out view.png` to draw to a file\n",
                SDL_GetError());
        SDL_Quit();
        return 2;
    }
    SDL_Renderer *ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!ren) ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    App *a = xcalloc(1, sizeof *a);
    app_init(a, NULL);
    Err err = {{0}};
    if (!ren || !render_init(&a->render, ren, &err)) {
        fprintf(stderr, "unroll: %s\n", ren ? err.msg : SDL_GetError());
        free(a);
        if (ren) SDL_DestroyRenderer(ren);
        SDL_DestroyWindow(win);
        SDL_Quit();
        return 2;
    }
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    SDL_StopTextInput();
    a->now_ms = SDL_GetTicks();
    app_scan_lessons(a, lessons_dir);
    app_open(a, path);
    if (a->has_doc) SDL_SetWindowTitle(win, a->doc->title);
    while (!a->quit) {
        int ww = 0, wh = 0, dw = 0, dh = 0;
        SDL_GetWindowSize(win, &ww, &wh);
        SDL_GetRendererOutputSize(ren, &dw, &dh);
        a->dpi = ww > 0 ? (float)dw / (float)ww : 1.0f;
        SDL_Event e;
        bool need = a->dirty;
        /* sleep until something happens, unless an animation runs */
        if (SDL_WaitEventTimeout(&e, app_animating(a) ? 15 : 1000)) {
            do need |= app_event(a, &e);
            while (!a->quit && SDL_PollEvent(&e));
        }
        app_tick(a, SDL_GetTicks());
        need |= a->dirty;
        if (need) {
            app_draw(a);
            if (a->want_save) {
                app_save_frame(a);
                app_draw(a); /* show the "saved" note */
            }
            SDL_RenderPresent(ren);
        }
    }
    app_free(a);
    if (a->train.lock) SDL_DestroyMutex(a->train.lock);
    render_free(&a->render);
    free(a);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}
