/* app_field: the input bar's text editing, as in any text field: a cursor
 * and a selection over UTF-8 text; Enter on the bar selects the whole
 * sentence so that typing replaces it. Knows nothing of the App or of
 * drawing. Depends on SDL2's key codes. */
#include <stdio.h>
#include <string.h>

#include "app.h"

static int len_of(const TextField *f)
{
    return (int)strlen(f->text);
}

/* the start of the character before / after byte offset i */
static int prev_char(const TextField *f, int i)
{
    if (i <= 0) return 0;
    i--;
    while (i > 0 && ((unsigned char)f->text[i] & 0xC0) == 0x80) i--;
    return i;
}

static int next_char(const TextField *f, int i)
{
    int n = len_of(f);
    if (i >= n) return n;
    i++;
    while (i < n && ((unsigned char)f->text[i] & 0xC0) == 0x80) i++;
    return i;
}

void field_selection(const TextField *f, int *from, int *to)
{
    *from = f->anchor < f->cursor ? f->anchor : f->cursor;
    *to = f->anchor < f->cursor ? f->cursor : f->anchor;
}

void field_begin(TextField *f, const char *text)
{
    snprintf(f->text, sizeof f->text, "%s", text);
    /* never leave half a character at the end */
    int n = len_of(f);
    while (n > 0 && ((unsigned char)f->text[n - 1] & 0x80)) {
        int start = prev_char(f, n);
        unsigned char lead = (unsigned char)f->text[start];
        int want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (n - start == want) break;
        n = start;
    }
    f->text[n] = '\0';
    f->anchor = 0;
    f->cursor = n;
}

static void delete_range(TextField *f, int from, int to)
{
    int n = len_of(f);
    memmove(f->text + from, f->text + to, (size_t)(n - to) + 1);
    f->cursor = f->anchor = from;
}

void field_insert(TextField *f, const char *s)
{
    int from = 0, to = 0;
    field_selection(f, &from, &to);
    delete_range(f, from, to);
    int n = len_of(f), k = (int)strlen(s);
    int room = (int)sizeof f->text - 1 - n;
    if (k > room) {
        /* cut at a character boundary */
        k = room;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    }
    if (k <= 0) return;
    memmove(f->text + f->cursor + k, f->text + f->cursor, (size_t)(n - f->cursor) + 1);
    memcpy(f->text + f->cursor, s, (size_t)k);
    f->cursor += k;
    f->anchor = f->cursor;
}

bool field_key(TextField *f, SDL_Keycode key, Uint16 mod)
{
    bool shift = (mod & KMOD_SHIFT) != 0, ctrl = (mod & KMOD_CTRL) != 0;
    int from = 0, to = 0, n = len_of(f);
    field_selection(f, &from, &to);
    switch (key) {
    case SDLK_LEFT:
    case SDLK_RIGHT:
        if (!shift && from != to) {
            /* an arrow ends a selection at its edge */
            f->cursor = key == SDLK_LEFT ? from : to;
        } else {
            f->cursor = key == SDLK_LEFT ? prev_char(f, f->cursor) : next_char(f, f->cursor);
        }
        if (!shift) f->anchor = f->cursor;
        return true;
    case SDLK_HOME:
    case SDLK_END:
        f->cursor = key == SDLK_HOME ? 0 : n;
        if (!shift) f->anchor = f->cursor;
        return true;
    case SDLK_a:
        if (!ctrl) return false;
        f->anchor = 0;
        f->cursor = n;
        return true;
    case SDLK_u:
        if (!ctrl) return false;
        f->text[0] = '\0';
        f->cursor = f->anchor = 0;
        return true;
    case SDLK_BACKSPACE:
        if (from != to) delete_range(f, from, to);
        else if (f->cursor > 0) delete_range(f, prev_char(f, f->cursor), f->cursor);
        return true;
    case SDLK_DELETE:
        if (from != to) delete_range(f, from, to);
        else if (f->cursor < n) delete_range(f, f->cursor, next_char(f, f->cursor));
        return true;
    default:
        return false;
    }
}
