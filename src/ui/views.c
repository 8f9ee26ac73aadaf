/* views: what the views share: strips of coloured squares, the legend, the
 * tooltip, and the one-line description of any square with its formula and
 * the real numbers filled in (read from the engine's CellWires). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

static const char *const LSTM_GATES[4] = {"i", "f", "g", "o"};
static const char *const GRU_GATES[3] = {"z", "r", "n"};

const char *vec_name(VecKind v, CellKind kind)
{
    switch (v) {
    case VEC_X: return "x";
    case VEC_H: return "h";
    case VEC_C: return "c";
    case VEC_HPREV: return "h_prev";
    case VEC_CPREV: return "c_prev";
    case VEC_GATE0: case VEC_GATE1: case VEC_GATE2: case VEC_GATE3:
        if (kind == CELL_LSTM) return LSTM_GATES[v - VEC_GATE0];
        if (kind == CELL_GRU && v - VEC_GATE0 < 3) return GRU_GATES[v - VEC_GATE0];
        return "h";
    case VEC_PRE0: case VEC_PRE1: case VEC_PRE2: case VEC_PRE3: return "pre";
    case VEC_FC: return "f\xC2\xB7" "c_prev";
    case VEC_IG: return "i\xC2\xB7g";
    case VEC_ACTC: return "act(c)";
    case VEC_ZH: return "z\xC2\xB7h_prev";
    case VEC_ZN: return "(1\xE2\x88\x92z)\xC2\xB7n";
    case VEC_ONE_MINUS_Z: return "1\xE2\x88\x92z";
    case VEC_RH: return "r\xC2\xB7(\xE2\x80\xA6)";
    case VEC_COUNT: break;
    }
    return "?";
}

/* what teachers call it, with both names where courses differ */
static const char *vec_long_name(VecKind v, CellKind kind)
{
    if (v == VEC_H) return kind == CELL_LSTM ? "hidden state (short-term memory)" : "hidden state";
    if (v == VEC_C) return "cell state (long-term memory)";
    if (v == VEC_X) return "input";
    if (kind == CELL_LSTM) {
        static const char *const n[] = {"input gate (remember gate)", "forget gate", "candidate", "output gate (use gate)"};
        if (v >= VEC_GATE0 && v <= VEC_GATE3) return n[v - VEC_GATE0];
    }
    if (kind == CELL_GRU) {
        static const char *const n[] = {"update gate", "reset gate", "candidate"};
        if (v >= VEC_GATE0 && v <= VEC_GATE2) return n[v - VEC_GATE0];
    }
    return "";
}

const char *view_act_symbol(Act act)
{
    switch (act) {
    case ACT_SIGMOID: return "\xCF\x83";
    case ACT_HARD_SIGMOID: return "hard_\xCF\x83";
    case ACT_TANH: return "tanh";
    case ACT_RELU: return "relu";
    case ACT_LINEAR: return "linear";
    case ACT_SOFTMAX: return "softmax";
    }
    return "?";
}

/* "%.3f" without a minus sign for -0.000, with a real minus */
void view_format_num(char *buf, size_t cap, float v)
{
    if (fabsf(v) < 0.0005f) v = 0.0f;
    if (v < 0) snprintf(buf, cap, "\xE2\x88\x92%.3f", (double)-v);
    else snprintf(buf, cap, "%.3f", (double)v);
}

bool app_describe(const App *a, const Hot *h, char *title, size_t tcap, char *formula, size_t fcap)
{
    title[0] = formula[0] = '\0';
    if (!a->has_doc || h->model < 0 || h->model >= a->doc->n_models) return false;
    const DocModel *dm = &a->doc->models[h->model];
    if (h->t < 0 || h->t >= a->doc->T) return false; /* from an input that has since changed */
    if (h->kind == HOT_BAR) {
        char nb[64];
        const char *name = doc_class_name(a->doc, h->model, h->unit, nb, sizeof nb);
        float p = dm->preds ? dm->preds[(size_t)h->t * dm->n_classes + (dm->binary ? 0 : h->unit)] : 0;
        if (dm->binary && h->unit == 0) p = 1.0f - p;
        snprintf(title, tcap, "%s \xC2\xB7 after step %d", dm->label, h->t + 1);
        snprintf(formula, fcap, "P(%s) = %.4f", name, (double)p);
        return true;
    }
    if (h->kind == HOT_TOKEN) {
        char wb[64];
        snprintf(title, tcap, "position %d: \xE2\x80\x9C%s\xE2\x80\x9D", h->t + 1, doc_word(a->doc, h->t, wb, sizeof wb));
        snprintf(formula, fcap, "token %d%s", a->doc->prompt.tokens[h->t], a->doc->prompt.tokens[h->t] == 0 ? " (padding)" : "");
        return true;
    }
    if (h->kind != HOT_UNIT || h->layer < 0 || h->layer >= dm->model.n_layers) return false;
    const Layer *l = &dm->model.layers[h->layer];
    if (l->kind != LAYER_RNN && l->kind != LAYER_EMBEDDING && l->kind != LAYER_MASKING)
        return conv_describe(a, h, title, tcap, formula, fcap); /* conv helper */
    if (l->kind != LAYER_RNN) {
        /* an embedding (x) row */
        const float *x = dm->trace.layers[h->layer].out;
        if (h->unit < 0 || h->unit >= l->out_dim) return false;
        char wb[64], v[32];
        view_format_num(v, sizeof v, x[(size_t)h->t * l->out_dim + h->unit]);
        snprintf(title, tcap, "%s \xC2\xB7 %s \xC2\xB7 position %d \xE2\x80\x9C%s\xE2\x80\x9D", dm->label, l->name, h->t + 1,
                 doc_word(a->doc, h->t, wb, sizeof wb));
        snprintf(formula, fcap, "x[%d] = %s   (row %d of the embedding table)", h->unit, v, a->doc->prompt.tokens[h->t]);
        return true;
    }
    if (h->dir < 0 || h->dir >= l->n_dir) return false;
    const Cell *c = &l->cell[h->dir];
    if (h->unit < 0 || h->unit >= (h->vec == VEC_X ? c->input_dim : c->units)) return false;
    /* the App's render scratch is a cache, not state: the description is a
     * pure function of the trace */
    Render *rs = (Render *)&a->render;
    CellWires w;
    cell_wires_fill(&w, render_scratch(rs, cell_wires_floats(&dm->trace, h->layer, h->dir)), &dm->trace, h->layer, h->dir, h->t, 0);
    const int j = h->unit, H = w.H;
    /* conv helper: after a conv that shortens the input, steps read its positions, not words */
    const int T_run = dm->trace.layers[h->layer].T_in;
    if (h->t >= T_run) return false;
    int pos = c->go_backwards ? T_run - 1 - h->t : h->t;
    char wb[64];
    const char *word = wb;
    if (T_run != a->doc->T) snprintf(wb, sizeof wb, "position %d", pos + 1);
    else word = doc_word(a->doc, pos, wb, sizeof wb);
    snprintf(title, tcap, "%s \xC2\xB7 %s%s \xC2\xB7 step %d \xE2\x80\x9C%s\xE2\x80\x9D \xC2\xB7 %s[%d] %s", dm->label, l->name,
             l->bidirectional ? (h->dir ? " backward" : " forward") : "", h->t + 1, word,
             vec_name((VecKind)h->vec, c->kind), j, vec_long_name((VecKind)h->vec, c->kind));
    char v0[32], v1[32], v2[32], v3[32], v4[32];
    if (!w.mask && h->vec != VEC_X) {
        view_format_num(v0, sizeof v0, h->vec == VEC_C && w.c ? w.c[j] : w.h[j]);
        snprintf(formula, fcap, "%s[%d] = %s   masked step (padding): the state is carried over unchanged",
                 vec_name((VecKind)h->vec, c->kind), j, v0);
        return true;
    }
    switch ((VecKind)h->vec) {
    case VEC_X:
        view_format_num(v0, sizeof v0, w.x[j]);
        snprintf(formula, fcap, "x[%d] = %s", j, v0);
        break;
    case VEC_HPREV:
        view_format_num(v0, sizeof v0, w.h_prev[j]);
        snprintf(formula, fcap, "h_prev[%d] = %s   (h of the step before)", j, v0);
        break;
    case VEC_CPREV:
        view_format_num(v0, sizeof v0, w.c_prev[j]);
        snprintf(formula, fcap, "c_prev[%d] = %s   (c of the step before)", j, v0);
        break;
    case VEC_H:
        if (c->kind == CELL_LSTM) {
            view_format_num(v0, sizeof v0, w.gate[3 * H + j]);
            view_format_num(v1, sizeof v1, w.c[j]);
            view_format_num(v2, sizeof v2, w.h[j]);
            snprintf(formula, fcap, "h[%d] = o \xC2\xB7 %s(c) = %s \xC3\x97 %s(%s) = %s", j, view_act_symbol(c->activation), v0,
                     view_act_symbol(c->activation), v1, v2);
        } else if (c->kind == CELL_GRU) {
            view_format_num(v0, sizeof v0, w.gate[j]);
            view_format_num(v1, sizeof v1, w.h_prev[j]);
            view_format_num(v2, sizeof v2, w.one_minus_z[j]);
            view_format_num(v3, sizeof v3, w.gate[2 * H + j]);
            view_format_num(v4, sizeof v4, w.h[j]);
            snprintf(formula, fcap, "h[%d] = z\xC2\xB7h_prev + (1\xE2\x88\x92z)\xC2\xB7n = %s\xC3\x97%s + %s\xC3\x97%s = %s", j, v0, v1,
                     v2, v3, v4);
        } else {
            view_format_num(v0, sizeof v0, w.pre[j]);
            view_format_num(v1, sizeof v1, w.h[j]);
            snprintf(formula, fcap, "h[%d] = %s(W\xC2\xB7x + U\xC2\xB7h_prev + b) = %s(%s) = %s", j, view_act_symbol(c->activation),
                     view_act_symbol(c->activation), v0, v1);
        }
        break;
    case VEC_C:
        view_format_num(v0, sizeof v0, w.gate[H + j]);
        view_format_num(v1, sizeof v1, w.c_prev[j]);
        view_format_num(v2, sizeof v2, w.gate[j]);
        view_format_num(v3, sizeof v3, w.gate[2 * H + j]);
        view_format_num(v4, sizeof v4, w.c[j]);
        snprintf(formula, fcap, "c[%d] = f\xC2\xB7" "c_prev + i\xC2\xB7g = %s\xC3\x97%s + %s\xC3\x97%s = %s", j, v0, v1, v2, v3, v4);
        break;
    case VEC_GATE0: case VEC_GATE1: case VEC_GATE2: case VEC_GATE3:
    case VEC_PRE0: case VEC_PRE1: case VEC_PRE2: case VEC_PRE3: {
        int k = h->vec >= VEC_PRE0 ? h->vec - VEC_PRE0 : h->vec - VEC_GATE0;
        if (c->kind == CELL_SIMPLE_RNN) k = 0;
        Act act = c->kind == CELL_SIMPLE_RNN || (c->kind == CELL_LSTM && k == 2) || (c->kind == CELL_GRU && k == 2)
                      ? c->activation : c->recurrent_activation;
        const char *g = vec_name((VecKind)(VEC_GATE0 + k), c->kind);
        view_format_num(v0, sizeof v0, w.pre[k * H + j]);
        view_format_num(v1, sizeof v1, w.gate[k * H + j]);
        if (c->kind == CELL_GRU && k == 2)
            snprintf(formula, fcap, "n[%d] = %s(W_n\xC2\xB7x + %s) = %s(%s) = %s", j, view_act_symbol(act),
                     c->reset_after ? "r\xC2\xB7(U_n\xC2\xB7h_prev + b') + b" : "U_n\xC2\xB7(r\xC2\xB7h_prev) + b", view_act_symbol(act),
                     v0, v1);
        else
            snprintf(formula, fcap, "%s[%d] = %s(W_%s\xC2\xB7x + U_%s\xC2\xB7h_prev + b_%s) = %s(%s) = %s", g, j, view_act_symbol(act),
                     g, g, g, view_act_symbol(act), v0, v1);
        break;
    }
    case VEC_FC:
        view_format_num(v0, sizeof v0, w.gate[H + j]);
        view_format_num(v1, sizeof v1, w.c_prev[j]);
        view_format_num(v2, sizeof v2, w.fc[j]);
        snprintf(formula, fcap, "f\xC2\xB7" "c_prev = %s \xC3\x97 %s = %s   (what the forget gate keeps)", v0, v1, v2);
        break;
    case VEC_IG:
        view_format_num(v0, sizeof v0, w.gate[j]);
        view_format_num(v1, sizeof v1, w.gate[2 * H + j]);
        view_format_num(v2, sizeof v2, w.ig[j]);
        snprintf(formula, fcap, "i\xC2\xB7g = %s \xC3\x97 %s = %s   (what the input gate writes)", v0, v1, v2);
        break;
    case VEC_ACTC:
        view_format_num(v0, sizeof v0, w.c[j]);
        view_format_num(v1, sizeof v1, w.act_c[j]);
        snprintf(formula, fcap, "%s(c) = %s(%s) = %s", view_act_symbol(c->activation), view_act_symbol(c->activation), v0, v1);
        break;
    case VEC_ZH:
        view_format_num(v0, sizeof v0, w.gate[j]);
        view_format_num(v1, sizeof v1, w.h_prev[j]);
        view_format_num(v2, sizeof v2, w.zh[j]);
        snprintf(formula, fcap, "z\xC2\xB7h_prev = %s \xC3\x97 %s = %s   (what the update gate keeps)", v0, v1, v2);
        break;
    case VEC_ZN:
        view_format_num(v0, sizeof v0, w.one_minus_z[j]);
        view_format_num(v1, sizeof v1, w.gate[2 * H + j]);
        view_format_num(v2, sizeof v2, w.zn[j]);
        snprintf(formula, fcap, "(1\xE2\x88\x92z)\xC2\xB7n = %s \xC3\x97 %s = %s   (what the candidate adds)", v0, v1, v2);
        break;
    case VEC_ONE_MINUS_Z:
        view_format_num(v0, sizeof v0, w.one_minus_z[j]);
        snprintf(formula, fcap, "1 \xE2\x88\x92 z = %s", v0);
        break;
    case VEC_RH:
        view_format_num(v0, sizeof v0, w.gate[H + j]);
        view_format_num(v1, sizeof v1, w.rh[j]);
        snprintf(formula, fcap, "r \xC2\xB7 %s = %s   (reset gate %s)", c->reset_after ? "(U_n\xC2\xB7h_prev + b')" : "h_prev", v1, v0);
        break;
    default: break;
    }
    return true;
}

/* Strips of more units than this, with squares too small for gaps, are
 * drawn as one image (the same pixels as one fill a square) */
#define STRIP_IMAGE_UNITS 256

Box draw_strip(Render *r, const Theme *th, Box box, const float *v, int n, float range, bool unit_range, float fade,
               const Hot *proto)
{
    if (n <= 0 || box.w < 2 || box.h < 2) return (Box){box.x, box.y, 0, 0};
    /* as square a grid as the box allows */
    int cols = 1;
    for (int c = 1; c <= n; c++) {
        int rows = (n + c - 1) / c;
        float s = fminf((float)box.w / c, (float)box.h / rows);
        float best = fminf((float)box.w / cols, (float)box.h / ((n + cols - 1) / cols));
        if (s > best) cols = c;
    }
    return draw_strip_grid(r, th, box, v, n, range, unit_range, fade, proto, cols, strip_cell(box, n, cols));
}

/* chart helper: one grid per layer. A layer's units keep one place in
 * every strip (h, c, gates; any sentence length): cols depends on the
 * number of units only, the largest divisor of n not above sqrt(n) (32:
 * 4 x 8), or ceil(sqrt(n)) when that divisor is under half of it (a prime). */
int strip_cols(int n)
{
    if (n <= 1) return 1;
    int root = (int)ceilf(sqrtf((float)n)), best = 1;
    for (int c = 1; c * c <= n; c++)
        if (n % c == 0) best = c;
    return 2 * best >= root ? best : root;
}

int strip_cell(Box box, int n, int cols)
{
    if (n <= 0 || cols <= 0) return 0;
    int rows = (n + cols - 1) / cols;
    int s = (int)fminf((float)box.w / cols, (float)box.h / rows);
    return s < 1 ? 1 : s;
}

Box draw_strip_grid(Render *r, const Theme *th, Box box, const float *v, int n, float range, bool unit_range, float fade,
                    const Hot *proto, int cols, int cell)
{
    if (n <= 0 || box.w < 2 || box.h < 2 || cols <= 0) return (Box){box.x, box.y, 0, 0};
    int rows = (n + cols - 1) / cols;
    int s = cell > 0 ? cell : strip_cell(box, n, cols);
    int gap = s >= 6 ? 1 : 0;
    int gw = cols * s, gh = rows * s;
    int x0 = box.x + (box.w - gw) / 2, y0 = box.y + (box.h - gh) / 2;
    if (gap == 0 && n > STRIP_IMAGE_UNITS && n <= RENDER_GRID_MAX) {
        /* squares of a few pixels (hundreds of units): one image, one hot
         * region that knows its grid */
        Color *col = render_grid_colors(r);
        for (int k = 0; k < n; k++) {
            col[k] = unit_range ? colormap_unit(v[k]) : colormap(v[k], range);
            if (fade > 0) col[k] = color_mix(col[k], th->bg, fade);
        }
        if (render_grid(r, x0, y0, s, cols, col, n)) {
            Hot *h = proto ? render_hot(r, (Box){x0, y0, gw, gh}, HOT_UNIT) : NULL;
            if (h) {
                Hot keep = *proto;
                keep.box = h->box;
                keep.kind = HOT_UNIT;
                keep.unit = 0;
                keep.grid_cols = (short)cols;
                keep.grid_cell = (short)s;
                *h = keep;
            }
            return (Box){x0, y0, gw, gh};
        }
    }
    for (int k = 0; k < n; k++) {
        Box sq = {x0 + (k % cols) * s, y0 + (k / cols) * s, s - gap, s - gap};
        Color col = unit_range ? colormap_unit(v[k]) : colormap(v[k], range);
        if (fade > 0) col = color_mix(col, th->bg, fade);
        render_fill(r, sq, col);
        if (proto) {
            Hot *h = render_hot(r, (Box){sq.x, sq.y, s, s}, HOT_UNIT);
            if (h) {
                Hot keep = *proto;
                keep.box = h->box;
                keep.kind = HOT_UNIT;
                keep.unit = k;
                *h = keep;
            }
        }
    }
    return (Box){x0, y0, gw, gh};
}

void draw_legend(const App *a, Render *r, Box box, float c_range)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_SMALL);
    int bar_w = box.w - px * 2, x = box.x + px;
    int bh = px * 2 / 3 + 2;
    /* a continuous bar with -1, 0, 1 below (and c's range when it differs) */
    for (int i = 0; i < bar_w; i++) {
        float v = -1.0f + 2.0f * (float)i / (float)(bar_w - 1);
        render_fill(r, (Box){x + i, box.y, 1, bh}, colormap(v, 1.0f));
    }
    render_outline(r, (Box){x, box.y, bar_w, bh}, th->panel_edge, 1);
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "\xE2\x88\x92%s", c_range > 1.0f ? "1 (c: \xE2\x88\x92" : "1");
    if (c_range > 1.0f) {
        snprintf(lo, sizeof lo, "\xE2\x88\x92" "1  (c \xE2\x88\x92%.1f)", (double)c_range);
        snprintf(hi, sizeof hi, "1  (c %.1f)", (double)c_range);
    } else {
        snprintf(hi, sizeof hi, "1");
    }
    render_text(r, x, box.y + bh + 2, lo, px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    render_text(r, x + bar_w / 2, box.y + bh + 2, "0", px, FONT_REGULAR, th->text_dim, ALIGN_CENTER);
    render_text(r, x + bar_w, box.y + bh + 2, hi, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
}

void draw_tooltip(const App *a, Render *r)
{
    if (!a->has_hover || a->editing) return;
    char title[512], formula[512];
    if (!app_describe(a, &a->hover, title, sizeof title, formula, sizeof formula)) return;
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px / 2;
    int w1 = 0, w2 = 0;
    render_text_size(r, title, spx, FONT_REGULAR, &w1, NULL);
    render_text_size(r, formula, px, FONT_MONO, &w2, NULL);
    int w = (w1 > w2 ? w1 : w2) + 2 * pad, h = spx + px + 3 * pad;
    int x = a->mouse_x + px, y = a->mouse_y + px;
    if (x + w > r->width) x = r->width - w - 2;
    if (x < 0) x = 0;
    if (y + h > r->height) y = a->mouse_y - h - px / 2;
    if (y < 0) y = 0;
    render_fill(r, (Box){x, y, w, h}, th->tooltip_bg);
    render_text(r, x + pad, y + pad, title, spx, FONT_REGULAR, th->tooltip_text, ALIGN_LEFT);
    render_text(r, x + pad, y + 2 * pad + spx, formula, px, FONT_MONO, th->tooltip_text, ALIGN_LEFT);
}

/* ---- cut helper: the words under a row of steps, whole ---- */

/* the widest word of the sentence in type px (bold: the current word) */
static int widest_word(const App *a, Render *r, int px)
{
    const Doc *d = a->doc;
    int wide = 0;
    for (int p = 0; p < d->T; p++) {
        char wb[64];
        int w = 0;
        const char *s = doc_word(d, p, wb, sizeof wb);
        render_text_size(r, *s ? s : "\xE2\x80\x94", px, FONT_BOLD, &w, NULL);
        if (w > wide) wide = w;
    }
    return wide;
}

/* a word on a row of rows steps sw apart has rows * sw less a small gap */
static float token_room(float sw, int rows) { return rows * sw - 6.0f; }

TokenLayout token_layout(const App *a, Render *r, float sw, int max_rows)
{
    if (max_rows < 1) max_rows = 1;
    if (max_rows > TOKEN_ROWS_MAX) max_rows = TOKEN_ROWS_MAX;
    const int sizes[2] = {app_px(a, TEXT_BODY), app_px(a, TEXT_SMALL)};
    for (int k = 0; k < 2; k++) {
        int wide = widest_word(a, r, sizes[k]);
        for (int rows = 1; rows <= max_rows; rows++)
            if (wide <= token_room(sw, rows)) return (TokenLayout){rows, sizes[k], true};
    }
    return (TokenLayout){max_rows, sizes[1], false};
}

float token_min_step(const App *a, Render *r, int max_rows)
{
    if (max_rows < 1) max_rows = 1;
    return ((float)widest_word(a, r, app_px(a, TEXT_SMALL)) + 6.0f) / (float)max_rows;
}

int token_rows_height(const App *a, Render *r, const TokenLayout *tl, bool ids)
{
    return tl->rows * render_line_height(r, tl->px, FONT_BOLD) +
           (ids ? render_line_height(r, app_px(a, TEXT_SMALL), FONT_REGULAR) : 0) + 6;
}

void draw_tokens(const App *a, Render *r, Box clip, float x0, float sw, int ty, const TokenLayout *tl, bool ids,
                 bool attribution)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const Model *m = &d->models[a->model].model;
    int spx = app_px(a, TEXT_SMALL), lh = render_line_height(r, tl->px, FONT_BOLD);
    int token_h = token_rows_height(a, r, tl, ids);
    int room = (int)token_room(sw, tl->rows);
    bool shade = attribution && app_attrib_shown(a);
    for (int p = 0; p < d->T; p++) {
        float cx = x0 + p * sw;
        /* the words of the steps shown (their centres within the clip) */
        if (cx < clip.x || cx > clip.x + clip.w) continue;
        int left = (int)lroundf(cx - sw / 2); /* not truncated: the first step's left edge is the clip's */
        char wb[64], fit[64];
        const char *w = doc_word(d, p, wb, sizeof wb);
        bool pad_tok = m->token_input && d->prompt.tokens[p] == 0;
        bool now = p == a->step, done = p <= a->step;
        Color c = pad_tok ? th->mask : (done ? th->text : th->text_dim);
        int row = p % tl->rows;
        Box cell = {left + 2, ty - 2, (int)sw - 4, token_h - 4};
        if (now) render_fill(r, cell, color_mix(th->accent, th->bg, 0.85f));
        if (shade) {
            app_attrib_shade(a, r, cell, p);
            c = app_attrib_text_color(a, p, c);
        }
        /* a tick from an upper word down to its step (on two rows only: on
         * three, the ticks would cross the words of the rows below) */
        if (tl->rows == 2 && row == 0) render_fill(r, (Box){(int)cx, ty + lh - 2, 1, lh + 2}, th->faint);
        FontStyle st = now ? FONT_BOLD : FONT_REGULAR;
        const char *text = render_fit_text(r, pad_tok || !*w ? "\xE2\x80\x94" : w, tl->px, st, room, fit, sizeof fit);
        /* the first and last words shown stay inside the clip, whole */
        int tw = 0, tx = (int)cx;
        render_text_size(r, text, tl->px, st, &tw, NULL);
        if (tx - tw / 2 < clip.x) tx = clip.x + tw / 2;
        if (tx + (tw + 1) / 2 > clip.x + clip.w) tx = clip.x + clip.w - (tw + 1) / 2;
        render_text(r, tx, ty + row * lh, text, tl->px, st, c, ALIGN_CENTER);
        if (ids && m->token_input && sw > spx * 1.5f) {
            char id[24];
            snprintf(id, sizeof id, "%d", d->prompt.tokens[p]);
            render_text(r, (int)cx, ty + tl->rows * lh, id, spx, FONT_REGULAR, app_attrib_text_color(a, p, th->text_dim),
                        ALIGN_CENTER);
        }
        Hot *h = render_hot(r, (Box){left, ty, (int)sw, token_h}, HOT_TOKEN);
        if (h) {
            h->model = (short)a->model;
            h->t = (short)p;
        }
    }
}

StepRow step_row_fit(const App *a, int w, int T, float min_sw, float zoom)
{
    StepRow s = {0};
    if (T <= 0 || w <= 0) return s;
    float sw = fmaxf((float)w / (float)T, min_sw) * (zoom > 0 ? zoom : 1.0f);
    int n = (int)((float)w / sw);
    if (n < 1) n = 1;
    if (n >= T) {
        s.sw = sw;
        s.n = T;
        return s;
    }
    /* whole steps only: n of them fill the row, the current one among them */
    s.sw = (float)w / (float)n;
    int first = (int)lroundf((float)a->scroll / s.sw);
    if (first > T - n) first = T - n;
    if (a->step >= first + n) first = a->step - n + 1;
    if (a->step < first) first = a->step;
    if (first < 0) first = 0;
    s.first = first;
    s.n = n;
    s.scroll = first * s.sw;
    return s;
}
