/* keras_off: keras_io.h in a build without libzip and libhdf5 (the browser
 * build, meson -Dkeras=disabled). Keras files are still recognised by name,
 * so opening one says plainly why it cannot be read here instead of failing
 * as a folder that is not there. */
#include "keras_io.h"

static bool unsupported(const char *path, Err *err)
{
    return err_set(err, "%s: this build of unroll reads no Keras files (it was built without libzip and libhdf5); "
                        "open the model in the desktop unroll, or convert it with tensorflowjs_converter",
                   path);
}

bool keras_load(Model *model, const char *path, Err *err)
{
    model_init(model);
    return unsupported(path, err);
}

bool keras_save(const Model *model, const char *path, const ExtraFile *extra, int n_extra, Err *err)
{
    (void)model, (void)extra, (void)n_extra;
    return unsupported(path, err);
}

char *keras_vocabulary_tokenizer(const char *path, Err *err)
{
    unsupported(path, err);
    return NULL;
}
