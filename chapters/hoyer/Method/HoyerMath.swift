// The Hoyer math of chapter-hoyer (digest §2.1): sums, extremum, regulariser and its
// gradient, the spike function and its surrogate, as free functions on tensors so that
// Tests/HoyerMethodTests can check them against closed forms and finite differences.

import Foundation
import SpikingNeurons

// MARK: - Hoyer math (digest §2.1)
// For a non-negative map x (here: the clipped, v_th-normalised membrane map),
//   S1 = Σ xᵢ    S2 = Σ xᵢ²
//   H(x) = S1² / S2        Hoyer regulariser: (‖x‖₁/‖x‖₂)²; H(c·x) = H(x);
//                          for a binary x, H = the number of ones
//   E(x) = S2 / S1         Hoyer extremum: ‖x‖₂²/‖x‖₁; mean(x > 0) ≤ E ≤ max x
//   ∂H/∂xᵢ = (2·S1²/S2²)·(E − xᵢ)
// so gradient descent on H lowers every element below E and raises every element above
// it: E is the one per-element stationary point of H.

/// The two sums S1 = Σ xᵢ and S2 = Σ xᵢ² from which H, E and ∂H/∂x follow.
public struct HoyerSums: Equatable, Sendable {
    public var l1: Double
    public var l2Squared: Double

    public init(l1: Double, l2Squared: Double) {
        self.l1 = l1
        self.l2Squared = l2Squared
    }

    /// E = S2/S1, or nil for an all-zero map (0/0; see the guard in `HoyerSpike`).
    public var extremum: Float? { l1 > 0 ? Float(l2Squared / l1) : nil }
    /// H = S1²/S2 (0 for an all-zero map).
    public var regulariser: Float { l2Squared > 0 ? Float(l1 * l1 / l2Squared) : 0 }
    /// 2·S1²/S2², the factor in ∂H/∂xᵢ = factor·(E − xᵢ).
    public var gradientFactor: Float {
        l2Squared > 0 ? Float(2 * l1 * l1 / (l2Squared * l2Squared)) : 0
    }
}

/// S1 and S2 of the whole tensor x (x ≥ 0).
public func hoyerSums(_ x: Tensor) -> HoyerSums {
    HoyerSums(l1: Double(x.sum()), l2Squared: Double(dot(x, x)))
}

/// S1 and S2 per channel of x `[N, C, …]` (over batch and pixels), one entry per channel.
public func hoyerSumsPerChannel(_ x: Tensor) -> [HoyerSums] {
    zip(x.sumPerChannel().scalars, x.squared().sumPerChannel().scalars).map {
        HoyerSums(l1: Double($0), l2Squared: Double($1))
    }
}

/// E(x) = Σxᵢ²/Σxᵢ for x ≥ 0; nil when every element is 0.
public func hoyerExtremum(_ x: Tensor) -> Float? { hoyerSums(x).extremum }

/// H(x) = (Σxᵢ)²/Σxᵢ² for x ≥ 0; 0 when every element is 0.
public func hoyerRegulariser(_ x: Tensor) -> Float { hoyerSums(x).regulariser }

/// ∂H/∂xᵢ = (2·S1²/S2²)·(E − xᵢ) for x ≥ 0 (all zeros for an all-zero map).
public func hoyerRegulariserGradient(_ x: Tensor) -> Tensor {
    let sums = hoyerSums(x)
    guard let e = sums.extremum else { return Tensor(shape: x.shape) }
    return (x - e) * (-sums.gradientFactor)
}

/// The straight-through surrogate of the spike function in the normalised potential z
/// (digest §2.2 step 4): ∂o/∂z = height on 0 < z ≤ 2, else 0. height = 0.5 in the Dec 2022
/// code (`grad_scale`), 1.0 in Sept 2022.
public func spikeSurrogate(_ z: Float, height: Float) -> Float {
    z > 0 && z <= 2 ? height : 0
}

/// o = [z ≥ threshold]: exactly 0 or 1. `thresholds` holds one value, or one per channel of
/// z `[N, C, …]`.
public func hoyerSpikes(_ z: Tensor, thresholds: [Float]) -> Tensor {
    var spikes = Tensor(shape: z.shape)
    forEachThresholdSegment(of: z, thresholds: thresholds, writing: &spikes) {
        zs, out, range, e in
        var i = range.lowerBound
        while i < range.upperBound {
            out[i] = zs[i] >= e ? 1 : 0
            i += 1
        }
    }
    return spikes
}

/// Σ aᵢ·bᵢ (one BLAS call).
public func dot(_ a: Tensor, _ b: Tensor) -> Float {
    Tensor.matmul(a.reshaped([1, a.count]), .none, b.reshaped([b.count, 1]), .none).scalar
}

// MARK: - Loop helper

/// Runs `body(input, output, range, threshold)` over the element ranges of `x` that share
/// one threshold: the whole tensor (split over the workers) for one threshold, or each
/// `[channel, pixels]` row of `[N, C, …]` for one threshold per channel.
public func forEachThresholdSegment(
    of x: Tensor, thresholds: [Float], writing output: inout Tensor,
    _ body: @escaping @Sendable (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                  Range<Int>, Float) -> Void
) {
    precondition(output.count == x.count, "output has \(output.count) elements")
    let count = x.count
    x.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
            let source = SendablePointer(input.baseAddress!)
            let target = SendablePointer(out.baseAddress!)
            if thresholds.count == 1 {
                let e = thresholds[0]
                parallelChunks(count) { range in body(source.base, target.base, range, e) }
                return
            }
            let channels = x.shape[1]
            precondition(thresholds.count == channels,
                         "\(thresholds.count) thresholds for \(channels) channels")
            let inner = count / (x.shape[0] * channels)
            parallelFor(count / inner) { row in
                body(source.base, target.base, row * inner..<(row + 1) * inner,
                     thresholds[row % channels])
            }
        }
    }
}
