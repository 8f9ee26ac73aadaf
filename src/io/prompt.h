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
void prompt_free(Prompt *p);

#endif
