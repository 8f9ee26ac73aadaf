/* cmd_version: `unroll --version` and `unroll version`: unroll's version,
 * the libraries it runs with, and where it found its lessons. */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>

#include "cli.h"
#include "engine.h"
#include "render.h"

static const char VERSION_USAGE[] =
    "usage: unroll version   (or unroll --version)\n"
    "\n"
    "Prints unroll's version, the versions of the libraries it runs with (SDL2\n"
    "and SDL2_ttf as linked, and those it was built against; OpenBLAS' build and\n"
    "the kernel family (core) it uses on this CPU, with its threads) and the\n"
    "folder it reads its lessons from.\n";

int cmd_version(int argc, char **argv)
{
    const CliSpec spec = {"version", VERSION_USAGE, NULL, 0, NULL, false, NULL};
    int rc = cli_parse(&spec, argc, argv);
    if (rc != CLI_GO) return rc;
    SDL_version sdl_linked, sdl_built, ttf_linked, ttf_built;
    SDL_GetVersion(&sdl_linked);
    SDL_VERSION(&sdl_built);
    render_ttf_versions(&ttf_linked, &ttf_built);
    printf("unroll %s\n", UNROLL_VERSION);
    printf("SDL2 %d.%d.%d (built with %d.%d.%d)\n", sdl_linked.major, sdl_linked.minor, sdl_linked.patch,
           sdl_built.major, sdl_built.minor, sdl_built.patch);
    printf("SDL2_ttf %d.%d.%d (built with %d.%d.%d)\n", ttf_linked.major, ttf_linked.minor, ttf_linked.patch,
           ttf_built.major, ttf_built.minor, ttf_built.patch);
    printf("BLAS %s\n", blas_config());
    printf("BLAS core %s, %d threads\n", blas_core_name(), blas_threads_in_use());
    char real[PATH_MAX];
    const char *dir = cli_lessons_dir();
    printf("lessons %s\n", realpath(dir, real) ? real : dir);
    return 0;
}
