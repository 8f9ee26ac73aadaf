/* app_window: the real window and its loop (poll events -> update -> draw),
 * presenter mode, and Ctrl+S. The layout always follows the drawable size
 * the renderer reports at each frame (render_begin), so it is right
 * whatever the window manager does with a resize. */
#include <SDL_image.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "app_internal.h"
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

/* Presenter mode covers the display with a borderless window rather than
 * asking for SDL's full screen: without a window manager that request is
 * never carried out, yet SDL then reports the display's size as the
 * window's, and the layout is drawn for a window that is not there. A
 * plain move and resize is done by any window manager, or by none. */
void app_toggle_presenter(App *a)
{
    a->presenter = !a->presenter;
    theme_get(&a->theme, a->dark, a->presenter);
    SDL_Window *w = a->render.sdl ? SDL_RenderGetWindow(a->render.sdl) : NULL;
    if (!w) return; /* headless */
    if (a->presenter) {
        SDL_Rect b;
        SDL_GetWindowPosition(w, &a->window_x, &a->window_y);
        SDL_GetWindowSize(w, &a->window_w, &a->window_h);
        if (SDL_GetDisplayBounds(SDL_GetWindowDisplayIndex(w), &b) != 0) return;
        SDL_SetWindowBordered(w, SDL_FALSE);
        SDL_SetWindowPosition(w, b.x, b.y);
        SDL_SetWindowSize(w, b.w, b.h);
    } else if (a->window_w > 0) {
        SDL_SetWindowBordered(w, SDL_TRUE);
        SDL_SetWindowSize(w, a->window_w, a->window_h);
        SDL_SetWindowPosition(w, a->window_x, a->window_y);
    }
    a->dirty = true;
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
    else {
        snprintf(msg, sizeof msg, "saved %s", name);
#ifdef __EMSCRIPTEN__
        /* a page cannot write to the user's disk: the browser downloads it */
        char js[200];
        snprintf(js, sizeof js, "unrollDownload('%s')", name); /* index.html; the name is ASCII */
        emscripten_run_script(js);
        snprintf(msg, sizeof msg, "downloaded %s", name);
#endif
    }
    SDL_FreeSurface(s);
    app_set_message(a, msg, false);
}

#ifdef __EMSCRIPTEN__
/* The page's "open model" button and drop zone write the user's files into
 * the page's file system and call this: the window opens the path as if it
 * had been dropped on it. */
EMSCRIPTEN_KEEPALIVE void unroll_web_open(const char *path);
EMSCRIPTEN_KEEPALIVE void unroll_web_open(const char *path)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_DROPFILE;
    e.drop.file = SDL_strdup(path);
    if (e.drop.file && SDL_PushEvent(&e) != 1) SDL_free(e.drop.file);
}
/* A lesson's files in the page: index.html's unrollNeed(paths) gets the
 * lesson's corpus or data, validation set and models folder (absolute
 * paths, one a line) and answers 100 when every file under them is in the
 * page's file system; otherwise it starts downloading the missing ones and
 * answers 0 to 99 (per cent of their bytes), and unrollNeedStatus() answers
 * the same until 100, or -1 when a download failed. The page itself then
 * downloads only the program, the fonts, the lessons' texts and the first
 * lesson's files. */
static char web_pending[sizeof ((App *)0)->lesson_paths[0]]; /* the lesson waiting for its files */
static char web_pending_title[128];
static int web_pending_pct = -1;

static void web_pending_message(App *a, int pct)
{
    char msg[256];
    snprintf(msg, sizeof msg, "downloading \u201c%s\u201d\u2026 %d%%", web_pending_title, pct);
    app_set_message(a, msg, false);
    web_pending_pct = pct;
}

static void web_pending_failed(App *a)
{
    char msg[APP_MESSAGE_MAX];
    web_pending[0] = '\0';
    snprintf(msg, sizeof msg, "could not open \u201c%s\u201d: the page's server did not send %s", web_pending_title,
             emscripten_run_script_string("unrollNeedError()"));
    app_set_message(a, msg, true);
}

bool app_web_files_ready(App *a, const char *path)
{
    size_t n = strlen(a->lessons_dir), len = strlen(path);
    if (!n || strncmp(path, a->lessons_dir, n) != 0 || path[n] != '/' || len < 4 || strcmp(path + len - 3, ".md"))
        return true; /* a user's model or file */
    Lesson l;
    Err err = {{0}};
    if (!lesson_load(&l, path, &err)) return true; /* doc_open says what is wrong with it */
    /* unrollNeed("path\npath\n"), the paths as a JavaScript string (C11 has no EM_ASM) */
    char js[4 * 2 * 1100 + 64];
    size_t k = (size_t)snprintf(js, sizeof js, "unrollNeed(\"");
    const char *need[] = {l.corpus, l.data, l.validation, l.models};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        for (const char *c = need[i]; c && *c && k + 8 < sizeof js; c++) {
            if (*c == '"' || *c == '\\') js[k++] = '\\';
            if ((unsigned char)*c >= 0x20) js[k++] = *c;
        }
        if (need[i] && k + 8 < sizeof js) js[k++] = '\\', js[k++] = 'n';
    }
    snprintf(js + k, sizeof js - k, "\")");
    snprintf(web_pending_title, sizeof web_pending_title, "%s", l.title);
    lesson_unload(&l);
    int st = emscripten_run_script_int(js);
    if (st >= 100) {
        web_pending[0] = '\0';
        return true;
    }
    if (st < 0) {
        web_pending_failed(a);
        return false;
    }
    snprintf(web_pending, sizeof web_pending, "%s", path);
    web_pending_message(a, st);
    return false;
}

void app_web_opened(const App *a, const char *path)
{
    size_t n = strlen(a->lessons_dir);
    const char *name = strncmp(path, a->lessons_dir, n) == 0 && path[n] == '/' ? path + n + 1 : "";
    char js[256];
    size_t k = (size_t)snprintf(js, sizeof js, "unrollOpened(\"");
    for (const char *c = name; *c && k + 8 < sizeof js; c++)
        if (isalnum((unsigned char)*c) || strchr("-_.", *c)) js[k++] = *c; /* lesson names are plain */
    snprintf(js + k, sizeof js - k, "\")");
    emscripten_run_script(js);
}

/* each frame: a lesson whose files have come opens; a failed download says so */
static void web_poll_pending(App *a)
{
    if (!web_pending[0]) return;
    int st = emscripten_run_script_int("unrollNeedStatus()");
    if (st >= 100) {
        char path[sizeof web_pending];
        memcpy(path, web_pending, sizeof path);
        web_pending[0] = '\0';
        app_open(a, path);
        a->dirty = true;
    } else if (st < 0) {
        web_pending_failed(a);
        a->dirty = true;
    } else if (st != web_pending_pct) {
        web_pending_message(a, st);
        a->dirty = true;
    }
}

/* For the page and its test: the window's state as JSON (the view, the
 * step, the sentence's length, and h of the first recurrent layer after the
 * current step, the numbers the unrolled view draws), and how long the last
 * frame took to draw. */
static App *web_app;
static double web_frame_ms;
/* webtrain: ms each cell's training took inside the frames' ticks (the
 * slices), beside the wall time the run reports */
static double web_train_ms[CELL_KIND_COUNT], web_train_max_ms; /* and the longest slice */
EMSCRIPTEN_KEEPALIVE const char *unroll_web_state(void);
EMSCRIPTEN_KEEPALIVE const char *unroll_web_state(void)
{
    static char buf[16384];
    App *a = web_app;
    if (!a || !a->has_doc) return "{\"open\": false}";
    const DocModel *dm = &a->doc->models[a->model];
    size_t k = (size_t)snprintf(buf, sizeof buf,
                                "{\"open\": true, \"view\": \"%s\", \"step\": %d, \"T\": %d, \"lesson_step\": %d, "
                                "\"model\": \"%s\", \"frame_ms\": %.3f, \"title\": \"",
                                view_kind_name(a->view), a->step, a->doc->T, a->lesson_step, dm->label, web_frame_ms);
    for (const char *c = a->doc->title; *c && k < sizeof buf - 64; c++)
        if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20) buf[k++] = *c;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "\", \"input\": \"");
    for (const char *c = a->doc->input; *c && k < sizeof buf - 64; c++)
        if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20) buf[k++] = *c;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "\", \"h\": [");
    for (int l = 0; l < dm->model.n_layers; l++) {
        const LayerRecord *lr = &dm->trace.layers[l];
        if (dm->model.layers[l].kind != LAYER_RNN || !lr->n_runs || a->step < 0) continue;
        const RunRecord *run = &lr->run[0];
        for (int u = 0; u < run->H && k < sizeof buf - 2048; u++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%.9g", u ? ", " : "",
                                  (double)run->h[(size_t)(a->step + 1) * (size_t)run->H + (size_t)u]);
        break;
    }
    /* webtrain: the window's message line and the training run (epochs
     * done, each cell's last loss (null if not finite), seconds so far) */
    k += (size_t)snprintf(buf + k, sizeof buf - k, "], \"message\": \"");
    for (const char *c = a->message; *c && k < sizeof buf - 1200; c++)
        if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20) buf[k++] = *c;
    TrainRunProgress *p = malloc(sizeof *p);
    if (p) {
        train_run_progress(&a->train, p);
        k += (size_t)snprintf(buf + k, sizeof buf - k,
                              "\", \"train\": {\"running\": %s, \"finished\": %s, \"failed\": %s, \"cell\": %d, "
                              "\"epochs\": %d, \"slice_max_ms\": %.1f, \"cells\": [",
                              p->running ? "true" : "false", p->finished ? "true" : "false", p->failed ? "true" : "false",
                              p->cell, p->epochs, web_train_max_ms);
        for (int c = 0; c < p->n_cells && c < CELL_KIND_COUNT; c++) {
            int n = p->epochs_done[c];
            double loss = n > 0 ? (double)p->loss[c][n - 1] : 0.0;
            char lbuf[32];
            if (n > 0 && isfinite(loss)) snprintf(lbuf, sizeof lbuf, "%.6g", loss);
            else snprintf(lbuf, sizeof lbuf, "null");
            k += (size_t)snprintf(buf + k, sizeof buf - k,
                                  "%s{\"epochs_done\": %d, \"loss\": %s, \"seconds\": %.3f, \"slice_seconds\": %.3f}",
                                  c ? ", " : "", n, lbuf, p->seconds[c], web_train_ms[c] / 1000.0);
        }
        snprintf(buf + k, sizeof buf - k, "]}}");
        free(p);
    } else {
        snprintf(buf + k, sizeof buf - k, "\"}");
    }
    return buf;
}
#endif

/* The window loop's state, for one frame at a time. */
typedef struct {
    App *a;
    SDL_Window *win;
    SDL_Renderer *ren;
    bool idle;
} Loop;

/* One pass of the loop: wait for events (natively; the browser calls this
 * once per animation frame and must not be blocked), update, draw. */
static void loop_frame(void *arg)
{
    Loop *l = arg;
    App *a = l->a;
    /* points to pixels, for the mouse; the frame reads the drawable size itself */
    int ww = 0, wh = 0, dw = 0, dh = 0;
    SDL_GetWindowSize(l->win, &ww, &wh);
    SDL_GetRendererOutputSize(l->ren, &dw, &dh);
    a->dpi = ww > 0 ? (float)dw / (float)ww : 1.0f;
    SDL_Event e;
    bool need = a->dirty;
#ifdef __EMSCRIPTEN__
    bool got = SDL_PollEvent(&e) != 0;
#else
    /* sleep until something happens, unless an animation runs */
    bool got = SDL_WaitEventTimeout(&e, app_animating(a) ? 15 : 1000) != 0;
#endif
    if (got) {
        do need |= app_event(a, &e);
        while (!a->quit && SDL_PollEvent(&e));
        l->idle = false;
    } else if (!l->idle && !app_animating(a)) {
        l->idle = true;
#ifdef __GLIBC__
        /* a second with nothing to do: what a finished training or a
         * closed document freed goes back to the system */
        malloc_trim(0);
#endif
    }
#ifdef __EMSCRIPTEN__
    web_poll_pending(a);
    if (a->train.job) { /* webtrain: the time this frame's slice takes */
        static bool had_run; /* a run after none starts from 0 */
        if (!had_run) {
            memset(web_train_ms, 0, sizeof web_train_ms);
            web_train_max_ms = 0;
        }
        int cell = a->train.progress.cell; /* one thread: no lock needed */
        double t0 = emscripten_get_now();
        app_tick(a, SDL_GetTicks());
        double ms = emscripten_get_now() - t0;
        if (cell >= 0 && cell < CELL_KIND_COUNT) web_train_ms[cell] += ms;
        if (a->train.job && ms > web_train_max_ms) web_train_max_ms = ms; /* the ticks before the join */
        had_run = a->train.job != NULL;
    } else
#endif
    app_tick(a, SDL_GetTicks());
    need |= a->dirty;
    if (need) {
#ifdef __EMSCRIPTEN__
        double t0 = emscripten_get_now();
        app_draw(a);
        web_frame_ms = emscripten_get_now() - t0;
#else
        app_draw(a);
#endif
        if (a->want_save) {
            app_save_frame(a);
            app_draw(a); /* show the "saved" note */
        }
        SDL_RenderPresent(l->ren);
    }
}

int app_run(const char *path, const char *lessons_dir)
{
#ifndef __EMSCRIPTEN__ /* a page always has its canvas */
    const char *disp = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY"), *drv = getenv("SDL_VIDEODRIVER");
    if ((!disp || !*disp) && (!wl || !*wl) && !(drv && *drv)) {
        fprintf(stderr, "unroll: no display to open a window on (DISPLAY is not set); "
                        "use `unroll render LESSON_OR_MODEL --view unrolled --out view.png` to draw to a file\n");
        return 2;
    }
#endif
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "unroll: cannot open a window (%s); use `unroll render ... --out view.png` to draw to a file\n",
                SDL_GetError());
        return 2;
    }
#ifdef __GLIBC__
    /* Each resize makes the renderer free and allocate frame buffers of
     * megabytes. glibc raises its mmap threshold to the largest block freed,
     * so later buffers come from the heap, whose holes are never given
     * back: a window resized for an hour grows by tens of MB. A fixed
     * threshold keeps large blocks in mmap, returned to the system on free. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
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
        train_run_free(&a->train);
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
    Loop loop = {a, win, ren, false};
#ifdef __EMSCRIPTEN__
    web_app = a;
#endif
#ifdef __EMSCRIPTEN__
    /* the browser owns the loop: one frame per animation frame; this call
     * does not return (the page lives until it is closed) */
    emscripten_set_main_loop_arg(loop_frame, &loop, 0, 1);
#else
    while (!a->quit) loop_frame(&loop);
#endif
    app_free(a);
    train_run_free(&a->train);
    render_free(&a->render);
    free(a);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}
