/* doc: loading, tokenizing and tracing for the window. */
#include "doc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL.h>

#include "keras_io.h"
#include "model_io.h"
#include "prepare.h"
#include "tokenizer_io.h"
#include "unitpick.h"
#include "trace_json.h"


static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void model_unload(DocModel *dm)
{
    if (dm->traced) trace_free(&dm->trace);
    if (dm->loaded) model_free(&dm->model);
    free(dm->preds);
    free(dm->grad);
    history_free(&dm->hist);
    free(dm->curve_loss);
    free(dm->curve_acc);
    free(dm->curve_vloss);
    free(dm->curve_vacc);
    memset(dm, 0, sizeof *dm);
}

struct LessonDataBox {
    LessonData ld;
};

static void curves_data_free(Doc *d)
{
    if (d->curve_data) lesson_data_free(&d->curve_data->ld);
    free(d->curve_data);
    d->curve_data = NULL;
}

void doc_close(Doc *d)
{
    curves_data_free(d);
    for (int i = 0; i < d->n_models; i++) model_unload(&d->models[i]);
    if (d->has_tok) tokenizer_free(&d->tok);
    if (d->is_lesson) lesson_unload(&d->lesson);
    prompt_free(&d->prompt);
    prompt_stages_free(&d->stages); /* tensors (lesson 7) */
    free(d->features);
    memset(d, 0, sizeof *d);
}

int doc_first_rnn(const DocModel *dm)
{
    for (int i = 0; i < dm->model.n_layers; i++)
        if (dm->model.layers[i].kind == LAYER_RNN) return i;
    return -1;
}

static bool load_model(Doc *d, const char *path, const char *label, Err *err)
{
    DocModel *dm = &d->models[d->n_models];
    memset(dm, 0, sizeof *dm);
    snprintf(dm->path, sizeof dm->path, "%s", path);
    snprintf(dm->label, sizeof dm->label, "%s", label);
    if (!model_load(&dm->model, path, err)) return false;
    dm->loaded = true;
    bool absent = false;
    if (!history_load_beside(&dm->hist, path, dm->model.n_params, &absent, err) && !absent) {
        model_unload(dm);
        return false;
    }
    /* conv helper (issue 13): every valid model opens. A model without a
     * recurrent layer, or whose Conv1D changes the length before one, is
     * drawn as windows sliding over the tokens (view_conv.c) */
    const Layer *last = &dm->model.layers[dm->model.n_layers - 1];
    if (!last->out_seq && last->kind == LAYER_DENSE && dm->model.token_input) {
        dm->n_classes = last->out_dim;
        dm->binary = last->activation == ACT_SIGMOID && last->out_dim == 1;
    }
    d->n_models++;
    return true;
}

/* the folder name of a path, for a label */
static void base_name(const char *path, char *out, size_t cap)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/') tmp[--n] = '\0';
    if (ends_with(tmp, "/model.json")) tmp[n - 11] = '\0';
    const char *s = strrchr(tmp, '/');
    snprintf(out, cap, "%s", s ? s + 1 : tmp);
}

static void default_input(Doc *d, char *out, size_t cap)
{
    const Model *m = &d->models[0].model;
    if (!m->token_input) {
        /* a gentle wave over 6 steps (or the fixed length) */
        int T = m->seq_len ? m->seq_len : 6, F = m->input_dim;
        size_t k = (size_t)snprintf(out, cap, "[");
        for (int t = 0; t < T && k < cap; t++) {
            k += (size_t)snprintf(out + k, cap - k, "%s[", t ? ", " : "");
            for (int j = 0; j < F && k < cap; j++)
                k += (size_t)snprintf(out + k, cap - k, "%s%.2f", j ? ", " : "", sin(0.9 * t + j));
            if (k < cap) k += (size_t)snprintf(out + k, cap - k, "]");
        }
        if (k < cap) snprintf(out + k, cap - k, "]");
        return;
    }
    if (d->has_tok) {
        /* the five most frequent words */
        size_t k = 0;
        out[0] = '\0';
        for (int i = 1, n = 0; i <= d->tok.max_index && n < 5 && k < cap; i++) {
            const char *w = tokenizer_index_word(&d->tok, i);
            if (!w || i == tokenizer_oov_index(&d->tok)) continue;
            k += (size_t)snprintf(out + k, cap - k, "%s%s", n++ ? " " : "", w);
        }
        return;
    }
    int vocab = m->layers[0].vocab;
    size_t k = 0;
    for (int t = 0; t < 5 && k < cap; t++) k += (size_t)snprintf(out + k, cap - k, "%s%d", t ? "," : "", 1 + t % (vocab > 1 ? vocab - 1 : 1));
}

/* tensors (lesson 7): text to tokens as the models were trained: a
 * lesson's padding and truncating, pad_sequences' defaults otherwise */
static bool doc_encode(const Doc *d, Prompt *p, const char *text, int maxlen, Err *err)
{
    TextSide pad = d->is_lesson ? d->lesson.padding : TEXT_PRE, cut = d->is_lesson ? d->lesson.truncating : TEXT_PRE;
    return prompt_encode_sides(p, &d->tok, text, maxlen, pad, cut, err);
}

/* ---- chart helper: the lesson's colour scale and picked units ---- */

/* largest |c| of any LSTM run of a trace of T steps */
static float trace_c_max(const Trace *tr)
{
    float mx = 0;
    for (int i = 0; i < tr->model->n_layers; i++)
        for (int k = 0; k < tr->layers[i].n_runs; k++) {
            const RunRecord *r = &tr->layers[i].run[k];
            if (r->c)
                for (size_t j = 0; j < (size_t)(r->T + 1) * (size_t)r->B * (size_t)r->H; j++) mx = fmaxf(mx, fabsf(r->c[j]));
        }
    return mx;
}

/* The c colour scale of a lesson's model: the largest |c| over the
 * lesson's sentence and every step's sentence (at least 1), so one colour
 * means one value on every step. */
static float lesson_c_scale(const Doc *d, const DocModel *dm)
{
    float mx = 1.0f;
    const Lesson *l = &d->lesson;
    for (int k = -1; k < l->n_steps; k++) {
        const char *s = k < 0 ? l->sentence : l->steps[k].dir.sentence;
        if (!s) continue;
        Prompt p = {0};
        Err err = {{0}};
        if (!doc_encode(d, &p, s, dm->model.seq_len, &err)) continue;
        Trace tr;
        trace_init(&tr, &dm->model, 1, p.n, false);
        model_forward(&tr, p.tokens, NULL);
        mx = fmaxf(mx, trace_c_max(&tr));
        trace_free(&tr);
        prompt_free(&p);
    }
    return mx;
}

/* The units of the first recurrent layer whose final h best separates the
 * classes over the first DOC_PICK_ROWS rows of the lesson's data (Fisher
 * ratio, unitpick.h). Leaves n_picked 0 when the data cannot be read. */
static void pick_separating(const LessonData *ld, DocModel *dm)
{
    Err err = {{0}};
    int li = doc_first_rnn(dm);
    if (li < 0 || !dm->model.token_input) return;
    const Dataset *ds = &ld->rows.view;
    int n = ds->N < DOC_PICK_ROWS ? ds->N : DOC_PICK_ROWS;
    if (n > 0 && model_check_tokens(&dm->model, ds->tokens, n * ds->T, &err) &&
        (!dm->model.seq_len || dm->model.seq_len == ds->T)) {
        Trace tr;
        trace_init(&tr, &dm->model, n, ds->T, false);
        model_forward(&tr, ds->tokens, NULL);
        const RunRecord *run = &tr.layers[li].run[0];
        const int H = run->H;
        /* h after the last step of every row: (T+1, B, H), row T */
        const float *h = run->h + (size_t)run->T * (size_t)n * (size_t)H;
        float *ratio = xmalloc((size_t)H * sizeof *ratio);
        dm->pick_rows = unitpick_fisher(ratio, h, ds->labels, n, H, ld->n_classes);
        dm->n_picked = unitpick_top(dm->picked, ratio, H, DOC_MAX_PICK);
        for (int k = 0; k < dm->n_picked; k++) dm->pick_score[k] = ratio[dm->picked[k]];
        free(ratio);
        trace_free(&tr);
    }
}

/* variants: the lesson's rows (training and validation), loaded once per
 * document; NULL with d->curve_error set when they cannot be read */
static const LessonData *lesson_rows(Doc *d)
{
    if (!d->is_lesson || d->curve_error[0]) return NULL;
    if (!d->curve_data) {
        Err err = {{0}};
        d->curve_data = xcalloc(1, sizeof *d->curve_data);
        if (!lesson_data_load(&d->curve_data->ld, &d->lesson, &err)) {
            snprintf(d->curve_error, sizeof d->curve_error, "%s", err.msg);
            free(d->curve_data);
            d->curve_data = NULL;
            return NULL;
        }
    }
    return &d->curve_data->ld;
}

/* variants: each model's loss and accuracy on the lesson's validation rows,
 * with the weights it holds now */
static void measure_heldout(Doc *d)
{
    for (int m = 0; m < d->n_models; m++) d->models[m].heldout_rows = 0;
    if (!d->is_lesson || !d->lesson.validation) return;
    const LessonData *ld = lesson_rows(d);
    if (!ld || !ld->has_val) return;
    for (int m = 0; m < d->n_models; m++) {
        DocModel *dm = &d->models[m];
        LossKind loss;
        Err err = {{0}};
        if (!model_loss_kind(&dm->model, &loss, &err)) continue;
        if (dm->model.seq_len > 0 && dm->model.seq_len != ld->val.view.T) continue;
        model_evaluate(&dm->model, &ld->val.view, loss, 64, &dm->heldout_loss, &dm->heldout_acc);
        dm->heldout_rows = ld->val.view.N;
    }
}

void doc_measure_models(Doc *d)
{
    const LessonData *ld = d->is_lesson && d->lesson.task == LESSON_CLASSIFY ? lesson_rows(d) : NULL;
    for (int m = 0; m < d->n_models; m++) {
        DocModel *dm = &d->models[m];
        dm->n_picked = 0;
        dm->pick_rows = 0;
        dm->c_scale = 0;
        float own = 1.0f; /* the current input's |c|, outside a lesson */
        if (dm->traced) own = fmaxf(1.0f, trace_c_max(&dm->trace));
        dm->c_scale = d->is_lesson && d->has_tok ? lesson_c_scale(d, dm) : own;
        dm->c_range = dm->c_scale;
        if (ld) pick_separating(ld, dm);
    }
    measure_heldout(d);
}

bool doc_open(Doc *d, const char *path, Err *err)
{
    memset(d, 0, sizeof *d);
    d->epoch = -1;
    snprintf(d->path, sizeof d->path, "%s", path);
    struct stat st;
    if (stat(path, &st) != 0) return err_set(err, "%s: no such file or folder", path);
    if (ends_with(path, ".md")) {
        if (!lesson_load(&d->lesson, path, err)) return false;
        d->is_lesson = true;
        snprintf(d->title, sizeof d->title, "%s", d->lesson.title);
        for (int k = 0; k < d->lesson.n_cells; k++) {
            int cell = d->lesson.cells[k];
            const char *label = d->lesson.variant_names[k] ? d->lesson.variant_names[k] : cell_class_name(cell);
            char mp[2048];
            snprintf(mp, sizeof mp, "%s/%s", d->lesson.models, lesson_model_name(&d->lesson, k));
            if (!load_model(d, mp, label, err)) {
                err_prefix(err, "lesson '%s' has no trained %s model (run lessons/make_models.sh)", d->lesson.title, label);
                doc_close(d);
                return false;
            }
        }
    } else {
        char label[128];
        base_name(path, label, sizeof label);
        if (!load_model(d, path, label, err)) {
            doc_close(d);
            return false;
        }
        snprintf(d->title, sizeof d->title, "%s", label);
    }
    /* the tokenizer beside the (first) model, if any */
    Err terr = {{0}};
    char tp[2048];
    char *dir = model_dir_of(d->models[0].path);
    snprintf(tp, sizeof tp, "%s/tokenizer.json", dir);
    free(dir);
    if (stat(tp, &st) == 0) {
        if (!tokenizer_load(&d->tok, tp, &terr)) {
            err_set(err, "%s", terr.msg);
            doc_close(d);
            return false;
        }
        d->has_tok = true;
    } else if (keras_is_keras_path(d->models[0].path)) {
        /* keras: a TextVectorization's vocabulary inside a .keras file */
        char *json = keras_vocabulary_tokenizer(d->models[0].path, &terr);
        if (json && tokenizer_parse(&d->tok, json, strlen(json), d->models[0].path, &terr)) d->has_tok = true;
        free(json);
    }
    char input[DOC_MAX_INPUT];
    if (d->is_lesson && d->lesson.sentence) snprintf(input, sizeof input, "%s", d->lesson.sentence);
    else default_input(d, input, sizeof input);
    if (!doc_set_input(d, input, err)) {
        doc_close(d);
        return false;
    }
    doc_measure_models(d);
    return true;
}

/* [[...], ...] rows of F numbers */
static bool parse_features(const char *s, int F, float **out, int *T, Err *err)
{
    *out = NULL;
    size_t cap = 64;
    float *v = xmalloc(cap * sizeof *v);
    size_t n = 0;
    int rows = 0, depth = 0, in_row = 0;
    for (const char *p = s; *p;) {
        if (*p == '[') {
            depth++;
            if (depth == 2) in_row = 0;
            p++;
        } else if (*p == ']') {
            if (depth == 2) {
                if (in_row != F) {
                    free(v);
                    return err_set(err, "step %d has %d numbers; the model reads %d per step", rows + 1, in_row, F);
                }
                rows++;
            }
            depth--;
            p++;
        } else if (*p == ',' || *p == ' ') {
            p++;
        } else {
            char *end = NULL;
            float x = strtof(p, &end);
            if (end == p || depth != 2 || !isfinite(x)) {
                free(v);
                return err_set(err, "the input must look like [[0.5, 1], [0, 2]] (%d numbers a step)", F);
            }
            if (n == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
            v[n++] = x;
            in_row++;
            p = end;
        }
    }
    if (rows == 0 || depth != 0) {
        free(v);
        return err_set(err, "the input must look like [[0.5, 1], [0, 2]] (%d numbers a step)", F);
    }
    *out = v;
    *T = rows;
    return true;
}

/* What one model makes of one input: its kept trace, its prediction after
 * every step, |dL/dh_t| for its own final choice. Computed without touching
 * the document, so it can run on a worker thread, then installed. */
typedef struct {
    Trace trace;
    float *preds;         /* (T, n_classes) or NULL */
    float c_range;
    float *grad;          /* (T) or NULL */
    int grad_label;
} Computed;

static void compute_model(Computed *out, const DocModel *dm, const Prompt *p, const float *features)
{
    const int T = p->n;
    *out = (Computed){0};
    trace_init(&out->trace, &dm->model, 1, T, true);
    model_forward(&out->trace, dm->model.token_input ? p->tokens : NULL, features);
    out->c_range = 0;
    for (int i = 0; i < dm->model.n_layers; i++) {
        const LayerRecord *r = &out->trace.layers[i];
        for (int k = 0; k < r->n_runs; k++)
            if (r->run[k].c)
                for (size_t j = 0; j < (size_t)(T + 1) * (size_t)r->run[k].H; j++)
                    out->c_range = fmaxf(out->c_range, fabsf(r->run[k].c[j]));
    }
    if (out->c_range < 1.0f) out->c_range = 1.0f;
    if (dm->n_classes > 0) {
        out->preds = xmalloc((size_t)T * (size_t)dm->n_classes * sizeof *out->preds);
        trace_predict_prefixes(&out->trace, out->preds);
    }
    /* |dL/dh_t| for the loss of the model's own final choice */
    LossKind kind;
    if (model_loss_kind(&dm->model, &kind, NULL)) {
        const float *o = out->trace.layers[dm->model.n_layers - 1].out;
        int C = dm->model.layers[dm->model.n_layers - 1].out_dim, best = 0;
        if (kind == LOSS_BINARY) best = o[0] > 0.5f;
        else
            for (int j = 1; j < C; j++) best = o[j] > o[best] ? j : best;
        int li = doc_first_rnn(dm);
        /* conv helper: no h to take a gradient of, or one per conv position, not per word */
        if (li < 0 || out->trace.layers[li].T_in != T) return;
        float *(*norms)[2] = xcalloc((size_t)dm->model.n_layers, sizeof *norms);
        out->grad = xcalloc((size_t)T, sizeof *out->grad);
        norms[li][0] = out->grad;
        Err err = {{0}};
        if (trace_gradient_norms(&out->trace, best, (float *const(*)[2])norms, &err)) {
            out->grad_label = best;
        } else {
            free(out->grad);
            out->grad = NULL;
        }
        free(norms);
    }
}

/* the model's old trace and figures out, the computed ones in */
static void install_model(DocModel *dm, Computed *c)
{
    if (dm->traced) trace_free(&dm->trace);
    free(dm->preds);
    free(dm->grad);
    dm->trace = c->trace;
    dm->traced = true;
    dm->preds = c->preds;
    dm->c_range = dm->c_scale > 0 ? dm->c_scale : c->c_range;
    dm->grad = c->grad;
    dm->grad_label = c->grad_label;
    *c = (Computed){0};
}

static void computed_free(Computed *c)
{
    if (c->trace.model) trace_free(&c->trace);
    free(c->preds);
    free(c->grad);
    *c = (Computed){0};
}

/* input_unknown from the input's words, each through the tokenizer */
static void mark_unknown(Doc *d)
{
    memset(d->input_unknown, 0, sizeof d->input_unknown);
    if (!d->has_tok || !d->models[0].model.token_input) return;
    char word[DOC_MAX_INPUT];
    const char *s = d->input;
    for (int w = 0; *s && w < DOC_MAX_INPUT / 2; w++) {
        while (*s == ' ') s++;
        if (!*s) break;
        size_t n = strcspn(s, " ");
        memcpy(word, s, n);
        word[n] = '\0';
        TextEncoding e;
        text_encoding_init(&e);
        tokenizer_encode(&e, &d->tok, word);
        for (int i = 0; i < e.words.n; i++)
            if (e.oov[i]) d->input_unknown[w] = true;
        text_encoding_free(&e);
        s += n;
    }
}

bool doc_input_word_unknown(const Doc *d, int w)
{
    return w >= 0 && w < DOC_MAX_INPUT / 2 && d->input_unknown[w];
}

/* The text as the models will read it (tokens, or float features),
 * checked against every model and the memory budget; nothing of d changes. */
static bool prepare_input(const Doc *d, const char *text, Prompt *out, float **features_out, Err *err)
{
    const Model *m = &d->models[0].model;
    Prompt p = {0};
    float *features = NULL;
    int T = 0;
    if (!m->token_input) {
        if (!parse_features(text, m->input_dim, &features, &T, err)) return false;
        if (m->seq_len && T != m->seq_len) {
            free(features);
            return err_set(err, "the model reads exactly %d steps; the input has %d", m->seq_len, T);
        }
        p.n = T;
        p.tokens = xcalloc((size_t)T, sizeof *p.tokens);
        p.words = xcalloc((size_t)T, sizeof *p.words);
        for (int t = 0; t < T; t++) {
            char w[32];
            snprintf(w, sizeof w, "x%d", t + 1);
            p.words[t] = xstrdup(w);
        }
    } else if (d->has_tok) {
        if (!doc_encode(d, &p, text, m->seq_len, err)) return false;
    } else {
        int *ids = NULL, n = 0;
        const char *s = text;
        size_t cap = 16;
        ids = xmalloc(cap * sizeof *ids);
        while (*s) {
            char *end = NULL;
            long v = strtol(s, &end, 10);
            if (end == s) {
                free(ids);
                return err_set(err, "this model has no tokenizer.json: type token numbers, e.g. 3, 1, 4");
            }
            if ((size_t)n == cap) ids = xrealloc(ids, (cap *= 2) * sizeof *ids);
            ids[n++] = (int)(v < -1 ? -1 : (v > 1 << 30 ? 1 << 30 : v));
            s = end;
            while (*s == ',' || *s == ' ') s++;
        }
        if (n == 0) {
            free(ids);
            return err_set(err, "type some token numbers, e.g. 3, 1, 4");
        }
        p.n = m->seq_len ? m->seq_len : n;
        p.tokens = xcalloc((size_t)p.n, sizeof *p.tokens);
        p.words = xcalloc((size_t)p.n, sizeof *p.words);
        int skip = n > p.n ? n - p.n : 0, pad = p.n > n ? p.n - n : 0;
        for (int t = 0; t < p.n; t++) {
            char w[32] = "";
            if (t >= pad) {
                p.tokens[t] = ids[t - pad + skip];
                snprintf(w, sizeof w, "#%d", p.tokens[t]);
            }
            p.words[t] = xstrdup(w);
        }
        free(ids);
    }
    for (int i = 0; i < d->n_models; i++) {
        const Model *mi = &d->models[i].model;
        if ((mi->token_input && !model_check_tokens(mi, p.tokens, p.n, err)) ||
            !trace_check_budget(mi, 1, p.n, true, true, false, /* the predictions after each prefix */
                                base_size_mul((size_t)p.n * sizeof(float), (size_t)mi->layers[mi->n_layers - 1].out_dim), err)) {
            prompt_free(&p);
            free(features);
            return false;
        }
    }
    if (p.n < 1) {
        prompt_free(&p);
        free(features);
        return err_set(err, "no word of the sentence is in the vocabulary");
    }
    *out = p;
    *features_out = features;
    return true;
}

/* the prepared input and every model's computed figures into d */
static void install_input(Doc *d, const char *text, Prompt *p, float *features, Computed *computed)
{
    prompt_free(&d->prompt);
    free(d->features);
    d->prompt = *p;
    *p = (Prompt){0};
    d->features = features;
    d->T = d->prompt.n;
    snprintf(d->input, sizeof d->input, "%s", text);
    mark_unknown(d);
    for (int i = 0; i < d->n_models; i++) install_model(&d->models[i], &computed[i]);
    /* tensors (lesson 7): the stages the Tensors view shows */
    prompt_stages_free(&d->stages);
    d->has_stages = false;
    Err serr = {{0}};
    if (d->has_tok && d->models[0].model.token_input)
        d->has_stages = prompt_stages_build(&d->stages, &d->tok, d->input, d->models[0].model.seq_len,
                                            d->is_lesson ? d->lesson.padding : TEXT_PRE,
                                            d->is_lesson ? d->lesson.truncating : TEXT_PRE, &serr);
}

bool doc_set_input(Doc *d, const char *text, Err *err)
{
    Prompt p;
    float *features = NULL;
    if (!prepare_input(d, text, &p, &features, err)) return false;
    Computed computed[DOC_MAX_MODELS];
    for (int i = 0; i < d->n_models; i++) compute_model(&computed[i], &d->models[i], &p, features);
    install_input(d, text, &p, features, computed);
    return true;
}

/* ---- training history ------------------------------------------------------ */

int doc_epoch_count(const Doc *d)
{
    int n = 0;
    for (int i = 0; i < d->n_models; i++)
        if (d->models[i].hist.n - 1 > n) n = d->models[i].hist.n - 1;
    return n;
}

int doc_epoch_shown(const Doc *d)
{
    return d->epoch >= 0 ? d->epoch : doc_epoch_count(d);
}

bool doc_set_epoch(Doc *d, int epoch, Err *err)
{
    int last = doc_epoch_count(d);
    if (last < 1) return true;
    epoch = epoch < 0 ? 0 : (epoch > last ? last : epoch);
    for (int i = 0; i < d->n_models; i++) {
        DocModel *dm = &d->models[i];
        if (dm->hist.n < 1) continue;
        history_apply(&dm->hist, epoch < dm->hist.n ? epoch : dm->hist.n - 1, &dm->model);
    }
    d->epoch = epoch;
    measure_heldout(d);
    char *input = xstrdup(d->input);
    bool ok = doc_set_input(d, input, err);
    free(input);
    return ok;
}

void doc_take_history(Doc *d, int k, History *h)
{
    UNROLL_ASSERT(k >= 0 && k < d->n_models);
    DocModel *dm = &d->models[k];
    history_free(&dm->hist);
    dm->hist = *h;
    *h = (History){0};
    d->epoch = -1;
    /* its curves are those of the new history */
    free(dm->curve_loss);
    free(dm->curve_acc);
    free(dm->curve_vloss);
    free(dm->curve_vacc);
    dm->curve_loss = dm->curve_acc = dm->curve_vloss = dm->curve_vacc = NULL;
    dm->curve_done = 0;
}

/* ---- variants: curves from the histories ---------------------------------- */

bool doc_curves_pending(const Doc *d)
{
    if (!d->is_lesson || d->curve_error[0]) return false;
    for (int i = 0; i < d->n_models; i++)
        if (d->models[i].curve_done < d->models[i].hist.n) return true;
    return false;
}

void doc_curves_advance(Doc *d, double budget_s)
{
    if (!doc_curves_pending(d)) return;
    Err err = {{0}};
    const LessonData *ld = lesson_rows(d);
    if (!ld) return;
    Uint64 start = SDL_GetPerformanceCounter(), freq = SDL_GetPerformanceFrequency();
    for (int i = 0; i < d->n_models; i++) {
        DocModel *dm = &d->models[i];
        if (dm->curve_done >= dm->hist.n) continue;
        LossKind loss;
        if (!model_loss_kind(&dm->model, &loss, &err)) {
            snprintf(d->curve_error, sizeof d->curve_error, "%s: %s", dm->label, err.msg);
            return;
        }
        if (ld->rows.view.T != dm->model.seq_len && dm->model.seq_len > 0) {
            snprintf(d->curve_error, sizeof d->curve_error, "%s reads %d steps; the lesson's rows have %d", dm->label,
                     dm->model.seq_len, ld->rows.view.T);
            return;
        }
        int n = dm->hist.n;
        if (!dm->curve_loss) {
            dm->curve_loss = xcalloc((size_t)n, sizeof *dm->curve_loss);
            dm->curve_acc = xcalloc((size_t)n, sizeof *dm->curve_acc);
            dm->curve_vloss = xcalloc((size_t)n, sizeof *dm->curve_vloss);
            dm->curve_vacc = xcalloc((size_t)n, sizeof *dm->curve_vacc);
        }
        /* the snapshots go through the model's own weights, put back after */
        float *keep = xmalloc(dm->model.n_params * sizeof *keep);
        memcpy(keep, dm->model.params, dm->model.n_params * sizeof *keep);
        while (dm->curve_done < n) {
            int e = dm->curve_done;
            history_apply(&dm->hist, e, &dm->model);
            double l = 0, acc = 0;
            model_evaluate(&dm->model, &ld->rows.view, loss, 64, &l, &acc);
            dm->curve_loss[e] = (float)l;
            dm->curve_acc[e] = (float)acc;
            if (ld->has_val) {
                model_evaluate(&dm->model, &ld->val.view, loss, 64, &l, &acc);
                dm->curve_vloss[e] = (float)l;
                dm->curve_vacc[e] = (float)acc;
            }
            dm->curve_done++;
            if ((double)(SDL_GetPerformanceCounter() - start) / (double)freq > budget_s) break;
        }
        memcpy(dm->model.params, keep, dm->model.n_params * sizeof *keep);
        free(keep);
        if ((double)(SDL_GetPerformanceCounter() - start) / (double)freq > budget_s) return;
    }
}

/* ---- computing off the frame loop ---------------------------------------- */

/* Ownership: between doc_job_start and doc_job_finish/cancel the worker
 * reads the document's models (never written by anyone while a job runs:
 * the app finishes or cancels the job before it swaps or closes them) and
 * writes only the job's own Computed results; `done` is the one field both
 * threads touch, atomically. */
struct DocJob {
    SDL_Thread *thread;
    const Doc *doc;
    char *text;
    Prompt prompt;
    float *features;
    Computed computed[DOC_MAX_MODELS];
    SDL_atomic_t models_done;
    SDL_atomic_t done;
    void (*on_done)(void *);
    void *user;
};

static int job_run(void *arg)
{
    DocJob *j = arg;
    engine_flush_subnormals();
    for (int i = 0; i < j->doc->n_models; i++) {
        compute_model(&j->computed[i], &j->doc->models[i], &j->prompt, j->features);
        SDL_AtomicAdd(&j->models_done, 1);
    }
    SDL_AtomicSet(&j->done, 1);
    if (j->on_done) j->on_done(j->user);
    return 0;
}

DocJob *doc_job_start(const Doc *d, const char *text, void (*on_done)(void *), void *user, Err *err)
{
    DocJob *j = xcalloc(1, sizeof *j);
    if (!prepare_input(d, text, &j->prompt, &j->features, err)) {
        free(j);
        return NULL;
    }
    j->doc = d;
    j->text = xstrdup(text);
    j->on_done = on_done;
    j->user = user;
    j->thread = SDL_CreateThread(job_run, "unroll-input", j);
    if (!j->thread) { /* no thread: compute here */
        job_run(j);
    }
    return j;
}

bool doc_job_done(const DocJob *j)
{
    return SDL_AtomicGet((SDL_atomic_t *)&j->done) != 0;
}

int doc_job_models_done(const DocJob *j)
{
    return SDL_AtomicGet((SDL_atomic_t *)&j->models_done);
}

static void job_wait(DocJob *j)
{
    if (j->thread) SDL_WaitThread(j->thread, NULL);
    j->thread = NULL;
}

void doc_job_finish(DocJob *j, Doc *d)
{
    job_wait(j);
    UNROLL_ASSERT(d == j->doc);
    install_input(d, j->text, &j->prompt, j->features, j->computed);
    free(j->text);
    free(j);
}

void doc_job_cancel(DocJob *j)
{
    job_wait(j);
    for (int i = 0; i < j->doc->n_models; i++) computed_free(&j->computed[i]);
    prompt_free(&j->prompt);
    free(j->features);
    free(j->text);
    free(j);
}

bool doc_predicts_words(const Doc *d, int m)
{
    const DocModel *dm = &d->models[m];
    const Model *mo = &dm->model;
    if (!d->has_tok || dm->binary || dm->n_classes <= 0 || !mo->token_input) return false;
    if (d->is_lesson && d->lesson.task == LESSON_CLASSIFY) return false;
    const Layer *last = &mo->layers[mo->n_layers - 1];
    return last->kind == LAYER_DENSE && last->activation == ACT_SOFTMAX && mo->layers[0].kind == LAYER_EMBEDDING &&
           last->out_dim == mo->layers[0].vocab;
}

int doc_first_class(const Doc *d, int m)
{
    return doc_predicts_words(d, m) ? 1 : 0;
}

const char *doc_class_name(const Doc *d, int m, int k, char *buf, size_t cap)
{
    const DocModel *dm = &d->models[m];
    if (d->is_lesson && d->lesson.n_labels > 0 && k < d->lesson.n_labels) return d->lesson.labels[k];
    if (dm->binary) {
        snprintf(buf, cap, "%s", k ? "yes (1)" : "no (0)");
        return buf;
    }
    if (doc_predicts_words(d, m)) {
        const char *w = tokenizer_index_word(&d->tok, k);
        if (w) return w;
        if (k == 0) return "(padding)";
    }
    snprintf(buf, cap, "class %d", k);
    return buf;
}

const char *doc_word(const Doc *d, int t, char *buf, size_t cap)
{
    if (t < 0 || t >= d->prompt.n) return "";
    if (d->prompt.words && d->prompt.words[t]) return d->prompt.words[t];
    snprintf(buf, cap, "#%d", d->prompt.tokens[t]);
    return buf;
}

void doc_generate_begin(Doc *d, Generation *g, const char *seed, uint64_t rng_seed)
{
    memset(g, 0, sizeof *g);
    snprintf(g->seed, sizeof g->seed, "%s", seed ? seed : d->input);
    rng_init(&g->rng, rng_seed);
}

bool doc_generate_next(const Doc *d, int mi, Generation *g, float temperature, Err *err)
{
    const DocModel *dm = &d->models[mi];
    const Model *m = &dm->model;
    const Layer *last = &m->layers[m->n_layers - 1];
    if (!doc_predicts_words(d, mi) || last->out_seq)
        return err_set(err, "this model does not predict next words (it classifies, or has no tokenizer and softmax over "
                            "its vocabulary): generation needs a next-word model");
    if (g->n >= DOC_GEN_MAX) return err_set(err, "that is %d words already; press c to start again", DOC_GEN_MAX);
    /* the text so far: the seed and every word chosen */
    char text[DOC_MAX_INPUT + DOC_GEN_MAX * 32];
    size_t k = (size_t)snprintf(text, sizeof text, "%s", g->seed);
    for (int i = 0; i < g->n && k < sizeof text; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%s%s", tokenizer_joiner(&d->tok), /* "" for characters */
                              tokenizer_index_word(&d->tok, g->words[i].token));
    Prompt p;
    if (!doc_encode(d, &p, text, m->seq_len, err)) return false;
    if (!model_check_tokens(m, p.tokens, p.n, err) || !trace_check_budget(m, 1, p.n, false, false, false, 0, err)) {
        prompt_free(&p);
        return false;
    }
    Trace tr;
    trace_init(&tr, m, 1, p.n, false);
    model_forward(&tr, p.tokens, NULL);
    const float *prob = tr.layers[m->n_layers - 1].out;
    const int C = last->out_dim;
    unsigned char *banned = xcalloc((size_t)C, 1);
    for (int j = 0; j < C; j++) banned[j] = j == 0 || j == tokenizer_oov_index(&d->tok) || !tokenizer_index_word(&d->tok, j);
    GenWord *w = &g->words[g->n];
    memset(w, 0, sizeof *w);
    w->token = sample_next(prob, C, temperature, 0, banned, &g->rng);
    /* the candidates, most probable first */
    for (int q = 0; q < DOC_GEN_TOP; q++) {
        int best = -1;
        for (int j = 0; j < C; j++) {
            bool used = banned[j];
            for (int u = 0; u < w->n_top; u++) used |= w->top[u] == j;
            if (!used && (best < 0 || prob[j] > prob[best])) best = j;
        }
        if (best < 0) break;
        w->top[w->n_top] = best;
        w->p[w->n_top++] = prob[best];
    }
    free(banned);
    trace_free(&tr);
    prompt_free(&p);
    if (w->token < 0) return err_set(err, "the vocabulary has no word to choose");
    g->n++;
    return true;
}
