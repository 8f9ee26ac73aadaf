/* view_predictions: the output layer as bars of the most probable words (or
 * classes) after the current step, and along the sentence what the model
 * expected next at every step. A quiz step hides the answer until it is
 * revealed. Reads the App; changes nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

bool app_answer_hidden(const App *a)
{
    if (!a->has_doc || a->quiz_revealed) return false;
    if (a->quiz_mode) return true;
    if (!a->doc->is_lesson || a->lesson_step < 0) return false;
    return a->doc->lesson.steps[a->lesson_step].dir.quiz != NULL;
}

static float prob(const DocModel *dm, int t, int j)
{
    const float *p = dm->preds + (size_t)t * dm->n_classes;
    return dm->binary ? (j ? p[0] : 1.0f - p[0]) : p[j];
}

void view_predictions_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    int px = app_px(a, TEXT_BODY), lpx = app_px(a, TEXT_LARGE), spx = app_px(a, TEXT_SMALL), pad = px;
    if (!dm->preds) {
        render_text(r, area.x + pad, area.y + pad, "This model's last layer is not a softmax or sigmoid over classes: nothing to predict.",
                    px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    bool hide = app_answer_hidden(a);
    char wb[64], head[256];
    snprintf(head, sizeof head, "%s after reading \xE2\x80\x9C%s\xE2\x80\x9D (step %d of %d)", dm->label,
             doc_word(d, a->step, wb, sizeof wb), a->step + 1, d->T);
    render_text(r, area.x + pad, area.y + pad / 2, head, lpx, FONT_BOLD, th->text, ALIGN_LEFT);
    int C = dm->binary ? 2 : dm->n_classes;
    int K = C < 10 ? C : 10;
    int top[10], n = 0;
    for (int k = 0; k < K; k++) {
        int best = -1;
        for (int j = doc_first_class(d, a->model); j < C; j++) {
            bool used = false;
            for (int q = 0; q < n; q++) used |= top[q] == j;
            if (!used && (best < 0 || prob(dm, a->step, j) > prob(dm, a->step, best))) best = j;
        }
        if (best >= 0) top[n++] = best;
    }
    int chart_h = (int)(area.h * 0.62f);
    int y0 = area.y + lpx + pad * 2;
    int row_h = (chart_h - lpx) / (n ? n : 1);
    if (row_h > lpx * 2) row_h = lpx * 2;
    int name_w = px * 10, bar_x = area.x + pad + name_w, bar_w = area.w - name_w - pad * 2 - px * 5;
    for (int k = 0; k < n; k++) {
        int y = y0 + k * row_h;
        float p = prob(dm, a->step, top[k]);
        char name[64], fit[64], pct[32];
        const char *w = hide ? "?" : doc_class_name(d, a->model, top[k], name, sizeof name);
        render_text(r, bar_x - pad / 2, y + (row_h - px) / 2 - 2, render_fit_text(r, w, px, k ? FONT_REGULAR : FONT_BOLD, name_w - pad, fit, sizeof fit),
                    px, k ? FONT_REGULAR : FONT_BOLD, th->text, ALIGN_RIGHT);
        Box bg = {bar_x, y + row_h / 6, bar_w, row_h * 2 / 3};
        render_fill(r, bg, th->faint);
        if (!hide) {
            render_fill(r, (Box){bar_x, bg.y, (int)(bar_w * p), bg.h}, k ? th->bar : th->bar_top);
            snprintf(pct, sizeof pct, "%.1f%%", (double)(p * 100));
            render_text(r, bar_x + bar_w + pad / 2, y + (row_h - px) / 2 - 2, pct, px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
            Hot *h = render_hot(r, (Box){area.x, y, area.w, row_h}, HOT_BAR);
            if (h) {
                h->model = (short)a->model;
                h->t = (short)a->step;
                h->unit = top[k];
            }
        }
    }
    if (hide)
        render_text(r, area.x + area.w / 2, y0 + chart_h / 2 - lpx,
                    app_quiz_step(a) ? "Answer the quiz first (r reveals)"
                                     : "Guess first \xE2\x80\x94 press r to reveal",
                    lpx, FONT_BOLD, th->accent, ALIGN_CENTER);

    /* variants: every model's accuracy on the lesson's held-out rows, with
     * the weights shown (the epoch slider moves it) */
    int heldout_h = 0;
    if (d->is_lesson && dm->heldout_rows > 0) {
        int y = y0 + n * row_h + pad;
        char line[512];
        size_t at = (size_t)snprintf(line, sizeof line, "Held out: %d %s none of the models trained on", dm->heldout_rows,
                                     d->lesson.task == LESSON_CLASSIFY ? "sentences" : "next words");
        if (d->epoch >= 0 && at < sizeof line) at += (size_t)snprintf(line + at, sizeof line - at, " (weights after epoch %d)", d->epoch);
        render_text(r, area.x + pad, y, line, px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        y += render_line_height(r, px, FONT_REGULAR);
        int x = area.x + pad;
        for (int m = 0; m < d->n_models; m++) {
            const DocModel *o = &d->models[m];
            if (o->heldout_rows <= 0) continue;
            char item[96];
            snprintf(item, sizeof item, "%s %.1f%% right", o->label, 100.0 * o->heldout_acc);
            Box b = render_text(r, x, y, item, px, m == a->model ? FONT_BOLD : FONT_REGULAR, m == a->model ? th->text : th->text_dim,
                                ALIGN_LEFT);
            x = b.x + b.w + px * 2;
        }
        y += render_line_height(r, px, FONT_BOLD) + pad;
        if (y > area.y + chart_h + pad * 2) heldout_h = y - (area.y + chart_h + pad * 2);
    }

    /* input attribution (helper attr): the words read, shaded, at the bottom */
    if (app_attrib_shown(a)) {
        int ah = app_attrib_legend_height(a, r);
        app_attrib_sentence(a, r, (Box){area.x + pad, area.y + area.h - ah - pad, area.w - 2 * pad, ah});
    }
    /* along the sentence: the most probable next word after each step */
    if (!doc_predicts_words(d, a->model)) return;
    int y = area.y + chart_h + pad * 2 + heldout_h;
    render_text(r, area.x + pad, y, "what it expected next, step by step", spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    y += spx + pad / 2;
    int T = d->T, x = area.x + pad;
    float cw = (float)(area.w - 2 * pad) / T;
    for (int t = 0; t < T; t++) {
        int best = doc_first_class(d, a->model);
        for (int j = best; j < C; j++)
            if (prob(dm, t, j) > prob(dm, t, best)) best = j;
        char name[64], fit[64];
        const char *w = doc_word(d, t, wb, sizeof wb);
        int cx = x + (int)(t * cw + cw / 2);
        render_text(r, cx, y, render_fit_text(r, *w ? w : "\xE2\x80\x94", spx, FONT_REGULAR, (int)cw - 2, fit, sizeof fit), spx,
                    t == a->step ? FONT_BOLD : FONT_REGULAR, th->text, ALIGN_CENTER);
        if (t > a->step || (hide && t == a->step)) continue;
        const char *pw = doc_class_name(d, a->model, best, name, sizeof name);
        /* right when it equals the word that really came next */
        bool known = t + 1 < T;
        bool right = known && d->prompt.tokens[t + 1] == best;
        char f2[64];
        render_text(r, cx, y + spx + pad / 2, render_fit_text(r, pw, spx, FONT_BOLD, (int)cw - 2, f2, sizeof f2), spx, FONT_BOLD,
                    !known ? th->accent : (right ? th->good : th->bad), ALIGN_CENTER);
    }
}
