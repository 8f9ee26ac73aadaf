/* cmd_train: `unroll train` (contracts.md section 3) and `unroll new`, which
 * writes a fresh model from a one-line spec. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dataset.h"
#include "model_io.h"
#include "prepare.h"
#include "prompt.h"
#include "spec.h"
#include "tokenizer_io.h"

static const char TRAIN_USAGE[] =
    "usage: unroll train MODEL --data FILE.jsonl --epochs N --batch-size B --out OUT_DIR\n"
    "                    [--optimizer adam|sgd] [--lr X] [--clipnorm X] [--seed S]\n"
    "                    [--no-shuffle] [--validation FILE.jsonl]\n"
    "\n"
    "Trains MODEL on FILE.jsonl (one {\"tokens\": [...], \"label\": N} a line, all rows\n"
    "the same length) as Keras' fit() would, and writes the trained model to OUT_DIR\n"
    "(whole or not at all), with MODEL's tokenizer.json carried over. The loss\n"
    "comes from the last layer: softmax -> sparse categorical cross-entropy, one\n"
    "sigmoid unit -> binary cross-entropy. Adam is Keras' (default lr 0.001), SGD\n"
    "plain (default lr 0.01); --clipnorm clips each weight's gradient norm.\n"
    "Prints one line per epoch on stderr: epoch E/N loss L accuracy A.\n";

static const char NEW_USAGE[] =
    "usage: unroll new OUT_DIR --spec SPEC [--vocab N] [--seed S] [--tokenizer FILE]\n"
    "\n"
    "Writes a fresh model with Keras' initial weights (seeded). SPEC lists the\n"
    "layers, e.g. \"embedding:V:16:mask, lstm:32, dense:V:softmax\" (V = --vocab,\n"
    "or the size of --tokenizer's vocabulary). Layers: input:T[:F],\n"
    "embedding:VOCAB:DIM[:mask], masking[:VALUE], lstm|gru|rnn:UNITS[:seq]\n"
    "[:state][:backwards][:relu|linear][:hard][:nobias][:reset_before],\n"
    "bi-lstm|bi-gru|bi-rnn:UNITS[:concat|sum|mul|ave][...], dropout:RATE,\n"
    "dense:UNITS[:softmax|sigmoid|relu|tanh|linear].\n";

static bool parse_float(const char *s, float lo, float hi, float *out)
{
    if (!s) return false;
    char *end = NULL;
    float v = strtof(s, &end);
    if (!*s || *end || !isfinite(v) || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* tokenizer.json beside the model, as text to copy; NULL if none */
static char *sibling_tokenizer(const char *model_path)
{
    char *dir = model_dir_of(model_path);
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    free(dir);
    Err err = {{0}};
    return base_read_file(path, TOKENIZER_IO_MAX_JSON, NULL, &err);
}

int cmd_train(int argc, char **argv)
{
    const char *model_path = NULL, *data = NULL, *val = NULL, *out = NULL, *opt = "adam";
    long long epochs = 0, batch = 0, seed = 0;
    float lr = 0, clip = 0;
    bool shuffle = true;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_is_help(argv[i])) {
            fputs(TRAIN_USAGE, stdout);
            return 0;
        } else if (cli_opt(argc, argv, &i, "--data", &v)) {
            if (!(data = v)) return cli_failf("train", "--data needs a file");
        } else if (cli_opt(argc, argv, &i, "--validation", &v)) {
            if (!(val = v)) return cli_failf("train", "--validation needs a file");
        } else if (cli_opt(argc, argv, &i, "--out", &v)) {
            if (!(out = v)) return cli_failf("train", "--out needs a folder");
        } else if (cli_opt(argc, argv, &i, "--optimizer", &v)) {
            if (!v || (strcmp(v, "adam") && strcmp(v, "sgd"))) return cli_failf("train", "--optimizer must be adam or sgd");
            opt = v;
        } else if (cli_opt(argc, argv, &i, "--epochs", &v)) {
            if (!cli_parse_int(v, 1, ENGINE_MAX_EPOCHS, &epochs)) return cli_failf("train", "--epochs needs a whole number from 1");
        } else if (cli_opt(argc, argv, &i, "--batch-size", &v)) {
            if (!cli_parse_int(v, 1, ENGINE_MAX_BATCH, &batch)) return cli_failf("train", "--batch-size needs a whole number from 1");
        } else if (cli_opt(argc, argv, &i, "--seed", &v)) {
            if (!cli_parse_int(v, 0, (1LL << 62), &seed)) return cli_failf("train", "--seed needs a whole number >= 0");
        } else if (cli_opt(argc, argv, &i, "--lr", &v)) {
            if (!parse_float(v, 1e-12f, 1e6f, &lr)) return cli_failf("train", "--lr needs a positive number");
        } else if (cli_opt(argc, argv, &i, "--clipnorm", &v)) {
            if (!parse_float(v, 1e-12f, 1e12f, &clip)) return cli_failf("train", "--clipnorm needs a positive number");
        } else if (strcmp(argv[i], "--no-shuffle") == 0) {
            shuffle = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_failf("train", "unknown option '%s' (see unroll train --help)", argv[i]);
        } else if (!model_path) {
            model_path = argv[i];
        } else {
            return cli_failf("train", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!model_path) return cli_failf("train", "no MODEL given (see unroll train --help)");
    if (!data) return cli_failf("train", "--data FILE.jsonl is needed");
    if (!out) return cli_failf("train", "--out OUT_DIR is needed");
    if (!epochs) return cli_failf("train", "--epochs N is needed");
    if (!batch) return cli_failf("train", "--batch-size B is needed");

    Err err = {{0}};
    Model m;
    if (!model_load(&m, model_path, &err)) return cli_fail("train", &err);
    int status = 2;
    DataFile train = {0}, valid = {0};
    Trainer tr = {0};
    char *tok = NULL;
    if (!datafile_load(&train, data, m.token_input ? 0 : m.input_dim, &err)) goto fail;
    if (val && !datafile_load(&valid, val, m.token_input ? 0 : m.input_dim, &err)) goto fail;
    TrainConfig cfg = {.epochs = (int)epochs, .batch_size = (int)batch,
                       .optimizer = strcmp(opt, "sgd") == 0 ? OPT_SGD : OPT_ADAM, .lr = lr, .clipnorm = clip,
                       .shuffle = shuffle, .seed = (uint64_t)seed};
    if (!trainer_init(&tr, &m, &cfg, train.view.T, &err)) goto fail;
    if (!trainer_check_data(&tr, &train.view, data, &err)) goto fail;
    if (val && !trainer_check_data(&tr, &valid.view, val, &err)) goto fail;
    tok = sibling_tokenizer(model_path);
    ExtraFile extra = {"tokenizer.json", tok};
    for (int e = 0; e < cfg.epochs; e++) {
        EpochStats st;
        if (!trainer_epoch(&tr, &train.view, val ? &valid.view : NULL, &st, NULL, NULL, &err)) {
            /* --out is written whole or not at all: a failed run leaves it as it was */
            err_prefix(&err, "nothing written to %s", out);
            goto fail;
        }
        if (st.has_val)
            fprintf(stderr, "epoch %d/%d loss %.6f accuracy %.4f val_loss %.6f val_accuracy %.4f\n", e + 1, cfg.epochs, st.loss,
                    st.accuracy, st.val_loss, st.val_accuracy);
        else
            fprintf(stderr, "epoch %d/%d loss %.6f accuracy %.4f\n", e + 1, cfg.epochs, st.loss, st.accuracy);
    }
    if (!model_save(&m, out, tok ? &extra : NULL, tok ? 1 : 0, &err)) goto fail;
    status = 0;
    goto done;
fail:
    cli_fail("train", &err);
done:
    free(tok);
    trainer_free(&tr);
    datafile_free(&train);
    datafile_free(&valid);
    model_free(&m);
    return status;
}

int cmd_new(int argc, char **argv)
{
    const char *out = NULL, *spec = NULL, *tok_path = NULL;
    long long vocab = 0, seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_is_help(argv[i])) {
            fputs(NEW_USAGE, stdout);
            return 0;
        } else if (cli_opt(argc, argv, &i, "--spec", &v)) {
            if (!(spec = v)) return cli_failf("new", "--spec needs a model description");
        } else if (cli_opt(argc, argv, &i, "--vocab", &v)) {
            if (!cli_parse_int(v, 1, ENGINE_MAX_DIM, &vocab)) return cli_failf("new", "--vocab needs a whole number from 1");
        } else if (cli_opt(argc, argv, &i, "--seed", &v)) {
            if (!cli_parse_int(v, 0, (1LL << 62), &seed)) return cli_failf("new", "--seed needs a whole number >= 0");
        } else if (cli_opt(argc, argv, &i, "--tokenizer", &v)) {
            if (!(tok_path = v)) return cli_failf("new", "--tokenizer needs a file");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_failf("new", "unknown option '%s' (see unroll new --help)", argv[i]);
        } else if (!out) {
            out = argv[i];
        } else {
            return cli_failf("new", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!out) return cli_failf("new", "no OUT_DIR given (see unroll new --help)");
    if (!spec) return cli_failf("new", "--spec is needed (see unroll new --help)");
    Err err = {{0}};
    char *tok = NULL;
    if (tok_path) {
        tok = base_read_file(tok_path, TOKENIZER_IO_MAX_JSON, NULL, &err);
        if (!tok) return cli_fail("new", &err);
        if (!vocab) vocab = cli_tokenizer_vocab(tok_path, &err);
        if (!vocab) {
            free(tok);
            return cli_fail("new", &err);
        }
    }
    Model m;
    if (!spec_build(&m, spec, (int)vocab, (uint64_t)seed, &err)) {
        free(tok);
        return cli_fail("new", &err);
    }
    ExtraFile extra = {"tokenizer.json", tok};
    bool ok = model_save(&m, out, tok ? &extra : NULL, tok ? 1 : 0, &err);
    free(tok);
    model_free(&m);
    return ok ? 0 : cli_fail("new", &err);
}

int cmd_evaluate(int argc, char **argv)
{
    const char *model_path = NULL, *data = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (cli_is_help(argv[i])) {
            fputs("usage: unroll evaluate MODEL --data FILE.jsonl\n\n"
                  "Accuracy and mean loss of MODEL on labelled rows: {\"text\": \"...\", \"label\": k}\n"
                  "(tokenized with the tokenizer.json beside the model) or {\"tokens\": [...], \"label\": k}.\n",
                  stdout);
            return 0;
        } else if (cli_opt(argc, argv, &i, "--data", &v)) {
            if (!(data = v)) return cli_failf("evaluate", "--data needs a file");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_failf("evaluate", "unknown option '%s'", argv[i]);
        } else if (!model_path) {
            model_path = argv[i];
        } else {
            return cli_failf("evaluate", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!model_path || !data) return cli_failf("evaluate", "usage: unroll evaluate MODEL --data FILE.jsonl");
    Err err = {{0}};
    Model m;
    if (!model_load(&m, model_path, &err)) return cli_fail("evaluate", &err);
    Tokenizer tok;
    Err terr = {{0}};
    bool has_tok = prompt_load_tokenizer(&tok, model_path, &terr);
    int n = 0;
    double acc = 0, loss = 0;
    bool ok = evaluate_rows(&m, has_tok ? &tok : NULL, data, &n, &acc, &loss, &err);
    if (ok) printf("%d rows: accuracy %.4f loss %.6f\n", n, acc, loss);
    if (has_tok) tokenizer_free(&tok);
    model_free(&m);
    return ok ? 0 : cli_fail("evaluate", &err);
}
