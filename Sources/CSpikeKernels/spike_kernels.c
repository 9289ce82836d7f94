// Spike-driven convolution kernels (see include/spike_kernels.h).
//
// For each output pixel and 16-channel input block, the kernels first list the weight rows its
// window's spikes select (the 1-bits of R·S masks), then add those rows: one loop of known
// length instead of a data-dependent branch per spike, which random spike patterns mispredict.
// The masks carry a zero border of `padding`, so no window needs a bounds check.
//
// Three builds of each kernel: AVX-512 (the list built with vpcompressd into a register, then
// stored whole: the memory form is microcoded and ~10× slower on Zen 4), AVX2 (the list from a
// table of bit positions per mask byte) and a portable one (a branchless scalar list; the
// compiler makes AVX2/SSE clones of it). All build the same list and add in the same order, so
// the results are the same bits on every CPU.
#include "spike_kernels.h"
#include "kernel_builds.h"
#include <stdlib.h>
#include <string.h>

#define KB SNN_SPIKE_KBLOCK

SNN_CLONES static int64_t masksPortable(const float *x, int64_t planeBegin, int64_t planeEnd, int32_t height, int32_t width,
                        int32_t padding, float amplitude, uint16_t *masks) {
    const int64_t hp = height + 2 * padding, wp = width + 2 * padding;
    int64_t ones = 0;
    for (int64_t plane = planeBegin; plane < planeEnd; plane++) {
        uint16_t *mp = masks + plane * hp * wp;
        memset(mp, 0, sizeof(uint16_t) * hp * wp);
        const float *xp = x + plane * height * width * 16;
        int bad = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++) {
                const float *b = xp + (h * width + w) * 16;
                uint32_t m = 0;
                for (int l = 0; l < 16; l++) {
                    m |= (uint32_t)(b[l] != 0.0f) << l;
                    bad |= (b[l] != 0.0f) & (b[l] != amplitude);
                }
                mp[(h + padding) * wp + w + padding] = (uint16_t)m;
                ones += __builtin_popcount(m);
            }
        if (bad) return -1;
    }
    return ones;
}

#ifdef SNN_X86
// One compare per 16 channels: the mask of the non-zeros, and of those that are not the amplitude.
// (The compiler's own AVX-512 build of the loop above was 2.7× slower than its AVX2 one.)
__attribute__((target("avx512f,popcnt"))) static int64_t masksAVX512(const float *x, int64_t planeBegin, int64_t planeEnd,
                                                                     int32_t height, int32_t width, int32_t padding,
                                                                     float amplitude, uint16_t *masks) {
    const int64_t hp = height + 2 * padding, wp = width + 2 * padding;
    const __m512 zero = _mm512_setzero_ps(), amp = _mm512_set1_ps(amplitude);
    int64_t ones = 0;
    for (int64_t plane = planeBegin; plane < planeEnd; plane++) {
        uint16_t *mp = masks + plane * hp * wp;
        memset(mp, 0, sizeof(uint16_t) * hp * wp);
        const float *xp = x + plane * height * width * 16;
        __mmask16 bad = 0;
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++) {
                const __m512 v = _mm512_loadu_ps(xp + (h * width + w) * 16);
                const __mmask16 m = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);   // NaN counts as a non-zero
                bad |= _mm512_mask_cmp_ps_mask(m, v, amp, _CMP_NEQ_UQ);
                mp[(h + padding) * wp + w + padding] = (uint16_t)m;
                ones += __builtin_popcount(m);
            }
        if (bad) return -1;
    }
    return ones;
}
#endif

static inline int64_t packedIndex(const snn_spike_geometry *g, int kb, int cb, int r, int s, int l) {
    return ((((int64_t)kb * g->inBlocks + cb) * g->kernelH + r) * g->kernelW + s) * 16 + l;
}

// Both copy one (kb, cb) slice at a time: 32 weight rows' 16·R·S contiguous values on the OIHW
// side, one 18 KB block (3×3) on the packed side, so every access stays within L1 and L2.
void snn_spike_pack_weights(const float *w, float *wt, const snn_spike_geometry *g,
                            int32_t kbBegin, int32_t kbEnd, float scale) {
    const int C = g->inBlocks * 16, RS = g->kernelH * g->kernelW;
    for (int kb = kbBegin; kb < kbEnd; kb++)
        for (int cb = 0; cb < g->inBlocks; cb++) {
            float *slice = wt + packedIndex(g, kb, cb, 0, 0, 0) * KB;
            for (int j = 0; j < KB; j++) {
                const float *src = w + ((int64_t)(kb * KB + j) * C + cb * 16) * RS;   // [16][R·S]
                for (int l = 0; l < 16; l++)
                    for (int t = 0; t < RS; t++) slice[(t * 16 + l) * KB + j] = scale * src[l * RS + t];
            }
        }
}

void snn_spike_unpack_weights(const float *wt, float *w, const snn_spike_geometry *g,
                              int32_t kbBegin, int32_t kbEnd, float scale) {
    const int C = g->inBlocks * 16, RS = g->kernelH * g->kernelW;
    for (int kb = kbBegin; kb < kbEnd; kb++)
        for (int cb = 0; cb < g->inBlocks; cb++) {
            const float *slice = wt + packedIndex(g, kb, cb, 0, 0, 0) * KB;
            for (int j = 0; j < KB; j++) {
                float *dst = w + ((int64_t)(kb * KB + j) * C + cb * 16) * RS;
                for (int l = 0; l < 16; l++)
                    for (int t = 0; t < RS; t++) dst[l * RS + t] = scale * slice[(t * 16 + l) * KB + j];
            }
        }
}

// The float offsets (within one (kb, cb) slice of packed rows) of the rows selected by the
// masks of one window, in (r, s, l) order. Returns how many.
#define LIST_PORTABLE(list, window, wp, R, S, offset)                                          \
    ({                                                                                 \
        int count_ = 0;                                                                \
        for (int r_ = 0; r_ < (R); r_++)                                               \
            for (int s_ = 0; s_ < (S); s_++) {                                         \
                const uint32_t m_ = (window)[r_ * (wp) + s_];                          \
                const int32_t base_ = (offset) + (r_ * (S) + s_) * 16 * KB;            \
                for (int l_ = 0; l_ < 16; l_++) {                                      \
                    (list)[count_] = base_ + l_ * KB;                                  \
                    count_ += (m_ >> l_) & 1;                                          \
                }                                                                      \
            }                                                                          \
        count_;                                                                        \
    })

#define LIST_AVX512(list, window, wp, R, S, offset)                                            \
    ({                                                                                 \
        int count_ = 0;                                                                \
        const __m512i lanes_ = _mm512_mullo_epi32(                                     \
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),   \
            _mm512_set1_epi32(KB));                                                    \
        for (int r_ = 0; r_ < (R); r_++)                                               \
            for (int s_ = 0; s_ < (S); s_++) {                                         \
                const __mmask16 m_ = (window)[r_ * (wp) + s_];                         \
                const __m512i rows_ = _mm512_add_epi32(                                \
                    lanes_, _mm512_set1_epi32((offset) + (r_ * (S) + s_) * 16 * KB));  \
                _mm512_storeu_si512((list) + count_, _mm512_maskz_compress_epi32(m_, rows_)); \
                count_ += __builtin_popcount(m_);                                      \
            }                                                                          \
        count_;                                                                        \
    })

#ifdef SNN_X86
// The AVX2 build of the list: no compress instruction, so each byte of a mask looks up the
// positions of its 1-bits (8 packed byte indices, lowest first) and widens them to 8 row
// offsets, stored whole; the count advances by the byte's popcount. The same list as the
// other builds, ~18 short steps per 3×3 window instead of 144 dependent ones.
static uint64_t snn_bit_positions[256];
__attribute__((constructor)) static void snn_fill_bit_positions(void) {
    for (int m = 0; m < 256; m++) {
        uint64_t packed = 0;
        int n = 0;
        for (int l = 0; l < 8; l++)
            if (m >> l & 1) packed |= (uint64_t)l << (8 * n++);
        snn_bit_positions[m] = packed;
    }
}
#if SNN_SPIKE_KBLOCK != 32
#error "LIST_AVX2 scales bit positions to rows with a shift by 5 (KB = 32)"
#endif
#define LIST_AVX2(list, window, wp, R, S, offset)                                              \
    ({                                                                                 \
        int count_ = 0;                                                                \
        for (int r_ = 0; r_ < (R); r_++)                                               \
            for (int s_ = 0; s_ < (S); s_++) {                                         \
                const uint32_t m_ = (window)[r_ * (wp) + s_];                          \
                const __m256i base_ = _mm256_set1_epi32((offset) + (r_ * (S) + s_) * 16 * KB); \
                const __m256i low_ = _mm256_cvtepu8_epi32(                             \
                    _mm_cvtsi64_si128((long long)snn_bit_positions[m_ & 255]));        \
                _mm256_storeu_si256((__m256i *)((list) + count_),                      \
                                    _mm256_add_epi32(base_, _mm256_slli_epi32(low_, 5))); \
                count_ += __builtin_popcount(m_ & 255);                                \
                const __m256i high_ = _mm256_cvtepu8_epi32(                            \
                    _mm_cvtsi64_si128((long long)snn_bit_positions[m_ >> 8]));         \
                _mm256_storeu_si256((__m256i *)((list) + count_),                      \
                    _mm256_add_epi32(base_, _mm256_slli_epi32(                         \
                        _mm256_add_epi32(high_, _mm256_set1_epi32(8)), 5)));           \
                count_ += __builtin_popcount(m_ >> 8);                                 \
            }                                                                          \
        count_;                                                                        \
    })
#endif

// The loops of both kernels. Output pixels (in (n, p, q) order) go in chunks sized so that the
// chunk's outputs for this worker's channels (32 per kb) fill about 256 KB (L2). For each
// chunk and group of CBG input-channel blocks, the chunk's lists are built once (packed one
// after the other) and then used for every output block kb of this worker, whose rows for the
// group (CBG × 18 KB for 3×3) stay in L1/L2 while the chunk's pixels visit them.
// Input-channel blocks per list (bench snn --layers at 16 % spikes on the VGG-11 layers,
// Zen 4: 4 blocks beat 1 and 2 for the forward; ∂w, whose rows are read and written, gains
// from 2 and not from 4). Longer lists pay the per-list costs (a mispredicted loop exit, the
// output's read and write) fewer times, at the price of 18 KB more rows per block.
#define FORWARD_GROUP 4
#define GRAD_GROUP 2
#define FOR_EACH_CHUNK_LIST(CBG, LIST, ...)                                                             \
    const int N = g->batch, CB = g->inBlocks, R = g->kernelH, S = g->kernelW;                      \
    const int P = g->outH, Q = g->outW, st = g->stride;                                           \
    const int64_t hp = g->height + 2 * g->padding, wp = g->width + 2 * g->padding;                \
    const int64_t plane = (int64_t)P * Q * 16, outBlocks16 = 2 * (int64_t)g->outBlocks32;         \
    const int64_t slice = (int64_t)R * S * 16 * KB, pixels = (int64_t)N * P * Q;                  \
    const int maxList = R * S * 16 * CBG;                                                          \
    int CHUNK = 65536 / ((kbEnd - kbBegin) * KB);                                                  \
    CHUNK = CHUNK < 32 ? 32 : CHUNK > 1024 ? 1024 : CHUNK;                                         \
    int32_t *lists = (int32_t *)malloc(sizeof(int32_t) * ((int64_t)CHUNK * maxList + 16));         \
    int32_t *starts = (int32_t *)malloc(sizeof(int32_t) * (CHUNK + 1));                            \
    int64_t *outputs = (int64_t *)malloc(sizeof(int64_t) * CHUNK); /* offset in y / dy */          \
    for (int64_t first = 0; first < pixels; first += CHUNK) {                                     \
        const int chunk = (int)(pixels - first < CHUNK ? pixels - first : CHUNK);                  \
        for (int i = 0; i < chunk; i++) {                                                          \
            const int64_t px = first + i;                                                          \
            const int n = (int)(px / (P * Q)), p = (int)(px / Q % P), q = (int)(px % Q);          \
            outputs[i] = n * outBlocks16 * plane + ((int64_t)p * Q + q) * 16;                      \
        }                                                                                          \
        for (int cb = 0; cb < CB; cb += CBG) {                                                     \
            const int group = CB - cb < CBG ? CB - cb : CBG;                                       \
            starts[0] = 0;                                                                         \
            for (int i = 0; i < chunk; i++) {                                                      \
                const int64_t px = first + i;                                                      \
                const int n = (int)(px / (P * Q)), p = (int)(px / Q % P), q = (int)(px % Q);      \
                int count = starts[i];                                                             \
                for (int c = 0; c < group; c++) {                                                  \
                    const uint16_t *window = masks + ((int64_t)n * CB + cb + c) * hp * wp          \
                                             + (int64_t)(p * st) * wp + q * st;                    \
                    count += LIST(lists + count, window, wp, R, S, (int32_t)(c * slice));          \
                }                                                                                  \
                starts[i + 1] = count;                                                             \
            }                                                                                      \
            for (int kb = kbBegin; kb < kbEnd; kb++) {                                             \
                const int64_t kbOffset = 2 * kb * plane;                                           \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    free(lists); free(starts); free(outputs);

// y[pixel] (+)= Σ rows of the list. Two accumulators (even and odd entries) halve the
// dependency chain of the additions; their sum is added to what y held.
#define FORWARD_BODY(LIST)                                                                         \
    FOR_EACH_CHUNK_LIST(FORWARD_GROUP, LIST,                                                       \
        const float *ws = wt + ((int64_t)kb * CB + cb) * slice;                                    \
        for (int i = 0; i < chunk; i++) {                                                          \
            const int32_t *list = lists + starts[i];                                               \
            const int count = starts[i + 1] - starts[i];                                           \
            float *y0 = y + outputs[i] + kbOffset, *y1 = y0 + plane;                               \
            v16 a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};                                            \
            int e = 0;                                                                             \
            for (; e + 1 < count; e += 2) {                                                        \
                const float *ra = ws + list[e], *rb = ws + list[e + 1];                            \
                a0 += load16(ra); a1 += load16(ra + 16);                                           \
                b0 += load16(rb); b1 += load16(rb + 16);                                           \
            }                                                                                      \
            if (e < count) { a0 += load16(ws + list[e]); a1 += load16(ws + list[e] + 16); }        \
            a0 += b0; a1 += b1;                                                                    \
            if (cb > 0) { a0 = load16(y0) + a0; a1 = load16(y1) + a1; }                            \
            store16(y0, a0);                                                                       \
            store16(y1, a1);                                                                       \
        })

// Each listed row += this pixel's ∂y (32 channels). Rows of one list are distinct.
#define WEIGHT_GRAD_BODY(LIST)                                                                     \
    memset(dwt + (int64_t)kbBegin * g->inBlocks * g->kernelH * g->kernelW * 16 * KB, 0,           \
           sizeof(float) * (kbEnd - kbBegin) * g->inBlocks * g->kernelH * g->kernelW * 16 * KB);   \
    FOR_EACH_CHUNK_LIST(GRAD_GROUP, LIST,                                                          \
        float *ds = dwt + ((int64_t)kb * CB + cb) * slice;                                         \
        for (int i = 0; i < chunk; i++) {                                                          \
            const int32_t *list = lists + starts[i];                                               \
            const int count = starts[i + 1] - starts[i];                                           \
            const float *d = dy + outputs[i] + kbOffset;                                           \
            const v16 d0 = load16(d), d1 = load16(d + plane);                                      \
            for (int e = 0; e < count; e++) {                                                      \
                float *row = ds + list[e];                                                         \
                store16(row, load16(row) + d0);                                                    \
                store16(row + 16, load16(row + 16) + d1);                                          \
            }                                                                                      \
        })

SNN_CLONES static void forwardPortable(const uint16_t *masks, const float *wt, float *y,
                                       const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    FORWARD_BODY(LIST_PORTABLE)
}

SNN_CLONES static void weightGradPortable(const uint16_t *masks, const float *dy, float *dwt,
                                          const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    WEIGHT_GRAD_BODY(LIST_PORTABLE)
}

#ifdef SNN_X86
__attribute__((target("avx2,popcnt"))) static void forwardAVX2(const uint16_t *masks, const float *wt, float *y,
                                                                const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    FORWARD_BODY(LIST_AVX2)
}

__attribute__((target("avx2,popcnt"))) static void weightGradAVX2(const uint16_t *masks, const float *dy, float *dwt,
                                                                   const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    WEIGHT_GRAD_BODY(LIST_AVX2)
}

__attribute__((target("avx512f"))) static void forwardAVX512(const uint16_t *masks, const float *wt, float *y,
                                                             const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    FORWARD_BODY(LIST_AVX512)
}

__attribute__((target("avx512f"))) static void weightGradAVX512(const uint16_t *masks, const float *dy, float *dwt,
                                                                const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd) {
    WEIGHT_GRAD_BODY(LIST_AVX512)
}
#endif

// The widest build this CPU runs, detected once: 2 = AVX-512, 1 = AVX2, 0 = portable.
enum { BUILD_PORTABLE = 0, BUILD_AVX2 = 1, BUILD_AVX512 = 2 };
static int fastestBuild(void) {
#ifdef SNN_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") ? BUILD_AVX512
               : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") ? BUILD_AVX2 : BUILD_PORTABLE;
    }
    return cached;
#else
    return BUILD_PORTABLE;
#endif
}

int64_t snn_spike_masks(const float *x, int64_t planeBegin, int64_t planeEnd, int32_t height, int32_t width,
                        int32_t padding, float amplitude, uint16_t *masks, int32_t portable) {
#ifdef SNN_X86
    if (!portable && fastestBuild() == BUILD_AVX512)
        return masksAVX512(x, planeBegin, planeEnd, height, width, padding, amplitude, masks);
#endif
    return masksPortable(x, planeBegin, planeEnd, height, width, padding, amplitude, masks);
}

int32_t snn_spike_kernels_use_avx512(void) { return fastestBuild() == BUILD_AVX512; }
int32_t snn_spike_kernels_use_avx2(void) { return fastestBuild() == BUILD_AVX2; }

void snn_spike_conv_forward(const uint16_t *masks, const float *wt, float *y,
                            const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd, int32_t portable) {
#ifdef SNN_X86
    switch (portable ? BUILD_PORTABLE : fastestBuild()) {
    case BUILD_AVX512: forwardAVX512(masks, wt, y, g, kbBegin, kbEnd); return;
    case BUILD_AVX2: forwardAVX2(masks, wt, y, g, kbBegin, kbEnd); return;
    }
#endif
    forwardPortable(masks, wt, y, g, kbBegin, kbEnd);
}

void snn_spike_conv_weight_grad(const uint16_t *masks, const float *dy, float *dwt,
                                const snn_spike_geometry *g, int32_t kbBegin, int32_t kbEnd, int32_t portable) {
#ifdef SNN_X86
    switch (portable ? BUILD_PORTABLE : fastestBuild()) {
    case BUILD_AVX512: weightGradAVX512(masks, dy, dwt, g, kbBegin, kbEnd); return;
    case BUILD_AVX2: weightGradAVX2(masks, dy, dwt, g, kbBegin, kbEnd); return;
    }
#endif
    weightGradPortable(masks, dy, dwt, g, kbBegin, kbEnd);
}

// The scatter kernel. Each image is written by one caller; within it, every output value sums
// its contributions in the fixed order of the spikes (c block, h, w, bit l) and taps (r, s):
// the bits do not depend on how images are split between threads.
void snn_spike_pack_weights_scatter(const float *w, float *wk, const snn_spike_geometry *g, int32_t cBegin,
                                    int32_t cEnd, float scale) {
    const int C = g->inBlocks * 16, K = g->outBlocks32 * KB, R = g->kernelH, S = g->kernelW;
    for (int c = cBegin; c < cEnd; c++)
        for (int r = 0; r < R; r++)
            for (int s = 0; s < S; s++)
                for (int k = 0; k < K; k++)
                    wk[(((int64_t)c * R + r) * S + s) * K + k] = scale * w[(((int64_t)k * C + c) * R + r) * S + s];
}

SNN_WIDE_CLONES void snn_spike_conv_scatter(const uint16_t *masks, const float *wk, const float *bias, float *y,
                                            const snn_spike_geometry *g, int32_t imageBegin, int32_t imageEnd) {
    const int CB = g->inBlocks, R = g->kernelH, S = g->kernelW, st = g->stride, pad = g->padding;
    const int P = g->outH, Q = g->outW, K = g->outBlocks32 * KB, K16 = K / 16;
    const int64_t hp = g->height + 2 * pad, wp = g->width + 2 * pad;
    const int64_t plane = (int64_t)P * Q * 16;          // one 16-channel output block of an image
    for (int n = imageBegin; n < imageEnd; n++) {
        float *yn = y + (int64_t)n * K16 * plane;
        memset(yn, 0, sizeof(float) * K16 * plane);
        for (int cb = 0; cb < CB; cb++) {
            const uint16_t *mp = masks + ((int64_t)n * CB + cb) * hp * wp;
            for (int h = pad; h < pad + g->height; h++) {
                // The output rows this input row reaches: p·st + r = h with 0 ≤ r < R, 0 ≤ p < P.
                const int pLow = h - R + 1 <= 0 ? 0 : (h - R + st) / st, pHigh0 = h / st;
                const int pHigh = pHigh0 < P - 1 ? pHigh0 : P - 1;
                for (int w = pad; w < pad + g->width; w++) {
                    uint32_t m = mp[h * wp + w];
                    if (!m) continue;
                    const int qLow = w - S + 1 <= 0 ? 0 : (w - S + st) / st, qHigh0 = w / st;
                    const int qHigh = qHigh0 < Q - 1 ? qHigh0 : Q - 1;
                    while (m) {
                        const int l = __builtin_ctz(m);
                        m &= m - 1;
                        const float *wc = wk + (int64_t)(cb * 16 + l) * R * S * K;
                        for (int p = pLow; p <= pHigh; p++) {
                            const int r = h - p * st;
                            for (int q = qLow; q <= qHigh; q++) {
                                const float *row = wc + (r * S + (w - q * st)) * K;
                                float *out = yn + ((int64_t)p * Q + q) * 16;
                                for (int b = 0; b < K16; b++)
                                    store16(out + b * plane, load16(out + b * plane) + load16(row + b * 16));
                            }
                        }
                    }
                }
            }
        }
        if (bias)   // y + b, after the sums (as a separate bias pass adds it), while the image is in cache
            for (int b = 0; b < K16; b++) {
                const v16 shift = load16(bias + b * 16);
                float *out = yn + b * plane;
                for (int64_t px = 0; px < (int64_t)P * Q; px++) store16(out + px * 16, load16(out + px * 16) + shift);
            }
    }
}
