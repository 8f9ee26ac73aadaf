/* act: the activations Keras and tfjs models use, elementwise and softmax.
 * Forward only here; derivatives live beside the backward pass. */
#include <math.h>
#include <string.h>

#include "engine.h"

static const struct {
    Act act;
    const char *name;
    const char *alias; /* tfjs' camelCase spelling */
} ACTS[] = {
    {ACT_LINEAR, "linear", "linear"},
    {ACT_RELU, "relu", "relu"},
    {ACT_TANH, "tanh", "tanh"},
    {ACT_SIGMOID, "sigmoid", "sigmoid"},
    {ACT_HARD_SIGMOID, "hard_sigmoid", "hardSigmoid"},
    {ACT_SOFTMAX, "softmax", "softmax"},
};

const char *act_name(Act act)
{
    for (size_t i = 0; i < sizeof ACTS / sizeof ACTS[0]; i++)
        if (ACTS[i].act == act) return ACTS[i].name;
    return "?";
}

bool act_parse(const char *name, Act *out)
{
    for (size_t i = 0; i < sizeof ACTS / sizeof ACTS[0]; i++) {
        if (strcmp(name, ACTS[i].name) == 0 || strcmp(name, ACTS[i].alias) == 0) {
            *out = ACTS[i].act;
            return true;
        }
    }
    return false;
}

void act_forward(float *y, const float *x, Act act, int n)
{
    switch (act) {
    case ACT_LINEAR:
        if (y != x) memmove(y, x, (size_t)n * sizeof *y);
        break;
    case ACT_RELU:
        for (int i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case ACT_TANH:
        for (int i = 0; i < n; i++) y[i] = tanhf(x[i]);
        break;
    case ACT_SIGMOID:
        for (int i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case ACT_HARD_SIGMOID:
        for (int i = 0; i < n; i++) {
            float v = 0.2f * x[i] + 0.5f;
            y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
        break;
    case ACT_SOFTMAX:
        UNROLL_ASSERT(!"softmax is applied by rows");
        break;
    }
}

void act_softmax_rows(float *x, int rows, int n)
{
    for (int r = 0; r < rows; r++) {
        float *v = x + (size_t)r * n;
        float mx = v[0];
        for (int i = 1; i < n; i++) mx = v[i] > mx ? v[i] : mx;
        float sum = 0.0f;
        for (int i = 0; i < n; i++) {
            v[i] = expf(v[i] - mx);
            sum += v[i];
        }
        for (int i = 0; i < n; i++) v[i] /= sum;
    }
}
