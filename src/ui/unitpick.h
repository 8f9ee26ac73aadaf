/* unitpick: which units of a recurrent layer are worth charting. Two rules,
 * both plain arithmetic on arrays the caller fills (so they are tested
 * without a window or a model):
 * - for a classifier, the units whose final h best separates the classes
 *   over a set of sentences: the Fisher ratio of each unit, the variance of
 *   the class means about the overall mean (each class weighted by its
 *   share of the rows) over the mean variance within the classes;
 * - for a next-word model, the units that push the predicted word most:
 *   |W_out[unit, class] * h[unit]|, the size of each unit's term in that
 *   word's logit.
 * What it does not: run models or read files. Depends on nothing. */
#ifndef UNROLL_UNITPICK_H
#define UNROLL_UNITPICK_H

/* The between/within-class variance ratio of every unit: h is (n, H), the
 * final h of n rows, labels (n) in 0..n_classes-1 (other labels are
 * skipped). ratio (H) gets each unit's score (0 when it does not vary
 * within the classes nor between them; a large finite number, 1e30, when
 * it varies only between them). Returns the rows used. */
int unitpick_fisher(float *ratio, const float *h, const int *labels, int n, int H, int n_classes);

/* |w[j * C + cls] * h[j]| for every unit j: w is the Dense kernel (H, C)
 * after the layer, h (H) its input. */
void unitpick_contribution(float *score, const float *h, const float *w, int H, int C, int cls);

/* The k units with the largest scores, best first (ties: the lower unit
 * first); writes min(k, H) indices to out and returns how many. */
int unitpick_top(int *out, const float *score, int H, int k);

#endif
