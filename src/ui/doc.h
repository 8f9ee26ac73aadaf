/* doc: what the window shows: a lesson or a model folder, its models (up to
 * three, one per cell type in a lesson), the tokenizer, the current input and
 * each model's trace of it, with what each model predicts after every step.
 * All the math runs here, through the engine, when the input changes; the
 * views only read. Depends on engine, io and text. */
#ifndef UNROLL_DOC_H
#define UNROLL_DOC_H

#include "engine.h"
#include "history.h"
#include "lesson.h"
#include "prompt.h"
#include "text.h"

#define DOC_MAX_MODELS LESSON_MAX_CELLS /* a lesson's models, one per cell type */
#define DOC_MAX_PICK 8 /* chart helper: units picked per model (LESSON_MAX_UNITS) */
#define DOC_PICK_ROWS 600 /* chart helper: lesson rows the separating units are picked over */
#define DOC_MAX_INPUT 65536 /* bytes of a typed or given sentence: a 1,000-word text fits */

typedef struct {
    char label[48];       /* "LSTM", or the model folder's name */
    char path[1024];
    Model model;
    bool loaded;
    Trace trace;          /* B = 1, every step kept */
    bool traced;
    float *preds;         /* (T, n_classes) output after each step, or NULL */
    int n_classes;
    bool binary;          /* one sigmoid unit: preds hold p(class 1) */
    float c_range;        /* largest |c| of the trace, for the colour scale */
    float *grad;          /* (T) |dL/dh_t| of the first recurrent layer, by step, or NULL */
    int grad_label;       /* the label that loss was taken for: the model's own choice */
    /* chart helper: one colour scale and the units worth charting */
    float c_scale;        /* largest |c| over the lesson's sentences (a model's first input
                             outside a lesson), fixed at open: the c colour scale of every
                             sentence; 0: not yet known */
    int picked[DOC_MAX_PICK]; /* (n_picked) units of the first recurrent layer (forward run)
                             whose final h best separates the lesson's classes, best first */
    int n_picked;         /* 0: not a classify lesson (the chart picks per prediction) */
    float pick_score[DOC_MAX_PICK]; /* their between/within-class variance ratios */
    int pick_rows;        /* rows of the lesson's data the ratios are over */
    /* training history (history.c): the weights after every epoch, when
     * history.bin lies beside the model or the window trained it */
    History hist;
    /* variants: loss and accuracy after every snapshot of hist on the
     * lesson's training rows and validation rows (when the lesson names
     * them), recomputed from the snapshots by doc_curves_advance */
    float *curve_loss, *curve_acc, *curve_vloss, *curve_vacc; /* (hist.n) */
    int curve_done;       /* snapshots computed so far */
    /* variants: loss and accuracy on the lesson's validation rows with the
     * weights the model holds (the epoch shown); heldout_rows 0: none */
    double heldout_loss, heldout_acc;
    int heldout_rows;
} DocModel;

typedef struct {
    char title[256];
    char path[1024];
    bool is_lesson;
    Lesson lesson;
    DocModel models[DOC_MAX_MODELS];
    int n_models;
    Tokenizer tok;
    bool has_tok;
    char input[DOC_MAX_INPUT]; /* the sentence (or token list / JSON features) */
    bool input_unknown[DOC_MAX_INPUT / 2]; /* per space-separated word of input: holds an unknown word */
    Prompt prompt;        /* tokens, words, oov of the input */
    float *features;      /* (T, F) for float-input models */
    int T;
    int epoch;            /* the history snapshot the models hold; -1: the weights as loaded or trained */
    /* variants: the lesson's rows for the history curves, loaded on first use */
    struct LessonDataBox *curve_data;
    char curve_error[256]; /* why the curves cannot be computed; "" */
    /* tensors (lesson 7): the input's stages from text to tokens (the
     * Tensors view), when there is a tokenizer */
    PromptStages stages;
    bool has_stages;
} Doc;

/* Opens a lesson (.md) or a model (folder or model.json). On failure the doc
 * is empty and err says why (the window shows it). */
bool doc_open(Doc *d, const char *path, Err *err);
void doc_close(Doc *d);

/* Sets the input and traces every model: a sentence when there is a
 * tokenizer, "3,1,4" token ids when not, or [[...], ...] features for
 * float-input models. On failure the previous input stays. */
bool doc_set_input(Doc *d, const char *text, Err *err);

/* The same, off the frame loop, for inputs that take long (big models, long
 * texts): doc_job_start checks text as doc_set_input does (NULL with err
 * when it is refused) and computes every model's trace, predictions and
 * gradients on a thread; on_done (if not NULL) is then called on that
 * thread. d does not change until doc_job_finish puts the results in (the
 * same d, its models untouched meanwhile); doc_job_cancel waits for the
 * thread and drops them. */
typedef struct DocJob DocJob;
DocJob *doc_job_start(const Doc *d, const char *text, void (*on_done)(void *), void *user, Err *err);
bool doc_job_done(const DocJob *job);
/* How many of the document's models are computed so far. */
int doc_job_models_done(const DocJob *job);
void doc_job_finish(DocJob *job, Doc *d);
void doc_job_cancel(DocJob *job);

/* chart helper: fixes each model's c colour scale (c_scale: the largest
 * |c| over a lesson's sentences, or the current input's outside a lesson)
 * and, in a classify lesson, the units whose final h best separates the
 * classes over its data (picked). doc_open calls it; call it again when
 * the models change (training). */
void doc_measure_models(Doc *d);

/* Whether the w-th space-separated word of the input (as the input bar
 * shows it) holds a word the tokenizer does not know: the tokenizer's own
 * rule (lowercasing, filters, num_words), so "Lantern," is known when
 * "lantern" is, and "lantern" is known even when "lan" is not. */
bool doc_input_word_unknown(const Doc *d, int w);

/* Whether model m predicts the next word: a softmax over the tokenizer's
 * vocabulary (as wide as its Embedding), outside a lesson that classifies.
 * Its class 0 is then padding, never a word; a classifier's class 0 is a
 * class like the others. */
bool doc_predicts_words(const Doc *d, int m);
/* The first class worth showing: 1 for next-word models, else 0. */
int doc_first_class(const Doc *d, int m);

/* The name of class k of model m: a word of the tokenizer, a lesson label,
 * or "class k". */
const char *doc_class_name(const Doc *d, int m, int k, char *buf, size_t cap);

/* The word shown for position t ("" for padding, "#3" without a tokenizer). */
const char *doc_word(const Doc *d, int t, char *buf, size_t cap);

/* One word of generated text: what was chosen and the most probable
 * candidates at that point. */
#define DOC_GEN_TOP 5
#define DOC_GEN_MAX 64
typedef struct {
    int token;
    int top[DOC_GEN_TOP];
    float p[DOC_GEN_TOP];
    int n_top;
} GenWord;

typedef struct {
    char seed[DOC_MAX_INPUT];
    GenWord words[DOC_GEN_MAX];
    int n;
    Rng rng;
} Generation;

/* Starts generating from seed (the current input when NULL). */
void doc_generate_begin(Doc *d, Generation *g, const char *seed, uint64_t rng_seed);
/* Appends one word chosen by model m at temperature (0: greedy); false with
 * err when the model cannot generate or the text is full. */
bool doc_generate_next(const Doc *d, int m, Generation *g, float temperature, Err *err);

/* ---- training history: the epoch slider ---- */
/* The last epoch any model's history reaches (its snapshots - 1); 0 when no
 * model has a history (then there is no slider). */
int doc_epoch_count(const Doc *d);
/* The epoch the models show: d->epoch, or the last one while they hold the
 * weights as loaded (the trained model). */
int doc_epoch_shown(const Doc *d);
/* Puts every model with a history at snapshot epoch (clamped to 0 ..
 * doc_epoch_count; a model whose history is shorter takes its last), then
 * traces the input again, so every view shows the model as it was then.
 * No input job may be running. False with err if the input cannot be read
 * (the weights are then those of the epoch all the same). */
bool doc_set_epoch(Doc *d, int epoch, Err *err);
/* Gives model k the history h (taken over; the old one is freed) and marks
 * the models as holding their loaded or trained weights. */
void doc_take_history(Doc *d, int k, History *h);

/* ---- variants: training and validation curves from the histories ---- */
/* Whether a lesson's models have history snapshots whose curves are not
 * computed yet (and no error stopped them). */
bool doc_curves_pending(const Doc *d);
/* Computes further snapshots' loss and accuracy (training rows, and the
 * lesson's validation rows) for about budget_s seconds, at least one
 * snapshot; an error is kept in d->curve_error and ends the work. */
void doc_curves_advance(Doc *d, double budget_s);

/* Index of the first recurrent layer of a model, -1 if none. */
int doc_first_rnn(const DocModel *dm);

#endif
