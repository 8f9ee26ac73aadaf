/* render: SDL2 + SDL2_ttf drawing, fonts and the string cache. */
#include "render.h"

#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIZES 24

typedef struct {
    unsigned long hash;
    int px;
    FontStyle style;
    Color color;
    char *text;
    SDL_Texture *tex;
    int w, h;
    unsigned long used;   /* frame last used, for eviction */
} CacheEntry;

struct RenderCache {
    char font_path[FONT_COUNT][512];
    struct {
        int px;
        FontStyle style;
        TTF_Font *font;
    } fonts[MAX_SIZES * FONT_COUNT];
    int n_fonts;
    CacheEntry entries[RENDER_TEXT_CACHE];
    size_t pixels;        /* sum of w * h over the entries */
    Box clip_stack[16];
    int n_clip;
    /* render_grid: one small streaming image per grid drawn this frame
     * (each is updated once a frame, so drawing never waits on another) */
    SDL_Texture *grid[RENDER_GRID_IMAGES];
    int grid_w[RENDER_GRID_IMAGES], grid_h[RENDER_GRID_IMAGES]; /* each image's size */
    int n_grid;           /* used this frame */
    Uint32 grid_pixels[RENDER_GRID_MAX];
    Color grid_colors[RENDER_GRID_MAX];
};

static const char *const FONT_FILES[FONT_COUNT] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"};

static bool file_exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f) fclose(f);
    return f != NULL;
}

bool render_init(Render *r, SDL_Renderer *sdl, Err *err)
{
    memset(r, 0, sizeof *r);
    r->sdl = sdl;
    r->cache = xcalloc(1, sizeof *r->cache);
    if (!TTF_WasInit() && TTF_Init() != 0) {
        err_set(err, "cannot start SDL_ttf: %s", TTF_GetError());
        goto fail;
    }
    const char *env = getenv("UNROLL_FONT_DIR");
    static const char *const dirs[] = {"/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
                                       "/usr/share/fonts/TTF", "/usr/local/share/fonts"};
    for (int s = 0; s < FONT_COUNT; s++) {
        bool found = false;
        if (env) {
            snprintf(r->cache->font_path[s], sizeof r->cache->font_path[s], "%s/%s", env, FONT_FILES[s]);
            found = file_exists(r->cache->font_path[s]);
        }
        for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !found; d++) {
            snprintf(r->cache->font_path[s], sizeof r->cache->font_path[s], "%s/%s", dirs[d], FONT_FILES[s]);
            found = file_exists(r->cache->font_path[s]);
        }
        if (!found && s > 0) {
            /* bold and mono fall back to the regular face */
            memcpy(r->cache->font_path[s], r->cache->font_path[0], sizeof r->cache->font_path[s]);
            found = true;
        }
        if (!found) {
            err_set(err, "the DejaVu fonts are missing (%s); install fonts-dejavu-core", FONT_FILES[s]);
            goto fail;
        }
    }
    SDL_SetRenderDrawBlendMode(sdl, SDL_BLENDMODE_BLEND);
    return true;
fail:
    free(r->cache);
    r->cache = NULL;
    return false;
}

void render_ttf_versions(SDL_version *linked, SDL_version *built)
{
    *linked = *TTF_Linked_Version();
    SDL_TTF_VERSION(built);
}

void render_free(Render *r)
{
    if (!r->cache) return;
    for (int i = 0; i < RENDER_TEXT_CACHE; i++) {
        if (r->cache->entries[i].tex) SDL_DestroyTexture(r->cache->entries[i].tex);
        free(r->cache->entries[i].text);
    }
    for (int i = 0; i < r->cache->n_fonts; i++) TTF_CloseFont(r->cache->fonts[i].font);
    for (int i = 0; i < RENDER_GRID_IMAGES; i++)
        if (r->cache->grid[i]) SDL_DestroyTexture(r->cache->grid[i]);
    free(r->cache);
    r->cache = NULL;
    free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
}

static void entry_drop(RenderCache *cc, CacheEntry *e)
{
    if (e->tex) SDL_DestroyTexture(e->tex);
    free(e->text);
    cc->pixels -= (size_t)e->w * (size_t)e->h;
    memset(e, 0, sizeof *e);
}

static TTF_Font *font_for(Render *r, int px, FontStyle style)
{
    RenderCache *c = r->cache;
    if (px < 6) px = 6;
    if (px > 400) px = 400;
    for (int i = 0; i < c->n_fonts; i++)
        if (c->fonts[i].px == px && c->fonts[i].style == style) return c->fonts[i].font;
    if (c->n_fonts == MAX_SIZES * FONT_COUNT) {
        /* full: drop every font and every cached string rendered with them */
        for (int i = 0; i < RENDER_TEXT_CACHE; i++) entry_drop(c, &c->entries[i]);
        for (int i = 0; i < c->n_fonts; i++) TTF_CloseFont(c->fonts[i].font);
        c->n_fonts = 0;
    }
    TTF_Font *f = TTF_OpenFont(c->font_path[style], px);
    if (!f) return NULL;
    c->fonts[c->n_fonts].px = px;
    c->fonts[c->n_fonts].style = style;
    c->fonts[c->n_fonts].font = f;
    c->n_fonts++;
    return f;
}

void render_begin(Render *r, Color bg)
{
    r->frame++;
    r->n_text_boxes = 0;
    r->n_hot = 0;
    r->n_lines = 0;
    r->cache->n_clip = 0;
    r->cache->n_grid = 0;
    SDL_RenderSetClipRect(r->sdl, NULL);
    SDL_GetRendererOutputSize(r->sdl, &r->width, &r->height);
    SDL_SetRenderDrawColor(r->sdl, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r->sdl);
}

void render_end(Render *r)
{
    (void)r;
}

/* Opaque colours are drawn without blending: the software renderer fills
 * them with plain stores, several times faster than blended fills. */
static void set_color(Render *r, Color c)
{
    SDL_BlendMode want = c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND;
    SDL_BlendMode have = SDL_BLENDMODE_NONE;
    SDL_GetRenderDrawBlendMode(r->sdl, &have);
    if (have != want) SDL_SetRenderDrawBlendMode(r->sdl, want);
    SDL_SetRenderDrawColor(r->sdl, c.r, c.g, c.b, c.a);
}

void render_fill(Render *r, Box b, Color c)
{
    if (b.w <= 0 || b.h <= 0) return;
    set_color(r, c);
    SDL_Rect rc = {b.x, b.y, b.w, b.h};
    SDL_RenderFillRect(r->sdl, &rc);
}

void render_outline(Render *r, Box b, Color c, int t)
{
    if (t < 1) t = 1;
    render_fill(r, (Box){b.x, b.y, b.w, t}, c);
    render_fill(r, (Box){b.x, b.y + b.h - t, b.w, t}, c);
    render_fill(r, (Box){b.x, b.y + t, t, b.h - 2 * t}, c);
    render_fill(r, (Box){b.x + b.w - t, b.y + t, t, b.h - 2 * t}, c);
}

void render_triangle(Render *r, float x0, float y0, float x1, float y1, float x2, float y2, Color c)
{
    SDL_Color sc = {c.r, c.g, c.b, c.a};
    SDL_Vertex v[3] = {{{x0, y0}, sc, {0, 0}}, {{x1, y1}, sc, {0, 0}}, {{x2, y2}, sc, {0, 0}}};
    SDL_RenderGeometry(r->sdl, NULL, v, 3, NULL, 0);
}

void render_line(Render *r, float x0, float y0, float x1, float y1, Color c, float t)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f) return;
    if (r->n_lines < RENDER_MAX_LINES) r->lines[r->n_lines++] = (RenderLine){x0, y0, x1, y1, t};
    if (t <= 1.0f) {
        set_color(r, c);
        SDL_RenderDrawLineF(r->sdl, x0, y0, x1, y1);
        return;
    }
    /* a quad of width t */
    float nx = -dy / len * t * 0.5f, ny = dx / len * t * 0.5f;
    render_triangle(r, x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, c);
    render_triangle(r, x0 + nx, y0 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny, c);
}

void render_arrow(Render *r, float x0, float y0, float x1, float y1, Color c, float t, float head)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1e-3f) return;
    float ux = dx / len, uy = dy / len;
    float bx = x1 - ux * head, by = y1 - uy * head;
    render_line(r, x0, y0, bx, by, c, t);
    render_triangle(r, x1, y1, bx - uy * head * 0.55f, by + ux * head * 0.55f, bx + uy * head * 0.55f,
                    by - ux * head * 0.55f, c);
    if (r->n_lines < RENDER_MAX_LINES) r->lines[r->n_lines++] = (RenderLine){bx, by, x1, y1, head * 1.1f};
}

void render_circle(Render *r, float cx, float cy, float rad, Color c, bool filled)
{
    const int n = 28;
    for (int i = 0; i < n; i++) {
        float a0 = (float)i / n * 6.2831853f, a1 = (float)(i + 1) / n * 6.2831853f;
        float x0 = cx + rad * cosf(a0), y0 = cy + rad * sinf(a0), x1 = cx + rad * cosf(a1), y1 = cy + rad * sinf(a1);
        if (filled) render_triangle(r, cx, cy, x0, y0, x1, y1, c);
        else render_line(r, x0, y0, x1, y1, c, 2.0f);
    }
}

static unsigned long hash_str(const char *s, int px, FontStyle style, Color c)
{
    unsigned long h = 5381;
    for (; *s; s++) h = h * 33 ^ (unsigned char)*s;
    h = h * 33 ^ (unsigned long)px;
    h = h * 33 ^ (unsigned long)style;
    h = h * 33 ^ ((unsigned long)c.r << 24 | (unsigned long)c.g << 16 | (unsigned long)c.b << 8 | c.a);
    return h;
}

/* Over the pixel budget: the least recently used strings go, except those
 * of this frame. */
static void cache_trim(Render *r)
{
    RenderCache *cc = r->cache;
    while (cc->pixels > RENDER_TEXT_CACHE_PIXELS) {
        int victim = -1;
        for (int i = 0; i < RENDER_TEXT_CACHE; i++) {
            const CacheEntry *e = &cc->entries[i];
            if (e->text && e->used < r->frame && (victim < 0 || e->used < cc->entries[victim].used)) victim = i;
        }
        if (victim < 0) return;
        entry_drop(cc, &cc->entries[victim]);
    }
}

static CacheEntry *cached(Render *r, const char *s, int px, FontStyle style, Color c)
{
    RenderCache *cc = r->cache;
    unsigned long h = hash_str(s, px, style, c);
    int slot = (int)(h % RENDER_TEXT_CACHE);
    /* a small probe window; the least recently used entry in it is replaced */
    int victim = slot;
    for (int k = 0; k < 8; k++) {
        CacheEntry *e = &cc->entries[(slot + k) % RENDER_TEXT_CACHE];
        if (e->text && e->hash == h && e->px == px && e->style == style && memcmp(&e->color, &c, sizeof c) == 0 &&
            strcmp(e->text, s) == 0) {
            e->used = r->frame;
            return e;
        }
        if (!e->text || e->used < cc->entries[victim].used) victim = (slot + k) % RENDER_TEXT_CACHE;
    }
    TTF_Font *f = font_for(r, px, style);
    if (!f) return NULL;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, (SDL_Color){c.r, c.g, c.b, c.a});
    if (!surf) return NULL;
    CacheEntry *e = &cc->entries[victim];
    entry_drop(cc, e);
    e->tex = SDL_CreateTextureFromSurface(r->sdl, surf);
    e->w = surf->w;
    e->h = surf->h;
    cc->pixels += (size_t)e->w * (size_t)e->h;
    SDL_FreeSurface(surf);
    e->text = xstrdup(s);
    e->hash = h;
    e->px = px;
    e->style = style;
    e->color = c;
    e->used = r->frame;
    cache_trim(r);
    return e;
}

size_t render_cache_pixels(const Render *r)
{
    return r->cache ? r->cache->pixels : 0;
}

int render_line_height(Render *r, int px, FontStyle style)
{
    TTF_Font *f = font_for(r, px, style);
    if (!f) return px;
    int h = TTF_FontHeight(f), skip = TTF_FontLineSkip(f);
    return (skip > h ? skip : h) + 1;
}

void render_text_size(Render *r, const char *s, int px, FontStyle style, int *w, int *h)
{
    TTF_Font *f = font_for(r, px, style);
    int tw = 0, th = 0;
    if (f && *s) TTF_SizeUTF8(f, s, &tw, &th);
    if (f && !*s) th = TTF_FontHeight(f);
    if (w) *w = tw;
    if (h) *h = th;
}

Box render_text(Render *r, int x, int y, const char *s, int px, FontStyle style, Color c, Align align)
{
    Box b = {x, y, 0, 0};
    if (!s || !*s) return b;
    CacheEntry *e = cached(r, s, px, style, c);
    if (!e) return b;
    b.w = e->w;
    b.h = e->h;
    if (align == ALIGN_CENTER) b.x -= e->w / 2;
    if (align == ALIGN_RIGHT) b.x -= e->w;
    SDL_Rect dst = {b.x, b.y, b.w, b.h};
    SDL_RenderCopy(r->sdl, e->tex, NULL, &dst);
    if (r->n_text_boxes < RENDER_MAX_TEXT_BOXES) r->text_boxes[r->n_text_boxes++] = b;
    return b;
}

const char *render_fit_text(Render *r, const char *s, int px, FontStyle style, int max_w, char *buf, size_t cap)
{
    int w = 0;
    render_text_size(r, s, px, style, &w, NULL);
    if (w <= max_w) return s;
    size_t n = strlen(s);
    if (n + 4 > cap) n = cap - 4;
    while (n > 0) {
        /* step back over UTF-8 continuation bytes */
        n--;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        memcpy(buf, s, n);
        memcpy(buf + n, "\xE2\x80\xA6", 4); /* … */
        render_text_size(r, buf, px, style, &w, NULL);
        if (w <= max_w) return buf;
    }
    buf[0] = '\0';
    return buf;
}

void render_clip_push(Render *r, Box b)
{
    RenderCache *c = r->cache;
    if (c->n_clip < 16) c->clip_stack[c->n_clip++] = b;
    SDL_Rect rc = {b.x, b.y, b.w, b.h};
    SDL_RenderSetClipRect(r->sdl, &rc);
}

void render_clip_pop(Render *r)
{
    RenderCache *c = r->cache;
    if (c->n_clip > 0) c->n_clip--;
    if (c->n_clip == 0) {
        SDL_RenderSetClipRect(r->sdl, NULL);
    } else {
        Box b = c->clip_stack[c->n_clip - 1];
        SDL_Rect rc = {b.x, b.y, b.w, b.h};
        SDL_RenderSetClipRect(r->sdl, &rc);
    }
}

float *render_scratch(Render *r, size_t n)
{
    if (n > r->scratch_cap) {
        r->scratch = xrealloc(r->scratch, n * sizeof *r->scratch);
        r->scratch_cap = n;
    }
    return r->scratch;
}

Hot *render_hot(Render *r, Box b, HotKind kind)
{
    if (r->n_hot >= RENDER_MAX_HOT) return NULL;
    /* what the clip hides (steps scrolled away) cannot be pointed at */
    const RenderCache *c = r->cache;
    if (c->n_clip > 0) {
        Box k = c->clip_stack[c->n_clip - 1];
        if (b.x < k.x || b.y < k.y || b.x + b.w > k.x + k.w || b.y + b.h > k.y + k.h) return NULL;
    }
    Hot *h = &r->hot[r->n_hot++];
    memset(h, 0, sizeof *h);
    h->box = b;
    h->kind = kind;
    return h;
}

bool render_hot_at(const Render *r, int x, int y, Hot *out)
{
    for (int i = r->n_hot - 1; i >= 0; i--) {
        const Hot *h = &r->hot[i];
        if (!box_contains(h->box, x, y)) continue;
        *out = *h;
        if (h->grid_cell > 0) {
            int col = (x - h->box.x) / h->grid_cell, row = (y - h->box.y) / h->grid_cell;
            out->unit = h->unit + row * h->grid_cols + col;
            out->box = (Box){h->box.x + col * h->grid_cell, h->box.y + row * h->grid_cell, h->grid_cell, h->grid_cell};
            out->grid_cell = 0;
        }
        return true;
    }
    return false;
}

Color *render_grid_colors(Render *r)
{
    return r->cache->grid_colors;
}

bool render_grid(Render *r, int x, int y, int cell, int cols, const Color *colors, int n)
{
    RenderCache *c = r->cache;
    if (n <= 0 || n > RENDER_GRID_MAX || cols < 1 || cell < 1 || c->n_grid >= RENDER_GRID_IMAGES) return false;
    int rows = (n + cols - 1) / cols, k = c->n_grid;
    /* the k-th grid of a frame is usually the k-th of the last one, so
     * its image is made again only when the layout changes */
    SDL_Texture **tex = &c->grid[k];
    if (*tex && (c->grid_w[k] != cols || c->grid_h[k] != rows)) {
        SDL_DestroyTexture(*tex);
        *tex = NULL;
    }
    if (!*tex) {
        *tex = SDL_CreateTexture(r->sdl, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, cols, rows);
        if (!*tex) return false;
        SDL_SetTextureBlendMode(*tex, SDL_BLENDMODE_NONE);
        SDL_SetTextureScaleMode(*tex, SDL_ScaleModeNearest);
        c->grid_w[k] = cols;
        c->grid_h[k] = rows;
    }
    c->n_grid++;
    for (int q = 0; q < n; q++)
        c->grid_pixels[q] = 0xFF000000u | (Uint32)colors[q].r << 16 | (Uint32)colors[q].g << 8 | colors[q].b;
    SDL_Rect all = {0, 0, cols, rows};
    SDL_UpdateTexture(*tex, &all, c->grid_pixels, cols * (int)sizeof(Uint32));
    int full = n / cols, rest = n % cols;
    if (full > 0) {
        SDL_Rect src = {0, 0, cols, full}, dst = {x, y, cols * cell, full * cell};
        SDL_RenderCopy(r->sdl, *tex, &src, &dst);
    }
    if (rest > 0) { /* the last, shorter row */
        SDL_Rect src = {0, full, rest, 1}, dst = {x, y + full * cell, rest * cell, cell};
        SDL_RenderCopy(r->sdl, *tex, &src, &dst);
    }
    return true;
}
