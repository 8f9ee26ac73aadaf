/* cmd_open: `unroll [open] [LESSON | MODEL]` opens the window, and
 * `unroll render` draws one frame of a view to a PNG with no display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL.h>

#include "app.h"
#include "cli.h"

static const char OPEN_USAGE[] =
    "usage: unroll [open] [LESSON.md | MODEL]\n"
    "\n"
    "Opens the window on a lesson or a model folder (the first lesson when none\n"
    "is given); a lesson can also be named by its number or topic (`unroll 2`,\n"
    "`unroll open memory`). With no display it says so and exits with status 2:\n"
    "use `unroll render` to draw a view to a PNG instead. Press ? in the window\n"
    "for the keys.\n";

static const char RENDER_USAGE[] =
    "usage: unroll render LESSON_OR_MODEL --view NAME --out FILE.png [--step T]\n"
    "                     [--size WxH] [--theme light|dark|presenter] [--text \"...\"]\n"
    "                     [--lesson-step N] [--model K] [--words N] [--train]\n"
    "\n"
    "Draws one frame of a view with no display (SDL's dummy video driver and the\n"
    "software renderer) and writes it as a PNG. Views: unrolled, inspector,\n"
    "compare, predictions, training, gradients, generate, chart, tensors, lesson\n"
    "(the lesson panel beside its current view; chart is the unit chart; tensors\n"
    "the text's way to the first layer, stage by stage). The generate\n"
    "view shows --words N words (default 6) chosen after the input, greedily unless\n"
    "the lesson step sets a temperature (sampling seed 1); the training view shows\n"
    "the shipped models' loss and accuracy after every epoch (training and\n"
    "validation, recomputed from history.bin), or with --train (or when the models\n"
    "have no history) trains the lesson's models first.\n"
    "--step counts from 1 (default: the last step); --size defaults to 1920x1080;\n"
    "--model picks one of a lesson's models, in the order the lesson lists them.\n"
    "A lesson can be named by its number or topic (`unroll render 1 ...`).\n";

const char *cli_default_lesson(void)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/01-lyrics.md", cli_lessons_dir());
    return path;
}

/* a lesson named by number or topic ("1", "lyrics") stands for its file */
static const char *lesson_or_path(const char *arg)
{
    const char *lesson = cli_lesson_path(arg);
    return lesson ? lesson : arg;
}

int cmd_open(int argc, char **argv)
{
    const char *path = NULL;
    const CliSpec spec = {"open", OPEN_USAGE, NULL, 0, "LESSON.md | MODEL", true, &path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    if (path) path = lesson_or_path(path);
    /* the lesson browser lists the lessons beside the one opened, or the first lesson's */
    const char *lesson = path && strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".md") == 0 ? path : cli_default_lesson();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", lesson);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    /* SIGINT/SIGTERM stay with base_signals_install's handler: SDL would
     * turn them into a quit event nobody reads during a computation */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    return app_run(path ? path : cli_default_lesson(), dir);
}

/* --size WxH into the request */
static bool parse_size(const char *v, void *out)
{
    RenderRequest *req = out;
    int w = 0, h = 0;
    char extra = 0;
    if (sscanf(v, "%dx%d%c", &w, &h, &extra) != 2) return false;
    req->width = w;
    req->height = h;
    return true;
}

int cmd_render(int argc, char **argv)
{
    RenderRequest req = {.view = VIEW_UNROLLED, .step = -1, .width = 1920, .height = 1080, .lesson_step = -1, .model = -1, .words = 6};
    static const char *const THEMES[] = {"light", "dark", "presenter", NULL};
    const char *out = NULL, *view = NULL;
    long long step = 0, lesson_step = -1, words = 6, model = -1; /* lesson_step -1: not given */
    int theme = 0;
    const CliOpt opts[] = {
        {"--view", CLI_STR, &view, .what = "a view name"},
        {"--out", CLI_STR, &out, .meta = "FILE.png", .required = true, .nonempty = true, .what = "a file name"},
        {"--step", CLI_INT, &step, .lo = 1, .hi = ENGINE_MAX_SEQ},
        {"--lesson-step", CLI_INT, &lesson_step, .lo = 0, .hi = 1000, .what = "a whole number from 0 (the introduction) to 1000"},
        {"--words", CLI_INT, &words, .lo = 0, .hi = DOC_GEN_MAX},
        {"--model", CLI_INT, &model, .lo = 0, .hi = 2, .what = "0, 1 or 2"},
        {"--size", CLI_CUSTOM, &req, .parse = parse_size, .what = "WxH, e.g. 1920x1080"},
        {"--theme", CLI_CHOICE, &theme, .choices = THEMES},
        {"--text", CLI_STR, &req.text, .what = "a sentence"},
        {.name = "--train", .kind = CLI_FLAG, .out = &req.train},
    };
    const CliSpec spec = {"render", RENDER_USAGE, opts, CLI_NOPTS(opts), "LESSON_OR_MODEL", false, &req.path};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    if (req.path) req.path = lesson_or_path(req.path);
    req.step = (int)step - 1;
    /* 0 is the introduction (-1 to the app), N the N-th step; -2: none */
    req.lesson_step = lesson_step < 0 ? -2 : (int)lesson_step - 1;
    req.words = (int)words;
    req.model = (int)model;
    req.dark = theme == 1;
    req.presenter = theme == 2; /* presenter mode: large type, high contrast (F11) */
    if (!view) view = "unrolled";
    if (strcmp(view, "lesson") == 0) {
        req.view = VIEW_COUNT; /* the lesson step decides */
        if (req.lesson_step == -2) req.lesson_step = 0; /* the first step */
    } else if (!view_kind_parse(view, &req.view)) {
        return cli_failf("render", "--view '%s' is not one of unrolled, inspector, compare, predictions, training, gradients, generate, chart, tensors, lesson", view);
    }
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* as in cmd_open */
    Err err = {{0}};
    if (!app_render_png(&req, out, &err)) return cli_fail("render", &err);
    return 0;
}
