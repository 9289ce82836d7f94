import Foundation
import Autodiff
import TensorCore

// One-shot global magnitude pruning: the usual baseline for sparse training, and the
// starting mask of a sparse student initialised from a trained network.

/// Keeps the round(d·N) weights of largest |w| over all `weights` together (N = Σ numel),
/// sets every tensor's `mask` and zeroes the rest. Ties at the cut-off are broken in tensor
/// order, so exactly round(d·N) (at least 1) weights stay. Returns that count.
/// O(N log N).
@discardableResult
public func applyGlobalMagnitudeMasks(to weights: [Parameter], density: Double) -> Int {
    precondition(density > 0 && density <= 1, "density must be in (0, 1], got \(density)")
    let magnitudes = weights.flatMap { $0.value.scalars.map { Swift.abs($0) } }
    let keep = Swift.max(1, Int((density * Double(magnitudes.count)).rounded()))
    let cutoff = magnitudes.sorted(by: >)[keep - 1]
    var left = keep
    // Strictly above the cut-off first, then ties at it until the count is exact.
    for p in weights {
        let mask = p.value.scalars.map { v -> Float in
            if Swift.abs(v) > cutoff && left > 0 { left -= 1; return 1 }
            return 0
        }
        p.mask = Tensor(shape: p.value.shape, scalars: mask)
    }
    for p in weights where left > 0 {
        var mask = p.mask!.scalars
        let values = p.value.scalars
        for j in mask.indices where left > 0 && mask[j] == 0 && Swift.abs(values[j]) == cutoff {
            mask[j] = 1
            left -= 1
        }
        p.mask = Tensor(shape: p.value.shape, scalars: mask)
    }
    for p in weights { p.applyMask() }
    return keep - left
}

/// The expected number of weights each tensor keeps under `applyGlobalMagnitudeMasks` at
/// `density`, for weights at their initial scale (Kaiming-normal, w ~ N(0, σ_l²) with
/// σ_l² = 2/fanIn_l, fanIn = numel / rows): the cut-off t solves
///
///     Σ_l n_l·erfc(t / (σ_l·√2)) = d·N,     kept_l = n_l·erfc(t / (σ_l·√2))
///
/// A layer with a small σ_l (a large fully connected layer) loses almost everything first.
/// Training moves weights away from their initial scale, so this is a prediction from shapes
/// alone: it lets a density be checked before any training. O(layers · 100).
public func expectedGlobalMagnitudeKeep(of weights: [Parameter], density: Double) -> [Double] {
    let layers = weights.map { p -> (count: Double, sigma: Double) in
        let fanIn = p.value.count / p.value.shape[0]
        return (Double(p.value.count), (2 / Double(fanIn)).squareRoot())
    }
    let target = density * layers.reduce(0) { $0 + $1.count }
    func kept(_ t: Double) -> [Double] { layers.map { $0.count * erfc(t / ($0.sigma * 2.squareRoot())) } }
    var (low, high) = (0.0, 100.0)  // kept(t) falls from N to 0 as t grows
    for _ in 0..<100 {
        let t = (low + high) / 2
        if kept(t).reduce(0, +) > target { low = t } else { high = t }
    }
    return kept((low + high) / 2)
}
