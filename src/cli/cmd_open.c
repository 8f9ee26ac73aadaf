/* cmd_open: `unroll [open] [LESSON | MODEL]` opens the window, and
 * `unroll render` draws one frame of a view to a PNG with no display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "cli.h"

static const char OPEN_USAGE[] =
    "usage: unroll [open] [LESSON.md | MODEL]\n"
    "\n"
    "Opens the window on a lesson or a model folder (the first lesson when none\n"
    "is given). With no display it says so and exits with status 2: use\n"
    "`unroll render` to draw a view to a PNG instead. Press ? in the window for\n"
    "the keys.\n";

static const char RENDER_USAGE[] =
    "usage: unroll render LESSON_OR_MODEL --view NAME --out FILE.png [--step T]\n"
    "                     [--size WxH] [--theme light|dark] [--text \"...\"]\n"
    "                     [--lesson-step N] [--model K] [--words N]\n"
    "\n"
    "Draws one frame of a view with no display (SDL's dummy video driver and the\n"
    "software renderer) and writes it as a PNG. Views: unrolled, inspector,\n"
    "compare, predictions, training, gradients, generate, lesson (the lesson\n"
    "panel beside its current view). The generate view shows --words N words\n"
    "(default 6) chosen greedily after the input; the training view trains the\n"
    "lesson's models first (for a moment).\n"
    "--step counts from 1 (default: the last step); --size defaults to 1920x1080;\n"
    "--model picks one of a lesson's models (0 SimpleRNN, 1 GRU, 2 LSTM).\n";

const char *cli_default_lesson(void)
{
    static char path[4200];
    const char *env = getenv("UNROLL_LESSONS_DIR");
    struct stat st;
    if (env) snprintf(path, sizeof path, "%s/01-lyrics.md", env);
    else snprintf(path, sizeof path, "%s/../lessons/01-lyrics.md", cli_assets_dir());
    if (stat(path, &st) == 0) return path;
    snprintf(path, sizeof path, "%s/../lessons/01-lyrics.md", UNROLL_SOURCE_ASSETS);
    return path;
}

int cmd_open(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(OPEN_USAGE, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_failf("open", "unknown option '%s'", argv[i]);
        if (path) return cli_failf("open", "unexpected argument '%s'", argv[i]);
        path = argv[i];
    }
    /* the lesson browser lists the lessons beside the one opened, or the first lesson's */
    const char *lesson = path && strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".md") == 0 ? path : cli_default_lesson();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", lesson);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    return app_run(path ? path : cli_default_lesson(), dir);
}

int cmd_render(int argc, char **argv)
{
    RenderRequest req = {.view = VIEW_UNROLLED, .step = -1, .width = 1920, .height = 1080, .lesson_step = -1, .model = -1, .words = 6};
    const char *out = NULL, *view = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        long long n = 0;
        if (cli_is_help(argv[i])) {
            fputs(RENDER_USAGE, stdout);
            return 0;
        } else if (cli_opt(argc, argv, &i, "--view", &v)) {
            if (!(view = v)) return cli_failf("render", "--view needs a name");
        } else if (cli_opt(argc, argv, &i, "--out", &v)) {
            if (!(out = v)) return cli_failf("render", "--out needs a file name");
        } else if (cli_opt(argc, argv, &i, "--step", &v)) {
            if (!cli_parse_int(v, 1, ENGINE_MAX_SEQ, &n)) return cli_failf("render", "--step needs a whole number from 1");
            req.step = (int)n - 1;
        } else if (cli_opt(argc, argv, &i, "--lesson-step", &v)) {
            if (!cli_parse_int(v, 0, 1000, &n)) return cli_failf("render", "--lesson-step needs a whole number (0 = introduction)");
            req.lesson_step = (int)n - 1;
        } else if (cli_opt(argc, argv, &i, "--words", &v)) {
            if (!cli_parse_int(v, 0, DOC_GEN_MAX, &n)) return cli_failf("render", "--words needs a whole number from 0 to %d", DOC_GEN_MAX);
            req.words = (int)n;
        } else if (cli_opt(argc, argv, &i, "--model", &v)) {
            if (!cli_parse_int(v, 0, 2, &n)) return cli_failf("render", "--model needs 0, 1 or 2");
            req.model = (int)n;
        } else if (cli_opt(argc, argv, &i, "--size", &v)) {
            int w = 0, h = 0;
            char extra = 0;
            if (!v || sscanf(v, "%dx%d%c", &w, &h, &extra) != 2) return cli_failf("render", "--size needs WxH, e.g. 1920x1080");
            req.width = w;
            req.height = h;
        } else if (cli_opt(argc, argv, &i, "--theme", &v)) {
            if (!v || (strcmp(v, "light") && strcmp(v, "dark"))) return cli_failf("render", "--theme must be light or dark");
            req.dark = strcmp(v, "dark") == 0;
        } else if (cli_opt(argc, argv, &i, "--text", &v)) {
            if (!(req.text = v)) return cli_failf("render", "--text needs a sentence");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_failf("render", "unknown option '%s' (see unroll render --help)", argv[i]);
        } else if (!req.path) {
            req.path = argv[i];
        } else {
            return cli_failf("render", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!req.path) return cli_failf("render", "no LESSON_OR_MODEL given (see unroll render --help)");
    if (!out) return cli_failf("render", "--out FILE.png is needed");
    if (!view) view = "unrolled";
    if (strcmp(view, "lesson") == 0) {
        req.view = VIEW_COUNT; /* the lesson step decides */
        if (req.lesson_step < 0) req.lesson_step = 0;
    } else if (!view_kind_parse(view, &req.view)) {
        return cli_failf("render", "--view '%s' is not one of unrolled, inspector, compare, predictions, training, gradients, generate, lesson", view);
    }
    Err err = {{0}};
    if (!app_render_png(&req, out, &err)) return cli_fail("render", &err);
    return 0;
}
