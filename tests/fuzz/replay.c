/* replay: runs every file of the corpus folders (or files) given on the
 * command line through one fuzz harness, for builds without libFuzzer: the
 * corpus, crashes found by fuzzing included, stays a normal test. Fails
 * when a harness check fails (it aborts) or when there is nothing to run.
 * Files are taken in name order, so a failure is reproducible. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static FILE *out;

static int run_file(const char *path)
{
    Err err = {{0}};
    size_t len = 0;
    char *data = base_read_file(path, (size_t)64 << 20, &len, &err);
    if (!data) {
        fprintf(out, "replay: %s\n", err.msg);
        exit(1);
    }
    fprintf(out, "%s\n", path);
    fflush(out);
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    free(data);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(out, "replay: %s does not exist\n", path);
        exit(1);
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, by_name), count = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", path, names[i]->d_name);
            count += run_path(p);
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    /* a harness may silence stdout and stderr: report on a copy of stderr */
    out = fdopen(dup(2), "w");
    int count = 0;
    for (int i = 1; i < argc; i++) count += run_path(argv[i]);
    fprintf(out, "replay: %d inputs, no failed check\n", count);
    return count > 0 ? 0 : 1;
}
