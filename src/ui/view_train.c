/* view_training, view_gradients, view_generate: the learning views.
 * Training: the lesson's models trained in the window (a worker thread, or
 * in slices of the frame loop in the browser: train_worker.h),
 * loss and accuracy per epoch, one line per cell type on shared axes, and
 * the time taken. Gradients: |dL/dh_t| of every step on a log scale, one
 * line per cell type, on the current sentence. Generate: text continued
 * word by word, each word with the candidates it was chosen from. Read the
 * App; change nothing (training progress is read under its lock). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

/* Paul Tol's bright qualitative colours, one per cell type */
static const Color LINE_COLOURS[CELL_KIND_COUNT] = {{0xEE, 0x66, 0x77, 255}, {0x22, 0x88, 0x33, 255}, {0x44, 0x77, 0xAA, 255}};

static Color cell_colour(const App *a, int m)
{
    if (a->doc->is_lesson && m < a->doc->lesson.n_cells && !a->doc->lesson.variant_names[0])
        return LINE_COLOURS[a->doc->lesson.cells[m]];
    return LINE_COLOURS[m % CELL_KIND_COUNT];
}

/* axes with labels; returns the plot box inside them */
static Box axes(const App *a, Render *r, Box b, const char *title, const char *ylo, const char *yhi, const char *xlabel)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_SMALL), lh = render_line_height(r, px, FONT_BOLD);
    render_text(r, b.x, b.y, title, px, FONT_BOLD, th->text, ALIGN_LEFT);
    int yw = 0;
    render_text_size(r, yhi, px, FONT_REGULAR, &yw, NULL);
    int w2 = 0;
    render_text_size(r, ylo, px, FONT_REGULAR, &w2, NULL);
    yw = (yw > w2 ? yw : w2) + px / 2;
    Box p = {b.x + yw, b.y + lh + px / 2, b.w - yw - px, b.h - 2 * lh - px};
    render_fill(r, p, th->panel);
    render_outline(r, p, th->panel_edge, 1);
    render_text(r, p.x - px / 3, p.y, yhi, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    render_text(r, p.x - px / 3, p.y + p.h - lh, ylo, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    render_text(r, p.x + p.w, p.y + p.h + 2, xlabel, px, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    return p;
}

static void polyline(Render *r, Box p, const float *y, int n, int n_max, float lo, float hi, Color c, bool log_scale)
{
    float prev_x = 0, prev_y = 0;
    for (int i = 0; i < n; i++) {
        float v = y[i];
        if (log_scale) v = log10f(fmaxf(v, 1e-30f));
        float fx = n_max > 1 ? (float)i / (float)(n_max - 1) : 0.5f;
        float fy = (v - lo) / (hi - lo);
        fy = fy < 0 ? 0 : (fy > 1 ? 1 : fy);
        float x = p.x + fx * p.w, yy = p.y + (1 - fy) * p.h;
        if (i > 0) render_line(r, prev_x, prev_y, x, yy, c, 3.0f);
        render_circle(r, x, yy, 3.5f, c, true);
        prev_x = x;
        prev_y = yy;
    }
}

/* variants: a dashed line through the points (validation curves) */
static void polyline_dashed(Render *r, Box p, const float *y, int n, int n_max, float lo, float hi, Color c)
{
    float prev_x = 0, prev_y = 0, run = 0;
    const float on = 10.0f, off = 7.0f;
    for (int i = 0; i < n; i++) {
        float fx = n_max > 1 ? (float)i / (float)(n_max - 1) : 0.5f;
        float fy = (y[i] - lo) / (hi - lo);
        fy = fy < 0 ? 0 : (fy > 1 ? 1 : fy);
        float x = p.x + fx * p.w, yy = p.y + (1 - fy) * p.h;
        if (i > 0) {
            float dx = x - prev_x, dy = yy - prev_y, len = sqrtf(dx * dx + dy * dy);
            for (float t = 0; t < len;) {
                float phase = fmodf(run, on + off), step = phase < on ? on - phase : on + off - phase;
                if (t + step > len) step = len - t;
                if (phase < on)
                    render_line(r, prev_x + dx * t / len, prev_y + dy * t / len, prev_x + dx * (t + step) / len,
                                prev_y + dy * (t + step) / len, c, 3.0f);
                t += step;
                run += step;
                if (step <= 0) break;
            }
        }
        render_circle(r, x, yy, 2.5f, c, true);
        prev_x = x;
        prev_y = yy;
    }
}

static int legend(const App *a, Render *r, int x, int y)
{
    int px = app_px(a, TEXT_BODY);
    for (int m = 0; m < a->doc->n_models; m++) {
        Color c = cell_colour(a, m);
        render_fill(r, (Box){x, y + px / 3, px, px / 2}, c);
        Box b = render_text(r, x + px + px / 3, y, a->doc->models[m].label, px, FONT_BOLD, a->theme.text, ALIGN_LEFT);
        x = b.x + b.w + px;
    }
    return x;
}

/* hist: a clickable "-" or "+" beside a setting */
static int small_button(const App *a, Render *r, int x, int y, const char *label, int id, int px)
{
    const Theme *th = &a->theme;
    int w = 0, h = 0;
    render_text_size(r, label, px, FONT_BOLD, &w, &h);
    Box b = {x, y, w + px, h + px / 4};
    render_fill(r, b, th->panel);
    render_outline(r, b, th->panel_edge, 1);
    render_text(r, x + px / 2, y + px / 8, label, px, FONT_BOLD, th->text, ALIGN_LEFT);
    Hot *hot = render_hot(r, b, HOT_BUTTON);
    if (hot) hot->unit = id;
    return b.w;
}

/* hist: the optimizer line: Adam or SGD (p), learning rate (a A, - +) and
 * clipnorm (c C, - +); returns the y below it */
static int optimizer_controls(const App *a, Render *r, int x, int y, int right, const TrainRunProgress *prog)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), gap = px / 2;
    const Lesson *l = &a->doc->lesson;
    float lr = a->train_lr > 0 ? a->train_lr : (l->learning_rate > 0 ? (float)l->learning_rate : (a->train_sgd ? 0.01f : 0.001f));
    char buf[96];
    snprintf(buf, sizeof buf, "optimizer %s (p)", a->train_sgd ? "SGD" : "Adam");
    Box t = render_text(r, x, y, buf, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    x = t.x + t.w + px * 2;
    t = render_text(r, x, y, "learning rate", px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    x = t.x + t.w + gap;
    x += small_button(a, r, x, y, "-", BTN_LR_DOWN, px) + gap;
    snprintf(buf, sizeof buf, "%g", (double)lr);
    t = render_text(r, x, y, buf, px, FONT_BOLD, th->text, ALIGN_LEFT);
    x = t.x + t.w + gap;
    x += small_button(a, r, x, y, "+", BTN_LR_UP, px) + px * 2;
    t = render_text(r, x, y, "clipnorm", px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    x = t.x + t.w + gap;
    x += small_button(a, r, x, y, "-", BTN_CLIP_DOWN, px) + gap;
    if (a->train_clipnorm > 0) snprintf(buf, sizeof buf, "%g", (double)a->train_clipnorm);
    else snprintf(buf, sizeof buf, "off");
    t = render_text(r, x, y, buf, px, FONT_BOLD, th->text, ALIGN_LEFT);
    x = t.x + t.w + gap;
    x += small_button(a, r, x, y, "+", BTN_CLIP_UP, px) + px * 2;
    int hw = 0;
    render_text_size(r, "a A  c C: lower / higher", app_px(a, TEXT_SMALL), FONT_REGULAR, &hw, NULL);
    if (x + hw <= right) /* the keys are in the help (?) when the line is full */
        render_text(r, x, y, "a A  c C: lower / higher", app_px(a, TEXT_SMALL), FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    (void)prog;
    return y + render_line_height(r, px, FONT_BOLD) + px / 2;
}

void view_training_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    if (!a->doc->is_lesson) {
        render_text(r, area.x + pad, area.y + pad, "Training runs on a lesson's corpus: open a lesson to train its models here.", px,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        render_text(r, area.x + pad, area.y + pad * 3, "For a model folder, use  unroll train MODEL --data rows.jsonl ...", spx,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    /* a copy taken under the worker's lock (train_worker.h) */
    TrainRunProgress progress;
    train_run_progress(&a->train, &progress);
    const TrainRunProgress *prog = &progress;
    char line[512];
    int y = area.y + pad / 2;
    char units[32];
    if (a->train_units > 0) snprintf(units, sizeof units, "%d units", a->train_units);
    else snprintf(units, sizeof units, "the lesson's units");
    snprintf(line, sizeof line, "Train the lesson's models: %s, %d epochs, seed %llu", units, a->train_epochs, a->train_seed);
    render_text(r, area.x + pad, y, line, px, FONT_BOLD, th->text, ALIGN_LEFT);
    y += render_line_height(r, px, FONT_BOLD);
    const char *state = prog->running ? "training\xE2\x80\xA6  Esc cancels" : (prog->finished ? prog->message : "");
    snprintf(line, sizeof line, "Enter starts  \xC2\xB7  u U fewer / more units  \xC2\xB7  e E fewer / more epochs  \xC2\xB7  s new seed   %s",
             state);
    render_text(r, area.x + pad, y, line, spx, FONT_REGULAR, prog->failed ? th->bad : th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR) + pad / 2;
    y = optimizer_controls(a, r, area.x + pad, y, area.x + area.w - pad, prog);
    int lx = legend(a, r, area.x + pad, y);
    (void)lx;
    y += render_line_height(r, px, FONT_BOLD) + pad / 2;
    const Doc *d = a->doc;
    bool live = prog->running || prog->finished;
    for (int k = 0; k < prog->n_cells; k++) live = live || prog->epochs_done[k] > 0;
    /* variants: without a run of its own the view shows the shipped models'
     * history, epoch 0 being the initial weights */
    bool history = false;
    for (int k = 0; !live && k < d->n_models; k++) history = history || d->models[k].curve_done > 0;
    bool has_val = live ? prog->has_val : d->is_lesson && d->lesson.validation != NULL;
    if (history || (!live && doc_curves_pending(d))) {
        snprintf(line, sizeof line, "The shipped models by epoch (history.bin): %s",
                 has_val ? "training solid, held-out validation dashed" : "loss and accuracy on the training rows");
        render_text(r, area.x + pad, y, line, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        y += render_line_height(r, spx, FONT_REGULAR) + pad / 4;
    } else if (live && has_val) {
        render_text(r, area.x + pad, y, "training solid (as the batches saw it), held-out validation dashed", spx,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        y += render_line_height(r, spx, FONT_REGULAR) + pad / 4;
    }
    if (d->curve_error[0] && !live) {
        render_text(r, area.x + pad, y, d->curve_error, spx, FONT_REGULAR, th->bad, ALIGN_LEFT);
        y += render_line_height(r, spx, FONT_REGULAR);
    }
    int n_rows = live ? prog->n_cells : d->n_models;
    int n_epochs = prog->epochs > 0 ? prog->epochs : a->train_epochs;
    int n_points = n_epochs; /* x positions: epochs 1..N live, snapshots 0..N from a history */
    if (!live) {
        n_epochs = 0;
        for (int k = 0; k < d->n_models; k++)
            if (d->models[k].hist.n - 1 > n_epochs) n_epochs = d->models[k].hist.n - 1;
        n_points = n_epochs + 1;
    }
    float lmax = 0.1f;
    for (int k = 0; k < n_rows; k++) {
        if (live) {
            for (int e = 0; e < prog->epochs_done[k]; e++) {
                lmax = fmaxf(lmax, prog->loss[k][e]);
                if (prog->has_val && isfinite(prog->val_loss[k][e])) lmax = fmaxf(lmax, prog->val_loss[k][e]);
            }
        } else {
            const DocModel *dm = &d->models[k];
            for (int e = 0; e < dm->curve_done; e++) {
                if (isfinite(dm->curve_loss[e])) lmax = fmaxf(lmax, dm->curve_loss[e]);
                if (has_val && isfinite(dm->curve_vloss[e])) lmax = fmaxf(lmax, dm->curve_vloss[e]);
            }
        }
    }
    int stats_h = (n_rows + 1) * render_line_height(r, spx, FONT_REGULAR) + pad / 2;
    int w = (area.w - 3 * pad) / 2, h = area.y + area.h - y - stats_h - pad;
    char hi[32];
    snprintf(hi, sizeof hi, "%.2f", (double)lmax);
    char xl[64];
    if (live) snprintf(xl, sizeof xl, "epoch (of %d)", n_epochs);
    else snprintf(xl, sizeof xl, "epoch (0: initial weights, to %d)", n_epochs);
    Box lp = axes(a, r, (Box){area.x + pad, y, w, h}, "loss", "0", hi, xl);
    Box ap = axes(a, r, (Box){area.x + 2 * pad + w, y, w, h}, "accuracy", "0", "1", xl);
    for (int k = 0; k < n_rows; k++) {
        Color c = cell_colour(a, k);
        if (live) {
            polyline(r, lp, prog->loss[k], prog->epochs_done[k], n_points, 0.0f, lmax, c, false);
            polyline(r, ap, prog->acc[k], prog->epochs_done[k], n_points, 0.0f, 1.0f, c, false);
            if (prog->has_val) {
                polyline_dashed(r, lp, prog->val_loss[k], prog->epochs_done[k], n_points, 0.0f, lmax, c);
                polyline_dashed(r, ap, prog->val_acc[k], prog->epochs_done[k], n_points, 0.0f, 1.0f, c);
            }
        } else {
            const DocModel *dm = &d->models[k];
            polyline(r, lp, dm->curve_loss, dm->curve_done, n_points, 0.0f, lmax, c, false);
            polyline(r, ap, dm->curve_acc, dm->curve_done, n_points, 0.0f, 1.0f, c, false);
            if (has_val) {
                polyline_dashed(r, lp, dm->curve_vloss, dm->curve_done, n_points, 0.0f, lmax, c);
                polyline_dashed(r, ap, dm->curve_vacc, dm->curve_done, n_points, 0.0f, 1.0f, c);
            }
        }
    }
    /* per model, a table: parameters, the last figures, the lowest
     * validation loss, the time per epoch of a run here */
    int ty = area.y + area.h - stats_h;
    int lh = render_line_height(r, spx, FONT_REGULAR);
    static const char *const HEAD[] = {"model", "parameters", "epoch", "loss", "accuracy", "val. loss", "val. accuracy",
                                       "lowest val. loss", "s / epoch"};
    enum { NCOL = 9 };
    char cells[LESSON_MAX_CELLS + 1][NCOL][48];
    int rows_n = 0;
    for (int k = 0; k < n_rows && k < LESSON_MAX_CELLS; k++) {
        const float *loss = NULL, *acc = NULL, *vloss = NULL, *vacc = NULL;
        int n = 0, first = 1; /* first: the epoch number of index 0 */
        if (live) {
            n = prog->epochs_done[k];
            loss = prog->loss[k], acc = prog->acc[k], vloss = prog->val_loss[k], vacc = prog->val_acc[k];
        } else if (k < d->n_models) {
            const DocModel *dm = &d->models[k];
            n = dm->curve_done, first = 0;
            loss = dm->curve_loss, acc = dm->curve_acc, vloss = dm->curve_vloss, vacc = dm->curve_vacc;
        }
        char (*c)[48] = cells[rows_n + 1];
        for (int q = 0; q < NCOL; q++) snprintf(c[q], 48, "\xE2\x80\x94");
        snprintf(c[0], 48, "%s", k < d->n_models ? d->models[k].label : "?");
        if (k < d->n_models) snprintf(c[1], 48, "%zu", d->models[k].model.n_params);
        if (n > 0) {
            snprintf(c[2], 48, "%d", n - 1 + first);
            snprintf(c[3], 48, "%.3f", (double)loss[n - 1]);
            snprintf(c[4], 48, "%.2f", (double)acc[n - 1]);
            if (has_val) {
                int best = 0;
                for (int e = 1; e < n; e++)
                    if (vloss[e] < vloss[best]) best = e;
                snprintf(c[5], 48, "%.3f", (double)vloss[n - 1]);
                snprintf(c[6], 48, "%.2f", (double)vacc[n - 1]);
                snprintf(c[7], 48, "%.3f (epoch %d)", (double)vloss[best], best + first);
            }
            if (live) snprintf(c[8], 48, prog->seconds[k] / n < 0.1 ? "%.4f" : "%.2f", prog->seconds[k] / n);
        }
        rows_n++;
    }
    if (rows_n == 0) return;
    for (int q = 0; q < NCOL; q++) snprintf(cells[0][q], 48, "%s", HEAD[q]);
    int x = area.x + pad;
    for (int q = 0; q < NCOL; q++) {
        if ((q >= 5 && q <= 7 && !has_val) || (q == 8 && !live)) continue;
        int cw = 0;
        for (int k = 0; k <= rows_n; k++) {
            int tw = 0;
            render_text_size(r, cells[k][q], spx, k ? FONT_REGULAR : FONT_BOLD, &tw, NULL);
            if (tw > cw) cw = tw;
        }
        if (x + cw > area.x + area.w - pad) break; /* no room: the rest stays off */
        for (int k = 0; k <= rows_n; k++) {
            Color col = k == 0 ? th->text_dim : cell_colour(a, k - 1);
            if (q == 0)
                render_text(r, x, ty + k * lh, cells[k][q], spx, k ? FONT_BOLD : FONT_BOLD, col, ALIGN_LEFT);
            else
                render_text(r, x + cw, ty + k * lh, cells[k][q], spx, k ? FONT_REGULAR : FONT_BOLD, col, ALIGN_RIGHT);
        }
        x += cw + spx * 2;
    }
}

void view_gradients_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px;
    int y = area.y + pad / 2;
    render_text(r, area.x + pad, y, "How far back the loss reaches: |dL/dh\xE2\x82\x9C| at every step", px, FONT_BOLD, th->text, ALIGN_LEFT);
    y += render_line_height(r, px, FONT_BOLD);
    render_text(r, area.x + pad, y,
                "the gradient of each model's loss (for the word or class it chose after the whole input) with respect to h at each step, log scale",
                spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR) + pad / 2;
    legend(a, r, area.x + pad, y);
    y += render_line_height(r, px, FONT_BOLD) + pad / 2;
    /* the decades the lines span */
    float lo = 0, hi = -30;
    bool any = false;
    for (int m = 0; m < d->n_models; m++) {
        const DocModel *dm = &d->models[m];
        if (!dm->grad) continue;
        for (int t = 0; t < d->T; t++) {
            float v = log10f(fmaxf(dm->grad[t], 1e-30f));
            if (!any) lo = hi = v;
            lo = fminf(lo, v);
            hi = fmaxf(hi, v);
            any = true;
        }
    }
    if (!any && d->n_models > 0 && conv_shown_as_windows(&d->models[0].model)) { /* conv helper */
        render_text(r, area.x + pad, y,
                    doc_first_rnn(&d->models[0]) < 0
                        ? "A convolution passes no h from step to step: there is no |dL/dh\xE2\x82\x9C| to follow back through time."
                        : "The recurrent layer reads the convolution's positions, not the words: its steps are not drawn on this axis.",
                    px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    if (!any) {
        render_text(r, area.x + pad, y, "This model has no loss to take a gradient of (its last layer is not softmax or sigmoid).", px,
                    FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    lo = floorf(lo);
    hi = ceilf(hi);
    if (hi - lo < 1) hi = lo + 1;
    /* cut helper: the words under the steps whole, on up to three
     * staggered rows (the plot's steps cannot scroll) */
    int plot_w = area.w - 2 * pad - spx * 6; /* at most axes()' plot width: its y labels are narrower */
    TokenLayout tl = token_layout(a, r, d->T > 1 ? (float)plot_w / (float)(d->T - 1) : (float)plot_w, TOKEN_ROWS_MAX);
    int token_h = token_rows_height(a, r, &tl, false) + pad / 2;
    char ylo[32], yhi[32];
    snprintf(ylo, sizeof ylo, "1e%d", (int)lo);
    snprintf(yhi, sizeof yhi, "1e%d", (int)hi);
    Box p = axes(a, r, (Box){area.x + pad, y, area.w - 2 * pad, area.y + area.h - y - token_h}, "|dL/dh| (log)", ylo, yhi, "");
    /* a grid line per decade */
    for (int k = (int)lo + 1; k < (int)hi; k++) {
        int gy = p.y + (int)((1 - (k - lo) / (hi - lo)) * p.h);
        render_fill(r, (Box){p.x, gy, p.w, 1}, th->grid);
    }
    for (int m = 0; m < d->n_models; m++)
        if (d->models[m].grad) polyline(r, p, d->models[m].grad, d->T, d->T, lo, hi, cell_colour(a, m), true);
    /* the words under the steps */
    float sw = d->T > 1 ? (float)p.w / (float)(d->T - 1) : (float)p.w;
    draw_tokens(a, r, (Box){area.x, p.y, area.w, area.h}, (float)p.x, sw, p.y + p.h + 4, &tl, false, false);
}

void view_generate_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    int px = app_px(a, TEXT_BODY), lpx = app_px(a, TEXT_LARGE), spx = app_px(a, TEXT_SMALL), pad = px;
    int y = area.y + pad / 2;
    char line[256];
    if (!doc_predicts_words(d, a->model)) {
        snprintf(line, sizeof line, "%s classifies whole sentences; it does not predict words, so it cannot write on.",
                 d->models[a->model].label);
        render_text(r, area.x + pad, y, line, px, FONT_BOLD, th->text, ALIGN_LEFT);
        render_text(r, area.x + pad, y + render_line_height(r, px, FONT_BOLD),
                    "Generation needs a next-word model, as in lessons 1 and 5.", px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    /* lesson 9: a char_level model writes characters, not words */
    const bool chars = !tokenizer_joiner(&d->tok)[0];
    const char *unit = chars ? "character" : "word";
    snprintf(line, sizeof line, "%s writes on, %s by %s", d->models[a->model].label, unit, unit);
    render_text(r, area.x + pad, y, line, px, FONT_BOLD, th->text, ALIGN_LEFT);
    y += render_line_height(r, px, FONT_BOLD);
    snprintf(line, sizeof line, "g next %s  \xC2\xB7  c start again  \xC2\xB7  [ ] temperature %.2f%s  \xC2\xB7  q quiz mode%s",
             unit, (double)a->temperature, a->temperature <= 0 ? " (greedy)" : "", a->quiz_mode ? " on" : "");
    render_text(r, area.x + pad, y, line, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_REGULAR) + pad / 2;
    /* the temperature slider: 0 .. 2 */
    Box slider = {area.x + pad, y, px * 14, px / 2};
    render_fill(r, slider, th->faint);
    render_fill(r, (Box){slider.x, slider.y, (int)(slider.w * fminf(a->temperature / 2.0f, 1.0f)), slider.h}, th->accent);
    render_text(r, slider.x + slider.w + pad / 2, y - spx / 3, "temperature", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    y += px + pad / 2;
    /* the text: seed, then the chosen words */
    int x = area.x + pad, lh = render_line_height(r, lpx, FONT_BOLD);
    Box tb = render_text(r, x, y, a->gen.seed, lpx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    x = tb.x + tb.w;
    bool hide = a->quiz_mode && !a->quiz_revealed;
    int sw = 0;
    /* words apart by a space; a char_level model's characters side by side */
    if (tokenizer_joiner(&d->tok)[0]) render_text_size(r, " ", lpx, FONT_BOLD, &sw, NULL);
    for (int i = 0; i < a->gen.n; i++) {
        const char *w = tokenizer_index_word(&d->tok, a->gen.words[i].token);
        bool last = i == a->gen.n - 1;
        int ww = 0;
        render_text_size(r, hide && last ? "?" : w, lpx, FONT_BOLD, &ww, NULL);
        int gap = sw;
        /* lesson 9: characters wrap at word boundaries; no space opens a line */
        if (chars && !(hide && last)) {
            bool starts_word = w[0] != ' ' && (i == 0 || tokenizer_index_word(&d->tok, a->gen.words[i - 1].token)[0] == ' ');
            int run = 0;
            for (int j = i; starts_word && j < a->gen.n && !(hide && j == a->gen.n - 1); j++) {
                const char *c = tokenizer_index_word(&d->tok, a->gen.words[j].token);
                if (c[0] == ' ') break;
                int cw = 0;
                render_text_size(r, c, lpx, FONT_BOLD, &cw, NULL);
                run += cw;
            }
            if (starts_word && x > area.x + pad && x + run > area.x + area.w - pad) {
                x = area.x + pad;
                y += lh;
            }
            if (w[0] == ' ' && x + ww > area.x + area.w - pad) { /* a space that ends a line */
                x = area.x + pad;
                y += lh;
                continue;
            }
            if (w[0] == ' ' && x == area.x + pad && i > 0) continue;
        }
        if (x + sw + ww > area.x + area.w - pad) {
            x = area.x + pad;
            y += lh;
            gap = 0; /* no space at the start of a line */
        }
        Box b = render_text(r, x + gap, y, hide && last ? "?" : w, lpx, FONT_BOLD, last ? th->accent : th->text, ALIGN_LEFT);
        x = b.x + b.w;
    }
    y += lh + pad;
    if (a->gen.n == 0) {
        snprintf(line, sizeof line, "Press g to let the model choose the next %s.", unit);
        render_text(r, area.x + pad, y, line, px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    /* the candidates of the last choice */
    const GenWord *gw = &a->gen.words[a->gen.n - 1];
    snprintf(line, sizeof line, "the candidates for the last %s%s", unit, hide ? " (hidden: press r to reveal)" : "");
    render_text(r, area.x + pad, y, line, spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_BOLD) + pad / 3;
    int name_w = px * 9, bar_w = area.w / 2, row = render_line_height(r, px, FONT_BOLD) + pad / 2;
    for (int k = 0; k < gw->n_top && y + row < area.y + area.h; k++) {
        const char *w = hide ? "?" : tokenizer_index_word(&d->tok, gw->top[k]);
        if (strcmp(w, " ") == 0) w = "(space)"; /* lesson 9: a character model's space */
        bool chosen = gw->top[k] == gw->token;
        render_text(r, area.x + pad + name_w, y, w, px, chosen ? FONT_BOLD : FONT_REGULAR, th->text, ALIGN_RIGHT);
        Box bar = {area.x + 2 * pad + name_w, y + row / 5, bar_w, row / 2};
        render_fill(r, bar, th->faint);
        if (!hide) {
            render_fill(r, (Box){bar.x, bar.y, (int)(bar_w * gw->p[k]), bar.h}, chosen ? th->bar_top : th->bar);
            char pct[32];
            snprintf(pct, sizeof pct, "%.1f%%%s", (double)(gw->p[k] * 100), chosen ? "  chosen" : "");
            render_text(r, bar.x + bar.w + pad / 2, y, pct, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        }
        y += row;
    }
}
