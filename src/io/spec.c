/* spec: parses the one-line model description of spec.h. */
#define _POSIX_C_SOURCE 200809L
#include "spec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool num(const char *s, int vocab, long lo, long hi, long *out)
{
    if (strcmp(s, "V") == 0 || strcmp(s, "v") == 0) {
        if (vocab <= 0) return false;
        *out = vocab;
        return true;
    }
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static void unique_name(const Model *m, const char *base, char *out, size_t cap)
{
    int n = 0;
    for (;;) {
        if (n == 0) snprintf(out, cap, "%s", base);
        else snprintf(out, cap, "%s_%d", base, n);
        bool used = false;
        for (int i = 0; i < m->n_layers; i++) used |= strcmp(m->layers[i].name, out) == 0;
        if (!used) return;
        n++;
    }
}

static bool rnn_layer(Model *m, Layer *l, char **part, int np, bool bi, const char *kind, int vocab, Err *err)
{
    CellKind ck = strcmp(kind, "lstm") == 0 ? CELL_LSTM : strcmp(kind, "gru") == 0 ? CELL_GRU : CELL_SIMPLE_RNN;
    long units = 0;
    if (np < 2 || !num(part[1], vocab, 1, ENGINE_MAX_DIM, &units))
        return err_set(err, "'%s' needs a number of units, e.g. %s:32", part[0], part[0]);
    l->kind = LAYER_RNN;
    Cell *c = &l->cell[0];
    c->kind = ck;
    c->units = (int)units;
    c->activation = ACT_TANH;
    c->recurrent_activation = ACT_SIGMOID;
    c->use_bias = true;
    c->reset_after = true;
    l->unit_forget_bias = true;
    l->bidirectional = bi;
    l->merge = MERGE_CONCAT;
    for (int k = 2; k < np; k++) {
        const char *o = part[k];
        Act a;
        if (strcmp(o, "seq") == 0) l->return_sequences = true;
        else if (strcmp(o, "state") == 0) l->return_state = true;
        else if (strcmp(o, "backwards") == 0) c->go_backwards = true;
        else if (strcmp(o, "hard") == 0) c->recurrent_activation = ACT_HARD_SIGMOID;
        else if (strcmp(o, "nobias") == 0) c->use_bias = false;
        else if (strcmp(o, "reset_before") == 0 && ck == CELL_GRU) c->reset_after = false;
        else if (bi && strcmp(o, "concat") == 0) l->merge = MERGE_CONCAT;
        else if (bi && strcmp(o, "sum") == 0) l->merge = MERGE_SUM;
        else if (bi && strcmp(o, "mul") == 0) l->merge = MERGE_MUL;
        else if (bi && strcmp(o, "ave") == 0) l->merge = MERGE_AVE;
        else if (act_parse(o, &a) && a != ACT_SOFTMAX) c->activation = a;
        else if (strncmp(o, "dropout=", 8) == 0 || strncmp(o, "recurrent_dropout=", 18) == 0) {
            const char *v = strchr(o, '=') + 1;
            char *end = NULL;
            float r = strtof(v, &end);
            if (!*v || *end || !(r >= 0.0f && r < 1.0f))
                return err_set(err, "'%s': %.*s needs a rate in [0, 1), e.g. dropout=0.2", part[0], (int)(v - o - 1), o);
            if (o[0] == 'd') l->dropout = r;
            else l->recurrent_dropout = r;
        } else return err_set(err, "'%s': unknown option '%s'", part[0], o);
    }
    static const char *const base[] = {"simple_rnn", "gru", "lstm"};
    const char *inner = base[ck];
    if (bi) {
        unique_name(m, "bidirectional", l->name, sizeof l->name);
        unique_name(m, inner, l->inner_name, sizeof l->inner_name);
        l->cell[1] = *c;
        l->cell[1].go_backwards = !c->go_backwards;
        snprintf(l->dir_name[0], sizeof l->dir_name[0], "forward_%s", l->inner_name);
        snprintf(l->dir_name[1], sizeof l->dir_name[1], "backward_%s", l->inner_name);
    } else {
        unique_name(m, inner, l->name, sizeof l->name);
    }
    return true;
}

/* conv1d:FILTERS:KERNEL[:opt...], gavgpool, gmaxpool, flatten, spatialdropout:RATE */
static bool more_layer(Model *m, Layer *l, char **part, int np, int vocab, Err *err)
{
    const char *k = part[0];
    long a = 0, b = 0;
    if (strcmp(k, "conv1d") == 0) {
        if (np < 3 || !num(part[1], vocab, 1, ENGINE_MAX_DIM, &a) || !num(part[2], vocab, 1, ENGINE_MAX_SEQ, &b))
            return err_set(err, "'conv1d' needs a number of filters (at least 1) and a kernel size, e.g. conv1d:128:5:relu");
        l->kind = LAYER_CONV1D;
        l->out_dim = (int)a;
        l->kernel_size = (int)b;
        l->strides = l->dilation = 1;
        l->padding = PAD_VALID;
        l->use_bias = true;
        l->activation = ACT_LINEAR;
        for (int i = 3; i < np; i++) {
            const char *o = part[i];
            Act act;
            long v = 0;
            if (strcmp(o, "valid") == 0) l->padding = PAD_VALID;
            else if (strcmp(o, "same") == 0) l->padding = PAD_SAME;
            else if (strcmp(o, "causal") == 0) l->padding = PAD_CAUSAL;
            else if (strcmp(o, "nobias") == 0) l->use_bias = false;
            else if (strncmp(o, "stride", 6) == 0 && num(o + 6, 0, 1, ENGINE_MAX_SEQ, &v)) l->strides = (int)v;
            else if (strncmp(o, "dilation", 8) == 0 && num(o + 8, 0, 1, ENGINE_MAX_SEQ, &v)) l->dilation = (int)v;
            else if (act_parse(o, &act) && act != ACT_SOFTMAX) l->activation = act;
            else return err_set(err, "'conv1d': unknown option '%s' (valid, same, causal, strideN, dilationN, nobias, an activation)", o);
        }
        unique_name(m, "conv1d", l->name, sizeof l->name);
        return true;
    }
    if (strcmp(k, "spatialdropout") == 0) {
        char *end = NULL;
        l->kind = LAYER_SPATIAL_DROPOUT;
        l->rate = np > 1 ? strtof(part[1], &end) : -1.0f;
        if (np != 2 || *end || !(l->rate >= 0 && l->rate < 1))
            return err_set(err, "'spatialdropout' needs a rate in [0, 1), e.g. spatialdropout:0.2");
        unique_name(m, "spatial_dropout1d", l->name, sizeof l->name);
        return true;
    }
    if (np > 1) return err_set(err, "'%s': unexpected '%.40s' (it takes no options)", k, part[1]);
    if (strcmp(k, "flatten") == 0) {
        l->kind = LAYER_FLATTEN;
        unique_name(m, "flatten", l->name, sizeof l->name);
    } else {
        bool avg = strcmp(k, "gavgpool") == 0;
        l->kind = avg ? LAYER_GLOBAL_AVG_POOL : LAYER_GLOBAL_MAX_POOL;
        unique_name(m, avg ? "global_average_pooling1d" : "global_max_pooling1d", l->name, sizeof l->name);
    }
    return true;
}

static bool one_layer(Model *m, char *text, int vocab, int index, Err *err)
{
    char *part[SPEC_MAX_PARTS];
    int np = 0;
    char *save = NULL;
    for (char *p = strtok_r(text, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
        if (np == SPEC_MAX_PARTS)
            return err_set(err, "layer '%.40s' has more than %d parts (kind, sizes and options, separated by ':')", part[0],
                           SPEC_MAX_PARTS);
        part[np++] = p;
    }
    if (np == 0) return err_set(err, "an empty layer (two commas in a row?)");
    for (char *q = part[0]; *q; q++) *q = (char)tolower((unsigned char)*q);
    Layer l = {0};
    l.trainable = true;
    long a = 0, b = 0;
    const char *k = part[0];
    /* kinds whose parts are all positional: anything past them is refused */
    static const struct {
        const char *kind, *form;
        int parts;
    } fixed[] = {{"input", "input:T[:F]", 3}, {"masking", "masking[:VALUE]", 2},
                 {"dropout", "dropout:RATE", 2}, {"dense", "dense:UNITS[:ACTIVATION]", 3}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(k, fixed[i].kind) == 0 && np > fixed[i].parts)
            return err_set(err, "'%s': unexpected '%.40s' (the form is %s)", k, part[fixed[i].parts], fixed[i].form);
    if (strcmp(k, "input") == 0) {
        if (index != 0) return err_set(err, "'input' must come first");
        if (np < 2 || !num(part[1], vocab, 1, ENGINE_MAX_SEQ, &a)) return err_set(err, "'input' needs a length, e.g. input:20");
        m->seq_len = (int)a;
        if (np > 2) {
            if (!num(part[2], vocab, 1, ENGINE_MAX_DIM, &b)) return err_set(err, "'input:T:F' needs a feature count F");
            m->input_dim = (int)b;
        }
        return true;
    }
    if (strcmp(k, "embedding") == 0) {
        if (np < 3 || !num(part[1], vocab, 1, ENGINE_MAX_DIM, &a) || !num(part[2], vocab, 1, ENGINE_MAX_DIM, &b))
            return err_set(err, "'embedding' needs a vocabulary size and a dimension, e.g. embedding:V:16");
        l.kind = LAYER_EMBEDDING;
        l.vocab = (int)a;
        l.out_dim = (int)b;
        for (int i = 3; i < np; i++) {
            if (strcmp(part[i], "mask") == 0) l.mask_zero = true;
            else return err_set(err, "'embedding': unknown option '%s'", part[i]);
        }
        unique_name(m, "embedding", l.name, sizeof l.name);
    } else if (strcmp(k, "masking") == 0) {
        l.kind = LAYER_MASKING;
        if (np > 1) {
            char *end = NULL;
            l.mask_value = strtof(part[1], &end);
            if (*end) return err_set(err, "'masking': '%s' is not a number", part[1]);
        }
        unique_name(m, "masking", l.name, sizeof l.name);
    } else if (strcmp(k, "dropout") == 0) {
        char *end = NULL;
        l.kind = LAYER_DROPOUT;
        l.rate = np > 1 ? strtof(part[1], &end) : -1.0f;
        if (np < 2 || *end || !(l.rate >= 0 && l.rate < 1)) return err_set(err, "'dropout' needs a rate in [0, 1), e.g. dropout:0.2");
        unique_name(m, "dropout", l.name, sizeof l.name);
    } else if (strcmp(k, "dense") == 0) {
        if (np < 2 || !num(part[1], vocab, 1, ENGINE_MAX_DIM, &a)) return err_set(err, "'dense' needs a number of units, e.g. dense:V:softmax");
        l.kind = LAYER_DENSE;
        l.out_dim = (int)a;
        l.use_bias = true;
        l.activation = ACT_LINEAR;
        if (np > 2 && !act_parse(part[2], &l.activation)) return err_set(err, "'dense': unknown activation '%s'", part[2]);
        unique_name(m, "dense", l.name, sizeof l.name);
    } else if (strcmp(k, "conv1d") == 0 || strcmp(k, "gavgpool") == 0 || strcmp(k, "gmaxpool") == 0 ||
               strcmp(k, "flatten") == 0 || strcmp(k, "spatialdropout") == 0) {
        if (!more_layer(m, &l, part, np, vocab, err)) return false;
    } else if (strcmp(k, "lstm") == 0 || strcmp(k, "gru") == 0 || strcmp(k, "rnn") == 0 || strcmp(k, "simplernn") == 0) {
        if (!rnn_layer(m, &l, part, np, false, strcmp(k, "simplernn") == 0 ? "rnn" : k, vocab, err)) return false;
    } else if (strncmp(k, "bi-", 3) == 0 &&
               (strcmp(k + 3, "lstm") == 0 || strcmp(k + 3, "gru") == 0 || strcmp(k + 3, "rnn") == 0)) {
        if (!rnn_layer(m, &l, part, np, true, k + 3, vocab, err)) return false;
    } else {
        return err_set(err, "unknown layer '%s' (input, embedding, masking, lstm, gru, rnn, bi-lstm, bi-gru, bi-rnn, dropout, dense, conv1d, gavgpool, gmaxpool, flatten, spatialdropout)", k);
    }
    model_add_layer(m, &l);
    return true;
}

static bool spec_parse(Model *m, const char *spec, int vocab, Err *err);

bool spec_build(Model *m, const char *spec, int vocab, uint64_t seed, Err *err)
{
    if (!spec_parse(m, spec, vocab, err)) return false;
    if (!base_memory_check(base_size_mul(m->n_params, sizeof(float)), "the model's weights", err)) {
        model_free(m);
        return false;
    }
    model_alloc_params(m);
    model_init_weights(m, seed);
    return true;
}

bool spec_check(const char *spec, int vocab, Err *err)
{
    Model m;
    bool ok = spec_parse(&m, spec, vocab, err);
    if (ok) model_free(&m);
    return ok;
}

/* the layers of spec, laid out (model_layout), nothing allocated for weights */
static bool spec_parse(Model *m, const char *spec, int vocab, Err *err)
{
    model_init(m);
    if (strlen(spec) > SPEC_MAX_BYTES) return err_set(err, "model spec is longer than %d bytes", SPEC_MAX_BYTES);
    char *copy = xstrdup(spec);
    bool ok = false;
    int index = 0;
    char *save = copy;
    for (;;) {
        char *comma = strchr(save, ',');
        if (comma) *comma = '\0';
        char *s = save;
        while (isspace((unsigned char)*s)) s++;
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
        if (!one_layer(m, s, vocab, index++, err)) {
            err_prefix(err, "model spec");
            goto done;
        }
        if (!comma) break;
        save = comma + 1;
    }
    if (m->n_layers > 0 && m->layers[0].kind != LAYER_EMBEDDING && m->input_dim == 0) {
        err_set(err, "model spec: a model without an embedding needs 'input:T:F' first to say its feature count");
        goto done;
    }
    if (!model_layout(m, err)) {
        err_prefix(err, "model spec");
        goto done;
    }
    ok = true;
done:
    free(copy);
    if (!ok) model_free(m);
    return ok;
}
