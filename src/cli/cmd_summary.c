/* cmd_summary: `unroll summary`, Keras' model.summary() table. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "model_io.h"
#include "summary.h"

static const char USAGE[] =
    "usage: unroll summary MODEL\n"
    "\n"
    "Prints the model as Keras' model.summary() does: one row per layer with its\n"
    "name, class, output shape and parameter count, then the totals.\n";

int cmd_summary(int argc, char **argv)
{
    const char *path = NULL;
    const CliSpec spec = {"summary", USAGE, NULL, 0, "MODEL", false, &path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    Err err = {{0}};
    Model m;
    if (!model_load(&m, path, &err)) return cli_fail("summary", &err);
    char *text = summary_text(&m);
    fputs(text, stdout);
    free(text);
    model_free(&m);
    return 0;
}
