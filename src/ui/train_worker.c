/* train_worker: the window's training run (the ownership rule is at the
 * top of train_worker.h). The worker thread trains fresh models from the
 * lesson's spec and reports each epoch under the lock; app_train_join
 * takes the results after the thread has ended. */
#include "app_internal.h"
#include "train_worker.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "prepare.h"
#include "spec.h"

void train_run_init(TrainRun *run)
{
    memset(run, 0, sizeof *run);
    run->lock = SDL_CreateMutex();
    UNROLL_ASSERT(run->lock);
    run->sliced = TRAIN_SLICED;
}

void train_run_free(TrainRun *run)
{
    UNROLL_ASSERT(!run->thread && !run->job);
    for (int k = 0; k < CELL_KIND_COUNT; k++) {
        if (run->result_ok[k]) model_free(&run->result[k]);
        history_free(&run->history[k]);
    }
    if (run->lock) SDL_DestroyMutex(run->lock);
    memset(run, 0, sizeof *run);
}

void train_run_reset(TrainRun *run)
{
    UNROLL_ASSERT(!run->thread);
    SDL_LockMutex(run->lock);
    memset(&run->progress, 0, sizeof run->progress);
    SDL_UnlockMutex(run->lock);
}

void train_run_progress(const TrainRun *run, TrainRunProgress *out)
{
    SDL_LockMutex(run->lock);
    *out = run->progress;
    SDL_UnlockMutex(run->lock);
}

static bool on_batch(void *user, int batch, int n_batches, double loss)
{
    (void)batch, (void)n_batches, (void)loss;
    TrainRun *run = user;
    return SDL_AtomicGet(&run->cancel) == 0;
}

/* webtrain: a run's state between its steps. The thread keeps it on its
 * stack and goes through the steps in one go; a sliced run keeps it in
 * run->job and goes through them a few batches per frame. */
struct TrainJob {
    LessonData ld;
    bool opened, closed;
    bool in_cell, in_epoch;
    int k, epoch;                      /* the cell training now, its epoch */
    Model m;
    Trainer trainer;
    History hist;
    TrainConfig cfg;
    bool keep;                         /* the history fits the memory budget */
    Uint64 start;
    bool ok;
    Err err;
};

/* Reads the settings, writes progress and results under the lock, touches
 * nothing else of the app. */
static void job_open(TrainRun *run, struct TrainJob *job)
{
    job->ok = lesson_data_load(&job->ld, run->lesson, &job->err);
    job->opened = true;
}

/* Cell job->k: a fresh model from the lesson's spec and its trainer. False
 * when no model was built (job->ok false); true otherwise, and then
 * job_cell_end follows (job->ok says whether the trainer is ready). */
static bool job_cell_begin(TrainRun *run, struct TrainJob *job)
{
    const Lesson *l = run->lesson;
    SDL_LockMutex(run->lock);
    run->progress.cell = job->k;
    SDL_UnlockMutex(run->lock);
    char *spec = lesson_spec_with_units(l, job->k, run->units);
    job->ok = spec_build(&job->m, spec, job->ld.vocab, run->seed, &job->err);
    free(spec);
    if (!job->ok) return false;
    TrainConfig cfg = lesson_train_config(l);
    cfg.epochs = run->epochs;
    cfg.seed = run->seed;
    /* hist: the view's optimizer settings */
    if (run->lr > 0) cfg.lr = run->lr;
    if (run->sgd) cfg.optimizer = OPT_SGD;
    cfg.clipnorm = run->clipnorm;
    job->cfg = cfg;
    history_init(&job->hist, job->m.n_params);
    job->ok = trainer_init(&job->trainer, &job->m, &cfg, job->ld.rows.view.T, &job->err) &&
              trainer_check_data(&job->trainer, &job->ld.rows.view, "lesson data", &job->err) &&
              (!job->ld.has_val || trainer_check_data(&job->trainer, &job->ld.val.view, "validation data", &job->err));
    /* the history is kept when it fits the memory budget; the run goes on without it otherwise */
    Err herr = {{0}};
    job->keep = history_check_budget(job->m.n_params, cfg.epochs, &herr);
    if (job->ok && job->keep) job->ok = history_push(&job->hist, &job->m, &job->err);
    if (job->ok) {
        SDL_LockMutex(run->lock);
        run->progress.lr = job->trainer.opt.lr;
        SDL_UnlockMutex(run->lock);
    }
    job->epoch = 0;
    job->start = SDL_GetPerformanceCounter();
    return true;
}

/* After epoch job->epoch (st valid when job->ok): the history, the progress. */
static void job_epoch_done(TrainRun *run, struct TrainJob *job, const EpochStats *st)
{
    int k = job->k, epoch = job->epoch;
    if (job->ok && job->keep) job->ok = history_push(&job->hist, &job->m, &job->err);
    double seconds = (double)(SDL_GetPerformanceCounter() - job->start) / (double)SDL_GetPerformanceFrequency();
    SDL_LockMutex(run->lock);
    if (job->ok && epoch < TRAIN_MAX_EPOCHS) {
        run->progress.loss[k][epoch] = (float)st->loss;
        run->progress.acc[k][epoch] = (float)st->accuracy;
        run->progress.has_val = st->has_val;
        run->progress.val_loss[k][epoch] = (float)st->val_loss;
        run->progress.val_acc[k][epoch] = (float)st->val_accuracy;
        run->progress.epochs_done[k] = epoch + 1;
    }
    run->progress.seconds[k] = seconds;
    SDL_UnlockMutex(run->lock);
}

/* The cell's end: its model and history become results if it trained. */
static void job_cell_end(TrainRun *run, struct TrainJob *job)
{
    int k = job->k;
    trainer_free(&job->trainer);
    SDL_LockMutex(run->lock);
    if (job->ok) {
        run->result[k] = job->m;
        run->result_ok[k] = true;
        history_free(&run->history[k]);
        run->history[k] = job->hist;
    }
    SDL_UnlockMutex(run->lock);
    if (!job->ok) {
        model_free(&job->m);
        history_free(&job->hist);
    }
}

static void job_close(TrainRun *run, struct TrainJob *job)
{
    if (job->opened) lesson_data_free(&job->ld);
    job->closed = true;
    bool cancelled = SDL_AtomicGet(&run->cancel) != 0;
    SDL_LockMutex(run->lock);
    run->progress.failed = !job->ok;
    if (!job->ok) snprintf(run->progress.message, sizeof run->progress.message, "%s",
                           cancelled ? "training cancelled; the old models stay" : job->err.msg);
    run->progress.running = false;
    run->progress.finished = true;
    SDL_UnlockMutex(run->lock);
}

/* The worker thread: the steps in one go, an epoch per trainer_epoch. */
static int worker(void *arg)
{
    engine_flush_subnormals(); /* inherited already; said here, where the computing starts */
    TrainRun *run = arg;
    struct TrainJob *job = xcalloc(1, sizeof *job);
    job_open(run, job);
    for (job->k = 0; job->ok && job->k < run->n_cells; job->k++) {
        if (!job_cell_begin(run, job)) break;
        for (job->epoch = 0; job->ok && job->epoch < job->cfg.epochs; job->epoch++) {
            EpochStats st;
            job->ok = trainer_epoch(&job->trainer, &job->ld.rows.view, job->ld.has_val ? &job->ld.val.view : NULL, &st,
                                    on_batch, run, &job->err);
            job_epoch_done(run, job, &st);
        }
        job_cell_end(run, job);
    }
    job_close(run, job);
    free(job);
    return 0;
}

/* webtrain: the same steps, resumable: each pass of the loop does one of
 * them (an epoch's start or end, one batch, a cell's start or end) and the
 * loop stops when the budget is spent. */
bool train_run_slice(TrainRun *run, double budget_ms)
{
    struct TrainJob *job = run->job;
    if (!job || job->closed) return true;
    engine_flush_subnormals(); /* as the thread does: the same arithmetic */
    const Uint64 t0 = SDL_GetPerformanceCounter();
    const double per_ms = (double)SDL_GetPerformanceFrequency() / 1000.0;
    for (bool first = true;; first = false) {
        if (!first && budget_ms > 0 && (double)(SDL_GetPerformanceCounter() - t0) >= budget_ms * per_ms) return false;
        if (!job->opened) {
            job_open(run, job);
            job->k = 0;
        } else if (!job->in_cell) {
            if (!job->ok || job->k >= run->n_cells) {
                job_close(run, job);
                return true;
            }
            job->in_cell = job_cell_begin(run, job);
        } else if (!job->in_epoch) {
            if (!job->ok || job->epoch >= job->cfg.epochs) {
                job_cell_end(run, job);
                job->in_cell = false;
                job->k++;
            } else {
                trainer_epoch_begin(&job->trainer, &job->ld.rows.view);
                job->in_epoch = true;
            }
        } else if (SDL_AtomicGet(&run->cancel) != 0) {
            /* as on_batch's false does: the weights go back to the epoch's start */
            trainer_epoch_cancel(&job->trainer);
            job->ok = err_set(&job->err, "training was cancelled in epoch %d; the weights are those from before it",
                              job->epoch + 1);
            job_epoch_done(run, job, NULL);
            job->in_epoch = false;
        } else if (trainer_batches_left(&job->trainer) > 0) {
            job->ok = trainer_batch(&job->trainer, &job->ld.rows.view, NULL, &job->err);
            if (!job->ok) {
                job_epoch_done(run, job, NULL);
                job->in_epoch = false;
            }
        } else {
            EpochStats st;
            job->ok = trainer_epoch_end(&job->trainer, &job->ld.rows.view, job->ld.has_val ? &job->ld.val.view : NULL,
                                        &st, &job->err);
            job_epoch_done(run, job, &st);
            job->in_epoch = false;
            job->epoch++;
        }
    }
}

bool train_run_active(const TrainRun *run)
{
    return run->thread != NULL || run->job != NULL;
}

void app_train_start(App *a)
{
    TrainRun *run = &a->train;
    if (!a->has_doc || !a->doc->is_lesson || train_run_active(run)) return;
    app_train_join(a); /* drops what a failed run left */
    /* settings, before the thread exists */
    run->lesson = &a->doc->lesson;
    run->n_cells = a->doc->lesson.n_cells;
    run->units = a->train_units;
    run->epochs = a->train_epochs < 1 ? 1 : (a->train_epochs > TRAIN_MAX_EPOCHS ? TRAIN_MAX_EPOCHS : a->train_epochs);
    run->seed = a->train_seed;
    run->lr = a->train_lr;
    run->clipnorm = a->train_clipnorm;
    run->sgd = a->train_sgd;
    SDL_AtomicSet(&run->cancel, 0);
    train_run_reset(run);
    SDL_LockMutex(run->lock);
    run->progress.n_cells = run->n_cells;
    run->progress.epochs = run->epochs;
    run->progress.clipnorm = run->clipnorm;
    run->progress.sgd = run->sgd;
    run->progress.running = true;
    SDL_UnlockMutex(run->lock);
    if (run->sliced) { /* webtrain: app_tick runs it, a slice a frame */
        run->job = xcalloc(1, sizeof *run->job);
        return;
    }
    run->thread = SDL_CreateThread(worker, "unroll-train", run);
    if (!run->thread) {
        SDL_LockMutex(run->lock);
        run->progress.running = false;
        run->progress.failed = run->progress.finished = true;
        snprintf(run->progress.message, sizeof run->progress.message, "cannot start a thread: %s", SDL_GetError());
        SDL_UnlockMutex(run->lock);
    }
}

void app_train_cancel(App *a)
{
    if (train_run_active(&a->train)) SDL_AtomicSet(&a->train.cancel, 1);
}

bool app_train_finished(App *a)
{
    if (!train_run_active(&a->train)) return false;
    SDL_LockMutex(a->train.lock);
    bool done = a->train.progress.finished;
    SDL_UnlockMutex(a->train.lock);
    return done;
}

/* Swaps the trained models into the document and traces the input again;
 * if the new models cannot read it (a corpus changed since the tokenizer
 * was shipped), the old ones come back. The worker has ended. */
static void apply_results(App *a, Model *result, const bool *result_ok, History *history, int n_cells)
{
    app_input_job_end(a, true); /* a sentence computing with the old models goes in first */
    TrainRun *run = &a->train;
    bool swapped[CELL_KIND_COUNT] = {false};
    for (int k = 0; k < n_cells && k < a->doc->n_models; k++) {
        DocModel *dm = &a->doc->models[k];
        if (!result_ok[k]) continue;
        if (dm->traced) trace_free(&dm->trace);
        dm->traced = false;
        Model old = dm->model;
        dm->model = result[k];
        result[k] = old; /* freed by the caller once the new ones work */
        swapped[k] = true;
    }
    /* hist: the epoch slider now runs through this training; models the
     * run did not replace keep theirs, shown at their trained weights */
    for (int k = 0; a->doc->epoch >= 0 && k < a->doc->n_models; k++) {
        DocModel *dm = &a->doc->models[k];
        if (!swapped[k] && dm->hist.n > 0) history_apply(&dm->hist, dm->hist.n - 1, &dm->model);
    }
    Err err = {{0}};
    char input[DOC_MAX_INPUT];
    snprintf(input, sizeof input, "%s", a->doc->input);
    if (!doc_set_input(a->doc, input, &err)) {
        for (int k = 0; k < CELL_KIND_COUNT; k++)
            if (swapped[k]) {
                Model fresh = a->doc->models[k].model;
                a->doc->models[k].model = result[k];
                result[k] = fresh;
            }
        Err again = {{0}};
        doc_set_input(a->doc, input, &again);
        SDL_LockMutex(run->lock);
        snprintf(run->progress.message, sizeof run->progress.message,
                 "the new models cannot read this input (%s); the old ones stay", err.msg);
        run->progress.failed = true;
        SDL_UnlockMutex(run->lock);
    } else {
        doc_measure_models(a->doc); /* chart helper: the new models' scale and units */
        for (int k = 0; k < n_cells && k < a->doc->n_models; k++) /* hist */
            if (swapped[k]) doc_take_history(a->doc, k, &history[k]);
    }
    a->has_selected = false;
    a->has_hover = false;
}

void app_train_join(App *a)
{
    TrainRun *run = &a->train;
    bool joined = false;
    if (run->thread) {
        SDL_WaitThread(run->thread, NULL);
        run->thread = NULL;
        joined = true;
    }
    if (run->job) { /* webtrain: a sliced run's slices left, then its end */
        while (!train_run_slice(run, 0)) continue;
        free(run->job);
        run->job = NULL;
        joined = true;
    }
    /* take the results out from under the lock */
    Model result[CELL_KIND_COUNT];
    bool result_ok[CELL_KIND_COUNT];
    History history[CELL_KIND_COUNT];
    SDL_LockMutex(run->lock);
    bool failed = run->progress.failed;
    memcpy(result, run->result, sizeof result);
    memcpy(result_ok, run->result_ok, sizeof result_ok);
    memcpy(history, run->history, sizeof history);
    memset(run->result_ok, 0, sizeof run->result_ok);
    memset(run->history, 0, sizeof run->history);
    SDL_UnlockMutex(run->lock);
    if (joined && !failed && a->has_doc) apply_results(a, result, result_ok, history, run->n_cells);
    for (int k = 0; k < CELL_KIND_COUNT; k++) {
        if (result_ok[k]) model_free(&result[k]);
        history_free(&history[k]);
    }
}
