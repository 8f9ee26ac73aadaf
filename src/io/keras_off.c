/* keras_off: keras_io.h in a build without libzip and libhdf5 (meson
 * -Dkeras=disabled; the browser build has both since web/build.sh builds
 * them for wasm). Keras files are still recognised by name,
 * so opening one says plainly why it cannot be read here instead of failing
 * as a folder that is not there. Both kinds need libhdf5: a .h5 is HDF5, and
 * a .keras zip keeps its weights in model.weights.h5. */
#include "keras_io.h"

static bool unsupported(const char *path, Err *err)
{
    if (keras_is_keras_path(path))
        return err_set(err, "%s: this build of unroll (without Keras support) reads no .keras files: their weights "
                            "(model.weights.h5 inside) are HDF5, and it has no libhdf5; open .keras files with "
                            "unroll built with libzip and libhdf5 (meson -Dkeras=enabled), or convert the model to a model.json "
                            "folder (tensorflowjs_converter)",
                       path);
    return err_set(err, "%s: this build of unroll (without Keras support) reads no .h5 files (HDF5: it has no libhdf5); "
                        "open .h5 files with unroll built with libhdf5 (meson -Dkeras=enabled), or convert the model to "
                        "a model.json folder (tensorflowjs_converter)",
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
