/* clones: VECTOR_CLONES marks a small loop to be built twice, for AVX2+FMA
 * and for baseline x86-64, the CPU picking one at load time. Not under the
 * sanitizers (they cannot run the ifunc resolver before they start) nor with
 * clang. Internal to the engine. */
#ifndef UNROLL_CLONES_H
#define UNROLL_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
#define VECTOR_CLONES __attribute__((target_clones("avx2,fma", "default")))
#else
#define VECTOR_CLONES
#endif

#endif
