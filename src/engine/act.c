/* act: the activations Keras and tfjs models use, elementwise and softmax.
 * Forward only here; derivatives live beside the backward pass.
 *
 * exp, sigmoid and tanh are computed by branch-free polynomials (the
 * Cephes single-precision forms: range reduction by ln 2 and a degree-6
 * polynomial for exp, an odd polynomial for tanh near 0) so that the loops
 * vectorise; they stay within a few float ulps of libm. The loops are built
 * for AVX2+FMA and for baseline x86-64, chosen at run time. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"

#include "clones.h"

static inline float exp_poly(float x)
{
    /* exp(x) = 2^n * exp(r), x = n ln2 + r, |r| <= ln2/2 */
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.3f ? 88.3f : x;
    /* the exponent comes from a copy with NaN replaced, so a NaN input gives
     * a NaN result (through r below) without an undefined int conversion */
    float xn = x != x ? 0.0f : x;
    float t = xn * 1.44269504088896341f;
    /* round to nearest: adding 1.5 * 2^23 pushes the fraction out */
    float fn = (t + 12582912.0f) - 12582912.0f;
    int n = (int)fn;
    float r = x - fn * 0.693359375f + fn * 2.12194440e-4f;
    float z = r * r;
    float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r +
               1.6666665459e-1f) * r + 5.0000001201e-1f;
    float y = p * z + r + 1.0f;
    int32_t bits = (n + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

static inline float sigmoid_poly(float x)
{
    return 1.0f / (1.0f + exp_poly(-x));
}

static inline float tanh_poly(float x)
{
    float a = fabsf(x);
    /* small |x|: odd polynomial keeps relative accuracy */
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
                   3.33332819422e-1f) * z * x + x;
    float e = exp_poly(2.0f * a);
    float big = copysignf(1.0f - 2.0f / (e + 1.0f), x);
    return a < 0.625f ? small : big;
}

VECTOR_CLONES static void tanh_loop(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = tanh_poly(x[i]);
}

VECTOR_CLONES static void sigmoid_loop(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = sigmoid_poly(x[i]);
}

VECTOR_CLONES static void exp_loop(float *y, const float *x, float shift, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = exp_poly(x[i] - shift);
}

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

void act_forward(float *y, const float *x, Act act, size_t n)
{
    UNROLL_ASSERT(act != ACT_SOFTMAX); /* softmax is applied by rows: act_softmax_rows */
    switch (act) {
    case ACT_LINEAR:
        if (y != x) memmove(y, x, n * sizeof *y);
        break;
    case ACT_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case ACT_TANH:
        tanh_loop(y, x, n);
        break;
    case ACT_SIGMOID:
        sigmoid_loop(y, x, n);
        break;
    case ACT_HARD_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float v = 0.2f * x[i] + 0.5f;
            y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
        break;
    case ACT_SOFTMAX: break; /* asserted above */
    }
}

void act_softmax_rows(float *x, size_t rows, size_t n)
{
    for (size_t r = 0; r < rows; r++) {
        float *v = x + r * n;
        float mx = v[0];
        for (size_t i = 1; i < n; i++) mx = v[i] > mx ? v[i] : mx;
        exp_loop(v, v, mx, n);
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++) sum += v[i];
        for (size_t i = 0; i < n; i++) v[i] /= sum;
    }
}
