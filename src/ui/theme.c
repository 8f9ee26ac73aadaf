/* theme: colours and the value colour map. */
#include "theme.h"

#include <math.h>

/* Paul Tol, "sunset" diverging scheme (11 stops), colour-blind safe */
static const Color SUNSET[11] = {
    {0x36, 0x4B, 0x9A, 255}, {0x4A, 0x7B, 0xB7, 255}, {0x6E, 0xA6, 0xCD, 255}, {0x98, 0xCA, 0xE1, 255},
    {0xC2, 0xE4, 0xEF, 255}, {0xEA, 0xEC, 0xCC, 255}, {0xFE, 0xDA, 0x8B, 255}, {0xFD, 0xB3, 0x66, 255},
    {0xF6, 0x7E, 0x4B, 255}, {0xDD, 0x3D, 0x2D, 255}, {0xA5, 0x00, 0x26, 255},
};

static Color lerp(Color a, Color b, float t)
{
    return (Color){(Uint8)lroundf(a.r + (b.r - a.r) * t), (Uint8)lroundf(a.g + (b.g - a.g) * t),
                   (Uint8)lroundf(a.b + (b.b - a.b) * t), 255};
}

static Color map01(float u)
{
    if (!(u >= 0.0f)) u = 0.0f; /* NaN too */
    if (u > 1.0f) u = 1.0f;
    float x = u * 10.0f;
    int i = (int)x;
    if (i >= 10) return SUNSET[10];
    return lerp(SUNSET[i], SUNSET[i + 1], x - (float)i);
}

Color colormap(float v, float range)
{
    if (range <= 0.0f) range = 1.0f;
    return map01(0.5f + 0.5f * v / range);
}

Color colormap_unit(float v)
{
    return map01(0.5f + 0.5f * v);
}

Color color_mix(Color c, Color bg, float a)
{
    Color m = lerp(c, bg, a);
    m.a = c.a;
    return m;
}

void theme_get(Theme *t, bool dark, bool hc)
{
    *t = (Theme){0};
    t->dark = dark;
    if (!dark) {
        t->bg = (Color){0xFA, 0xFA, 0xF7, 255};
        t->panel = (Color){0xFF, 0xFF, 0xFF, 255};
        t->panel_edge = (Color){0xC9, 0xCC, 0xD1, 255};
        t->text = (Color){0x1B, 0x1F, 0x27, 255};
        t->text_dim = (Color){0x5C, 0x63, 0x70, 255};
        t->accent = (Color){0x00, 0x5F, 0xB8, 255};
        t->accent_text = (Color){0xFF, 0xFF, 0xFF, 255};
        t->highlight = (Color){0x00, 0x5F, 0xB8, 255};
        t->faint = (Color){0xE6, 0xE8, 0xEC, 255};
        t->grid = (Color){0xE2, 0xE4, 0xE8, 255};
        t->arrow = (Color){0x4B, 0x55, 0x63, 255};
        t->arrow_c = (Color){0x8B, 0x3D, 0x00, 255};
        t->mask = (Color){0xB8, 0xBC, 0xC4, 255};
        t->oov = (Color){0xB0, 0x1E, 0x1E, 255};
        t->bar = (Color){0x6E, 0xA6, 0xCD, 255};
        t->bar_top = (Color){0x00, 0x5F, 0xB8, 255};
        t->good = (Color){0x1B, 0x7F, 0x3B, 255};
        t->bad = (Color){0xB0, 0x1E, 0x1E, 255};
        t->tooltip_bg = (Color){0x1B, 0x1F, 0x27, 245};
        t->tooltip_text = (Color){0xFF, 0xFF, 0xFF, 255};
    } else {
        t->bg = (Color){0x16, 0x19, 0x1F, 255};
        t->panel = (Color){0x20, 0x24, 0x2C, 255};
        t->panel_edge = (Color){0x3A, 0x40, 0x4C, 255};
        t->text = (Color){0xEC, 0xEE, 0xF2, 255};
        t->text_dim = (Color){0xA3, 0xAA, 0xB6, 255};
        t->accent = (Color){0x5B, 0xB4, 0xFF, 255};
        t->accent_text = (Color){0x0B, 0x0D, 0x12, 255};
        t->highlight = (Color){0x7F, 0xC8, 0xFF, 255};
        t->faint = (Color){0x2A, 0x2F, 0x38, 255};
        t->grid = (Color){0x2C, 0x31, 0x3A, 255};
        t->arrow = (Color){0xB4, 0xBB, 0xC6, 255};
        t->arrow_c = (Color){0xFF, 0xB3, 0x66, 255};
        t->mask = (Color){0x4A, 0x50, 0x5C, 255};
        t->oov = (Color){0xFF, 0x7A, 0x7A, 255};
        t->bar = (Color){0x4A, 0x7B, 0xB7, 255};
        t->bar_top = (Color){0x5B, 0xB4, 0xFF, 255};
        t->good = (Color){0x6B, 0xD6, 0x8B, 255};
        t->bad = (Color){0xFF, 0x7A, 0x7A, 255};
        t->tooltip_bg = (Color){0xEC, 0xEE, 0xF2, 245};
        t->tooltip_text = (Color){0x0B, 0x0D, 0x12, 255};
    }
    if (hc) {
        /* presenter mode: pure background and text, stronger lines */
        t->bg = dark ? (Color){0, 0, 0, 255} : (Color){255, 255, 255, 255};
        t->text = dark ? (Color){255, 255, 255, 255} : (Color){0, 0, 0, 255};
        t->text_dim = dark ? (Color){0xD0, 0xD0, 0xD0, 255} : (Color){0x30, 0x30, 0x30, 255};
        t->arrow = t->text;
        t->panel_edge = t->text_dim;
    }
}
