/* theme: the colours of the window, light and dark, a high-contrast variant
 * for presenter mode, and the diverging colour map for values. The map is
 * Paul Tol's "sunset" (colour-blind safe): blue for negative, pale yellow
 * near zero, red for positive. Depends on render.h (Color). */
#ifndef UNROLL_THEME_H
#define UNROLL_THEME_H

#include "render.h"

typedef struct {
    bool dark;
    Color bg, panel, panel_edge, text, text_dim, accent, accent_text, highlight, faint, grid, arrow, arrow_c, mask,
        oov, bar, bar_top, good, bad, tooltip_bg, tooltip_text;
} Theme;

void theme_get(Theme *t, bool dark, bool high_contrast);

/* The colour of value v on a symmetric range [-range, range] (clamped). */
Color colormap(float v, float range);
/* The colour of a value in [0, 1] (gates): the upper half of the map, from
 * the pale middle (0) to the red end (1). */
Color colormap_unit(float v);

/* c blended toward bg by amount (0 = c, 1 = bg). */
Color color_mix(Color c, Color bg, float amount);

#endif
