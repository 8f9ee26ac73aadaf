/* carve: one allocation cut into many arrays, the engine's way of holding
 * records (style.md: compute a table of sizes, allocate once, point each
 * tensor into the block). Internal to the engine: trace_init and
 * backprop_init use it.
 *
 * A layout function hands out every array with carve_floats / carve_bytes
 * and runs twice over the same Carver, in the same order: first counting
 * (each call returns NULL and adds its size), then, after carve_alloc,
 * placing (each call returns the next piece of the zeroed blocks). A layout
 * that only counts tells what the allocation would cost (trace_bytes).
 * Depends on base. */
#ifndef UNROLL_CARVE_H
#define UNROLL_CARVE_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

typedef struct {
    bool place;            /* second pass: hand out pointers */
    size_t floats, bytes;  /* counted, then handed out */
    float *fblock;         /* (floats) after carve_alloc */
    unsigned char *bblock; /* (bytes) after carve_alloc */
} Carver;

static inline float *carve_floats(Carver *cv, size_t n)
{
    float *p = cv->place ? cv->fblock + cv->floats : NULL;
    cv->floats += n;
    return p;
}

static inline unsigned char *carve_bytes(Carver *cv, size_t n)
{
    unsigned char *p = cv->place ? cv->bblock + cv->bytes : NULL;
    cv->bytes += n;
    return p;
}

/* Ends the counting pass: allocates the zeroed blocks (the byte block only
 * when bytes were counted, else NULL; the caller owns and frees both) and
 * turns cv into the placing pass. */
static inline void carve_alloc(Carver *cv)
{
    *cv = (Carver){.place = true,
                   .fblock = xcalloc(cv->floats, sizeof(float)),
                   .bblock = cv->bytes ? xcalloc(cv->bytes, 1) : NULL};
}

#endif
