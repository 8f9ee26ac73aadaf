/* view_chart: the unit chart. A few units of the current recurrent layer
 * (direction 0 unless the App inspects another), each in its own panel:
 * h and every gate on the left axis (-1..1), c on its own right axis (the
 * document's c scale), across the sentence's steps, with the current step
 * marked, the words under the last panel and a legend of the lines. The
 * units are the lesson step's `units:`, the ones the user added (u, U), or
 * picked by the tool (unitpick.h): for a classify lesson those whose final h
 * best separates the classes over the lesson's data, for a next-word model
 * those whose |W_out[unit, word] * h| pushes the predicted word most. A
 * layer of more than CHART_HEAT_UNITS units also gets a units x steps heat
 * map of h, the charted units on top. Reads the App; changes nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "unitpick.h"

/* Layers wider than this get the heat map: their strips are pale smears */
#define CHART_HEAT_UNITS 64
/* Units drawn as line panels at once (more do not fit a screen readably) */
#define CHART_MAX_PANELS 4

/* Okabe and Ito's colour-blind-safe set: h, c, then the gates in order */
static const Color LINE_COLORS[CHART_LINES] = {
    {0, 114, 178, 255},   /* h: blue */
    {204, 121, 167, 255}, /* c: reddish purple */
    {230, 159, 0, 255},   /* i | z: orange */
    {86, 180, 233, 255},  /* f | r: sky blue */
    {0, 158, 115, 255},   /* g | n: bluish green */
    {213, 94, 0, 255},    /* o: vermillion */
};

Color chart_line_color(int q)
{
    return LINE_COLORS[q >= 0 && q < CHART_LINES ? q : 0];
}

/* the recurrent run the chart reads, or NULL */
static const RunRecord *chart_run(const App *a, const Layer **layer)
{
    const DocModel *dm = &a->doc->models[a->model];
    if (a->layer < 0 || a->layer >= dm->model.n_layers || dm->model.layers[a->layer].kind != LAYER_RNN) return NULL;
    const Layer *l = &dm->model.layers[a->layer];
    int dir = a->dir >= 0 && a->dir < l->n_dir ? a->dir : 0;
    if (dm->trace.layers[a->layer].run[dir].T != a->doc->T) return NULL; /* conv helper: after a conv that shortens the input */
    *layer = l;
    return &dm->trace.layers[a->layer].run[dir];
}

static int pick_units(const App *a, int *out, int want, char *why, size_t wcap, const DocModel *dm, const Layer *l,
                      const RunRecord *run);

int app_chart_units(const App *a, int *out, int cap, char *why, size_t wcap)
{
    if (why && wcap) why[0] = '\0';
    if (!a->has_doc) return 0;
    const DocModel *dm = &a->doc->models[a->model];
    const Layer *l = NULL;
    const RunRecord *run = chart_run(a, &l);
    if (!run) return 0;
    const int H = run->H;
    int n = 0;
    /* chosen: by the lesson step or the user */
    for (int k = 0; k < a->n_chart_units && n < cap; k++)
        if (a->chart_units[k] >= 0 && a->chart_units[k] < H) out[n++] = a->chart_units[k];
    if (n > 0) {
        if (why) snprintf(why, wcap, "units chosen%s (u adds the next pick, Shift+U removes the last)", a->chart_units_from_lesson ? " by the lesson" : "");
        return n;
    }
    int want = cap < 3 ? cap : 3;
    n = pick_units(a, out, want, why, wcap, dm, l, run);
    /* a square clicked in this layer comes first */
    if (a->has_selected && a->selected.kind == HOT_UNIT && a->selected.model == a->model && a->selected.layer == a->layer &&
        a->selected.unit >= 0 && a->selected.unit < H && n > 0) {
        int u = a->selected.unit, k = 0;
        while (k < n - 1 && out[k] != u) k++;
        for (; k > 0; k--) out[k] = out[k - 1];
        out[0] = u;
        if (why) snprintf(why, wcap, "unit %d: the square clicked; then the tool's picks", u);
    }
    return n;
}

/* the tool's picks (see the top of the file) */
static int pick_units(const App *a, int *out, int want, char *why, size_t wcap, const DocModel *dm, const Layer *l,
                      const RunRecord *run)
{
    const int H = run->H;
    int n = 0;
    if (dm->n_picked > 0 && a->layer == doc_first_rnn(dm) && a->dir <= 0) {
        for (int k = 0; k < dm->n_picked && n < want; k++)
            if (dm->picked[k] < H) out[n++] = dm->picked[k];
        if (why)
            snprintf(why, wcap, "picked: final h best separates the classes (between / within-class variance of %d rows)",
                     dm->pick_rows);
        return n;
    }
    float *score = render_scratch((Render *)&a->render, (size_t)H);
    const float *h = run->h + (size_t)(a->step + 1) * H;
    /* the Dense right after this layer (Dropout between is identity) */
    const Model *m = &dm->model;
    int dl = a->layer + 1;
    while (dl < m->n_layers && m->layers[dl].kind == LAYER_DROPOUT) dl++;
    if (dm->preds && !dm->binary && dl == m->n_layers - 1 && m->layers[dl].kind == LAYER_DENSE && !l->out_seq &&
        l->n_dir == 1 && m->layers[dl].in_dim == H) {
        const float *p = dm->preds + (size_t)a->step * dm->n_classes;
        int best = doc_first_class(a->doc, a->model);
        for (int k = best; k < dm->n_classes; k++) best = p[k] > p[best] ? k : best;
        unitpick_contribution(score, h, m->layers[dl].kernel, H, m->layers[dl].out_dim, best);
        n = unitpick_top(out, score, H, want);
        char nb[64];
        if (why)
            snprintf(why, wcap, "picked: largest |W_out[unit, \xE2\x80\x9C%s\xE2\x80\x9D] \xC2\xB7 h| after this step",
                     doc_class_name(a->doc, a->model, best, nb, sizeof nb));
        return n;
    }
    for (int j = 0; j < H; j++) score[j] = fabsf(h[j]);
    n = unitpick_top(out, score, H, want);
    if (why) snprintf(why, wcap, "picked: largest |h| after this step");
    return n;
}

/* the names of the lines of a cell: h, c, then its gates */
static int line_names(CellKind kind, const char *names[CHART_LINES])
{
    static const char *const lstm[] = {"h", "c", "i input", "f forget", "g candidate", "o output"};
    static const char *const gru[] = {"h", "", "z update", "r reset", "n candidate", ""};
    for (int q = 0; q < CHART_LINES; q++) names[q] = kind == CELL_LSTM ? lstm[q] : kind == CELL_GRU ? gru[q] : (q ? "" : "h");
    return kind == CELL_LSTM ? 6 : kind == CELL_GRU ? 5 : 1;
}

/* value of line q of unit j at processing step s; false where it has none */
static bool line_value(const RunRecord *run, int G, int q, int s, int j, float *v)
{
    const int H = run->H;
    if (q == 0) {
        *v = run->h[(size_t)(s + 1) * H + j];
        return true;
    }
    if (q == 1) {
        if (!run->c) return false;
        *v = run->c[(size_t)(s + 1) * H + j];
        return true;
    }
    int k = q - 2;
    if (k >= G || G < 2 || (run->mask && !run->mask[s])) return false;
    *v = run->gates[((size_t)s * G + k) * H + j];
    return true;
}

int chart_x(Box plot, int T, int s)
{
    return plot.x + (int)((s + 0.5f) * plot.w / (float)T);
}

int chart_y(Box plot, float v, float range)
{
    float f = fmaxf(-1.0f, fminf(1.0f, v / range));
    return plot.y + (int)((1.0f - f) * 0.5f * (plot.h - 1));
}

static void draw_panel(const App *a, Render *r, Box plot, const RunRecord *run, const Layer *l, int j, int n_lines,
                       const char *names[CHART_LINES], float c_range, bool words)
{
    const Theme *th = &a->theme;
    int spx = app_px(a, TEXT_SMALL);
    const int T = run->T, G = l->cell[0].kind == CELL_LSTM ? 4 : l->cell[0].kind == CELL_GRU ? 3 : 1;
    render_fill(r, plot, th->panel);
    /* the axes: 1, 0, -1 on the left; c's range on the right */
    static const float TICKS[] = {1.0f, 0.5f, 0.0f, -0.5f, -1.0f};
    for (int k = 0; k < 5; k++) {
        int y = chart_y(plot, TICKS[k], 1.0f);
        render_fill(r, (Box){plot.x, y, plot.w, 1}, k == 2 ? th->panel_edge : th->grid);
        if (k % 2 == 0) {
            char lb[16];
            snprintf(lb, sizeof lb, "%s%g", TICKS[k] < 0 ? "\xE2\x88\x92" : "", (double)fabsf(TICKS[k]));
            render_text(r, plot.x - spx / 3, y - spx / 2, lb, spx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
            if (run->c) {
                snprintf(lb, sizeof lb, "%s%.1f", TICKS[k] < 0 ? "\xE2\x88\x92" : "", (double)(fabsf(TICKS[k]) * c_range));
                render_text(r, plot.x + plot.w + spx / 3, y - spx / 2, lb, spx, FONT_REGULAR, chart_line_color(1), ALIGN_LEFT);
            }
        }
    }
    /* the current step */
    int xs = chart_x(plot, T, a->step);
    render_fill(r, (Box){xs - 1, plot.y, 3, plot.h}, color_mix(th->highlight, th->panel, 0.3f));
    /* the lines: gates first, then c, then h on top */
    static const int ORDER[CHART_LINES] = {2, 3, 4, 5, 1, 0};
    for (int oi = 0; oi < CHART_LINES; oi++) {
        int q = ORDER[oi];
        if (q >= n_lines || !names[q][0]) continue;
        float range = q == 1 ? c_range : 1.0f;
        float thick = q <= 1 ? 3.0f : 2.0f;
        Color col = chart_line_color(q);
        bool have = false;
        int px0 = 0, py0 = 0;
        for (int s = 0; s < T; s++) {
            float v = 0;
            if (!line_value(run, G, q, s, j, &v)) {
                have = false;
                continue;
            }
            int x = chart_x(plot, T, s), y = chart_y(plot, v, range);
            if (have) render_line(r, (float)px0, (float)py0, (float)x, (float)y, col, thick);
            render_fill(r, (Box){x - 2, y - 2, 5, 5}, col);
            px0 = x;
            py0 = y;
            have = true;
        }
    }
    render_outline(r, plot, th->panel_edge, 1);
    /* the panel is the unit's h at the current step for hover and tests */
    Hot *hot = render_hot(r, plot, HOT_UNIT);
    if (hot) {
        hot->model = (short)a->model;
        hot->layer = (short)a->layer;
        hot->dir = (short)(a->dir > 0 ? a->dir : 0);
        hot->t = (short)a->step;
        hot->vec = VEC_H;
        hot->unit = j;
    }
    /* the values at the current step, beside the panel's title */
    char title[160];
    int o = snprintf(title, sizeof title, "unit %d", j);
    for (int q = 0; q < n_lines && o < (int)sizeof title - 24; q++) {
        float v = 0;
        if (!names[q][0] || !line_value(run, G, q, a->step, j, &v)) continue;
        o += snprintf(title + o, sizeof title - (size_t)o, "   %c %s%.2f", names[q][0], v < 0 ? "\xE2\x88\x92" : "", (double)fabsf(v));
    }
    render_text(r, plot.x, plot.y - render_line_height(r, spx, FONT_BOLD) - 1, title, spx, FONT_BOLD, th->text, ALIGN_LEFT);
    if (!words) return;
    /* words under the panel, whole, on up to three staggered rows (the
     * shared token row; a backward layer's steps run the other way) */
    const Doc *d = a->doc;
    float sw = plot.w / (float)T;
    if (!l->cell[0].go_backwards) {
        TokenLayout tl = token_layout(a, r, sw, TOKEN_ROWS_MAX);
        draw_tokens(a, r, (Box){plot.x, plot.y, plot.w, plot.h + token_rows_height(a, r, &tl, false)}, plot.x + 0.5f * sw, sw,
                    plot.y + plot.h + 2, &tl, false, false);
        return;
    }
    int lh = render_line_height(r, spx, FONT_REGULAR);
    for (int s = 0; s < T; s++) {
        int pos = T - 1 - s;
        char wb[64], fit[64];
        const char *w = doc_word(d, pos, wb, sizeof wb);
        int row = s % 2;
        render_text(r, chart_x(plot, T, s), plot.y + plot.h + 2 + row * lh,
                    render_fit_text(r, w[0] ? w : "\xE2\x80\x94", spx, FONT_REGULAR, (int)(2 * sw) - 2, fit, sizeof fit), spx,
                    FONT_REGULAR, s == a->step ? th->accent : s < a->step ? th->text : th->text_dim, ALIGN_CENTER);
    }
}

/* the units x steps heat map of h, the charted units on top */
static void draw_heat(const App *a, Render *r, Box box, const RunRecord *run, const int *units, int n_units)
{
    const Theme *th = &a->theme;
    int spx = app_px(a, TEXT_SMALL);
    const int H = run->H, T = run->T;
    render_text(r, box.x, box.y, "h of every unit (rows) at every step (columns); the charted units on top", spx, FONT_BOLD, th->text,
                ALIGN_LEFT);
    int top = box.y + render_line_height(r, spx, FONT_BOLD) + 2;
    Box map = {box.x, top, box.w, box.y + box.h - top};
    float rh = map.h / (float)H, cw = map.w / (float)T;
    /* rows: the charted units, then the others by number */
    for (int row = 0, next = 0; row < H; row++) {
        int u = -1;
        if (row < n_units) {
            u = units[row];
        } else {
            for (bool taken = true; taken; next++) {
                taken = false;
                for (int k = 0; k < n_units; k++) taken |= units[k] == next;
                if (!taken) u = next;
            }
        }
        int y0 = map.y + (int)(row * rh), y1 = map.y + (int)((row + 1) * rh);
        for (int s = 0; s < T; s++) {
            int x0 = map.x + (int)(s * cw), x1 = map.x + (int)((s + 1) * cw);
            Color c = colormap(run->h[(size_t)(s + 1) * H + u], 1.0f);
            if (s > a->step) c = color_mix(c, th->bg, 0.6f);
            render_fill(r, (Box){x0, y0, x1 - x0 > 0 ? x1 - x0 : 1, y1 - y0 > 0 ? y1 - y0 : 1}, c);
        }
        Hot *hot = render_hot(r, (Box){map.x, y0, map.w, y1 - y0 > 0 ? y1 - y0 : 1}, HOT_UNIT);
        if (hot) { /* the row: that unit's h at the current step */
            hot->model = (short)a->model;
            hot->layer = (short)a->layer;
            hot->dir = (short)(a->dir > 0 ? a->dir : 0);
            hot->t = (short)a->step;
            hot->vec = VEC_H;
            hot->unit = u;
        }
        if (row < n_units && rh >= spx * 0.8f) {
            char lb[16];
            snprintf(lb, sizeof lb, "%d", u);
            render_text(r, map.x - 4, y0, lb, spx, FONT_REGULAR, th->text, ALIGN_RIGHT);
        }
    }
    if (n_units > 0 && n_units < H) render_fill(r, (Box){map.x, map.y + (int)(n_units * rh) - 1, map.w, 2}, th->text);
    int xs = map.x + (int)(a->step * cw);
    render_outline(r, (Box){xs, map.y, (int)cw > 2 ? (int)cw : 2, map.h}, th->highlight, 2);
    render_outline(r, map, th->panel_edge, 1);
}

void view_chart_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const DocModel *dm = &a->doc->models[a->model];
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    const Layer *l = NULL;
    const RunRecord *run = chart_run(a, &l);
    if (!run && conv_shown_as_windows(&dm->model)) { /* conv helper: the filters over the positions */
        view_conv_chart_draw(a, r, area);
        return;
    }
    if (!run) {
        render_text(r, area.x + pad, area.y + pad, "no recurrent layer stepping through the words to chart", px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    int units[LESSON_MAX_UNITS];
    char why[256];
    int n = app_chart_units(a, units, LESSON_MAX_UNITS, why, sizeof why);
    const char *names[CHART_LINES];
    int n_lines = line_names(l->cell[0].kind, names);
    /* header: what is charted and why these units */
    char head[200];
    snprintf(head, sizeof head, "%s \xC2\xB7 %s \xC2\xB7 %d units \xC2\xB7 step %d of %d", dm->label, l->name, run->H, a->step + 1, run->T);
    render_text(r, area.x + pad, area.y + pad / 2, head, px, FONT_BOLD, th->text, ALIGN_LEFT);
    int y = area.y + pad / 2 + render_line_height(r, px, FONT_BOLD);
    char fit[256];
    render_text(r, area.x + pad, y, render_fit_text(r, why, spx, FONT_REGULAR, area.w - 2 * pad, fit, sizeof fit), spx, FONT_REGULAR,
                th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR) + spx / 2;
    /* the legend: one swatch and name per line, and the axes */
    int lx = area.x + pad;
    for (int q = 0; q < n_lines; q++) {
        if (!names[q][0]) continue;
        render_fill(r, (Box){lx, y + spx / 2 - 2, px * 2, 5}, chart_line_color(q));
        lx += px * 2 + spx / 2;
        Box tb = render_text(r, lx, y, names[q], spx, FONT_REGULAR, th->text, ALIGN_LEFT);
        lx += tb.w + px;
    }
    char axes[128];
    if (run->c)
        snprintf(axes, sizeof axes, "left axis: h and gates (\xE2\x88\x92" "1 to 1); right axis: c (\xC2\xB1%.1f, one scale for the %s)",
                 (double)dm->c_range, a->doc->is_lesson ? "lesson" : "model");
    else snprintf(axes, sizeof axes, "axis: h and gates, \xE2\x88\x92" "1 to 1");
    int aw = 0;
    render_text_size(r, axes, spx, FONT_REGULAR, &aw, NULL);
    if (lx + px + aw > area.x + area.w - pad) { /* its own line */
        y += render_line_height(r, spx, FONT_REGULAR);
        lx = area.x + pad - px;
    }
    render_text(r, lx + px, y, axes, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR) + pad;

    Box rest = {area.x, y, area.w, area.y + area.h - y - pad};
    bool heat = run->H > CHART_HEAT_UNITS;
    int axis_w = px * 4;
    Box lines = rest;
    if (heat) {
        lines.h = rest.h * 2 / 5;
        draw_heat(a, r, (Box){rest.x + axis_w, rest.y + lines.h + pad, rest.w - 2 * axis_w, rest.h - lines.h - pad}, run, units, n);
    }
    int panels = n < CHART_MAX_PANELS ? n : CHART_MAX_PANELS;
    if (heat && panels > 2) panels = 2;
    if (panels == 0) return;
    int title_h = render_line_height(r, spx, FONT_BOLD) + 2;
    TokenLayout wl = token_layout(a, r, (float)(lines.w - 2 * axis_w) / (float)(a->doc->T > 0 ? a->doc->T : 1), TOKEN_ROWS_MAX);
    int words_h = token_rows_height(a, r, &wl, false) + 4;
    int ph = (lines.h - words_h) / panels;
    for (int k = 0; k < panels; k++) {
        Box plot = {lines.x + axis_w, lines.y + k * ph + title_h, lines.w - 2 * axis_w, ph - title_h - spx};
        if (plot.h < 8) break;
        draw_panel(a, r, plot, run, l, units[k], n_lines, names, dm->c_range, k == panels - 1);
    }
}
