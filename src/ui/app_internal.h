/* app_internal: what the app's files share and nothing else needs (see the
 * list of files at the top of app.h). */
#ifndef UNROLL_APP_INTERNAL_H
#define UNROLL_APP_INTERNAL_H

#include "app.h"

#define APP_STEP_ANIM_MS 350
#define APP_PLAY_INTERVAL_MS 900

/* ---- state (app.c) ---- */
void app_set_message(App *a, const char *msg, bool error);
/* The first recurrent layer of the current model, nothing selected. */
void app_pick_layer(App *a);
/* Traces a new input; false (with the message shown) if it cannot be read. */
bool app_set_input(App *a, const char *text);
/* The same for a typed sentence: in a real window the traces are computed
 * on a thread (the window stays responsive and the status line shows the
 * progress); headless, at once. app_input_job_end waits for a running one
 * and puts it in (or drops it: keep false); app_tick ends it when done. */
bool app_set_input_async(App *a, const char *text);
void app_input_job_end(App *a, bool keep);
/* The state a freshly opened document starts in. */
void app_open_done(App *a);
void app_open_inspector(App *a, const Hot *h);
void app_start_editing(App *a);
/* Enter: traces the typed sentence; Esc: back to the one before. */
void app_finish_editing(App *a, bool keep);

/* ---- commands (app_commands.c) ---- */
/* Runs the command bound to key; false when none takes it. */
bool app_command_key(App *a, SDL_Keycode key, Uint16 mod);
/* The status line (returns its height) and the `?` key list, both drawn
 * from the table. */
int app_draw_status(const App *a, Render *r);
void app_draw_help(const App *a, Render *r);

/* hist: the training view's learning rate and clipnorm one notch lower
 * (dir -1) or higher (+1), from fixed lists (app_commands.c) */
void app_train_lr_step(App *a, int dir);
void app_train_clip_step(App *a, int dir);

/* ---- the window (app_window.c) ---- */
/* Presenter mode on or off: type and contrast, and the window covering its
 * display (or back where it was). Headless: only type and contrast. */
void app_toggle_presenter(App *a);

/* ---- overlays (app_frame.c) ---- */
/* A w x h panel centred over the dimmed frame (at most the frame's width
 * less two margins, at least a margin from the top); returns where it is. */
Box app_draw_overlay(const App *a, Render *r, int w, int h, int margin);

/* ---- saving (app_headless.c) ---- */
/* The one PNG writer (Ctrl+S and `unroll render --out`): a temporary beside
 * path, flushed and renamed, so the PNG appears whole or not at all. */
bool app_save_png(SDL_Surface *surface, const char *path, Err *err);

/* ---- conv helper: the unrolled view's predictions column (view_unrolled.c),
 * beside the convolution's windows too ---- */
void draw_predictions_column(const App *a, Render *r, Box col);

#ifdef __EMSCRIPTEN__
/* ---- the page (app_window.c): a lesson's files are downloaded when it is
 * first opened. True when path's files are in the page's file system (or
 * path is no lesson of the page); false while they are being downloaded
 * (the window says so and opens the lesson when they are there) or when
 * the download failed (the window says why). ---- */
bool app_web_files_ready(App *a, const char *path);
/* path is open: the page's lesson list and address follow (a lesson of the
 * page) or show no lesson (a user's model) */
void app_web_opened(const App *a, const char *path);
#endif

#endif
