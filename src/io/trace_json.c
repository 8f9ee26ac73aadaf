/* trace_json: writes a Trace as contracts.md section 2 JSON. */
#include "trace_json.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const LSTM_GATES[] = {"i", "f", "g", "o"};
static const char *const GRU_GATES[] = {"z", "r", "n"};

/* Bytes of JSON text per byte of the trace's records: a 4-byte float printed
 * with 9 significant digits and its separator ("-1.23456789e-05, ") is up
 * to 17 characters, and the document prints some records (h) twice. */
#define JSON_BYTES_PER_RECORD_BYTE 5

bool trace_check_budget(const Model *model, int B, int T, bool keep, bool grad, bool json, size_t extra, Err *err)
{
    if (T < 1) return err_set(err, "the sequence has no steps");
    if (T > ENGINE_MAX_SEQ) return err_set(err, "the sequence has %d steps, more than %d", T, ENGINE_MAX_SEQ);
    if (!model_check_steps(model, T, err)) return false; /* a valid Conv1D's kernel needs its steps */
    size_t records = trace_bytes(model, B, T, keep);
    size_t need = base_size_add(records, extra);
    if (grad) need = base_size_add(need, backprop_bytes(model, B, T));
    if (json) need = base_size_add(need, base_size_mul(records, JSON_BYTES_PER_RECORD_BYTE));
    char what[160];
    snprintf(what, sizeof what, "a trace of %d step%s through %d layers%s", T, T == 1 ? "" : "s", model->n_layers,
             json ? " (with its JSON)" : "");
    return base_memory_check(need, what, err);
}

const char *trace_run_direction(const Layer *l, int dir)
{
    if (l->bidirectional) return dir == 0 ? "forward" : "backward";
    return l->cell[0].go_backwards ? "backward" : "forward";
}

/* a (T, B, n) sequence or (B, n) vector of sequence b */
static void write_value(JsonW *w, const float *a, bool seq, int T, int B, int b, int n)
{
    if (!seq) {
        jsonw_floats(w, a + (size_t)b * n, n);
        return;
    }
    jsonw_begin_array(w);
    for (int t = 0; t < T; t++) jsonw_floats(w, a + ((size_t)t * B + b) * n, n);
    jsonw_end_array(w);
}

/* Conv1D: its options, and for each output position the input positions
 * its taps read (outside 0..T-1: the zero padding) */
static void write_conv(JsonW *w, const Layer *l, const LayerRecord *r)
{
    jsonw_key(w, "filters");
    jsonw_int(w, l->out_dim);
    jsonw_key(w, "kernel_size");
    jsonw_int(w, l->kernel_size);
    jsonw_key(w, "strides");
    jsonw_int(w, l->strides);
    jsonw_key(w, "dilation_rate");
    jsonw_int(w, l->dilation);
    jsonw_key(w, "padding");
    jsonw_str(w, conv_padding_name(l->padding));
    jsonw_key(w, "activation");
    jsonw_str(w, act_name(l->activation));
    jsonw_key(w, "windows");
    jsonw_begin_array(w);
    int *pos = xmalloc((size_t)l->kernel_size * sizeof *pos);
    for (int o = 0; o < r->T_out; o++) {
        int p0 = conv_window_start(l, r->T_in, o);
        for (int k = 0; k < l->kernel_size; k++) pos[k] = p0 + k * l->dilation;
        jsonw_ints(w, pos, l->kernel_size);
    }
    free(pos);
    jsonw_end_array(w);
}

static void write_run(JsonW *w, const Trace *tr, int li, int d, int b, const float *x, int in_dim,
                      const TraceDocExtras *ex)
{
    const Layer *l = &tr->model->layers[li];
    const RunRecord *run = &tr->layers[li].run[d];
    const int T = run->T, B = run->B, H = run->H, GH = run->G * H;
    const float *dh = ex && ex->dh_norm ? ex->dh_norm[li][d] : NULL;
    jsonw_begin_object(w);
    jsonw_key(w, "direction");
    jsonw_str(w, trace_run_direction(l, d));
    jsonw_key(w, "steps");
    jsonw_begin_array(w);
    for (int t = 0; t < T; t++) {
        int pos = run->backwards ? T - 1 - t : t;
        bool real = !run->mask || run->mask[(size_t)t * B + b];
        jsonw_begin_object(w);
        jsonw_key(w, "t");
        jsonw_int(w, t);
        jsonw_key(w, "pos");
        jsonw_int(w, pos);
        jsonw_key(w, "mask");
        jsonw_bool(w, real);
        jsonw_key(w, "x");
        jsonw_floats(w, x + ((size_t)pos * B + b) * in_dim, in_dim);
        jsonw_key(w, "h");
        jsonw_floats(w, run->h + ((size_t)(t + 1) * B + b) * H, H);
        if (run->c) {
            jsonw_key(w, "c");
            jsonw_floats(w, run->c + ((size_t)(t + 1) * B + b) * H, H);
        }
        jsonw_key(w, "gates");
        jsonw_begin_object(w);
        if (real && l->cell[d].kind != CELL_SIMPLE_RNN) {
            const char *const *names = l->cell[d].kind == CELL_LSTM ? LSTM_GATES : GRU_GATES;
            const float *g = run->gates + ((size_t)t * B + b) * GH;
            for (int k = 0; k < run->G; k++) {
                jsonw_key(w, names[k]);
                jsonw_floats(w, g + (size_t)k * H, H);
            }
        }
        jsonw_end_object(w);
        if (dh) {
            jsonw_key(w, "dh_norm");
            jsonw_float(w, dh[t]);
        }
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

void trace_write_json(JsonW *w, const Trace *tr, int b, const TraceDocExtras *ex)
{
    const Model *m = tr->model;
    const int T = tr->T, B = tr->B;
    UNROLL_ASSERT(tr->keep && b >= 0 && b < B);
    jsonw_begin_object(w);
    if (m->token_input) {
        jsonw_key(w, "tokens");
        jsonw_begin_array(w);
        for (int t = 0; t < T; t++) jsonw_int(w, tr->tokens[(size_t)t * B + b]);
        jsonw_end_array(w);
    } else {
        jsonw_key(w, "input");
        write_value(w, tr->input, true, T, B, b, m->input_dim);
    }
    if (ex && ex->text) {
        jsonw_key(w, "text");
        jsonw_str(w, ex->text);
    }
    if (ex && ex->words) {
        jsonw_key(w, "words");
        jsonw_begin_array(w);
        for (int t = 0; t < T; t++) jsonw_str(w, ex->words[t]);
        jsonw_end_array(w);
    }
    if (ex && ex->oov) {
        jsonw_key(w, "oov");
        jsonw_begin_array(w);
        for (int i = 0; i < ex->n_oov; i++) jsonw_str(w, ex->oov[i]);
        jsonw_end_array(w);
    }
    jsonw_key(w, "layers");
    jsonw_begin_array(w);
    const float *x = tr->input;
    int in_dim = m->input_dim;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        const LayerRecord *r = &tr->layers[i];
        jsonw_begin_object(w);
        jsonw_key(w, "index");
        jsonw_int(w, i);
        jsonw_key(w, "name");
        jsonw_str(w, l->name);
        jsonw_key(w, "class_name");
        jsonw_str(w, layer_class_name(l));
        if (l->kind == LAYER_RNN) {
            jsonw_key(w, "units");
            jsonw_int(w, l->cell[0].units);
            if (l->bidirectional) {
                jsonw_key(w, "merge_mode");
                jsonw_str(w, merge_mode_name(l->merge));
            }
            jsonw_key(w, "runs");
            jsonw_begin_array(w);
            for (int d = 0; d < l->n_dir; d++) write_run(w, tr, i, d, b, x, in_dim, ex);
            jsonw_end_array(w);
        }
        if (l->kind == LAYER_CONV1D) write_conv(w, l, r);
        jsonw_key(w, "output");
        write_value(w, r->out, l->out_seq, l->out_seq ? r->T_out : T, B, b, l->out_dim);
        if (l->kind == LAYER_RNN && l->return_state) {
            jsonw_key(w, "states");
            jsonw_begin_array(w);
            for (int d = 0; d < l->n_dir; d++) {
                const RunRecord *run = &r->run[d];
                jsonw_floats(w, run->h + ((size_t)T * B + b) * run->H, run->H);
                if (run->c) jsonw_floats(w, run->c + ((size_t)T * B + b) * run->H, run->H);
            }
            jsonw_end_array(w);
        }
        jsonw_end_object(w);
        x = r->out;
        in_dim = l->out_dim;
    }
    jsonw_end_array(w);
    if (ex && ex->attribution) {
        const TraceAttribution *a = ex->attribution;
        jsonw_key(w, "attribution");
        jsonw_begin_object(w);
        jsonw_key(w, "step");
        jsonw_int(w, a->step);
        jsonw_key(w, "class");
        jsonw_int(w, a->cls);
        jsonw_key(w, "explains");
        jsonw_str(w, a->log_odds ? "log_odds" : "output");
        jsonw_key(w, "value");
        jsonw_float(w, a->value);
        jsonw_key(w, "gradient_x_input");
        jsonw_floats(w, a->gradient, T);
        jsonw_key(w, "occlusion");
        jsonw_floats(w, a->occlusion, T);
        jsonw_end_object(w);
    }
    jsonw_end_object(w);
}
