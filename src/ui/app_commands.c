/* app_commands: the one table of what the keys do. Key handling, the `?`
 * key list and the status line's hints are all read from it, so a new key
 * (or a new view, through view_kind_title) is one entry. Depends on the
 * app's state functions and render. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"

_Static_assert(VIEW_COUNT <= 9, "views are chosen with the keys 1 to 9");

/* One command: the keys that run it and how the key list and the status
 * line show it. A key runs the first command in the table that takes it. */
typedef struct {
    SDL_Keycode keys[3];       /* any of these (0: a mouse action, listed only) */
    int span;                  /* > 1: keys[0] .. keys[0] + span - 1, arg = the offset */
    int ctrl;                  /* 1: with Ctrl only; -1: without Ctrl only; 0: either */
    bool (*when)(const App *a); /* NULL: always */
    void (*run)(App *a, int arg, bool shift);
    const char *label;         /* the key list's left column; NULL: shares the row above */
    const char *help;          /* the key list's text; NULL with a span: the views' titles */
    const char *status;        /* on the status line, when set */
} AppCommand;

/* ---- when ---- */

static bool in_training(const App *a)
{
    return a->view == VIEW_TRAINING;
}

static bool has_doc(const App *a)
{
    return a->has_doc;
}

/* ---- what ---- */

static void step_by(App *a, int delta)
{
    app_set_step(a, a->step + delta);
    a->playing = false;
}

static void cmd_forward(App *a, int arg, bool shift) { step_by(a, 1); }
static void cmd_back(App *a, int arg, bool shift) { step_by(a, -1); }

static void cmd_first(App *a, int arg, bool shift)
{
    app_set_step(a, 0);
    a->playing = false;
}

static void cmd_last(App *a, int arg, bool shift)
{
    app_set_step(a, app_step_count(a) - 1);
    a->playing = false;
}

static void cmd_play(App *a, int arg, bool shift)
{
    a->playing = !a->playing;
    if (a->playing && a->step >= app_step_count(a) - 1) app_set_step(a, 0);
    a->next_play_ms = a->now_ms + APP_PLAY_INTERVAL_MS;
}

static void cmd_view(App *a, int arg, bool shift) { app_set_view(a, (ViewKind)arg); }

static void cmd_next_view(App *a, int arg, bool shift)
{
    app_set_view(a, (ViewKind)(((int)a->view + (shift ? -1 : 1) + VIEW_COUNT) % VIEW_COUNT));
}

static void cmd_escape(App *a, int arg, bool shift)
{
    if (a->message[0]) a->message[0] = '\0';
    else if (a->view == VIEW_TRAINING && train_run_active(&a->train)) app_train_cancel(a); /* webtrain */
    else app_set_view(a, VIEW_UNROLLED);
}

static void cmd_train(App *a, int arg, bool shift) { app_train_start(a); }
static void cmd_edit(App *a, int arg, bool shift) { app_start_editing(a); }

static void cmd_epochs(App *a, int arg, bool shift)
{
    int e = shift ? a->train_epochs * 2 : a->train_epochs / 2;
    a->train_epochs = e < 1 ? 1 : (e > TRAIN_MAX_EPOCHS ? TRAIN_MAX_EPOCHS : e);
}

static void cmd_units(App *a, int arg, bool shift)
{
    int u = a->train_units > 0 ? a->train_units : 32;
    u = shift ? u * 2 : u / 2;
    a->train_units = u < 1 ? 1 : (u > 512 ? 512 : u);
}

static void cmd_seed(App *a, int arg, bool shift) { a->train_seed++; }

/* ---- hist: the epoch slider, learning rate and clipnorm ---- */

static bool has_history(const App *a)
{
    return a->has_doc && doc_epoch_count(a->doc) > 0;
}

static void cmd_epoch_back(App *a, int arg, bool shift) { app_set_epoch(a, shift ? 0 : doc_epoch_shown(a->doc) - 1); }
static void cmd_epoch_forward(App *a, int arg, bool shift)
{
    app_set_epoch(a, shift ? doc_epoch_count(a->doc) : doc_epoch_shown(a->doc) + 1);
}

void app_train_lr_step(App *a, int dir)
{
    static const float RATES[] = {0.0001f, 0.0003f, 0.001f, 0.003f, 0.01f, 0.03f, 0.1f, 0.3f, 1.0f, 3.0f, 10.0f};
    const int n = (int)(sizeof RATES / sizeof RATES[0]);
    float now = a->train_lr > 0 ? a->train_lr
                                : (a->has_doc && a->doc->is_lesson && a->doc->lesson.learning_rate > 0
                                       ? (float)a->doc->lesson.learning_rate
                                       : 0.001f);
    int k = 0;
    while (k < n - 1 && RATES[k] * 1.5f < now) k++; /* the nearest rate at or above */
    if (dir > 0 && RATES[k] <= now * 1.01f) k++;
    if (dir < 0) k--;
    k = k < 0 ? 0 : (k > n - 1 ? n - 1 : k);
    a->train_lr = RATES[k];
}

void app_train_clip_step(App *a, int dir)
{
    static const float CLIPS[] = {0.0f, 0.1f, 0.25f, 0.5f, 1.0f, 2.0f, 5.0f, 10.0f};
    const int n = (int)(sizeof CLIPS / sizeof CLIPS[0]);
    int k = 0;
    while (k < n - 1 && CLIPS[k] < a->train_clipnorm) k++;
    k += dir;
    k = k < 0 ? 0 : (k > n - 1 ? n - 1 : k);
    a->train_clipnorm = CLIPS[k];
}

static void cmd_optimizer(App *a, int arg, bool shift) { a->train_sgd = !a->train_sgd; }
static void cmd_lr(App *a, int arg, bool shift) { app_train_lr_step(a, shift ? 1 : -1); }
static void cmd_clip(App *a, int arg, bool shift) { app_train_clip_step(a, shift ? 1 : -1); }
static void cmd_save(App *a, int arg, bool shift) { a->want_save = true; }

static void cmd_generate(App *a, int arg, bool shift)
{
    Err err = {{0}};
    if (!doc_generate_next(a->doc, a->model, &a->gen, a->temperature, &err)) app_set_message(a, err.msg, true);
    a->quiz_revealed = false;
    app_set_view(a, VIEW_GENERATE);
}

static void cmd_restart(App *a, int arg, bool shift) { doc_generate_begin(a->doc, &a->gen, NULL, a->gen.rng.s[0] + 1); }
static void cmd_colder(App *a, int arg, bool shift) { a->temperature = fmaxf(0.0f, a->temperature - 0.1f); }
static void cmd_warmer(App *a, int arg, bool shift) { a->temperature = fminf(2.0f, a->temperature + 0.1f); }

static void cmd_next_model(App *a, int arg, bool shift)
{
    if (a->doc->n_models < 2) return;
    a->model = (a->model + 1) % a->doc->n_models;
    app_pick_layer(a);
}

/* the next recurrent layer, or the next direction of this one */
static void cmd_next_layer(App *a, int arg, bool shift)
{
    const Model *m = &a->doc->models[a->model].model;
    int li = a->layer, d = a->dir + 1;
    if (m->layers[li].kind != LAYER_RNN || d >= m->layers[li].n_dir) {
        d = 0;
        /* conv helper: conv layers too; a model with neither keeps its layer */
        for (int k = 0; k < m->n_layers; k++) {
            li = (li + 1) % m->n_layers;
            if (m->layers[li].kind == LAYER_RNN || m->layers[li].kind == LAYER_CONV1D) break;
        }
    }
    a->layer = li;
    a->dir = d;
    a->has_selected = false;
}

static void cmd_theme(App *a, int arg, bool shift)
{
    a->dark = !a->dark;
    theme_get(&a->theme, a->dark, a->presenter);
}

static void cmd_presenter(App *a, int arg, bool shift) { app_toggle_presenter(a); }
static void cmd_larger(App *a, int arg, bool shift) { a->font_scale = fminf(a->font_scale * 1.15f, 3.0f); }
static void cmd_smaller(App *a, int arg, bool shift) { a->font_scale = fmaxf(a->font_scale / 1.15f, 0.5f); }
static void cmd_type_reset(App *a, int arg, bool shift) { a->font_scale = 1.0f; }
static void cmd_zoom_in(App *a, int arg, bool shift) { a->zoom = fminf(a->zoom * 1.25f, 12.0f); }
static void cmd_zoom_out(App *a, int arg, bool shift) { a->zoom = fmaxf(a->zoom / 1.25f, 1.0f); }
static void cmd_quit(App *a, int arg, bool shift) { a->quit = true; }

static void cmd_quiz(App *a, int arg, bool shift)
{
    a->quiz_mode = !a->quiz_mode;
    a->quiz_revealed = false;
}

static void cmd_reveal(App *a, int arg, bool shift) { a->quiz_revealed = !a->quiz_revealed; }
static void cmd_next_step(App *a, int arg, bool shift) { app_goto_lesson_step(a, a->lesson_step + 1); }
static void cmd_prev_step(App *a, int arg, bool shift) { app_goto_lesson_step(a, a->lesson_step - 1); }
static void cmd_narration(App *a, int arg, bool shift) { a->show_lesson = !a->show_lesson; }
static void cmd_lessons(App *a, int arg, bool shift) { a->show_lessons = !a->show_lessons; }
static void cmd_help(App *a, int arg, bool shift) { a->show_help = true; }
/* input attribution (helper attr) */
static void cmd_attribution(App *a, int arg, bool shift)
{
    if (shift) { /* Shift+A: the other method, shown */
        a->attrib_occlusion = !a->attrib_occlusion;
        a->attrib_on = true;
    } else {
        a->attrib_on = !a->attrib_on;
    }
}

/* chart helper: u adds the next unit the tool picks (or the clicked one), U removes the last */
static bool in_chart(const App *a)
{
    return a->view == VIEW_CHART && a->has_doc;
}

static void cmd_chart_unit(App *a, int arg, bool shift)
{
    int shown[LESSON_MAX_UNITS];
    int n = app_chart_units(a, shown, LESSON_MAX_UNITS, NULL, 0);
    if (a->n_chart_units == 0) { /* start from what is shown */
        memcpy(a->chart_units, shown, (size_t)n * sizeof *shown);
        a->n_chart_units = n;
    }
    a->chart_units_from_lesson = false;
    if (shift) {
        if (a->n_chart_units > 1) a->n_chart_units--;
        return;
    }
    if (a->n_chart_units >= LESSON_MAX_UNITS) return;
    /* the next unit: the tool's picks with the chosen ones set aside */
    int keep = a->n_chart_units;
    a->n_chart_units = 0;
    int picks[LESSON_MAX_UNITS];
    int np = app_chart_units(a, picks, LESSON_MAX_UNITS, NULL, 0);
    a->n_chart_units = keep;
    for (int k = 0; k < np; k++) {
        bool have = false;
        for (int q = 0; q < keep; q++) have |= a->chart_units[q] == picks[k];
        if (!have) {
            a->chart_units[a->n_chart_units++] = picks[k];
            return;
        }
    }
    /* every pick shown: the lowest unit of the layer not shown */
    const Layer *l = &a->doc->models[a->model].model.layers[a->layer];
    for (int u = 0; l->kind == LAYER_RNN && u < l->cell[0].units; u++) {
        bool have = false;
        for (int q = 0; q < keep; q++) have |= a->chart_units[q] == u;
        if (!have) {
            a->chart_units[a->n_chart_units++] = u;
            return;
        }
    }
}

#define ARROWS "\xE2\x86\x90  \xE2\x86\x92"

/* In the order of the key list; the first entry that takes a key runs. */
static const AppCommand COMMANDS[] = {
    {{SDLK_RIGHT}, 0, 0, NULL, cmd_forward, ARROWS, "step back / forward", "\xE2\x86\x90/\xE2\x86\x92 step"},
    {{SDLK_LEFT}, 0, 0, NULL, cmd_back, NULL, NULL, NULL},
    {{SDLK_HOME}, 0, 0, NULL, cmd_first, "Home  End", "first / last step", NULL},
    {{SDLK_END}, 0, 0, NULL, cmd_last, NULL, NULL, NULL},
    {{SDLK_SPACE}, 0, 0, NULL, cmd_play, "Space", "play / pause", "Space play"},
    {{SDLK_1}, VIEW_COUNT, 0, NULL, cmd_view, "Tab", NULL, NULL},
    {{SDLK_TAB}, 0, 0, NULL, cmd_next_view, NULL, NULL, NULL},
    {{SDLK_RETURN, SDLK_KP_ENTER}, 0, 0, in_training, cmd_train, "Enter  u U  e E  s",
     "train view: start, units, epochs, seed", NULL},
    {{SDLK_u}, 0, 0, in_training, cmd_units, NULL, NULL, NULL},
    {{SDLK_e}, 0, 0, in_training, cmd_epochs, NULL, NULL, NULL},
    {{SDLK_s}, 0, -1, in_training, cmd_seed, NULL, NULL, NULL},
    {{SDLK_u}, 0, -1, in_chart, cmd_chart_unit, "u  U", "unit chart: add a unit / remove the last", NULL}, /* chart helper */
    /* hist */
    {{SDLK_a}, 0, -1, in_training, cmd_lr, "a A  c C  p", "train view: learning rate, clipnorm (lower / higher), Adam / SGD", NULL},
    {{SDLK_p}, 0, -1, in_training, cmd_optimizer, NULL, NULL, NULL},
    {{SDLK_c}, 0, -1, in_training, cmd_clip, NULL, NULL, NULL},
    {{SDLK_COMMA}, 0, -1, has_history, cmd_epoch_back, ",  .", "training history: epoch back / forward (Shift: first / last; drag the slider)", NULL},
    {{SDLK_PERIOD}, 0, -1, has_history, cmd_epoch_forward, NULL, NULL, NULL},
    {{SDLK_RETURN, SDLK_KP_ENTER, SDLK_e}, 0, 0, has_doc, cmd_edit, "Enter", "type a sentence (Enter again to run it)",
     "Enter type"},
    {{0}, 0, 0, NULL, NULL, "click a cell", "look inside it", "click a cell to look inside"},
    {{0}, 0, 0, NULL, NULL, "click a square", "its equation with the numbers", NULL},
    {{SDLK_m}, 0, 0, has_doc, cmd_next_model, "m  l", "next model / next layer", NULL},
    {{SDLK_l}, 0, 0, has_doc, cmd_next_layer, NULL, NULL, NULL},
    {{SDLK_EQUALS, SDLK_PLUS, SDLK_KP_PLUS}, 0, -1, NULL, cmd_zoom_in, "wheel  + -", "zoom the steps (Shift+wheel scrolls)", NULL},
    {{SDLK_MINUS, SDLK_KP_MINUS}, 0, -1, NULL, cmd_zoom_out, NULL, NULL, NULL},
    {{SDLK_PAGEDOWN}, 0, 0, NULL, cmd_next_step, "PageUp PageDown", "lesson: previous / next step", NULL},
    {{SDLK_PAGEUP}, 0, 0, NULL, cmd_prev_step, NULL, NULL, NULL},
    {{SDLK_n}, 0, 0, NULL, cmd_narration, "n  o", "hide the narration / the list of lessons", NULL},
    {{SDLK_o}, 0, 0, NULL, cmd_lessons, NULL, NULL, NULL},
    {{SDLK_q}, 0, -1, NULL, cmd_quiz, "q  r", "quiz mode: hide the answers / reveal them", NULL},
    /* judged quizzes (helper quiz; the keys are taken in app_events.c before this table) */
    {{0}, 0, 0, NULL, NULL, "1 \xE2\x80\xA6 9  Enter", "lesson quiz: pick a choice / type the word", NULL},
    {{0}, 0, 0, NULL, NULL, "wheel on the narration", "scroll a long lesson step", NULL},
    {{SDLK_r}, 0, 0, NULL, cmd_reveal, NULL, NULL, NULL},
    {{SDLK_g}, 0, 0, has_doc, cmd_generate, "g  c  [ ]", "generate a word, start again, temperature", NULL},
    {{SDLK_c}, 0, 0, has_doc, cmd_restart, NULL, NULL, NULL},
    {{SDLK_LEFTBRACKET}, 0, 0, NULL, cmd_colder, NULL, NULL, NULL},
    {{SDLK_RIGHTBRACKET}, 0, 0, NULL, cmd_warmer, NULL, NULL, NULL},
    {{SDLK_t}, 0, 0, NULL, cmd_theme, "t", "light / dark theme", NULL},
    {{SDLK_a}, 0, -1, has_doc, cmd_attribution, "a  A", "shade words by their part in the prediction; A: occlusion", NULL},
    {{SDLK_F11}, 0, 0, NULL, cmd_presenter, "F11", "presenter mode (full screen, large type)", NULL},
    {{SDLK_EQUALS, SDLK_PLUS, SDLK_KP_PLUS}, 0, 1, NULL, cmd_larger, "Ctrl + / Ctrl - / Ctrl 0", "larger / smaller / usual type", NULL},
    {{SDLK_MINUS, SDLK_KP_MINUS}, 0, 1, NULL, cmd_smaller, NULL, NULL, NULL},
    {{SDLK_0}, 0, 1, NULL, cmd_type_reset, NULL, NULL, NULL},
    {{SDLK_s}, 0, 1, NULL, cmd_save, "Ctrl+S", "save this view as a PNG", NULL},
    {{SDLK_q}, 0, 1, NULL, cmd_quit, "Ctrl+Q", "quit", NULL},
    {{SDLK_ESCAPE}, 0, 0, NULL, cmd_escape, "Esc", "back to the unrolled view (train view: cancel)", NULL},
    {{SDLK_SLASH, SDLK_QUESTION, SDLK_F1}, 0, 0, NULL, cmd_help, "?", "this list", "? keys"},
};
#define N_COMMANDS ((int)(sizeof COMMANDS / sizeof COMMANDS[0]))

/* Does c take key? arg gets the offset in a span. */
static bool takes(const AppCommand *c, SDL_Keycode key, bool ctrl, int *arg)
{
    if ((c->ctrl > 0 && !ctrl) || (c->ctrl < 0 && ctrl) || !c->run) return false;
    *arg = 0;
    if (c->span > 1) {
        if (key < c->keys[0] || key >= c->keys[0] + c->span) return false;
        *arg = (int)(key - c->keys[0]);
        return true;
    }
    for (int i = 0; i < 3; i++)
        if (c->keys[i] && c->keys[i] == key) return true;
    return false;
}

bool app_command_key(App *a, SDL_Keycode key, Uint16 mod)
{
    bool ctrl = (mod & KMOD_CTRL) != 0, shift = (mod & KMOD_SHIFT) != 0;
    for (int i = 0; i < N_COMMANDS; i++) {
        const AppCommand *c = &COMMANDS[i];
        int arg = 0;
        if (!takes(c, key, ctrl, &arg) || (c->when && !c->when(a))) continue;
        c->run(a, arg, shift);
        a->dirty = true;
        return true;
    }
    return false;
}

/* The key list's row of command i: its keys and what they do. */
static void row_text(int i, char *keys, size_t kcap, char *help, size_t hcap)
{
    const AppCommand *c = &COMMANDS[i];
    if (c->span > 1) {
        /* "1 ... 7  Tab" and the views' titles */
        snprintf(keys, kcap, "1 \xE2\x80\xA6 %d%s%s", c->span, c->label ? "  " : "", c->label ? c->label : "");
        size_t o = 0;
        help[0] = '\0';
        for (int v = 0; v < VIEW_COUNT && o < hcap; v++)
            o += (size_t)snprintf(help + o, hcap - o, "%s%s", v ? ", " : "", view_kind_title((ViewKind)v));
        for (char *p = help; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    } else {
        snprintf(keys, kcap, "%s", c->label);
        snprintf(help, hcap, "%s", c->help ? c->help : "");
    }
}

void app_draw_help(const App *a, Render *r)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), lh = (int)(px * 1.6f);
    int kw = 0, dw = 0, n = 0;
    char keys[96], help[256];
    for (int i = 0; i < N_COMMANDS; i++) {
        if (!COMMANDS[i].label && COMMANDS[i].span <= 1) continue;
        row_text(i, keys, sizeof keys, help, sizeof help);
        int w1 = 0, w2 = 0;
        render_text_size(r, keys, px, FONT_BOLD, &w1, NULL);
        render_text_size(r, help, px, FONT_REGULAR, &w2, NULL);
        kw = w1 > kw ? w1 : kw;
        dw = w2 > dw ? w2 : dw;
        n++;
    }
    Box panel = app_draw_overlay(a, r, kw + dw + px * 4, lh * (n + 2) + px, px);
    int x = panel.x, y = panel.y;
    render_text(r, x + px, y + px, "Keys", app_px(a, TEXT_LARGE), FONT_BOLD, th->text, ALIGN_LEFT);
    int row = 0;
    for (int i = 0; i < N_COMMANDS; i++) {
        if (!COMMANDS[i].label && COMMANDS[i].span <= 1) continue;
        row_text(i, keys, sizeof keys, help, sizeof help);
        int yy = y + px + lh * (++row) + px / 2;
        render_text(r, x + px, yy, keys, px, FONT_BOLD, th->accent, ALIGN_LEFT);
        render_text(r, x + px * 2 + kw, yy, help, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    }
}

int app_draw_status(const App *a, Render *r)
{
    const Theme *th = &a->theme;
    int W = r->width, H = r->height, px = app_px(a, TEXT_SMALL), pad = px / 2 + 2;
    int h = px + 2 * pad;
    render_fill(r, (Box){0, H - h, W, h}, th->panel);
    render_fill(r, (Box){0, H - h, W, 1}, th->panel_edge);
    char left[256];
    if (a->has_doc && a->input_job) {
        /* the sentence typed is being read by the models */
        snprintf(left, sizeof left, "reading the new sentence: %d of %d models done, %.1f s",
                 doc_job_models_done(a->input_job), a->doc->n_models, (double)(a->now_ms - a->input_job_ms) / 1000.0);
    } else if (a->has_doc) {
        char wb[64];
        snprintf(left, sizeof left, "step %d of %d  \xC2\xB7  \xE2\x80\x9C%s\xE2\x80\x9D  \xC2\xB7  %s%s", a->step + 1, a->doc->T,
                 doc_word(a->doc, a->step, wb, sizeof wb), a->doc->models[a->model].label, a->playing ? "  \xC2\xB7  playing" : "");
    } else {
        snprintf(left, sizeof left, "no lesson or model open: drop a folder or a lesson here");
    }
    render_text(r, pad * 2, H - h + pad, left, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    char keys[256];
    size_t o = 0;
    keys[0] = '\0';
    for (int i = 0; i < N_COMMANDS && o < sizeof keys; i++)
        if (COMMANDS[i].status) o += (size_t)snprintf(keys + o, sizeof keys - o, "%s%s", o ? "   " : "", COMMANDS[i].status);
    int lw = 0, kw = 0;
    render_text_size(r, left, px, FONT_REGULAR, &lw, NULL);
    render_text_size(r, keys, px, FONT_REGULAR, &kw, NULL);
    if (pad * 2 + lw + 3 * px + kw < W) render_text(r, W - pad * 2, H - h + pad, keys, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    return h;
}
