// How sparse momentum spreads the weights it regrows over the layers.

/// Splits `total` regrown weights over layers in proportion to `scores` (sparse momentum's
/// normalised mean momentum r_l), never giving a layer more than `capacity[l]` (its zero
/// slots). The overflow of a full layer goes to the others in proportion to their scores,
/// iteratively; integer rounding gives the largest remainders one extra weight each.
///
///     g_l = r_l·K / Σ_{k not full} r_k     (a full layer keeps g_l = capacity_l)
///
/// Σ result = min(total, Σ capacity) exactly. Layers whose scores are all zero share equally.
/// O(layers²) at worst.
public func regrowthAllocation(scores: [Double], total: Int, capacity: [Int]) -> [Int] {
    precondition(scores.count == capacity.count, "one score per layer")
    var allocation = [Int](repeating: 0, count: scores.count)
    var remaining = Swift.min(total, capacity.reduce(0, +))
    var open = Set(scores.indices.filter { capacity[$0] > 0 })
    while remaining > 0 && !open.isEmpty {
        let weight = open.reduce(0.0) { $0 + Swift.max(scores[$1], 0) }
        let share: (Int) -> Double = {
            weight > 0 ? Swift.max(scores[$0], 0) / weight : 1 / Double(open.count)
        }
        // Floors first, then one more for the largest remainders, so the shares sum to `remaining`.
        var shares = open.sorted().map { layer -> (layer: Int, amount: Int, remainder: Double) in
            let ideal = Double(remaining) * share(layer)
            return (layer, Int(ideal.rounded(.down)), ideal - ideal.rounded(.down))
        }
        var extra = remaining - shares.reduce(0) { $0 + $1.amount }
        for i in shares.indices.sorted(by: { shares[$0].remainder > shares[$1].remainder })
        where extra > 0 {
            shares[i].amount += 1
            extra -= 1
        }
        var progressed = false
        for (layer, amount, _) in shares {
            let take = Swift.min(amount, capacity[layer] - allocation[layer])
            if take > 0 { progressed = true }
            allocation[layer] += take
            remaining -= take
            if allocation[layer] == capacity[layer] { open.remove(layer) }
        }
        if !progressed { break }
    }
    return allocation
}
