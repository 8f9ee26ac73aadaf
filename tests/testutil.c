/* testutil: see testutil.h. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool tu_close(double got, double want, double abs, double rel)
{
    if (isnan(got) || isnan(want)) return false;
    return fabs(got - want) <= abs + rel * fabs(want);
}

const char *tu_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("UNROLL_SOURCE_DIR");
    snprintf(buf, sizeof buf, "%s/tests/%s", root ? root : "..", rel);
    return buf;
}

char *tu_tmpdir(void)
{
    char *d = xstrdup("/tmp/unroll-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

void tu_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) tu_rmtree(p);
            else remove(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

Layer tu_embedding(const char *name, int vocab, int dim, bool mask_zero)
{
    Layer l = {0};
    l.kind = LAYER_EMBEDDING;
    snprintf(l.name, sizeof l.name, "%s", name);
    l.vocab = vocab;
    l.out_dim = dim;
    l.mask_zero = mask_zero;
    l.trainable = true;
    return l;
}

Layer tu_rnn(const char *name, CellKind kind, int units, bool return_sequences)
{
    Layer l = {0};
    l.kind = LAYER_RNN;
    snprintf(l.name, sizeof l.name, "%s", name);
    l.cell[0].kind = kind;
    l.cell[0].units = units;
    l.cell[0].activation = ACT_TANH;
    l.cell[0].recurrent_activation = ACT_SIGMOID;
    l.cell[0].use_bias = true;
    l.cell[0].reset_after = true;
    l.return_sequences = return_sequences;
    l.unit_forget_bias = true;
    l.trainable = true;
    return l;
}

Layer tu_dense(const char *name, int units, Act act)
{
    Layer l = {0};
    l.kind = LAYER_DENSE;
    snprintf(l.name, sizeof l.name, "%s", name);
    l.out_dim = units;
    l.activation = act;
    l.use_bias = true;
    l.trainable = true;
    return l;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) buf = xrealloc(buf, cap *= 2);
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got <= 0) break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}

int tu_run(char *const argv[], char **out, char **err)
{
    char ofile[] = "/tmp/unroll-out-XXXXXX", efile[] = "/tmp/unroll-err-XXXXXX";
    int ofd = mkstemp(ofile), efd = mkstemp(efile);
    ck_assert(ofd >= 0 && efd >= 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, ofd, 1);
    posix_spawn_file_actions_adddup2(&fa, efd, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ck_assert_msg(rc == 0, "cannot run %s", argv[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    *out = slurp_fd(ofd);
    *err = slurp_fd(efd);
    close(ofd);
    close(efd);
    unlink(ofile);
    unlink(efile);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int tu_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

void tu_write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

void tu_layers_from_spec(Model *m, const char *spec, TuLayerOf layer_of)
{
    model_init(m);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    int n = 0;
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        char name[16];
        snprintf(name, sizeof name, "l%d", n);
        Layer l = {0};
        if (!layer_of(m, &l, tok, name)) continue;
        model_add_layer(m, &l);
        n++;
    }
}

void tu_build_random(Model *m, uint64_t seed, float scale)
{
    Err err = {{0}};
    ck_assert_msg(model_build(m, &err), "%s", err.msg);
    Rng rng;
    rng_init(&rng, seed);
    for (size_t k = 0; k < m->n_params; k++) m->params[k] = scale * (rng_uniform(&rng) - 0.5f);
}

void tu_bidirectional(Layer *l, MergeMode merge)
{
    l->bidirectional = true;
    l->merge = merge;
    l->cell[1] = l->cell[0];
    l->cell[1].go_backwards = !l->cell[0].go_backwards;
}
