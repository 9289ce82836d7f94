// What the kernel files share (private to this target): which builds a function is cloned for,
// and the 16-float vector they compute with.
#ifndef SNN_KERNEL_BUILDS_H
#define SNN_KERNEL_BUILDS_H

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#define SNN_X86 1
#endif
#if defined(SNN_X86) && defined(__linux__)   // target_clones needs ifunc (ELF)
#define SNN_CLONES __attribute__((target_clones("avx2", "default")))
#define SNN_WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SNN_CLONES
#define SNN_WIDE_CLONES
#endif

// 16 floats; the reduced alignment makes every access an unaligned load or store. Macros, not
// functions: a 64-byte vector may not cross a call boundary in the non-AVX-512 builds.
typedef float v16 __attribute__((vector_size(64), aligned(4)));
#define load16(p) (*(const v16 *)(p))
#define store16(p, v) (*(v16 *)(p) = (v))

#endif
