/* unroll: step through recurrent neural networks, one timestep at a time.
 * main parses the first argument and dispatches to a subcommand. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "cli.h"
#include "engine.h"

static const char USAGE[] =
    "usage: unroll [COMMAND] [ARGS]\n"
    "\n"
    "Step through recurrent neural networks (SimpleRNN, GRU, LSTM) one timestep\n"
    "at a time. With no command, opens the window on the first lesson.\n"
    "\n"
    "commands:\n"
    "  [open] [LESSON.md | MODEL]   the window (press ? in it for the keys)\n"
    "  render LESSON_OR_MODEL --view NAME --out F.png   draw a view with no display\n"
    "  prepare LESSON.md            train a lesson's models from its corpus and seeds\n"
    "  trace MODEL --tokens 3,1,4   every timestep's x, h, c and gates as JSON\n"
    "  summary MODEL                Keras-style table of layers and parameter counts\n"
    "  tokenize FILE                Keras' Tokenizer and pad_sequences on a text file\n"
    "  new OUT --spec SPEC          a fresh model (Keras' initial weights, seeded)\n"
    "  train MODEL --data F.jsonl --epochs N --batch-size B --out OUT\n"
    "                               train as Keras' fit() does\n"
    "  evaluate MODEL --data F.jsonl  accuracy and loss on labelled rows\n"
    "  generate MODEL --seed-text T --words N   continue a text word by word\n"
    "  bench [--json]               time the engine on the design's target shapes\n"
    "  version                      unroll's and its libraries' versions (or --version)\n"
    "\n"
    "MODEL is a TensorFlow.js layers-model folder (model.json + weight shards) or\n"
    "the path of its model.json, or a file Keras saved: NAME.keras (Keras 3) or\n"
    "NAME.h5 (Keras 2). `unroll COMMAND --help` explains each command.\n"
    "Errors print one line on stderr and exit with status 2.\n";

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} Command;

static const Command COMMANDS[] = {
    {"open", cmd_open},
    {"render", cmd_render},
    {"prepare", cmd_prepare},
    {"trace", cmd_trace},
    {"summary", cmd_summary},
    {"tokenize", cmd_tokenize},
    {"train", cmd_train},
    {"new", cmd_new},
    {"evaluate", cmd_evaluate},
    {"bench", cmd_bench},
    {"generate", cmd_generate},
    {"version", cmd_version},
};

int main(int argc, char **argv)
{
    base_signals_install(); /* Ctrl+C and kill: exit 130/143, no partial output */
    engine_setup_process();
    if (argc < 2) return cmd_open(argc, argv);
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) return COMMANDS[i].run(argc - 1, argv + 1);
    /* `unroll LESSON.md` and `unroll MODEL_DIR` open the window */
    if (argv[1][0] != '-' && (access(argv[1], F_OK) == 0 || strchr(argv[1], '/') || strchr(argv[1], '.') ||
                              cli_lesson_path(argv[1])))
        return cmd_open(argc, argv);
    fprintf(stderr, "unroll: unknown command '%s' (see unroll --help)\n", argv[1]);
    return 2;
}
