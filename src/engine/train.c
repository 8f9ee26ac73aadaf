/* train: mini-batch training as Keras' fit() does it: rows in file order or
 * reshuffled every epoch, batches of batch_size (the last may be smaller),
 * each batch's loss taken before its update, the epoch loss the mean over
 * all rows. Every buffer a batch needs is allocated once by trainer_init.
 * Depends on model.c, backward.c and optim.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

struct TrainWork {
    int B;               /* full batch size */
    Trace trace[2];      /* [0] full batches, [1] the smaller last batch */
    Backprop bp[2];
    int rest;            /* size of the last batch, 0 if none */
    int *tokens;         /* (B, T) gathered rows */
    float *inputs;       /* (B, T, F) */
    int *labels;         /* (B) */
    int n_rows;          /* the dataset size the traces were sized for */
    /* webtrain: the epoch under way (trainer_epoch_begin .. trainer_epoch_end) */
    int next, n_batches; /* the next batch; the epoch's count */
    double loss_sum;     /* batch losses so far */
    int right, rows_done;
};

static int last_units(const Model *m)
{
    return m->layers[m->n_layers - 1].out_dim;
}

bool trainer_init(Trainer *tr, Model *model, const TrainConfig *cfg, int T, Err *err)
{
    *tr = (Trainer){0};
    if (cfg->epochs < 1) return err_set(err, "epochs must be at least 1");
    if (cfg->batch_size < 1 || cfg->batch_size > ENGINE_MAX_BATCH)
        return err_set(err, "batch size must be from 1 to %d", ENGINE_MAX_BATCH);
    if (T < 1) return err_set(err, "the rows have no tokens");
    if (model->seq_len && model->seq_len != T)
        return err_set(err, "the model takes sequences of %d steps but the rows have %d", model->seq_len, T);
    if (!model_loss_kind(model, &tr->loss, err)) return false;
    if (!model_check_steps(model, T, err)) return false;
    tr->model = model;
    tr->cfg = *cfg;
    tr->T = T;
    optimizer_init(&tr->opt, cfg->optimizer, cfg->lr, cfg->clipnorm, model);
    rng_init(&tr->rng, cfg->seed);
    tr->good = xmalloc(model->n_params * sizeof *tr->good);
    struct TrainWork *w = xcalloc(1, sizeof *w);
    w->B = cfg->batch_size;
    tr->work = w;
    return true;
}

static void work_free_traces(struct TrainWork *w)
{
    for (int k = 0; k < 2; k++) {
        if (w->trace[k].model) trace_free(&w->trace[k]);
        if (w->bp[k].model) backprop_free(&w->bp[k]);
    }
}

void trainer_free(Trainer *tr)
{
    if (tr->work) {
        work_free_traces(tr->work);
        free(tr->work->tokens);
        free(tr->work->inputs);
        free(tr->work->labels);
        free(tr->work);
    }
    optimizer_free(&tr->opt);
    free(tr->order);
    free(tr->good);
    *tr = (Trainer){0};
}

bool trainer_check_data(const Trainer *tr, const Dataset *d, const char *what, Err *err)
{
    const Model *m = tr->model;
    if (d->N < 1) return err_set(err, "%s: no rows", what);
    if (d->T != tr->T) return err_set(err, "%s: rows have %d steps, the training rows have %d", what, d->T, tr->T);
    if (m->token_input && !d->tokens) return err_set(err, "%s: this model reads tokens", what);
    if (!m->token_input && !d->inputs) return err_set(err, "%s: this model reads float features", what);
    if (m->token_input) {
        int vocab = m->layers[0].vocab;
        const size_t T = (size_t)d->T;
        for (size_t k = 0; k < (size_t)d->N * T; k++)
            if (d->tokens[k] < 0 || d->tokens[k] >= vocab)
                return err_set(err, "%s: row %zu has token %d, outside the Embedding's 0..%d", what, k / T + 1,
                               d->tokens[k], vocab - 1);
    }
    int classes = tr->loss == LOSS_BINARY ? 2 : last_units(m);
    for (int i = 0; i < d->N; i++)
        if (d->labels[i] < 0 || d->labels[i] >= classes)
            return err_set(err, "%s: row %d has label %d, outside 0..%d (%s)", what, i + 1, d->labels[i], classes - 1,
                           tr->loss == LOSS_BINARY ? "one sigmoid unit" : "the softmax's classes");
    /* what the batches of these rows will allocate: records and gradients of
     * a full batch and of the last one (at most as large), the batch rows,
     * the optimizer's moments and the epoch's saved weights */
    int B = d->N < tr->cfg.batch_size ? d->N : tr->cfg.batch_size;
    size_t batch = base_size_add(trace_bytes(m, B, d->T, true), backprop_bytes(m, B, d->T));
    size_t rows = base_size_mul((size_t)B * (size_t)d->T, (size_t)(m->token_input ? 1 : m->input_dim) * sizeof(float));
    size_t need = base_size_add(base_size_add(base_size_mul(batch, 2), rows), base_size_mul(m->n_params, 3 * sizeof(float)));
    char what_mem[160];
    snprintf(what_mem, sizeof what_mem, "%s: training in batches of %d rows of %d steps", what, B, d->T);
    return base_memory_check(need, what_mem, err);
}

/* gathers rows order[from .. from+n) into the batch buffers */
static void gather(struct TrainWork *w, const Model *m, const Dataset *d, const int *order, int from, int n)
{
    /* a row: T tokens, or T*F floats */
    const size_t T = (size_t)d->T, TF = T * (size_t)m->input_dim;
    for (int b = 0; b < n; b++) {
        int row = order ? order[from + b] : from + b;
        if (d->tokens) memcpy(w->tokens + (size_t)b * T, d->tokens + (size_t)row * T, T * sizeof *w->tokens);
        else memcpy(w->inputs + (size_t)b * TF, d->inputs + (size_t)row * TF, TF * sizeof *w->inputs);
        w->labels[b] = d->labels[row];
    }
}

static void size_work(Trainer *tr, int N)
{
    struct TrainWork *w = tr->work;
    const Model *m = tr->model;
    int rest = N % w->B;
    if (w->n_rows == N && w->trace[0].model) return;
    work_free_traces(w);
    int B = N < w->B ? N : w->B;
    trace_init(&w->trace[0], m, B, tr->T, true);
    trace_set_training(&w->trace[0], true, tr->cfg.seed * 31 + 1);
    backprop_init(&w->bp[0], m, B, tr->T);
    w->rest = N > w->B ? rest : 0;
    if (w->rest) {
        trace_init(&w->trace[1], m, w->rest, tr->T, true);
        trace_set_training(&w->trace[1], true, tr->cfg.seed * 31 + 2);
        backprop_init(&w->bp[1], m, w->rest, tr->T);
    }
    free(w->tokens);
    free(w->inputs);
    free(w->labels);
    const size_t BT = (size_t)B * (size_t)tr->T;
    w->tokens = xcalloc(BT, sizeof *w->tokens);
    w->inputs = m->token_input ? NULL : xcalloc(BT * (size_t)m->input_dim, sizeof *w->inputs);
    w->labels = xcalloc((size_t)B, sizeof *w->labels);
    w->n_rows = N;
}

static void shuffle(int *order, int n, Rng *rng)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng_next(rng) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* webtrain: an epoch in pieces (engine.h). The epoch's running sums live in
 * the work area between the calls; trainer_epoch is the same calls in a row. */
void trainer_epoch_begin(Trainer *tr, const Dataset *d)
{
    Model *m = tr->model;
    struct TrainWork *w = tr->work;
    size_work(tr, d->N);
    if (tr->n_order != d->N) {
        free(tr->order);
        tr->order = xmalloc((size_t)d->N * sizeof *tr->order);
        tr->n_order = d->N;
    }
    for (int i = 0; i < d->N; i++) tr->order[i] = i;
    if (tr->cfg.shuffle) shuffle(tr->order, d->N, &tr->rng);
    memcpy(tr->good, m->params, m->n_params * sizeof *m->params);
    w->next = 0;
    w->n_batches = (d->N + w->B - 1) / w->B;
    w->loss_sum = 0;
    w->right = 0;
    w->rows_done = 0;
}

int trainer_batches_left(const Trainer *tr)
{
    return tr->work->n_batches - tr->work->next;
}

bool trainer_batch(Trainer *tr, const Dataset *d, double *running_loss, Err *err)
{
    Model *m = tr->model;
    struct TrainWork *w = tr->work;
    UNROLL_ASSERT(w->next < w->n_batches);
    const int C = last_units(m);
    int k = w->next;
    int from = k * w->B, n = d->N - from < w->B ? d->N - from : w->B;
    int which = n == w->trace[0].B ? 0 : 1;
    Trace *t = &w->trace[which];
    Backprop *bp = &w->bp[which];
    gather(w, m, d, tr->order, from, n);
    /* forward, loss (before the update), backward, step */
    model_forward(t, w->tokens, w->inputs);
    int correct = 0;
    double batch = loss_compute(bp->dout[m->n_layers - 1], t->layers[m->n_layers - 1].out, w->labels, tr->loss, n, C,
                                &correct);
    if (!isfinite(batch)) {
        trainer_epoch_cancel(tr);
        return err_set(err, "epoch %d, batch %d: the loss is not finite (%s); training stopped and the weights are those from before this epoch",
                       tr->epoch + 1, k + 1, isnan(batch) ? "NaN" : "infinite");
    }
    w->loss_sum += batch;
    w->right += correct;
    w->rows_done = from + n;
    backprop_zero_grads(bp);
    model_backward(bp, t);
    optimizer_step(&tr->opt, m, bp->dparams);
    w->next = k + 1;
    if (running_loss) *running_loss = w->loss_sum / w->rows_done;
    return true;
}

void trainer_epoch_cancel(Trainer *tr)
{
    memcpy(tr->model->params, tr->good, tr->model->n_params * sizeof *tr->model->params);
    tr->work->next = tr->work->n_batches = 0;
}

bool trainer_epoch_end(Trainer *tr, const Dataset *d, const Dataset *val, EpochStats *st, Err *err)
{
    Model *m = tr->model;
    struct TrainWork *w = tr->work;
    UNROLL_ASSERT(w->next == w->n_batches);
    *st = (EpochStats){0};
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i])) {
            trainer_epoch_cancel(tr);
            return err_set(err, "epoch %d: a weight became not finite; training stopped and the weights are those from before this epoch",
                           tr->epoch + 1);
        }
    tr->epoch++;
    st->loss = w->loss_sum / d->N;
    st->accuracy = (double)w->right / d->N;
    if (val) {
        model_evaluate(m, val, tr->loss, w->B, &st->val_loss, &st->val_accuracy);
        st->has_val = true;
    }
    return true;
}

bool trainer_epoch(Trainer *tr, const Dataset *d, const Dataset *val, EpochStats *st, TrainProgress progress,
                   void *user, Err *err)
{
    *st = (EpochStats){0};
    trainer_epoch_begin(tr, d);
    const int n_batches = trainer_batches_left(tr);
    while (trainer_batches_left(tr) > 0) {
        double running = 0;
        if (!trainer_batch(tr, d, &running, err)) return false;
        if (progress && !progress(user, n_batches - trainer_batches_left(tr), n_batches, running)) {
            trainer_epoch_cancel(tr);
            return err_set(err, "training was cancelled in epoch %d; the weights are those from before it", tr->epoch + 1);
        }
    }
    return trainer_epoch_end(tr, d, val, st, err);
}

void model_evaluate(const Model *m, const Dataset *d, LossKind loss, int batch_size, double *mean_loss, double *accuracy)
{
    const int C = m->layers[m->n_layers - 1].out_dim, T = d->T;
    /* a row: T tokens, or T*F floats */
    const size_t row_tokens = (size_t)T, row_floats = (size_t)T * (size_t)m->input_dim;
    int B = batch_size < d->N ? batch_size : d->N;
    Trace t;
    trace_init(&t, m, B, T, false);
    double sum = 0;
    int right = 0;
    for (int from = 0; from < d->N; from += B) {
        int n = d->N - from < B ? d->N - from : B;
        if (n != t.B) {
            trace_free(&t);
            trace_init(&t, m, n, T, false);
        }
        model_forward(&t, d->tokens ? d->tokens + (size_t)from * row_tokens : NULL,
                      d->inputs ? d->inputs + (size_t)from * row_floats : NULL);
        int correct = 0;
        sum += loss_compute(NULL, t.layers[m->n_layers - 1].out, d->labels + from, loss, n, C, &correct);
        right += correct;
    }
    trace_free(&t);
    *mean_loss = sum / d->N;
    *accuracy = (double)right / d->N;
}
