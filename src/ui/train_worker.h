/* train_worker: the lesson's models trained in the window on a worker
 * thread, while the window stays responsive. The worker trains fresh
 * copies (the document's models are never touched); the app swaps the
 * results in when the run has finished and drops them when it was
 * cancelled or failed.
 *
 * Who owns what, and when (the rule every line of train_worker.c follows):
 * - settings (lesson, n_cells, units, epochs, seed): written by the app in
 *   app_train_start before the thread exists, read-only while it runs.
 * - progress and results: written by the worker and read by the app only
 *   with `lock` held; the view reads a copy (train_run_progress), and a
 *   reset (train_run_reset) takes the lock too.
 * - cancel: an atomic flag the app raises and the worker polls per batch.
 * - thread: the app's; only the app starts and joins it, and the results
 *   are taken (under the lock) only after the join.
 * webtrain: without threads (the browser: SDL is built without them there)
 * the same run goes on in slices of the frame loop instead: app_tick calls
 * train_run_slice each frame, which trains batches for a time budget and
 * returns; progress, cancel and the results work as with the thread (the
 * lock is then taken by one thread only), and app_train_join runs the
 * slices left. Both paths share every step but the loop around the batches.
 * Depends on engine, io (lesson, prepare, spec) and SDL2's threads. */
#ifndef UNROLL_TRAIN_WORKER_H
#define UNROLL_TRAIN_WORKER_H

#include <SDL.h>

#include "engine.h"
#include "history.h"
#include "lesson.h"

#define TRAIN_MAX_EPOCHS 2000
/* webtrain: runs go in slices of the frame loop rather than on a thread
 * (the default where there are no threads; a test may set run->sliced) */
#ifdef __EMSCRIPTEN__
#define TRAIN_SLICED true
#else
#define TRAIN_SLICED false
#endif
/* webtrain: a frame's slice of training, in ms (a 60 Hz frame is 16.7) */
#define TRAIN_SLICE_MS 12.0

/* What the view shows of a run: written by the worker under the lock. */
typedef struct {
    bool running, finished, failed;
    char message[256];
    int n_cells, epochs;               /* the run's settings, for the axes */
    int cell;                          /* the one training now */
    int epochs_done[CELL_KIND_COUNT];
    float loss[CELL_KIND_COUNT][TRAIN_MAX_EPOCHS], acc[CELL_KIND_COUNT][TRAIN_MAX_EPOCHS];
    double seconds[CELL_KIND_COUNT];
    /* variants: after each epoch on the lesson's validation rows (has_val) */
    bool has_val;
    float val_loss[CELL_KIND_COUNT][TRAIN_MAX_EPOCHS], val_acc[CELL_KIND_COUNT][TRAIN_MAX_EPOCHS];
    float lr, clipnorm;                /* hist: the run's optimizer settings, as used */
    bool sgd;
} TrainRunProgress;

typedef struct {
    SDL_Thread *thread;                /* the app's */
    SDL_mutex *lock;                   /* guards progress and results */
    SDL_atomic_t cancel;
    /* settings: fixed while the thread runs */
    const Lesson *lesson;
    int n_cells, units, epochs;
    unsigned long long seed;
    float lr, clipnorm;                /* hist: <= 0: the lesson's rate; 0: no clipping */
    bool sgd;                          /* hist: plain SGD instead of Adam */
    /* under the lock */
    TrainRunProgress progress;
    Model result[CELL_KIND_COUNT];
    bool result_ok[CELL_KIND_COUNT];
    History history[CELL_KIND_COUNT];  /* hist: each result's weights after every epoch */
    /* webtrain: the sliced path */
    bool sliced;                       /* runs go in slices (TRAIN_SLICED unless a test says) */
    struct TrainJob *job;              /* the app's: a sliced run, from its start to its join */
} TrainRun;

/* Makes the lock; a run starts empty. train_run_free joins nothing: the
 * app joins its worker first (app_train_join). */
void train_run_init(TrainRun *run);
void train_run_free(TrainRun *run);
/* Forgets the last run's progress (no worker may be running). */
void train_run_reset(TrainRun *run);
/* A copy of the progress, taken under the lock. */
void train_run_progress(const TrainRun *run, TrainRunProgress *out);
/* webtrain: true from a run's start to its join (a thread, or a sliced run). */
bool train_run_active(const TrainRun *run);
/* webtrain: the next slice of a sliced run: batches (at least one step of
 * work) until budget_ms have passed; budget_ms <= 0 runs it to its end.
 * True when the run has finished (then app_train_join takes the results). */
bool train_run_slice(TrainRun *run, double budget_ms);

#endif
