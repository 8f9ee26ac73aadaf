/* app_frame: one frame of the window: the top bar with the view tabs, the
 * input bar, the current view (from the table of views below), the lesson
 * panel, the status line, and the overlays (message, lesson list, key
 * list). Reads the App; changes nothing but the dirty flag. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"

/* The one table of views: what draws each. A new view is one line here
 * (and its name and title in lesson.c). */
static void (*const VIEW_DRAW[VIEW_COUNT])(const App *, Render *, Box) = {
    [VIEW_UNROLLED] = view_unrolled_draw,       [VIEW_INSPECTOR] = view_inspector_draw,
    [VIEW_COMPARE] = view_compare_draw,         [VIEW_PREDICTIONS] = view_predictions_draw,
    [VIEW_TRAINING] = view_training_draw,       [VIEW_GRADIENTS] = view_gradients_draw,
    [VIEW_GENERATE] = view_generate_draw,
    [VIEW_CHART] = view_chart_draw, /* chart helper */
    [VIEW_TENSORS] = view_tensors_draw, /* tensors (lesson 7) */
};

/* What a lesson step highlights, outlined over the squares the view drew:
 * the selected unit, or every square of a highlighted vector at this step */
static void draw_highlights(const App *a, Render *r)
{
    if (!a->has_selected && a->highlight_vec < 0) return;
    const Hot *sel = &a->selected;
    int n = r->n_hot;
    /* a whole vector: one outline around its squares in each lane */
    Box lanes[8];
    short lane_of[8];
    int n_lanes = 0;
    for (int i = 0; i < n; i++) {
        const Hot *h = &r->hot[i];
        if (h->kind != HOT_UNIT || h->model != a->model) continue;
        if (a->highlight_vec >= 0 && h->vec == a->highlight_vec && h->t == a->step) {
            int k = 0;
            while (k < n_lanes && lane_of[k] != h->layer * 2 + h->dir) k++;
            if (k == n_lanes) {
                if (n_lanes == 8) continue;
                lane_of[n_lanes] = (short)(h->layer * 2 + h->dir);
                lanes[n_lanes++] = h->box;
            }
            Box *b = &lanes[k];
            int x1 = b->x + b->w > h->box.x + h->box.w ? b->x + b->w : h->box.x + h->box.w;
            int y1 = b->y + b->h > h->box.y + h->box.h ? b->y + b->h : h->box.y + h->box.h;
            b->x = b->x < h->box.x ? b->x : h->box.x;
            b->y = b->y < h->box.y ? b->y : h->box.y;
            b->w = x1 - b->x;
            b->h = y1 - b->y;
        }
        if (a->has_selected && h->vec == sel->vec && h->t == sel->t && h->layer == sel->layer && h->dir == sel->dir &&
            h->grid_cell == 0 && h->unit == sel->unit)
            render_outline(r, (Box){h->box.x - 2, h->box.y - 2, h->box.w + 4, h->box.h + 4}, a->theme.accent, 2);
    }
    for (int k = 0; k < n_lanes; k++)
        render_outline(r, (Box){lanes[k].x - 3, lanes[k].y - 3, lanes[k].w + 6, lanes[k].h + 6}, a->theme.accent, 2);
}

/* Word-wraps text into box, paragraphs split on blank lines, skipping the
 * first skip lines; draws only when draw is true (otherwise it measures).
 * *used_h: the height used; *more: lines did not fit below. */
static void wrap_text(Render *r, Box box, const char *text, int px, FontStyle st, Color c, int skip, bool draw,
                      int *used_h, bool *more)
{
    char line[1024];
    int y = box.y, lh = (int)fmaxf((float)px * 1.35f, (float)render_line_height(r, px, st)), n = 0;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            if (n >= skip) y += *(p + 1) == '\n' ? lh / 2 : 0;
            p++;
            continue;
        }
        if (n >= skip && y + lh > box.y + box.h) break;
        size_t best = 0, k = 0;
        while (p[k] && p[k] != '\n' && k < sizeof line - 1) {
            size_t e = k;
            while (p[e] && p[e] != ' ' && p[e] != '\n' && e < sizeof line - 1) e++;
            memcpy(line, p, e);
            line[e] = '\0';
            int w = 0;
            render_text_size(r, line, px, st, &w, NULL);
            if (w > box.w && best > 0) break;
            best = e;
            k = e;
            while (p[k] == ' ') k++;
            if (w > box.w) break;
        }
        if (best == 0) best = k ? k : 1;
        memcpy(line, p, best);
        line[best] = '\0';
        if (n >= skip) {
            if (draw) render_text(r, box.x, y, line, px, st, c, ALIGN_LEFT);
            y += lh;
        }
        n++;
        p += best;
        while (*p == ' ') p++;
    }
    if (used_h) *used_h = y - box.y;
    if (more) *more = *p != '\0';
}

static void draw_wrapped(Render *r, Box box, const char *text, int px, FontStyle st, Color c, int *used_h)
{
    wrap_text(r, box, text, px, st, c, 0, true, used_h, NULL);
}

static Box draw_button(const App *a, Render *r, int x, int y, const char *label, bool on, int id, int px)
{
    const Theme *th = &a->theme;
    int w = 0, h = 0;
    render_text_size(r, label, px, FONT_BOLD, &w, &h);
    Box b = {x, y, w + px, h + px / 2};
    render_fill(r, b, on ? th->accent : th->panel);
    render_outline(r, b, on ? th->accent : th->panel_edge, 1);
    render_text(r, x + px / 2, y + px / 4, label, px, FONT_BOLD, on ? th->accent_text : th->text, ALIGN_LEFT);
    Hot *hot = render_hot(r, b, HOT_BUTTON);
    if (hot) hot->unit = id;
    return b;
}

static int draw_top(const App *a, Render *r)
{
    const Theme *th = &a->theme;
    int W = r->width, px = app_px(a, TEXT_BODY), tpx = app_px(a, TEXT_TITLE);
    int pad = px;
    int bar_h = tpx + 2 * pad;
    render_fill(r, (Box){0, 0, W, bar_h}, th->panel);
    render_fill(r, (Box){0, bar_h - 1, W, 1}, th->panel_edge);
    const char *title = a->has_doc ? a->doc->title : "unroll";
    /* tensors (lesson 7): with nine tabs, when the title would not fit
     * whole even in the body type on two lines, the tabs but the current one show only
     * their number (the ? list names them) */
    bool compact = false;
    {
        int tabs = 0, tw0 = 0;
        for (int v = 0; v < VIEW_COUNT; v++) {
            char label[64];
            snprintf(label, sizeof label, "%d %s", v + 1, view_kind_title((ViewKind)v));
            int w = 0;
            render_text_size(r, label, px, FONT_BOLD, &w, NULL);
            tabs += w + px + px / 2;
        }
        render_text_size(r, title, px, FONT_BOLD, &tw0, NULL);
        int room0 = W - pad - tabs - 2 * pad;
        if (tw0 > room0) {
            /* not even on two lines in the body type (below) */
            int used = 0;
            bool more = false;
            wrap_text(r, (Box){pad, 0, room0 > px ? room0 : px, bar_h - px / 3}, title, px, FONT_BOLD, th->text, 0, false, &used, &more);
            compact = more;
        }
    }
    /* view tabs on the right */
    int x = W - pad;
    for (int v = VIEW_COUNT - 1; v >= 0; v--) {
        char label[64];
        if (compact && a->view != (ViewKind)v) snprintf(label, sizeof label, "%d", v + 1);
        else snprintf(label, sizeof label, "%d %s", v + 1, view_kind_title((ViewKind)v));
        int w = 0;
        render_text_size(r, label, px, FONT_BOLD, &w, NULL);
        x -= w + px;
        draw_button(a, r, x, (bar_h - px * 3 / 2) / 2, label, a->view == (ViewKind)v, BTN_VIEW0 + v, px);
        x -= px / 2;
    }
    /* title on the left: in the title type, or the body type when the tabs
     * leave too little room (presenter mode), cut only if even that is too wide */
    char buf[256];
    int room = x - 2 * pad, tw = 0;
    render_text_size(r, title, tpx, FONT_BOLD, &tw, NULL);
    if (tw > room || compact) tpx = px;
    render_text_size(r, title, tpx, FONT_BOLD, &tw, NULL);
    if (tw > room) {
        /* two lines at the body size when they fit the bar (presenter mode) */
        int used = 0;
        bool more = false;
        Box tb = {pad, 0, room, bar_h - px / 3};
        wrap_text(r, tb, title, tpx, FONT_BOLD, th->text, 0, false, &used, &more);
        if (!more) {
            tb.y = (bar_h - used) / 2;
            wrap_text(r, tb, title, tpx, FONT_BOLD, th->text, 0, true, NULL, NULL);
            return bar_h;
        }
    }
    const char *fit = render_fit_text(r, title, tpx, FONT_BOLD, room, buf, sizeof buf);
    render_text(r, pad, (bar_h - render_line_height(r, tpx, FONT_BOLD)) / 2, fit, tpx, FONT_BOLD, th->text, ALIGN_LEFT);
    return bar_h;
}

/* width of the first n bytes of s */
static int prefix_width(Render *r, const char *s, int n, int px)
{
    char buf[DOC_MAX_INPUT];
    if (n <= 0) return 0;
    if (n > (int)sizeof buf - 1) n = (int)sizeof buf - 1;
    memcpy(buf, s, (size_t)n);
    buf[n] = '\0';
    int w = 0;
    render_text_size(r, buf, px, FONT_REGULAR, &w, NULL);
    return w;
}

/* The sentence being typed: the selection shaded, the cursor a bar; the
 * text slides left when the cursor would leave the field. */
static void draw_field(const App *a, Render *r, Box field, int tx, int ty, int px)
{
    const Theme *th = &a->theme;
    const TextField *f = &a->edit;
    int from = 0, to = 0;
    field_selection(f, &from, &to);
    int cx = prefix_width(r, f->text, f->cursor, px);
    int room = field.x + field.w - tx - px;
    int shift = cx > room ? cx - room : 0;
    if (from != to) {
        int x0 = prefix_width(r, f->text, from, px), x1 = prefix_width(r, f->text, to, px);
        Color sel = th->accent;
        sel.a = 90;
        render_fill(r, (Box){tx - shift + x0, ty, x1 - x0, px + px / 5}, sel);
    }
    if (f->text[0]) render_text(r, tx - shift, ty, f->text, px, FONT_REGULAR, th->text, ALIGN_LEFT);
    render_fill(r, (Box){tx - shift + cx, ty, 2, px + px / 5}, th->accent);
}

/* The input as words, the unknown ones (doc.c asks the tokenizer) marked. */
/* the next space-separated word of s into word (cut to cap); the text
 * after it, or NULL when there is none */
static const char *next_word(const char *s, char *word, size_t cap)
{
    while (*s == ' ') s++;
    if (!*s) return NULL;
    size_t n = strcspn(s, " "), k = n < cap - 1 ? n : cap - 1;
    memcpy(word, s, k);
    word[k] = '\0';
    return s + n;
}

static void draw_words(const App *a, Render *r, Box field, int tx, int ty, int px, int spx, int pad)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    char word[256];
    int sw = 0;
    render_text_size(r, " ", px, FONT_REGULAR, &sw, NULL);
    /* teaching truth: a sentence longer than the bar ends in a mark with
     * its number of words, after the last word that fits whole (Enter
     * shows it all, scrolling) */
    int words = 0, total = 0;
    for (const char *p = d->input; (p = next_word(p, word, sizeof word));) {
        int w = 0;
        render_text_size(r, word, px, FONT_REGULAR, &w, NULL);
        total += (words ? sw : 0) + w;
        words++;
    }
    int limit = field.x + field.w - pad / 2;
    char mark[64] = "";
    if (tx + total > limit) {
        if (d->prompt.n_oov > 0) snprintf(mark, sizeof mark, "\xE2\x80\xA6 %d words, %d unknown", words, d->prompt.n_oov);
        else snprintf(mark, sizeof mark, "\xE2\x80\xA6 %d words", words);
        int mw = 0;
        render_text_size(r, mark, spx, FONT_BOLD, &mw, NULL);
        limit -= mw + pad;
    }
    const char *s = d->input;
    int cx = tx;
    for (int w = 0; (s = next_word(s, word, sizeof word)); w++) {
        int ww = 0;
        render_text_size(r, word, px, FONT_REGULAR, &ww, NULL);
        if (cx + ww > limit) break; /* words past the bar are not drawn */
        bool unknown = doc_input_word_unknown(d, w);
        Box wb = render_text(r, cx, ty, word, px, FONT_REGULAR, unknown ? th->oov : th->text, ALIGN_LEFT);
        if (unknown) render_fill(r, (Box){wb.x, wb.y + wb.h - 2, wb.w, 2}, th->oov);
        cx = wb.x + wb.w + sw;
    }
    if (mark[0])
        render_text(r, field.x + field.w - pad / 2, ty + (px - spx) / 2, mark, spx, FONT_BOLD, d->prompt.n_oov > 0 ? th->oov : th->text_dim,
                    ALIGN_RIGHT);
    if (d->prompt.n_oov > 0 && !mark[0]) {
        char note[128];
        snprintf(note, sizeof note, "%d unknown word%s", d->prompt.n_oov, d->prompt.n_oov > 1 ? "s" : "");
        render_text(r, field.x + field.w - pad / 2, ty + (px - spx) / 2, note, spx, FONT_REGULAR, th->oov, ALIGN_RIGHT);
    }
}

static int draw_input_bar(const App *a, Render *r, int y)
{
    const Theme *th = &a->theme;
    int W = r->width, px = app_px(a, TEXT_LARGE), spx = app_px(a, TEXT_BODY), pad = spx;
    int h = px + pad * 2;
    render_fill(r, (Box){0, y, W, h}, th->bg);
    int x = pad;
    const char *label = a->has_doc && !a->doc->models[0].model.token_input ? "Input" : "Sentence";
    if (a->editing && a->quiz_typing) label = "Your answer";
    Box lb = render_text(r, x, y + pad + (px - spx) / 2, label, spx, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    x = lb.x + lb.w + pad;
    /* model chips on the right */
    int right = W - pad;
    if (a->has_doc && a->doc->n_models > 1) {
        for (int m = a->doc->n_models - 1; m >= 0; m--) {
            int w = 0;
            render_text_size(r, a->doc->models[m].label, spx, FONT_BOLD, &w, NULL);
            right -= w + spx;
            draw_button(a, r, right, y + pad / 2 + (px - spx) / 2, a->doc->models[m].label, a->model == m, BTN_MODEL0 + m, spx);
            right -= spx / 2;
        }
        right -= pad;
    }
    Box field = {x, y + pad / 2, right - x, px + pad};
    render_fill(r, field, th->panel);
    render_outline(r, field, a->editing ? th->accent : th->panel_edge, a->editing ? 2 : 1);
    Hot *hot = render_hot(r, field, HOT_BUTTON);
    if (hot) hot->unit = BTN_INPUT;
    int tx = field.x + pad / 2, ty = field.y + pad / 2;
    render_clip_push(r, field);
    if (a->editing) draw_field(a, r, field, tx, ty, px);
    else if (a->has_doc) draw_words(a, r, field, tx, ty, px, spx, pad);
    render_clip_pop(r);
    return h;
}

/* hist: the training history's slider, under the input bar of every view
 * when the models have one: "epoch 0 ... N", the handle at the epoch shown */
static int draw_epoch_bar(const App *a, Render *r, int y)
{
    int last = doc_epoch_count(a->doc);
    if (last < 1) return 0;
    const Theme *th = &a->theme;
    int W = r->width, px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), pad = px / 2;
    int h = px + 2 * pad, shown = doc_epoch_shown(a->doc);
    render_fill(r, (Box){0, y, W, h}, th->bg);
    render_fill(r, (Box){0, y + h - 1, W, 1}, th->panel_edge);
    char now[128];
    if (shown == 0) snprintf(now, sizeof now, "epoch 0 of %d: the initial weights", last);
    else if (shown == last) snprintf(now, sizeof now, "epoch %d of %d: trained", last, last);
    else snprintf(now, sizeof now, "epoch %d of %d", shown, last);
    Box lb = render_text(r, px, y + pad, "Training", px, FONT_BOLD, th->text_dim, ALIGN_LEFT);
    int nw = 0;
    render_text_size(r, "epoch 0000 of 0000: the initial weights", px, FONT_BOLD, &nw, NULL);
    int x0 = lb.x + lb.w + px, x1 = W - px * 2 - nw;
    if (x1 - x0 < px * 4) x1 = x0 + px * 4;
    Box e0 = render_text(r, x0, y + pad + (px - spx) / 2, "0", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    char lastn[16];
    snprintf(lastn, sizeof lastn, "%d", last);
    int lw = 0;
    render_text_size(r, lastn, spx, FONT_REGULAR, &lw, NULL);
    render_text(r, x1, y + pad + (px - spx) / 2, lastn, spx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    Box track = {e0.x + e0.w + spx, y + h / 2 - 2, x1 - lw - spx - (e0.x + e0.w + spx), 4};
    if (track.w < 2) track.w = 2;
    render_fill(r, track, th->panel_edge);
    int hx = track.x + (int)lroundf((float)shown / (float)last * (float)(track.w - 1));
    render_fill(r, (Box){track.x, track.y, hx - track.x, track.h}, th->accent);
    for (int k = 0; k <= last && last <= 200; k++) { /* one tick an epoch while they fit */
        int tx = track.x + (int)lroundf((float)k / (float)last * (float)(track.w - 1));
        render_fill(r, (Box){tx, track.y - 3, 1, track.h + 6}, th->panel_edge);
    }
    int hw = px / 2 + 2;
    render_fill(r, (Box){hx - hw / 2, y + pad / 2, hw, h - pad}, th->accent);
    render_text(r, W - px, y + pad, now, px, FONT_BOLD, th->text, ALIGN_RIGHT);
    Hot *hot = render_hot(r, (Box){track.x, y, track.w, h}, HOT_BUTTON);
    if (hot) hot->unit = BTN_EPOCH_SLIDER;
    return h;
}

static void draw_message(const App *a, Render *r)
{
    if (!a->message[0]) return;
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), W = r->width;
    int w = W * 2 / 3, x = (W - w) / 2, y = r->height / 3;
    int used = 0;
    Box inner = {x + px, y + px * 3, w - 2 * px, px * 4};
    render_fill(r, (Box){x, y, w, px * 8}, th->panel);
    render_outline(r, (Box){x, y, w, px * 8}, a->message_is_error ? th->bad : th->accent, 3);
    render_text(r, x + px, y + px, a->message_is_error ? "Cannot open that" : "Note", px, FONT_BOLD,
                a->message_is_error ? th->bad : th->accent, ALIGN_LEFT);
    draw_wrapped(r, inner, a->message, px, FONT_REGULAR, th->text, &used);
    render_text(r, x + w - px, y + px, "Esc to close", app_px(a, TEXT_SMALL), FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
}

Box app_draw_overlay(const App *a, Render *r, int w, int h, int margin)
{
    const Theme *th = &a->theme;
    if (w > r->width - 2 * margin) w = r->width - 2 * margin;
    int x = (r->width - w) / 2, y = (r->height - h) / 2;
    if (y < margin) y = margin;
    render_fill(r, (Box){0, 0, r->width, r->height}, (Color){0, 0, 0, 110});
    render_fill(r, (Box){x, y, w, h}, th->panel);
    render_outline(r, (Box){x, y, w, h}, th->accent, 2);
    return (Box){x, y, w, h};
}

static void draw_lesson_list(const App *a, Render *r)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), lpx = app_px(a, TEXT_LARGE), lh = render_line_height(r, lpx, FONT_BOLD) + px / 2;
    Box panel = app_draw_overlay(a, r, px * 36, lh * (a->n_lessons + 1) + px * 3, px);
    int x = panel.x, y = panel.y, w = panel.w;
    render_text(r, x + px, y + px, a->n_lessons ? "Lessons  (a number or a click opens one)" : "No lessons found", px, FONT_BOLD,
                th->text_dim, ALIGN_LEFT);
    for (int i = 0; i < a->n_lessons; i++) {
        int yy = y + px * 2 + lh * i + px / 2;
        char label[200], fit[200];
        snprintf(label, sizeof label, "%d  %s", i + 1, a->lesson_titles[i]);
        bool current = a->has_doc && strcmp(a->doc->path, a->lesson_paths[i]) == 0;
        render_text(r, x + px, yy, render_fit_text(r, label, lpx, FONT_BOLD, w - 2 * px, fit, sizeof fit), lpx, FONT_BOLD,
                    current ? th->accent : th->text, ALIGN_LEFT);
        Hot *hot = render_hot(r, (Box){x, yy, w, lh}, HOT_BUTTON);
        if (hot) hot->unit = BTN_LESSON0 + i;
    }
}

int app_lesson_panel_width(const App *a, int W)
{
    return W * (a->presenter ? 40 : 30) / 100;
}

int app_lesson_px(const App *a)
{
    int px = app_px(a, TEXT_BODY);
    if (!a->presenter) return px;
    float h = (float)(a->render.height > 0 ? a->render.height : 720);
    float w = (float)(a->render.width > 0 ? a->render.width : 1280);
    int big = (int)lroundf(fminf(h, w * 0.5625f) * 0.027f * a->font_scale);
    return big > px ? big : px;
}

/* A step's quiz: the question, then for a judged one its choices (or the
 * typed answer), and once answered the verdict and the explanation.
 * Returns the height; draws only when draw is true. */
static int quiz_block(const App *a, Render *r, Box box, bool draw)
{
    const Theme *th = &a->theme;
    const LessonDirectives *d = &a->doc->lesson.steps[a->lesson_step].dir;
    const LessonDirectives *judged = app_quiz_step(a);
    int px = app_lesson_px(a), spx = app_px(a, TEXT_SMALL), pad = px / 2, used = 0;
    int y = box.y;
    wrap_text(r, (Box){box.x, y, box.w, px * 8}, d->quiz, px, FONT_BOLD, th->accent, 0, draw, &used, NULL);
    y += used + pad / 2;
    if (!judged) {
        if (draw)
            render_text(r, box.x, y, a->quiz_revealed ? "(answer shown; r hides it)" : "press r to reveal the answer", spx,
                        FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return y + render_line_height(r, spx, FONT_REGULAR) - box.y;
    }
    char abuf[128];
    const char *answer = app_quiz_answer(a, abuf, sizeof abuf);
    if (judged->n_choices) {
        /* the choices as buttons, flowing into rows */
        int x = box.x, bh = px + pad;
        for (int k = 0; k < judged->n_choices; k++) {
            char label[96];
            snprintf(label, sizeof label, "%d  %s", k + 1, judged->choices[k]);
            int tw = 0;
            render_text_size(r, label, px, FONT_BOLD, &tw, NULL);
            int bw = tw + px;
            if (x > box.x && x + bw > box.x + box.w) {
                x = box.x;
                y += bh + pad;
            }
            Box b = {x, y, bw, bh};
            if (draw) {
                bool picked = a->quiz_judged && a->quiz_pick == k;
                bool right = answer && strcmp(answer, judged->choices[k]) == 0;
                Color fill = picked ? (a->quiz_right ? th->good : th->bad) : th->panel;
                render_fill(r, b, fill);
                if (a->quiz_judged && right) render_outline(r, (Box){b.x - 3, b.y - 3, b.w + 6, b.h + 6}, th->good, 3);
                else render_outline(r, b, th->panel_edge, 1);
                render_text(r, b.x + px / 2, b.y + pad / 2, label, px, FONT_BOLD, picked ? th->accent_text : th->text,
                            ALIGN_LEFT);
                Hot *hot = render_hot(r, b, HOT_BUTTON);
                if (hot) hot->unit = BTN_CHOICE0 + k;
            }
            x += bw + pad;
        }
        y += bh + pad;
    } else if (a->quiz_judged) {
        char typed[128];
        snprintf(typed, sizeof typed, "you typed \xE2\x80\x9C%s\xE2\x80\x9D", a->quiz_typed);
        Box tb = {box.x, y, box.w, px + pad};
        if (draw) {
            render_fill(r, tb, a->quiz_right ? th->good : th->bad);
            render_text(r, tb.x + px / 2, tb.y + pad / 2, typed, px, FONT_BOLD, th->accent_text, ALIGN_LEFT);
        }
        y += tb.h + pad;
    }
    if (!a->quiz_judged) {
        const char *how = judged->n_choices ? "a number key or a click answers" : "Enter: type the word, Enter again to check it";
        if (draw) render_text(r, box.x, y, how, spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return y + render_line_height(r, spx, FONT_REGULAR) - box.y;
    }
    char verdict[256];
    if (a->quiz_right) snprintf(verdict, sizeof verdict, "Right: \xE2\x80\x9C%s\xE2\x80\x9D.", answer ? answer : "");
    else snprintf(verdict, sizeof verdict, "Not this time: the answer is \xE2\x80\x9C%s\xE2\x80\x9D.", answer ? answer : "?");
    y += pad / 2;
    wrap_text(r, (Box){box.x, y, box.w, px * 4}, verdict, px, FONT_BOLD, a->quiz_right ? th->good : th->bad, 0, draw,
              &used, NULL);
    y += used;
    if (judged->explain) {
        wrap_text(r, (Box){box.x, y, box.w, px * 12}, judged->explain, px, FONT_REGULAR, th->text, 0, draw, &used, NULL);
        y += used;
    }
    return y - box.y;
}

static int draw_lesson_panel(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Lesson *l = &a->doc->lesson;
    int px = app_lesson_px(a), pad = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL);
    int w = app_lesson_panel_width(a, area.w);
    Box p = {area.x + area.w - w, area.y, w, area.h};
    render_fill(r, p, th->panel);
    render_fill(r, (Box){p.x, p.y, 1, p.h}, th->panel_edge);
    int y = p.y + pad;
    char head[96];
    if (a->lesson_step < 0) snprintf(head, sizeof head, "Introduction");
    else snprintf(head, sizeof head, "Step %d of %d", a->lesson_step + 1, l->n_steps);
    render_text(r, p.x + pad, y, head, spx, FONT_BOLD, th->accent, ALIGN_LEFT);
    y += render_line_height(r, spx, FONT_BOLD) + pad / 2;
    const char *title = a->lesson_step < 0 ? l->title : l->steps[a->lesson_step].title;
    int used = 0, tpx = a->presenter ? px * 5 / 4 : app_px(a, TEXT_LARGE);
    draw_wrapped(r, (Box){p.x + pad, y, w - 2 * pad, tpx * 3}, title, tpx, FONT_BOLD, th->text, &used);
    y += used + pad / 2;
    const char *text = a->lesson_step < 0 ? (l->intro ? l->intro : "") : l->steps[a->lesson_step].text;
    if (!text) text = "";
    int foot = spx * 2 + pad, bottom = p.y + p.h - foot - pad;
    Box inner = {p.x + pad, y, w - 2 * pad, 0};
    /* the quiz keeps its place below the narration; the narration scrolls */
    int quiz_h = 0;
    bool has_quiz = a->lesson_step >= 0 && l->steps[a->lesson_step].dir.quiz;
    if (has_quiz) quiz_h = quiz_block(a, r, (Box){inner.x, 0, inner.w, 0}, false) + pad;
    int room = bottom - y - quiz_h, text_h = 0, mark = spx + pad / 2;
    bool more = false;
    wrap_text(r, (Box){inner.x, y, inner.w, 1 << 20}, text, px, FONT_REGULAR, th->text, 0, false, &text_h, NULL);
    /* the furthest scroll: the first skip at which the rest fits */
    int max_skip = 0;
    if (text_h > room) {
        Box all = {inner.x, y, inner.w, 1 << 20};
        int rest = text_h;
        while (rest > room - mark && max_skip < LESSON_SCROLL_MAX)
            wrap_text(r, all, text, px, FONT_REGULAR, th->text, ++max_skip, false, &rest, NULL);
    }
    int skip = a->lesson_scroll < max_skip ? a->lesson_scroll : max_skip;
    /* the narration's region tells the wheel (app_events.c) how far it scrolls;
     * registered first, so the quiz's choices drawn later take their clicks */
    Hot *region = render_hot(r, (Box){p.x, p.y, p.w, bottom - p.y}, HOT_BUTTON);
    if (region) {
        region->unit = BTN_NARRATION;
        region->t = (short)max_skip;
    }
    wrap_text(r, (Box){inner.x, y, inner.w, text_h > room ? room - mark : room}, text, px, FONT_REGULAR, th->text, skip,
              true, &used, &more);
    y += used;
    if (skip > 0 || more) {
        char note[96];
        snprintf(note, sizeof note, "%s%s", skip > 0 ? "\xE2\x86\x91 more above  " : "",
                 more ? "\xE2\x86\x93 more below (mouse wheel here scrolls)" : "");
        render_text(r, inner.x, y, note, spx, FONT_BOLD, th->accent, ALIGN_LEFT);
        y += mark;
    }
    if (has_quiz) quiz_block(a, r, (Box){inner.x, y + pad, inner.w, 0}, true);
    render_text(r, p.x + pad, p.y + p.h - foot, "PageUp / PageDown: previous / next step", spx, FONT_REGULAR, th->text_dim,
                ALIGN_LEFT);
    return w;
}

void app_draw(App *a)
{
    Render *r = &a->render;
    render_begin(r, a->theme.bg); /* reads the drawable size: the layout follows the window */
    int top = draw_top(a, r);
    int status = app_draw_status(a, r);
    if (a->has_doc) {
        int inbar = draw_input_bar(a, r, top);
        inbar += draw_epoch_bar(a, r, top + inbar); /* hist */
        Box area = {0, top + inbar, r->width, r->height - top - inbar - status};
        if (a->doc->is_lesson && a->show_lesson) area.w -= draw_lesson_panel(a, r, area);
        app_attrib_refresh(a); /* a cache of state, before the views read it */
        render_clip_push(r, area);
        VIEW_DRAW[(unsigned)a->view < VIEW_COUNT ? a->view : VIEW_UNROLLED](a, r, area);
        draw_highlights(a, r);
        render_clip_pop(r);
        draw_tooltip(a, r);
    } else {
        int px = app_px(a, TEXT_LARGE);
        render_text(r, r->width / 2, r->height / 2 - px, "Drop a lesson (.md) or a model folder here", px, FONT_BOLD,
                    a->theme.text_dim, ALIGN_CENTER);
    }
    draw_message(a, r);
    /* overlays the user asked for come on top of everything */
    if (a->show_lessons) draw_lesson_list(a, r);
    if (a->show_help) app_draw_help(a, r);
    render_end(r);
    a->dirty = false;
}
