/* keras_path: which paths name Keras' own files, in every build (with or
 * without the libraries that read them: keras_io.c, keras_off.c). */
#include <ctype.h>
#include <string.h>

#include "keras_io.h"

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)s[n - k + i]) != tolower((unsigned char)suffix[i])) return false;
    return true;
}

bool keras_is_keras_path(const char *path)
{
    return path && ends_with_ci(path, ".keras");
}

bool keras_is_path(const char *path)
{
    return path && (ends_with_ci(path, ".keras") || ends_with_ci(path, ".h5"));
}
