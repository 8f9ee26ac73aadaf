/* app_attrib: input attribution in the window (the a key, a lesson's
 * `attribution:`). For the prediction at the current step (the class of the
 * hovered bar, or the one the lesson names, or the most probable) each input
 * word's token cell is shaded by gradient x input of that class's log-odds
 * (model_attribute), scaled so the largest |value| is the end of the
 * diverging map: red pushed toward the class, blue away from it. Shift+A
 * shows occlusion instead: how much p of the class drops when the word is
 * made padding (one forward pass per word).
 *
 * The figures are a cache of state, refreshed by app_attrib_refresh before
 * a frame is drawn (one forward and one backward pass when the model, step,
 * class or sentence changed); drawing only reads them. Depends on the
 * engine (attrib.c), doc and render. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

void app_attrib_free(App *a)
{
    free(a->attrib.values);
    free(a->attrib.tokens);
    a->attrib = (AttribCache){0};
}

/* the class asked for: the hovered bar of this step, the lesson's, else the top one */
static int wanted_class(const App *a, const Model *m)
{
    if (a->has_hover && a->hover.kind == HOT_BAR && a->hover.model == a->model && a->hover.t == a->step)
        return a->hover.unit;
    if (a->attrib_class >= 0 && a->attrib_class < model_attrib_classes(m)) return a->attrib_class;
    return -1;
}

void app_attrib_refresh(App *a)
{
    AttribCache *c = &a->attrib;
    if (!a->attrib_on || !a->has_doc || app_answer_hidden(a)) {
        c->valid = false;
        return;
    }
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    const int T = d->T;
    if (!dm->traced || T < 1 || a->step < 0 || a->step >= T || !dm->preds) {
        c->valid = false;
        return;
    }
    int want = wanted_class(a, m);
    const int *tokens = m->token_input ? dm->trace.tokens : NULL;
    const float *input = m->token_input ? NULL : dm->trace.input;
    size_t in_bytes = m->token_input ? (size_t)T * sizeof(int) : (size_t)T * (size_t)m->input_dim * sizeof(float);
    /* the prediction row too: retrained weights change it */
    const float *pred = dm->preds + (size_t)a->step * (size_t)dm->n_classes;
    size_t pred_bytes = (size_t)dm->n_classes * sizeof *pred;
    if (c->valid && c->model == a->model && c->step == a->step && c->asked == want && c->T == T &&
        c->occlusion == a->attrib_occlusion &&
        c->in_bytes == in_bytes + pred_bytes &&
        memcmp(c->tokens, m->token_input ? (const void *)tokens : (const void *)input, in_bytes) == 0 &&
        memcmp((const char *)c->tokens + in_bytes, pred, pred_bytes) == 0)
        return;
    c->valid = false;
    Err err = {{0}};
    int k = want;
    if (k < 0) {
        /* the top bar of the side panel: the most probable class from the
         * first one shown (a next-word model's class 0 is padding) */
        if (dm->binary) {
            k = pred[0] > 0.5f;
        } else {
            k = doc_first_class(d, a->model);
            for (int j = k; j < dm->n_classes; j++) k = pred[j] > pred[k] ? j : k;
        }
    }
    free(c->values);
    free(c->tokens);
    c->values = xcalloc((size_t)T, sizeof *c->values);
    c->tokens = xmalloc(in_bytes + pred_bytes);
    memcpy(c->tokens, m->token_input ? (const void *)tokens : (const void *)input, in_bytes);
    memcpy((char *)c->tokens + in_bytes, pred, pred_bytes);
    c->in_bytes = in_bytes + pred_bytes;
    AttribMethod method = a->attrib_occlusion ? ATTRIB_OCCLUSION : ATTRIB_GRADIENT;
    if (!model_attribute(c->values, m, tokens, input, T, a->step, k, method, &err)) return;
    c->occlusion = a->attrib_occlusion;
    c->range = 0.0f;
    for (int s = 0; s < T; s++) c->range = fmaxf(c->range, fabsf(c->values[s]));
    c->model = a->model;
    c->step = a->step;
    c->asked = want;
    c->cls = k;
    c->T = T;
    c->valid = true;
}

bool app_attrib_shown(const App *a)
{
    return a->attrib_on && a->attrib.valid && a->attrib.model == a->model && a->attrib.step == a->step &&
           a->attrib.T == a->doc->T && !app_answer_hidden(a);
}

Color app_attrib_color(const App *a, int s)
{
    const AttribCache *c = &a->attrib;
    float v = s >= 0 && s < c->T ? c->values[s] : 0.0f;
    return colormap(v, c->range > 0.0f ? c->range : 1.0f);
}

Color app_attrib_text_color(const App *a, int s, Color usual)
{
    if (!app_attrib_shown(a) || s < 0 || s >= a->attrib.T || a->attrib.values[s] == 0.0f) return usual;
    /* dark type on the pale middle of the map, white on its dark ends, in either theme */
    Color c = app_attrib_color(a, s);
    float lum = 0.299f * c.r + 0.587f * c.g + 0.114f * c.b;
    return lum > 140.0f ? (Color){25, 25, 25, 255} : (Color){255, 255, 255, 255};
}

void app_attrib_shade(const App *a, Render *r, Box cell, int s)
{
    if (!app_attrib_shown(a) || s < 0 || s >= a->attrib.T) return;
    if (a->attrib.values[s] == 0.0f) return;
    render_fill(r, cell, app_attrib_color(a, s));
}

/* "contribution to" / "'negative'" / the map / "against ... for" /
 * "gradient x input, log-odds": narrow enough for a side panel */
void app_attrib_legend(const App *a, Render *r, Box box)
{
    if (!app_attrib_shown(a)) return;
    const Theme *th = &a->theme;
    int spx = app_px(a, TEXT_SMALL);
    int lh = render_line_height(r, spx, FONT_REGULAR);
    char name[64], head[96], fit[128];
    snprintf(head, sizeof head, "\xE2\x80\x98%s\xE2\x80\x99", doc_class_name(a->doc, a->model, a->attrib.cls, name, sizeof name));
    render_text(r, box.x, box.y, "contribution to", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    render_text(r, box.x, box.y + lh, render_fit_text(r, head, spx, FONT_BOLD, box.w, fit, sizeof fit), spx, FONT_BOLD,
                th->text, ALIGN_LEFT);
    /* the map from "against" (blue) to "for" (red) */
    int bar_y = box.y + 2 * lh + 2, bar_h = spx / 2 + 2, n = 24;
    for (int i = 0; i < n; i++) {
        int x0 = box.x + box.w * i / n, x1 = box.x + box.w * (i + 1) / n;
        render_fill(r, (Box){x0, bar_y, x1 - x0, bar_h}, colormap(-1.0f + 2.0f * ((float)i + 0.5f) / (float)n, 1.0f));
    }
    render_text(r, box.x, bar_y + bar_h + 2, "against", spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    render_text(r, box.x + box.w, bar_y + bar_h + 2, "for", spx, FONT_REGULAR, th->text_dim, ALIGN_RIGHT);
    /* what is measured: gradient x input of the class's log-odds, or occlusion */
    const char *how[2] = {"gradient \xC3\x97 input", "of the log-odds"};
    if (a->attrib.occlusion) how[0] = "drop in p with", how[1] = "the word removed";
    for (int i = 0; i < 2; i++)
        render_text(r, box.x, bar_y + bar_h + 2 + (i + 1) * lh, render_fit_text(r, how[i], spx, FONT_REGULAR, box.w, fit, sizeof fit),
                    spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
}

int app_attrib_legend_height(const App *a, Render *r)
{
    int spx = app_px(a, TEXT_SMALL), lh = render_line_height(r, spx, FONT_REGULAR);
    return 5 * lh + spx / 2 + 6;
}

void app_attrib_sentence(const App *a, Render *r, Box box)
{
    if (!app_attrib_shown(a)) return;
    const Doc *d = a->doc;
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL);
    int legend_w = px * 12, lh = app_attrib_legend_height(a, r);
    app_attrib_legend(a, r, (Box){box.x, box.y, legend_w - px, lh});
    int x = box.x + legend_w, w = box.w - legend_w, T = d->T;
    /* the words the prediction read: up to the current step, in as many
     * rows as it takes to give each word about six characters */
    int first = 0;
    if (d->models[a->model].model.token_input)
        while (first < a->step && d->prompt.tokens[first] == 0) first++;
    int n = a->step - first + 1;
    int per_row = w / (spx * 4);
    per_row = per_row < 1 ? 1 : per_row;
    int rows = (n + per_row - 1) / per_row;
    int ch = render_line_height(r, spx, FONT_REGULAR) + 6;
    if (rows * (ch + 4) > box.h) rows = box.h / (ch + 4) > 0 ? box.h / (ch + 4) : 1;
    per_row = (n + rows - 1) / rows;
    float cw = (float)w / (float)per_row;
    for (int s = first; s <= a->step && s < T; s++) {
        int i = s - first, row = i / per_row, col = i % per_row;
        if (row >= rows) break;
        int x0 = x + (int)((float)col * cw), y0 = box.y + row * (ch + 4);
        Box cell = {x0 + 1, y0, (int)cw - 2, ch};
        render_fill(r, cell, th->panel);
        app_attrib_shade(a, r, cell, s);
        char wb[64], fit[64];
        const char *word = doc_word(d, s, wb, sizeof wb);
        render_text(r, x0 + (int)cw / 2, y0 + 3, render_fit_text(r, *word ? word : "\xE2\x80\x94", spx, FONT_REGULAR, (int)cw - 4, fit, sizeof fit),
                    spx, FONT_REGULAR, app_attrib_text_color(a, s, th->text), ALIGN_CENTER);
        render_outline(r, cell, th->panel_edge, 1);
    }
}
