/* trace_json: the `unroll trace` document (contracts.md section 2) for one
 * sequence of a Trace: tokens, every layer's output, and for recurrent layers
 * every step's x, h, c and gates in processing order. Reads the trace only;
 * computes nothing. Depends on engine and jsonw. */
#ifndef UNROLL_TRACE_JSON_H
#define UNROLL_TRACE_JSON_H

#include "engine.h"
#include "jsonw.h"

/* Input attribution of one prediction (--attribution), see model_attribute */
typedef struct {
    int step, cls;              /* the prediction after step `step`, class `cls` */
    bool log_odds;              /* what the gradient explains: log(p/(1-p)) (else the output value) */
    float value;                /* p_cls (or the output value) of that prediction */
    const float *gradient;      /* (T) gradient x input */
    const float *occlusion;     /* (T) drop in value with each position made padding */
} TraceAttribution;

typedef struct {
    const char *text;           /* the sentence given with --text, or NULL */
    const char *const *words;   /* (T) the word each token stands for, or NULL */
    const char *const *oov;     /* words that were not in the vocabulary */
    int n_oov;
    /* dL/dh_t norms: dh_norm[layer][dir] -> (T) by processing step, or NULL */
    const float *const (*dh_norm)[2];
    const TraceAttribution *attribution; /* or NULL */
} TraceDocExtras;

/* Writes the document for sequence b of tr (which must have keep = true). */
void trace_write_json(JsonW *w, const Trace *tr, int b, const TraceDocExtras *ex);

/* Whether a trace of B sequences of T steps of model fits the memory budget
 * (base_memory_check), counting its records (kept when keep), and when
 * asked the backward pass of trace_gradient_norms (grad), the JSON text
 * trace_write_json makes of it (json) and extra bytes the caller allocates
 * beside it. False with err naming the need when it does not fit, or when T
 * is not 1..ENGINE_MAX_SEQ. */
bool trace_check_budget(const Model *model, int B, int T, bool keep, bool grad, bool json, size_t extra, Err *err);

/* Name of a run as the trace shows it: "forward" or "backward". */
const char *trace_run_direction(const Layer *l, int dir);

#endif
