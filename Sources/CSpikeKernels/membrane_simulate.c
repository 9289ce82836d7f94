// The membrane recurrence of a simulation (inference): charge, fire, reset, write the output
// and count, in one pass per step. See include/spike_kernels.h for the contract; the Swift
// caller is `MembraneRecurrence.simulate` (Sources/TensorCore/MembraneRecurrence.swift), whose
// training forward does the same arithmetic.
//
// Every product is rounded, then added (the pragma forbids fused multiply-adds), in the same
// expression order as the Swift kernels, so every build (AVX-512, AVX2, portable) gives the
// bits of `MembraneRecurrence.forward`.
#pragma STDC FP_CONTRACT OFF
#include "spike_kernels.h"
#include "kernel_builds.h"

SNN_WIDE_CLONES void snn_membrane_simulate(const float *x, int64_t inputStride, float *u, float *counts,
                                           float *output, int64_t outputStride, int64_t neurons,
                                           int32_t timesteps, float threshold, float leak, float keepCharge,
                                           float amplitude, int64_t *firedPerStep) {
    const float resetCharge = 1 - keepCharge;
    for (int32_t t = 0; t < timesteps; t++) {
        const float *xt = x + t * inputStride;
        float *ot = output + t * outputStride;
        int32_t fired = 0;
        for (int64_t i = 0; i < neurons; i++) {
            const float charged = leak * u[i];
            const float h = charged + xt[i];
            const float spike = h >= threshold ? 1.0f : 0.0f;
            ot[i] = spike * amplitude;
            counts[i] += spike;
            fired += h >= threshold;
            const float kept = keepCharge * threshold;
            const float dropped = resetCharge * h;
            const float removed = kept + dropped;
            const float taken = spike * removed;
            u[i] = h - taken;
        }
        firedPerStep[t] += fired;
    }
}
