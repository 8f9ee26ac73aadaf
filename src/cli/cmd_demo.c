/* cmd_demo: what `unroll` does with no arguments until the window exists:
 * traces the bundled example model on a short sentence and prints each
 * recurrent step as a table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "model_io.h"
#include "summary.h"
#include "trace_json.h"

static void print_vec(const float *v, int n)
{
    for (int j = 0; j < n; j++) printf(" %+.3f", (double)v[j]);
}

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char path[4096];
    snprintf(path, sizeof path, "%s/models/example", cli_assets_dir());
    Err err = {{0}};
    Model m;
    if (!model_load(&m, path, &err)) return cli_fail("demo", &err);
    /* "the night is long and the night is young" in the example's vocabulary */
    static const int tokens[] = {1, 2, 3, 5, 4, 1, 2, 3, 6};
    const int T = (int)(sizeof tokens / sizeof tokens[0]);
    if (!model_check_tokens(&m, tokens, T, &err)) {
        model_free(&m);
        return cli_fail("demo", &err);
    }
    Trace tr;
    trace_init(&tr, &m, 1, T, true);
    model_forward(&tr, tokens, NULL);
    char *sum = summary_text(&m);
    printf("unroll: the example model (%s)\n%s\n", path, sum);
    free(sum);
    for (int i = 0; i < m.n_layers; i++) {
        const Layer *l = &m.layers[i];
        if (l->kind != LAYER_RNN) continue;
        for (int d = 0; d < l->n_dir; d++) {
            const RunRecord *run = &tr.layers[i].run[d];
            printf("layer %s (%s, %d units), %s run\n", l->name, layer_class_name(l), run->H,
                   trace_run_direction(l, d));
            printf("  t  pos  token  h\n");
            for (int t = 0; t < T; t++) {
                int pos = run->backwards ? T - 1 - t : t;
                printf("%3d  %3d  %5d ", t, pos, tokens[pos]);
                print_vec(run->h + (size_t)(t + 1) * run->H, run->H);
                printf("\n");
                if (run->c) {
                    printf("               c");
                    print_vec(run->c + (size_t)(t + 1) * run->H, run->H);
                    printf("\n");
                }
            }
        }
    }
    const Layer *last = &m.layers[m.n_layers - 1];
    if (last->kind == LAYER_DENSE && last->activation == ACT_SOFTMAX && !last->out_seq) {
        const float *p = tr.layers[m.n_layers - 1].out;
        int best = 0;
        for (int j = 1; j < last->out_dim; j++) best = p[j] > p[best] ? j : best;
        printf("next token: %d (p = %.3f)\n", best, (double)p[best]);
    }
    printf("\nThe window is not built yet; see `unroll --help` for the commands.\n");
    trace_free(&tr);
    model_free(&m);
    return 0;
}
