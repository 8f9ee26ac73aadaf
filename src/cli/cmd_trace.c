/* cmd_trace: `unroll trace`, one sequence through the model, every timestep
 * as JSON (contracts.md section 2). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "model_io.h"
#include "trace_json.h"

static const char USAGE[] =
    "usage: unroll trace MODEL (--tokens 3,1,4 | --input JSON) [--maxlen N]\n"
    "\n"
    "Runs one sequence through MODEL (a TensorFlow.js layers-model folder or its\n"
    "model.json) and prints every layer's output and, for recurrent layers, every\n"
    "timestep's input x, state h (and c for LSTM) and gate activations as JSON.\n"
    "\n"
    "  --tokens LIST   token ids for a model whose first layer is Embedding\n"
    "  --input JSON    features for a model taking floats: [[x0...], [x1...], ...]\n"
    "                  (T rows of F numbers)\n"
    "  --maxlen N      pad (with 0, in front) or cut (from the front) the tokens to\n"
    "                  N; defaults to the model's fixed input length, if any\n"
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

/* Keras pad_sequences defaults: pad and cut in front */
static int *fit_length(const int *tokens, int n, int maxlen)
{
    int *v = xcalloc((size_t)maxlen, sizeof *v);
    if (n >= maxlen) memcpy(v, tokens + (n - maxlen), (size_t)maxlen * sizeof *v);
    else memcpy(v + (maxlen - n), tokens, (size_t)n * sizeof *v);
    return v;
}

int cmd_trace(int argc, char **argv)
{
    const char *model_path = NULL, *tokens_arg = NULL, *input_arg = NULL, *maxlen_arg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_is_help(argv[i])) {
            fputs(USAGE, stdout);
            return 0;
        } else if (cli_opt(argc, argv, &i, "--tokens", &v)) {
            if (!v) return cli_failf("trace", "--tokens needs a value, e.g. --tokens 3,1,4");
            tokens_arg = v;
        } else if (cli_opt(argc, argv, &i, "--input", &v)) {
            if (!v) return cli_failf("trace", "--input needs a JSON list of timesteps");
            input_arg = v;
        } else if (cli_opt(argc, argv, &i, "--maxlen", &v)) {
            if (!v) return cli_failf("trace", "--maxlen needs a number");
            maxlen_arg = v;
        } else if (cli_opt(argc, argv, &i, "--text", &v)) {
            return cli_failf("trace", "--text needs the tokenizer, which this build does not have yet; use --tokens");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_failf("trace", "unknown option '%s' (see unroll trace --help)", argv[i]);
        } else if (!model_path) {
            model_path = argv[i];
        } else {
            return cli_failf("trace", "unexpected argument '%s' (see unroll trace --help)", argv[i]);
        }
    }
    if (!model_path) return cli_failf("trace", "no MODEL given (see unroll trace --help)");
    if (!tokens_arg == !input_arg) return cli_failf("trace", "give exactly one of --tokens or --input");
    long long maxlen = 0;
    if (maxlen_arg && !cli_parse_int(maxlen_arg, 1, ENGINE_MAX_SEQ, &maxlen))
        return cli_failf("trace", "--maxlen '%s' is not a whole number from 1 to %d", maxlen_arg, ENGINE_MAX_SEQ);

    Err err = {{0}};
    Model model;
    if (!model_load(&model, model_path, &err)) return cli_fail("trace", &err);
    int status = 2, n = 0;
    int *tokens = NULL;
    float *input = NULL;
    Trace tr = {0};
    JsonW w = {0};
    if (tokens_arg) {
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
            int *fitted = fit_length(tokens, n, (int)maxlen);
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
    trace_init(&tr, &model, 1, n, true);
    model_forward(&tr, tokens, input);
    jsonw_init(&w);
    trace_write_json(&w, &tr, 0, NULL);
    if (w.nonfinite) {
        cli_failf("trace", "%s: the model computed a value that is not finite (overflow); no trace written", model_path);
        goto done;
    }
    fputs(w.buf, stdout);
    fputc('\n', stdout);
    status = fflush(stdout) == 0 ? 0 : 2;
done:
    jsonw_free(&w);
    trace_free(&tr);
    free(tokens);
    free(input);
    model_free(&model);
    return status;
}
