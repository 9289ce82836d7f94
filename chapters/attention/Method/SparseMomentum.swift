// Sparse training by sparse momentum (Dettmers & Zettlemoyer 2019, arXiv:1907.04840), the
// sparse-learning engine of Kundu et al. (digest §2.3).
//
// DESTINED FOR NeuralNetworks (issue 11 asks for sparse training "usable by any chapter").
// It lives here only because NeuralNetworks is frozen while others build on it; nothing in
// this file depends on the attention chapter. TODO(api): move `SparseMomentum`,
// `regrowthAllocation`, `cosinePruneRate`, `magnitudeMasks` to NeuralNetworks/Sparsity.swift.

import Foundation
import NeuralNetworks

/// Prune rate of sparse momentum, cosine-annealed per training step (digest §2.3):
///
///     p(step) = p_min + (p₀ − p_min)·(1 + cos(π·step/total))/2
public func cosinePruneRate(step: Int, total: Int, initial: Double = 0.5, minimum: Double = 0.005) -> Double {
    let x = Double(min(step, total)) / Double(max(total, 1))
    return minimum + (initial - minimum) * (1 + cos(Double.pi * x)) / 2
}

/// Splits `total` regrown weights over layers in proportion to `scores` (the normalised mean
/// momentum r_l), never giving a layer more than `capacity[l]` (its zero slots); overflow goes
/// to the other layers in proportion to their scores, iteratively. Integer rounding uses the
/// largest remainders, so Σ result = min(total, Σ capacity) exactly.
///
///     g_l = r_l·K / Σ_{uncapped} r_k   (capped layers keep g_l = capacity_l)
public func regrowthAllocation(scores: [Double], total: Int, capacity: [Int]) -> [Int] {
    precondition(scores.count == capacity.count, "one score per layer")
    var allocation = [Int](repeating: 0, count: scores.count)
    var remaining = min(total, capacity.reduce(0, +))
    var open = Set(scores.indices.filter { capacity[$0] > 0 })
    while remaining > 0 && !open.isEmpty {
        let weight = open.reduce(0.0) { $0 + Swift.max(scores[$1], 0) }
        // Layers with zero score share equally if every open score is zero.
        let share: (Int) -> Double = { weight > 0 ? Swift.max(scores[$0], 0) / weight : 1 / Double(open.count) }
        let ideal = open.sorted().map { ($0, Double(remaining) * share($0)) }
        var given = 0
        var floors = ideal.map { ($0.0, Int($0.1.rounded(.down)), $0.1 - $0.1.rounded(.down)) }
        given = floors.reduce(0) { $0 + $1.1 }
        floors.sort { $0.2 > $1.2 }
        var extra = remaining - given
        for i in floors.indices where extra > 0 { floors[i].1 += 1; extra -= 1 }
        var progressed = false
        for (layer, amount, _) in floors {
            let room = capacity[layer] - allocation[layer]
            let take = Swift.min(amount, room)
            if take > 0 { progressed = true }
            allocation[layer] += take
            remaining -= take
            if allocation[layer] == capacity[layer] { open.remove(layer) }
        }
        if !progressed { break }
    }
    return allocation
}

/// One prune/regrow cycle's bookkeeping.
public struct RewiringReport: Codable, Sendable, Equatable {
    public var pruneRate: Double
    public var removed: [Int]
    public var regrown: [Int]
    /// Normalised mean |momentum| r_l over each layer's active weights.
    public var normalisedMomentum: [Double]
    public var nonZeroAfter: Int
    public var densitiesAfter: [Double]
}

/// Sparse momentum on a fixed set of weight tensors (every conv and linear weight):
///
/// - constant initialisation: each layer keeps round(d·n_l) random weights (so the global
///   budget N = Σ_l round(d·n_l) ≈ d·Σ n_l is exact and held for the whole run);
/// - after every optimiser step `Parameter.mask` is re-applied by the optimiser itself;
/// - `accumulate()` (call after `backward()`, before `optimizer.step`) keeps its own momentum
///   m ← μ·m + ∇W for EVERY weight, masked or not — the optimisers' velocity is private, so
///   this tracker mirrors SGD's buffer (TODO(api): expose `SGD.velocity(of:)`/`Adam` moments);
/// - `pruneAndRegrow(rate:)` at the end of an epoch: per layer remove ⌈p·nnz_l⌉ smallest |w|,
///   regrow the same total where |m| is largest among zero weights, split across layers by
///   r_l = mean_active|m_l| / Σ_k mean_active|m_k| (`regrowthAllocation`).
///   New weights start at 0. Σ masks == budget is checked after every cycle (precondition).
public final class SparseMomentum {
    public let weights: [Parameter]
    public let budget: Int
    public var momentumDecay: Float
    public private(set) var momentum: [Tensor]

    /// How the constant-density starting masks pick their round(d·n_l) weights per layer.
    public enum Initialisation: String, Codable, Sendable {
        /// Uniformly at random (Dettmers' "constant" init, for training from scratch).
        case random
        /// The largest |w| of each layer (for a student initialised from the meta-model) [proposed].
        case magnitude
        /// The largest |w| over all layers together (one-shot global magnitude pruning of the
        /// meta-model), then rewired; layer densities start non-uniform [proposed].
        case globalMagnitude
    }

    /// Constant-density masks at `density` on `weights` (every layer starts at d).
    public init(weights: [Parameter], density: Double, initialisation: Initialisation = .random,
                momentumDecay: Float = 0.9, using rng: inout SeededGenerator) {
        self.weights = weights
        self.momentumDecay = momentumDecay
        momentum = weights.map { Tensor(shape: $0.value.shape) }
        var total = 0
        if initialisation == .globalMagnitude {
            total = applyGlobalMagnitudeMasks(to: weights, density: density)
            budget = total
            return
        }
        for p in weights {
            let n = p.value.count
            let keep = Swift.max(1, Int((density * Double(n)).rounded()))
            var order = Array(0..<n)
            switch initialisation {
            case .random: order.shuffle(using: &rng)
            case .magnitude, .globalMagnitude:
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

    /// m ← μ·m + ∇W for every tracked weight with a gradient (dense: masked entries included).
    public func accumulate() {
        for (i, p) in weights.enumerated() {
            guard let g = p.grad else { continue }
            momentum[i].scale(by: momentumDecay)
            momentum[i].add(g)
        }
    }

    public var nonZeroCount: Int { weights.reduce(0) { $0 + Self.ones($1.mask) } }
    public var layerDensities: [Double] {
        weights.map { Double(Self.ones($0.mask)) / Double($0.value.count) }
    }

    static func ones(_ mask: Tensor?) -> Int {
        guard let mask else { return 0 }
        return mask.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    /// One prune → redistribute → regrow cycle (digest §2.3, steps 1–5).
    @discardableResult
    public func pruneAndRegrow(rate: Double) -> RewiringReport {
        // 1. Statistics over active weights.
        var meanMomentum: [Double] = []
        for (i, p) in weights.enumerated() {
            let (sum, count) = momentum[i].withUnsafeBufferPointer { m in
                p.mask!.withUnsafeBufferPointer { k in
                    var s = 0.0, c = 0
                    for j in 0..<m.count where k[j] != 0 { s += Double(Swift.abs(m[j])); c += 1 }
                    return (s, c)
                }
            }
            meanMomentum.append(count == 0 ? 0 : sum / Double(count))
        }
        let norm = meanMomentum.reduce(0, +)
        let scores = meanMomentum.map { norm > 0 ? $0 / norm : 1 / Double(weights.count) }
        // 2. Prune ⌈p·nnz_l⌉ smallest-magnitude active weights per layer.
        var removed: [Int] = []
        var masks = weights.map { $0.mask!.scalars }
        for (i, p) in weights.enumerated() {
            let values = p.value.scalars
            let active = masks[i].indices.filter { masks[i][$0] != 0 }
            let k = Swift.min(active.count - 1, Int((rate * Double(active.count)).rounded(.up)))
            guard k > 0 else { removed.append(0); continue }
            let smallest = active.sorted { Swift.abs(values[$0]) < Swift.abs(values[$1]) }.prefix(k)
            for j in smallest { masks[i][j] = 0 }
            removed.append(k)
        }
        // 3. Redistribute the removed count by normalised momentum.
        let capacity = masks.map { m in m.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }
        let regrow = regrowthAllocation(scores: scores, total: removed.reduce(0, +), capacity: capacity)
        // 4. Grow where |momentum| of a zero weight is largest.
        for (i, p) in weights.enumerated() where regrow[i] > 0 {
            let m = momentum[i].scalars
            let zeros = masks[i].indices.filter { masks[i][$0] == 0 }
            let best = zeros.sorted { Swift.abs(m[$0]) > Swift.abs(m[$1]) }.prefix(regrow[i])
            for j in best { masks[i][j] = 1 }
            _ = p
        }
        // 5. Re-apply; grown weights start at exactly 0 (their value was already masked to 0).
        for (i, p) in weights.enumerated() {
            p.mask = Tensor(shape: p.value.shape, scalars: masks[i])
            p.applyMask()
        }
        let count = nonZeroCount
        precondition(count == budget, "sparse momentum lost its budget: \(count) non-zeros for \(budget)")
        return RewiringReport(pruneRate: rate, removed: removed, regrown: regrow,
                              normalisedMomentum: scores, nonZeroAfter: count, densitiesAfter: layerDensities)
    }
}

/// One-shot global magnitude pruning (the baseline arm): keep the `round(d·N)` weights of
/// largest |w| over all `weights` together; sets and applies each `mask`. Returns the kept count.
@discardableResult
public func applyGlobalMagnitudeMasks(to weights: [Parameter], density: Double) -> Int {
    let all = weights.flatMap { $0.value.scalars.map { Swift.abs($0) } }
    let keep = Swift.max(1, Int((density * Double(all.count)).rounded()))
    let cutoff = all.sorted(by: >)[keep - 1]
    var budget = keep
    // Ties at the cutoff: keep the first ones met so the count is exact.
    for p in weights {
        let mask = p.value.scalars.map { v -> Float in
            if Swift.abs(v) > cutoff && budget > 0 { budget -= 1; return 1 }
            return 0
        }
        p.mask = Tensor(shape: p.value.shape, scalars: mask)
    }
    for p in weights where budget > 0 {
        var mask = p.mask!.scalars
        let values = p.value.scalars
        for j in mask.indices where budget > 0 && mask[j] == 0 && Swift.abs(values[j]) == cutoff {
            mask[j] = 1; budget -= 1
        }
        p.mask = Tensor(shape: p.value.shape, scalars: mask)
    }
    for p in weights { p.applyMask() }
    return keep - budget
}

/// The conv and linear weights of a network, in order (biases, thresholds, leaks excluded).
public func weightParameters(of network: Sequential) -> [Parameter] {
    network.layers.compactMap { layer in
        if let c = layer as? Conv2D { return c.weight }
        if let l = layer as? Linear { return l.weight }
        return nil
    }
}
