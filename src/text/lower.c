/* lower: the two lowercasings Keras uses (text.h), and the names of
 * TextVectorization's modes. Python's str.lower() comes from libunistring
 * (u8_tolower: Unicode's full case mapping with SpecialCasing's context
 * rules, here only Final_Sigma, since no language is given); no table is
 * written by hand. Depends on base and libunistring. */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>

#include "text.h"

void text_lower_ascii(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] - 'A' + 'a');
}

/* Appends u8_tolower of the well-formed UTF-8 run s[0..n), which holds no
 * capital sigma, to b. */
static void lower_plain(StrBuf *b, const char *s, size_t n)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) ascii = (unsigned char)s[i] < 0x80;
    if (ascii) {
        size_t at = b->len;
        strbuf_put(b, s, n);
        text_lower_ascii(b->p + at, n);
        return;
    }
    size_t len = 0;
    uint8_t *low = u8_tolower((const uint8_t *)s, n, NULL, NULL, NULL, &len);
    /* u8_tolower fails only on invalid input (never: the run is checked)
     * or when memory runs out, which is fatal as everywhere (base.h) */
    UNROLL_ASSERT(low != NULL);
    strbuf_put(b, (const char *)low, len);
    free(low);
}

#define SIGMA_UTF8 "\xcf\x83"       /* U+03C3 */
#define FINAL_SIGMA_UTF8 "\xcf\x82" /* U+03C2 */

/* The code point that ends before s[end] (end > 0, well-formed text). */
static uint32_t cp_before(const char *s, size_t end, size_t *start)
{
    size_t i = end - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
    uint32_t cp = 0;
    text_utf8_decode(s + i, end - i, &cp);
    *start = i;
    return cp;
}

/* Unicode's Final_Sigma condition for the capital sigma at s[at..at+2), as
 * Python's str.lower() tests it (handle_capital_sigma): skipping
 * case-ignorable characters, a cased letter comes before it and none after.
 * The properties are libunistring's (DerivedCoreProperties). */
static bool final_sigma(const char *s, size_t n, size_t at)
{
    size_t i = at;
    bool cased_before = false;
    while (i > 0) {
        uint32_t cp = cp_before(s, i, &i);
        if (uc_is_property_case_ignorable(cp)) continue;
        cased_before = uc_is_property_cased(cp);
        break;
    }
    if (!cased_before) return false;
    i = at + 2;
    while (i < n) {
        uint32_t cp = 0;
        int len = text_utf8_decode(s + i, n - i, &cp);
        i += (size_t)len;
        if (uc_is_property_case_ignorable(cp)) continue;
        return !uc_is_property_cased(cp);
    }
    return true;
}

/* Appends Python's str.lower() of the well-formed UTF-8 run s[0..n) to b.
 * u8_tolower applies Final_Sigma too, but libunistring 1.0 does not treat
 * U+0027 (apostrophe, Case_Ignorable since Unicode 6.3) as case-ignorable
 * there: it lowers "ΑΣ'Σ" to "ας'σ" where Python gives "ασ'ς". So every
 * capital sigma is decided here, and u8_tolower lowers the text between. */
static void lower_run(StrBuf *b, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if ((unsigned char)s[i] != 0xCE || (unsigned char)s[i + 1] != 0xA3) continue; /* U+03A3 */
        lower_plain(b, s + from, i - from);
        strbuf_puts(b, final_sigma(s, n, i) ? FINAL_SIGMA_UTF8 : SIGMA_UTF8);
        from = i + 2;
        i++;
    }
    lower_plain(b, s + from, n - from);
}

char *text_lower_python(const char *s, size_t n, size_t *out_len)
{
    StrBuf b = {0};
    strbuf_put(&b, "", 0);
    size_t i = 0, run = 0; /* run: start of the well-formed bytes not yet lowered */
    while (i < n) {
        uint32_t cp = 0;
        int len = text_utf8_decode(s + i, n - i, &cp);
        if (len > 0) {
            i += (size_t)len;
            continue;
        }
        lower_run(&b, s + run, i - run);
        strbuf_put(&b, s + i, 1); /* a stray byte, unchanged */
        run = ++i;
    }
    lower_run(&b, s + run, n - run);
    if (out_len) *out_len = b.len;
    return b.p;
}

/* ---- TextVectorization's mode names --------------------------------------- */

static const char *const STD_NAMES[] = {NULL, "lower", "strip_punctuation", "lower_and_strip_punctuation"};
static const char *const SPLIT_NAMES[] = {NULL, "whitespace", "character"};

const char *text_standardize_name(TextStandardize m)
{
    return STD_NAMES[m];
}

bool text_standardize_parse(const char *name, TextStandardize *m)
{
    if (strcmp(name, "none") == 0) return *m = TEXT_STD_NONE, true;
    for (int k = 1; k < 4; k++)
        if (strcmp(name, STD_NAMES[k]) == 0) return *m = (TextStandardize)k, true;
    return false;
}

const char *text_split_name(TextSplitMode m)
{
    return SPLIT_NAMES[m];
}

bool text_split_parse(const char *name, TextSplitMode *m)
{
    if (strcmp(name, "none") == 0) return *m = TEXT_SPLIT_NONE, true;
    for (int k = 1; k < 3; k++)
        if (strcmp(name, SPLIT_NAMES[k]) == 0) return *m = (TextSplitMode)k, true;
    return false;
}
