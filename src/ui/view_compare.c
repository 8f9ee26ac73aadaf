/* view_compare: the lesson's models (SimpleRNN, GRU, LSTM) on the same
 * input, stepping together: one lane per model showing its last recurrent
 * layer's h (and c) at every step, and beside each lane what that model
 * predicts after the current step. Reads the App; changes nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

static int last_rnn(const DocModel *dm)
{
    int li = -1;
    for (int i = 0; i < dm->model.n_layers; i++)
        if (dm->model.layers[i].kind == LAYER_RNN) li = i;
    return li;
}

void view_compare_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    const int T = d->T;
    /* the label column as wide as the longest label, 5 to 9 body widths */
    int label_w = px * 5, pred_w = px * 12;
    for (int m = 0; m < d->n_models; m++) {
        int li = conv_shown_as_windows(&d->models[m].model) ? -1 : last_rnn(&d->models[m]), w1 = 0, w2 = 0;
        render_text_size(r, d->models[m].label, px, FONT_BOLD, &w1, NULL);
        if (li >= 0) render_text_size(r, d->models[m].model.layers[li].name, spx, FONT_REGULAR, &w2, NULL);
        int need = (w1 > w2 ? w1 : w2) + 2 * pad;
        if (need > label_w) label_w = need;
    }
    if (label_w > px * 9) label_w = px * 9;
    int legend_h = spx * 2 + 8;
    render_text(r, area.x + pad, area.y + pad / 2, "The same sentence through each cell type", px, FONT_BOLD, th->text, ALIGN_LEFT);
    /* c's scale in the legend when a lane has c (the lesson's one scale) */
    float c_legend = 1.0f;
    for (int m = 0; m < d->n_models; m++) {
        int li = last_rnn(&d->models[m]);
        if (li >= 0 && d->models[m].traced && d->models[m].trace.layers[li].run[0].c && d->models[m].c_range > c_legend)
            c_legend = d->models[m].c_range;
    }
    draw_legend(a, r, (Box){area.x + area.w - px * 16 - pad, area.y + pad / 2, px * 16, legend_h}, c_legend);
    /* cut helper: the steps as wide as their words need (two staggered
     * rows, then the small type), whole steps scrolled with the current one
     * in view when they do not all fit, as in the unrolled view */
    int steps_w = area.w - label_w - pred_w - pad;
    StepRow row = step_row_fit(a, steps_w, T, fmaxf(px * 1.2f, token_min_step(a, r, 2)), 1.0f);
    float sw = row.sw;
    TokenLayout tl = token_layout(a, r, sw, 2);
    int token_h = token_rows_height(a, r, &tl, false);
    Box steps = {area.x + label_w, area.y + legend_h + pad, steps_w, area.h - legend_h - token_h - 2 * pad};
    int n = d->n_models;
    int lane_h = steps.h / (n ? n : 1);
    bool hide = app_answer_hidden(a);
    render_clip_push(r, (Box){steps.x, area.y, steps.w, area.h});
    draw_tokens(a, r, steps, steps.x + sw / 2 - row.scroll, sw, steps.y + steps.h + 4, &tl, false, false);
    render_clip_pop(r);
    for (int m = 0; m < n; m++) {
        const DocModel *dm = &d->models[m];
        Box lane = {steps.x, steps.y + m * lane_h, steps.w, lane_h};
        int li = last_rnn(dm);
        /* conv helper: a convolution's lane draws windows, not cells */
        bool windows = conv_shown_as_windows(&dm->model);
        if (windows) {
            li = dm->model.n_layers - 1;
            while (li > 0 && !(dm->model.layers[li].kind == LAYER_CONV1D)) li--;
            render_clip_push(r, lane);
            view_conv_compare_lane(a, r, m, lane, steps.x + sw / 2 - row.scroll, sw);
            render_clip_pop(r);
        }
        const Layer *l = &dm->model.layers[li];
        const RunRecord *run = &dm->trace.layers[li].run[0];
        bool lstm = !windows && run->c != NULL;
        for (int p = row.first; p < row.first + row.n && !windows; p++) {
            int s = l->cell[0].go_backwards ? T - 1 - p : p;
            bool done = s <= a->step, now = s == a->step;
            int mg = (int)fmaxf(1.0f, sw * 0.08f);
            Box cell = {lane.x + (int)((p - row.first) * sw) + mg, lane.y + mg, (int)sw - 2 * mg, lane.h - 2 * mg};
            float fade = !done ? 0.88f : (now ? (1.0f - a->anim) * 0.85f : 0.0f);
            /* no background fill: narrow tall fills are slow in the software
             * renderer, and the squares cover the cell */
            Hot proto = {0};
            proto.model = (short)m;
            proto.layer = (short)li;
            proto.t = (short)s;
            if (lstm) {
                Box cb = {cell.x + 1, cell.y + 1, cell.w - 2, cell.h * 2 / 5 - 1};
                Box hb = {cell.x + 1, cell.y + cell.h * 2 / 5 + 1, cell.w - 2, cell.h - cell.h * 2 / 5 - 2};
                /* chart helper: one grid for c and h (strip_cols), squares the same size */
                int cols = strip_cols(run->H), sq = strip_cell(cb, run->H, cols), sh = strip_cell(hb, run->H, cols);
                if (sh < sq) sq = sh;
                proto.vec = VEC_C;
                draw_strip_grid(r, th, cb, run->c + (size_t)(s + 1) * run->H, run->H, dm->c_range, false, fade, done ? &proto : NULL, cols, sq);
                proto.vec = VEC_H;
                draw_strip_grid(r, th, hb, run->h + (size_t)(s + 1) * run->H, run->H, 1.0f, false, fade, done ? &proto : NULL, cols, sq);
                if (p == row.first) { /* which strip is which */
                    render_text(r, lane.x - spx / 2, cb.y + cb.h / 2 - spx / 2, "c", spx, FONT_BOLD, th->text_dim, ALIGN_RIGHT);
                    render_text(r, lane.x - spx / 2, hb.y + hb.h / 2 - spx / 2, "h", spx, FONT_BOLD, th->text_dim, ALIGN_RIGHT);
                }
            } else {
                proto.vec = VEC_H;
                draw_strip_grid(r, th, (Box){cell.x + 1, cell.y + 1, cell.w - 2, cell.h - 2}, run->h + (size_t)(s + 1) * run->H, run->H,
                                1.0f, false, fade, done ? &proto : NULL, strip_cols(run->H), 0);
            }
            if (now) render_outline(r, cell, th->highlight, 3);
        }
        /* label */
        render_text(r, area.x + pad, lane.y + lane.h / 2 - px, dm->label, px, FONT_BOLD, m == a->model ? th->accent : th->text, ALIGN_LEFT);
        /* the layer's name and its units on lines of their own: the column is narrow */
        char units[32], fb[64];
        if (windows) snprintf(units, sizeof units, "%d filters", l->out_dim);
        else snprintf(units, sizeof units, "%d units", run->H);
        int sy = lane.y + lane.h / 2 - px + render_line_height(r, px, FONT_BOLD);
        render_text(r, area.x + pad, sy, render_fit_text(r, l->name, spx, FONT_REGULAR, label_w - 2 * pad, fb, sizeof fb), spx,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        render_text(r, area.x + pad, sy + render_line_height(r, spx, FONT_REGULAR), units, spx, FONT_REGULAR, th->text_dim,
                    ALIGN_LEFT);
        /* its prediction after this step */
        Box pb = {area.x + area.w - pred_w, lane.y + pad / 2, pred_w - pad, lane.h - pad};
        if (!dm->preds) continue;
        const float *pp = dm->preds + (size_t)a->step * dm->n_classes;
        int C = dm->binary ? 2 : dm->n_classes;
        int y = pb.y;
        int row_h = render_line_height(r, px, FONT_BOLD) + spx;
        int rows = pb.h / row_h < 3 ? pb.h / row_h : 3;
        int used[3] = {-1, -1, -1};
        for (int k = 0; k < rows; k++) {
            int best = -1;
            for (int j = doc_first_class(d, m); j < C; j++) {
                if (j == used[0] || j == used[1]) continue;
                float pj = dm->binary ? (j ? pp[0] : 1 - pp[0]) : pp[j];
                float pbst = best < 0 ? -1 : (dm->binary ? (best ? pp[0] : 1 - pp[0]) : pp[best]);
                if (pj > pbst) best = j;
            }
            if (best < 0) break;
            used[k] = best;
            float pk = dm->binary ? (best ? pp[0] : 1 - pp[0]) : pp[best];
            char name[64], text[96];
            const char *w = doc_class_name(d, m, best, name, sizeof name);
            if (hide) snprintf(text, sizeof text, "?");
            else snprintf(text, sizeof text, "%s  %.0f%%", w, (double)(pk * 100));
            render_fill(r, (Box){pb.x, y + render_line_height(r, px, FONT_BOLD), hide ? 0 : (int)(pb.w * pk), spx / 2 + 1}, k == 0 ? th->bar_top : th->bar);
            char f2[96];
            render_text(r, pb.x, y, render_fit_text(r, text, px, k == 0 ? FONT_BOLD : FONT_REGULAR, pb.w, f2, sizeof f2), px,
                        k == 0 ? FONT_BOLD : FONT_REGULAR, th->text, ALIGN_LEFT);
            y += render_line_height(r, px, FONT_BOLD) + spx;
        }
    }
}
