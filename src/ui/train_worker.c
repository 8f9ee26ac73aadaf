/* train_worker: the window's training run. The worker thread trains fresh
 * copies of the lesson's models (the document's are never touched) and
 * reports each epoch under a lock; the app swaps the results in when the
 * worker has finished, or drops them when it was cancelled. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "prepare.h"
#include "spec.h"

static const char *const SPEC_CELL[] = {"rnn", "gru", "lstm"};

/* the lesson's spec for cell k with the units after {cell} set to units */
static char *spec_with_units(const Lesson *l, int k, int units)
{
    size_t n = strlen(l->spec) + 64;
    char *out = xmalloc(n);
    size_t o = 0;
    for (const char *p = l->spec; *p && o + 24 < n;) {
        if (strncmp(p, "{cell}", 6) == 0) {
            o += (size_t)snprintf(out + o, n - o, "%s", SPEC_CELL[l->cells[k]]);
            p += 6;
            if (*p == ':' && units > 0) {
                o += (size_t)snprintf(out + o, n - o, ":%d", units);
                p++;
                while (*p >= '0' && *p <= '9') p++;
            }
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

typedef struct {
    Training *t;
    int k;
} ProgressCtx;

static bool on_batch(void *user, int batch, int n_batches, double loss)
{
    (void)batch, (void)n_batches, (void)loss;
    ProgressCtx *p = user;
    return SDL_AtomicGet(&p->t->cancel) == 0;
}

static int worker(void *arg)
{
    Training *t = arg;
    const Lesson *l = t->lesson;
    Err err = {{0}};
    LessonData ld;
    bool ok = lesson_data_load(&ld, l, &err);
    for (int k = 0; ok && k < t->n_cells; k++) {
        SDL_LockMutex(t->lock);
        t->cell = k;
        SDL_UnlockMutex(t->lock);
        char *spec = spec_with_units(l, k, t->units);
        Model m;
        ok = spec_build(&m, spec, ld.vocab, t->seed, &err);
        free(spec);
        if (!ok) break;
        TrainConfig cfg = lesson_train_config(l);
        cfg.epochs = t->epochs;
        cfg.seed = t->seed;
        Trainer tr;
        ok = trainer_init(&tr, &m, &cfg, ld.rows.view.T, &err) && trainer_check_data(&tr, &ld.rows.view, "lesson data", &err);
        Uint64 t0 = SDL_GetPerformanceCounter();
        ProgressCtx pc = {t, k};
        for (int e = 0; ok && e < cfg.epochs; e++) {
            EpochStats st;
            ok = trainer_epoch(&tr, &ld.rows.view, NULL, &st, on_batch, &pc, &err);
            SDL_LockMutex(t->lock);
            if (ok && e < TRAIN_MAX_EPOCHS) {
                t->loss[k][e] = (float)st.loss;
                t->acc[k][e] = (float)st.accuracy;
                t->epochs_done[k] = e + 1;
            }
            t->seconds[k] = (double)(SDL_GetPerformanceCounter() - t0) / (double)SDL_GetPerformanceFrequency();
            SDL_UnlockMutex(t->lock);
        }
        trainer_free(&tr);
        if (ok) {
            t->result[k] = m;
            t->result_ok[k] = true;
        } else {
            model_free(&m);
        }
    }
    lesson_data_free(&ld);
    SDL_LockMutex(t->lock);
    t->failed = !ok;
    if (!ok) snprintf(t->message, sizeof t->message, "%s", SDL_AtomicGet(&t->cancel) ? "training cancelled; the old models stay" : err.msg);
    t->running = false;
    t->finished = true;
    SDL_UnlockMutex(t->lock);
    return 0;
}

void app_train_start(App *a)
{
    Training *t = &a->train;
    if (!a->has_doc || !a->doc->is_lesson || t->thread) return;
    app_train_join(a);
    SDL_mutex *lock = t->lock ? t->lock : SDL_CreateMutex();
    memset(t, 0, sizeof *t);
    t->lock = lock;
    t->lesson = &a->doc->lesson;
    t->n_cells = a->doc->lesson.n_cells;
    t->units = a->train_units;
    t->epochs = a->train_epochs < 1 ? 1 : (a->train_epochs > TRAIN_MAX_EPOCHS ? TRAIN_MAX_EPOCHS : a->train_epochs);
    t->seed = a->train_seed;
    t->running = true;
    t->thread = SDL_CreateThread(worker, "unroll-train", t);
    if (!t->thread) {
        t->running = false;
        t->failed = t->finished = true;
        snprintf(t->message, sizeof t->message, "cannot start a thread: %s", SDL_GetError());
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
    bool done = a->train.finished;
    SDL_UnlockMutex(a->train.lock);
    return done;
}

void app_train_join(App *a)
{
    Training *t = &a->train;
    if (t->thread) {
        SDL_WaitThread(t->thread, NULL);
        t->thread = NULL;
        /* a finished run replaces the document's models and traces the
         * input again; if the new models cannot read it (a corpus changed
         * since the tokenizer was shipped), the old ones come back */
        if (!t->failed && a->has_doc) {
            Model old[3];
            bool swapped[3] = {false, false, false};
            for (int k = 0; k < t->n_cells && k < a->doc->n_models; k++) {
                DocModel *dm = &a->doc->models[k];
                if (!t->result_ok[k]) continue;
                if (dm->traced) trace_free(&dm->trace);
                dm->traced = false;
                old[k] = dm->model;
                dm->model = t->result[k];
                t->result[k] = old[k]; /* freed below once the new ones work */
                swapped[k] = true;
            }
            Err err = {{0}};
            char input[DOC_MAX_INPUT];
            snprintf(input, sizeof input, "%s", a->doc->input);
            if (!doc_set_input(a->doc, input, &err)) {
                for (int k = 0; k < 3; k++)
                    if (swapped[k]) {
                        Model fresh = a->doc->models[k].model;
                        a->doc->models[k].model = t->result[k];
                        t->result[k] = fresh;
                    }
                Err again = {{0}};
                doc_set_input(a->doc, input, &again);
                snprintf(t->message, sizeof t->message, "the new models cannot read this input (%s); the old ones stay", err.msg);
                t->failed = true;
            }
            a->has_selected = false;
            a->has_hover = false;
        }
    }
    for (int k = 0; k < 3; k++)
        if (t->result_ok[k]) {
            model_free(&t->result[k]);
            t->result_ok[k] = false;
        }
}
