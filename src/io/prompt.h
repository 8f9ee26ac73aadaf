/* prompt: a sentence made ready for a model: tokenized with the model's
 * tokenizer (Keras texts_to_sequences), padded or cut in front to the
 * model's length (Keras pad_sequences defaults), with the word behind each
 * token and the words that were out of vocabulary. Serves `trace --text`,
 * `generate` and the window. Depends on text, engine and tokenizer_io. */
#ifndef UNROLL_PROMPT_H
#define UNROLL_PROMPT_H

#include "engine.h"
#include "text.h"

typedef struct {
    int *tokens;        /* (n) */
    int n;
    char **words;       /* (n) the word of each token; "" for padding */
    char **oov;         /* (n_oov) words not in the vocabulary, in order */
    int n_oov;
} Prompt;

/* Loads tokenizer.json from the model's folder. */
bool prompt_load_tokenizer(Tokenizer *tok, const char *model_path, Err *err);

/* Encodes text; maxlen > 0 pads/cuts in front to maxlen (at the end for a
 * TextVectorization tokenizer, as Keras' layer does), else the tokens are
 * kept as they are. Fails when no known word is left (and maxlen is 0). */
bool prompt_encode(Prompt *p, const Tokenizer *tok, const char *text, int maxlen, Err *err);
/* tensors (lesson 7): the same with pad_sequences' padding and truncating
 * (prompt_encode is TEXT_PRE both ways, TEXT_POST both for TextVectorization,
 * which always pads and cuts at the end whatever is asked). */
bool prompt_encode_sides(Prompt *p, const Tokenizer *tok, const char *text, int maxlen, TextSide padding,
                         TextSide truncating, Err *err);
void prompt_free(Prompt *p);

/* tensors (lesson 7): every stage of one text on its way to a model, for
 * the window's Tensors view, made by the same code the models' input is
 * (tokenizer_standardize, tokenizer_encode, prompt_encode_sides). */
typedef enum {
    PROMPT_WORD_KNOWN,   /* in word_index and kept */
    PROMPT_WORD_UNKNOWN, /* not in word_index: the OOV index, or dropped without an OOV token */
    PROMPT_WORD_CUT,     /* in word_index but index >= num_words: the same */
} PromptWordFate;

typedef struct {
    char *standardized;    /* the text as the tokenizer standardized it */
    WordList words;        /* the split tokens */
    int *index;            /* (words.n) word_index of each, 0 when none */
    int *token;            /* (words.n) what it became: its index, the OOV index, 0 when dropped */
    PromptWordFate *fate;  /* (words.n) */
    int *seq;              /* (n_seq) texts_to_sequences: the ids kept, in order */
    int *seq_word;         /* (n_seq) the word each id came from */
    int n_seq;
    Prompt padded;         /* prompt_encode_sides' result: (padded.n) tokens */
    int *padded_from;      /* (padded.n) the position in seq of each, -1 for padding */
    int n_cut;             /* ids of seq truncation dropped */
    TextSide padding, truncating; /* as applied (TEXT_POST for a TextVectorization) */
} PromptStages;

/* Fills st for text (maxlen, padding, truncating as prompt_encode_sides);
 * false with err as it fails. st is overwritten (not freed first). */
bool prompt_stages_build(PromptStages *st, const Tokenizer *tok, const char *text, int maxlen, TextSide padding,
                         TextSide truncating, Err *err);
void prompt_stages_free(PromptStages *st);

#endif
