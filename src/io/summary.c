/* summary: the layout of Keras 2's print_summary for sequential-like models
 * (line length 65, columns ending at 29, 55 and 65, long cells wrapped at
 * "), " as Keras does). */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h" /* its growable buffer serves for plain text too */

#define LINE 65
static const int POS[3] = {29, 55, 65};

/* len: the layer's output steps (a Conv1D changes them), 0 = None */
static void dims(char *buf, size_t cap, int len, bool seq, int d)
{
    char t[24];
    if (len) snprintf(t, sizeof t, "%d", len);
    else snprintf(t, sizeof t, "None");
    if (seq) snprintf(buf, cap, "(None, %s, %d)", t, d);
    else snprintf(buf, cap, "(None, %d)", d);
}

void summary_output_shape(const Model *m, int i, char *buf, size_t cap)
{
    const Layer *l = &m->layers[i];
    char main_shape[64];
    dims(main_shape, sizeof main_shape, l->out_len, l->out_seq, l->out_dim);
    if (!(l->kind == LAYER_RNN && l->return_state)) {
        snprintf(buf, cap, "%s", main_shape);
        return;
    }
    size_t k = (size_t)snprintf(buf, cap, "[%s", main_shape);
    int per_dir = l->cell[0].kind == CELL_LSTM ? 2 : 1;
    for (int s = 0; s < per_dir * l->n_dir && k < cap; s++)
        k += (size_t)snprintf(buf + k, cap - k, ", (None, %d)", l->cell[0].units);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

void summary_thousands(size_t n, char *buf, size_t cap)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%zu", n);
    size_t len = strlen(raw), k = 0;
    for (size_t i = 0; i < len && k + 2 < cap; i++) {
        buf[k++] = raw[i];
        size_t left = len - 1 - i;
        if (left > 0 && left % 3 == 0) buf[k++] = ',';
    }
    buf[k] = '\0';
}

static void line(JsonW *o, char c)
{
    char b[LINE + 2];
    memset(b, c, LINE);
    b[LINE] = '\n';
    b[LINE + 1] = '\0';
    jsonw_raw(o, b);
}

/* Keras' print_row: each field is cut to its column, breaking after "), "
 * style boundaries, and continued on following lines. */
static void row(JsonW *o, const char *f0, const char *f1, const char *f2)
{
    const char *left[3] = {f0, f1, f2};
    while (*left[0] || *left[1] || *left[2]) {
        char out[256] = {0};
        size_t len = 0;
        for (int col = 0; col < 3; col++) {
            int start = col ? POS[col - 1] : 0;
            int space = col != 2 ? 2 : 0;
            size_t cutoff = (size_t)(POS[col] - start - space);
            size_t avail = strlen(left[col]);
            size_t fit = avail < cutoff ? avail : cutoff;
            static const char *const breaks[] = {"),", "},", "],", "',"};
            size_t best = fit;
            bool found = false;
            for (int k = 0; k < 4; k++) {
                for (size_t j = 0; j + 2 <= fit; j++) {
                    if (strncmp(left[col] + j, breaks[k], 2) == 0) {
                        if (!found || j + 2 < best) best = j + 2;
                        found = true;
                        break;
                    }
                }
            }
            if (found) fit = best;
            if (col == 0) out[len++] = ' ';
            memcpy(out + len, left[col], fit);
            len += fit;
            for (int s = 0; s < space; s++) out[len++] = ' ';
            left[col] += fit;
            while ((int)len < POS[col]) out[len++] = ' ';
        }
        out[len++] = '\n';
        out[len] = '\0';
        jsonw_raw(o, out);
    }
}

char *summary_text(const Model *m)
{
    JsonW o;
    jsonw_init(&o);
    char head[160];
    snprintf(head, sizeof head, "Model: \"%s\"\n", m->name[0] ? m->name : "sequential");
    jsonw_raw(&o, head);
    line(&o, '_');
    row(&o, "Layer (type)", "Output Shape", "Param #");
    line(&o, '=');
    char blank[LINE + 2];
    memset(blank, ' ', LINE);
    blank[LINE] = '\n';
    blank[LINE + 1] = '\0';
    if (m->functional && m->input_name[0]) {
        char name[160], shape[64];
        snprintf(name, sizeof name, "%s (InputLayer)", m->input_name);
        char inner[48];
        if (m->seq_len) snprintf(inner, sizeof inner, "%d", m->seq_len);
        else snprintf(inner, sizeof inner, "None");
        if (m->token_input) snprintf(shape, sizeof shape, "[(None, %s)]", inner);
        else snprintf(shape, sizeof shape, "[(None, %s, %d)]", inner, m->input_dim);
        row(&o, name, shape, "0");
        jsonw_raw(&o, blank);
    }
    size_t total = 0, trainable = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        char name[256], shape[256], count[32];
        snprintf(name, sizeof name, "%s (%s)", l->name, layer_class_name(l));
        summary_output_shape(m, i, shape, sizeof shape);
        size_t n = layer_param_count(l);
        snprintf(count, sizeof count, "%zu", n);
        total += n;
        if (l->trainable) trainable += n;
        row(&o, name, shape, count);
        jsonw_raw(&o, blank);
    }
    line(&o, '=');
    char a[32], b[32], c[32], tail[160];
    summary_thousands(total, a, sizeof a);
    summary_thousands(trainable, b, sizeof b);
    summary_thousands(total - trainable, c, sizeof c);
    snprintf(tail, sizeof tail, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n", a, b, c);
    jsonw_raw(&o, tail);
    line(&o, '_');
    return o.buf; /* ownership passes to the caller */
}
