/* app_events: one event at a time. Keys go first to whatever has the
 * keyboard (the input bar, the key list, the lesson list), then through
 * the table of commands (app_commands.c); the mouse hovers, clicks and
 * zooms; a window event asks for a frame at the window's new size.
 * app_tick advances animations, playback and training. Nothing here draws. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"

static bool key_event(App *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode key = k->keysym.sym;
    if (a->editing) {
        if (key == SDLK_RETURN || key == SDLK_KP_ENTER) app_finish_editing(a, true);
        else if (key == SDLK_ESCAPE) app_finish_editing(a, false);
        else field_key(&a->edit, key, k->keysym.mod);
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
    /* a judged quiz waiting for its answer: number keys pick a choice,
     * Enter opens the field for a typed word */
    const LessonDirectives *quiz = app_quiz_step(a);
    if (quiz && !a->quiz_judged && !(k->keysym.mod & (KMOD_CTRL | KMOD_ALT))) {
        if (quiz->n_choices && key >= SDLK_1 && key < SDLK_1 + quiz->n_choices) {
            app_quiz_pick(a, (int)(key - SDLK_1));
            return true;
        }
        if (!quiz->n_choices && (key == SDLK_RETURN || key == SDLK_KP_ENTER)) {
            a->editing = true;
            a->quiz_typing = true;
            field_begin(&a->edit, "");
            SDL_StartTextInput();
            a->dirty = true;
            return true;
        }
    }
    return app_command_key(a, key, k->keysym.mod);
}

static void update_hover(App *a)
{
    Hot at;
    const Hot *h = render_hot_at(&a->render, a->mouse_x, a->mouse_y, &at) ? &at : NULL;
    bool had = a->has_hover;
    Hot old = a->hover;
    a->has_hover = h && (h->kind == HOT_UNIT || h->kind == HOT_BAR || h->kind == HOT_TOKEN);
    if (a->has_hover) a->hover = *h;
    if (had != a->has_hover || (a->has_hover && memcmp(&old, &a->hover, sizeof old) != 0)) a->dirty = true;
}

static void click(App *a, int x, int y)
{
    Hot at;
    if (!render_hot_at(&a->render, x, y, &at)) return;
    const Hot *h = &at;
    switch (h->kind) {
    case HOT_BUTTON:
        if (h->unit >= BTN_VIEW0 && h->unit < BTN_VIEW0 + VIEW_COUNT) app_set_view(a, (ViewKind)(h->unit - BTN_VIEW0));
        else if (h->unit >= BTN_MODEL0 && h->unit < BTN_MODEL0 + DOC_MAX_MODELS) {
            a->model = h->unit - BTN_MODEL0;
            app_pick_layer(a);
        } else if (h->unit == BTN_INPUT) app_start_editing(a);
        else if (h->unit >= BTN_CHOICE0 && h->unit < BTN_CHOICE0 + LESSON_MAX_CHOICES) {
            if (!a->quiz_judged) app_quiz_pick(a, h->unit - BTN_CHOICE0);
        } else if (h->unit >= BTN_LESSON0 && h->unit < BTN_LESSON0 + a->n_lessons) {
            a->show_lessons = false;
            app_open(a, a->lesson_paths[h->unit - BTN_LESSON0]);
        }
        /* hist: the epoch slider (dragged until the button is released) and the training view's +/- */
        else if (h->unit == BTN_EPOCH_SLIDER) {
            a->epoch_drag = true;
            app_set_epoch(a, app_epoch_at(a, x));
        } else if (h->unit == BTN_LR_DOWN || h->unit == BTN_LR_UP) app_train_lr_step(a, h->unit == BTN_LR_UP ? 1 : -1);
        else if (h->unit == BTN_CLIP_DOWN || h->unit == BTN_CLIP_UP) app_train_clip_step(a, h->unit == BTN_CLIP_UP ? 1 : -1);
        break;
    case HOT_CELL: app_open_inspector(a, h); break;
    case HOT_TOKEN: app_set_step(a, h->t); break;
    case HOT_UNIT: {
        if (a->doc->models[h->model].model.layers[h->layer].kind == LAYER_CONV1D) { /* conv helper: a filter */
            Hot unit = *h, opened = *h;
            opened.t = (short)conv_output_step(&a->doc->models[h->model], h->layer, a->doc->T, h->t);
            if (a->view != VIEW_INSPECTOR) app_open_inspector(a, &opened);
            a->selected = unit;
            a->has_selected = true;
            break;
        }
        if (a->doc->models[h->model].model.layers[h->layer].kind != LAYER_RNN) break; /* an input square */
        Hot unit = *h; /* h points into the frame's regions */
        if (a->view != VIEW_INSPECTOR) app_open_inspector(a, &unit);
        a->selected = unit;
        a->has_selected = true;
        break;
    }
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
            field_insert(&a->edit, e->text.text);
            a->dirty = true;
        } else if (strcmp(e->text.text, "?") == 0) {
            a->show_help = true;
            a->dirty = true;
        }
        return a->dirty;
    case SDL_MOUSEMOTION:
        a->mouse_x = (int)lroundf((float)e->motion.x * a->dpi);
        a->mouse_y = (int)lroundf((float)e->motion.y * a->dpi);
        if (a->epoch_drag) { /* hist */
            int ep = app_epoch_at(a, a->mouse_x);
            if (ep >= 0 && ep != doc_epoch_shown(a->doc)) app_set_epoch(a, ep);
            return a->dirty;
        }
        update_hover(a);
        return a->dirty;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT && a->epoch_drag) a->epoch_drag = false; /* hist */
        return false;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            if (a->show_help) a->show_help = false;
            else click(a, (int)lroundf((float)e->button.x * a->dpi), (int)lroundf((float)e->button.y * a->dpi));
            a->dirty = true;
        }
        return a->dirty;
    case SDL_MOUSEWHEEL: {
        const Uint8 *keys = SDL_GetKeyboardState(NULL);
        bool shift = keys && (keys[SDL_SCANCODE_LSHIFT] || keys[SDL_SCANCODE_RSHIFT]);
        int dy = e->wheel.y, dx = e->wheel.x;
        Hot at;
        if (!shift && !dx && a->has_doc && a->doc->is_lesson && a->show_lesson &&
            render_hot_at(&a->render, a->mouse_x, a->mouse_y, &at) && at.kind == HOT_BUTTON &&
            (at.unit == BTN_NARRATION || (at.unit >= BTN_CHOICE0 && at.unit < BTN_CHOICE0 + LESSON_MAX_CHOICES))) {
            /* over the lesson panel: scroll the narration, as far as the last frame said it goes */
            int most = 0;
            for (int i = 0; i < a->render.n_hot; i++)
                if (a->render.hot[i].kind == HOT_BUTTON && a->render.hot[i].unit == BTN_NARRATION) most = a->render.hot[i].t;
            a->lesson_scroll -= dy * 3;
            if (a->lesson_scroll > most) a->lesson_scroll = most;
            if (a->lesson_scroll < 0) a->lesson_scroll = 0;
            a->dirty = true;
            return true;
        }
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
        /* resized, shown, exposed: the next frame reads the drawable size again */
        a->dirty = true;
        return true;
    default: return false;
    }
}

void app_tick(App *a, Uint32 now)
{
    a->now_ms = now;
    if (a->input_job && doc_job_done(a->input_job)) app_input_job_end(a, true);
    /* variants: the training view's curves from the histories, a few
     * snapshots per frame (never while a job reads the models) */
    if (a->has_doc && a->view == VIEW_TRAINING && !a->input_job && doc_curves_pending(a->doc)) {
        doc_curves_advance(a->doc, 0.010);
        a->dirty = true;
    }
    if (train_run_active(&a->train)) { /* webtrain: a thread's run, or a sliced one */
        a->dirty = true; /* progress to show */
        if (a->train.job) train_run_slice(&a->train, TRAIN_SLICE_MS);
        if (app_train_finished(a)) app_train_join(a);
    }
    if (a->anim < 1.0f) {
        a->anim = fminf(1.0f, (float)(now - a->anim_start_ms) / APP_STEP_ANIM_MS);
        a->dirty = true;
    }
    if (a->playing && now >= a->next_play_ms) {
        if (a->step >= app_step_count(a) - 1) {
            a->playing = false;
        } else {
            app_set_step(a, a->step + 1);
            a->next_play_ms = now + APP_PLAY_INTERVAL_MS;
        }
        a->dirty = true;
    }
}

bool app_animating(const App *a)
{
    return a->anim < 1.0f || a->playing || train_run_active(&a->train) || a->input_job != NULL ||
           (a->has_doc && a->view == VIEW_TRAINING && doc_curves_pending(a->doc));
}
