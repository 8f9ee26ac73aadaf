/* prepare: turns a lesson into trained models: the tokenizer fitted on the
 * corpus, the training rows (next-word n-grams, or the labelled texts of a
 * classification lesson), and for each of the lesson's cells a fresh model
 * from its spec and seed, trained with its epochs and batch size. Used by
 * `unroll prepare` (which writes the shipped weights) and by the window's
 * training view. Depends on engine, text and io. */
#ifndef UNROLL_PREPARE_H
#define UNROLL_PREPARE_H

#include "dataset.h"
#include "engine.h"
#include "lesson.h"
#include "text.h"

typedef struct {
    Tokenizer tok;
    DataFile rows;       /* training rows */
    DataFile val;        /* the lesson's validation rows (has_val), as long as rows */
    bool has_val;
    int vocab;           /* the Embedding's input_dim */
    int n_classes;
} LessonData;

bool lesson_data_load(LessonData *ld, const Lesson *l, Err *err);
void lesson_data_free(LessonData *ld);

/* A fresh model for cell (or variant) k of the lesson (its spec, the lesson's seed). */
bool lesson_model_new(Model *m, const Lesson *l, const LessonData *ld, int k, Err *err);

/* The training settings the lesson names. */
TrainConfig lesson_train_config(const Lesson *l);

/* The folder of model k: <models>/<cell or variant name>. Caller frees. */
char *lesson_model_dir(const Lesson *l, int k);

/* Accuracy and mean loss of a model on labelled rows of a JSONL file:
 * {"text": "...", "label": k} (tokenized with tok, padded in front only to a
 * fixed input length, as the window reads sentences) or
 * {"tokens": [...], "label": k}. */
bool evaluate_rows(const Model *m, const Tokenizer *tok, const char *path, int *n_rows, double *accuracy, double *loss,
                   Err *err);
/* tensors (lesson 7): the same with text rows padded and cut as
 * pad_sequences(padding, truncating) does (evaluate_rows: pre, pre). */
bool evaluate_rows_sides(const Model *m, const Tokenizer *tok, const char *path, TextSide padding, TextSide truncating,
                         int *n_rows, double *accuracy, double *loss, Err *err);

#endif
