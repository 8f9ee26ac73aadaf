/* unitpick: the scores behind the unit chart's picks (see unitpick.h). */
#include "unitpick.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* a unit whose classes differ but never within one: as good as it gets */
#define UNITPICK_SEPARATES_ALL 1e30f

/* unit j's activations summed over the rows of class k; *nk their count */
static double class_sum(int *nk, const float *h, const int *labels, int n, int H, int j, int k)
{
    double s = 0;
    *nk = 0;
    for (int i = 0; i < n; i++)
        if (labels[i] == k) {
            s += h[(size_t)i * H + j];
            (*nk)++;
        }
    return s;
}

int unitpick_fisher(float *ratio, const float *h, const int *labels, int n, int H, int n_classes)
{
    int used = 0;
    for (int j = 0; j < H; j++) {
        /* class means and the overall mean, in double: hundreds of rows */
        double sum_all = 0, between = 0, within = 0;
        int n_all = 0;
        for (int k = 0; k < n_classes; k++) {
            int nk = 0;
            double s = class_sum(&nk, h, labels, n, H, j, k);
            sum_all += s;
            n_all += nk;
        }
        if (n_all == 0) {
            ratio[j] = 0;
            continue;
        }
        double mean = sum_all / n_all;
        for (int k = 0; k < n_classes; k++) {
            int nk = 0;
            double s = class_sum(&nk, h, labels, n, H, j, k);
            if (nk == 0) continue;
            double mk = s / nk;
            between += nk * (mk - mean) * (mk - mean);
            for (int i = 0; i < n; i++)
                if (labels[i] == k) {
                    double dlt = h[(size_t)i * H + j] - mk;
                    within += dlt * dlt;
                }
        }
        between /= n_all;
        within /= n_all;
        if (within > 1e-12) ratio[j] = (float)(between / within);
        else ratio[j] = between > 1e-12 ? UNITPICK_SEPARATES_ALL : 0.0f;
        used = n_all;
    }
    return used;
}

void unitpick_contribution(float *score, const float *h, const float *w, int H, int C, int cls)
{
    for (int j = 0; j < H; j++) score[j] = (cls >= 0 && cls < C) ? fabsf(w[(size_t)j * C + cls] * h[j]) : 0.0f;
}

int unitpick_top(int *out, const float *score, int H, int k)
{
    if (k > H) k = H;
    for (int q = 0; q < k; q++) {
        int best = -1;
        for (int j = 0; j < H; j++) {
            bool taken = false;
            for (int p = 0; p < q && !taken; p++) taken = out[p] == j;
            if (!taken && (best < 0 || score[j] > score[best])) best = j;
        }
        out[q] = best;
    }
    return k < 0 ? 0 : k;
}
