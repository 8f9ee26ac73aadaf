/* view_inspector: the inside of one cell at one step, drawn as the textbook
 * diagram: for LSTM the c line along the top, the forget, input and output
 * gates (sigmoid), the tanh candidate, the products and the sum; for GRU
 * the update and reset gates and the candidate; for SimpleRNN
 * act(W x + U h + b). Every wire carries its vector as a strip; a selected
 * unit's equations are listed with the real numbers. Values come from the
 * engine's CellWires. Reads the App; changes nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

typedef struct {
    const App *a;
    Render *r;
    Box D;            /* the diagram box */
    int px, spx;
    Hot proto;
    int H;
    float hr;         /* range for h-like strips */
    float cr;         /* range for c-like strips */
    const char *act_name; /* the cell's activation: tanh unless configured */
} Dg;

static float X(const Dg *g, float fx) { return g->D.x + fx * g->D.w; }
static float Y(const Dg *g, float fy) { return g->D.y + fy * g->D.h; }

static void wire(const Dg *g, float x0, float y0, float x1, float y1, Color c)
{
    render_line(g->r, X(g, x0), Y(g, y0), X(g, x1), Y(g, y1), c, fmaxf(2.0f, g->px / 8.0f));
}

static void arrow(const Dg *g, float x0, float y0, float x1, float y1, Color c)
{
    render_arrow(g->r, X(g, x0), Y(g, y0), X(g, x1), Y(g, y1), c, fmaxf(2.0f, g->px / 8.0f), g->px * 0.6f);
}

/* an operation node: a circle with a symbol */
static void op(const Dg *g, float fx, float fy, const char *sym)
{
    const Theme *th = &g->a->theme;
    float rad = g->px * 0.75f;
    render_circle(g->r, X(g, fx), Y(g, fy), rad, th->panel, true);
    render_circle(g->r, X(g, fx), Y(g, fy), rad, th->arrow, false);
    /* the symbol stays inside its circle: "1-" is drawn smaller than "x" */
    int spx = g->px, sw = 0, sh = 0;
    render_text_size(g->r, sym, spx, FONT_BOLD, &sw, NULL);
    while (spx > 8 && sw > rad * 1.5f) render_text_size(g->r, sym, --spx, FONT_BOLD, &sw, NULL);
    render_text_size(g->r, sym, spx, FONT_BOLD, NULL, &sh);
    render_text(g->r, (int)X(g, fx), (int)(Y(g, fy) - sh / 2.0f), sym, spx, FONT_BOLD, th->text, ALIGN_CENTER);
}

/* a gate box: the activation on top, the gate's name under it, inside, at
 * most max_w wide (0: no limit; the name's type shrinks to fit, so boxes
 * side by side never overlap). Registered as a HOT_DIAGRAM region. */
static Box gate(const Dg *g, float fx, float fy, const char *act, const char *name, Color edge, float max_fw)
{
    const Theme *th = &g->a->theme;
    int max_w = max_fw > 0 ? (int)(max_fw * g->D.w) : 1 << 20;
    int npx = g->spx, nw = 0, aw = 0, apx = g->px;
    render_text_size(g->r, act, apx, FONT_BOLD, &aw, NULL);
    while (apx > 9 && aw + g->px / 2 > max_w) render_text_size(g->r, act, --apx, FONT_BOLD, &aw, NULL);
    if (*name) render_text_size(g->r, name, npx, FONT_REGULAR, &nw, NULL);
    while (*name && npx > 9 && nw + g->px / 2 > max_w) render_text_size(g->r, name, --npx, FONT_REGULAR, &nw, NULL);
    if (aw > nw) nw = aw;
    int lh = render_line_height(g->r, apx, FONT_BOLD), slh = render_line_height(g->r, npx, FONT_REGULAR);
    int w = (int)fmaxf(fminf(g->px * 3.5f, (float)max_w), (float)nw + g->px / 2);
    if (w > max_w && max_w >= nw) w = max_w;
    int h = *name ? lh + slh + g->px / 3 : lh + g->px / 2;
    Box b = {(int)X(g, fx) - w / 2, (int)Y(g, fy) - h / 2, w, h};
    render_fill(g->r, b, th->panel);
    render_outline(g->r, b, edge, 2);
    render_text(g->r, b.x + w / 2, b.y + g->px / 6, act, apx, FONT_BOLD, th->text, ALIGN_CENTER);
    if (*name) render_text(g->r, b.x + w / 2, b.y + g->px / 6 + lh, name, npx, FONT_REGULAR, th->text_dim, ALIGN_CENTER);
    Hot *hot = render_hot(g->r, b, HOT_DIAGRAM);
    if (hot) hot->unit = g->r->n_hot;
    return b;
}

/* an arrow between two points in pixels */
static void arrow_px(const Dg *g, float x0, float y0, float x1, float y1, Color c)
{
    render_arrow(g->r, x0, y0, x1, y1, c, fmaxf(2.0f, g->px / 8.0f), g->px * 0.6f);
}

static void wire_px(const Dg *g, float x0, float y0, float x1, float y1, Color c)
{
    render_line(g->r, x0, y0, x1, y1, c, fmaxf(2.0f, g->px / 8.0f));
}

/* half the side of a strip of the given scale (strip_sized's size) */
static float strip_half(const Dg *g, float scale)
{
    return fminf(g->D.w * 0.09f, g->D.h * 0.17f) * scale / 2.0f + 3.0f;
}

/* where a strip's label goes: by the strip's place (above; on the left of
 * low strips; tanh(c_t) on its right), or below it */
typedef enum { LABEL_AUTO, LABEL_BELOW } LabelSide; /* cut helper */

/* a vector strip centred at (fx, fy) with its label */
static void strip_at(const Dg *g, float fx, float fy, const float *v, VecKind vec, const char *label, float range, bool unit, float scale,
                     LabelSide side, int min_x)
{
    const Theme *th = &g->a->theme;
    int s = (int)(fminf(g->D.w * 0.09f, g->D.h * 0.17f) * scale);
    Box b = {(int)X(g, fx) - s / 2, (int)Y(g, fy) - s / 2, s, s};
    render_fill(g->r, (Box){b.x - 3, b.y - 3, b.w + 6, b.h + 6}, th->panel);
    Hot proto = g->proto;
    proto.vec = (short)vec;
    Box used = draw_strip(g->r, th, b, v, g->H, range, unit, 0.0f, &proto);
    render_outline(g->r, (Box){used.x - 2, used.y - 2, used.w + 4, used.h + 4}, th->panel_edge, 1);
    if (side == LABEL_BELOW) /* from the strip's left edge, or right of min_x: clear of a box below on its left */
        render_text(g->r, used.x - 2 > min_x ? used.x - 2 : min_x, b.y + s + 6, label, g->spx, FONT_BOLD, th->text, ALIGN_LEFT);
    else if (scale < 0.8f + 1e-3f && scale > 0.8f - 1e-3f && vec == VEC_ACTC) /* tanh(c_t): on its right, clear of c_t and h_t */
        render_text(g->r, used.x + used.w + 8, used.y + used.h / 2 - g->spx / 2, label, g->spx, FONT_BOLD, th->text, ALIGN_LEFT);
    else if (fy > 0.65f) /* low strips are labelled on their left, clear of the wires above */
        render_text(g->r, used.x - 8, used.y + used.h / 2 - g->spx / 2, label, g->spx, FONT_BOLD, th->text, ALIGN_RIGHT);
    else
        render_text(g->r, b.x + s / 2, b.y - g->spx - 6, label, g->spx, FONT_BOLD, th->text, ALIGN_CENTER);
}

static void strip_sized(const Dg *g, float fx, float fy, const float *v, VecKind vec, const char *label, float range, bool unit,
                        float scale)
{
    strip_at(g, fx, fy, v, vec, label, range, unit, scale, LABEL_AUTO, 0);
}

static void strip(const Dg *g, float fx, float fy, const float *v, VecKind vec, const char *label, float range, bool unit)
{
    strip_sized(g, fx, fy, v, vec, label, range, unit, 1.0f);
}

/* cut helper: a gate's own values, smaller, under the gate's box on the
 * right of the wire that feeds it, clear of the box and of the line y_line
 * below; labelled on its right, so the label touches neither wire */
static void gate_strip(const Dg *g, Box gate_box, float y_line, const float *v, VecKind vec, const char *label, bool unit)
{
    const Theme *th = &g->a->theme;
    float lw = fmaxf(2.0f, g->px / 8.0f); /* wire() and arrow()'s thickness */
    int top = gate_box.y + gate_box.h + 4, bottom = (int)(Y(g, y_line) - lw) - 4;
    int s = (int)(fminf(g->D.w * 0.09f, g->D.h * 0.17f) * 0.7f);
    if (s > bottom - top - 6) s = bottom - top - 6; /* 3 px of panel around it */
    if (s < 8) s = 8;
    /* right of the wire into the gate, past its arrow head (0.6 px wide) */
    Box b = {gate_box.x + gate_box.w / 2 + (int)(g->px * 0.35f + lw) + 5, top + 3 + (bottom - top - 6 - s) / 2, s, s};
    render_fill(g->r, (Box){b.x - 3, b.y - 3, b.w + 6, b.h + 6}, th->panel);
    Hot proto = g->proto;
    proto.vec = (short)vec;
    Box used = draw_strip(g->r, th, b, v, g->H, 1.0f, unit, 0.0f, &proto);
    render_outline(g->r, (Box){used.x - 2, used.y - 2, used.w + 4, used.h + 4}, th->panel_edge, 1);
    render_text(g->r, used.x + used.w + 6, used.y + used.h / 2 - g->spx / 2, label, g->spx, FONT_BOLD, th->text, ALIGN_LEFT);
}

static void lstm_diagram(const Dg *g, const CellWires *w)
{
    const Theme *th = &g->a->theme;
    const int H = w->H;
    Color cc = th->arrow_c, hc = th->arrow;
    const float yc = 0.12f, yg = 0.55f, yb = 0.80f;
    /* gates 0.13 apart, each box at most 0.12 wide: they never overlap */
    const float fx = 0.25f, ix = 0.38f, gx = 0.51f, ox = 0.64f, tx = 0.80f, gw = 0.12f;
    /* the c line along the top: c_prev -> x f -> + i*g -> c */
    wire(g, 0.06f, yc, 0.94f, yc, cc);
    /* h_prev and x along the bottom, into every gate */
    wire(g, 0.06f, yb, ox, yb, hc);
    wire(g, 0.16f, 0.88f, 0.16f, yb, hc);
    arrow(g, fx, yb, fx, yg + 0.07f, hc);
    arrow(g, ix, yb, ix, yg + 0.07f, hc);
    arrow(g, gx, yb, gx, yg + 0.07f, hc);
    arrow(g, ox, yb, ox, yg + 0.07f, hc);
    /* f -> x on the c line */
    arrow(g, fx, yg - 0.07f, fx, yc + 0.04f, hc);
    /* i and g -> x -> + */
    wire(g, ix, yg - 0.07f, ix, 0.36f, hc);
    arrow(g, ix, 0.36f, gx - 0.02f, 0.36f, hc);
    arrow(g, gx, yg - 0.07f, gx, 0.36f + 0.04f, hc);
    arrow(g, gx, 0.36f - 0.04f, gx, yc + 0.04f, hc);
    /* c -> tanh -> x o -> h */
    arrow(g, tx, yc, tx, 0.30f, cc);
    arrow(g, tx, 0.40f, tx, yg - 0.04f, hc);
    arrow(g, ox + 0.03f, yg, tx - 0.02f, yg, hc);
    wire(g, tx, yg + 0.04f, tx, yb, hc);
    arrow(g, tx, yb, 0.94f, yb, hc);
    op(g, fx, yc, "\xC3\x97");
    op(g, gx, yc, "+");
    op(g, gx, 0.36f, "\xC3\x97");
    op(g, tx, yg, "\xC3\x97");
    Box bf = gate(g, fx, yg, "\xCF\x83", "forget f", th->accent, gw);
    Box bi = gate(g, ix, yg, "\xCF\x83", "input i", th->accent, gw);
    Box bg = gate(g, gx, yg, g->act_name, "candidate g", th->arrow_c, gw);
    Box bo = gate(g, ox, yg, "\xCF\x83", "output o", th->accent, gw);
    gate(g, tx, 0.35f, g->act_name, "", th->arrow_c, gw);
    /* the strips on the wires */
    strip(g, 0.05f, yc + 0.13f, w->c_prev, VEC_CPREV, "c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->cr, false);
    strip(g, 0.05f, yb - 0.14f, w->h_prev, VEC_HPREV, "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->hr, false);
    strip(g, 0.16f, 0.93f, w->x, VEC_X, "x\xE2\x82\x9C", g->hr, false);
    strip(g, 0.37f, yc + 0.13f, w->fc, VEC_FC, "f\xC2\xB7" "c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->cr, false);
    strip(g, 0.58f, yc + 0.13f, w->ig, VEC_IG, "i\xC2\xB7g", g->cr, false);
    strip(g, 0.95f, yc + 0.13f, w->c, VEC_C, "c\xE2\x82\x9C", g->cr, false);
    char act_label[32];
    snprintf(act_label, sizeof act_label, "%s(c\xE2\x82\x9C)", g->act_name);
    /* tanh(c_t) beside the wire from tanh down to the product, below c_t's
     * strip and above h_t's, labelled on its right */
    strip_sized(g, 0.855f, 0.46f, w->act_c, VEC_ACTC, act_label, 1.0f, false, 0.8f);
    strip(g, 0.95f, yb - 0.14f, w->h, VEC_H, "h\xE2\x82\x9C", g->hr, false);
    /* each gate's values, just below it */
    gate_strip(g, bf, yb, w->gate + H * 1, VEC_GATE1, "f", true);
    gate_strip(g, bi, yb, w->gate, VEC_GATE0, "i", true);
    gate_strip(g, bg, yb, w->gate + H * 2, VEC_GATE2, "g", false);
    gate_strip(g, bo, yb, w->gate + H * 3, VEC_GATE3, "o", true);
}

static void gru_diagram(const Dg *g, const CellWires *w)
{
    const Theme *th = &g->a->theme;
    Color hc = th->arrow;
    const float yt = 0.12f, yg = 0.58f, yb = 0.82f;
    const float zx = 0.30f, rx = 0.44f, nx = 0.60f, ox = 0.78f;
    /* h_prev along the top: x z -> + (1-z)*n -> h */
    wire(g, 0.06f, yt, 0.93f, yt, hc);
    /* h_prev and x along the bottom, into the gates */
    wire(g, 0.09f, yt, 0.09f, yb, hc);
    wire(g, 0.09f, yb, nx, yb, hc);
    wire(g, 0.16f, 0.88f, 0.16f, yb, hc);
    arrow(g, zx, yb, zx, yg + 0.06f, hc);
    arrow(g, rx, yb, rx, yg + 0.06f, hc);
    arrow(g, nx, yb, nx, yg + 0.06f, hc);
    /* z keeps part of h_prev */
    arrow(g, zx, yg - 0.06f, zx, yt + 0.04f, hc);
    /* r scales what h_prev brings to the candidate */
    arrow(g, rx, yt, rx, 0.31f, hc);
    arrow(g, rx, yg - 0.06f, rx, 0.39f, hc);
    wire(g, rx + 0.02f, 0.35f, nx, 0.35f, hc);
    arrow(g, nx, 0.35f, nx, yg - 0.06f, hc);
    /* 1-z times the candidate, added to the line (high enough that r·(…)'s
     * label fits under it) */
    wire(g, zx, 0.19f, 0.70f, 0.19f, hc);
    arrow(g, 0.70f, 0.19f, 0.70f, 0.33f, hc);
    arrow(g, 0.72f, 0.37f, ox - 0.02f, 0.43f, hc);
    wire(g, nx + 0.03f, yg, ox, yg, hc);
    arrow(g, ox, yg, ox, 0.50f, hc);
    arrow(g, ox, 0.42f, ox, yt + 0.04f, hc);
    op(g, zx, yt, "\xC3\x97");
    op(g, ox, yt, "+");
    op(g, rx, 0.35f, "\xC3\x97");
    op(g, 0.70f, 0.37f, "1\xE2\x88\x92");
    op(g, ox, 0.46f, "\xC3\x97");
    Box bz = gate(g, zx, yg, "\xCF\x83", "update z", th->accent, 0.13f);
    Box br = gate(g, rx, yg, "\xCF\x83", "reset r", th->accent, 0.13f);
    Box bn = gate(g, nx, yg, g->act_name, "candidate n", th->arrow_c, 0.15f);
    strip(g, 0.05f, yt + 0.14f, w->h_prev, VEC_HPREV, "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->hr, false);
    strip(g, 0.16f, 0.94f, w->x, VEC_X, "x\xE2\x82\x9C", g->hr, false);
    /* r·(...) on the wire from the reset product to the candidate, below z's wire */
    strip_sized(g, 0.52f, 0.35f, w->rh, VEC_RH, "r\xC2\xB7(\xE2\x80\xA6)", g->hr, false, 0.7f);
    strip(g, 0.20f, 0.30f, w->zh, VEC_ZH, "z\xC2\xB7h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->hr, false);
    /* labelled below: above it, h_t's strip would cover the label */
    strip_at(g, 0.88f, 0.46f, w->zn, VEC_ZN, "(1\xE2\x88\x92z)\xC2\xB7n", g->hr, false, 1.0f, LABEL_BELOW, 0);
    strip(g, 0.95f, yt + 0.14f, w->h, VEC_H, "h\xE2\x82\x9C", g->hr, false);
    gate_strip(g, bz, yb, w->gate, VEC_GATE0, "z", true);
    gate_strip(g, br, yb, w->gate + w->H, VEC_GATE1, "r", true);
    gate_strip(g, bn, yb, w->gate + 2 * w->H, VEC_GATE2, "n", false);
}

static void simple_diagram(const Dg *g, const CellWires *w, const Cell *c)
{
    const Theme *th = &g->a->theme;
    Color hc = th->arrow;
    const float ym = 0.50f; /* the line h_{t-1} -> sum -> act -> h_t */
    char act[32];
    snprintf(act, sizeof act, "%s", c->activation == ACT_TANH ? "tanh" : act_name(c->activation));
    /* the boxes first: the arrows end on their edges */
    Box sum = gate(g, 0.40f, ym, "W\xC2\xB7x+U\xC2\xB7h+b", "", th->accent, 0.26f);
    Box fn = gate(g, 0.68f, ym, act, "", th->arrow_c, 0.14f);
    float y = (float)(sum.y + sum.h / 2), sh = strip_half(g, 1.0f);
    /* h_{t-1} from the left into the sum */
    arrow_px(g, X(g, 0.08f) + sh, y, (float)sum.x, y, hc);
    /* x_t from below into the sum */
    arrow_px(g, X(g, 0.40f), Y(g, 0.86f) - sh, X(g, 0.40f), (float)(sum.y + sum.h), hc);
    /* the sum into the activation, the activation out to h_t */
    arrow_px(g, (float)(sum.x + sum.w), y, (float)fn.x, y, hc);
    arrow_px(g, (float)(fn.x + fn.w), y, X(g, 0.91f) - sh, y, hc);
    /* the pre-activation's values on a tap above the wire between the boxes */
    float mx = (float)(sum.x + sum.w + fn.x) / 2.0f;
    wire_px(g, mx, y, mx, Y(g, 0.22f) + strip_half(g, 0.8f), hc);
    strip(g, 0.08f, ym, w->h_prev, VEC_HPREV, "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81", g->hr, false);
    strip(g, 0.40f, 0.86f, w->x, VEC_X, "x\xE2\x82\x9C", g->hr, false);
    float range = 1.0f;
    for (int j = 0; j < w->H; j++) range = fmaxf(range, fabsf(w->pre[j]));
    strip_sized(g, (mx - (float)g->D.x) / (float)g->D.w, 0.22f, w->pre, VEC_PRE0, "W\xC2\xB7x + U\xC2\xB7h + b", range, false, 0.8f);
    strip(g, 0.91f, ym, w->h, VEC_H, "h\xE2\x82\x9C", g->hr, false);
}

void view_inspector_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Layer *l = &dm->model.layers[a->layer];
    if (l->kind != LAYER_RNN) { /* conv helper: no cell here */
        view_conv_inspector_draw(a, r, area);
        return;
    }
    const Cell *c = &l->cell[a->dir];
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    int t = a->step;
    /* a backward run's step t reads position T-1-t */
    int pos = c->go_backwards ? d->T - 1 - t : t;
    /* conv helper: after a conv that shortens the input, the steps read its positions */
    char reading[200], wb[64];
    int T_run = dm->trace.layers[a->layer].T_in;
    if (T_run != d->T) t = conv_rnn_step(dm, a->layer, a->dir, d->T, a->step, reading, sizeof reading);
    else snprintf(reading, sizeof reading, "\xE2\x80\x9C%s\xE2\x80\x9D", doc_word(d, pos, wb, sizeof wb));
    /* the wires live in a copy in the render scratch; app_describe below
     * reuses that scratch, so the inspector copies what it draws first */
    size_t nf = cell_wires_floats(&dm->trace, a->layer, a->dir);
    float *block = render_scratch(r, 2 * nf) + nf;
    CellWires w;
    cell_wires_fill(&w, block, &dm->trace, a->layer, a->dir, t, 0);
    char head[400];
    snprintf(head, sizeof head, "%s \xC2\xB7 layer %s%s (%s, %d units) \xC2\xB7 step %d of %d, reading %s%s",
             dm->label, l->name, l->bidirectional ? (a->dir ? " backward" : " forward") : "", cell_class_name(c->kind), w.H, t + 1,
             T_run, reading, w.mask ? "" : "  (masked: the state is carried)");
    char fit[400];
    int room = area.w - 2 * pad - px * 17, hw = 0;
    render_text_size(r, head, px, FONT_BOLD, &hw, NULL);
    if (hw <= room) {
        render_text(r, area.x + pad, area.y + pad / 2, head, px, FONT_BOLD, th->text, ALIGN_LEFT);
    } else {
        /* too wide beside the legend (presenter mode): the layer on one
         * line, the step on the next */
        char l1[160], l2[400];
        snprintf(l1, sizeof l1, "%s \xC2\xB7 layer %s%s (%s, %d units)", dm->label, l->name,
                 l->bidirectional ? (a->dir ? " backward" : " forward") : "", cell_class_name(c->kind), w.H);
        snprintf(l2, sizeof l2, "step %d of %d, reading %s%s", t + 1, T_run, reading, w.mask ? "" : "  (masked: the state is carried)");
        render_text(r, area.x + pad, area.y + pad / 2, render_fit_text(r, l1, px, FONT_BOLD, room, fit, sizeof fit), px, FONT_BOLD,
                    th->text, ALIGN_LEFT);
        render_text(r, area.x + pad, area.y + pad / 2 + render_line_height(r, px, FONT_BOLD),
                    render_fit_text(r, l2, px, FONT_REGULAR, room, fit, sizeof fit), px, FONT_REGULAR, th->text, ALIGN_LEFT);
    }
    int legend_h = spx * 2 + 8;
    draw_legend(a, r, (Box){area.x + area.w - px * 16 - pad, area.y + pad / 2, px * 16, legend_h}, dm->c_range);
    /* the diagram above, the equations below */
    /* tall enough for the cell's equations at 14 px or more (the small type
     * if larger), so presenter mode at 1280x720 keeps them readable */
    int n_eq = c->kind == CELL_LSTM ? 6 : c->kind == CELL_GRU ? 4 : 1;
    int eq_px = spx > 14 ? spx : 14;
    int eq_need = render_line_height(r, spx, FONT_BOLD) + pad / 2 + n_eq * render_line_height(r, eq_px, FONT_MONO) + pad + pad / 2;
    int eq_h = (int)(area.h * 0.26f);
    if (eq_h < eq_need) eq_h = eq_need;
    Box D = {area.x + pad * 2, area.y + legend_h + pad * 2 + spx, area.w - pad * 4, area.h - legend_h - eq_h - pad * 4 - spx};
    Dg g = {.a = a, .r = r, .D = D, .px = px, .spx = spx, .H = w.H, .hr = 1.0f, .cr = dm->c_range,
            .act_name = act_name(c->activation)};
    g.proto.model = (short)a->model;
    g.proto.layer = (short)a->layer;
    g.proto.dir = (short)a->dir;
    g.proto.t = (short)t;
    if (c->activation != ACT_TANH && c->activation != ACT_SIGMOID)
        for (int j = 0; j < w.H; j++) g.hr = fmaxf(g.hr, fmaxf(fabsf(w.h[j]), fabsf(w.h_prev[j])));
    if (c->kind == CELL_LSTM) lstm_diagram(&g, &w);
    else if (c->kind == CELL_GRU) gru_diagram(&g, &w);
    else simple_diagram(&g, &w, c);

    /* equations of the selected unit */
    Box E = {area.x + pad, area.y + area.h - eq_h, area.w - 2 * pad, eq_h - pad / 2};
    render_fill(r, E, th->panel);
    render_outline(r, E, th->panel_edge, 1);
    bool sel = a->has_selected && a->selected.model == a->model && a->selected.layer == a->layer &&
               a->selected.dir == a->dir && a->selected.kind == HOT_UNIT;
    if (!sel) {
        char hint[160];
        render_text(r, E.x + pad, E.y + pad,
                    render_fit_text(r, "Click any square to see how its value was computed, with the numbers filled in.", px,
                                    FONT_REGULAR, E.w - 2 * pad, hint, sizeof hint),
                    px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        render_text(r, E.x + pad, E.y + pad + render_line_height(r, px, FONT_REGULAR) + pad / 2, "\xE2\x86\x90/\xE2\x86\x92 moves through the steps; Esc goes back to the unrolled view.",
                    spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    } else {
        int j = a->selected.unit;
        char line[512], title[512];
        static const VecKind LSTM_ORDER[] = {VEC_GATE1, VEC_GATE0, VEC_GATE2, VEC_C, VEC_GATE3, VEC_H};
        static const VecKind GRU_ORDER[] = {VEC_GATE0, VEC_GATE1, VEC_GATE2, VEC_H};
        static const VecKind SIMPLE_ORDER[] = {VEC_H};
        const VecKind *order = c->kind == CELL_LSTM ? LSTM_ORDER : c->kind == CELL_GRU ? GRU_ORDER : SIMPLE_ORDER;
        int n = c->kind == CELL_LSTM ? 6 : c->kind == CELL_GRU ? 4 : 1;
        snprintf(line, sizeof line, "unit %d at step %d", j, t + 1);
        render_text(r, E.x + pad, E.y + pad / 2, line, spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
        int top = render_line_height(r, spx, FONT_BOLD) + pad / 2;
        int lh = (E.h - top - pad) / (n > 1 ? n : 2);
        int epx = px;
        while (epx > 9 && render_line_height(r, epx, FONT_MONO) > lh) epx--;
        if (epx < 9) epx = 9;
        for (int k = 0; k < n; k++) {
            Hot h = a->selected;
            h.vec = (short)order[k];
            h.unit = j;
            if (!app_describe(a, &h, title, sizeof title, line, sizeof line)) continue;
            bool here = a->selected.vec == h.vec;
            char f2[512];
            render_text(r, E.x + pad, E.y + pad / 2 + top + k * lh,
                        render_fit_text(r, line, epx, FONT_MONO, E.w - 2 * pad, f2, sizeof f2), epx, FONT_MONO,
                        here ? th->accent : th->text, ALIGN_LEFT);
        }
    }
}
