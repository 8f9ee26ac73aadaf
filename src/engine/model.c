/* model: layers in sequence, their shapes and parameter table, and the
 * forward pass that fills a Trace.
 *
 * The forward pass is time-major: every sequence array is (T, B, features),
 * so timestep t of all B sequences is one contiguous block that a single
 * sgemm can take. All records are carved out of one allocation made by
 * trace_init (carve.h); model_forward allocates nothing. Mask rules follow
 * Keras 2 (contracts.md section 1). Depends on base, cells.c and act.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "carve.h"
#include "engine.h"

const char *merge_mode_name(MergeMode mode)
{
    switch (mode) {
    case MERGE_CONCAT: return "concat";
    case MERGE_SUM: return "sum";
    case MERGE_MUL: return "mul";
    case MERGE_AVE: return "ave";
    }
    return "?";
}

const char *layer_class_name(const Layer *layer)
{
    switch (layer->kind) {
    case LAYER_EMBEDDING: return "Embedding";
    case LAYER_MASKING: return "Masking";
    case LAYER_RNN:
        return layer->bidirectional ? "Bidirectional" : cell_class_name(layer->cell[0].kind);
    case LAYER_DENSE: return "Dense";
    case LAYER_DROPOUT: return "Dropout";
    case LAYER_CONV1D: return "Conv1D";
    case LAYER_GLOBAL_AVG_POOL: return "GlobalAveragePooling1D";
    case LAYER_GLOBAL_MAX_POOL: return "GlobalMaxPooling1D";
    case LAYER_FLATTEN: return "Flatten";
    case LAYER_SPATIAL_DROPOUT: return "SpatialDropout1D";
    }
    return "?";
}

/* ---- Conv1D geometry (Keras' conv_output_length and padding) ---------- */

const char *conv_padding_name(ConvPadding p)
{
    switch (p) {
    case PAD_VALID: return "valid";
    case PAD_SAME: return "same";
    case PAD_CAUSAL: return "causal";
    }
    return "?";
}

int conv_out_steps(int T_in, int k, int s, int d, ConvPadding padding)
{
    long long dk = (long long)(k - 1) * d + 1; /* the dilated kernel's reach */
    long long n = padding == PAD_VALID ? (long long)T_in - dk + 1 : (long long)T_in;
    if (n <= 0) return 0;
    return (int)((n + s - 1) / s);
}

/* Zero padding in front of the input: causal pads (k-1)*d in front; same
 * splits TensorFlow's way, the smaller half in front. */
static int conv_pad_front(const Layer *l, int T_in, int T_out)
{
    long long dk = (long long)(l->kernel_size - 1) * l->dilation + 1;
    if (l->padding == PAD_CAUSAL) return (int)(dk - 1);
    if (l->padding == PAD_VALID) return 0;
    long long total = (long long)(T_out - 1) * l->strides + dk - T_in;
    return total > 0 ? (int)(total / 2) : 0;
}

int conv_window_start(const Layer *l, int T_in, int o)
{
    int T_out = conv_out_steps(T_in, l->kernel_size, l->strides, l->dilation, l->padding);
    return o * l->strides - conv_pad_front(l, T_in, T_out);
}

/* The steps of layer l's output for T_in steps in (non-sequences keep T_in). */
static int layer_steps(const Layer *l, int T_in)
{
    if (l->kind == LAYER_CONV1D) return conv_out_steps(T_in, l->kernel_size, l->strides, l->dilation, l->padding);
    return T_in;
}

int model_min_steps(const Model *m)
{
    /* output length is monotone in the input length: find the least T
     * that leaves every conv at least one step */
    int need = 1;
    for (int i = m->n_layers - 1; i >= 0; i--) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_CONV1D) continue;
        /* fewest inputs giving at least `need` outputs */
        long long dk = (long long)(l->kernel_size - 1) * l->dilation + 1;
        long long n = (long long)(need - 1) * l->strides + 1;
        long long t = l->padding == PAD_VALID ? n + dk - 1 : n;
        need = t > ENGINE_MAX_SEQ ? ENGINE_MAX_SEQ + 1 : (int)t;
    }
    return need;
}

bool model_check_steps(const Model *m, int T, Err *err)
{
    int T_cur = T;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_CONV1D) continue;
        int out = layer_steps(l, T_cur);
        if (out < 1)
            return err_set(err, "layer '%s': Conv1D with kernel_size %d (dilation %d, padding valid) needs at least %d steps, but gets %d",
                           l->name, l->kernel_size, l->dilation, (l->kernel_size - 1) * l->dilation + 1, T_cur);
        T_cur = out;
    }
    return true;
}

void model_init(Model *model)
{
    *model = (Model){0};
    snprintf(model->name, sizeof model->name, "sequential");
}

void model_free(Model *model)
{
    free(model->layers);
    free(model->pinfo);
    free(model->params);
    *model = (Model){0};
}

int model_add_layer(Model *model, const Layer *layer)
{
    model->layers = xrealloc(model->layers, (size_t)(model->n_layers + 1) * sizeof *model->layers);
    model->layers[model->n_layers] = *layer;
    return model->n_layers++;
}

/* ---- parameter table ------------------------------------------------- */

static void add_param(Model *m, int layer, int dir, const char *scope,
                      const char *var, int d0, int d1)
{
    m->pinfo = xrealloc(m->pinfo, (size_t)(m->n_params_info + 1) * sizeof *m->pinfo);
    ParamInfo *p = &m->pinfo[m->n_params_info++];
    *p = (ParamInfo){0};
    snprintf(p->name, sizeof p->name, "%s/%s", scope, var);
    p->layer = layer;
    p->dir = dir;
    p->var = var;
    p->ndim = d1 > 0 ? 2 : 1;
    p->shape[0] = d0;
    p->shape[1] = d1 > 0 ? d1 : 0;
    p->shape[2] = 0;
    p->size = (size_t)d0 * (size_t)(d1 > 0 ? d1 : 1);
    p->offset = m->n_params;
    m->n_params += p->size;
}

/* a Conv1D kernel (kernel_size, in_dim, filters) */
static void add_param3(Model *m, int layer, const char *scope, const char *var, int d0, int d1, int d2)
{
    add_param(m, layer, 0, scope, var, d0, d1 * d2);
    ParamInfo *p = &m->pinfo[m->n_params_info - 1];
    p->ndim = 3;
    p->shape[1] = d1;
    p->shape[2] = d2;
}

static void add_cell_params(Model *m, int li, int dir, const char *scope)
{
    const Cell *c = &m->layers[li].cell[dir];
    int GH = cell_gate_count(c->kind) * c->units;
    add_param(m, li, dir, scope, "kernel", c->input_dim, GH);
    add_param(m, li, dir, scope, "recurrent_kernel", c->units, GH);
    if (c->use_bias) {
        if (c->kind == CELL_GRU && c->reset_after)
            add_param(m, li, dir, scope, "bias", 2, GH);
        else
            add_param(m, li, dir, scope, "bias", GH, 0);
    }
}

ParamInfo *model_find_param(Model *model, int layer, int dir, const char *var)
{
    for (int i = 0; i < model->n_params_info; i++) {
        ParamInfo *p = &model->pinfo[i];
        if (p->layer == layer && p->dir == dir && strcmp(p->var, var) == 0) return p;
    }
    return NULL;
}

size_t layer_param_count(const Layer *l)
{
    switch (l->kind) {
    case LAYER_EMBEDDING: return (size_t)l->vocab * (size_t)l->out_dim;
    case LAYER_DENSE: return ((size_t)l->in_dim + (l->use_bias ? 1 : 0)) * (size_t)l->out_dim;
    case LAYER_RNN: {
        size_t n = 0;
        for (int d = 0; d < l->n_dir; d++) {
            const Cell *c = &l->cell[d];
            size_t GH = (size_t)cell_gate_count(c->kind) * (size_t)c->units;
            n += ((size_t)c->input_dim + (size_t)c->units) * GH + cell_bias_size(c);
        }
        return n;
    }
    case LAYER_CONV1D:
        return ((size_t)l->kernel_size * (size_t)l->in_dim + (l->use_bias ? 1 : 0)) * (size_t)l->out_dim;
    case LAYER_MASKING:
    case LAYER_DROPOUT:
    case LAYER_GLOBAL_AVG_POOL:
    case LAYER_GLOBAL_MAX_POOL:
    case LAYER_FLATTEN:
    case LAYER_SPATIAL_DROPOUT: return 0;
    }
    return 0;
}

size_t model_param_count(const Model *model)
{
    size_t n = 0;
    for (int i = 0; i < model->n_layers; i++) n += layer_param_count(&model->layers[i]);
    return n;
}

/* ---- building: shapes, checks, weights ------------------------------- */

static bool dim_ok(long long d)
{
    return d >= 1 && d <= ENGINE_MAX_DIM;
}

/* Shapes and checks of the layers beside the recurrent ones; len is the
 * fixed length of the input sequence (0 if any), masker the layer whose
 * mask reaches this one (NULL if none). */
static bool layout_more(Layer *l, bool seq, int len, const char *masker, Err *err)
{
    const char *cls = layer_class_name(l);
    if (!seq && l->kind != LAYER_FLATTEN)
        return err_set(err, "layer '%s': %s needs a sequence input, but the layer before it returns one vector", l->name, cls);
    switch (l->kind) {
    case LAYER_CONV1D: {
        if (masker)
            return err_set(err, "layer '%s': Conv1D does not support masking, but the mask of '%s' reaches it (tfjs refuses this; remove mask_zero or the Masking layer)",
                           l->name, masker);
        if (!dim_ok(l->out_dim)) return err_set(err, "layer '%s': filters %d is out of range (1..%d)", l->name, l->out_dim, ENGINE_MAX_DIM);
        if (l->kernel_size < 1 || l->kernel_size > ENGINE_MAX_SEQ)
            return err_set(err, "layer '%s': kernel_size %d is out of range (1..%d)", l->name, l->kernel_size, ENGINE_MAX_SEQ);
        if (l->strides < 1 || l->strides > ENGINE_MAX_SEQ)
            return err_set(err, "layer '%s': strides %d is out of range (1..%d)", l->name, l->strides, ENGINE_MAX_SEQ);
        if (l->dilation < 1 || l->dilation > ENGINE_MAX_SEQ)
            return err_set(err, "layer '%s': dilation_rate %d is out of range (1..%d)", l->name, l->dilation, ENGINE_MAX_SEQ);
        if ((long long)(l->kernel_size - 1) * l->dilation + 1 > ENGINE_MAX_SEQ)
            return err_set(err, "layer '%s': kernel_size %d with dilation_rate %d reaches over more than %d steps", l->name,
                           l->kernel_size, l->dilation, ENGINE_MAX_SEQ);
        if (l->strides > 1 && l->dilation > 1)
            return err_set(err, "layer '%s': strides > 1 together with dilation_rate > 1 is not supported (nor by Keras)", l->name);
        if (l->activation == ACT_SOFTMAX)
            return err_set(err, "layer '%s': softmax is not supported as a Conv1D activation", l->name);
        if ((size_t)l->kernel_size * (size_t)l->in_dim * (size_t)l->out_dim > ENGINE_MAX_TENSOR)
            return err_set(err, "layer '%s': kernel %d x %d x %d is too large", l->name, l->kernel_size, l->in_dim, l->out_dim);
        if (len && conv_out_steps(len, l->kernel_size, l->strides, l->dilation, l->padding) < 1)
            return err_set(err, "layer '%s': kernel_size %d (dilation %d) is longer than the %d steps it reads with padding valid",
                           l->name, l->kernel_size, l->dilation, len);
        l->out_seq = true;
        return true;
    }
    case LAYER_GLOBAL_AVG_POOL:
    case LAYER_GLOBAL_MAX_POOL:
        l->out_seq = false;
        l->out_dim = l->in_dim;
        return true;
    case LAYER_FLATTEN:
        if (!seq) {
            l->out_seq = false;
            l->out_dim = l->in_dim;
            return true;
        }
        if (masker)
            return err_set(err, "layer '%s': Flatten does not support masking, but the mask of '%s' reaches it", l->name, masker);
        if (!len)
            return err_set(err, "layer '%s': Flatten needs a fixed sequence length (give the input a length)", l->name);
        if ((long long)len * l->in_dim > ENGINE_MAX_DIM)
            return err_set(err, "layer '%s': Flatten of %d steps x %d features is more than %d values", l->name, len, l->in_dim, ENGINE_MAX_DIM);
        l->out_seq = false;
        l->out_dim = len * l->in_dim;
        return true;
    case LAYER_SPATIAL_DROPOUT:
        if (!(l->rate >= 0 && l->rate < 1)) return err_set(err, "layer '%s': rate must be in [0, 1)", l->name);
        l->out_seq = true;
        l->out_dim = l->in_dim;
        return true;
    default:
        return true;
    }
}

bool model_layout(Model *m, Err *err)
{
    if (m->n_layers == 0) return err_set(err, "the model has no layers");
    if (m->n_layers > ENGINE_MAX_LAYERS)
        return err_set(err, "the model has %d layers (at most %d are supported)", m->n_layers, ENGINE_MAX_LAYERS);
    m->token_input = m->layers[0].kind == LAYER_EMBEDDING;
    if (m->seq_len < 0 || m->seq_len > ENGINE_MAX_SEQ)
        return err_set(err, "input length %d is out of range (1..%d)", m->seq_len, ENGINE_MAX_SEQ);
    if (!m->token_input && !dim_ok(m->input_dim))
        return err_set(err, "layer '%s': input feature size %d is out of range (1..%d)",
                       m->layers[0].name, m->input_dim, ENGINE_MAX_DIM);
    bool seq = true;
    int dim = m->token_input ? 1 : m->input_dim;
    int len = m->seq_len;          /* steps of the current sequence, 0 if not fixed */
    const char *masker = NULL;     /* the layer whose mask reaches this one */
    for (int i = 0; i < m->n_layers; i++) {
        Layer *l = &m->layers[i];
        l->in_seq = seq;
        l->in_dim = dim;
        switch (l->kind) {
        case LAYER_EMBEDDING:
            if (i != 0)
                return err_set(err, "layer '%s': Embedding is only supported as the first layer", l->name);
            if (!dim_ok(l->vocab)) return err_set(err, "layer '%s': input_dim %d is out of range (1..%d)", l->name, l->vocab, ENGINE_MAX_DIM);
            if (!dim_ok(l->out_dim)) return err_set(err, "layer '%s': output_dim %d is out of range (1..%d)", l->name, l->out_dim, ENGINE_MAX_DIM);
            if ((size_t)l->vocab * (size_t)l->out_dim > ENGINE_MAX_TENSOR)
                return err_set(err, "layer '%s': embedding table %d x %d is too large", l->name, l->vocab, l->out_dim);
            l->out_seq = true;
            if (l->mask_zero) masker = l->name;
            break;
        case LAYER_MASKING:
            masker = l->name;
            if (!seq)
                return err_set(err, "layer '%s': Masking needs a sequence input, but the layer before it returns one vector", l->name);
            l->out_seq = seq;
            l->out_dim = dim;
            break;
        case LAYER_DROPOUT:
            if (!(l->rate >= 0 && l->rate < 1)) return err_set(err, "layer '%s': rate must be in [0, 1)", l->name);
            l->out_seq = seq;
            l->out_dim = dim;
            break;
        case LAYER_DENSE:
            if (!dim_ok(l->out_dim)) return err_set(err, "layer '%s': units %d is out of range (1..%d)", l->name, l->out_dim, ENGINE_MAX_DIM);
            if ((size_t)l->in_dim * (size_t)l->out_dim > ENGINE_MAX_TENSOR)
                return err_set(err, "layer '%s': kernel %d x %d is too large", l->name, l->in_dim, l->out_dim);
            l->out_seq = seq;
            break;
        case LAYER_RNN: {
            if (!seq)
                return err_set(err, "layer '%s': %s needs a sequence input, but the layer before it returns one vector (set return_sequences on it)",
                               l->name, layer_class_name(l));
            l->n_dir = l->bidirectional ? 2 : 1;
            int units = l->cell[0].units;
            if (!dim_ok(units)) return err_set(err, "layer '%s': units %d is out of range (1..%d)", l->name, units, ENGINE_MAX_DIM);
            for (int d = 0; d < l->n_dir; d++) {
                Cell *c = &l->cell[d];
                c->input_dim = dim;
                size_t GH = (size_t)cell_gate_count(c->kind) * (size_t)c->units;
                if ((size_t)dim * GH > ENGINE_MAX_TENSOR || (size_t)c->units * GH > ENGINE_MAX_TENSOR)
                    return err_set(err, "layer '%s': %s with %d units on %d inputs is too large", l->name,
                                   cell_class_name(c->kind), c->units, dim);
            }
            l->out_dim = l->bidirectional && l->merge == MERGE_CONCAT ? 2 * units : units;
            l->out_seq = l->return_sequences;
            if (!l->return_sequences) masker = NULL;
            if (!(l->dropout >= 0 && l->dropout < 1 && l->recurrent_dropout >= 0 && l->recurrent_dropout < 1))
                return err_set(err, "layer '%s': dropout and recurrent_dropout must be in [0, 1)", l->name);
            break;
        }
        case LAYER_CONV1D:
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
        case LAYER_FLATTEN:
        case LAYER_SPATIAL_DROPOUT:
            if (!layout_more(l, seq, len, masker, err)) return false;
            if (!l->out_seq) masker = NULL;
            break;
        }
        if (l->kind == LAYER_DENSE && !seq) masker = NULL;
        if (l->kind == LAYER_CONV1D && len) len = conv_out_steps(len, l->kernel_size, l->strides, l->dilation, l->padding);
        l->out_len = l->out_seq ? len : 0;
        seq = l->out_seq;
        dim = l->out_dim;
    }
    /* parameter table, then one block */
    free(m->pinfo);
    m->pinfo = NULL;
    m->n_params_info = 0;
    m->n_params = 0;
    for (int i = 0; i < m->n_layers; i++) {
        Layer *l = &m->layers[i];
        switch (l->kind) {
        case LAYER_EMBEDDING:
            add_param(m, i, 0, l->name, "embeddings", l->vocab, l->out_dim);
            break;
        case LAYER_DENSE:
            add_param(m, i, 0, l->name, "kernel", l->in_dim, l->out_dim);
            if (l->use_bias) add_param(m, i, 0, l->name, "bias", l->out_dim, 0);
            break;
        case LAYER_RNN:
            if (!l->bidirectional) {
                add_cell_params(m, i, 0, l->name);
            } else {
                for (int d = 0; d < 2; d++) {
                    char scope[2 * ENGINE_NAME_MAX + 24];
                    snprintf(scope, sizeof scope, "%s/%s", l->name, l->dir_name[d]);
                    add_cell_params(m, i, d, scope);
                }
            }
            break;
        case LAYER_CONV1D:
            add_param3(m, i, l->name, "kernel", l->kernel_size, l->in_dim, l->out_dim);
            if (l->use_bias) add_param(m, i, 0, l->name, "bias", l->out_dim, 0);
            break;
        case LAYER_MASKING:
        case LAYER_DROPOUT:
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
        case LAYER_FLATTEN:
        case LAYER_SPATIAL_DROPOUT: break;
        }
        if (m->n_params > ENGINE_MAX_PARAMS)
            return err_set(err, "layer '%s': the model needs more than %zu parameters", l->name, (size_t)ENGINE_MAX_PARAMS);
    }
    return true;
}

bool model_build(Model *m, Err *err)
{
    if (!model_layout(m, err)) return false;
    model_alloc_params(m);
    return true;
}

void model_alloc_params(Model *m)
{
    free(m->params);
    m->params = xcalloc(m->n_params, sizeof *m->params);
    for (int i = 0; i < m->n_params_info; i++) {
        ParamInfo *p = &m->pinfo[i];
        Layer *l = &m->layers[p->layer];
        float *w = m->params + p->offset;
        if (l->kind == LAYER_RNN) {
            Cell *c = &l->cell[p->dir];
            if (strcmp(p->var, "kernel") == 0) c->kernel = w;
            else if (strcmp(p->var, "recurrent_kernel") == 0) c->recurrent_kernel = w;
            else c->bias = w;
        } else if (strcmp(p->var, "bias") == 0) {
            l->bias = w;
        } else {
            l->kernel = w;
        }
    }
}

bool model_check_tokens(const Model *model, const int *tokens, int n, Err *err)
{
    if (!model->token_input)
        return err_set(err, "this model takes %d float features per step, not tokens (its first layer is %s)",
                       model->input_dim, layer_class_name(&model->layers[0]));
    if (n < 1) return err_set(err, "no tokens given");
    if (model->seq_len && n != model->seq_len)
        return err_set(err, "the model takes exactly %d tokens, got %d", model->seq_len, n);
    if (n > ENGINE_MAX_SEQ) return err_set(err, "%d tokens is more than %d", n, ENGINE_MAX_SEQ);
    if (!model_check_steps(model, n, err)) return false;
    int vocab = model->layers[0].vocab;
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= vocab)
            return err_set(err, "token %d at position %d is out of range: the Embedding has input_dim %d (tokens 0..%d)",
                           tokens[i], i, vocab, vocab - 1);
    return true;
}

/* ---- trace: one allocation carved into records ------------------------ */

static void layout(Trace *tr, Carver *cv)
{
    const Model *m = tr->model;
    const size_t B = (size_t)tr->B;
    size_t T = (size_t)tr->T; /* steps of the current layer's input */
    unsigned char *cur_mask = NULL;
    bool has_mask = false; /* static: whether a mask reaches this layer */
    if (!m->token_input) tr->input = carve_floats(cv, T * B * (size_t)m->input_dim);
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        LayerRecord *r = &tr->layers[i];
        const int To = layer_steps(l, (int)T);
        UNROLL_ASSERT(To >= 1);
        r->T_in = (int)T;
        r->T_out = To;
        size_t out_n = (l->out_seq ? (size_t)To * B : B) * (size_t)l->out_dim;
        r->n_runs = 0;
        switch (l->kind) {
        case LAYER_EMBEDDING:
            r->out = carve_floats(cv, out_n);
            has_mask = l->mask_zero;
            r->mask = has_mask ? carve_bytes(cv, T * B) : NULL;
            break;
        case LAYER_MASKING:
            r->out = carve_floats(cv, out_n);
            has_mask = true;
            r->mask = carve_bytes(cv, T * B);
            break;
        case LAYER_DROPOUT:
            r->out = carve_floats(cv, out_n);
            r->scratch = carve_floats(cv, out_n);
            r->mask = cur_mask;
            break;
        case LAYER_SPATIAL_DROPOUT:
            r->out = carve_floats(cv, out_n);
            r->scratch = carve_floats(cv, B * (size_t)l->in_dim);
            r->mask = cur_mask;
            break;
        case LAYER_CONV1D:
            r->out = carve_floats(cv, out_n);
            r->mask = NULL; /* model_layout refuses a mask here */
            break;
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
        case LAYER_FLATTEN:
            r->out = carve_floats(cv, out_n);
            r->mask = NULL;
            has_mask = false;
            break;
        case LAYER_DENSE:
            r->out = carve_floats(cv, out_n);
            r->mask = l->in_seq ? cur_mask : NULL;
            if (!l->in_seq) has_mask = false;
            break;
        case LAYER_RNN: {
            r->n_runs = l->n_dir;
            size_t H = (size_t)l->cell[0].units;
            size_t G = (size_t)cell_gate_count(l->cell[0].kind);
            size_t F = (size_t)l->in_dim;
            size_t Tk = tr->keep ? T : 1;
            for (int d = 0; d < l->n_dir; d++) {
                RunRecord *run = &r->run[d];
                const Cell *c = &l->cell[d];
                run->T = (int)T;
                run->B = tr->B;
                run->H = (int)H;
                run->G = (int)G;
                run->backwards = c->go_backwards;
                run->xw = carve_floats(cv, T * B * G * H);
                run->h = carve_floats(cv, (T + 1) * B * H);
                run->c = c->kind == CELL_LSTM ? carve_floats(cv, (T + 1) * B * H) : NULL;
                run->gates = carve_floats(cv, Tk * B * G * H);
                run->hu = c->kind == CELL_GRU ? carve_floats(cv, Tk * B * G * H) : NULL;
                run->mask = has_mask ? carve_bytes(cv, T * B) : NULL;
                /* the layer's own dropout (used only when training) */
                run->dp_mask = l->dropout > 0 ? carve_floats(cv, B * F) : NULL;
                run->xd = l->dropout > 0 ? carve_floats(cv, T * B * F) : NULL;
                bool rec = l->recurrent_dropout > 0 && c->kind != CELL_GRU;
                run->rdp_mask = rec ? carve_floats(cv, B * H) : NULL;
                run->hd = rec ? carve_floats(cv, T * B * H) : NULL;
            }
            r->scratch = carve_floats(cv, B * H);
            if (l->bidirectional)
                r->out = carve_floats(cv, out_n);
            else if (cv->place)
                r->out = r->run[0].h + (l->return_sequences ? B * H : T * B * H);
            r->mask = l->return_sequences ? cur_mask : NULL;
            if (!l->return_sequences) has_mask = false;
            break;
        }
        }
        cur_mask = r->mask;
        if (l->out_seq) T = (size_t)To;
    }
}

void trace_init(Trace *tr, const Model *model, int B, int T, bool keep)
{
    UNROLL_ASSERT(B >= 1 && T >= 1);
    UNROLL_ASSERT(model->seq_len == 0 || model->seq_len == T);
    *tr = (Trace){0};
    tr->model = model;
    tr->B = B;
    tr->T = T;
    tr->keep = keep;
    tr->layers = xcalloc((size_t)model->n_layers, sizeof *tr->layers);
    tr->tokens = xcalloc((size_t)T * (size_t)B, sizeof *tr->tokens);
    Carver cv = {0};
    layout(tr, &cv);
    carve_alloc(&cv);
    tr->block = cv.fblock;
    tr->mblock = cv.bblock;
    layout(tr, &cv);
}

/* every array of the layout grows linearly with B, so the count is taken at
 * B = 1 and 2, where no product can wrap, and extended */
static size_t trace_bytes_at(const Model *model, int B, int T, bool keep)
{
    Trace tr = {.model = model, .B = B, .T = T, .keep = keep};
    tr.layers = xcalloc((size_t)model->n_layers, sizeof *tr.layers);
    Carver cv = {0};
    layout(&tr, &cv);
    free(tr.layers);
    return (size_t)model->n_layers * sizeof(LayerRecord) + (size_t)T * (size_t)B * sizeof(int) + cv.floats * sizeof(float) + cv.bytes;
}

size_t trace_bytes(const Model *model, int B, int T, bool keep)
{
    UNROLL_ASSERT(B >= 1 && T >= 1);
    if (T > ENGINE_MAX_SEQ || T < model_min_steps(model)) return SIZE_MAX;
    return base_size_linear(trace_bytes_at(model, 1, T, keep), trace_bytes_at(model, 2, T, keep), (size_t)B);
}

void trace_set_training(Trace *tr, bool training, uint64_t seed)
{
    tr->training = training;
    rng_init(&tr->rng, seed);
}

void trace_free(Trace *tr)
{
    free(tr->layers);
    free(tr->tokens);
    free(tr->block);
    free(tr->mblock);
    *tr = (Trace){0};
}

/* ---- forward ----------------------------------------------------------- */

static float merge2(MergeMode mode, float a, float b)
{
    switch (mode) {
    case MERGE_SUM: return a + b;
    case MERGE_MUL: return a * b;
    case MERGE_AVE: return 0.5f * (a + b);
    case MERGE_CONCAT: break;
    }
    return 0.0f;
}

/* Writes the merged Bidirectional output from the two runs' outputs fo, bo
 * (H each); concat puts forward first. */
static void merge_into(float *out, const float *fo, const float *bo, MergeMode mode, size_t H)
{
    if (mode == MERGE_CONCAT) {
        memcpy(out, fo, H * sizeof *out);
        memcpy(out + H, bo, H * sizeof *out);
        return;
    }
    for (size_t j = 0; j < H; j++) out[j] = merge2(mode, fo[j], bo[j]);
}

/* The layer's dropout masks for one run (training): one per sequence,
 * drawn at the start of the pass, 0 or 1/(1-rate) (Keras 3's cells). */
static void draw_mask(float *mask, size_t n, float rate, Rng *rng)
{
    const float scale = 1.0f / (1.0f - rate);
    for (size_t k = 0; k < n; k++) mask[k] = rng_uniform(rng) >= rate ? scale : 0.0f;
}

/* carry: start from the state in h[0] (and c[0]) instead of zeros.
 * rng != NULL: training with the layer's dropout / recurrent_dropout. */
static void run_forward(RunRecord *run, const Layer *l, const Cell *c, float *scratch,
                        const float *x, const unsigned char *in_mask, bool keep, bool carry, Rng *rng)
{
    const size_t T = (size_t)run->T, B = (size_t)run->B, H = (size_t)run->H, GH = (size_t)run->G * H;
    const size_t F = (size_t)c->input_dim, BH = B * H;
    run->dropping = rng && (run->dp_mask || run->rdp_mask);
    const bool drop_in = run->dropping && run->dp_mask, drop_rec = run->dropping && run->rdp_mask;
    if (drop_in) {
        /* inputs * dp_mask: the same mask at every step of a sequence */
        draw_mask(run->dp_mask, B * F, l->dropout, rng);
        for (size_t t = 0; t < T; t++)
            for (size_t k = 0; k < B * F; k++) run->xd[t * B * F + k] = x[t * B * F + k] * run->dp_mask[k];
        x = run->xd;
    }
    if (drop_rec) draw_mask(run->rdp_mask, BH, l->recurrent_dropout, rng);
    cell_project(run->xw, x, c, T * B);
    if (!carry) {
        memset(run->h, 0, B * H * sizeof *run->h);
        if (run->c) memset(run->c, 0, B * H * sizeof *run->c);
    }
    for (size_t t = 0; t < T; t++) {
        size_t pos = run->backwards ? T - 1 - t : t;
        unsigned char *mk = NULL;
        if (run->mask) {
            mk = run->mask + t * B;
            memcpy(mk, in_mask + pos * B, B);
        }
        size_t slot = keep ? t : 0;
        float *c_prev = run->c ? run->c + t * BH : NULL;
        float *c_new = run->c ? run->c + (t + 1) * BH : NULL;
        const float *h_prev = run->h + t * BH;
        if (drop_rec) {
            /* h_tm1 * rec_dp_mask feeds the recurrent projection only */
            float *hd = run->hd + t * BH;
            for (size_t k = 0; k < BH; k++) hd[k] = h_prev[k] * run->rdp_mask[k];
            h_prev = hd;
        }
        float *h_new = run->h + (t + 1) * BH;
        cell_step(h_new, c_new,
                  run->gates + slot * B * GH, run->hu ? run->hu + slot * B * GH : NULL,
                  scratch, run->xw + pos * B * GH, h_prev,
                  c_prev, mk, c, B);
        if (drop_rec && mk) /* a masked step carries the state itself, not its dropped copy */
            for (size_t b = 0; b < B; b++)
                if (!mk[b]) memcpy(h_new + b * H, run->h + t * BH + b * H, H * sizeof *h_new);
    }
}

static void bidirectional_output(float *out, const Layer *l, const RunRecord *run)
{
    const size_t T = (size_t)run[0].T, B = (size_t)run[0].B, H = (size_t)run[0].H;
    const size_t D = (size_t)l->out_dim;
    if (!l->return_sequences) {
        for (size_t b = 0; b < B; b++)
            merge_into(out + b * D, seq_at(run[0].h, T, b, B, H), seq_at(run[1].h, T, b, B, H), l->merge, H);
        return;
    }
    /* The forward output is in its processing order, the backward one is
     * reversed back in time; masked steps output zeros (Keras sets
     * zero_output_for_mask inside Bidirectional). */
    for (size_t k = 0; k < T; k++) {
        size_t tb = T - 1 - k;
        for (size_t b = 0; b < B; b++) {
            float *o = seq_at(out, k, b, B, D); /* built in place: concat halves or merged */
            const float *fo = seq_at(run[0].h, k + 1, b, B, H);
            const float *bo = seq_at(run[1].h, tb + 1, b, B, H);
            bool fm = !run[0].mask || run[0].mask[k * B + b];
            bool bm = !run[1].mask || run[1].mask[tb * B + b];
            if (l->merge == MERGE_CONCAT) {
                if (fm) memcpy(o, fo, H * sizeof *o); else memset(o, 0, H * sizeof *o);
                if (bm) memcpy(o + H, bo, H * sizeof *o); else memset(o + H, 0, H * sizeof *o);
            } else {
                for (size_t j = 0; j < H; j++)
                    o[j] = merge2(l->merge, fm ? fo[j] : 0.0f, bm ? bo[j] : 0.0f);
            }
        }
    }
}

/* out (N, out_dim) = act(in (N, in_dim) · kernel + bias) */
static void dense_forward(float *out, const float *in, const Layer *l, size_t N)
{
    const size_t D = (size_t)l->out_dim, F = (size_t)l->in_dim;
    if (l->use_bias)
        for (size_t n = 0; n < N; n++) memcpy(out + n * D, l->bias, D * sizeof *out);
    blas_sgemm(false, false, N, D, F, 1.0f, in, F, l->kernel, D, l->use_bias ? 1.0f : 0.0f, out, D);
    if (l->activation == ACT_SOFTMAX)
        act_softmax_rows(out, N, D);
    else
        act_forward(out, out, l->activation, N * D);
}

/* Conv1D: out (T_out, B, D) = act(sum over taps k of in[o*s + k*d - pad] ·
 * W[k] + b), positions outside the input reading zeros. */
static void conv_forward(float *out, const float *in, const Layer *l, size_t T_in, size_t T_out, size_t B)
{
    const size_t F = (size_t)l->in_dim, D = (size_t)l->out_dim, s = (size_t)l->strides;
    const long long pad = conv_pad_front(l, (int)T_in, (int)T_out);
    if (l->use_bias)
        for (size_t n = 0; n < T_out * B; n++) memcpy(out + n * D, l->bias, D * sizeof *out);
    else
        memset(out, 0, T_out * B * D * sizeof *out);
    for (size_t k = 0; k < (size_t)l->kernel_size; k++) {
        const long long off = (long long)k * l->dilation - pad;
        const float *w = l->kernel + k * F * D;
        for (size_t o = 0; o < T_out; o++) {
            long long p = (long long)o * (long long)s + off;
            if (p < 0 || p >= (long long)T_in) continue;
            /* stride 1: the rest of the valid outputs read consecutive steps, one sgemm */
            size_t n = 1;
            if (s == 1) {
                long long last = (long long)T_in - 1 - off;
                n = (size_t)((last < (long long)T_out - 1 ? last : (long long)T_out - 1) - (long long)o + 1);
            }
            blas_sgemm(false, false, n * B, D, F, 1.0f, in + (size_t)p * B * F, F, w, D, 1.0f, out + o * B * D, D);
            o += n - 1;
        }
    }
    act_forward(out, out, l->activation, T_out * B * D);
}

/* GlobalAveragePooling1D: the mean over the steps the mask keeps (Keras:
 * sum(x * mask) / sum(mask); a row masked at every step gives zeros here
 * where Keras divides 0 by 0). GlobalMaxPooling1D: the max over every step
 * (Keras 3's takes no mask). */
static void pool_forward(float *out, const float *in, const unsigned char *mask, const Layer *l, size_t T, size_t B)
{
    const size_t F = (size_t)l->in_dim;
    for (size_t b = 0; b < B; b++) {
        float *o = out + b * F;
        if (l->kind == LAYER_GLOBAL_MAX_POOL) {
            memcpy(o, in + b * F, F * sizeof *o);
            for (size_t t = 1; t < T; t++)
                for (size_t j = 0; j < F; j++) o[j] = in[(t * B + b) * F + j] > o[j] ? in[(t * B + b) * F + j] : o[j];
            continue;
        }
        memset(o, 0, F * sizeof *o);
        size_t count = 0;
        for (size_t t = 0; t < T; t++) {
            if (mask && !mask[t * B + b]) continue;
            count++;
            for (size_t j = 0; j < F; j++) o[j] += in[(t * B + b) * F + j];
        }
        for (size_t j = 0; j < F; j++) o[j] = count ? o[j] / (float)count : 0.0f;
    }
}

void model_forward(Trace *tr, const int *tokens, const float *input)
{
    const Model *m = tr->model;
    const size_t T = (size_t)tr->T, B = (size_t)tr->B;
    /* batch-major input to time-major */
    if (m->token_input) {
        UNROLL_ASSERT(tokens);
        for (size_t b = 0; b < B; b++)
            for (size_t t = 0; t < T; t++) tr->tokens[t * B + b] = tokens[b * T + t];
    } else {
        UNROLL_ASSERT(input);
        const size_t F = (size_t)m->input_dim;
        for (size_t b = 0; b < B; b++)
            for (size_t t = 0; t < T; t++)
                memcpy(seq_at(tr->input, t, b, B, F), input + (b * T + t) * F, F * sizeof *input);
    }
    const float *cur = tr->input;
    const unsigned char *cur_mask = NULL;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        LayerRecord *r = &tr->layers[i];
        const size_t F = (size_t)l->in_dim, D = (size_t)l->out_dim;
        const size_t Ti = (size_t)r->T_in, TBi = Ti * B;
        switch (l->kind) {
        case LAYER_EMBEDDING:
            for (size_t k = 0; k < TBi; k++) {
                int tok = tr->tokens[k];
                UNROLL_ASSERT(tok >= 0 && tok < l->vocab);
                memcpy(r->out + k * D, l->kernel + (size_t)tok * D, D * sizeof *r->out);
                if (r->mask) r->mask[k] = tok != 0;
            }
            break;
        case LAYER_MASKING:
            for (size_t k = 0; k < TBi; k++) {
                const float *x = cur + k * F;
                bool keep = false;
                for (size_t j = 0; j < F; j++) keep |= x[j] != l->mask_value;
                r->mask[k] = keep;
                for (size_t j = 0; j < F; j++) r->out[k * F + j] = keep ? x[j] : 0.0f;
            }
            break;
        case LAYER_DROPOUT: {
            size_t n = (l->in_seq ? TBi : B) * F;
            if (tr->training && l->rate > 0.0f) {
                /* inverted dropout: kept units are scaled by 1/(1-rate) */
                const float scale = 1.0f / (1.0f - l->rate);
                for (size_t k = 0; k < n; k++) {
                    r->scratch[k] = rng_uniform(&tr->rng) >= l->rate ? scale : 0.0f;
                    r->out[k] = cur[k] * r->scratch[k];
                }
            } else {
                for (size_t k = 0; k < n; k++) r->scratch[k] = 1.0f;
                memcpy(r->out, cur, n * sizeof *r->out); /* identity at inference */
            }
            break;
        }
        case LAYER_DENSE:
            dense_forward(r->out, cur, l, l->in_seq ? TBi : B);
            break;
        case LAYER_RNN:
            for (int d = 0; d < l->n_dir; d++)
                run_forward(&r->run[d], l, &l->cell[d], r->scratch, cur, cur_mask, tr->keep, tr->carry,
                            tr->training ? &tr->rng : NULL);
            if (l->bidirectional) bidirectional_output(r->out, l, r->run);
            break;
        case LAYER_CONV1D:
            conv_forward(r->out, cur, l, Ti, (size_t)r->T_out, B);
            break;
        case LAYER_GLOBAL_AVG_POOL:
        case LAYER_GLOBAL_MAX_POOL:
            pool_forward(r->out, cur, cur_mask, l, Ti, B);
            break;
        case LAYER_FLATTEN:
            if (!l->in_seq) {
                memcpy(r->out, cur, B * F * sizeof *r->out);
                break;
            }
            /* Keras flattens each sequence's (T, F) row-major: index t*F + j */
            for (size_t t = 0; t < Ti; t++)
                for (size_t b = 0; b < B; b++) memcpy(r->out + b * D + t * F, cur + (t * B + b) * F, F * sizeof *r->out);
            break;
        case LAYER_SPATIAL_DROPOUT:
            /* noise_shape (batch, 1, features): one mask per sequence and channel */
            if (tr->training && l->rate > 0.0f) draw_mask(r->scratch, B * F, l->rate, &tr->rng);
            else for (size_t k = 0; k < B * F; k++) r->scratch[k] = 1.0f;
            for (size_t k = 0; k < TBi; k++)
                for (size_t j = 0; j < F; j++) r->out[k * F + j] = cur[k * F + j] * r->scratch[(k % B) * F + j];
            break;
        }
        cur = r->out;
        cur_mask = r->mask;
    }
}

/* ---- reading a trace back ------------------------------------------------- */

/* Rows of a run's (T, B) records for processing step t of sequence b: the
 * step's own (its gates, h_prev; h is a row block later), and that of the
 * position it read (x, xw). */
static size_t step_row(const RunRecord *run, int t, int b)
{
    return (size_t)t * (size_t)run->B + (size_t)b;
}

static size_t read_row(const RunRecord *run, int t, int b)
{
    return step_row(run, run->backwards ? run->T - 1 - t : t, b);
}

/* trace_preactivation with the caller's scratch: 2*G*H + 2*H floats, used
 * only at masked GRU steps */
static void preactivation(const Trace *tr, int li, int d, int t, int b, float *out, float *scratch)
{
    const Layer *l = &tr->model->layers[li];
    const Cell *c = &l->cell[d];
    const RunRecord *run = &tr->layers[li].run[d];
    UNROLL_ASSERT(tr->keep && t >= 0 && t < run->T && b >= 0 && b < run->B);
    const size_t H = (size_t)run->H, GH = (size_t)run->G * H, row = step_row(run, t, b);
    const float *xw = run->xw + read_row(run, t, b) * GH;
    const float *hp = run->h + row * H;
    if (c->kind == CELL_SIMPLE_RNN) {
        memcpy(out, run->gates + row * GH, GH * sizeof *out);
        return;
    }
    if (c->kind == CELL_LSTM) {
        memcpy(out, xw, GH * sizeof *out);
        blas_sgemm(false, false, 1, GH, H, 1.0f, hp, H, c->recurrent_kernel, GH, 1.0f, out, GH);
        return;
    }
    /* GRU: the recurrent projection and reset gate of the step give each
     * block; a masked step recorded none, so form them as the step would */
    bool real = !run->mask || run->mask[row];
    const float *hu = run->hu + row * GH;
    const float *r = run->gates + row * GH + H;
    if (!real) {
        float *g = scratch, *u = scratch + GH, *hn = scratch + 2 * GH;
        cell_step(hn, NULL, g, u, hn + H, xw, hp, NULL, NULL, c, 1);
        hu = u;
        r = g + H;
    }
    for (size_t j = 0; j < 2 * H; j++) out[j] = xw[j] + hu[j];
    for (size_t j = 0; j < H; j++)
        out[2 * H + j] = xw[2 * H + j] + (c->reset_after ? r[j] * hu[2 * H + j] : hu[2 * H + j]);
}

void trace_preactivation(const Trace *tr, int li, int d, int t, int b, float *out)
{
    const RunRecord *run = &tr->layers[li].run[d];
    const size_t n = 2 * (size_t)run->G * (size_t)run->H + 2 * (size_t)run->H;
    float *scratch = xmalloc(n * sizeof *scratch);
    preactivation(tr, li, d, t, b, out, scratch);
    free(scratch);
}

bool trace_conv_terms(const Trace *tr, int li, int o, int b, int f, ConvTerms *out)
{
    const Model *m = tr->model;
    memset(out, 0, sizeof *out);
    if (li < 0 || li >= m->n_layers || b < 0 || b >= tr->B) return false;
    const Layer *l = &m->layers[li];
    const LayerRecord *rec = &tr->layers[li];
    if (l->kind != LAYER_CONV1D || o < 0 || o >= rec->T_out || f < 0 || f >= l->out_dim) return false;
    const size_t C = (size_t)l->in_dim, F = (size_t)l->out_dim, B = (size_t)tr->B;
    const float *in = li > 0 ? tr->layers[li - 1].out : tr->input; /* (T_in, B, C) */
    const int start = conv_window_start(l, rec->T_in, o);
    float sum = 0.0f;
    out->n_taps = l->kernel_size;
    for (int k = 0; k < l->kernel_size; k++) {
        const long long p = (long long)start + (long long)k * l->dilation;
        float dot = 0.0f;
        if (p >= 0 && p < rec->T_in) {
            const float *x = in + ((size_t)p * B + (size_t)b) * C, *w = l->kernel + (size_t)k * C * F + (size_t)f;
            for (size_t c = 0; c < C; c++) dot += w[c * F] * x[c];
        }
        if (k < CONV_TAPS_MAX) {
            out->pos[k] = (int)p;
            out->dot[k] = dot;
        }
        sum += dot;
    }
    out->bias = l->use_bias ? l->bias[f] : 0.0f;
    out->pre = out->bias + sum;
    out->act = l->activation;
    out->y = rec->out[((size_t)o * B + (size_t)b) * F + (size_t)f]; /* the forward pass's value */
    return true;
}

/* The recurrent layer whose last h makes the model's output when one pass
 * over a sequence gives every prefix's output: all recurrent layers read
 * forwards (no Bidirectional, no go_backwards), so h after step t depends
 * on positions 0..t only, and only Dense and Dropout follow it. -1 if not. */
static int causal_head(const Model *m)
{
    int head = -1;
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind == LAYER_CONV1D || l->kind == LAYER_GLOBAL_AVG_POOL || l->kind == LAYER_GLOBAL_MAX_POOL ||
            l->kind == LAYER_FLATTEN)
            return -1; /* not a step-by-step reading */
        if (l->kind == LAYER_RNN) {
            if (l->n_dir != 1 || l->cell[0].go_backwards) return -1;
            head = i;
        } else if (head >= 0 && l->kind != LAYER_DENSE && l->kind != LAYER_DROPOUT) {
            return -1;
        }
    }
    return head >= 0 && !m->layers[head].return_sequences ? head : -1;
}

/* The layers after the head (Dense, and Dropout as identity) on N rows. */
static void head_forward(float *out, const float *h, const Model *m, int head, size_t N)
{
    int width = m->layers[head].out_dim;
    for (int i = head + 1; i < m->n_layers; i++) width = m->layers[i].out_dim > width ? m->layers[i].out_dim : width;
    const size_t n_buf = N * (size_t)width;
    float *buf[2] = {xmalloc(n_buf * sizeof(float)), xmalloc(n_buf * sizeof(float))};
    const float *cur = h;
    int k = 0;
    for (int i = head + 1; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind != LAYER_DENSE) continue; /* Dropout: identity at inference */
        dense_forward(buf[k], cur, l, N);
        cur = buf[k];
        k ^= 1;
    }
    memcpy(out, cur, N * (size_t)m->layers[m->n_layers - 1].out_dim * sizeof *out);
    free(buf[0]);
    free(buf[1]);
}

/* Whether prefix t+1 of a sequence, padded in front to the model's fixed
 * length, ends in the state the head has after step t of one pass over the
 * sequence. True without a fixed length (no padding). With one, only when
 * the model masks the padding (Embedding mask_zero, no Masking layer, the
 * mask reaching the head: run is the head's record): a masked step keeps
 * the state, which starts at zeros either way. */
static bool padding_is_masked(const Model *m, int head, const RunRecord *run)
{
    if (!m->seq_len) return true;
    if (m->layers[0].kind != LAYER_EMBEDDING || !m->layers[0].mask_zero || !run->mask) return false;
    for (int i = 0; i < head; i++)
        if (m->layers[i].kind == LAYER_MASKING) return false;
    return true;
}

/* Prefixes 1..n from one forward pass over tokens[0..n-1]: the head's h
 * after step t is the final state of prefix t+1. Returns false (nothing
 * written) when that does not hold. */
static bool predict_one_pass(const Model *m, const int *tokens, int n, float *out)
{
    int head = causal_head(m);
    if (head < 0 || !m->token_input) return false;
    Model any_len = *m; /* the same layers, read for n steps */
    any_len.seq_len = 0;
    Trace tr;
    trace_init(&tr, &any_len, 1, n, false);
    const RunRecord *run = &tr.layers[head].run[0];
    bool ok = padding_is_masked(m, head, run);
    if (ok) {
        model_forward(&tr, tokens, NULL);
        head_forward(out, run->h + run->H, m, head, (size_t)n);
    }
    trace_free(&tr);
    return ok;
}

bool model_reads_forwards(const Model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        const Layer *l = &m->layers[i];
        if (l->kind == LAYER_RNN && (l->n_dir != 1 || l->cell[0].go_backwards)) return false;
        /* a convolution or pooling sees the whole piece at once: no state to carry */
        if (l->kind == LAYER_CONV1D || l->kind == LAYER_GLOBAL_AVG_POOL || l->kind == LAYER_GLOBAL_MAX_POOL ||
            l->kind == LAYER_FLATTEN)
            return false;
    }
    return true;
}

void trace_carry_state(Trace *dst, const Trace *src)
{
    const Model *m = dst->model;
    UNROLL_ASSERT(src->model->n_layers == m->n_layers && src->B == dst->B && model_reads_forwards(m));
    for (int i = 0; i < m->n_layers; i++) {
        if (m->layers[i].kind != LAYER_RNN) continue;
        RunRecord *to = &dst->layers[i].run[0];
        const RunRecord *from = &src->layers[i].run[0];
        const size_t n = (size_t)to->B * (size_t)to->H, last = (size_t)from->T * n;
        /* memmove: src may be dst, carrying its own final state forward */
        memmove(to->h, from->h + last, n * sizeof *to->h);
        if (to->c) memmove(to->c, from->c + last, n * sizeof *to->c);
    }
    dst->carry = true;
}

void trace_predict_prefixes(const Trace *tr, float *out)
{
    const Model *m = tr->model;
    UNROLL_ASSERT(tr->B == 1 && m->token_input);
    int head = causal_head(m);
    if (head >= 0) {
        const RunRecord *run = &tr->layers[head].run[0];
        if (padding_is_masked(m, head, run)) {
            head_forward(out, run->h + run->H, m, head, (size_t)tr->T);
            return;
        }
    }
    model_predict_prefixes(m, tr->tokens, tr->T, out);
}

/* Bytes of trace a batch of prefixes may take at once */
#define PREFIX_BATCH_BYTES (64u << 20)

void model_predict_prefixes(const Model *m, const int *tokens, int T, float *out)
{
    const Layer *last = &m->layers[m->n_layers - 1];
    UNROLL_ASSERT(!last->out_seq && T >= 1);
    const int L = m->seq_len;
    const size_t D = (size_t)last->out_dim;
    /* up to the model's length (or all of them when it has none) in one
     * pass; longer prefixes are cut in front, so each differs */
    int first = L && T > L ? L : T;
    if (!predict_one_pass(m, tokens, first, out)) first = 0;
    if (first == T) return;
    if (!L) {
        /* a model that reads backwards and takes any length: each prefix
         * is its own sequence (quadratic in T) */
        for (int t = first; t < T; t++) {
            if (t + 1 < model_min_steps(m)) { /* too short for a valid Conv1D: nothing to predict */
                memset(out + (size_t)t * D, 0, D * sizeof *out);
                continue;
            }
            Trace tr;
            trace_init(&tr, m, 1, t + 1, false);
            model_forward(&tr, tokens, NULL);
            memcpy(out + (size_t)t * D, tr.layers[m->n_layers - 1].out, D * sizeof *out);
            trace_free(&tr);
        }
        return;
    }
    /* the rest as batches of prefixes, each padded or cut in front to L */
    size_t row_bytes = trace_bytes(m, 1, L, false);
    int P = (int)(PREFIX_BATCH_BYTES / (row_bytes ? row_bytes : 1));
    P = P < 1 ? 1 : P > 64 ? 64 : P > T - first ? T - first : P;
    int *rows = xcalloc((size_t)P * (size_t)L, sizeof *rows);
    Trace tr;
    trace_init(&tr, m, P, L, false);
    for (int t0 = first; t0 < T; t0 += P) {
        int n = T - t0 < P ? T - t0 : P;
        for (int b = 0; b < P; b++) /* spare rows repeat the last prefix */
            base_fit_front(rows + (size_t)b * (size_t)L, L, tokens, t0 + (b < n ? b : n - 1) + 1);
        model_forward(&tr, rows, NULL);
        memcpy(out + (size_t)t0 * D, tr.layers[m->n_layers - 1].out, (size_t)n * D * sizeof *out);
    }
    trace_free(&tr);
    free(rows);
}

size_t cell_wires_floats(const Trace *tr, int li, int d)
{
    const RunRecord *run = &tr->layers[li].run[d];
    size_t H = (size_t)run->H, GH = (size_t)run->G * H, F = (size_t)tr->model->layers[li].cell[d].input_dim;
    /* the wires, then the scratch of a masked GRU step */
    return F + 12 * H + 2 * GH + (2 * GH + 2 * H);
}

void cell_wires_init(CellWires *w, const Trace *tr, int li, int d, int t, int b)
{
    float *block = xcalloc(cell_wires_floats(tr, li, d), sizeof(float));
    cell_wires_fill(w, block, tr, li, d, t, b);
    w->block = block;
}

void cell_wires_fill(CellWires *w, float *block, const Trace *tr, int li, int d, int t, int b)
{
    const Model *m = tr->model;
    const Layer *l = &m->layers[li];
    const Cell *c = &l->cell[d];
    const RunRecord *run = &tr->layers[li].run[d];
    UNROLL_ASSERT(t >= 0 && t < run->T && b >= 0 && b < run->B);
    *w = (CellWires){.kind = c->kind, .H = run->H, .G = run->G, .in_dim = c->input_dim};
    const size_t H = (size_t)run->H, GH = (size_t)run->G * H, B = (size_t)run->B, F = (size_t)c->input_dim;
    const size_t row = step_row(run, t, b), pos_row = read_row(run, t, b);
    w->mask = !run->mask || run->mask[row];
    float *p = block;
    float *scratch = block + F + 12 * H + 2 * GH;
    w->x = p, p += F;
    w->h_prev = p, p += H;
    w->h = p, p += H;
    w->pre = p, p += GH;
    w->gate = p, p += GH;
    const float *x = li ? tr->layers[li - 1].out : tr->input;
    memcpy(w->x, x + pos_row * F, F * sizeof *w->x);
    memcpy(w->h_prev, run->h + row * H, H * sizeof *w->h);
    memcpy(w->h, run->h + (row + B) * H, H * sizeof *w->h);
    preactivation(tr, li, d, t, b, w->pre, scratch);
    /* gates as the step had them (recomputed from pre for masked steps) */
    if (c->kind == CELL_SIMPLE_RNN) {
        act_forward(w->gate, w->pre, c->activation, H);
    } else if (c->kind == CELL_LSTM) {
        act_forward(w->gate, w->pre, c->recurrent_activation, 2 * H);
        act_forward(w->gate + 2 * H, w->pre + 2 * H, c->activation, H);
        act_forward(w->gate + 3 * H, w->pre + 3 * H, c->recurrent_activation, H);
    } else {
        act_forward(w->gate, w->pre, c->recurrent_activation, 2 * H);
        act_forward(w->gate + 2 * H, w->pre + 2 * H, c->activation, H);
    }
    if (c->kind == CELL_LSTM) {
        w->c_prev = p, p += H;
        w->c = p, p += H;
        w->fc = p, p += H;
        w->ig = p, p += H;
        w->act_c = p, p += H;
        memcpy(w->c_prev, run->c + row * H, H * sizeof *w->c);
        const float *gi = w->gate, *gf = gi + H, *gg = gi + 2 * H;
        for (size_t j = 0; j < H; j++) {
            w->fc[j] = gf[j] * w->c_prev[j];
            w->ig[j] = gi[j] * gg[j];
            w->c[j] = w->fc[j] + w->ig[j];
        }
        act_forward(w->act_c, w->c, c->activation, H);
        if (w->mask) memcpy(w->c, run->c + (row + B) * H, H * sizeof *w->c);
    } else if (c->kind == CELL_GRU) {
        w->zh = p, p += H;
        w->zn = p, p += H;
        w->one_minus_z = p, p += H;
        w->rh = p, p += H;
        const float *z = w->gate, *r = w->gate + H, *n = w->gate + 2 * H;
        /* what r multiplied: h_prev, or the recurrent projection of the candidate */
        const float *xw = run->xw + pos_row * GH;
        for (size_t j = 0; j < H; j++) {
            w->zh[j] = z[j] * w->h_prev[j];
            w->one_minus_z[j] = 1.0f - z[j];
            w->zn[j] = w->one_minus_z[j] * n[j];
            w->rh[j] = c->reset_after ? w->pre[2 * H + j] - xw[2 * H + j] : r[j] * w->h_prev[j];
        }
    }
}

void cell_wires_free(CellWires *w)
{
    free(w->block);
    *w = (CellWires){0};
}

void model_make_rnn(Model *m, CellKind kind, int input_dim, int units, uint64_t seed)
{
    model_init(m);
    m->input_dim = input_dim;
    Layer l = {0};
    l.kind = LAYER_RNN;
    snprintf(l.name, sizeof l.name, "%s", kind == CELL_LSTM ? "lstm" : kind == CELL_GRU ? "gru" : "simple_rnn");
    l.cell[0] = (Cell){.kind = kind, .units = units, .activation = ACT_TANH, .recurrent_activation = ACT_SIGMOID,
                       .use_bias = true, .reset_after = true};
    l.trainable = true;
    model_add_layer(m, &l);
    Err err = {{0}};
    bool ok = model_build(m, &err);
    UNROLL_ASSERT(ok);
    model_init_weights(m, seed);
}
