/* cmd_generate: `unroll generate`, text continued word by word as the
 * TensorFlow text-generation exercise does it: tokenize the text so far, pad
 * it in front to the model's length, predict, choose a word, append, repeat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_io.h"
#include "prompt.h"
#include "tokenizer_io.h"

static const char USAGE[] =
    "usage: unroll generate MODEL --seed-text \"...\" --words N [--temperature X]\n"
    "                       [--top-k K] [--rng S] [--maxlen N]\n"
    "\n"
    "Continues the seed text word by word with a next-word model (softmax over the\n"
    "vocabulary; tokenizer.json beside the model). Temperature 0 (the default)\n"
    "takes the most probable word each time; above 0 samples from the softmax\n"
    "sharpened or flattened by the temperature, among the top K words if given.\n"
    "--rng seeds the sampling, so a run can be repeated. --maxlen defaults to the\n"
    "model's input length.\n";

int cmd_generate(int argc, char **argv)
{
    const char *model_path = NULL, *seed = NULL;
    long long words = -1, top_k = 0, rng_seed = 0, maxlen = 0;
    float temperature = 0;
    const CliOpt opts[] = {
        {"--seed-text", CLI_STR, &seed, .meta = "\"...\"", .required = true, .what = "a text"},
        {"--words", CLI_INT, &words, .meta = "N", .required = true, .lo = 0, .hi = 1000},
        {"--top-k", CLI_INT, &top_k, .lo = 1, .hi = 1 << 24},
        {"--rng", CLI_INT, &rng_seed, .lo = 0, .hi = 1LL << 62, .what = "a whole number >= 0"},
        {"--maxlen", CLI_INT, &maxlen, .lo = 1, .hi = ENGINE_MAX_SEQ},
        {"--temperature", CLI_FLOAT, &temperature, .min = 0, .max = 100},
    };
    const CliSpec spec = {"generate", USAGE, opts, CLI_NOPTS(opts), "MODEL", false, &model_path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    Err err = {{0}};
    Model m;
    if (!model_load(&m, model_path, &err)) return cli_fail("generate", &err);
    Tokenizer tok = {0};
    bool have_tok = false;
    char *text = NULL;
    unsigned char *banned = NULL;
    int status = 2;
    const Layer *last = &m.layers[m.n_layers - 1];
    if (!m.token_input || last->kind != LAYER_DENSE || last->activation != ACT_SOFTMAX || last->out_seq) {
        err_set(&err, "%s: generation needs a next-word model (Embedding first, a softmax Dense last)", model_path);
        goto fail;
    }
    if (!prompt_load_tokenizer(&tok, model_path, &err)) goto fail;
    have_tok = true;
    if (!maxlen) maxlen = m.seq_len;
    /* never choose padding, the OOV token, or indices with no word */
    banned = xcalloc((size_t)last->out_dim, 1);
    for (int j = 0; j < last->out_dim; j++)
        banned[j] = j == 0 || j == tokenizer_oov_index(&tok) || !tokenizer_index_word(&tok, j);
    Rng rng;
    rng_init(&rng, (uint64_t)rng_seed);
    size_t cap = strlen(seed) + 64;
    text = xmalloc(cap);
    snprintf(text, cap, "%s", seed);
    for (long long w = 0; w < words; w++) {
        Prompt p;
        if (!prompt_encode(&p, &tok, text, (int)maxlen, &err)) goto fail;
        if (!model_check_tokens(&m, p.tokens, p.n, &err)) {
            prompt_free(&p);
            goto fail;
        }
        Trace tr;
        trace_init(&tr, &m, 1, p.n, false);
        model_forward(&tr, p.tokens, NULL);
        int next = sample_next(tr.layers[m.n_layers - 1].out, last->out_dim, temperature, (int)top_k, banned, &rng);
        trace_free(&tr);
        prompt_free(&p);
        if (next < 0) {
            err_set(&err, "the model's vocabulary has no word to choose");
            goto fail;
        }
        const char *word = tokenizer_index_word(&tok, next);
        size_t need = strlen(text) + strlen(word) + 2;
        if (need > cap) text = xrealloc(text, cap = 2 * need);
        strcat(text, " ");
        strcat(text, word);
    }
    printf("%s\n", text);
    status = 0;
    goto done;
fail:
    cli_fail("generate", &err);
done:
    free(text);
    free(banned);
    if (have_tok) tokenizer_free(&tok);
    model_free(&m);
    return status;
}
