/* view_tensors: the input on its way from text to the first layer's
 * tensor, one stage a row, each with the tensor's shape beside it: the raw
 * text, the text as the tokenizer standardized it, the split tokens, their
 * word_index ids (unknown words and words cut by num_words shown as the
 * OOV id and marked), the ids padded and truncated to the model's length
 * (padding hatched), and the Embedding's output, one column of E numbers
 * per step with the current step outlined.
 * Does not tokenize: the stages are the document's (doc.h, PromptStages,
 * made by the same code the models' input is). Reads the App; changes
 * nothing. Depends on app, doc and render. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

/* the first Embedding layer of the model, -1 if none */
static int embedding_layer(const Model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == LAYER_EMBEDDING) return i;
    return -1;
}

/* diagonal lines across a box: padding */
static void hatch(Render *r, Box b, Color c)
{
    for (int q = -b.h; q < b.w; q += 6)
        render_line(r, (float)(b.x + (q > 0 ? q : 0)), (float)(b.y + (q < 0 ? -q : 0)),
                    (float)(b.x + (q + b.h < b.w ? q + b.h : b.w)), (float)(b.y + (b.w - q < b.h ? b.w - q : b.h)), c, 1.0f);
}

Color view_tensors_pad_color(const Theme *th)
{
    return color_mix(th->mask, th->panel, 0.2f);
}

/* A stage's label and caption on the left, its shape on the right */
static void stage_labels(const App *a, Render *r, Box row, int label_w, int shape_w, const char *label, const char *caption,
                         const char *shape)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL);
    char fit[160];
    render_text(r, row.x, row.y, render_fit_text(r, label, px, FONT_BOLD, label_w - px / 2, fit, sizeof fit), px, FONT_BOLD,
                th->text, ALIGN_LEFT);
    if (caption)
        render_text(r, row.x, row.y + render_line_height(r, px, FONT_BOLD),
                    render_fit_text(r, caption, spx, FONT_REGULAR, label_w - px / 2, fit, sizeof fit), spx, FONT_REGULAR,
                    th->text_dim, ALIGN_LEFT);
    render_text(r, row.x + row.w, row.y, render_fit_text(r, shape, px, FONT_MONO, shape_w, fit, sizeof fit), px, FONT_MONO,
                th->accent, ALIGN_RIGHT);
}

/* one box with a line of text centred in it (cut to fit) */
static void box_text(Render *r, Box b, const char *s, int px, FontStyle style, Color c)
{
    char fit[160];
    int lh = render_line_height(r, px, style);
    render_text(r, b.x + b.w / 2, b.y + (b.h - lh) / 2, render_fit_text(r, s, px, style, b.w - 4, fit, sizeof fit), px, style,
                c, ALIGN_CENTER);
}

void view_tensors_draw(const App *a, Render *r, Box area)
{
    const Theme *th = &a->theme;
    const Doc *d = a->doc;
    const DocModel *dm = &d->models[a->model];
    const Model *m = &dm->model;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL), lpx = app_px(a, TEXT_LARGE), pad = px;
    if (!d->has_stages) {
        render_text(r, area.x + pad, area.y + pad,
                    "This model has no tokenizer.json: its input is token ids or numbers, not text.", px, FONT_REGULAR,
                    th->text_dim, ALIGN_LEFT);
        return;
    }
    const PromptStages *st = &d->stages;
    const Tokenizer *tok = &d->tok;
    bool vectorize = tok->kind == TEXT_KERAS_VECTORIZATION;
    render_text(r, area.x + pad, area.y + pad / 2, "From text to tensors: what the model is given", lpx, FONT_BOLD, th->text,
                ALIGN_LEFT);
    int label_w = px * 10, shape_w = px * 8;
    int x0 = area.x + pad, x1 = area.x + area.w - pad;
    int cx0 = x0 + label_w, cx1 = x1 - shape_w; /* the content column */
    int cw = cx1 - cx0;
    int blh = render_line_height(r, px, FONT_BOLD), slh = render_line_height(r, spx, FONT_REGULAR);
    int y = area.y + pad / 2 + render_line_height(r, lpx, FONT_BOLD) + pad;
    int gap = pad / 2 + 2;
    char shape[64], cap[160], buf[128];
    const int n = st->words.n, T = st->padded.n;

    /* 1. the raw text */
    Box row = {x0, y, x1 - x0, blh + slh};
    stage_labels(a, r, row, label_w, shape_w, "1 raw text", "as typed", "(1,)");
    render_text(r, cx0, y, render_fit_text(r, d->input, px, FONT_MONO, cw, buf, sizeof buf), px, FONT_MONO, th->text, ALIGN_LEFT);
    y += row.h + gap;

    /* 2. standardized */
    if (vectorize)
        snprintf(cap, sizeof cap, "%s%s", text_standardize_name(tok->standardize) ? text_standardize_name(tok->standardize) : "none",
                 tok->strip_html_breaks ? ", <br /> out" : "");
    else if (tok->char_level)
        snprintf(cap, sizeof cap, "%s", tok->lower ? "lower case" : "as it is");
    else
        snprintf(cap, sizeof cap, "%spunctuation to spaces", tok->lower ? "lower case, " : "");
    row = (Box){x0, y, x1 - x0, blh + slh};
    stage_labels(a, r, row, label_w, shape_w, "2 standardized", cap, "(1,)");
    /* quoted, so the spaces the filters left show */
    char quoted[144];
    snprintf(quoted, sizeof quoted, "\xE2\x80\x9C%s\xE2\x80\x9D", render_fit_text(r, st->standardized, px, FONT_MONO, cw - px * 2, buf, sizeof buf));
    render_text(r, cx0, y, quoted, px, FONT_MONO, th->text, ALIGN_LEFT);
    y += row.h + gap;

    /* 3. split tokens and 4. their ids: one box per token, the id under it */
    float tw = n > 0 ? (float)cw / (float)n : (float)cw;
    if (tw > px * 6) tw = (float)(px * 6);
    int box_h = blh + 6;
    snprintf(shape, sizeof shape, "(1, %d)", n);
    row = (Box){x0, y, x1 - x0, box_h > blh + slh ? box_h : blh + slh};
    snprintf(cap, sizeof cap, "%s", vectorize ? (tok->split_mode == TEXT_SPLIT_CHARACTER ? "each character" : "on white space")
                                             : (tok->char_level ? "each character" : "on spaces"));
    stage_labels(a, r, row, label_w, shape_w, "3 split", cap, shape);
    for (int k = 0; k < n; k++) {
        Box b = {cx0 + (int)(k * tw) + 2, y, (int)tw - 4, box_h};
        render_fill(r, b, th->panel);
        render_outline(r, b, th->panel_edge, 1);
        box_text(r, b, st->words.words[k], px, FONT_REGULAR, th->text);
    }
    y += row.h + gap;

    int oov = tokenizer_oov_index(tok);
    if (vectorize) snprintf(cap, sizeof cap, "[UNK] = 1%s", tok->max_tokens ? ", max_tokens" : "");
    else if (tok->oov_token && tok->num_words) snprintf(cap, sizeof cap, "%s = %d, num_words %d", tok->oov_token, oov, tok->num_words);
    else if (tok->oov_token) snprintf(cap, sizeof cap, "%s = %d", tok->oov_token, oov);
    else snprintf(cap, sizeof cap, "unknown words dropped");
    snprintf(shape, sizeof shape, "(1, %d)", st->n_seq);
    int id_h = box_h + slh + 2;
    row = (Box){x0, y, x1 - x0, id_h > blh + slh ? id_h : blh + slh};
    stage_labels(a, r, row, label_w, shape_w, "4 word_index ids", cap, shape);
    /* which ids truncation drops: the first n_cut (pre) or the last (post) */
    for (int k = 0; k < n; k++) {
        Box b = {cx0 + (int)(k * tw) + 2, y, (int)tw - 4, box_h};
        bool marked = st->fate[k] != PROMPT_WORD_KNOWN;
        int j = -1; /* the word's place in the sequence */
        for (int q = 0; q < st->n_seq; q++)
            if (st->seq_word[q] == k) j = q;
        bool cut = j >= 0 && st->n_cut > 0 &&
                   (st->truncating == TEXT_PRE ? j < st->n_cut : j >= st->n_seq - st->n_cut);
        Color fg = cut ? th->text_dim : th->text;
        render_fill(r, b, cut ? th->faint : th->panel);
        render_outline(r, b, marked ? th->oov : th->panel_edge, marked ? 2 : 1);
        if (st->token[k]) snprintf(buf, sizeof buf, "%d", st->token[k]);
        else snprintf(buf, sizeof buf, "\xE2\x80\x94"); /* dropped: no OOV token */
        box_text(r, b, buf, px, FONT_BOLD, marked ? th->oov : fg);
        const char *why = st->fate[k] == PROMPT_WORD_CUT ? "OOV: num_words" : (st->fate[k] == PROMPT_WORD_UNKNOWN ? "OOV: unknown" : NULL);
        if (cut) why = st->truncating == TEXT_PRE ? "cut (pre)" : "cut (post)";
        if (why) {
            char fit[64];
            render_text(r, b.x + b.w / 2, b.y + b.h + 1, render_fit_text(r, why, spx, FONT_REGULAR, b.w + 2, fit, sizeof fit), spx,
                        FONT_REGULAR, cut ? th->text_dim : th->oov, ALIGN_CENTER);
        }
        if (cut) render_line(r, (float)b.x, (float)(b.y + b.h / 2), (float)(b.x + b.w), (float)(b.y + b.h / 2), th->text_dim, 1.5f);
    }
    y += row.h + gap;

    /* 5. padded and truncated to the model's length */
    float sw = T > 0 ? (float)cw / (float)T : (float)cw;
    if (sw > px * 6) sw = (float)(px * 6);
    snprintf(shape, sizeof shape, "(1, %d)", T);
    snprintf(cap, sizeof cap, "maxlen %d, padding %s, truncating %s", T, st->padding == TEXT_PRE ? "pre" : "post",
             st->truncating == TEXT_PRE ? "pre" : "post");
    row = (Box){x0, y, x1 - x0, box_h > blh + slh ? box_h : blh + slh};
    stage_labels(a, r, row, label_w, shape_w, "5 padded", cap, shape);
    Color pad_line = view_tensors_pad_color(th);
    for (int t = 0; t < T; t++) {
        Box b = {cx0 + (int)(t * sw) + 2, y, (int)sw - 4, box_h};
        bool is_pad = st->padded_from[t] < 0;
        render_fill(r, b, th->panel);
        if (is_pad) hatch(r, b, pad_line);
        snprintf(buf, sizeof buf, "%d", st->padded.tokens[t]);
        box_text(r, b, buf, px, is_pad ? FONT_REGULAR : FONT_BOLD, is_pad ? th->text_dim : th->text);
        render_outline(r, b, t == a->step ? th->highlight : th->panel_edge, t == a->step ? 3 : 1);
        Hot *h = render_hot(r, b, HOT_TOKEN);
        if (h) {
            h->t = (short)t;
            h->unit = st->padded.tokens[t];
            h->model = (short)a->model;
            h->layer = -1;
        }
    }
    y += row.h + gap;

    /* 6. the Embedding's output: one column of E numbers per step */
    int li = embedding_layer(m);
    if (li < 0 || !dm->traced) {
        render_text(r, x0, y, "This model has no Embedding layer: its first layer reads the ids.", px, FONT_REGULAR, th->text_dim,
                    ALIGN_LEFT);
        return;
    }
    const Layer *el = &m->layers[li];
    const int E = el->out_dim;
    const float *out = dm->trace.layers[li].out; /* (T, 1, E) */
    float range = 0;
    for (size_t q = 0; q < (size_t)T * (size_t)E; q++) range = fmaxf(range, fabsf(out[q]));
    if (range <= 0) range = 1;
    snprintf(shape, sizeof shape, "(1, %d, %d)", T, E);
    snprintf(cap, sizeof cap, "Embedding(%d, %d): row id of the table", el->vocab, E);
    int avail = area.y + area.h - y - pad - slh * 2;
    int cell = E > 0 ? avail / E : 0;
    if (cell > (int)sw - 4) cell = (int)sw - 4;
    if (cell > px * 2) cell = px * 2;
    if (cell < 2) cell = 2;
    row = (Box){x0, y, x1 - x0, cell * E};
    stage_labels(a, r, row, label_w, shape_w, "6 embedding", cap, shape);
    for (int t = 0; t < T; t++) {
        int bx = cx0 + (int)(t * sw) + 2 + ((int)sw - 4 - cell) / 2;
        for (int j = 0; j < E; j++) render_fill(r, (Box){bx, y + j * cell, cell, cell}, colormap(out[(size_t)t * E + j], range));
        Box col = {bx - 2, y - 2, cell + 4, cell * E + 4};
        if (t == a->step) render_outline(r, col, th->highlight, 3);
        else if (st->padded_from[t] < 0) render_outline(r, col, pad_line, 1);
    }
    snprintf(cap, sizeof cap, "step %d reads id %d: its %d numbers, outlined (colour: -%.2f blue to +%.2f red)", a->step + 1,
             a->step >= 0 && a->step < T ? st->padded.tokens[a->step] : 0, E, (double)range, (double)range);
    render_text(r, cx0, y + cell * E + 4, render_fit_text(r, cap, spx, FONT_REGULAR, x1 - cx0, buf, sizeof buf), spx,
                FONT_REGULAR, th->text_dim, ALIGN_LEFT);
}
