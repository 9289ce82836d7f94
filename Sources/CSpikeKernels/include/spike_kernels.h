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
/// Returns the number of non-zeros, or -1 when some value is neither 0 nor `amplitude`.
int64_t snn_spike_masks(const float *x, int64_t planeBegin, int64_t planeEnd, int32_t height, int32_t width,
                        int32_t padding, float amplitude, uint16_t *masks);

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
/// kernel above: the two agree to rounding.
void snn_spike_conv_scatter(const uint16_t *masks, const float *wk, float *y, const snn_spike_geometry *g,
                            int32_t imageBegin, int32_t imageEnd);
/// wk[c][r][s][k] = scale·w[k][c][r][s] for input channels c in [cBegin, cEnd).
void snn_spike_pack_weights_scatter(const float *w, float *wk, const snn_spike_geometry *g, int32_t cBegin,
                                    int32_t cEnd, float scale);

#endif
