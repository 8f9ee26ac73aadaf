/* cmd_prepare: `unroll prepare LESSON.md`, trains the lesson's models from
 * its own corpus, spec, seed, epochs and batch size, and writes them where
 * the lesson looks for them (models/<cell>/), each with its tokenizer.json.
 * lessons/make_models.sh runs it for every lesson; the shipped weights are
 * its output. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "history.h"
#include "lesson.h"
#include "model_io.h"
#include "prepare.h"
#include "tokenizer_io.h"

static const char USAGE[] =
    "usage: unroll prepare LESSON.md [--out DIR] [--history-only] [--log]\n"
    "\n"
    "Trains each of the lesson's cell types on its corpus (fresh weights from the\n"
    "lesson's spec and seed, its epochs and batch size, Adam) and writes the\n"
    "models to the lesson's models folder (or DIR), one folder per cell, with\n"
    "the tokenizer beside each, and history.bin: the weights before training\n"
    "(epoch 0) and after every epoch, for the window's epoch slider. Prints each\n"
    "model's final loss and accuracy, with the lesson's validation set (if it\n"
    "names one) the validation loss and accuracy too, and seconds per epoch.\n"
    "--log prints every epoch's figures. --history-only writes history.bin alone\n"
    "into each existing model folder and leaves the models as they are.\n";

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_prepare(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    bool history_only = false, log = false;
    const CliOpt opts[] = {
        {.name = "--log", .kind = CLI_FLAG, .out = &log},
        {"--out", CLI_STR, &out, .nonempty = true, .what = "a folder"},
        {.name = "--history-only", .kind = CLI_FLAG, .out = &history_only},
    };
    const CliSpec spec = {"prepare", USAGE, opts, CLI_NOPTS(opts), "LESSON.md", false, &path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    Err err = {{0}};
    Lesson l;
    if (!lesson_load(&l, path, &err)) return cli_fail("prepare", &err);
    LessonData ld;
    if (!lesson_data_load(&ld, &l, &err)) {
        lesson_unload(&l);
        return cli_fail("prepare", &err);
    }
    char *tok = tokenizer_to_json(&ld.tok);
    int status = 0;
    char report[LESSON_MAX_CELLS][640] = {{0}};
    for (int k = 0; k < l.n_cells && status == 0; k++) {
        Model m;
        Trainer tr = {0};
        if (!lesson_model_new(&m, &l, &ld, k, &err)) {
            status = cli_fail("prepare", &err);
            break;
        }
        TrainConfig cfg = lesson_train_config(&l);
        double t0 = seconds();
        EpochStats st = {0};
        History hist;
        history_init(&hist, m.n_params);
        Err herr = {{0}};
        bool keep = history_check_budget(m.n_params, cfg.epochs, &herr);
        const char *name = lesson_model_name(&l, k);
        if (!keep) fprintf(stderr, "note: %s: no history.bin: %s\n", name, herr.msg);
        const Dataset *val = ld.has_val ? &ld.val.view : NULL;
        bool ok = trainer_init(&tr, &m, &cfg, ld.rows.view.T, &err) && trainer_check_data(&tr, &ld.rows.view, l.corpus ? l.corpus : l.data, &err) &&
                  (!val || trainer_check_data(&tr, val, l.validation, &err)) && (!keep || history_push(&hist, &m, &err));
        int best = 0;
        double best_val = INFINITY;
        for (int e = 0; ok && e < cfg.epochs; e++) {
            ok = trainer_epoch(&tr, &ld.rows.view, val, &st, NULL, NULL, &err) && (!keep || history_push(&hist, &m, &err));
            if (ok && st.has_val && st.val_loss < best_val) best_val = st.val_loss, best = e + 1;
            if (ok && log && st.has_val)
                fprintf(stderr, "%s epoch %d: loss %.4f accuracy %.3f val_loss %.4f val_accuracy %.3f\n", name, e + 1, st.loss,
                        st.accuracy, st.val_loss, st.val_accuracy);
            else if (ok && log)
                fprintf(stderr, "%s epoch %d: loss %.4f accuracy %.3f\n", name, e + 1, st.loss, st.accuracy);
        }
        double took = seconds() - t0;
        char *dir = NULL;
        if (out) {
            size_t n = strlen(out) + strlen(name) + 2;
            dir = xmalloc(n);
            snprintf(dir, n, "%s/%s", out, name);
        } else {
            dir = lesson_model_dir(&l, k);
        }
        /* the history inside the model folder's one whole-or-nothing write;
         * --history-only writes it alone, atomically, beside the model */
        size_t hist_len = 0;
        unsigned char *hist_bytes = ok && keep && !history_only ? history_encode(&hist, &hist_len) : NULL;
        ExtraFile extra[2] = {{"tokenizer.json", tok, 0}, {"history.bin", (const char *)hist_bytes, hist_len}};
        if (ok && !history_only) ok = model_save(&m, dir, extra, hist_bytes ? 2 : 1, &err);
        free(hist_bytes);
        if (ok && keep && history_only) ok = history_save_beside(&hist, dir, &err);
        if (ok && history_only) {
            /* how far the model in the folder is from this run's last epoch */
            Model shipped;
            Err lerr = {{0}};
            if (model_load(&shipped, dir, &lerr)) {
                double worst = shipped.n_params == m.n_params ? 0 : INFINITY;
                for (size_t i = 0; shipped.n_params == m.n_params && i < m.n_params; i++) {
                    double d = fabs((double)shipped.params[i] - (double)m.params[i]);
                    if (d > worst) worst = d;
                }
                fprintf(stderr, "%s: the model in %s differs from this run's last epoch by at most %g\n", name, dir, worst);
                model_free(&shipped);
            }
        }
        history_free(&hist);
        char valtext[160] = "";
        if (ok && st.has_val)
            snprintf(valtext, sizeof valtext, "; validation (%d rows) loss %.4f accuracy %.3f, lowest loss after epoch %d", ld.val.view.N,
                     st.val_loss, st.val_accuracy, best);
        if (ok)
            snprintf(report[k], sizeof report[k], "%-10s %d rows, %d epochs: loss %.4f accuracy %.3f%s (%.1f s, %.3f s/epoch) -> %s\n",
                     name, ld.rows.view.N, cfg.epochs, st.loss, st.accuracy, valtext, took, took / cfg.epochs, dir);
        else
            status = cli_fail("prepare", &err);
        free(dir);
        trainer_free(&tr);
        model_free(&m);
    }
    /* the report only when every cell is written */
    for (int k = 0; status == 0 && k < l.n_cells; k++) fputs(report[k], stdout);
    free(tok);
    lesson_data_free(&ld);
    lesson_unload(&l);
    return status;
}
