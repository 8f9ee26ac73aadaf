/* sample: choosing the next token from a softmax, for text generation.
 * Greedy (temperature 0) takes the most probable allowed token; otherwise
 * probabilities are re-weighted as p^(1/temperature), optionally cut to the
 * top k, and one token is drawn with the caller's seeded generator.
 * Depends on base. */
#include <math.h>
#include <stdlib.h>

#include "engine.h"

int sample_next(const float *p, int C, float temperature, int top_k, const unsigned char *banned, Rng *rng)
{
    int best = -1;
    for (int j = 0; j < C; j++)
        if (!(banned && banned[j]) && (best < 0 || p[j] > p[best])) best = j;
    if (best < 0 || temperature <= 0.0f) return best;
    /* the top k allowed tokens (all when top_k <= 0), by a partial selection */
    int *idx = xmalloc((size_t)C * sizeof *idx);
    int n = 0;
    for (int j = 0; j < C; j++)
        if (!(banned && banned[j])) idx[n++] = j;
    int k = top_k > 0 && top_k < n ? top_k : n;
    /* the k most probable first (no order is needed when all are kept) */
    for (int a = 0; a < k && k < n; a++) {
        int m = a;
        for (int b = a + 1; b < n; b++)
            if (p[idx[b]] > p[idx[m]]) m = b;
        int t = idx[a];
        idx[a] = idx[m];
        idx[m] = t;
    }
    /* weights p^(1/T), relative to the largest for stability */
    double lmax = log(fmax((double)p[best], 1e-30));
    double total = 0;
    double *w = xmalloc((size_t)k * sizeof *w);
    for (int a = 0; a < k; a++) {
        w[a] = exp((log(fmax((double)p[idx[a]], 1e-30)) - lmax) / (double)temperature);
        total += w[a];
    }
    double u = (double)rng_uniform(rng) * total;
    int choice = idx[k - 1];
    for (int a = 0; a < k; a++) {
        if (u < w[a]) {
            choice = idx[a];
            break;
        }
        u -= w[a];
    }
    free(w);
    free(idx);
    return choice;
}
