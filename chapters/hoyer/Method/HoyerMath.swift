// The Hoyer math of chapter-hoyer (NOTES.md §2.1): sums, extremum, regulariser and its
// gradient, the spike function and its surrogate, as free functions on tensors so that
// Tests/HoyerMethodTests can check them against closed forms and finite differences.

import Foundation
import SpikingNeurons
import TensorCore

// MARK: - Hoyer math (NOTES.md §2.1)
// For a non-negative map x (here: the clipped, θ-normalised membrane map),
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

/// S1 and S2 of the whole tensor x (x ≥ 0), read in storage order (any layout).
public func hoyerSums(_ x: Tensor) -> HoyerSums {
    let (l1, l2) = storageSums(x)
    return HoyerSums(l1: l1, l2Squared: l2)
}

/// S1 and S2 per channel of x `[N, C, …]` (over batch and pixels), one entry per channel;
/// row-major or channel-blocked x, one pass.
public func hoyerSumsPerChannel(_ x: Tensor) -> [HoyerSums] {
    precondition(x.rank >= 2, "hoyerSumsPerChannel needs [N, C, …], got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1]), inner = x.count / max(n * c, 1)
    var sums = [Double](repeating: 0, count: 2 * c)              // [S1, S2] per channel
    x.withUnsafeStorage { storage, layout in
        sums.withUnsafeMutableBufferPointer { out in
            let (X, O) = (SendablePointer(storage.baseAddress!), SendablePointer(out.baseAddress!))
            switch layout {
            case .rowMajor:
                parallelFor(c) { ch in                         // one channel per item
                    var s1 = 0.0, s2 = 0.0
                    for image in 0..<n {
                        let row = X.base + (image * c + ch) * inner
                        var a: Float = 0, b: Float = 0
                        for i in 0..<inner { a += row[i]; b += row[i] * row[i] }
                        s1 += Double(a); s2 += Double(b)
                    }
                    O.base[2 * ch] = s1; O.base[2 * ch + 1] = s2
                }
            case .channelBlocked16:
                parallelFor(c / 16) { block in                 // 16 channels (one lane each) per item
                    var s1 = [Double](repeating: 0, count: 16), s2 = s1
                    for image in 0..<n {
                        let plane = X.base + (image * (c / 16) + block) * inner * 16
                        var a = SIMD16<Float>(), b = SIMD16<Float>()
                        for p in 0..<inner {
                            let v = UnsafeRawPointer(plane + p * 16).loadUnaligned(as: SIMD16<Float>.self)
                            a += v; b += v * v
                        }
                        for l in 0..<16 { s1[l] += Double(a[l]); s2[l] += Double(b[l]) }
                    }
                    for l in 0..<16 {
                        O.base[2 * (block * 16 + l)] = s1[l]; O.base[2 * (block * 16 + l) + 1] = s2[l]
                    }
                }
            }
        }
    }
    return (0..<c).map { HoyerSums(l1: sums[2 * $0], l2Squared: sums[2 * $0 + 1]) }
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
/// (NOTES.md §2.2 step 4): ∂s/∂z = height on 0 < z ≤ 2, else 0. height = 0.5 in the Dec 2022
/// code (`grad_scale`), 1.0 in Sept 2022.
public func spikeSurrogate(_ z: Float, height: Float) -> Float {
    z > 0 && z <= 2 ? height : 0
}

/// o = [z ≥ threshold]: exactly 0 or 1, in z's layout. `thresholds` holds one value, or one
/// per channel of z `[N, C, …]`.
public func hoyerSpikes(_ z: Tensor, thresholds: [Float]) -> Tensor {
    if thresholds.count == 1 {
        let e = thresholds[0]
        return mapStorage(z) { zs, out, range in
            var i = range.lowerBound
            while i < range.upperBound {
                out[i] = zs[i] >= e ? 1 : 0
                i += 1
            }
        }
    }
    let (n, c) = (z.shape[0], z.shape[1]), inner = z.count / (n * c)
    precondition(thresholds.count == c, "\(thresholds.count) thresholds for \(c) channels")
    var spikes = Tensor(uninitializedShape: z.shape, layout: z.layout)
    z.withUnsafeStorage { zs, layout in
        spikes.withUnsafeMutableStorage { out, _ in
            let (Z, O) = (SendablePointer(zs.baseAddress!), SendablePointer(out.baseAddress!))
            switch layout {
            case .rowMajor:                                    // one (image, channel) row per item
                parallelFor(n * c) { row in
                    let e = thresholds[row % c]
                    for i in row * inner ..< (row + 1) * inner { O.base[i] = Z.base[i] >= e ? 1 : 0 }
                }
            case .channelBlocked16:                            // one (image, block) plane per item
                parallelFor(n * c / 16) { plane in
                    var e = SIMD16<Float>()
                    for l in 0..<16 { e[l] = thresholds[(plane % (c / 16)) * 16 + l] }
                    for p in 0..<inner {
                        let at = (plane * inner + p) * 16
                        let v = UnsafeRawPointer(Z.base + at).loadUnaligned(as: SIMD16<Float>.self)
                        let o = SIMD16<Float>(repeating: 0).replacing(with: 1, where: v .>= e)
                        UnsafeMutableRawPointer(O.base + at).storeBytes(of: o, as: SIMD16<Float>.self)
                    }
                }
            }
        }
    }
    return spikes
}

/// Σ aᵢ·bᵢ over a and b in a's layout (b is converted when its layout differs).
public func dot(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "dot of \(a.shape) and \(b.shape)")
    return Float(storageSums(a, times: b.converted(to: a.layout)).0)
}

// MARK: - Loop helpers (storage order: every function here is element-wise or a full sum, so
// it runs on a channel-blocked tensor as it is, and its result keeps that layout)

/// (Σ aᵢ·bᵢ, Σ aᵢ²) over the storage of a and b (one layout), or (Σ aᵢ, Σ aᵢ²) without b:
/// partial sums in Float over fixed blocks of 4096 elements, the blocks added in Double in
/// order, so the result does not depend on the number of workers.
func storageSums(_ a: Tensor, times b: Tensor? = nil) -> (Double, Double) {
    precondition(b == nil || (b!.layout == a.layout && b!.count == a.count))
    let block = 4096, blocks = (a.count + block - 1) / block
    var partials = [Double](repeating: 0, count: 2 * blocks)
    a.withUnsafeStorage { pa, _ in
        (b ?? a).withUnsafeStorage { pb, _ in
            partials.withUnsafeMutableBufferPointer { out in
                let (A, B, O) = (SendablePointer(pa.baseAddress!), SendablePointer(pb.baseAddress!),
                                 SendablePointer(out.baseAddress!))
                let product = b != nil
                parallelChunks(a.count, granularity: block) { range in
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(start + block, range.upperBound)
                        var s0: Float = 0, s1: Float = 0, q0: Float = 0, q1: Float = 0
                        var i = start
                        if product {
                            while i + 2 <= end {
                                s0 += A.base[i] * B.base[i]; s1 += A.base[i + 1] * B.base[i + 1]
                                q0 += A.base[i] * A.base[i]; q1 += A.base[i + 1] * A.base[i + 1]
                                i += 2
                            }
                            if i < end { s0 += A.base[i] * B.base[i]; q0 += A.base[i] * A.base[i] }
                        } else {
                            while i + 2 <= end {
                                s0 += A.base[i]; s1 += A.base[i + 1]
                                q0 += A.base[i] * A.base[i]; q1 += A.base[i + 1] * A.base[i + 1]
                                i += 2
                            }
                            if i < end { s0 += A.base[i]; q0 += A.base[i] * A.base[i] }
                        }
                        O.base[2 * (start / block)] = Double(s0 + s1)
                        O.base[2 * (start / block) + 1] = Double(q0 + q1)
                        start = end
                    }
                }
            }
        }
    }
    var first = 0.0, second = 0.0
    for k in 0..<blocks { first += partials[2 * k]; second += partials[2 * k + 1] }
    return (first, second)
}

/// A tensor of x's shape and layout whose storage `body(input, output, range)` writes, over
/// contiguous ranges of x's storage split between the workers. `body` must write every element
/// of its range.
///
/// `Tensor.map` / `zipMap` do the same with a per-element closure; across the module boundary
/// the compiler did not specialise them, so each element paid a closure call (perf: the spike
/// closure alone took 2.7 % of a Hoyer training run through `map`). Here the loop is the body.
public func mapStorage(
    _ x: Tensor,
    _ body: @escaping @Sendable (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void
) -> Tensor {
    var output = Tensor(uninitializedShape: x.shape, layout: x.layout)
    x.withUnsafeStorage { input, _ in
        output.withUnsafeMutableStorage { out, _ in
            let (source, target) = (SendablePointer(input.baseAddress!), SendablePointer(out.baseAddress!))
            parallelChunks(x.count) { range in body(source.base, target.base, range) }
        }
    }
    return output
}
