/* cmd_generate: `unroll generate`, text continued word by word as the
 * TensorFlow text-generation exercise does it: tokenize the text so far, pad
 * it in front to the model's length, predict, choose a word, append, repeat.
 * The text is tokenized once; each chosen word adds its own tokens (what
 * tokenizing the whole text again would give). A model with a fixed length
 * reads the last tokens padded to it, a step of fixed cost; a model of any
 * length that reads forwards carries its state and reads one token a word.
 * So the cost is linear in the number of words (a model of any length that
 * reads backwards re-reads the whole text for every word). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_io.h"
#include "prompt.h"
#include "tokenizer_io.h"
#include "trace_json.h"

/* the words one run may add: a long text (about 1 MB) */
#define GENERATE_MAX_WORDS 100000

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
        {"--words", CLI_INT, &words, .meta = "N", .required = true, .lo = 0, .hi = GENERATE_MAX_WORDS},
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
    StrBuf text = {0};
    unsigned char *banned = NULL;
    int *tokens = NULL, *row = NULL;
    float *prob = NULL;
    Trace tr = {0};
    bool have_tr = false;
    TextEncoding e;
    text_encoding_init(&e);
    int status = 2;
    const Layer *last = &m.layers[m.n_layers - 1];
    if (!m.token_input || last->kind != LAYER_DENSE || last->activation != ACT_SOFTMAX || last->out_seq) {
        err_set(&err, "%s: generation needs a next-word model (Embedding first, a softmax Dense last)", model_path);
        goto fail;
    }
    if (!prompt_load_tokenizer(&tok, model_path, &err)) goto fail;
    have_tok = true;
    if (!maxlen) maxlen = m.seq_len;
    const int C = last->out_dim;
    /* never choose padding, the OOV token, or indices with no word */
    banned = xcalloc((size_t)C, 1);
    for (int j = 0; j < C; j++)
        banned[j] = j == 0 || j == tokenizer_oov_index(&tok) || !tokenizer_index_word(&tok, j);
    Rng rng;
    rng_init(&rng, (uint64_t)rng_seed);
    strbuf_puts(&text, seed);
    tokenizer_encode(&e, &tok, seed);
    if (e.n_tokens == 0 && !maxlen) {
        err_set(&err, "no word of \"%.60s\" is in the model's vocabulary", seed);
        goto fail;
    }
    size_t n_tok = (size_t)e.n_tokens, cap = n_tok + 64;
    tokens = xmalloc(cap * sizeof *tokens);
    memcpy(tokens, e.tokens, n_tok * sizeof *tokens);
    prob = xmalloc((size_t)C * sizeof *prob);
    if (maxlen) row = xmalloc((size_t)maxlen * sizeof *row);
    const bool stream = !maxlen && model_reads_forwards(&m);
    size_t fresh = n_tok; /* tokens not yet read by the streamed state */
    for (long long w = 0; w < words; w++) {
        if (maxlen) {
            /* the last tokens, padded or cut in front to the length */
            base_fit_front(row, (int)maxlen, tokens, (int)n_tok);
            if (!model_check_tokens(&m, row, (int)maxlen, &err)) goto fail;
            if (!have_tr && !trace_check_budget(&m, 1, (int)maxlen, false, false, false, 0, &err)) goto fail;
            if (!have_tr) trace_init(&tr, &m, 1, (int)maxlen, false);
            have_tr = true;
            model_forward(&tr, row, NULL);
            memcpy(prob, tr.layers[m.n_layers - 1].out, (size_t)C * sizeof *prob);
        } else if (fresh > 0 && (!stream || !have_tr)) {
            /* the whole text: the seed once, or every time for a model
             * that reads backwards */
            if (!model_check_tokens(&m, tokens, (int)n_tok, &err) ||
                !trace_check_budget(&m, 1, (int)n_tok, false, false, false, 0, &err))
                goto fail;
            Trace whole;
            trace_init(&whole, &m, 1, (int)n_tok, false);
            model_forward(&whole, tokens, NULL);
            memcpy(prob, whole.layers[m.n_layers - 1].out, (size_t)C * sizeof *prob);
            if (stream) {
                trace_init(&tr, &m, 1, 1, false);
                trace_carry_state(&tr, &whole);
                have_tr = true;
            }
            trace_free(&whole);
        } else {
            /* one step per new token, from the carried state */
            for (size_t k = n_tok - fresh; k < n_tok; k++) {
                if (!model_check_tokens(&m, tokens + k, 1, &err)) goto fail;
                model_forward(&tr, tokens + k, NULL);
                trace_carry_state(&tr, &tr);
            }
            if (fresh) memcpy(prob, tr.layers[m.n_layers - 1].out, (size_t)C * sizeof *prob);
        }
        fresh = 0;
        int next = sample_next(prob, C, temperature, (int)top_k, banned, &rng);
        if (next < 0) {
            err_set(&err, "the model's vocabulary has no word to choose");
            goto fail;
        }
        const char *word = tokenizer_index_word(&tok, next);
        strbuf_puts(&text, tokenizer_joiner(&tok)); /* "" between characters (char_level) */
        strbuf_puts(&text, word);
        /* the word's tokens, as texts_to_sequences gives them (none when
         * it is past num_words and there is no OOV token) */
        text_encoding_free(&e);
        tokenizer_encode(&e, &tok, word);
        if (n_tok + (size_t)e.n_tokens > cap) tokens = xrealloc(tokens, (cap = 2 * (n_tok + (size_t)e.n_tokens)) * sizeof *tokens);
        memcpy(tokens + n_tok, e.tokens, (size_t)e.n_tokens * sizeof *tokens);
        n_tok += (size_t)e.n_tokens;
        fresh = (size_t)e.n_tokens;
    }
    printf("%s\n", text.p);
    status = 0;
    goto done;
fail:
    cli_fail("generate", &err);
done:
    free(text.p);
    free(banned);
    free(tokens);
    free(row);
    free(prob);
    if (have_tr) trace_free(&tr);
    text_encoding_free(&e);
    if (have_tok) tokenizer_free(&tok);
    model_free(&m);
    return status;
}
