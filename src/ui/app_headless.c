/* app_headless: the App drawing into a software surface (SDL's dummy video
 * driver) with no display: `unroll render`, `unroll bench --frame` and the
 * tests. */
#define _POSIX_C_SOURCE 200809L
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app_internal.h"

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
        train_run_free(&a->train);
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
    train_run_free(&a->train);
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
    Uint32 p = ((const Uint32 *)s->pixels)[(size_t)y * (size_t)(s->pitch / 4) + (size_t)x];
    return (Color){(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, 255};
}

bool app_save_png(SDL_Surface *s, const char *path, Err *err)
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

bool app_render_png(const RenderRequest *req, const char *out_png, Err *err)
{
    App *a = app_headless_create(req->width, req->height, err);
    if (!a) return false;
    bool ok = false;
    if (!app_headless_open(a, req->path, err)) goto done;
    if (req->model >= 0 && req->model < a->doc->n_models) {
        a->model = req->model;
        app_pick_layer(a);
    }
    a->dark = req->dark;
    a->presenter = req->presenter;
    theme_get(&a->theme, a->dark, a->presenter);
    if (req->text && !doc_set_input(a->doc, req->text, err)) goto done;
    if (req->lesson_step > -2) {
        int n = a->doc->is_lesson ? a->doc->lesson.n_steps : 0;
        if (!a->doc->is_lesson) {
            err_set(err, "%s is not a lesson: --lesson-step needs one", req->path);
            goto done;
        }
        if (req->lesson_step >= n) {
            err_set(err, "%s has %d steps: --lesson-step goes from 0 (the introduction) to %d", req->path, n, n);
            goto done;
        }
        app_goto_lesson_step(a, req->lesson_step);
    }
    if (req->view != VIEW_COUNT) a->view = req->view;
    if (req->step >= a->doc->T) {
        err_set(err, "the input has %d steps: --step goes from 1 to %d", a->doc->T, a->doc->T);
        goto done;
    }
    if (req->step >= 0 || req->lesson_step == -2) a->step = req->step < 0 ? a->doc->T - 1 : req->step;
    a->anim = 1.0f;
    if (a->view == VIEW_GENERATE) {
        doc_generate_begin(a->doc, &a->gen, NULL, 1);
        for (int i = 0; i < req->words; i++)
            if (!doc_generate_next(a->doc, a->model, &a->gen, a->temperature, err)) goto done; /* 0 unless a lesson step set it */
    }
    if (a->view == VIEW_TRAINING && a->doc->is_lesson && !req->train && doc_curves_pending(a->doc)) {
        /* variants: the shipped models' curves, from their histories */
        while (doc_curves_pending(a->doc)) doc_curves_advance(a->doc, 1.0);
    } else if (a->view == VIEW_TRAINING && a->doc->is_lesson) {
        app_train_start(a);
        app_train_join(a);
        TrainRunProgress *p = xmalloc(sizeof *p);
        train_run_progress(&a->train, p);
        bool failed = p->failed;
        if (failed) err_set(err, "%s", p->message);
        free(p);
        if (failed) goto done;
    }
    app_draw(a);
    ok = app_save_png(a->surface, out_png, err);
done:
    app_headless_destroy(a);
    return ok;
}
