/* view_conv: convolution models as what they are, a window sliding over
 * the tokens (issue 13). A model with no recurrent layer, or whose Conv1D
 * changes the sequence length before one, is drawn here: the sentence's
 * tokens along the row, each sequence layer's outputs at the positions they
 * come from, the current output position's kernel window outlined over the
 * positions it reads (padding hatched), the input tokens it depends on
 * (its receptive field, from the layers' kernel, dilation, strides and
 * padding) shaded, the global pooling's winners marked, and the model's
 * prediction beside. The inspector shows one filter's sum with the trace's
 * numbers; the compare view draws such a model as a lane of windows.
 * It never draws a recurrent cell for a convolution and computes nothing
 * the engine does not give: the window from conv_window_start, the
 * inspector's per-tap dot products from trace_conv_terms (their sum plus
 * the bias, through the activation, is the trace's value). Reads the App;
 * changes nothing. Depends on app.h (doc, render, theme) and the engine. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_internal.h"

/* ---- the layers' geometry: no drawing ---- */

int conv_first_layer(const Model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == LAYER_CONV1D) return i;
    return 0;
}

static int out_steps(const Layer *l, int T_in)
{
    if (l->kind == LAYER_CONV1D) return conv_out_steps(T_in, l->kernel_size, l->strides, l->dilation, l->padding);
    return T_in;
}

bool conv_shown_as_windows(const Model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind == LAYER_RNN) return false;
        /* a length that changes: the recurrent layer's steps are not the words */
        if (l->kind == LAYER_CONV1D && (out_steps(l, 7) != 7 || out_steps(l, 100) != 100)) return true;
    }
    return true; /* no recurrent layer at all */
}

/* T_in[i]: the steps layer i reads when the model reads T */
static void steps_in(const Model *m, int T, int *T_in)
{
    int cur = T;
    for (int i = 0; i < m->n_layers && i < ENGINE_MAX_LAYERS; i++) {
        T_in[i] = cur;
        if (m->layers[i].out_seq) cur = out_steps(&m->layers[i], cur);
    }
}

int conv_receptive_size(const Model *m, int layer)
{
    /* from the top down: n outputs of a conv read (n-1)*s + (k-1)*d + 1 inputs */
    long long size = 1;
    for (int i = layer; i >= 0; i--) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_CONV1D) continue;
        size = (size - 1) * l->strides + (long long)(l->kernel_size - 1) * l->dilation + 1;
        if (size > ENGINE_MAX_SEQ) return ENGINE_MAX_SEQ;
    }
    return (int)size;
}

/* The input positions output o of layer reads, first and last, padding
 * included (no clipping); false when a recurrent layer lies below (its
 * output reads everything before it). */
bool conv_receptive_span(const Model *m, int layer, int T, int o, int *lo, int *hi)
{
    int T_in[ENGINE_MAX_LAYERS];
    steps_in(m, T, T_in);
    long long L = o, H = o;
    bool local = true;
    for (int i = layer; i >= 0; i--) {
        const Layer *l = &m->layers[i];
        if (l->kind == LAYER_CONV1D) {
            L = conv_window_start(l, T_in[i], (int)L);
            H = conv_window_start(l, T_in[i], (int)H) + (long long)(l->kernel_size - 1) * l->dilation;
        } else if (l->kind == LAYER_RNN && i != layer) {
            local = false;
        }
    }
    *lo = (int)L;
    *hi = (int)H;
    return local;
}

int conv_receptive_field(const Model *m, int layer, int T, int o, unsigned char *seen, unsigned char *work)
{
    int T_in[ENGINE_MAX_LAYERS];
    steps_in(m, T, T_in);
    for (int i = layer; i >= 0; i--)
        if (m->layers[i].kind == LAYER_RNN) return -1;
    /* the set at the output of the layer, then down through each conv:
     * positions outside a level's steps are its zero padding, reading nothing */
    unsigned char *cur = work, *next = seen;
    int n_cur = out_steps(&m->layers[layer], T_in[layer]);
    memset(cur, 0, (size_t)T);
    if (o >= 0 && o < n_cur) cur[o] = 1;
    for (int i = layer; i >= 0; i--) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_CONV1D) continue;
        memset(next, 0, (size_t)T);
        for (int q = 0; q < n_cur; q++) {
            if (!cur[q]) continue;
            int p0 = conv_window_start(l, T_in[i], q);
            for (int k = 0; k < l->kernel_size; k++) {
                long long p = (long long)p0 + (long long)k * l->dilation;
                if (p >= 0 && p < T_in[i]) next[p] = 1;
            }
        }
        unsigned char *t = cur;
        cur = next;
        next = t;
        n_cur = T_in[i];
    }
    if (cur != seen) memcpy(seen, cur, (size_t)T);
    int n = 0;
    for (int p = 0; p < T; p++) n += seen[p];
    return n;
}

void conv_receptive_text(const Model *m, int layer, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "%d positions wide:", conv_receptive_size(m, layer));
    bool first = true;
    for (int i = 0; i <= layer && k < cap; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_CONV1D) continue;
        k += (size_t)snprintf(buf + k, cap - k, "%s kernel %d", first ? "" : ", then", l->kernel_size);
        if (l->dilation > 1 && k < cap) k += (size_t)snprintf(buf + k, cap - k, " dilation %d", l->dilation);
        if (l->strides > 1 && k < cap) k += (size_t)snprintf(buf + k, cap - k, " stride %d", l->strides);
        first = false;
    }
}

/* Where the outputs of a layer stand over the tokens: position q at
 * column a + b*q (token p at column p). A layer that keeps the length
 * stands on its positions (a causal conv's output over its window's last
 * word); one that changes it over its windows' centres. */
typedef struct {
    float a, b;
    int T; /* its positions */
} ColMap;

static ColMap col_map(const Model *m, int T, int layer)
{
    if (layer < 0) return (ColMap){0, 1, T};
    int T_in[ENGINE_MAX_LAYERS];
    steps_in(m, T, T_in);
    int n = m->layers[layer].out_seq ? out_steps(&m->layers[layer], T_in[layer]) : 1;
    if (n == T) return (ColMap){0, 1, n};
    int lo0 = 0, hi0 = 0, lo1 = 0, hi1 = 0;
    conv_receptive_span(m, layer, T, 0, &lo0, &hi0);
    conv_receptive_span(m, layer, T, 1, &lo1, &hi1);
    return (ColMap){(float)(lo0 + hi0) / 2.0f, (float)(lo1 + hi1 - lo0 - hi0) / 2.0f, n};
}

static int map_current(ColMap c, int step)
{
    int o = 0;
    for (int q = 0; q < c.T; q++)
        if (c.a + c.b * (float)q <= (float)step + 0.5f) o = q;
    return o;
}

int conv_current_output(const DocModel *dm, int layer, int T, int step)
{
    return map_current(col_map(&dm->model, T, layer), step);
}

int conv_output_step(const DocModel *dm, int layer, int T, int o)
{
    ColMap c = col_map(&dm->model, T, layer);
    int s = (int)lroundf(c.a + c.b * (float)o);
    return s < 0 ? 0 : (s > T - 1 ? T - 1 : s);
}

int conv_rnn_step(const DocModel *dm, int layer, int dir, int T, int step, char *what, size_t cap)
{
    const Model *m = &dm->model;
    const RunRecord *run = &dm->trace.layers[layer].run[dir];
    int pos = map_current(col_map(m, T, layer - 1), step), lo = 0, hi = 0;
    if (pos > run->T - 1) pos = run->T - 1;
    conv_receptive_span(m, layer - 1, T, pos, &lo, &hi);
    snprintf(what, cap, "position %d of %s (words %d\xE2\x80\x93%d)", pos + 1, m->layers[layer - 1].name, (lo < 0 ? 0 : lo) + 1,
             (hi > T - 1 ? T - 1 : hi) + 1);
    return m->layers[layer].cell[dir].go_backwards ? run->T - 1 - pos : pos;
}

/* ---- words ---- */

/* an activation's symbol, none for linear */
static const char *act_sym(Act a)
{
    return a == ACT_LINEAR ? "" : view_act_symbol(a);
}

/* "words 3–7" / "word 3" over the sentence's positions p (1-based), or
 * what of it is padding */
static void words_span(const Doc *d, int lo, int hi, char *buf, size_t cap)
{
    int a = lo < 0 ? 0 : lo, b = hi > d->T - 1 ? d->T - 1 : hi;
    char wa[64], wb[64];
    const char *w = a <= b ? doc_word(d, a, wa, sizeof wa) : "";
    if (!d->models[0].model.token_input) { /* float input: steps x1, x2, ... */
        if (a > b) snprintf(buf, cap, "only padding");
        else if (a == b) snprintf(buf, cap, "step %d", a + 1);
        else snprintf(buf, cap, "steps %d\xE2\x80\x93%d", a + 1, b + 1);
        return;
    }
    if (a > b) snprintf(buf, cap, "only padding");
    else if (a == b && !w[0]) snprintf(buf, cap, "word %d (a padding token)", a + 1);
    else if (a == b) snprintf(buf, cap, "word %d \xE2\x80\x9C%s\xE2\x80\x9D", a + 1, w);
    else if (!w[0] && !doc_word(d, b, wb, sizeof wb)[0]) snprintf(buf, cap, "words %d\xE2\x80\x93%d (padding tokens)", a + 1, b + 1);
    else
        snprintf(buf, cap, "words %d\xE2\x80\x93%d \xE2\x80\x9C%s\xE2\x80\xA6%s\xE2\x80\x9D", a + 1, b + 1, w[0] ? w : "\xE2\x80\x94",
                 doc_word(d, b, wb, sizeof wb));
}

bool conv_describe(const App *a, const Hot *h, char *title, size_t tcap, char *formula, size_t fcap)
{
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[h->model];
    const Model *m = &dm->model;
    const Layer *l = &m->layers[h->layer];
    const LayerRecord *rec = &dm->trace.layers[h->layer];
    char v[32], span[160];
    if (l->kind == LAYER_CONV1D) {
        ConvTerms ct;
        if (!trace_conv_terms(&dm->trace, h->layer, h->t, 0, h->unit, &ct)) return false;
        int lo = 0, hi = 0;
        conv_receptive_span(m, h->layer, d->T, h->t, &lo, &hi);
        words_span(d, lo, hi, span, sizeof span);
        snprintf(title, tcap, "%s \xC2\xB7 %s \xC2\xB7 position %d \xC2\xB7 filter %d", dm->label, l->name, h->t + 1, h->unit);
        char pre[32];
        view_format_num(v, sizeof v, ct.y);
        view_format_num(pre, sizeof pre, ct.pre);
        snprintf(formula, fcap, "y = %s(b + \xCE\xA3 W\xC2\xB7x over its window) = %s(%s) = %s   (sees %s)", act_sym(ct.act),
                 act_sym(ct.act), pre, v, span);
        return true;
    }
    if (h->unit < 0 || h->unit >= l->out_dim) return false;
    if (l->out_seq) {
        if (h->t >= rec->T_out) return false;
        view_format_num(v, sizeof v, rec->out[(size_t)h->t * l->out_dim + h->unit]);
        snprintf(title, tcap, "%s \xC2\xB7 %s \xC2\xB7 position %d", dm->label, l->name, h->t + 1);
        snprintf(formula, fcap, "x[%d] = %s", h->unit, v);
        return true;
    }
    view_format_num(v, sizeof v, rec->out[h->unit]);
    snprintf(title, tcap, "%s \xC2\xB7 %s (%s) \xC2\xB7 unit %d", dm->label, l->name, layer_class_name(l), h->unit);
    if (l->kind == LAYER_GLOBAL_MAX_POOL || l->kind == LAYER_GLOBAL_AVG_POOL) {
        const float *in = h->layer > 0 ? dm->trace.layers[h->layer - 1].out : dm->trace.input;
        int n = rec->T_in, best = 0;
        for (int t = 1; t < n; t++)
            if (in[(size_t)t * l->in_dim + h->unit] > in[(size_t)best * l->in_dim + h->unit]) best = t;
        if (l->kind == LAYER_GLOBAL_MAX_POOL)
            snprintf(formula, fcap, "max over the %d positions = %s, at position %d", n, v, best + 1);
        else snprintf(formula, fcap, "mean over the %d positions = %s", n, v);
    } else {
        snprintf(formula, fcap, "%s[%d] = %s", l->name, h->unit, v);
    }
    return true;
}

/* ---- drawing ---- */

#define CONV_LANES_MAX 12
enum { LANE_X, LANE_POS, LANE_RNN, LANE_HEAD };

typedef struct {
    int kind;
    int layer; /* LANE_X: the layer whose output is the input (-1: the model's input) */
    int dir;
    ColMap map;
    int width; /* values per position */
    Box box;
    float range;
} ConvLane;

static const float *lane_values(const DocModel *dm, const ConvLane *ln)
{
    if (ln->layer < 0) return dm->trace.input;
    return dm->trace.layers[ln->layer].out;
}

/* the lanes from the bottom: x, every sequence layer, then what follows
 * the sequence (pooling, flatten, hidden dense) up to the prediction */
static int build_lanes(const DocModel *dm, int T, ConvLane *lanes)
{
    const Model *m = &dm->model;
    int n = 0, first = -1;
    for (int i = 0; i < m->n_layers && first < 0; i++)
        if (m->layers[i].kind == LAYER_CONV1D || m->layers[i].kind == LAYER_RNN ||
            (m->layers[i].kind == LAYER_DENSE && m->layers[i].out_seq) || !m->layers[i].out_seq)
            first = i;
    if (first < 0) first = m->n_layers;
    int xl = first - 1;
    lanes[n++] = (ConvLane){LANE_X, xl, 0, col_map(m, T, xl), xl >= 0 ? m->layers[xl].out_dim : m->input_dim, {0}, 1.0f};
    for (int i = first; i < m->n_layers && n < CONV_LANES_MAX; i++) {
        const Layer *l = &m->layers[i];
        bool last = i == m->n_layers - 1;
        if (l->kind == LAYER_CONV1D || (l->kind == LAYER_DENSE && l->out_seq)) {
            lanes[n++] = (ConvLane){LANE_POS, i, 0, col_map(m, T, i), l->out_dim, {0}, 1.0f};
        } else if (l->kind == LAYER_RNN) {
            ColMap in = col_map(m, T, i - 1);
            for (int dd = 0; dd < l->n_dir && n < CONV_LANES_MAX; dd++)
                lanes[n++] = (ConvLane){LANE_RNN, i, dd, in, l->cell[dd].units, {0}, 1.0f};
        } else if (!l->out_seq && l->kind != LAYER_DROPOUT && !(last && dm->preds)) {
            lanes[n++] = (ConvLane){LANE_HEAD, i, 0, {0, 1, 1}, l->out_dim, {0}, 1.0f};
        }
    }
    /* one colour range per lane: [-1, 1], or the lane's largest |value| when larger */
    for (int k = 0; k < n; k++) {
        ConvLane *ln = &lanes[k];
        if (ln->kind == LANE_RNN) {
            const Layer *l = &dm->model.layers[ln->layer];
            const RunRecord *run = &dm->trace.layers[ln->layer].run[ln->dir];
            if (l->cell[ln->dir].activation != ACT_TANH && l->cell[ln->dir].activation != ACT_SIGMOID)
                for (size_t q = 0; q < (size_t)(run->T + 1) * run->H; q++) ln->range = fmaxf(ln->range, fabsf(run->h[q]));
            continue;
        }
        const float *v = lane_values(dm, ln);
        size_t cnt = (size_t)(ln->kind == LANE_HEAD ? 1 : ln->map.T) * (size_t)ln->width;
        for (size_t q = 0; q < cnt; q++) ln->range = fmaxf(ln->range, fabsf(v[q]));
    }
    return n;
}

static void hatch(Render *r, const Theme *th, Box b)
{
    for (int q = -b.h; q < b.w; q += 6)
        render_line(r, (float)(b.x + fmaxf(q, 0)), (float)(b.y + fmaxf(-q, 0)), (float)(b.x + fminf(q + b.h, b.w)),
                    (float)(b.y + fminf(b.h, b.w - q)), color_mix(th->mask, th->panel, 0.2f), 1.0f);
}

/* the focus: the conv layer the user is on (l picks it), else the first */
static int focus_layer(const App *a, const Model *m)
{
    if (a->layer >= 0 && a->layer < m->n_layers && m->layers[a->layer].kind == LAYER_CONV1D) return a->layer;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == LAYER_CONV1D) return i;
    return -1;
}

static const char *lane_class(const DocModel *dm, const ConvLane *ln, char *buf, size_t cap)
{
    const Layer *l = ln->layer >= 0 ? &dm->model.layers[ln->layer] : NULL;
    if (ln->kind == LANE_X) snprintf(buf, cap, "%s \xC2\xB7 %d", l ? layer_class_name(l) : "input", ln->width);
    else if (ln->kind == LANE_RNN) snprintf(buf, cap, "%s%s \xC2\xB7 %d", cell_class_name(l->cell[ln->dir].kind),
                                            l->bidirectional ? (ln->dir ? " \xE2\x86\x90" : " \xE2\x86\x92") : "", ln->width);
    else if (l->kind == LAYER_CONV1D) snprintf(buf, cap, "Conv1D \xC2\xB7 %d filters", l->out_dim);
    else snprintf(buf, cap, "%s \xC2\xB7 %d", layer_class_name(l), l->out_dim);
    return buf;
}

void view_conv_unrolled_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    const int T = d->T;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    ConvLane lanes[CONV_LANES_MAX];
    int n_lanes = build_lanes(dm, T, lanes);
    const int F = focus_layer(a, m);

    /* columns: padding the windows read beyond the sentence, both sides */
    int pad_l = 0, pad_r = 0;
    for (int k = 1; k < n_lanes; k++) {
        if (lanes[k].kind != LANE_POS || m->layers[lanes[k].layer].kind != LAYER_CONV1D) continue;
        const Layer *l = &m->layers[lanes[k].layer];
        ColMap in = lanes[k - 1].map;
        int s0 = conv_window_start(l, in.T, 0), s1 = conv_window_start(l, in.T, lanes[k].map.T - 1) + (l->kernel_size - 1) * l->dilation;
        float c0 = in.a + in.b * (float)s0, c1 = in.a + in.b * (float)s1;
        if (-c0 > pad_l) pad_l = (int)ceilf(-c0);
        if (c1 - (float)(T - 1) > pad_r) pad_r = (int)ceilf(c1 - (float)(T - 1));
    }
    if (pad_l > 8) pad_l = 8;
    if (pad_r > 8) pad_r = 8;

    /* the label column, the steps, the predictions */
    int label_w = px * 6;
    for (int k = 0; k < n_lanes; k++) {
        char cb[96];
        int w1 = 0, w2 = 0;
        const char *name = lanes[k].layer >= 0 ? m->layers[lanes[k].layer].name : "x";
        render_text_size(r, name, px, FONT_BOLD, &w1, NULL);
        render_text_size(r, lane_class(dm, &lanes[k], cb, sizeof cb), spx, FONT_REGULAR, &w2, NULL);
        int need = (w1 > w2 ? w1 : w2) + 2 * pad;
        if (need > label_w) label_w = need;
    }
    if (label_w > px * 13) label_w = px * 13;
    int pred_w = dm->preds ? px * 11 : 0;
    int legend_h = spx * 2 + 8;
    int note_h = render_line_height(r, spx, FONT_REGULAR) * 2;
    Box steps = {area.x + label_w, area.y + legend_h + pad + note_h, area.w - label_w - pred_w - pad,
                 area.h - legend_h - note_h - 2 * pad};
    if (pred_w) draw_predictions_column(a, r, (Box){area.x + area.w - pred_w, steps.y, pred_w, steps.h});
    draw_legend(a, r, (Box){area.x + area.w - px * 16 - pad, area.y + pad / 2, px * 16, legend_h}, 1.0f);

    /* every column fits, or whole columns scroll with the step in view */
    int ncols = pad_l + T + pad_r, first_col = 0;
    float min_sw = fmaxf(px * 1.6f, token_min_step(a, r, 2));
    float sw = (float)steps.w / (float)ncols;
    if (sw < min_sw) {
        int fit = (int)((float)steps.w / min_sw);
        if (fit < 1) fit = 1;
        first_col = a->step + pad_l - fit / 2;
        if (first_col > ncols - fit) first_col = ncols - fit;
        if (first_col < 0) first_col = 0;
        sw = (float)steps.w / (float)fit;
    }
    /* x of the left edge of column c (token p is column p) */
#define COL_X(c) ((float)steps.x + ((float)(c) + (float)(pad_l - first_col)) * sw)
    TokenLayout tl = token_layout(a, r, sw, 2);
    int token_h = token_rows_height(a, r, &tl, m->token_input);

    /* lane heights: x and the head lanes small, the sequence lanes share the rest */
    int x_h = (int)fminf(steps.h * 0.16f, px * 3.0f), head_h = (int)fminf(steps.h * 0.14f, px * 3.2f);
    int n_seq = 0, n_head = 0;
    for (int k = 1; k < n_lanes; k++) {
        if (lanes[k].kind == LANE_HEAD) n_head++;
        else n_seq++;
    }
    int lane_h = n_seq ? (steps.h - token_h - x_h - n_head * head_h) / n_seq : 0;
    /* no taller than the widest lane's grid needs: the rest stays free above */
    int need_h = 0;
    for (int k = 1; k < n_lanes; k++) {
        if (lanes[k].kind == LANE_HEAD) continue;
        int cols = strip_cols(lanes[k].width), rows = (lanes[k].width + cols - 1) / cols;
        int h = (int)((sw * 0.8f) / (float)cols * (float)rows + sw * 0.3f) + px;
        if (h > need_h) need_h = h;
    }
    if (need_h > 0 && lane_h > need_h) lane_h = need_h;
    if (lane_h > px * 14) lane_h = px * 14;
    /* the room left parts the lanes, so the windows' lines show */
    int gap = (steps.h - token_h - x_h - n_head * head_h - n_seq * lane_h) / (n_lanes > 0 ? n_lanes : 1);
    if (gap > px * 3) gap = px * 3;
    if (gap < 0) gap = 0;
    int y = steps.y + steps.h - token_h;
    for (int k = 0; k < n_lanes; k++) {
        int h = k == 0 ? x_h : (lanes[k].kind == LANE_HEAD ? head_h : lane_h);
        y -= h + (k > 0 ? gap : 0);
        lanes[k].box = (Box){steps.x, y, steps.w, h};
    }

    /* the head and the note: what the focus output sees */
    char head[200], note[400], span[160], rf[160];
    snprintf(head, sizeof head, "%s \xC2\xB7 %d %s", dm->label, T, m->token_input ? "words" : "steps");
    render_text(r, area.x + pad, area.y + pad / 2, head, px, FONT_BOLD, th->text, ALIGN_LEFT);
    int o = F >= 0 ? conv_current_output(dm, F, T, a->step) : 0;
    unsigned char *seen = NULL;
    if (F >= 0) {
        int lo = 0, hi = 0;
        bool local = conv_receptive_span(m, F, T, o, &lo, &hi);
        words_span(d, lo, hi, span, sizeof span);
        conv_receptive_text(m, F, rf, sizeof rf);
        snprintf(note, sizeof note, "%s position %d sees %s (%s).", m->layers[F].name, o + 1,
                 local ? span : "everything the recurrent layer below read", rf);
        /* the receptive field: a byte per word, in the render scratch */
        float *scr = render_scratch(r, (size_t)T / 2 + 1);
        seen = (unsigned char *)scr;
        if (conv_receptive_field(m, F, T, o, seen, seen + T) < 0) seen = NULL;
    } else {
        snprintf(note, sizeof note, "%s has no convolution and no recurrent layer: every position passes through the same layers on its own.", dm->label);
    }
    char fb[400];
    int ny = area.y + pad / 2 + render_line_height(r, px, FONT_BOLD);
    render_text(r, area.x + pad, ny, render_fit_text(r, note, spx, FONT_REGULAR, area.w - 2 * pad - px * 16, fb, sizeof fb), spx,
                FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    if (F >= 0)
        render_text(r, area.x + pad, ny + render_line_height(r, spx, FONT_REGULAR),
                    render_fit_text(r, "Each position sees only its window: no state passes from one position to the next.", spx, FONT_REGULAR,
                                    area.w - 2 * pad - pred_w, fb, sizeof fb),
                    spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);

    render_clip_push(r, (Box){steps.x, area.y, steps.w, area.h});
    /* the receptive field shaded over the tokens, then the tokens */
    int ty = steps.y + steps.h - token_h + 4;
    Box token_row = {steps.x, ty - 3, steps.w, token_h - 2};
    if (seen)
        for (int p = 0; p < T; p++)
            if (seen[p]) render_fill(r, (Box){(int)COL_X(p) + 1, token_row.y, (int)sw - 2, token_row.h}, color_mix(th->accent, th->bg, 0.8f));
    draw_tokens(a, r, steps, COL_X(0) + sw / 2, sw, ty, &tl, m->token_input, true);

    /* the lanes */
    int fmax_f = 0;
    for (int k = 0; k < n_lanes; k++) {
        ConvLane *ln = &lanes[k];
        Box lb = ln->box;
        int mg = (int)fmaxf(2.0f, fminf(sw * 0.1f, lb.h * 0.08f));
        if (ln->kind == LANE_HEAD) {
            /* one vector: a grid in the lane's middle */
            const Layer *l = &m->layers[ln->layer];
            Box gb = {steps.x + pad, lb.y + mg, steps.w / 2, lb.h - 2 * mg};
            Hot proto = {0};
            proto.model = (short)a->model;
            proto.layer = (short)ln->layer;
            int cols = ln->width, cell = strip_cell(gb, ln->width, cols);
            if (cell < 2) cols = strip_cols(ln->width), cell = 0;
            Box used = draw_strip_grid(r, th, gb, lane_values(dm, ln), ln->width, ln->range, false, 0, &proto, cols, cell);
            render_outline(r, (Box){used.x - 2, used.y - 2, used.w + 4, used.h + 4}, th->panel_edge, 1);
            const char *what = l->kind == LAYER_GLOBAL_MAX_POOL ? "each filter's largest output (outlined where it won)"
                             : l->kind == LAYER_GLOBAL_AVG_POOL ? "each filter's mean over the positions"
                             : l->kind == LAYER_FLATTEN ? "every position's outputs in one row"
                                                          : "";
            char wf[160];
            if (what[0])
                render_text(r, used.x + used.w + pad, lb.y + lb.h / 2 - spx / 2,
                            render_fit_text(r, what, spx, FONT_REGULAR, steps.x + steps.w - used.x - used.w - 2 * pad, wf, sizeof wf), spx,
                            FONT_REGULAR, th->text_dim, ALIGN_LEFT);
            continue;
        }
        const float *vals = ln->kind == LANE_RNN ? NULL : lane_values(dm, ln);
        const RunRecord *run = ln->kind == LANE_RNN ? &dm->trace.layers[ln->layer].run[ln->dir] : NULL;
        const Layer *l = ln->layer >= 0 ? &m->layers[ln->layer] : NULL;
        int cur = ln->kind == LANE_X ? a->step : map_current(ln->map, a->step);
        bool is_conv = ln->kind == LANE_POS && l->kind == LAYER_CONV1D;
        /* the global max pooling above this lane: each filter's winning position */
        const float *winner_src = NULL;
        if (ln->kind == LANE_POS)
            for (int i = ln->layer + 1; i < m->n_layers; i++) {
                LayerKind kk = m->layers[i].kind;
                if (kk == LAYER_GLOBAL_MAX_POOL) winner_src = vals;
                if (kk != LAYER_DROPOUT && kk != LAYER_SPATIAL_DROPOUT) break;
            }
        float *win = NULL;
        if (winner_src) {
            win = render_scratch(r, (size_t)ln->width + (size_t)T / 2 + 1) + (size_t)T / 2 + 1; /* after seen */
            for (int f = 0; f < ln->width; f++) {
                int best = 0;
                for (int q = 1; q < ln->map.T; q++)
                    if (vals[(size_t)q * ln->width + f] > vals[(size_t)best * ln->width + f]) best = q;
                win[f] = (float)best;
            }
            fmax_f = ln->width;
        }
        int T_l = ln->kind == LANE_RNN ? run->T : ln->map.T;
        for (int q = 0; q < T_l; q++) {
            int pos = q; /* the position the box stands on */
            if (ln->kind == LANE_RNN && l->cell[ln->dir].go_backwards) pos = T_l - 1 - q;
            float cx = COL_X(ln->map.a + ln->map.b * (float)pos);
            if (cx + sw < steps.x || cx > steps.x + steps.w) continue;
            bool done = q <= cur, now = q == cur;
            Box cell = {(int)cx + mg, lb.y + mg, (int)sw - 2 * mg, lb.h - 2 * mg};
            float fade = !done ? 0.85f : (now ? (1.0f - a->anim) * 0.85f : 0.0f);
            if (done) render_fill(r, cell, th->panel);
            int in = (int)fmaxf(1.0f, cell.w * 0.06f);
            Box inner = {cell.x + in, cell.y + in, cell.w - 2 * in, cell.h - 2 * in};
            Hot proto = {0};
            proto.model = (short)a->model;
            proto.layer = (short)ln->layer;
            proto.t = (short)q;
            if (is_conv) {
                Hot *ch = render_hot(r, cell, HOT_CELL);
                if (ch) {
                    Hot keep = proto;
                    keep.box = ch->box;
                    keep.kind = HOT_CELL;
                    keep.t = (short)conv_output_step(dm, ln->layer, T, q);
                    *ch = keep;
                }
            }
            const float *v = ln->kind == LANE_RNN ? run->h + (size_t)(q + 1) * run->H : vals + (size_t)q * ln->width;
            int cols = strip_cols(ln->width);
            Box gb = draw_strip_grid(r, th, inner, v, ln->width, ln->range, false, fade,
                                     done && ln->kind != LANE_RNN && ln->layer >= 0 ? &proto : NULL, cols, 0);
            if (win && done && gb.w > 0) {
                int s = gb.w / cols;
                for (int f = 0; f < ln->width; f++)
                    if ((int)win[f] == q)
                        render_outline(r, (Box){gb.x + (f % cols) * s, gb.y + (f / cols) * s, s, s}, th->text, s >= 6 ? 2 : 1);
            }
            if (ln->kind == LANE_RNN && run->mask && !run->mask[q] && done) hatch(r, th, cell);
            render_outline(r, cell, now ? th->highlight : (done ? th->panel_edge : th->faint), now ? 3 : 1);
            /* a recurrent layer's steps pass h on; a convolution's positions do not */
            if (ln->kind == LANE_RNN && q > 0) {
                int prev = l->cell[ln->dir].go_backwards ? pos + 1 : pos - 1;
                float pxx = COL_X(ln->map.a + ln->map.b * (float)prev);
                float xa = l->cell[ln->dir].go_backwards ? pxx + mg : pxx + sw - mg;
                float xb = l->cell[ln->dir].go_backwards ? (float)(cell.x + cell.w) : (float)cell.x;
                float yh = (float)(cell.y + cell.h / 2);
                render_arrow(r, xa, yh, xb, yh, done ? th->arrow : th->faint, 2.0f, fminf((float)mg * 1.6f, px * 0.6f));
            }
        }
        /* the focus conv layer's window over the lane below */
        if (ln->kind == LANE_POS && ln->layer == F && k > 0) {
            const ConvLane *below = &lanes[k - 1];
            float ocx = COL_X(ln->map.a + ln->map.b * (float)o) + sw / 2;
            int start = conv_window_start(l, below->map.T, o);
            int kmg = (int)fmaxf(1.0f, fminf(sw * 0.06f, below->box.h * 0.05f));
            for (int j = 0; j < l->kernel_size; j++) {
                long long p = (long long)start + (long long)j * l->dilation;
                float c = below->map.a + below->map.b * (float)p;
                Box tb = {(int)COL_X(c) + kmg, below->box.y + kmg, (int)sw - 2 * kmg, below->box.h - 2 * kmg};
                if (p < 0 || p >= below->map.T) {
                    render_fill(r, tb, th->panel);
                    hatch(r, th, tb);
                }
                render_line(r, (float)tb.x + tb.w / 2.0f, (float)tb.y, ocx, (float)(lb.y + lb.h - mg), color_mix(th->highlight, th->bg, 0.4f), 1.5f);
                render_outline(r, tb, th->highlight, 2);
                if (below->kind == LANE_X) {
                    /* and the word the tap reads */
                    Box wb = {(int)COL_X(c) + 1, token_row.y, (int)sw - 2, token_row.h};
                    if (p < 0 || p >= T) hatch(r, th, wb);
                    render_outline(r, wb, th->highlight, 2);
                }
                Hot *dh = render_hot(r, tb, HOT_DIAGRAM);
                if (dh) {
                    dh->unit = j;
                    dh->t = (short)p;
                    dh->layer = (short)F;
                    dh->model = (short)a->model;
                }
            }
        }
    }
    render_clip_pop(r);
    (void)fmax_f;
    /* the lane labels */
    for (int k = 0; k < n_lanes; k++) {
        const ConvLane *ln = &lanes[k];
        Box lb = ln->box;
        char cb[96], b1[96], b3[160];
        const char *name = ln->layer >= 0 && ln->kind != LANE_X ? m->layers[ln->layer].name : "x";
        int ly = lb.y + lb.h / 2 - px;
        if (lb.h < 3 * px) ly = lb.y + (lb.h - render_line_height(r, px, FONT_BOLD) - render_line_height(r, spx, FONT_REGULAR)) / 2;
        render_text(r, area.x + pad, ly, render_fit_text(r, name, px, FONT_BOLD, label_w - 2 * pad, b1, sizeof b1), px, FONT_BOLD,
                    ln->kind != LANE_X && ln->layer == F ? th->accent : th->text, ALIGN_LEFT);
        int l2 = ly + render_line_height(r, px, FONT_BOLD);
        render_text(r, area.x + pad, l2, render_fit_text(r, lane_class(dm, ln, cb, sizeof cb), spx, FONT_REGULAR, label_w - 2 * pad, b1, sizeof b1),
                    spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        /* a recurrent layer after a length-changing conv: what its current step saw */
        if (ln->kind == LANE_RNN && lb.h > 4 * px) {
            const RunRecord *run = &dm->trace.layers[ln->layer].run[ln->dir];
            int s = map_current(ln->map, a->step), lo = 0, hi = 0;
            if (s >= run->T) s = run->T - 1;
            int pos = m->layers[ln->layer].cell[ln->dir].go_backwards ? run->T - 1 - s : s;
            conv_receptive_span(m, ln->layer - 1, T, pos, &lo, &hi);
            snprintf(b3, sizeof b3, "step %d: words %d\xE2\x80\x93%d", s + 1, (lo < 0 ? 0 : lo) + 1, (hi > T - 1 ? T - 1 : hi) + 1);
            render_text(r, area.x + pad, l2 + render_line_height(r, spx, FONT_REGULAR),
                        render_fit_text(r, b3, spx, FONT_REGULAR, label_w - 2 * pad, b1, sizeof b1), spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        }
    }
#undef COL_X
}

/* ---- the inspector: one filter's sum at the current position ---- */

void view_conv_inspector_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    int y = area.y + pad / 2;
    char line[512], fb[512];
    int F = focus_layer(a, m);
    if (F < 0) {
        snprintf(line, sizeof line, "%s has no convolution or recurrent cell to inspect.", dm->label);
        render_text(r, area.x + pad, y, line, px, FONT_BOLD, th->text, ALIGN_LEFT);
        return;
    }
    const Layer *l = &m->layers[F];
    const LayerRecord *rec = &dm->trace.layers[F];
    const int C = l->in_dim, NF = l->out_dim, K = l->kernel_size;
    int o = conv_current_output(dm, F, d->T, a->step);
    /* the filter: the one clicked, else the one most active here */
    int f = 0;
    if (a->has_selected && a->selected.kind == HOT_UNIT && a->selected.model == a->model && a->selected.layer == F &&
        a->selected.unit >= 0 && a->selected.unit < NF)
        f = a->selected.unit;
    else
        for (int j = 1; j < NF; j++)
            if (rec->out[(size_t)o * NF + j] > rec->out[(size_t)o * NF + f]) f = j;
    ConvTerms ct;
    trace_conv_terms(&dm->trace, F, o, 0, f, &ct);
    int lo = 0, hi = 0;
    char span[160], rf[160];
    conv_receptive_span(m, F, d->T, o, &lo, &hi);
    words_span(d, lo, hi, span, sizeof span);
    conv_receptive_text(m, F, rf, sizeof rf);
    snprintf(line, sizeof line, "%s \xC2\xB7 %s \xC2\xB7 position %d of %d \xC2\xB7 filter %d of %d", dm->label, l->name, o + 1, rec->T_out, f, NF);
    render_text(r, area.x + pad, y, render_fit_text(r, line, px, FONT_BOLD, area.w - 2 * pad, fb, sizeof fb), px, FONT_BOLD, th->text, ALIGN_LEFT);
    y += render_line_height(r, px, FONT_BOLD);
    snprintf(line, sizeof line, "It sees %s (%s). Each position sees only its window: no state passes from the position before.", span, rf);
    render_text(r, area.x + pad, y, render_fit_text(r, line, spx, FONT_REGULAR, area.w - 2 * pad, fb, sizeof fb), spx, FONT_REGULAR,
                th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR);
    snprintf(line, sizeof line, "y_f(t) = %s(b_f + \xCE\xA3_j \xCE\xA3_c W[j,c,f] \xC2\xB7 x[t\xC2\xB7%d + j\xC2\xB7%d \xE2\x88\x92 %d, c])",
             act_sym(l->activation)[0] ? act_sym(l->activation) : "", l->strides, l->dilation, o * l->strides - conv_window_start(l, rec->T_in, o));
    render_text(r, area.x + pad, y, render_fit_text(r, line, px, FONT_REGULAR, area.w - 2 * pad, fb, sizeof fb), px, FONT_REGULAR, th->text,
                ALIGN_LEFT);
    y += render_line_height(r, px, FONT_REGULAR) + pad / 2;

    /* the table: a row per tap: position, x (C squares), W[j, :, f] (C squares), their dot product */
    int sum_h = render_line_height(r, px, FONT_BOLD) * 3 + pad;
    int out_w = px * 12;
    Box table = {area.x + pad, y, area.w - 3 * pad - out_w, area.y + area.h - y - sum_h};
    int name_w = px * 9, dot_w = px * 5;
    int grid_w = (table.w - name_w - dot_w - 2 * pad) / 2;
    int row_h = K > 0 ? table.h / (K + 1) : table.h;
    if (row_h > px * 3) row_h = px * 3;
    int shown = K < CONV_TAPS_MAX ? K : CONV_TAPS_MAX;
    if (row_h < spx + 4) {
        row_h = spx + 4;
        if (shown > table.h / row_h - 1) shown = table.h / row_h - 1;
    }
    if (shown < 0) shown = 0;
    /* squares: one size for x and W, as wide as the columns allow, in rows of up to cols */
    int cols = C, cell = grid_w / (C > 0 ? C : 1);
    if (cell < 6) {
        cols = strip_cols(C);
        cell = 0;
    }
    if (cell > row_h - 4) cell = row_h - 4;
    float xr = 1.0f, wr = 1e-6f;
    const float *x = F > 0 ? dm->trace.layers[F - 1].out : dm->trace.input;
    for (size_t q = 0; q < (size_t)rec->T_in * C; q++) xr = fmaxf(xr, fabsf(x[q]));
    for (int j = 0; j < K; j++)
        for (int c = 0; c < C; c++) wr = fmaxf(wr, fabsf(l->kernel[((size_t)j * C + c) * NF + f]));
    int hx = table.x + name_w, hw = hx + grid_w + pad;
    render_text(r, hx, table.y, "input x at the window's positions", spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    snprintf(line, sizeof line, "kernel W[j, :, %d]", f);
    render_text(r, hw, table.y, line, spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    render_text(r, hw + grid_w + pad, table.y, "\xCE\xA3_c W\xC2\xB7x", spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    bool reads_words = m->token_input && rec->T_in == d->T; /* no conv below: its positions are the words */
    for (int i = 0; i < F; i++) reads_words &= m->layers[i].kind != LAYER_CONV1D && m->layers[i].kind != LAYER_RNN;
    int ry = table.y + row_h;
    for (int j = 0; j < shown; j++, ry += row_h) {
        int p = ct.pos[j];
        bool padding = p < 0 || p >= rec->T_in;
        char wb[64], v[32];
        if (padding) snprintf(line, sizeof line, "j=%d \xC2\xB7 padding", j);
        else if (reads_words && !doc_word(d, p, wb, sizeof wb)[0]) snprintf(line, sizeof line, "j=%d \xC2\xB7 %d (pad token)", j, p + 1);
        else if (reads_words) snprintf(line, sizeof line, "j=%d \xC2\xB7 %d \xE2\x80\x9C%s\xE2\x80\x9D", j, p + 1, doc_word(d, p, wb, sizeof wb));
        else snprintf(line, sizeof line, "j=%d \xC2\xB7 position %d", j, p + 1);
        render_text(r, table.x, ry + (row_h - spx) / 2 - 2, render_fit_text(r, line, spx, FONT_REGULAR, name_w - pad / 2, fb, sizeof fb), spx,
                    FONT_REGULAR, th->text, ALIGN_LEFT);
        Box xb = {hx, ry + 2, grid_w, row_h - 4}, wbx = {hw, ry + 2, grid_w, row_h - 4};
        if (padding) {
            render_fill(r, xb, th->panel);
            hatch(r, th, xb);
            render_text(r, xb.x + 4, ry + (row_h - spx) / 2 - 2, "zeros", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        } else {
            Box used = draw_strip_grid(r, th, (Box){xb.x, xb.y, cell ? cols * cell : xb.w, xb.h}, x + (size_t)p * C, C, xr, false, 0, NULL, cols, cell);
            render_outline(r, (Box){used.x - 1, used.y - 1, used.w + 2, used.h + 2}, th->panel_edge, 1);
        }
        /* W[j, :, f] is strided by NF: copy it into the scratch */
        float *wrow = render_scratch(r, (size_t)C);
        for (int c = 0; c < C; c++) wrow[c] = l->kernel[((size_t)j * C + c) * NF + f];
        Box used = draw_strip_grid(r, th, (Box){wbx.x, wbx.y, cell ? cols * cell : wbx.w, wbx.h}, wrow, C, wr, false, 0, NULL, cols, cell);
        render_outline(r, (Box){used.x - 1, used.y - 1, used.w + 2, used.h + 2}, th->panel_edge, 1);
        view_format_num(v, sizeof v, ct.dot[j]);
        render_text(r, hw + grid_w + pad, ry + (row_h - px) / 2 - 2, v, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    }
    if (shown < K) render_text(r, table.x, ry, "\xE2\x80\xA6 more taps (a larger window than fits)", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);

    /* the position's output, every filter: click one to follow it */
    Box ob = {area.x + area.w - pad - out_w, table.y, out_w, table.h};
    render_text(r, ob.x, ob.y, "all filters here", spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    Hot proto = {0};
    proto.model = (short)a->model;
    proto.layer = (short)F;
    proto.t = (short)o;
    float orange = 1.0f;
    for (size_t q = 0; q < (size_t)rec->T_out * NF; q++) orange = fmaxf(orange, fabsf(rec->out[q]));
    int ocols = strip_cols(NF);
    Box og = draw_strip_grid(r, th, (Box){ob.x, ob.y + spx * 2, ob.w, ob.w}, rec->out + (size_t)o * NF, NF, orange, false, 0, &proto, ocols, 0);
    if (og.w > 0) {
        int s = og.w / ocols;
        render_outline(r, (Box){og.x + (f % ocols) * s - 1, og.y + (f / ocols) * s - 1, s + 2, s + 2}, th->highlight, 2);
    }

    /* the sum with its numbers; y is the engine's */
    int sy = area.y + area.h - sum_h + pad / 2;
    char b[32], pre[32], yv[32];
    view_format_num(b, sizeof b, ct.bias);
    size_t k = (size_t)snprintf(line, sizeof line, "y_%d(%d) = %s(%s", f, o + 1, act_sym(ct.act), b);
    for (int j = 0; j < shown && k < sizeof line; j++) {
        char v[32];
        view_format_num(v, sizeof v, fabsf(ct.dot[j]));
        k += (size_t)snprintf(line + k, sizeof line - k, " %s %s", ct.dot[j] < 0 ? "\xE2\x88\x92" : "+", v);
    }
    if (shown < K && k < sizeof line) k += (size_t)snprintf(line + k, sizeof line - k, " + \xE2\x80\xA6");
    view_format_num(pre, sizeof pre, ct.pre);
    view_format_num(yv, sizeof yv, ct.y);
    if (k < sizeof line) snprintf(line + k, sizeof line - k, ")");
    render_text(r, area.x + pad, sy, render_fit_text(r, line, px, FONT_REGULAR, area.w - 2 * pad, fb, sizeof fb), px, FONT_REGULAR, th->text, ALIGN_LEFT);
    sy += render_line_height(r, px, FONT_REGULAR);
    snprintf(line, sizeof line, "= %s(%s) = %s", act_sym(ct.act), pre, yv);
    render_text(r, area.x + pad, sy, line, px, FONT_BOLD, th->accent, ALIGN_LEFT);
    sy += render_line_height(r, px, FONT_BOLD);
    snprintf(line, sizeof line, "bias b_%d = %s; the same kernel slides to every position", f, b);
    render_text(r, area.x + pad, sy, line, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
}

/* ---- the compare view: a conv model as a lane of windows ---- */

void view_conv_compare_lane(const App *a, Render *r, int mi, Box lane, float x0, float sw)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[mi];
    const Model *m = &dm->model;
    const int T = d->T;
    ConvLane lanes[CONV_LANES_MAX];
    int n = build_lanes(dm, T, lanes), k = n - 1;
    while (k > 0 && lanes[k].kind != LANE_POS) k--; /* the last layer with positions */
    const ConvLane *ln = &lanes[k];
    if (ln->kind != LANE_POS) return;
    const float *vals = lane_values(dm, ln);
    int cur = map_current(ln->map, a->step);
    int brk = (int)fmaxf(4.0f, lane.h * 0.12f); /* the window's bracket under the boxes */
    for (int q = 0; q < ln->map.T; q++) {
        float cx = x0 - sw / 2 + (ln->map.a + ln->map.b * (float)q) * sw;
        if (cx + sw < lane.x || cx > lane.x + lane.w) continue;
        int mg = (int)fmaxf(1.0f, sw * 0.08f);
        Box cell = {(int)cx + mg, lane.y + mg, (int)sw - 2 * mg, lane.h - 2 * mg - brk};
        bool done = q <= cur, now = q == cur;
        float fade = !done ? 0.85f : (now ? (1.0f - a->anim) * 0.85f : 0.0f);
        Hot proto = {0};
        proto.model = (short)mi;
        proto.layer = (short)ln->layer;
        proto.t = (short)q;
        draw_strip_grid(r, th, (Box){cell.x + 1, cell.y + 1, cell.w - 2, cell.h - 2}, vals + (size_t)q * ln->width, ln->width, ln->range, false,
                        fade, done ? &proto : NULL, strip_cols(ln->width), 0);
        if (now) render_outline(r, cell, th->highlight, 3);
    }
    /* the current output's window over the words: a bracket from its first to its last word */
    int lo = 0, hi = 0;
    if (conv_receptive_span(m, ln->layer, T, cur, &lo, &hi)) {
        float xa = x0 - sw / 2 + (float)lo * sw + 2, xb = x0 - sw / 2 + (float)(hi + 1) * sw - 2;
        float yb = (float)(lane.y + lane.h - brk / 2);
        render_line(r, xa, yb, xb, yb, th->highlight, 2.0f);
        render_line(r, xa, yb, xa, yb - brk / 2.0f, th->highlight, 2.0f);
        render_line(r, xb, yb, xb, yb - brk / 2.0f, th->highlight, 2.0f);
        float oc = x0 + (ln->map.a + ln->map.b * (float)cur) * sw;
        render_line(r, oc, yb, oc, (float)(lane.y + lane.h - brk), th->highlight, 2.0f);
    }
}

/* ---- the chart view: a few filters over the positions ---- */

void view_conv_chart_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    int F = focus_layer(a, m);
    if (F < 0) {
        render_text(r, area.x + pad, area.y + pad, "no recurrent or convolution layer to chart", px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    const Layer *l = &m->layers[F];
    const LayerRecord *rec = &dm->trace.layers[F];
    const int NF = l->out_dim, To = rec->T_out;
    const float *y = rec->out;
    /* the filters: the one clicked, then the most active anywhere in the sentence */
    enum { SHOW = 5 };
    int pick[SHOW], n = 0;
    if (a->has_selected && a->selected.model == a->model && a->selected.layer == F && a->selected.unit >= 0 && a->selected.unit < NF)
        pick[n++] = a->selected.unit;
    while (n < SHOW && n < NF) {
        int best = -1;
        float bv = 0;
        for (int f = 0; f < NF; f++) {
            bool used = false;
            for (int k = 0; k < n; k++) used |= pick[k] == f;
            float mx = -INFINITY;
            for (int q = 0; q < To; q++) mx = fmaxf(mx, y[(size_t)q * NF + f]);
            if (!used && (best < 0 || mx > bv)) best = f, bv = mx;
        }
        pick[n++] = best;
    }
    float range = 1.0f;
    for (size_t q = 0; q < (size_t)To * NF; q++) range = fmaxf(range, fabsf(y[q]));
    char head[200], fb[200];
    snprintf(head, sizeof head, "%s \xC2\xB7 %s \xC2\xB7 %d filters over its %d positions", dm->label, l->name, NF, To);
    render_text(r, area.x + pad, area.y + pad / 2, head, px, FONT_BOLD, th->text, ALIGN_LEFT);
    int ty = area.y + pad / 2 + render_line_height(r, px, FONT_BOLD);
    render_text(r, area.x + pad, ty,
                render_fit_text(r, "the filters with the largest outputs in this sentence (a clicked filter first); each value comes from its window alone",
                                spx, FONT_REGULAR, area.w - 2 * pad, fb, sizeof fb),
                spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    ty += render_line_height(r, spx, FONT_REGULAR) + spx / 2;
    /* the legend */
    int lx = area.x + pad;
    for (int k = 0; k < n; k++) {
        char name[32];
        int w = 0;
        snprintf(name, sizeof name, "filter %d", pick[k]);
        render_fill(r, (Box){lx, ty + spx / 3, spx, spx / 2}, chart_line_color(k));
        render_text(r, lx + spx + 4, ty, name, spx, FONT_REGULAR, th->text, ALIGN_LEFT);
        render_text_size(r, name, spx, FONT_REGULAR, &w, NULL);
        lx += spx + 4 + w + pad;
    }
    ty += render_line_height(r, spx, FONT_REGULAR) + pad / 2;
    /* the plot: positions along x, one line per filter; the words under their windows' places */
    int label_h = render_line_height(r, spx, FONT_REGULAR) * 2;
    char lab[32];
    int lab_w = 0;
    view_format_num(lab, sizeof lab, -range);
    render_text_size(r, lab, spx, FONT_REGULAR, &lab_w, NULL);
    Box plot = {area.x + pad + lab_w + 6, ty, area.w - 2 * pad - lab_w - 6, area.y + area.h - ty - label_h - pad};
    if (plot.w < 10 || plot.h < 10 || To < 1) return;
    render_fill(r, plot, th->panel);
    render_outline(r, plot, th->panel_edge, 1);
    render_fill(r, (Box){plot.x, chart_y(plot, 0, range), plot.w, 1}, th->grid);
    view_format_num(lab, sizeof lab, range);
    render_text(r, plot.x - 4, plot.y, lab, spx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    view_format_num(lab, sizeof lab, -range);
    render_text(r, plot.x - 4, plot.y + plot.h - spx, lab, spx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    int o = conv_current_output(dm, F, d->T, a->step);
    int xo = chart_x(plot, To, o);
    render_fill(r, (Box){xo - 1, plot.y, 3, plot.h}, color_mix(th->highlight, th->panel, 0.5f));
    for (int k = n - 1; k >= 0; k--)
        for (int q = 0; q < To; q++) {
            int x1 = chart_x(plot, To, q), y1 = chart_y(plot, y[(size_t)q * NF + pick[k]], range);
            if (q > 0)
                render_line(r, (float)chart_x(plot, To, q - 1), (float)chart_y(plot, y[(size_t)(q - 1) * NF + pick[k]], range), (float)x1,
                            (float)y1, chart_line_color(k), 2.0f);
            render_circle(r, (float)x1, (float)y1, 3.0f, chart_line_color(k), true);
        }
    /* under each position: the word its window stands on, where there is room */
    ColMap cm = col_map(m, d->T, F);
    int every = 1, wmax = 0;
    for (int q = 0; q < To; q++) {
        char wb[64];
        int w = 0;
        render_text_size(r, doc_word(d, (int)lroundf(cm.a + cm.b * (float)q), wb, sizeof wb), spx, FONT_REGULAR, &w, NULL);
        if (w > wmax) wmax = w;
    }
    while (every < To && (float)plot.w / (float)To * (float)every < (float)(wmax + 6)) every++;
    for (int q = 0; q < To; q += every) {
        char wb[64], fit[64];
        int p = (int)lroundf(cm.a + cm.b * (float)q);
        const char *w = doc_word(d, p < 0 ? 0 : (p >= d->T ? d->T - 1 : p), wb, sizeof wb);
        render_text(r, chart_x(plot, To, q), plot.y + plot.h + 4,
                    render_fit_text(r, w, spx, q == o ? FONT_BOLD : FONT_REGULAR, (int)((float)plot.w / (float)To * (float)every) - 4, fit, sizeof fit),
                    spx, q == o ? FONT_BOLD : FONT_REGULAR, q == o ? th->accent : th->text, ALIGN_CENTER);
    }
}
