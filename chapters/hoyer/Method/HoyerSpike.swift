// The paper's contribution (NOTES.md §2.2, §2.3): the Hoyer spike layer, whose threshold is
// the Hoyer extremum of its own clipped membrane map, and the Hoyer regulariser that
// pushes membrane potentials away from that threshold.

import Foundation
import SpikingNeurons
import TensorCore
import NeuralNetworks
import Autodiff

// MARK: - Modes (NOTES.md §2.2 step 2, §2.3, §9)

/// Which threshold a spike layer compares z = h/|θ| with.
public enum ThresholdMode: String, Codable, Sendable, CaseIterable {
    /// E = 1: a plain trainable threshold θ (the ablation; NOTES.md run B).
    case fixed
    /// E = Hoyer extremum of the whole clipped map, one value per layer ("sum").
    case hoyerSum = "hoyer-sum"
    /// One E per channel over (batch, height, width) ("cw"); fully-connected spike layers
    /// keep "sum", as in the authors' training scripts.
    case hoyerChannelwise = "hoyer-channelwise"
}

/// Whether the regulariser's gradient reaches θ.
public enum RegulariserGradient: String, Codable, Sendable, CaseIterable {
    /// H(clip(h, 0, stopgrad |θ|)): gradient to h only (Dec 2022 VGG code, arXiv v1).
    case detachedThreshold = "detached"
    /// H(clip(h/|θ|, 0, 1)) with the gradient through z = h/|θ| (2023 code).
    case throughThreshold = "through-threshold"
}

// MARK: - The Hoyer spike layer (NOTES.md §2.2)

/// A one-time-step spiking layer whose threshold is the Hoyer extremum of its input map.
/// Symbols as in docs/notation.md: h is the input map (`u` in the code; at T = 1 the membrane
/// compared with the threshold), θ the trainable threshold (the paper's v_th), s the spike.
///
///     z = h / |θ|                         θ: one trainable scalar per layer, init 1
///     E = S2/S1 of clip(z, 0, 1)          training: this batch (no gradient through E)
///       = r                               inference: running estimate r ← 0.1·E + 0.9·r
///     s = [z ≥ E] ∈ {0, 1}                the output does not carry θ
///     ∂s/∂z = 0.5·[0 < z ≤ 2]            ∂z/∂h = 1/|θ|,  ∂z/∂θ = −z/θ
///
/// Guard: a map (or channel) with S1 = 0 would give E = 0/0; it uses E = 1 and leaves the
/// running estimate unchanged. Input `[N, C, H, W]` or `[N, F]`; output the same shape.
public final class HoyerSpike: OneStepSpikingLayer {
    public let threshold: Parameter               // θ [1] (the paper's v_th)
    private(set) var runningExtremum: Tensor   // r [1] or [C]
    public let mode: ThresholdMode
    public let surrogateHeight: Float
    /// α_H and the gradient route of this layer's regulariser term (α_H = 0: none).
    public let regularisation: Regularisation
    public let momentum: Float = 0.1

    public struct Regularisation: Codable, Equatable, Sendable {
        public var weight: Float
        public var gradient: RegulariserGradient

        public init(weight: Float, gradient: RegulariserGradient) {
            self.weight = weight
            self.gradient = gradient
        }
    }

    public init(channels: Int, mode: ThresholdMode, surrogateHeight: Float,
         regularisation: Regularisation) {
        threshold = Parameter(Tensor(shape: [1], scalars: [1]),
                              name: "hoyer.threshold", role: .threshold)
        let extrema = mode == .hoyerChannelwise ? channels : 1
        // The fixed mode's "extremum" is the constant 1.
        runningExtremum = Tensor(shape: [extrema], repeating: mode == .fixed ? 1 : 0)
        self.mode = mode
        self.surrogateHeight = surrogateHeight
        self.regularisation = regularisation
    }

    public var thresholdValue: Float { threshold.value[flat: 0] }
    /// s ∈ {0, 1}: the output does not carry θ.
    public var spikeValue: Float { 1 }
    /// One time step: at most one spike per neuron and image, no membrane carried.
    public var spikeLimitPerImage: Int? { 1 }
    public func copy() -> any SpikingLayer {
        let copy = HoyerSpike(channels: runningExtremum.count, mode: mode, surrogateHeight: surrogateHeight,
                              regularisation: regularisation)
        copy.threshold.value = threshold.value
        copy.runningExtremum = runningExtremum
        return copy
    }

    /// θ enters as |θ|, so any trained value is valid: nothing to clamp.
    public func clampTrainedParameters(minimumThreshold: Float, leak: ClosedRange<Float>) {}

    /// The E used at inference: the running estimate (one value, or one per channel).
    public var inferenceExtrema: [Float] { runningExtremum.scalars }

    /// What h itself is compared with at inference, |θ|·E per channel (or one for the layer):
    /// z = h/|θ| ≥ E ⇔ h ≥ |θ|·E, equal up to float rounding at the threshold. The fixed mode's
    /// E is 1. This is the threshold the NIR export writes (docs/nir.md §4).
    public var inferenceThresholds: [Float] {
        let scale = Swift.abs(thresholdValue)
        return (mode == .fixed ? [1] : inferenceExtrema).map { scale * $0 }
    }

    public func forward(_ u: Variable, context: inout ForwardContext) -> Variable {
        let z = u.value * (1 / Swift.abs(thresholdValue))          // z = h/|θ|
        guard context.phase == .training else {
            // Inference: o = [z ≥ r], no graph.
            let extrema = mode == .fixed ? [1] : inferenceExtrema
            return Variable(hoyerSpikes(z, thresholds: extrema))
        }
        let clipped = z.clamped(to: 0, 1)                          // z_c (no gradient)
        let layerSums = hoyerSums(clipped)
        let extrema: [Float]
        switch mode {
        case .fixed:
            extrema = [1]
        case .hoyerSum:
            extrema = [layerSums.extremum ?? 1]                    // guard: 0/0 → 1
            updateRunningExtremum([layerSums])
        case .hoyerChannelwise:
            let sums = hoyerSumsPerChannel(clipped)
            extrema = sums.map { $0.extremum ?? 1 }
            updateRunningExtremum(sums)
        }
        if regularisation.weight > 0 {
            let h = hoyerRegularisationTerm(u, z: z, sums: layerSums, threshold: threshold,
                                            gradient: regularisation.gradient)
            context.auxiliaryLosses.append(h * regularisation.weight)
        }
        return fire(u, z: z, extrema: extrema)
    }

    /// Forward s = [z ≥ E]; backward the straight-through surrogate of height c
    /// (`surrogateHeight`)
    ///
    ///     ∂s/∂z = c·[0 < z ≤ 2],  ∂z/∂h = 1/|θ|,  ∂z/∂θ = −z/θ
    ///
    /// so ∂L/∂hᵢ = gᵢ·c·[0 < zᵢ ≤ 2]/|θ| and ∂L/∂θ = −sign(θ)·Σᵢ ∂L/∂hᵢ·zᵢ.
    private func fire(_ u: Variable, z: Tensor, extrema: [Float]) -> Variable {
        let v = thresholdValue, factor = surrogateHeight / Swift.abs(v)
        return Variable.custom(hoyerSpikes(z, thresholds: extrema),
                               inputs: [u, threshold.variable]) { g in
            let du = g.converted(to: z.layout).withUnsafeStorage { gs, _ in
                let G = SendablePointer(gs.baseAddress!)
                return mapStorage(z) { zs, out, range in
                    var i = range.lowerBound
                    while i < range.upperBound {
                        out[i] = zs[i] > 0 && zs[i] <= 2 ? G.base[i] * factor : 0
                        i += 1
                    }
                }
            }
            let dv = -(v < 0 ? -1 : 1) * dot(du, z)
            return [du, Tensor(shape: [1], scalars: [dv])]
        }
    }

    /// r ← (1 − m)·r + m·E, skipping maps (channels) with S1 = 0.
    private func updateRunningExtremum(_ sums: [HoyerSums]) {
        var r = runningExtremum.scalars
        for (c, s) in sums.enumerated() {
            if let e = s.extremum { r[c] = (1 - momentum) * r[c] + momentum * e }
        }
        runningExtremum = Tensor(shape: [r.count], scalars: r)
    }

    public var parameters: [Parameter] { [threshold] }
    public var buffers: [Tensor] { [runningExtremum] }
    public func loadBuffers(_ values: [Tensor]) { runningExtremum = values[0] }
    public var summary: String {
        "HoyerSpike(\(mode.rawValue), v_th = \(thresholdValue), "
            + "λ_H = \(regularisation.weight))"
    }
}

// MARK: - The Hoyer regulariser term of one spike layer (NOTES.md §2.3)

/// α_H's term of one layer, H(clip(h, 0, |θ|)) = H(z_c) with z_c = clip(z, 0, 1)
/// (H is scale-invariant; `sums` are S1, S2 of z_c over the whole layer):
///
///     ∂H/∂hᵢ = (2·S1²/S2²)·(E − zᵢ)·[0 < zᵢ < 1] / |θ|
///     ∂H/∂θ  = −sign(θ)·Σᵢ (∂H/∂hᵢ)·zᵢ                     (through-threshold only)
///
/// Its stationary point is E of the same map: the "sum"-mode firing threshold. An
/// all-zero map gives H = 0 and no gradient.
public func hoyerRegularisationTerm(_ u: Variable, z: Tensor, sums: HoyerSums, threshold: Parameter,
                             gradient: RegulariserGradient) -> Variable {
    let v = threshold.value[flat: 0]
    let inputs = gradient == .throughThreshold ? [u, threshold.variable] : [u]
    return Variable.custom(Tensor(sums.regulariser), inputs: inputs) { g in
        guard let e = sums.extremum else { return inputs.map { _ in nil } }
        let factor = sums.gradientFactor * g.scalar / Swift.abs(v)
        let du = mapStorage(z) { zs, out, range in
            var i = range.lowerBound
            while i < range.upperBound {
                out[i] = zs[i] > 0 && zs[i] < 1 ? factor * (e - zs[i]) : 0
                i += 1
            }
        }
        guard gradient == .throughThreshold else { return [du] }
        return [du, Tensor(shape: [1], scalars: [-(v < 0 ? -1 : 1) * dot(du, z)])]
    }
}


extension Sequential {
    /// Every Hoyer spike layer with its position, in network order (the chapter reads their
    /// running extrema, which only this layer has).
    public var hoyerSpikes: [(index: Int, layer: HoyerSpike)] {
        layers.enumerated().compactMap { i, layer in (layer as? HoyerSpike).map { (i, $0) } }
    }
}
