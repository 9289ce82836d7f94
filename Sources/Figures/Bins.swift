/// Histogram bins: `counts[i]` values fell in [`edges[i]`, `edges[i + 1]`).
public struct Bins: Sendable, Equatable {
    /// Increasing bin edges, `counts.count + 1` of them.
    public var edges: [Double]
    /// Count (or fraction) per bin.
    public var counts: [Double]

    /// Pre-binned data; `edges` must be increasing with one more entry than `counts`.
    public init(edges: [Double], counts: [Double]) {
        precondition(
            edges.count == counts.count + 1,
            "Bins: \(edges.count) edges for \(counts.count) counts (need counts + 1)")
        precondition(
            zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 }, "Bins: edges must increase")
        self.edges = edges
        self.counts = counts
    }

    /// Counts `values` into `binCount` equal-width bins spanning `range`.
    ///
    /// Bin i covers [lo + i·w, lo + (i+1)·w) with w = (hi − lo) / binCount; the last bin also
    /// includes hi. Values outside `range` and NaN are not counted (see `counts.reduce(0, +)`
    /// against your input size if that matters). O(n).
    public init<Values: Sequence>(values: Values, binCount: Int, range: ClosedRange<Double>)
    where Values.Element: BinaryFloatingPoint {
        precondition(binCount > 0, "Bins: binCount must be positive, got \(binCount)")
        precondition(range.lowerBound < range.upperBound, "Bins: empty range \(range)")
        let (lo, hi) = (range.lowerBound, range.upperBound)
        let width = (hi - lo) / Double(binCount)
        var counts = [Double](repeating: 0, count: binCount)
        for value in values {
            let v = Double(value)
            guard v >= lo && v <= hi else { continue }  // also drops NaN
            let bin = min(Int((v - lo) / width), binCount - 1)
            counts[bin] += 1
        }
        let edges = (0...binCount).map { $0 == binCount ? hi : lo + Double($0) * width }
        self.init(edges: edges, counts: counts)
    }

    /// The same bins with counts divided by their total, so they sum to 1 (fractions).
    /// Unchanged if the total is 0.
    public func normalized() -> Bins {
        let total = counts.reduce(0, +)
        guard total > 0 else { return self }
        return Bins(edges: edges, counts: counts.map { $0 / total })
    }
}
