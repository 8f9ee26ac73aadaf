/* engine: a Keras-exact sequential model of recurrent layers, instrumented so
 * every timestep's x, h, c and gate activations can be kept and read.
 *
 * What it holds: activations, the three cells (SimpleRNN, GRU, LSTM) as one
 * step function each, Embedding, Masking, Bidirectional, Dense, Dropout, the
 * Keras mask rules, and a batch forward pass laid out time-major
 * (T, B, features): the input projection of all timesteps is one sgemm, the
 * recurrent projection one sgemm per step. Tracing is B = 1 with keep = true.
 *
 * What it does not: read or write files, parse JSON, draw, or keep global
 * state (two models may run on two threads at once). Depends on base and on
 * cblas through blas.c only. */
#ifndef UNROLL_ENGINE_H
#define UNROLL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

/* ---- the process ------------------------------------------------------ */

/* Call first in main, before any thread is made: flushes subnormal floats to
 * zero in this thread (threads made later inherit it), moves OpenBLAS from a
 * generic fallback core to its Haswell kernels on a CPU with AVX2 and FMA
 * (unless OPENBLAS_CORETYPE is set), and restarts OpenBLAS' worker threads so
 * that they flush too. Results differ from IEEE arithmetic only where a value
 * would be below FLT_MIN (1.2e-38) in magnitude. */
void engine_setup_process(void);
/* Flush-to-zero and denormals-are-zero for the calling thread (a thread that
 * computes calls it first; it is inherited by threads it makes). */
void engine_flush_subnormals(void);
/* Whether this thread's arithmetic really flushes (false under valgrind,
 * which ignores the mode). */
bool engine_flushes_subnormals(void);

/* How many threads the engine's BLAS uses, and its kernel family as the BLAS
 * names it ("Haswell", "Prescott"; "unknown" for a BLAS that does not say). */
int blas_threads_in_use(void);
const char *blas_core_name(void);
/* [inst] How the BLAS describes its build ("OpenBLAS 0.3.21 DYNAMIC_ARCH
 * ... Haswell MAX_THREADS=64"; "unknown" for a BLAS that does not say). */
const char *blas_config(void);

/* ---- activations ---------------------------------------------------- */

typedef enum {
    ACT_LINEAR,
    ACT_RELU,
    ACT_TANH,
    ACT_SIGMOID,
    ACT_HARD_SIGMOID, /* clip(0.2x + 0.5, 0, 1), tfjs' default recurrent act */
    ACT_SOFTMAX,      /* over the last axis; only for Dense */
} Act;

/* Keras name ("tanh", "hard_sigmoid", ...) of an activation. */
const char *act_name(Act act);
/* Parses a Keras or tfjs activation name; false if unknown. */
bool act_parse(const char *name, Act *out);

/* y[i] = act(x[i]) for n elements, elementwise activations only (y may be x). */
void act_forward(float *y, const float *x, Act act, size_t n);
/* Softmax of each of the rows rows of width n, in place. */
void act_softmax_rows(float *x, size_t rows, size_t n);

/* ---- cells ---------------------------------------------------------- */

typedef enum { CELL_SIMPLE_RNN, CELL_GRU, CELL_LSTM } CellKind;

/* Gate blocks per cell, Keras order: SimpleRNN 1; GRU 3 (z, r, h);
 * LSTM 4 (i, f, c, o). */
int cell_gate_count(CellKind kind);
/* Keras class name: "SimpleRNN", "GRU", "LSTM". */
const char *cell_class_name(CellKind kind);

typedef struct {
    CellKind kind;
    int input_dim, units;
    Act activation, recurrent_activation;
    bool use_bias;
    bool reset_after;          /* GRU only */
    bool go_backwards;         /* reads positions T-1 .. 0 */
    float *kernel;             /* (input_dim, G*units) */
    float *recurrent_kernel;   /* (units, G*units) */
    float *bias;               /* (G*units); GRU reset_after: (2, 3*units); NULL without bias */
} Cell;

/* Number of floats in a cell's bias (0 without use_bias). */
size_t cell_bias_size(const Cell *cell);

/* One timestep for a batch of B rows. The same function serves tracing,
 * training and generation.
 *   xw      (B, G*H)  input projection x·W (+ input bias), from cell_project
 *   h_prev  (B, H)    c_prev (B, H) for LSTM, else NULL
 *   mask    (B)       1 = real step, 0 = masked (state carried); NULL = all 1
 * Outputs:
 *   h (B, H); c (B, H) for LSTM;
 *   gates (B, G*H) after activation (SimpleRNN, which has none: its
 *          pre-activation x·W + h·U + b), zeros on masked rows;
 *   hu (B, G*H) GRU only: h_prev·U (+ recurrent bias) as the reset gate sees
 *          it (reset_after) or (r*h_prev)·U_h in the candidate block.
 * scratch must hold B*G*H floats. */
void cell_step(float *h, float *c, float *gates, float *hu, float *scratch,
               const float *xw, const float *h_prev, const float *c_prev,
               const unsigned char *mask, const Cell *cell, size_t B);

/* The backward of cell_step (same records), for B rows. In the forward pass
 * h = cell(x·W + h_prev·U + b); here, from dh (B, H) = dL/dh of this step
 * (its output plus what the next step sends back) and, for LSTM, dc (B, H)
 * from the next step:
 *   dg      (B, G*H)  dL/d(pre-activation), input side (= d(x·W + b_in))
 *   dhu     (B, G*H)  GRU only: dL/d(recurrent projection); NULL otherwise
 *                     (for SimpleRNN and LSTM it equals dg)
 *   rh      (B, H)    GRU reset_after=false only: r*h_prev, what U_h multiplied
 *   dh_prev (B, H), dc_prev (B, H) LSTM
 * Masked rows pass dh and dc straight through with zero dg.
 * scratch must hold B*4*H floats. */
void cell_step_backward(float *dg, float *dhu, float *rh, float *dh_prev, float *dc_prev, float *scratch,
                        const float *dh, const float *dc, const float *h, const float *c, const float *h_prev,
                        const float *c_prev, const float *gates, const float *hu, const unsigned char *mask,
                        const Cell *cell, size_t B);

/* xw = x·W (+ input bias) for N rows of x (N, input_dim): one sgemm. */
void cell_project(float *xw, const float *x, const Cell *cell, size_t N);

/* ---- layers and the model ------------------------------------------ */

typedef enum {
    LAYER_EMBEDDING,
    LAYER_MASKING,
    LAYER_RNN,        /* SimpleRNN, GRU, LSTM, or Bidirectional of one */
    LAYER_DENSE,
    LAYER_DROPOUT,
    /* layers beside the recurrent ones (Keras semantics, contracts.md) */
    LAYER_CONV1D,          /* Conv1D over time, channels last */
    LAYER_GLOBAL_AVG_POOL, /* GlobalAveragePooling1D: mean over the unmasked steps */
    LAYER_GLOBAL_MAX_POOL, /* GlobalMaxPooling1D: max over the unmasked steps */
    LAYER_FLATTEN,         /* Flatten: (T, F) -> (T*F), needs a fixed length */
    LAYER_SPATIAL_DROPOUT, /* SpatialDropout1D: drops whole channels of a sequence */
} LayerKind;

/* Conv1D padding, as Keras names it */
typedef enum { PAD_VALID, PAD_SAME, PAD_CAUSAL } ConvPadding;

const char *conv_padding_name(ConvPadding p);

/* Steps a Conv1D gives for T_in input steps (Keras' conv output length);
 * 0 or less when the input is shorter than the dilated kernel (valid). */
int conv_out_steps(int T_in, int kernel_size, int strides, int dilation, ConvPadding padding);

typedef enum { MERGE_CONCAT, MERGE_SUM, MERGE_MUL, MERGE_AVE } MergeMode;

const char *merge_mode_name(MergeMode mode);

/* ENGINE_NAME_MAX: unroll_limits.h */

typedef struct {
    LayerKind kind;
    char name[ENGINE_NAME_MAX];      /* Keras layer name, e.g. "lstm_1" */
    /* shapes, without batch: input (T, in_dim) when in_seq, else (in_dim) */
    bool in_seq, out_seq;
    int in_dim, out_dim;

    /* Embedding: table (vocab, out_dim) in `kernel` */
    int vocab;
    bool mask_zero;
    /* Masking */
    float mask_value;
    /* Recurrent: one cell, or two (forward, backward) when bidirectional.
     * inner_name is the wrapped layer's name ("lstm"); dir_name is what
     * weights are scoped by ("forward_lstm", "backward_lstm"). */
    bool bidirectional;
    MergeMode merge;
    bool return_sequences, return_state, unit_forget_bias;
    int n_dir;
    Cell cell[2];
    char inner_name[ENGINE_NAME_MAX];
    char dir_name[2][ENGINE_NAME_MAX + 16];
    /* Dense (kernel (in_dim, out_dim), bias (out_dim)) and Embedding table */
    Act activation;
    bool use_bias;
    float *kernel;
    float *bias;
    /* Dropout; recurrent layers' own dropout options (identity at inference) */
    float rate;
    float dropout, recurrent_dropout;
    bool trainable;
    /* Conv1D: out_dim filters, kernel (kernel_size, in_dim, filters), bias
     * (filters), activation and use_bias above */
    int kernel_size, strides, dilation;
    ConvPadding padding;
    /* steps of the output sequence when the model's length is fixed, else 0
     * (model_layout) */
    int out_len;
} Layer;

/* Class name as Keras writes it ("Bidirectional", "LSTM", "Dense", ...). */
const char *layer_class_name(const Layer *layer);
/* Parameter count of one layer, as Keras' summary() counts it. */
size_t layer_param_count(const Layer *layer);

/* One named weight tensor inside the model's parameter block. */
typedef struct {
    char name[2 * ENGINE_NAME_MAX + 48]; /* "lstm/kernel", "bidirectional/forward_lstm/bias" */
    int layer;          /* index into layers */
    int dir;            /* 0 forward / only, 1 backward */
    const char *var;    /* "kernel", "recurrent_kernel", "bias", "embeddings" */
    int ndim;
    int shape[3];       /* Conv1D kernel: (kernel_size, in_dim, filters) */
    size_t offset, size; /* in floats, into params */
} ParamInfo;

typedef struct {
    char name[ENGINE_NAME_MAX];   /* "sequential" */
    bool functional;    /* read from a Functional/Model config (summary shows its InputLayer) */
    char input_name[ENGINE_NAME_MAX]; /* that InputLayer's name */
    bool token_input;   /* first layer is Embedding: input is (T) int tokens */
    int seq_len;        /* T, 0 when not fixed */
    int input_dim;      /* features per step when !token_input */
    int n_layers;
    Layer *layers;
    int n_params_info;
    ParamInfo *pinfo;
    float *params;      /* all weights, one block */
    size_t n_params;
} Model;

/* Upper bounds on sizes read from outside (ENGINE_MAX_DIM, _TENSOR,
 * _PARAMS, _LAYERS, _SEQ, _BATCH) live in unroll_limits.h. */

void model_init(Model *model);
void model_free(Model *model);

/* Appends a layer (copied) whose kind, name and options are set; shapes are
 * derived by model_build. Returns its index. */
int model_add_layer(Model *model, const Layer *layer);

/* Derives every layer's shapes from the model input, checks that options fit
 * together and lays out the parameter table (pinfo, n_params), allocating
 * nothing. Bad combinations are input errors (the layer is named). */
bool model_layout(Model *model, Err *err);

/* model_layout, then allocates the zeroed parameter block and points each
 * layer's weights into it. */
bool model_build(Model *model, Err *err);

/* The allocation half of model_build, after a successful model_layout. */
void model_alloc_params(Model *model);

/* Finds a parameter by layer index, direction and variable name. */
ParamInfo *model_find_param(Model *model, int layer, int dir, const char *var);

size_t model_param_count(const Model *model);

/* Checks tokens against the Embedding's vocabulary (or that the model takes
 * tokens at all). */
bool model_check_tokens(const Model *model, const int *tokens, int n, Err *err);

/* The fewest input steps the model takes (a valid Conv1D needs its dilated
 * kernel), and whether T input steps are enough (err names the layer). */
int model_min_steps(const Model *model);

/* The input position Conv1D layer l's tap 0 reads for output position o
 * when its input has T_in steps; tap k reads that plus k*dilation.
 * Positions outside 0..T_in-1 are the zero padding. */
int conv_window_start(const Layer *l, int T_in, int o);
bool model_check_steps(const Model *model, int T, Err *err);

/* ---- forward pass with per-step records ----------------------------- */

/* Records of one direction of one recurrent layer, in processing order. */
typedef struct {
    int T, B, H, G;
    bool backwards;       /* processing step t reads position T-1-t */
    float *xw;            /* (T, B, G*H) input projection, by position */
    float *h;             /* (T+1, B, H) h[0] = initial zeros, h[t+1] after step t */
    float *c;             /* (T+1, B, H) LSTM only */
    float *gates;         /* (T or 1, B, G*H) after activation */
    float *hu;            /* (T or 1, B, G*H) GRU recurrent projection */
    unsigned char *mask;  /* (T, B) by processing step, or NULL (all real) */
    /* the layer's dropout options, training only (Keras 3: one mask per
     * sequence, drawn at the start, reused at every step; NULL when the rate
     * is 0). Scaled masks hold 0 or 1/(1-rate). */
    bool dropping;        /* set by model_forward: masks in use for this pass */
    float *dp_mask;       /* (B, in_dim) input mask */
    float *xd;            /* (T, B, in_dim) the input times dp_mask, by position */
    float *rdp_mask;      /* (B, H) recurrent mask (SimpleRNN, LSTM; Keras 3's GRU applies none) */
    float *hd;            /* (T, B, H) h_prev times rdp_mask, by processing step */
} RunRecord;

typedef struct {
    float *out;           /* (T, B, out_dim) if out_seq else (B, out_dim) */
    unsigned char *mask;  /* (T, B) by position, or NULL: the output mask */
    int n_runs;
    RunRecord run[2];
    float *scratch;       /* per-layer working space; Dropout: its scaled keep mask;
                           * SpatialDropout1D: (B, F) scaled channel mask */
    int T_in, T_out;      /* steps of the input and output sequences (a Conv1D may change them) */
} LayerRecord;

typedef struct {
    const Model *model;
    int B, T;
    bool keep;            /* keep gates of every step (trace), else only the last */
    bool training;        /* Dropout layers drop (see trace_set_training) */
    bool carry;           /* recurrent runs start from h[0], c[0] as they are (see trace_carry_state) */
    Rng rng;              /* for the Dropout masks when training */
    float *input;         /* (T, B, input_dim) float input, time-major */
    int *tokens;          /* (T, B) */
    LayerRecord *layers;
    float *block;         /* one allocation for every float array above */
    unsigned char *mblock;
} Trace;

/* Allocates every record for B sequences of T steps. */
void trace_init(Trace *trace, const Model *model, int B, int T, bool keep);
/* Bytes trace_init(trace, model, B, T, keep) allocates, without allocating
 * them, so callers can refuse a size that input asks for (base_memory_check).
 * Saturates at SIZE_MAX (T above ENGINE_MAX_SEQ gives SIZE_MAX). */
size_t trace_bytes(const Model *model, int B, int T, bool keep);
void trace_free(Trace *trace);

/* Switches Dropout layers between identity (inference, the default) and
 * dropping with a mask drawn from a generator seeded with seed. */
void trace_set_training(Trace *trace, bool training, uint64_t seed);

/* Runs the model on B sequences, batch-major as Keras takes them: tokens
 * (B, T) for token models, or input (B, T, input_dim) floats. Tokens must
 * have been checked with model_check_tokens. */
void model_forward(Trace *trace, const int *tokens, const float *input);

/* Pointer to the float at (t, b) of a time-major (T, B, n) array. */
static inline float *seq_at(float *a, size_t t, size_t b, size_t B, size_t n)
{
    return a + (t * B + b) * n;
}

/* ---- backpropagation through time ------------------------------------ */

/* Gradients of one batch. dparams has the model's parameter layout. */
typedef struct {
    const Model *model;
    int B, T;
    float *dparams;        /* (n_params) accumulated with += */
    float *dinput;         /* (T, B, input_dim) dL/d(float input), or NULL for token models */
    float **dout;          /* per layer: dL/d(output), the shape of LayerRecord.out */
    float *(*dh)[2];       /* per layer, per run: (T, B, H) total dL/dh by processing step */
    float *(*dg)[2];       /* per layer, per run: (T, B, G*H) dL/d(pre-activations), by processing step */
    float *(*dhu)[2];      /* per layer, per run: (T, B, G*H) GRU dL/d(recurrent projection) */
    float *(*rh)[2];       /* per layer, per run: (T, B, H) GRU reset_after=false r*h_prev */
    float *scratch;        /* (B, 8*H + G*H) working rows of the largest recurrent layer */
    float *block;
    bool states_only;      /* set after backprop_init: dh, dg, dout and dinput only, no weight gradients */
    bool dout_preactivation; /* set after backprop_init: the last layer (Dense) is seeded with
                                dL/d(its pre-activation) in dout, its activation is not differentiated */
} Backprop;

void backprop_init(Backprop *bp, const Model *model, int B, int T);
/* Bytes backprop_init allocates, as trace_bytes. */
size_t backprop_bytes(const Model *model, int B, int T);
void backprop_free(Backprop *bp);
/* dparams = 0. Zeroing is its own call: model_backward accumulates. */
void backprop_zero_grads(Backprop *bp);

/* Runs the backward pass of the forward pass recorded in tr (keep = true,
 * same B and T), starting from dL/d(last layer's output), which the caller
 * has written into bp->dout[n_layers-1] (loss_compute does). Accumulates
 * parameter gradients into dparams and records dL/dh_t of every recurrent
 * step in dh. */
void model_backward(Backprop *bp, const Trace *tr);

/* Elementwise derivative of an activation from its output y (every one of
 * ours can be written that way): dx[i] = dy[i] * act'(y[i]). */
void act_backward(float *dx, const float *dy, const float *y, Act act, size_t n);

/* ---- losses ------------------------------------------------------------- */

typedef enum {
    LOSS_SPARSE_CATEGORICAL, /* softmax output, integer labels */
    LOSS_BINARY,             /* one sigmoid unit, labels 0/1 */
} LossKind;

/* Keras clips probabilities to [LOSS_EPSILON, 1 - LOSS_EPSILON]. */
#define LOSS_EPSILON 1e-7f

/* The loss that fits the model's last layer: softmax -> sparse categorical
 * cross-entropy, one sigmoid unit -> binary cross-entropy. */
bool model_loss_kind(const Model *model, LossKind *kind, Err *err);

/* Loss of a batch of B rows of predictions y (B, C) against labels: returns
 * the sum over rows (divide by B for the mean); writes dL/dy of the batch
 * mean into dy (B, C) when dy is non-NULL; counts correct predictions. */
double loss_compute(float *dy, const float *y, const int *labels, LossKind kind, int B, int C, int *correct);

/* ---- optimizers ------------------------------------------------------- */

typedef enum { OPT_ADAM, OPT_SGD } OptKind;

typedef struct {
    OptKind kind;
    float lr;
    float beta1, beta2, epsilon; /* Adam, Keras' defaults 0.9, 0.999, 1e-7 */
    float clipnorm;              /* > 0: each weight tensor's gradient is clipped to this norm */
    long step;
    float *m, *v;                /* (n_params) Adam moments */
    size_t n;
} Optimizer;

/* lr <= 0 takes the Keras default (Adam 0.001, SGD 0.01). */
void optimizer_init(Optimizer *opt, OptKind kind, float lr, float clipnorm, const Model *model);
void optimizer_free(Optimizer *opt);
/* Clips (clipnorm) then applies grad (n_params) to the model's weights. */
void optimizer_step(Optimizer *opt, Model *model, float *grad);

/* ---- initial weights ---------------------------------------------------- */

/* Keras' initializers from a seeded generator: glorot_uniform kernels,
 * orthogonal recurrent kernels, zero biases (forget block 1 with
 * unit_forget_bias), Embedding uniform(-0.05, 0.05). */
void model_init_weights(Model *model, uint64_t seed);

/* A model of one recurrent layer reading float input (input_dim features a
 * step) and giving its last h, with Keras' initial weights from seed:
 * tanh / sigmoid, bias, GRU reset_after. The workload of benchmarks. */
void model_make_rnn(Model *model, CellKind kind, int input_dim, int units, uint64_t seed);

/* ---- training ------------------------------------------------------------ */

/* Rows of a training set: tokens (N, T) for token models, or inputs
 * (N, T, input_dim); one label each. Borrowed, not owned. */
typedef struct {
    const int *tokens;
    const float *inputs;
    const int *labels;
    int N, T;
} Dataset;

typedef struct {
    int epochs, batch_size;
    OptKind optimizer;
    float lr;         /* <= 0: the optimizer's Keras default */
    float clipnorm;   /* <= 0: none */
    bool shuffle;     /* reshuffle the rows every epoch */
    uint64_t seed;    /* shuffling and Dropout masks */
} TrainConfig;

typedef struct {
    double loss, accuracy;          /* means over the rows, as the batches saw them */
    double val_loss, val_accuracy;  /* after the epoch, when a validation set is given */
    bool has_val;
} EpochStats;

typedef struct {
    Model *model;
    TrainConfig cfg;
    LossKind loss;
    Optimizer opt;
    int T, epoch;
    int *order;          /* (N) row order of the current epoch */
    int n_order;
    Rng rng;
    float *good;         /* (n_params) weights at the start of the epoch */
    struct TrainWork *work;
} Trainer;

/* Checks that the model can be trained with these settings (a loss fits its
 * last layer; no dropout inside recurrent layers) and allocates everything a
 * batch needs, once. */
bool trainer_init(Trainer *tr, Model *model, const TrainConfig *cfg, int T, Err *err);
void trainer_free(Trainer *tr);

/* Checks a dataset against the model: shapes, token range, label range. */
bool trainer_check_data(const Trainer *tr, const Dataset *data, const char *what, Err *err);

/* Runs one epoch over train (and evaluates val, if non-NULL, after it).
 * progress, if given, is called after every batch with the running mean loss
 * and may return false to cancel: the weights go back to where the epoch
 * began and the call returns false with err saying so. A batch whose loss is
 * not finite also restores the weights and returns false. */
typedef bool (*TrainProgress)(void *user, int batch, int n_batches, double running_loss);
bool trainer_epoch(Trainer *tr, const Dataset *train, const Dataset *val, EpochStats *stats,
                   TrainProgress progress, void *user, Err *err);
/* webtrain: an epoch in pieces, for a caller that must give control back
 * between batches (the browser's frame loop): trainer_epoch_begin (order,
 * shuffle, the weights to go back to), trainer_batch while
 * trainer_batches_left is above 0 (running_loss, if given, gets the mean loss
 * of the rows so far), then trainer_epoch_end (the weights' check, the
 * stats, val). trainer_epoch_cancel instead puts the weights back where the
 * epoch began. trainer_epoch is exactly these calls in a row, so the pieces
 * give the same weights bit for bit. trainer_batch fails like trainer_epoch
 * on a loss that is not finite (the weights restored). */
void trainer_epoch_begin(Trainer *tr, const Dataset *train);
int trainer_batches_left(const Trainer *tr);
bool trainer_batch(Trainer *tr, const Dataset *train, double *running_loss, Err *err);
bool trainer_epoch_end(Trainer *tr, const Dataset *train, const Dataset *val, EpochStats *stats, Err *err);
void trainer_epoch_cancel(Trainer *tr);

/* Mean loss and accuracy of the model on a dataset (inference mode). */
void model_evaluate(const Model *model, const Dataset *data, LossKind loss, int batch_size,
                    double *mean_loss, double *accuracy);

/* ---- sampling ------------------------------------------------------------ */

/* The next token from probabilities p (C): the most probable allowed one when
 * temperature <= 0, else drawn from p^(1/temperature) over the top_k most
 * probable (all when top_k <= 0). banned (C), if given, marks tokens never
 * chosen (padding, the OOV token). -1 if every token is banned. */
int sample_next(const float *p, int C, float temperature, int top_k, const unsigned char *banned, Rng *rng);

/* ---- reading a trace back --------------------------------------------- */

/* The pre-activation of every gate block at processing step t of sequence b
 * of one run, exactly as the step formed it (trace kept):
 *   SimpleRNN, LSTM   x·W + h_prev·U + b
 *   GRU z, r          x·W + h_prev·U (+ input and recurrent bias)
 *   GRU candidate     x·W_h + b_h0 + r*(h_prev·U_h + b_h1)   (reset_after)
 *                     x·W_h + b_h + (r*h_prev)·U_h           (otherwise)
 * out holds G*H floats. Masked steps give the values the step would have
 * had. */
void trace_preactivation(const Trace *trace, int layer, int dir, int t, int b, float *out);

/* One Conv1D filter's sum at output position o of sequence b, tap by tap,
 * as conv_forward forms it (out[o] = act(bias + sum over taps k of
 * in[pos_k] . W[k])): the input position each tap reads
 * (conv_window_start + k * dilation; outside the input: padding, which
 * reads zeros), each tap's dot product over the channels, the bias, their
 * sum (pre), the activation and y, the traced output. For the conv
 * inspector, which prints the sum. False when layer is no Conv1D or o, b,
 * f are out of range. */
#define CONV_TAPS_MAX 32
typedef struct {
    int n_taps;                /* kernel_size; the first CONV_TAPS_MAX are kept */
    int pos[CONV_TAPS_MAX];
    float dot[CONV_TAPS_MAX];  /* sum over c of W[k, c, f] * in[pos_k, c] (0 at padding) */
    float bias, pre, y;
    Act act;
} ConvTerms;
bool trace_conv_terms(const Trace *trace, int layer, int o, int b, int f, ConvTerms *out);

/* For each prefix tokens[0..t] (t = 0..T-1) the model's last output, each
 * prefix padded with zeros in front to the model's fixed length when it has
 * one: what a next-word model predicts after reading t+1 tokens. out holds
 * (T, out_dim) floats; the last layer must give one vector per sequence.
 * Cost: one forward pass over the tokens when every recurrent layer reads
 * forwards and the padding is masked (or there is none), plus one batched
 * pass per 64 prefixes longer than the model's fixed length; a model that
 * reads backwards pays a pass per prefix (batched when its length is
 * fixed). The numbers are those of the padded prefixes, pass by pass. */
void model_predict_prefixes(const Model *model, const int *tokens, int T, float *out);
/* The same for the tokens of a trace made by model_forward (B = 1), reusing
 * its forward pass where that gives the same numbers. */
void trace_predict_prefixes(const Trace *trace, float *out);

/* Reading a sequence piece by piece, for models whose recurrent layers all
 * read forwards (model_reads_forwards): trace_carry_state makes dst's next
 * model_forward start every recurrent layer from the state src ended in
 * (dst may be src), so feeding the pieces one after the other gives the
 * states and outputs of one pass over the whole sequence. Generation then
 * costs one step per word. */
bool model_reads_forwards(const Model *model);
void trace_carry_state(Trace *dst, const Trace *src);

/* Every wire of one cell at one step, for drawing the cell's inside. The
 * engine computes them from the trace so the window never does the math.
 *   all cells  x (in_dim), h_prev, h (H), pre (G*H) pre-activations,
 *              gate (G*H) after activation (SimpleRNN: act(pre) = h)
 *   LSTM       c_prev, c, fc = f*c_prev, ig = i*g, act_c = act(c)  (h = o*act_c)
 *   GRU        zh = z*h_prev, zn = (1-z)*n, one_minus_z = 1-z,
 *              rh = r*h_prev (reset_after false) or r*(h_prev·U_h + b_h1)
 * Unused fields are NULL. mask tells whether the step was real. */
typedef struct {
    CellKind kind;
    int H, G, in_dim;
    bool mask;
    float *x, *h_prev, *h, *pre, *gate;
    float *c_prev, *c, *fc, *ig, *act_c;
    float *zh, *zn, *one_minus_z, *rh;
    float *block;
} CellWires;

void cell_wires_init(CellWires *w, const Trace *trace, int layer, int dir, int t, int b);
void cell_wires_free(CellWires *w);

/* The same without allocating: the wires live in block, which must hold
 * cell_wires_floats(trace, layer, dir) floats (the window keeps one such
 * buffer, so drawing allocates nothing). Do not cell_wires_free these. */
size_t cell_wires_floats(const Trace *trace, int layer, int dir);
void cell_wires_fill(CellWires *w, float *block, const Trace *trace, int layer, int dir, int t, int b);

/* The L2 norm of dL/dh_t at every processing step t of every recurrent run,
 * for the loss of label on the (B = 1, kept) trace: one backward pass.
 * norms[layer][dir] must hold T floats for each recurrent run (NULL entries
 * are skipped). False with err when the model has no loss (see
 * model_loss_kind) or the label is out of range. */
bool trace_gradient_norms(const Trace *trace, int label, float *const (*norms)[2], Err *err);


/* ---- input attribution (attrib.c) ------------------------------------- */

/* How much each input position contributed to class k of the prediction
 * after step t: the prefix 0..t fitted in front to the model's fixed length
 * (what model_predict_prefixes gives after step t) when the last layer gives
 * one vector per sequence, else the output at step t of the whole sequence.
 * The gradient explains the log-odds log(p_k / (1 - p_k)) of a Dense layer
 * with softmax or sigmoid (one sigmoid unit: class 1 is p, class 0 is
 * 1 - p; the log-odds is then the unit's logit, or minus it), the output
 * value y_k of any other last layer.
 *   ATTRIB_GRADIENT   out[s] = sum_j d(log-odds_k)/d(e_s[j]) * e_s[j], e_s the
 *                     first layer's output at s (the word's embedding) or
 *                     the float input; one forward and one backward pass
 *   ATTRIB_OCCLUSION  out[s] = p_k - p_k(with position s made padding:
 *                     token 0, or a zero vector); in probability (output)
 *                     units; one extra forward pass per position, batched
 * out holds T floats; positions outside the prediction's input and padding
 * (token 0) get 0, as do (by the math) positions after t that only
 * forward-reading layers see. tokens (T) for token models, else input
 * (T, input_dim). False with err for a step or class out of range, tokens
 * out of the vocabulary. */
typedef enum { ATTRIB_GRADIENT, ATTRIB_OCCLUSION } AttribMethod;

/* Classes an attribution can explain: 2 for one sigmoid unit, else the
 * last layer's width. */
int model_attrib_classes(const Model *model);
/* The range checks of model_attribute alone (step 0..T-1, class). */
bool model_attrib_check(const Model *model, int T, int t, int k, Err *err);
/* Whether model_attribute's gradient explains a log-odds (else an output value). */
bool model_attrib_log_odds(const Model *model);
/* The prediction after step t as model_attribute sees it: y (the last
 * layer's width; may be NULL) and the most probable class (one sigmoid
 * unit: 1 when p > 0.5). False with err as model_attribute. */
bool model_attrib_prediction(float *y, int *best, const Model *model, const int *tokens, const float *input, int T,
                             int t, Err *err);
bool model_attribute(float *out, const Model *model, const int *tokens, const float *input, int T, int t, int k,
                     AttribMethod method, Err *err);

#endif
