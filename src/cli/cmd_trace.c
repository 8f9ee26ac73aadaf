/* cmd_trace: `unroll trace`, one sequence through the model, every timestep
 * as JSON (contracts.md section 2). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "model_io.h"
#include "prompt.h"
#include "tokenizer_io.h"
#include "trace_json.h"

static const char USAGE[] =
    "usage: unroll trace MODEL (--tokens 3,1,4 | --text \"...\" | --input JSON) [--maxlen N]\n"
    "                    [--label K]\n"
    "\n"
    "Runs one sequence through MODEL (a TensorFlow.js layers-model folder or its\n"
    "model.json) and prints every layer's output and, for recurrent layers, every\n"
    "timestep's input x, state h (and c for LSTM) and gate activations as JSON.\n"
    "\n"
    "  --tokens LIST   token ids for a model whose first layer is Embedding\n"
    "  --text TEXT     a sentence, tokenized with the tokenizer.json beside the\n"
    "                  model (Keras texts_to_sequences); adds \"text\", \"words\" and\n"
    "                  \"oov\" (the words that were not in the vocabulary)\n"
    "  --input JSON    features for a model taking floats: [[x0...], [x1...], ...]\n"
    "                  (T rows of F numbers)\n"
    "  --maxlen N      pad (with 0, in front) or cut (from the front) the tokens to\n"
    "                  N; defaults to the model's fixed input length, if any (a\n"
    "                  TextVectorization tokenizer pads and cuts at the end, to its\n"
    "                  output_sequence_length when the model's length is not fixed)\n"
    "  --label K       add to every recurrent step \"dh_norm\": the L2 norm of the\n"
    "                  gradient of the model's loss for label K with respect to\n"
    "                  that step's h, through the whole model\n"
    "  --attribution STEP[:CLASS]\n"
    "                  add \"attribution\": how much each input position contributed\n"
    "                  to CLASS (default: the most probable) of the prediction after\n"
    "                  step STEP (0 = first position): \"gradient_x_input\" (of the\n"
    "                  log-odds log(p/(1-p)), or of the output for a model giving\n"
    "                  no probabilities) and\n"
    "                  \"occlusion\" (the drop in p with that position made padding)\n"
    "\n"
    "Errors print one line on stderr and exit with status 2.\n";

/* [[...], ...] of T rows of F finite numbers */
static bool parse_input(const char *text, int F, float **out, int *T, Err *err)
{
    cJSON *root = cJSON_Parse(text);
    bool ok = false;
    *out = NULL;
    if (!cJSON_IsArray(root) || cJSON_GetArraySize(root) < 1) {
        err_set(err, "--input must be a JSON list of timesteps, each a list of %d numbers", F);
        goto done;
    }
    int n = cJSON_GetArraySize(root);
    if (n > ENGINE_MAX_SEQ) {
        err_set(err, "--input has %d timesteps, more than %d", n, ENGINE_MAX_SEQ);
        goto done;
    }
    float *v = xmalloc((size_t)n * F * sizeof *v);
    *out = v;
    int t = 0;
    const cJSON *row = NULL;
    cJSON_ArrayForEach(row, root) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != F) {
            err_set(err, "--input timestep %d must be a list of %d numbers", t, F);
            goto done;
        }
        int j = 0;
        const cJSON *x = NULL;
        cJSON_ArrayForEach(x, row) {
            if (!cJSON_IsNumber(x)) {
                err_set(err, "--input timestep %d, feature %d is not a number", t, j);
                goto done;
            }
            v[(size_t)t * F + j++] = (float)x->valuedouble;
        }
        t++;
    }
    *T = n;
    ok = true;
done:
    if (!ok) {
        free(*out);
        *out = NULL;
    }
    cJSON_Delete(root);
    return ok;
}

/* dh_norm of every recurrent step for the loss of label: one backward pass */
static bool gradient_norms(const Trace *tr, int label, TraceDocExtras *ex, Err *err)
{
    const Model *m = tr->model;
    float *(*norms)[2] = xcalloc((size_t)m->n_layers, sizeof *norms);
    for (int i = 0; i < m->n_layers; i++)
        for (int d = 0; m->layers[i].kind == LAYER_RNN && d < m->layers[i].n_dir; d++)
            norms[i][d] = xcalloc((size_t)tr->T, sizeof(float));
    ex->dh_norm = (const float *const(*)[2])norms;
    if (!trace_gradient_norms(tr, label, (float *const(*)[2])norms, err)) {
        err_prefix(err, "--label");
        return false;
    }
    return true;
}

/* --attribution STEP[:CLASS]: both methods for one prediction */
static bool attribution(const Model *m, const int *tokens, const float *input, int T, const char *arg,
                        TraceAttribution *a, float **buf, Err *err)
{
    char *end = NULL;
    long step = strtol(arg, &end, 10);
    long cls = -1;
    if (end == arg || (*end && *end != ':'))
        return err_set(err, "--attribution: '%s' is not STEP or STEP:CLASS (whole numbers)", arg);
    if (*end == ':') {
        const char *c = end + 1;
        cls = strtol(c, &end, 10);
        if (end == c || *end || cls < 0) return err_set(err, "--attribution: '%s' is not STEP:CLASS (whole numbers)", arg);
    }
    if (step < 0 || step >= T) return err_set(err, "--attribution: step %ld is not a step of this input (0..%d)", step, T - 1);
    if (cls >= model_attrib_classes(m))
        return err_set(err, "--attribution: class %ld is not an output of this model (0..%d)", cls,
                       model_attrib_classes(m) - 1);
    const Layer *last = &m->layers[m->n_layers - 1];
    float *y = xcalloc((size_t)last->out_dim, sizeof *y);
    int best = 0;
    bool ok = model_attrib_prediction(y, &best, m, tokens, input, T, (int)step, err);
    if (ok) {
        a->step = (int)step;
        a->cls = cls >= 0 ? (int)cls : best;
        a->log_odds = model_attrib_log_odds(m);
        a->value = model_attrib_classes(m) != last->out_dim ? (a->cls ? y[0] : 1.0f - y[0]) : y[a->cls];
        *buf = xcalloc(2 * (size_t)T, sizeof **buf);
        a->gradient = *buf;
        a->occlusion = *buf + T;
        ok = model_attribute(*buf, m, tokens, input, T, a->step, a->cls, ATTRIB_GRADIENT, err) &&
             model_attribute(*buf + T, m, tokens, input, T, a->step, a->cls, ATTRIB_OCCLUSION, err);
    }
    free(y);
    if (!ok) err_prefix(err, "--attribution");
    return ok;
}

static void free_gradient_norms(TraceDocExtras *ex, const Model *m)
{
    if (!ex->dh_norm) return;
    float *(*norms)[2] = (float *(*)[2])ex->dh_norm;
    for (int i = 0; i < m->n_layers; i++) {
        free(norms[i][0]);
        free(norms[i][1]);
    }
    free(norms);
    ex->dh_norm = NULL;
}

int cmd_trace(int argc, char **argv)
{
    const char *model_path = NULL, *tokens_arg = NULL, *input_arg = NULL, *text_arg = NULL, *attrib_arg = NULL;
    long long maxlen = 0, label = -1;
    const CliOpt opts[] = {
        {"--tokens", CLI_STR, &tokens_arg, .what = "token ids, e.g. --tokens 3,1,4"},
        {"--input", CLI_STR, &input_arg, .what = "a JSON list of timesteps"},
        {"--text", CLI_STR, &text_arg, .what = "a sentence"},
        {"--maxlen", CLI_INT, &maxlen, .lo = 1, .hi = ENGINE_MAX_SEQ},
        {"--label", CLI_INT, &label, .lo = 0, .hi = 1 << 30, .what = "a class number"},
        {"--attribution", CLI_STR, &attrib_arg, .what = "STEP or STEP:CLASS"},
    };
    const CliSpec spec = {"trace", USAGE, opts, CLI_NOPTS(opts), "MODEL", false, &model_path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    if ((tokens_arg != NULL) + (input_arg != NULL) + (text_arg != NULL) != 1)
        return cli_failf("trace", "give exactly one of --tokens, --text or --input");

    Err err = {{0}};
    Model model;
    if (!model_load(&model, model_path, &err)) return cli_fail("trace", &err);
    int status = 2, n = 0;
    int *tokens = NULL;
    float *input = NULL;
    Trace tr = {0};
    JsonW w = {0};
    TraceDocExtras ex = {0};
    TraceAttribution attrib = {0};
    float *attrib_buf = NULL;
    Tokenizer tok = {0};
    bool have_tok = false;
    Prompt prompt = {0};
    if (text_arg) {
        if (!model.token_input) {
            cli_failf("trace", "%s: this model takes features, not text; use --input", model_path);
            goto done;
        }
        if (!prompt_load_tokenizer(&tok, model_path, &err)) {
            cli_fail("trace", &err);
            goto done;
        }
        have_tok = true;
        if (!maxlen && model.seq_len) maxlen = model.seq_len;
        if (!maxlen && tok.kind == TEXT_KERAS_VECTORIZATION) maxlen = tok.output_sequence_length;
        if (!prompt_encode(&prompt, &tok, text_arg, (int)maxlen, &err) || !model_check_tokens(&model, prompt.tokens, prompt.n, &err)) {
            cli_fail("trace", &err);
            goto done;
        }
        n = prompt.n;
        tokens = xmalloc((size_t)n * sizeof *tokens);
        memcpy(tokens, prompt.tokens, (size_t)n * sizeof *tokens);
        ex.text = text_arg;
        ex.words = (const char *const *)prompt.words;
        ex.oov = (const char *const *)prompt.oov;
        ex.n_oov = prompt.n_oov;
    } else if (tokens_arg) {
        if (!model.token_input) {
            cli_failf("trace", "%s: this model takes %d features per step (first layer %s); use --input", model_path,
                      model.input_dim, layer_class_name(&model.layers[0]));
            goto done;
        }
        if (!cli_parse_ints(tokens_arg, &tokens, &n, &err)) {
            err_prefix(&err, "--tokens");
            cli_fail("trace", &err);
            goto done;
        }
        if (!maxlen && model.seq_len) maxlen = model.seq_len;
        if (maxlen) {
            int *fitted = xcalloc((size_t)maxlen, sizeof *fitted);
            base_fit_front(fitted, (int)maxlen, tokens, n);
            free(tokens);
            tokens = fitted;
            n = (int)maxlen;
        }
        if (!model_check_tokens(&model, tokens, n, &err)) {
            cli_fail("trace", &err);
            goto done;
        }
    } else {
        if (model.token_input) {
            cli_failf("trace", "%s: this model reads tokens (its first layer is Embedding); use --tokens", model_path);
            goto done;
        }
        if (!parse_input(input_arg, model.input_dim, &input, &n, &err)) {
            cli_fail("trace", &err);
            goto done;
        }
        if (model.seq_len && n != model.seq_len) {
            cli_failf("trace", "the model takes exactly %d timesteps, --input has %d", model.seq_len, n);
            goto done;
        }
    }
    /* --attribution: one more kept trace and backward pass, and up to 64
     * occluded copies a forward pass */
    size_t attrib_extra = attrib_arg ? base_size_add(trace_bytes(&model, 1, n, true),
                                                     base_size_mul(trace_bytes(&model, 1, n, false), 64)) : 0;
    if (!trace_check_budget(&model, 1, n, true, label >= 0 || attrib_arg, true, attrib_extra, &err)) {
        cli_fail("trace", &err);
        goto done;
    }
    trace_init(&tr, &model, 1, n, true);
    model_forward(&tr, tokens, input);
    if (label >= 0 && !gradient_norms(&tr, (int)label, &ex, &err)) {
        cli_fail("trace", &err);
        goto done;
    }
    if (attrib_arg) {
        if (!attribution(&model, tokens, input, n, attrib_arg, &attrib, &attrib_buf, &err)) {
            cli_fail("trace", &err);
            goto done;
        }
        ex.attribution = &attrib;
    }
    jsonw_init(&w);
    trace_write_json(&w, &tr, 0, &ex);
    if (w.nonfinite) {
        cli_failf("trace", "%s: the model computed a value that is not finite (overflow); no trace written", model_path);
        goto done;
    }
    fputs(w.buf, stdout);
    fputc('\n', stdout);
    status = fflush(stdout) == 0 ? 0 : 2;
done:
    free(attrib_buf);
    free_gradient_norms(&ex, &model);
    prompt_free(&prompt);
    if (have_tok) tokenizer_free(&tok);
    jsonw_free(&w);
    trace_free(&tr);
    free(tokens);
    free(input);
    model_free(&model);
    return status;
}
