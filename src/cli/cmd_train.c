/* cmd_train: `unroll train` (contracts.md section 3) and `unroll new`, which
 * writes a fresh model from a one-line spec. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "dataset.h"
#include "history.h"
#include "keras_io.h"
#include "model_io.h"
#include "prepare.h"
#include "prompt.h"
#include "spec.h"
#include "tokenizer_io.h"

static const char TRAIN_USAGE[] =
    "usage: unroll train MODEL --data FILE.jsonl --epochs N --batch-size B --out OUT_DIR\n"
    "                    [--optimizer adam|sgd] [--lr X] [--clipnorm X] [--seed S]\n"
    "                    [--no-shuffle] [--validation FILE.jsonl] [--no-history]\n"
    "\n"
    "Trains MODEL on FILE.jsonl (one {\"tokens\": [...], \"label\": N} a line, all rows\n"
    "the same length) as Keras' fit() would, and writes the trained model to OUT_DIR\n"
    "(whole or not at all), with MODEL's tokenizer.json carried over; an OUT_DIR\n"
    "ending in .keras is written as a Keras 3 .keras file (tokenizer.json beside it).\n"
    "The loss comes from the last layer: softmax -> sparse categorical\n"
    "cross-entropy, one sigmoid unit -> binary cross-entropy. Adam is Keras'\n"
    "(default lr 0.001), SGD plain (default lr 0.01); --clipnorm clips each\n"
    "weight's gradient norm.\n"
    "Prints one line per epoch on stderr: epoch E/N loss L accuracy A.\n"
    "OUT_DIR also gets history.bin: the weights before training (epoch 0) and\n"
    "after every epoch, which the window's epoch slider shows (--no-history: none;\n"
    "left out, with a note, past 2,000 epochs or the memory budget).\n";

static const char EVALUATE_USAGE[] =
    "usage: unroll evaluate MODEL --data FILE.jsonl\n\n"
    "Accuracy and mean loss of MODEL on labelled rows: {\"text\": \"...\", \"label\": k}\n"
    "(tokenized with the tokenizer.json beside the model) or {\"tokens\": [...], \"label\": k}.\n";

static const char NEW_USAGE[] =
    "usage: unroll new OUT_DIR --spec SPEC [--vocab N] [--seed S] [--tokenizer FILE]\n"
    "\n"
    "Writes a fresh model with Keras' initial weights (seeded). SPEC lists the\n"
    "layers, e.g. \"embedding:V:16:mask, lstm:32, dense:V:softmax\" (V = --vocab,\n"
    "or the size of --tokenizer's vocabulary). Layers: input:T[:F],\n"
    "embedding:VOCAB:DIM[:mask], masking[:VALUE], lstm|gru|rnn:UNITS[:seq]\n"
    "[:state][:backwards][:relu|linear][:hard][:nobias][:reset_before]\n"
    "[:dropout=R][:recurrent_dropout=R],\n"
    "bi-lstm|bi-gru|bi-rnn:UNITS[:concat|sum|mul|ave][...], dropout:RATE,\n"
    "dense:UNITS[:softmax|sigmoid|relu|tanh|linear],\n"
    "conv1d:FILTERS:KERNEL[:valid|same|causal][:strideN][:dilationN][:nobias]\n"
    "[:ACTIVATION], gmaxpool, gavgpool, flatten, spatialdropout:RATE.\n";

/* tokenizer.json beside the model, as text to copy; NULL if none */
static char *sibling_tokenizer(const char *model_path)
{
    char *dir = model_dir_of(model_path);
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    free(dir);
    Err err = {{0}};
    char *text = base_read_file(path, TOKENIZER_IO_MAX_JSON, NULL, &err);
    /* keras: a .keras file's TextVectorization vocabulary, as tokenizer.json */
    if (!text && keras_is_keras_path(model_path)) text = keras_vocabulary_tokenizer(model_path, &err);
    return text;
}

int cmd_train(int argc, char **argv)
{
    static const char *const OPTIMIZERS[] = {"adam", "sgd", NULL};
    const char *model_path = NULL, *data = NULL, *val = NULL, *out = NULL;
    long long epochs = 0, batch = 0, seed = 0;
    float lr = 0, clip = 0;
    int opt = 0;
    bool no_shuffle = false, no_history = false;
    const CliOpt opts[] = {
        {"--data", CLI_STR, &data, .meta = "FILE.jsonl", .required = true, .nonempty = true, .what = "a file"},
        {"--validation", CLI_STR, &val, .nonempty = true, .what = "a file"},
        {"--out", CLI_STR, &out, .meta = "OUT_DIR", .required = true, .nonempty = true, .what = "a folder"},
        {"--optimizer", CLI_CHOICE, &opt, .choices = OPTIMIZERS},
        {"--epochs", CLI_INT, &epochs, .meta = "N", .required = true, .lo = 1, .hi = 1000000},
        {"--batch-size", CLI_INT, &batch, .meta = "B", .required = true, .lo = 1, .hi = 1 << 20},
        {"--seed", CLI_INT, &seed, .lo = 0, .hi = 1LL << 62, .what = "a whole number >= 0"},
        {"--lr", CLI_FLOAT, &lr, .min = 1e-12, .max = 1e6, .what = "a positive number"},
        {"--clipnorm", CLI_FLOAT, &clip, .min = 1e-12, .max = 1e12, .what = "a positive number"},
        {.name = "--no-shuffle", .kind = CLI_FLAG, .out = &no_shuffle},
        {.name = "--no-history", .kind = CLI_FLAG, .out = &no_history},
    };
    const CliSpec spec = {"train", TRAIN_USAGE, opts, CLI_NOPTS(opts), "MODEL", false, &model_path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;

    Err err = {{0}};
    Model m;
    if (!model_load(&m, model_path, &err)) return cli_fail("train", &err);
    int status = 2;
    DataFile train = {0}, valid = {0};
    Trainer tr = {0};
    char *tok = NULL;
    unsigned char *hist_bytes = NULL;
    History hist;
    history_init(&hist, m.n_params);
    if (!datafile_load(&train, data, m.token_input ? 0 : m.input_dim, &err)) goto fail;
    if (val && !datafile_load(&valid, val, m.token_input ? 0 : m.input_dim, &err)) goto fail;
    TrainConfig cfg = {.epochs = (int)epochs, .batch_size = (int)batch,
                       .optimizer = opt == 1 ? OPT_SGD : OPT_ADAM, .lr = lr, .clipnorm = clip,
                       .shuffle = !no_shuffle, .seed = (uint64_t)seed};
    if (!trainer_init(&tr, &m, &cfg, train.view.T, &err)) goto fail;
    if (!trainer_check_data(&tr, &train.view, data, &err)) goto fail;
    if (val && !trainer_check_data(&tr, &valid.view, val, &err)) goto fail;
    if (!no_history) {
        /* a history that would not fit (too many epochs, too little memory)
         * is left out, said once; the training itself goes on */
        Err herr = {{0}};
        if (!history_check_budget(m.n_params, cfg.epochs, &herr)) {
            fprintf(stderr, "note: no history.bin: %s\n", herr.msg);
            no_history = true;
        }
    }
    if (!no_history && !history_push(&hist, &m, &err)) goto fail;
    tok = sibling_tokenizer(model_path);
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
        if (!no_history && !history_push(&hist, &m, &err)) goto fail;
    }
    /* a model folder gets its history inside, in the same whole-or-nothing
     * write; a .keras file gets NAME.history.bin beside it, written after it */
    bool keras_out = keras_is_keras_path(out);
    size_t hist_len = 0;
    hist_bytes = !no_history && !keras_out ? history_encode(&hist, &hist_len) : NULL;
    ExtraFile extra[2];
    int n_extra = 0;
    if (tok) extra[n_extra++] = (ExtraFile){"tokenizer.json", tok, 0};
    if (hist_bytes) extra[n_extra++] = (ExtraFile){"history.bin", (const char *)hist_bytes, hist_len};
    if (!model_save(&m, out, n_extra ? extra : NULL, n_extra, &err)) goto fail;
    if (!no_history && keras_out && !history_save_beside(&hist, out, &err)) goto fail;
    status = 0;
    goto done;
fail:
    cli_fail("train", &err);
done:
    free(hist_bytes);
    history_free(&hist);
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
    const CliOpt opts[] = {
        {"--spec", CLI_STR, &spec, .meta = "SPEC", .required = true, .what = "a model description"},
        {"--vocab", CLI_INT, &vocab, .lo = 1, .hi = ENGINE_MAX_DIM},
        {"--seed", CLI_INT, &seed, .lo = 0, .hi = 1LL << 62, .what = "a whole number >= 0"},
        {"--tokenizer", CLI_STR, &tok_path, .nonempty = true, .what = "a file"},
    };
    const CliSpec cli = {"new", NEW_USAGE, opts, CLI_NOPTS(opts), "OUT_DIR", false, &out};
    int rc = cli_parse(&cli, argc, argv);
    if (rc != CLI_GO) return rc;
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
    ExtraFile extra = {"tokenizer.json", tok, 0};
    bool ok = model_save(&m, out, tok ? &extra : NULL, tok ? 1 : 0, &err);
    free(tok);
    model_free(&m);
    return ok ? 0 : cli_fail("new", &err);
}

int cmd_evaluate(int argc, char **argv)
{
    const char *model_path = NULL, *data = NULL;
    const CliOpt opts[] = {
        {"--data", CLI_STR, &data, .meta = "FILE.jsonl", .required = true, .nonempty = true, .what = "a file"},
    };
    const CliSpec spec = {"evaluate", EVALUATE_USAGE, opts, CLI_NOPTS(opts), "MODEL", false, &model_path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
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
