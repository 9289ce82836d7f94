// A linear layer whose input rows are mostly zeros (spikes, or spikes after an average pool):
// only the non-zero inputs contribute, each adding its value times one row of the transposed
// weight. See include/spike_kernels.h for the contract and Sources/TensorCore/SparseLinear.swift
// for when the simulation uses it.
//
// Every product is rounded, then added (no fused multiply-add: the pragma keeps the compiler
// from contracting), in a fixed order per output, so every build (AVX-512, AVX2, portable)
// gives the same bits, and so does any split of the rows between workers.
#pragma STDC FP_CONTRACT OFF
#include "spike_kernels.h"
#include "kernel_builds.h"
#include <stdlib.h>
#include <string.h>

// Rows per tile: their lists are built once and then visit every 32-output block of the weight
// (3136 inputs × 32 outputs = 392 KB, within L2) before the next tile.
#define TILE 32
#define OUT_BLOCK SNN_SPARSE_LINEAR_BLOCK

SNN_WIDE_CLONES void snn_sparse_linear(const float *x, const float *wt, const float *bias, float *y,
                                       int64_t inFeatures, int64_t outFeatures, int64_t rowBegin, int64_t rowEnd) {
    const int64_t padded = (outFeatures + OUT_BLOCK - 1) / OUT_BLOCK * OUT_BLOCK;
    int32_t *offsets = (int32_t *)malloc(sizeof(int32_t) * TILE * (inFeatures + 1));
    float *values = (float *)malloc(sizeof(float) * TILE * (inFeatures + 1));
    int64_t starts[TILE + 1];
    float block[OUT_BLOCK];
    for (int64_t first = rowBegin; first < rowEnd; first += TILE) {
        const int rows = (int)(rowEnd - first < TILE ? rowEnd - first : TILE);
        starts[0] = 0;
        for (int t = 0; t < rows; t++) {
            const float *xr = x + (first + t) * inFeatures;
            int64_t count = starts[t];
            for (int64_t i = 0; i < inFeatures; i++) {   // branchless: the list grows by the non-zeros
                offsets[count] = (int32_t)(i * padded);
                values[count] = xr[i];
                count += xr[i] != 0.0f;
            }
            starts[t + 1] = count;
        }
        for (int64_t ob = 0; ob < padded; ob += OUT_BLOCK) {
            const float *ws = wt + ob;
            for (int t = 0; t < rows; t++) {
                // Two accumulator pairs (even and odd entries) halve the additions' dependency chain.
                v16 a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
                int64_t e = starts[t];
                const int64_t end = starts[t + 1];
                for (; e + 1 < end; e += 2) {
                    const v16 va = (v16){0} + values[e], vb = (v16){0} + values[e + 1];
                    const v16 pa0 = va * load16(ws + offsets[e]), pa1 = va * load16(ws + offsets[e] + 16);
                    const v16 pb0 = vb * load16(ws + offsets[e + 1]), pb1 = vb * load16(ws + offsets[e + 1] + 16);
                    a0 += pa0; a1 += pa1; b0 += pb0; b1 += pb1;
                }
                if (e < end) {
                    const v16 va = (v16){0} + values[e];
                    const v16 pa0 = va * load16(ws + offsets[e]), pa1 = va * load16(ws + offsets[e] + 16);
                    a0 += pa0; a1 += pa1;
                }
                a0 += b0; a1 += b1;
                if (bias) { a0 += load16(bias + ob); a1 += load16(bias + ob + 16); }
                float *yr = y + (first + t) * outFeatures + ob;
                if (ob + OUT_BLOCK <= outFeatures) {
                    store16(yr, a0); store16(yr + 16, a1);
                } else {
                    store16(block, a0); store16(block + 16, a1);
                    memcpy(yr, block, sizeof(float) * (size_t)(outFeatures - ob));
                }
            }
        }
    }
    free(offsets);
    free(values);
}

void snn_sparse_linear_pack(const float *w, float *wt, int64_t inFeatures, int64_t outFeatures, int64_t inBegin,
                            int64_t inEnd) {
    const int64_t padded = (outFeatures + OUT_BLOCK - 1) / OUT_BLOCK * OUT_BLOCK;
    for (int64_t i = inBegin; i < inEnd; i++) {
        float *row = wt + i * padded;
        for (int64_t o = 0; o < outFeatures; o++) row[o] = w[o * inFeatures + i];
        for (int64_t o = outFeatures; o < padded; o++) row[o] = 0;
    }
}
