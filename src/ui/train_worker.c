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
}

void train_run_free(TrainRun *run)
{
    UNROLL_ASSERT(!run->thread);
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

/* The worker: reads the settings, writes progress and results under the
 * lock, touches nothing else of the app. */
static int worker(void *arg)
{
    engine_flush_subnormals(); /* inherited already; said here, where the computing starts */
    TrainRun *run = arg;
    const Lesson *l = run->lesson;
    Err err = {{0}};
    LessonData ld;
    bool ok = lesson_data_load(&ld, l, &err);
    for (int k = 0; ok && k < run->n_cells; k++) {
        SDL_LockMutex(run->lock);
        run->progress.cell = k;
        SDL_UnlockMutex(run->lock);
        char *spec = lesson_spec_with_units(l, k, run->units);
        Model m;
        ok = spec_build(&m, spec, ld.vocab, run->seed, &err);
        free(spec);
        if (!ok) break;
        TrainConfig cfg = lesson_train_config(l);
        cfg.epochs = run->epochs;
        cfg.seed = run->seed;
        /* hist: the view's optimizer settings */
        if (run->lr > 0) cfg.lr = run->lr;
        if (run->sgd) cfg.optimizer = OPT_SGD;
        cfg.clipnorm = run->clipnorm;
        Trainer trainer;
        History hist;
        history_init(&hist, m.n_params);
        ok = trainer_init(&trainer, &m, &cfg, ld.rows.view.T, &err) &&
             trainer_check_data(&trainer, &ld.rows.view, "lesson data", &err) &&
             (!ld.has_val || trainer_check_data(&trainer, &ld.val.view, "validation data", &err));
        /* the history is kept when it fits the memory budget; the run goes on without it otherwise */
        Err herr = {{0}};
        bool keep = history_check_budget(m.n_params, cfg.epochs, &herr);
        if (ok && keep) ok = history_push(&hist, &m, &err);
        if (ok) {
            SDL_LockMutex(run->lock);
            run->progress.lr = trainer.opt.lr;
            SDL_UnlockMutex(run->lock);
        }
        Uint64 start = SDL_GetPerformanceCounter();
        for (int epoch = 0; ok && epoch < cfg.epochs; epoch++) {
            EpochStats st;
            ok = trainer_epoch(&trainer, &ld.rows.view, ld.has_val ? &ld.val.view : NULL, &st, on_batch, run, &err) &&
                 (!keep || history_push(&hist, &m, &err));
            double seconds = (double)(SDL_GetPerformanceCounter() - start) / (double)SDL_GetPerformanceFrequency();
            SDL_LockMutex(run->lock);
            if (ok && epoch < TRAIN_MAX_EPOCHS) {
                run->progress.loss[k][epoch] = (float)st.loss;
                run->progress.acc[k][epoch] = (float)st.accuracy;
                run->progress.has_val = st.has_val;
                run->progress.val_loss[k][epoch] = (float)st.val_loss;
                run->progress.val_acc[k][epoch] = (float)st.val_accuracy;
                run->progress.epochs_done[k] = epoch + 1;
            }
            run->progress.seconds[k] = seconds;
            SDL_UnlockMutex(run->lock);
        }
        trainer_free(&trainer);
        SDL_LockMutex(run->lock);
        if (ok) {
            run->result[k] = m;
            run->result_ok[k] = true;
            history_free(&run->history[k]);
            run->history[k] = hist;
        }
        SDL_UnlockMutex(run->lock);
        if (!ok) {
            model_free(&m);
            history_free(&hist);
        }
    }
    lesson_data_free(&ld);
    bool cancelled = SDL_AtomicGet(&run->cancel) != 0;
    SDL_LockMutex(run->lock);
    run->progress.failed = !ok;
    if (!ok) snprintf(run->progress.message, sizeof run->progress.message, "%s",
                      cancelled ? "training cancelled; the old models stay" : err.msg);
    run->progress.running = false;
    run->progress.finished = true;
    SDL_UnlockMutex(run->lock);
    return 0;
}

void app_train_start(App *a)
{
    TrainRun *run = &a->train;
    if (!a->has_doc || !a->doc->is_lesson || run->thread) return;
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
    if (a->train.thread) SDL_AtomicSet(&a->train.cancel, 1);
}

bool app_train_finished(App *a)
{
    if (!a->train.thread) return false;
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
