/* view_unrolled: the home view. Input tokens along the bottom; above them
 * the input vectors x, then one lane per recurrent layer (two for a
 * Bidirectional one), one cell per timestep holding h (and c for LSTM) as
 * strips of squares, with the h_{t-1} -> h_t and c_{t-1} -> c_t arrows.
 * Steps taken are drawn, the current one highlighted, later ones faint;
 * masked steps are hatched. A compact list of what the model predicts after
 * the current step sits on the right. Reads the App; changes nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_internal.h"
#include "summary.h"

typedef struct {
    int layer, dir;   /* dir -1: the x lane */
    Box box;
} Lane;

#define MAX_LANES 16

/* processing step of position p in a run, and whether it has happened */
static int proc_step(const Layer *l, int dir, int p, int T)
{
    return l->cell[dir].go_backwards ? T - 1 - p : p;
}

void draw_predictions_column(const App *a, Render *r, Box col)
{
    const Theme *th = &a->theme;
    const DocModel *dm = &a->doc->models[a->model];
    if (!dm->preds) return;
    int px = app_px(a, TEXT_SMALL), bpx = app_px(a, TEXT_BODY), pad = px;
    char wb[64], head[160];
    snprintf(head, sizeof head, "after \xE2\x80\x9C%s\xE2\x80\x9D", doc_word(a->doc, a->step, wb, sizeof wb));
    /* (helper quiz) a Bidirectional layer's lanes drawn are one run over the
     * whole sentence: its output is the last step's, not a prefix's */
    int t = a->step;
    for (int i = 0; i < dm->model.n_layers; i++)
        if (dm->model.layers[i].bidirectional) t = a->doc->T - 1;
    if (t != a->step) snprintf(head, sizeof head, "the whole sentence");
    bool classify = !doc_predicts_words(a->doc, a->model);
    render_text(r, col.x + pad, col.y + pad, classify ? "prediction" : "next word", px, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    char fitb[160];
    render_text(r, col.x + pad, col.y + pad + render_line_height(r, px, FONT_BOLD), render_fit_text(r, head, px, FONT_REGULAR, col.w - 2 * pad, fitb, sizeof fitb),
                px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    const float *p = dm->preds + (size_t)t * dm->n_classes;
    int C = dm->binary ? 2 : dm->n_classes, top[5], n = 0;
    for (int k = 0; k < 5 && k < C; k++) {
        int best = -1;
        for (int j = doc_first_class(a->doc, a->model); j < C; j++) {
            bool used = false;
            for (int q = 0; q < n; q++) used |= top[q] == j;
            float pj = dm->binary ? (j ? p[0] : 1 - p[0]) : p[j];
            float pb = best < 0 ? -1 : (dm->binary ? (best ? p[0] : 1 - p[0]) : p[best]);
            if (!used && pj > pb) best = j;
        }
        if (best >= 0) top[n++] = best;
    }
    int y = col.y + pad * 2 + 2 * render_line_height(r, px, FONT_BOLD), bh = bpx + px / 2;
    for (int k = 0; k < n; k++) {
        float pk = dm->binary ? (top[k] ? p[0] : 1 - p[0]) : p[top[k]];
        Box bar = {col.x + pad, y + render_line_height(r, bpx, FONT_BOLD), (int)((col.w - 2 * pad) * pk), px / 2 + 2};
        render_fill(r, (Box){col.x + pad, bar.y, col.w - 2 * pad, bar.h}, th->faint);
        render_fill(r, bar, k == 0 ? th->bar_top : th->bar);
        char name[64], pct[32];
        const char *w = doc_class_name(a->doc, a->model, top[k], name, sizeof name);
        snprintf(pct, sizeof pct, "%.0f%%", (double)(pk * 100));
        char fitw[64];
        render_text(r, col.x + pad, y, render_fit_text(r, w, bpx, k == 0 ? FONT_BOLD : FONT_REGULAR, col.w - 2 * pad - bpx * 3, fitw, sizeof fitw),
                    bpx, k == 0 ? FONT_BOLD : FONT_REGULAR, th->text, ALIGN_LEFT);
        render_text(r, col.x + col.w - pad, y, pct, bpx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
        Hot *h = render_hot(r, (Box){col.x, y, col.w, bh + px}, HOT_BAR);
        if (h) {
            h->model = (short)a->model;
            h->t = (short)a->step;
            h->unit = top[k];
        }
        y += bh + px;
    }
}

/* input attribution (helper attr): the legend in the label column beside
 * the tokens (the tokens' shading is draw_tokens', views.c) */
/* box.y is the bottom of the predictions column: the legend ends there */
static void draw_attribution_legend(const App *a, Render *r, Box box)
{
    if (!app_attrib_shown(a) || box.w < 8) return;
    box.h = app_attrib_legend_height(a, r);
    box.y -= box.h;
    app_attrib_legend(a, r, box);
}

/* chart helper: a cell's h (and c above it for LSTM) in the layer's one
 * grid (strip_cols): the same unit sits in the same place in c and h, at
 * every step and for every sentence length; squares the same size in both */
static void draw_state(Render *r, const Theme *th, Box inner, int gap, const RunRecord *run, int s, float h_range,
                       float c_range, float fade, const Hot *proto)
{
    const int H = run->H, cols = strip_cols(H);
    Hot pr = proto ? *proto : (Hot){0};
    if (!run->c) {
        pr.vec = VEC_H;
        draw_strip_grid(r, th, inner, run->h + (size_t)(s + 1) * H, H, h_range, false, fade, proto ? &pr : NULL, cols, 0);
        return;
    }
    Box cb = {inner.x, inner.y, inner.w, inner.h * 2 / 5};
    Box hb = {inner.x, inner.y + inner.h * 2 / 5 + gap, inner.w, inner.h - inner.h * 2 / 5 - gap};
    int cell = strip_cell(cb, H, cols), ch = strip_cell(hb, H, cols);
    if (ch < cell) cell = ch;
    pr.vec = VEC_C;
    draw_strip_grid(r, th, cb, run->c + (size_t)(s + 1) * H, H, c_range, false, fade, proto ? &pr : NULL, cols, cell);
    pr.vec = VEC_H;
    draw_strip_grid(r, th, hb, run->h + (size_t)(s + 1) * H, H, h_range, false, fade, proto ? &pr : NULL, cols, cell);
}

/* a lane's labels: name, cell and units, parameter count (l3 may be empty) */
static void lane_labels(const Model *m, const DocModel *dm, const Lane *ln, int first, char *l1, char *l2, char *l3, size_t cap)
{
    l3[0] = '\0';
    if (ln->dir < 0) {
        snprintf(l1, cap, "x");
        snprintf(l2, cap, "%s", first > 0 ? m->layers[first - 1].name : "input");
        return;
    }
    const Layer *l = &m->layers[ln->layer];
    if (l->bidirectional) snprintf(l1, cap, "%s", ln->dir ? "backward \xE2\x86\x90" : "forward \xE2\x86\x92");
    else snprintf(l1, cap, "%s", l->name);
    snprintf(l2, cap, "%s \xC2\xB7 %d", cell_class_name(l->cell[ln->dir].kind), dm->trace.layers[ln->layer].run[ln->dir].H);
    /* the layer's parameter count, as summary() gives it (once per layer) */
    if (ln->dir == 0) {
        char n[32];
        summary_thousands(layer_param_count(l), n, sizeof n);
        snprintf(l3, cap, "%s params", n);
    }
}

void view_unrolled_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    const int T = d->T;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    if (conv_shown_as_windows(m)) { /* conv helper: windows, not cells */
        view_conv_unrolled_draw(a, r, area);
        return;
    }

    /* lanes from the bottom: tokens, x, then every recurrent run */
    Lane lanes[MAX_LANES];
    int n_lanes = 0;
    int first = doc_first_rnn(dm);
    lanes[n_lanes++] = (Lane){first - 1, -1, {0}};
    for (int i = 0; i < m->n_layers && n_lanes < MAX_LANES; i++)
        for (int dd = 0; m->layers[i].kind == LAYER_RNN && dd < m->layers[i].n_dir && n_lanes < MAX_LANES; dd++)
            lanes[n_lanes++] = (Lane){i, dd, {0}};

    /* columns: labels | steps | predictions. The label column is as wide
     * as its longest label ("backward ←", "SimpleRNN · 32"), within
     * 5 to 10 body widths: the steps keep the rest (presenter mode's wide
     * lesson panel leaves little) */
    int label_w = px * 5;
    for (int k = 0; k < n_lanes; k++) {
        char l1[96], l2[96], l3[96];
        int w1 = 0, w2 = 0, w3 = 0;
        lane_labels(m, dm, &lanes[k], first, l1, l2, l3, sizeof l1);
        render_text_size(r, l1, px, FONT_BOLD, &w1, NULL);
        render_text_size(r, l2, spx, FONT_REGULAR, &w2, NULL);
        if (l3[0]) render_text_size(r, l3, spx, FONT_REGULAR, &w3, NULL);
        int need = (w1 > w2 ? w1 : w2) + 2 * pad + spx; /* and the c/h marks */
        if (w3 + 2 * pad + spx > need) need = w3 + 2 * pad + spx;
        if (need > label_w) label_w = need;
    }
    if (label_w > px * 10) label_w = px * 10;
    int pred_w = dm->preds ? px * 11 : 0;
    int legend_h = spx * 2 + 8;
    Box steps = {area.x + label_w, area.y + legend_h + pad, area.w - label_w - pred_w - pad, area.h - legend_h - 2 * pad};
    if (pred_w) draw_predictions_column(a, r, (Box){area.x + area.w - pred_w, area.y + legend_h + pad, pred_w, steps.h});
    draw_legend(a, r, (Box){area.x + area.w - px * 16 - pad, area.y + pad / 2, px * 16, legend_h}, dm->c_range);
    char head[160];

    /* step width: fitted, zoomed, never unreadably small, and wide enough
     * for every word whole on two staggered rows; when the steps do not all
     * fit, whole steps scroll with the current one in view */
    StepRow row = step_row_fit(a, steps.w, T, fmaxf(px * 1.8f, token_min_step(a, r, 2)), a->zoom);
    float sw = row.sw, scroll = row.scroll;
    TokenLayout tl = token_layout(a, r, sw, 2);
    /* the head says which steps show when they do not all fit */
    if (row.n < T)
        snprintf(head, sizeof head, "%s \xC2\xB7 %d steps \xC2\xB7 %d\xE2\x80\x93%d shown", dm->label, T, row.first + 1, row.first + row.n);
    else
        snprintf(head, sizeof head, "%s \xC2\xB7 %d steps", dm->label, T);
    render_text(r, area.x + pad, area.y + pad / 2, head, px, FONT_BOLD, th->text, ALIGN_LEFT);
    int token_h = token_rows_height(a, r, &tl, m->token_input);
    int x_h = (int)fminf(steps.h * 0.16f, px * 3.0f);
    int lane_h = (steps.h - token_h - x_h) / (n_lanes - 1);
    int y = steps.y + steps.h - token_h;
    lanes[0].box = (Box){steps.x, y - x_h, steps.w, x_h};
    y -= x_h;
    for (int k = 1; k < n_lanes; k++) {
        y -= lane_h;
        lanes[k].box = (Box){steps.x, y, steps.w, lane_h};
    }

    render_clip_push(r, (Box){steps.x, area.y, steps.w, area.h});

    /* tokens */
    int ty = steps.y + steps.h - token_h + 4;
    draw_tokens(a, r, steps, steps.x + sw / 2 - scroll, sw, ty, &tl, true, true);

    /* lanes */
    for (int k = 0; k < n_lanes; k++) {
        Lane *ln = &lanes[k];
        Box lb = ln->box;
        bool is_x = ln->dir < 0;
        const Layer *l = is_x ? NULL : &m->layers[ln->layer];
        const RunRecord *run = is_x ? NULL : &dm->trace.layers[ln->layer].run[ln->dir];
        int H = is_x ? (first > 0 ? m->layers[first - 1].out_dim : m->input_dim) : run->H;
        const float *xin = first > 0 ? dm->trace.layers[first - 1].out : dm->trace.input;
        bool lstm = !is_x && run->c;
        /* range of h for unbounded activations */
        float hr = 1.0f;
        if (!is_x && l->cell[ln->dir].activation != ACT_TANH && l->cell[ln->dir].activation != ACT_SIGMOID)
            for (size_t q = 0; q < (size_t)(T + 1) * H; q++) hr = fmaxf(hr, fabsf(run->h[q]));
        if (is_x)
            for (size_t q = 0; q < (size_t)T * H; q++) hr = fmaxf(hr, fabsf(xin[q]));
        for (int p = 0; p < T; p++) {
            int x0 = steps.x + (int)(p * sw - scroll);
            if (x0 + sw < steps.x || x0 > steps.x + steps.w) continue;
            int s = is_x ? p : proc_step(l, ln->dir, p, T);
            bool done = s <= a->step, now = s == a->step;
            bool masked = !is_x && run->mask && !run->mask[s];
            int mg = (int)fmaxf(2.0f, fminf(sw * 0.1f, lb.h * 0.08f));
            Box cell = {x0 + mg, lb.y + mg, (int)sw - 2 * mg, lb.h - 2 * mg};
            float fade = !done ? 0.88f : (now ? (1.0f - a->anim) * 0.85f : 0.0f);
            if (done) render_fill(r, cell, th->panel);
            Hot proto = {0};
            proto.model = (short)a->model;
            proto.layer = (short)(is_x ? first - 1 : ln->layer);
            proto.dir = (short)(is_x ? 0 : ln->dir);
            proto.t = (short)(is_x ? p : s);
            if (!is_x) {
                Hot *ch = render_hot(r, cell, HOT_CELL);
                if (ch) {
                    Hot keep = proto;
                    keep.box = ch->box;
                    keep.kind = HOT_CELL;
                    *ch = keep;
                }
            }
            int in = (int)fmaxf(1.0f, cell.w * 0.06f);
            Box inner = {cell.x + in, cell.y + in, cell.w - 2 * in, cell.h - 2 * in};
            if (is_x) {
                proto.vec = VEC_X;
                if (!(m->token_input && d->prompt.tokens[p] == 0 && m->layers[0].mask_zero))
                    draw_strip_grid(r, th, inner, xin + (size_t)p * H, H, hr, false, fade, done ? &proto : NULL, strip_cols(H), 0);
            } else {
                draw_state(r, th, inner, in, run, s, hr, dm->c_range, fade, done ? &proto : NULL);
            }
            if (masked && done) {
                /* hatched: padding steps carry the state */
                for (int q = -cell.h; q < cell.w; q += 6)
                    render_line(r, (float)(cell.x + fmaxf(q, 0)), (float)(cell.y + fmaxf(-q, 0)),
                                (float)(cell.x + fminf(q + cell.h, cell.w)), (float)(cell.y + fminf(cell.h, cell.w - q)),
                                color_mix(th->mask, th->panel, 0.2f), 1.0f);
            }
            render_outline(r, cell, now ? th->highlight : (done ? th->panel_edge : th->faint), now ? 3 : 1);
            /* the arrow from the previous step */
            if (!is_x && s > 0) {
                int prev_p = l->cell[ln->dir].go_backwards ? p + 1 : p - 1;
                int px0 = steps.x + (int)(prev_p * sw - scroll);
                float y_h = lstm ? (float)(cell.y + cell.h * 0.7f) : (float)(cell.y + cell.h / 2);
                float xa = l->cell[ln->dir].go_backwards ? (float)(px0 + mg) : (float)(px0 + (int)sw - mg);
                float xb = l->cell[ln->dir].go_backwards ? (float)(cell.x + cell.w) : (float)cell.x;
                Color ac = done ? th->arrow : th->faint;
                render_arrow(r, xa, y_h, xb, y_h, ac, 2.0f, fminf((float)mg * 1.6f, px * 0.6f));
                if (lstm) {
                    float y_c = (float)(cell.y + cell.h * 0.2f);
                    render_arrow(r, xa, y_c, xb, y_c, done ? th->arrow_c : th->faint, 2.0f, fminf((float)mg * 1.6f, px * 0.6f));
                }
                if (now && a->anim < 1.0f) {
                    float fx = xa + (xb - xa) * a->anim;
                    render_circle(r, fx, y_h, fminf((float)mg * 1.1f, px * 0.4f), th->accent, true);
                }
            }
        }
        /* lane labels */
        char l1[96], l2[96], l3[96];
        lane_labels(m, dm, ln, first, l1, l2, l3, sizeof l1);
        render_clip_pop(r);
        char fb[96];
        int ly = lb.y + lb.h / 2 - px;
        render_text(r, area.x + pad, ly, render_fit_text(r, l1, px, FONT_BOLD, label_w - pad * 2, fb, sizeof fb), px, FONT_BOLD,
                    th->text, ALIGN_LEFT);
        int l2y = ly + render_line_height(r, px, FONT_BOLD);
        render_text(r, area.x + pad, l2y, render_fit_text(r, l2, spx, FONT_REGULAR, label_w - pad * 2, fb, sizeof fb), spx,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        if (l3[0] && lb.h > 4 * px)
            render_text(r, area.x + pad, l2y + render_line_height(r, spx, FONT_REGULAR),
                        render_fit_text(r, l3, spx, FONT_REGULAR, label_w - pad * 2, fb, sizeof fb), spx, FONT_REGULAR, th->text_dim,
                        ALIGN_LEFT);
        if (lstm && lb.h > px * 5) {
            render_text(r, area.x + label_w - pad / 2, lb.y + (int)(lb.h * 0.2f) - spx / 2, "c", spx, FONT_BOLD, th->arrow_c, ALIGN_RIGHT);
            render_text(r, area.x + label_w - pad / 2, lb.y + (int)(lb.h * 0.7f) - spx / 2, "h", spx, FONT_BOLD, th->arrow, ALIGN_RIGHT);
        }
        render_clip_push(r, (Box){steps.x, area.y, steps.w, area.h});
    }
    render_clip_pop(r);
    draw_attribution_legend(a, r, (Box){area.x + area.w - pred_w + spx, steps.y + steps.h, pred_w - 2 * spx, 0});
    render_clip_push(r, (Box){steps.x, area.y, steps.w, area.h});
    /* the flow upward at the current step */
    if (a->anim < 1.0f) {
        int x0 = steps.x + (int)(a->step * sw - scroll);
        float fx = x0 + sw / 2, y0 = (float)ty, y1 = (float)lanes[n_lanes - 1].box.y;
        render_circle(r, fx, y0 + (y1 - y0) * a->anim, px * 0.3f, th->accent, true);
    }
    render_clip_pop(r);
}
