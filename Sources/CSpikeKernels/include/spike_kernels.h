// Spike-driven convolution kernels: a convolution whose input is binary (0/1 spikes) needs no
// multiplications, and only the 1s contribute. See Sources/TensorCore/SpikeConvolution.swift
// for the layouts, the dense reference these are tested against, and when they are used.
#ifndef SPIKE_KERNELS_H
#define SPIKE_KERNELS_H

#include <stdint.h>

/// Output channels per work unit (a multiple of 16: two nChw16c blocks).
#define SNN_SPIKE_KBLOCK 32

/// One bit per channel for the (image, 16-channel block) planes [planeBegin, planeEnd) of x
/// (nChw16c, planes of H·W·16 floats): masks[plane][h + pad][w + pad] bit l = (x[plane, h, w, l] != 0),
/// with a zero border of `padding` (planes of (H + 2·pad)·(W + 2·pad) masks).
/// Returns the number of non-zeros, or -1 when some value is neither 0 nor `amplitude` (NaN
/// included). `portable` = 1 runs the portable build instead of the AVX-512 one (tests).
int64_t snn_spike_masks(const float *x, int64_t planeBegin, int64_t planeEnd, int32_t height, int32_t width,
                        int32_t padding, float amplitude, uint16_t *masks, int32_t portable);

/// 1 when the kernels run their AVX-512 build on this CPU. The two kernels below take
/// `portable` = 1 to run the portable build anyway (tests compare the two).
int32_t snn_spike_kernels_use_avx512(void);
/// 1 when the CPU has AVX2 (the build used when AVX-512 is missing).
int32_t snn_spike_kernels_use_avx2(void);

/// Geometry shared by the kernels (stride and zero padding square).
typedef struct {
    int32_t batch, inBlocks, height, width;   // N, C/16, H, W
    int32_t outBlocks32, kernelH, kernelW;    // K/32, R, S
    int32_t stride, padding, outH, outW;      // P, Q
} snn_spike_geometry;

/// wt[kb][cb][r][s][l][j] = scale·w[kb·32 + j][cb·16 + l][r][s] (w is OIHW), for kb in [kbBegin, kbEnd).
/// scale = the spikes' amplitude a: each packed row is then the product a·w a dense kernel forms.
void snn_spike_pack_weights(const float *w, float *wt, const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd,
                            float scale);
/// The inverse of the packing (times scale), for ∂w.
void snn_spike_unpack_weights(const float *wt, float *w, const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd,
                              float scale);

/// y (nChw16c, [N][K/16][P][Q][16]) for output-channel blocks kb in [kbBegin, kbEnd):
/// y[n,k,p,q] = Σ over (c, r, s) with x[n, c, p·stride + r − pad, q·stride + s − pad] = 1 of w[k,c,r,s],
/// summed over c blocks, then r, s, then c within the block, in that order.
/// masks as written by snn_spike_masks with the convolution's padding.
void snn_spike_conv_forward(const uint16_t *masks, const float *wt, float *y,
                            const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd, int32_t portable);

/// ∂w in packed order for kb in [kbBegin, kbEnd): dwt[kb][cb][r][s][l][j] = Σ over (n, p, q)
/// with x[n, cb·16 + l, p·stride + r − pad, q·stride + s − pad] = 1 of dy[n, kb·32 + j, p, q],
/// summed in (n, p, q) order. dy is nChw16c.
void snn_spike_conv_weight_grad(const uint16_t *masks, const float *dy, float *dwt,
                                const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd, int32_t portable);

/// Scatter form of the forward, for inference at low spike rates: for each spike (in the order
/// c block, h, w, then c within the block), its weight vectors w[:, c, r, s] are added to the
/// R·S outputs it reaches. Work ∝ spikes × R·S × K, with no per-output-pixel cost. Images
/// [imageBegin, imageEnd) of y (nChw16c) are written whole (zeroed first). wk[c][r][s][k] =
/// a·w[k][c][r][s] (`snn_spike_pack_weights_scatter`). Sums in another order than the gather
/// kernel above: the two agree to rounding. `bias` (K values, or NULL) is then added to each
/// output, y + b[k], as a separate bias pass would add it.
void snn_spike_conv_scatter(const uint16_t *masks, const float *wk, const float *bias, float *y,
                            const snn_spike_geometry *g, int32_t imageBegin, int32_t imageEnd);
/// wk[c][r][s][k] = scale·w[k][c][r][s] for input channels c in [cBegin, cEnd).
void snn_spike_pack_weights_scatter(const float *w, float *wk, const snn_spike_geometry *g, int32_t cBegin,
                                    int32_t cEnd, float scale);

/// Outputs per block of the sparse linear kernel; its transposed weight has its outputs padded
/// to a multiple of this.
#define SNN_SPARSE_LINEAR_BLOCK 32

/// A linear layer on mostly-zero inputs, for rows [rowBegin, rowEnd) of x [M][I] (row-major):
/// y[m][o] = (Σ_even + Σ_odd) + bias[o], where Σ_even sums the rounded products x[m][i]·w[o][i]
/// of the 1st, 3rd, … non-zero inputs of row m (increasing i) and Σ_odd those of the 2nd, 4th, …;
/// no fused multiply-add. Work ∝ non-zeros × O. wt is [I][O rounded up to
/// SNN_SPARSE_LINEAR_BLOCK] (`snn_sparse_linear_pack`); bias (padded the same way) may be NULL.
/// y [M][O] row-major. The bits do not depend on the build or on how rows are split.
void snn_sparse_linear(const float *x, const float *wt, const float *bias, float *y, int64_t inFeatures,
                       int64_t outFeatures, int64_t rowBegin, int64_t rowEnd);
/// wt[i][o] = w[o][i] (w is [O][I]) for inputs i in [inBegin, inEnd), outputs padded with zeros.
void snn_sparse_linear_pack(const float *w, float *wt, int64_t inFeatures, int64_t outFeatures, int64_t inBegin,
                            int64_t inEnd);

/// The membrane recurrence of `neurons` neurons over `timesteps` steps (inference): for step t,
/// with x_t = x + t·inputStride (inputStride 0: the same current every step) and
/// o_t = output + t·outputStride,
///     h = leak·u + x_t[i];  s = (h ≥ threshold);  o_t[i] = s·amplitude;  counts[i] += s;
///     u = h − s·(keepCharge·threshold + (1 − keepCharge)·h)
/// (keepCharge 1: reset by subtraction, 0: to zero), each product rounded before its sum, and
/// firedPerStep[t] += the spikes of step t. u and counts carry over between calls.
void snn_membrane_simulate(const float *x, int64_t inputStride, float *u, float *counts, float *output,
                           int64_t outputStride, int64_t neurons, int32_t timesteps, float threshold, float leak,
                           float keepCharge, float amplitude, int64_t *firedPerStep);

#endif
