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

/* A stage's header line: its label, what made it (dim), and the tensor's
 * shape on the right; returns the y below it */
static int stage_header(const App *a, Render *r, int x0, int x1, int y, const char *label, const char *caption, const char *shape)
{
    const Theme *th = &a->theme;
    int px = app_px(a, TEXT_BODY), spx = app_px(a, TEXT_SMALL);
    int sw = 0, lw = 0;
    render_text_size(r, shape, px, FONT_MONO, &sw, NULL);
    render_text(r, x1, y, shape, px, FONT_MONO, th->accent, ALIGN_RIGHT);
    Box lb = render_text(r, x0, y, label, px, FONT_BOLD, th->text, ALIGN_LEFT);
    lw = lb.w;
    char fit[200];
    int bh = render_line_height(r, px, FONT_BOLD), sh = render_line_height(r, spx, FONT_REGULAR);
    if (caption)
        render_text(r, x0 + lw + px, y + bh - sh, render_fit_text(r, caption, spx, FONT_REGULAR, x1 - sw - px * 2 - x0 - lw, fit, sizeof fit),
                    spx, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
    return y + bh + 2;
}

/* one box with a line of text centred in it: in type px, else in the
 * smaller type small when that fits it whole, else cut to fit */
static void box_text_in(Render *r, Box b, const char *s, int px, int small, FontStyle style, Color c)
{
    char fit[160];
    int w = 0;
    render_text_size(r, s, px, style, &w, NULL);
    if (w > b.w - 4 && small > 0) {
        int ws = 0;
        render_text_size(r, s, small, style, &ws, NULL);
        if (ws <= b.w - 2) px = small;
    }
    int lh = render_line_height(r, px, style);
    render_text(r, b.x + b.w / 2, b.y + (b.h - lh) / 2, render_fit_text(r, s, px, style, b.w - 2, fit, sizeof fit), px, style,
                c, ALIGN_CENTER);
}

static void box_text(Render *r, Box b, const char *s, int px, FontStyle style, Color c)
{
    box_text_in(r, b, s, px, 0, style, c);
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
                    m->token_input ? "This model has no tokenizer.json: its input is token ids, not text."
                                   : "This model reads numbers at every step, not text: there are no tokens to show.",
                    px, FONT_REGULAR, th->text_dim, ALIGN_LEFT);
        return;
    }
    const PromptStages *st = &d->stages;
    const Tokenizer *tok = &d->tok;
    bool vectorize = tok->kind == TEXT_KERAS_VECTORIZATION;
    int x0 = area.x + pad, x1 = area.x + area.w - pad, cw = x1 - x0;
    render_text(r, x0, area.y + pad / 2, "From text to tensors: what the model is given", lpx, FONT_BOLD, th->text, ALIGN_LEFT);
    int blh = render_line_height(r, px, FONT_BOLD), slh = render_line_height(r, spx, FONT_REGULAR);
    int mlh = render_line_height(r, px, FONT_MONO);
    int y = area.y + pad / 2 + render_line_height(r, lpx, FONT_BOLD) + pad / 2;
    int gap = pad / 2 + 2;
    char shape[64], cap[200], buf[160];
    const int n = st->words.n, T = st->padded.n;

    /* 1. the raw text */
    y = stage_header(a, r, x0, x1, y, "1  raw text", "a batch of one string", "(1,)");
    render_text(r, x0 + px, y, render_fit_text(r, d->input, px, FONT_MONO, cw - px, buf, sizeof buf), px, FONT_MONO, th->text,
                ALIGN_LEFT);
    y += mlh + gap;

    /* 2. standardized */
    if (vectorize)
        snprintf(cap, sizeof cap, "TextVectorization standardize=%s%s",
                 text_standardize_name(tok->standardize) ? text_standardize_name(tok->standardize) : "None",
                 tok->strip_html_breaks ? ", <br /> to a space" : "");
    else if (tok->char_level)
        snprintf(cap, sizeof cap, "%s", tok->lower ? "Tokenizer: lower case" : "Tokenizer: as it is");
    else
        snprintf(cap, sizeof cap, "Tokenizer: %spunctuation (the filters) to spaces", tok->lower ? "lower case, " : "");
    y = stage_header(a, r, x0, x1, y, "2  standardized", cap, "(1,)");
    char quoted[200];
    snprintf(quoted, sizeof quoted, "\xE2\x80\x9C%s\xE2\x80\x9D",
             render_fit_text(r, st->standardized, px, FONT_MONO, cw - px * 3, buf, sizeof buf));
    render_text(r, x0 + px, y, quoted, px, FONT_MONO, th->text, ALIGN_LEFT);
    y += mlh + gap;

    /* A long text shows a window of its tokens and steps, at least one and a half
     * body widths a box, around the current step (and its word) */
    int bx0 = x0 + px, bw = x1 - bx0;
    int max_cols = bw / (px * 3 / 2 > 16 ? px * 3 / 2 : 16);
    if (max_cols < 1) max_cols = 1;
    int nT = T < max_cols ? T : max_cols, tfirst = 0;
    if (T > nT) {
        tfirst = a->step - nT / 2;
        if (tfirst > T - nT) tfirst = T - nT;
        if (tfirst < 0) tfirst = 0;
    }
    int k_cur = 0; /* the word the current step reads, or the nearest before it */
    for (int t = 0; t <= a->step && t < T; t++)
        if (st->padded_from[t] >= 0) k_cur = st->seq_word[st->padded_from[t]];
    int nw = n < max_cols ? n : max_cols, wfirst = 0;
    if (n > nw) {
        wfirst = k_cur - nw / 2;
        if (wfirst > n - nw) wfirst = n - nw;
        if (wfirst < 0) wfirst = 0;
    }

    /* 3. split tokens and 4. their ids: one box per token, the id under it */
    float tw = nw > 0 ? (float)bw / (float)nw : (float)bw;
    if (tw > px * 6) tw = (float)(px * 6);
    int box_h = blh + 6;
    snprintf(shape, sizeof shape, "(1, %d)", n);
    snprintf(cap, sizeof cap, "%s", vectorize ? (tok->split_mode == TEXT_SPLIT_CHARACTER ? "each character" : "on white space")
                                             : (tok->char_level ? "each character" : "on spaces"));
    if (n > nw) {
        size_t o = strlen(cap);
        snprintf(cap + o, sizeof cap - o, " (tokens %d to %d of %d shown)", wfirst + 1, wfirst + nw, n);
    }
    y = stage_header(a, r, x0, x1, y, "3  split", cap, shape);
    for (int k = wfirst; k < wfirst + nw; k++) {
        Box b = {bx0 + (int)((k - wfirst) * tw) + 2, y, (int)tw - 4, box_h};
        render_fill(r, b, th->panel);
        render_outline(r, b, th->panel_edge, 1);
        box_text_in(r, b, st->words.words[k], px, spx, FONT_REGULAR, th->text);
    }
    y += box_h + gap;

    int oov = tokenizer_oov_index(tok);
    if (vectorize) snprintf(cap, sizeof cap, "vocabulary lookup: [UNK] = 1, 0 is padding%s", tok->max_tokens ? ", max_tokens" : "");
    else if (tok->oov_token && tok->num_words)
        snprintf(cap, sizeof cap, "word_index: %s = %d, then by frequency; ids from num_words = %d on become %d", tok->oov_token, oov,
                 tok->num_words, oov);
    else if (tok->oov_token) snprintf(cap, sizeof cap, "word_index: %s = %d, then by frequency", tok->oov_token, oov);
    else snprintf(cap, sizeof cap, "word_index, by frequency; no OOV token: unknown words are dropped");
    snprintf(shape, sizeof shape, "(1, %d)", st->n_seq);
    y = stage_header(a, r, x0, x1, y, "4  ids", cap, shape);
    for (int k = wfirst; k < wfirst + nw; k++) {
        Box b = {bx0 + (int)((k - wfirst) * tw) + 2, y, (int)tw - 4, box_h};
        bool marked = st->fate[k] != PROMPT_WORD_KNOWN;
        int j = -1; /* the word's place in the sequence */
        for (int q = 0; q < st->n_seq; q++)
            if (st->seq_word[q] == k) j = q;
        bool cut = j >= 0 && st->n_cut > 0 && (st->truncating == TEXT_PRE ? j < st->n_cut : j >= st->n_seq - st->n_cut);
        render_fill(r, b, cut ? th->faint : th->panel);
        render_outline(r, b, marked ? th->oov : th->panel_edge, marked ? 2 : 1);
        if (st->token[k]) snprintf(buf, sizeof buf, "%d", st->token[k]);
        else snprintf(buf, sizeof buf, "\xE2\x80\x94"); /* dropped: no OOV token */
        box_text(r, b, buf, px, FONT_BOLD, marked ? th->oov : (cut ? th->text_dim : th->text));
        char over[48]; /* a word cut by num_words: its index, not below num_words */
        snprintf(over, sizeof over, "%d \xE2\x89\xA5 %d", st->index[k], tok->num_words);
        const char *why = st->fate[k] == PROMPT_WORD_CUT ? over : (st->fate[k] == PROMPT_WORD_UNKNOWN ? "unknown" : NULL);
        if (cut) why = "cut";
        if (why) {
            char fit[64];
            render_text(r, b.x + b.w / 2, b.y + b.h + 1, render_fit_text(r, why, spx, FONT_REGULAR, b.w + 2, fit, sizeof fit), spx,
                        FONT_REGULAR, cut ? th->text_dim : th->oov, ALIGN_CENTER);
        }
        if (cut) render_line(r, (float)b.x, (float)(b.y + b.h / 2), (float)(b.x + b.w), (float)(b.y + b.h / 2), th->text_dim, 1.5f);
    }
    y += box_h + slh + 2;

    /* 5. padded and truncated to the model's length; above it, a line from
     * each id kept to the step it lands on */
    float sw = nT > 0 ? (float)bw / (float)nT : (float)bw;
    if (sw > px * 6) sw = (float)(px * 6);
    int band = px * 3 / 2;
    for (int t = tfirst; t < tfirst + nT; t++) {
        if (st->padded_from[t] < 0) continue;
        int k = st->seq_word[st->padded_from[t]];
        if (k < wfirst || k >= wfirst + nw) continue;
        float xa = (float)bx0 + (float)(k - wfirst) * tw + tw / 2, xb = (float)bx0 + (float)(t - tfirst) * sw + sw / 2;
        render_arrow(r, xa, (float)y, xb, (float)(y + band), th->arrow, 1.0f, (float)px * 0.35f);
    }
    y += band + gap;
    snprintf(shape, sizeof shape, "(1, %d)", T);
    snprintf(cap, sizeof cap, "pad_sequences: maxlen %d, padding '%s', truncating '%s'; 0 is padding (hatched)", T,
             st->padding == TEXT_PRE ? "pre" : "post", st->truncating == TEXT_PRE ? "pre" : "post");
    if (T > nT) {
        size_t o = strlen(cap);
        snprintf(cap + o, sizeof cap - o, " (steps %d to %d of %d shown)", tfirst + 1, tfirst + nT, T);
    }
    y = stage_header(a, r, x0, x1, y, "5  padded", cap, shape);
    Color pad_line = view_tensors_pad_color(th);
    for (int t = tfirst; t < tfirst + nT; t++) {
        Box b = {bx0 + (int)((t - tfirst) * sw) + 2, y, (int)sw - 4, box_h};
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
    y += box_h + gap;

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
    snprintf(cap, sizeof cap, "Embedding(%d, %d): each id picks its row of the table, %d numbers", el->vocab, E, E);
    y = stage_header(a, r, x0, x1, y, "6  embedding", cap, shape);
    int avail = area.y + area.h - y - pad / 2 - slh - 6;
    int cell = E > 0 ? avail / E : 0;
    if (cell > (int)sw - 6) cell = (int)sw - 6;
    if (cell > px * 2) cell = px * 2;
    if (cell < 2) cell = 2;
    int nE = E; /* a wide embedding shows its first numbers */
    if (cell * nE > avail) nE = avail / cell > 1 ? avail / cell : 1;
    for (int t = tfirst; t < tfirst + nT; t++) {
        int cx = bx0 + (int)((t - tfirst) * sw) + 2 + ((int)sw - 4 - cell) / 2;
        for (int j = 0; j < nE; j++) render_fill(r, (Box){cx, y + 2 + j * cell, cell, cell}, colormap(out[(size_t)t * E + j], range));
        Box col = {cx - 3, y - 1, cell + 6, cell * nE + 6};
        if (t == a->step) render_outline(r, col, th->highlight, 3);
        else if (st->padded_from[t] < 0) render_outline(r, col, pad_line, 1);
    }
    snprintf(cap, sizeof cap, "step %d reads id %d: its %d numbers are outlined%s. Colour: blue -%.2f, pale 0, red +%.2f",
             a->step + 1, a->step >= 0 && a->step < T ? st->padded.tokens[a->step] : 0, E, nE < E ? " (the first ones)" : "",
             (double)range, (double)range);
    render_text(r, bx0, y + cell * nE + 8, render_fit_text(r, cap, spx, FONT_REGULAR, x1 - bx0, buf, sizeof buf), spx, FONT_REGULAR,
                th->text_dim, ALIGN_LEFT);
}
