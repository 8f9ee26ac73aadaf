/* render: the drawing backend of the window: filled and outlined rects,
 * lines, triangles and text on an SDL_Renderer, with DejaVu fonts found on
 * the system and a fixed-capacity cache of rendered strings. Every text box
 * drawn in a frame is recorded (for the layout tests), and so is every
 * "hot" region a view registers (for hover, clicks and pixel tests).
 * The only file that includes SDL_ttf.h is render.c. Depends on SDL2,
 * SDL2_ttf and base. */
#ifndef UNROLL_RENDER_H
#define UNROLL_RENDER_H

#include <SDL.h>
#include <stdbool.h>

#include "base.h"

typedef struct {
    Uint8 r, g, b, a;
} Color;

typedef struct {
    int x, y, w, h;
} Box;

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } Align;

typedef enum { FONT_REGULAR, FONT_BOLD, FONT_MONO, FONT_COUNT } FontStyle;

/* What a hot region stands for: one square of a vector, a cell, a token... */
typedef enum {
    HOT_NONE,
    HOT_UNIT,      /* one unit of a vector: layer, dir, t, vec, unit */
    HOT_CELL,      /* a whole cell (click opens the inspector) */
    HOT_TOKEN,     /* an input token */
    HOT_BUTTON,    /* a clickable control: id */
    HOT_BAR,       /* a prediction bar: unit = class */
    HOT_DIAGRAM,   /* a box of the cell diagram (inert; tests check the layout): unit = its index */
} HotKind;

typedef struct {
    Box box;
    HotKind kind;
    short layer, dir, t, vec; /* vec: a VecKind of the views */
    int unit;                 /* unit index, class, or button id */
    short model;              /* which of the document's models */
    short grid_cols, grid_cell; /* grid_cell > 0: a grid of squares of that size,
                                   grid_cols wide; render_hot_at gives the unit
                                   under the point (unit + row * grid_cols + col) */
} Hot;

#define RENDER_MAX_TEXT_BOXES 4096
#define RENDER_MAX_HOT 65536
#define RENDER_TEXT_CACHE 2048
/* Pixels the cached strings may hold in all (4 bytes each, more in a GPU
 * driver's tiles): a frame of text at 1920x1080 takes about 0.25 M, so
 * this keeps the last few frames' strings; a frame that needs more keeps
 * its own (only older ones go). */
#define RENDER_TEXT_CACHE_PIXELS ((size_t)1 << 20)

typedef struct RenderCache RenderCache;

/* cut helper: a line drawn this frame, recorded for the layout tests (an
 * arrow's head is recorded as a line as thick as the head is wide) */
typedef struct {
    float x0, y0, x1, y1, thickness;
} RenderLine;
#define RENDER_MAX_LINES 4096

typedef struct {
    SDL_Renderer *sdl;
    int width, height;          /* drawable size in pixels */
    RenderCache *cache;
    /* recorded this frame */
    Box text_boxes[RENDER_MAX_TEXT_BOXES];
    int n_text_boxes;
    Hot hot[RENDER_MAX_HOT];
    int n_hot;
    RenderLine lines[RENDER_MAX_LINES]; /* cut helper: the first RENDER_MAX_LINES lines */
    int n_lines;
    float *scratch;             /* grow-only working floats for the views (never per frame) */
    size_t scratch_cap;
    unsigned long frame;
} Render;

/* Finds the fonts (UNROLL_FONT_DIR, then Debian's DejaVu folder) and opens
 * the string cache. err names what is missing. */
bool render_init(Render *r, SDL_Renderer *sdl, Err *err);
void render_free(Render *r);
/* [inst] The SDL2_ttf unroll runs with (linked) and was built against. */
void render_ttf_versions(SDL_version *linked, SDL_version *built);

/* Starts a frame: clears the recorded boxes and hot regions, reads the
 * output size, fills the background. */
void render_begin(Render *r, Color background);
void render_end(Render *r);

void render_fill(Render *r, Box b, Color c);
/* Many squares of different colours at once (one call per colour run). */
void render_outline(Render *r, Box b, Color c, int thickness);
void render_line(Render *r, float x0, float y0, float x1, float y1, Color c, float thickness);
void render_triangle(Render *r, float x0, float y0, float x1, float y1, float x2, float y2, Color c);
/* A line with an arrow head at (x1, y1). */
void render_arrow(Render *r, float x0, float y0, float x1, float y1, Color c, float thickness, float head);
void render_circle(Render *r, float cx, float cy, float radius, Color c, bool filled);

/* Draws UTF-8 text with its top-left (or top-centre/top-right by align) at
 * (x, y) in a font of px pixels; returns the box it took. Text clipped by
 * the current clip is still recorded with its full box. */
Box render_text(Render *r, int x, int y, const char *s, int px, FontStyle style, Color c, Align align);
/* Height of a line of text in a font of px pixels (what render_text's box
 * height will be). */
int render_line_height(Render *r, int px, FontStyle style);
/* Size of text without drawing it. */
void render_text_size(Render *r, const char *s, int px, FontStyle style, int *w, int *h);
/* Cuts s (in place, into buf) with an ellipsis so it fits max_w. */
const char *render_fit_text(Render *r, const char *s, int px, FontStyle style, int max_w, char *buf, size_t cap);

/* Pixels the string cache holds now (at most RENDER_TEXT_CACHE_PIXELS
 * beyond what the current frame uses). */
size_t render_cache_pixels(const Render *r);

void render_clip_push(Render *r, Box b);
void render_clip_pop(Render *r);

/* At least n floats of working space, kept across frames: it grows only
 * when a bigger cell is drawn than any before. */
float *render_scratch(Render *r, size_t n);

/* Registers a hot region; returns it (or NULL when full, or when the region
 * is not wholly inside the current clip) so a caller can set its fields. */
Hot *render_hot(Render *r, Box b, HotKind kind);
/* The topmost hot region at (x, y), or NULL. */
bool render_hot_at(const Render *r, int x, int y, Hot *out);

/* Squares of `cell` pixels, `cols` to a row, from (x, y): n colours in row
 * order, drawn as one scaled image instead of n fills (for squares too small
 * for gaps, the 512-unit strips of big models). Returns false, drawing
 * nothing, when it cannot (more than RENDER_GRID_MAX squares, or this
 * frame's images used up): the caller then fills squares itself. */
#define RENDER_GRID_MAX 4096
#define RENDER_GRID_IMAGES 512
bool render_grid(Render *r, int x, int y, int cell, int cols, const Color *colors, int n);
/* A colour buffer of at least RENDER_GRID_MAX entries for render_grid. */
Color *render_grid_colors(Render *r);

static inline bool box_contains(Box b, int x, int y)
{
    return x >= b.x && y >= b.y && x < b.x + b.w && y < b.y + b.h;
}

static inline bool box_overlap(Box a, Box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

#endif
