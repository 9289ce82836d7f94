// Sparse training by sparse momentum (Dettmers & Zettlemoyer 2019, "Sparse Networks from
// Scratch: Faster Training without Losing Performance", arXiv:1907.04840; reference code
// `TimDettmers/sparse_learning`). A fixed budget of weights is trained; at the end of every
// epoch the smallest are pruned and as many are regrown where the momentum is largest.

import Autodiff
import TensorCore

/// One prune → redistribute → regrow cycle, as measured.
public struct RewiringReport: Codable, Sendable, Equatable {
    /// p, the fraction of each layer's active weights pruned.
    public var pruneRate: Double
    /// Weights pruned and regrown per layer (Σ removed = Σ regrown).
    public var removed: [Int]
    public var regrown: [Int]
    /// r_l, each layer's mean |momentum| over its active weights, normalised to sum to 1.
    public var normalisedMomentum: [Double]
    /// Active weights after the cycle (always the budget) and each layer's density.
    public var nonZeroAfter: Int
    public var densitiesAfter: [Double]
}

/// Sparse momentum on a fixed list of weight tensors (usually `weightParameters(of:)`).
///
/// - `init` sets each tensor's `Parameter.mask` so that N weights are active in total; N (the
///   budget) then never changes.
/// - Every optimiser step re-applies the masks (`Optimizer.step`), so masked weights stay
///   exactly zero: weight decay λ·w adds nothing to a zero weight, and whatever the update did
///   is multiplied by 0. The optimiser keeps updating the momentum of masked weights from
///   their (dense) gradient; regrowth reads it through `MomentumOptimizer.momentum(of:)`.
/// - `pruneAndRegrow(rate:momentum:)` at the end of an epoch (chapters/attention/NOTES.md §2.3 steps 1–5):
///   1. r_l = μ_l / Σ_k μ_k,  μ_l = mean |momentum| over layer l's active weights;
///   2. prune ⌈p·nnz_l⌉ active weights of smallest |w| in every layer;
///   3. share the K pruned weights out by r_l (`regrowthAllocation`), capped by free slots;
///   4. in every layer activate the g_l zero positions of largest |momentum|, value 0;
///   5. re-apply the masks; Σ masks = N is checked (precondition).
///
/// Cost per cycle: one sort of each layer's weights, O(n log n).
public final class SparseMomentum {
    /// How the starting masks choose their weights.
    public enum Initialisation: String, Codable, Sendable {
        /// round(d·n_l) weights of every layer, uniformly at random (Dettmers' "constant"
        /// initialisation, for training from scratch; every layer starts at density d).
        case random
        /// The round(d·n_l) weights of largest |w| of every layer (a student that starts from
        /// a trained network's weights).
        case magnitude
        /// The round(d·N) weights of largest |w| over all layers together (one-shot global
        /// magnitude pruning of a trained network); layer densities start non-uniform.
        case globalMagnitude
    }

    /// The masked tensors, in order.
    public let weights: [Parameter]
    /// N, the number of active weights, held for the whole run.
    public let budget: Int

    /// Sets masks at global density `density` ∈ (0, 1] on `weights` and zeroes the masked
    /// weights. `rng` is drawn from only by `.random`.
    public init(weights: [Parameter], density: Double, initialisation: Initialisation = .random,
                using rng: inout SeededGenerator) {
        precondition(density > 0 && density <= 1, "density must be in (0, 1], got \(density)")
        self.weights = weights
        switch initialisation {
        case .globalMagnitude:
            budget = applyGlobalMagnitudeMasks(to: weights, density: density)
        case .random, .magnitude:
            var total = 0
            for p in weights {
                let n = p.value.count
                let keep = Swift.max(1, Int((density * Double(n)).rounded()))
                var order = Array(0..<n)
                if initialisation == .random {
                    order.shuffle(using: &rng)
                } else {
                    let v = p.value.scalars
                    order.sort { Swift.abs(v[$0]) > Swift.abs(v[$1]) }
                }
                var mask = [Float](repeating: 0, count: n)
                for i in order.prefix(keep) { mask[i] = 1 }
                p.mask = Tensor(shape: p.value.shape, scalars: mask)
                p.applyMask()
                total += keep
            }
            budget = total
        }
    }

    /// Σ_l active weights (equals `budget` between cycles).
    public var nonZeroCount: Int { weights.reduce(0) { $0 + $1.activeCount } }

    /// Active fraction of every tensor, in order.
    public var layerDensities: [Double] {
        weights.map { Double($0.activeCount) / Double($0.value.count) }
    }

    /// One prune → redistribute → regrow cycle at prune rate `rate`, reading each weight's
    /// momentum from `optimizer` (which must have stepped every tensor at least once).
    @discardableResult
    public func pruneAndRegrow(rate: Double, momentum optimizer: some MomentumOptimizer) -> RewiringReport {
        let momenta = weights.map { p -> [Float] in
            guard let m = optimizer.momentum(of: p) else {
                preconditionFailure("pruneAndRegrow: the optimiser has not stepped \(p.name) yet")
            }
            return m.scalars
        }
        var masks = weights.map { $0.mask!.scalars }
        // 1. r_l from mean |momentum| over the active weights.
        let means = zip(momenta, masks).map { m, k -> Double in
            var sum = 0.0, count = 0
            for j in m.indices where k[j] != 0 { sum += Double(Swift.abs(m[j])); count += 1 }
            return count == 0 ? 0 : sum / Double(count)
        }
        let norm = means.reduce(0, +)
        let scores = means.map { norm > 0 ? $0 / norm : 1 / Double(weights.count) }
        // 2. Prune the ⌈p·nnz_l⌉ smallest |w| of each layer (a layer keeps at least one).
        var removed: [Int] = []
        for (i, p) in weights.enumerated() {
            let values = p.value.scalars
            let active = masks[i].indices.filter { masks[i][$0] != 0 }
            let k = Swift.min(active.count - 1, Int((rate * Double(active.count)).rounded(.up)))
            guard k > 0 else { removed.append(0); continue }
            for j in active.sorted(by: { Swift.abs(values[$0]) < Swift.abs(values[$1]) }).prefix(k) {
                masks[i][j] = 0
            }
            removed.append(k)
        }
        // 3. Share the removed count out by r_l.
        let capacity = masks.map { m in m.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }
        let regrown = regrowthAllocation(scores: scores, total: removed.reduce(0, +), capacity: capacity)
        // 4. Regrow where |momentum| of a zero weight is largest.
        for i in weights.indices where regrown[i] > 0 {
            let m = momenta[i]
            let zeros = masks[i].indices.filter { masks[i][$0] == 0 }
            for j in zeros.sorted(by: { Swift.abs(m[$0]) > Swift.abs(m[$1]) }).prefix(regrown[i]) {
                masks[i][j] = 1
            }
        }
        // 5. Re-apply: pruned weights become 0; regrown ones were masked, so they start at 0.
        for (i, p) in weights.enumerated() {
            p.mask = Tensor(shape: p.value.shape, scalars: masks[i])
            p.applyMask()
        }
        let count = nonZeroCount
        precondition(count == budget, "sparse momentum lost its budget: \(count) active for \(budget)")
        return RewiringReport(pruneRate: rate, removed: removed, regrown: regrown,
                              normalisedMomentum: scores, nonZeroAfter: count,
                              densitiesAfter: layerDensities)
    }
}
