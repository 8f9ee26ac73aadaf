/* lesson: reads a lesson file, lessons/NN-topic.md. A lesson is a Markdown
 * document that reads well on its own (on GitHub, say):
 *
 *   ---                                  YAML front matter (libyaml): what
 *   title: Next word on song lyrics      the lesson trains and opens with
 *   task: next-word                      next-word | classify
 *   corpus: lyrics/lanterns.txt          next-word: the text to learn from
 *   labels: [negative, positive]         classify: class names, label order
 *   data: sentiment/data.jsonl           classify: the rows
 *   cells: [simplernn, gru, lstm]        1..3 models the lesson compares
 *   spec: "embedding:V:16, {cell}:32, dense:V:softmax"
 *   maxlen: 8                            optional
 *   epochs: 80
 *   batch_size: 16
 *   learning_rate: 0.01                  optional
 *   seed: 1
 *   models: lyrics/models                models/<cell>/ hold trained weights
 *   sentence: "the lantern on the hill"
 *   view: unrolled                       optional (unrolled)
 *   standardize: lower                   optional, any of these four makes the
 *   split: whitespace                    lesson's tokenizer Keras'
 *   max_tokens: 5000                     TextVectorization (see text.h;
 *   strip_html_breaks: true              maxlen is its output_sequence_length)
 *   char_level: true                     optional: Tokenizer(char_level=True)
 *   variants:                            optional, in place of cells and spec:
 *     conv: "embedding:V:16, conv1d:..." 1..3 named models, each its own spec,
 *     bigru: "embedding:V:16, bi-gru:16" in models/<name>/
 *   validation: topic/held.jsonl         optional: the held-out set (classify:
 *                                        rows like data; next-word: a text)
 *   oov_token: "<OOV>"                   optional: Tokenizer(oov_token=...)
 *   num_words: 40                        optional: Tokenizer(num_words=...)
 *   padding: post                        optional: pad_sequences' padding and
 *   truncating: post                     truncating, pre (default) or post
 *   ---
 *   # Title                              optional; the front matter's title rules
 *   Introduction ...
 *   ## A step's title                    each '##' heading starts a step
 *   Narration ...
 *   ```unroll                            at most one per step: its directives
 *   view: inspector                      (YAML: view, sentence, step, cell,
 *   step: 3                              highlight, quiz, units, attribution,
 *   ```                                  epoch: 0..N|last, temperature: 0..2)
 *   ```
 *
 * A quiz may be judged: `choices: [moon, road, hill]` makes it multiple
 * choice; `answer: road` (one of the choices, or a word to type when there
 * are no choices) or `answer: model` (the shown model's own top word or
 * class at the step) is what counts as right; `explain: "..."` is shown
 * once the answer is judged. A quiz with neither is only hidden until r.
 *
 * Keys not marked optional are required, except that corpus belongs to
 * next-word lessons and labels and data to classify lessons (and only
 * there). Paths are relative to the lesson's folder and stay inside it. The
 * spec must hold {cell} when there are several cells; each cell's spec is
 * built once (tiny vocabulary) to check it. The '#' title is optional and
 * comes first; the front matter's title is the lesson's title. A block before
 * the first '##' is an error: the opening view and sentence are front matter.
 *
 * The body is parsed as Markdown by md4c; narration becomes plain text with
 * emphasis, strong and code recorded as spans. Unknown keys, wrong types and
 * unknown names are errors: a typo never passes silently. Every error is one
 * line "FILE:LINE: problem" with the line in the lesson file.
 *
 * What it does not: read the corpus, the data or the models, tokenize, or
 * decide what an unset directive means (the UI carries the previous step's).
 * Depends on base, engine (CellKind), text (UTF-8), spec (to check the model spec),
 * libyaml and md4c. */
#ifndef UNROLL_LESSON_H
#define UNROLL_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "engine.h"
#include "text.h"

/* How many cell types there are (CellKind, engine.h, counts from 0). */
#define CELL_KIND_COUNT ((int)CELL_LSTM + 1)
_Static_assert(LESSON_MAX_CELLS == CELL_KIND_COUNT, "a lesson has each cell type at most once");

/* Limits on untrusted input (LESSON_MAX_BYTES, _STEPS, _STRING, _CELLS,
 * _LABELS) are in unroll_limits.h. A lesson is a short document. */

typedef enum { LESSON_NEXT_WORD, LESSON_CLASSIFY } LessonTask;

typedef enum {
    VIEW_UNROLLED,
    VIEW_INSPECTOR,
    VIEW_COMPARE,
    VIEW_PREDICTIONS,
    VIEW_TRAINING,
    VIEW_GRADIENTS,
    VIEW_GENERATE,
    VIEW_CHART, /* chart helper: the unit chart (view_chart.c) */
    VIEW_TENSORS, /* tensors (lesson 7): text to tensors (view_tensors.c) */
    VIEW_COUNT
} ViewKind;

/* "unrolled", "inspector", ... (contracts.md's view names); "?" if out of range. */
const char *view_kind_name(ViewKind v);
/* The window's title for a view: "Unrolled", "Cell", "Compare", ... */
const char *view_kind_title(ViewKind v);
/* Parses a view name; false if unknown. */
bool view_kind_parse(const char *s, ViewKind *out);

/* A cell's name in lessons and the folder of its model under models/:
 * "simplernn", "gru", "lstm". (Keras' name: cell_class_name, engine.h.) */
const char *lesson_cell_name(CellKind kind);
/* A cell's name in the spec language: "rnn", "gru", "lstm". */
const char *lesson_cell_spec_name(CellKind kind);
/* Parses a lesson cell name; false if unknown. */
bool lesson_cell_parse(const char *s, CellKind *out);

/* A stretch of narration text set in another style. */
typedef enum { LESSON_SPAN_EM, LESSON_SPAN_STRONG, LESSON_SPAN_CODE } LessonSpanKind;

typedef struct {
    LessonSpanKind kind;
    int start, len; /* bytes of the text */
} LessonSpan;

/* A step's ```unroll block. Each field is unset unless the block sets it. */
typedef struct {
    bool has_view;
    ViewKind view;
    char *sentence;          /* NULL: unset */
    int step;                /* current timestep, 0-based; -1 unset */
    int cell;                /* index into Lesson.cells; -1 unset */
    char highlight_vec[4];   /* "h", "c", "i", "f", "g", "o", "z", "r", "n", "x"; "" unset */
    int highlight_unit;      /* unit of that vector; -1: the whole vector */
    char *quiz;              /* question whose answer stays hidden; NULL: none */
    /* chart helper: `units: [18, 14, 15]`, the units the chart view plots */
    int units[LESSON_MAX_UNITS]; /* (n_units), each 0 <= u < ENGINE_MAX_DIM, no repeats */
    int n_units;             /* 0: unset */
    /* a judged quiz (only with quiz): */
    char **choices;          /* (n_choices) multiple choice; 0: typed answer, or not judged */
    int n_choices;
    char *answer;            /* the right choice or word; NULL: not judged (or answer_model) */
    bool answer_model;       /* `answer: model`: the shown model's top word is right */
    char *explain;           /* shown after judging; NULL: none */
    int line;                /* line of the ```unroll fence; 0: the step has none */
    /* input attribution (helper attr): `attribution: true`, `false` or a class
     * (a label or a word) whose contributions are shown; off when unset */
    bool attribution;
    char *attribution_class; /* NULL: the prediction's most probable class */
    int epoch;               /* hist: training-history snapshot to show (0 = initial weights);
                                LESSON_EPOCH_LAST: the trained model; -1 unset */
    float temperature;       /* lesson 9: `temperature: 0.5`, the generate view's temperature
                                (0 greedy .. LESSON_MAX_TEMPERATURE); -1 unset */
} LessonDirectives;

/* lesson 9: the highest `temperature:`, the window's [ ] range */
#define LESSON_MAX_TEMPERATURE 2.0f

/* `epoch: last` */
#define LESSON_EPOCH_LAST HISTORY_MAX_SNAPSHOTS

typedef struct {
    char *title;             /* the '##' heading */
    char *text;              /* narration: "\n\n" between paragraphs, "\n" between
                                list items ("• " or "1. "), code lines kept */
    LessonSpan *spans;       /* (n_spans) into text, in order of their start */
    int n_spans;
    LessonDirectives dir;
    int line;                /* line of the heading */
} LessonStep;

typedef struct {
    char *path;              /* as given */
    char *dir;               /* folder of path ("." if none) */
    char *title;             /* front matter's title */
    char *intro;             /* narration before the first step, like LessonStep.text */
    LessonSpan *intro_spans; /* (n_intro_spans) */
    int n_intro_spans;
    /* Paths below are joined to dir; NULL when absent (corpus is next-word
     * only, data and labels classify only). */
    char *corpus, *data, *models;
    char *spec;              /* as written, with {cell} */
    char *sentence;
    LessonTask task;
    char **labels;           /* (n_labels) */
    int n_labels;
    CellKind cells[LESSON_MAX_CELLS]; /* (n_cells), no repeats */
    int n_cells;
    int maxlen;              /* 0: not set (no cut) */
    int epochs, batch_size;
    double learning_rate;    /* 0: not set (the optimizer's default) */
    unsigned long long seed;
    ViewKind view;           /* the view it opens with; VIEW_UNROLLED if not set */
    LessonStep *steps;       /* (n_steps) */
    int n_steps;
    /* text (issue 13): Keras' TextVectorization when text_vectorize (any of
     * standardize, split, max_tokens, strip_html_breaks given; the others
     * then take Keras' defaults), else Keras' Tokenizer, char_level or not */
    bool text_vectorize;
    TextStandardize standardize;
    TextSplitMode split_mode;
    int max_tokens;          /* 0: None */
    bool strip_html_breaks;
    bool char_level;
    /* variants (issue 13): named models with specs of their own, in place of
     * cells and spec; cells[k] is then the kind of variant k's first
     * recurrent layer (variant_recurrent[k]), else CELL_LSTM unused */
    char *variant_names[LESSON_MAX_CELLS];  /* NULL when the models are cells */
    char *variant_specs[LESSON_MAX_CELLS];
    bool variant_recurrent[LESSON_MAX_CELLS];
    char *validation;        /* held-out rows (classify) or text (next-word); NULL: none */
    /* tensors (lesson 7): Keras' Tokenizer(oov_token, num_words) and
     * pad_sequences(padding, truncating), used by prepare and by the window
     * for every sentence. Tokenizer only: TextVectorization has [UNK] and
     * max_tokens, and pads and cuts at the end (padding and truncating are
     * TEXT_POST for it, and may only be written post). A next-word lesson's
     * n-gram rows are padded in front: both stay TEXT_PRE there. */
    char *oov_token;         /* NULL: None */
    int num_words;           /* 0: None */
    TextSide padding, truncating;
} Lesson;

/* The name of model k: its variant's name, else its cell's name ("lstm");
 * also the folder under models/. */
const char *lesson_model_name(const Lesson *l, int k);

/* Reads and parses the lesson at path (at most LESSON_MAX_BYTES). On failure
 * l is left empty (as after lesson_unload) and err holds one line
 * "PATH:LINE: problem". */
bool lesson_load(Lesson *l, const char *path, Err *err);

/* Parses len bytes of text (need not be NUL-terminated) as the lesson at
 * path (not NULL); path names the file in messages and its folder is what
 * the lesson's paths are joined to. Same contract as lesson_load otherwise. */
bool lesson_parse(Lesson *l, const char *text, size_t len, const char *path, Err *err);

/* Frees everything and leaves l empty; safe on an empty Lesson ({0}). */
void lesson_unload(Lesson *l);

/* The model spec for the lesson's k-th cell (0 <= k < n_cells): every
 * "{cell}" replaced by lstm, gru or rnn (SimpleRNN's name in the spec
 * language). Caller frees. */
char *lesson_spec_for(const Lesson *l, int k);
/* The same with the units written after each "{cell}:" replaced by units
 * (0: as written), for retraining with other sizes. Caller frees. */
char *lesson_spec_with_units(const Lesson *l, int k, int units);

#endif
