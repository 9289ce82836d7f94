import TensorCore

// Shuffling with the package's own generator, written out rather than taken from the
// standard library: `Array.shuffle(using:)` does not promise which random numbers it draws,
// so a toolchain update could change every "seeded" order. This file fixes the algorithm,
// and a test pins the permutation a given seed produces.

extension MutableCollection where Self: RandomAccessCollection {
    /// Shuffles in place with the Fisher–Yates (Durstenfeld) algorithm: for i from the last
    /// position down to 1, swap element i with a uniformly chosen element j ∈ [0, i].
    ///
    /// Every permutation is equally likely. Draws exactly `count − 1` bounded integers from
    /// `rng` (each with Lemire's unbiased multiply-and-reject), so the same seed gives the same
    /// order on every platform.
    ///
    /// - Complexity: O(n).
    public mutating func fisherYatesShuffle(using rng: inout SeededGenerator) {
        let n = count
        guard n > 1 else { return }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = _uniformIndex(below: UInt64(i + 1), using: &rng)
            swapAt(index(startIndex, offsetBy: i), index(startIndex, offsetBy: Int(j)))
        }
    }
}

/// A seeded random permutation of `0..<count` (Fisher–Yates on the identity).
///
///     var rng = SeededGenerator(seed: 1)
///     let order = seededPermutation(count: 60_000, using: &rng)  // each index exactly once
public func seededPermutation(count: Int, using rng: inout SeededGenerator) -> [Int] {
    var order = Array(0..<count)
    order.fisherYatesShuffle(using: &rng)
    return order
}

/// A uniform integer in `0..<bound` without modulo bias.
///
/// Lemire, "Fast random integer generation in an interval", ACM TOMACS 2019: the high word of
/// x·bound is uniform once x values whose low word falls below 2⁶⁴ mod bound are rejected.
@inline(__always)
func _uniformIndex(below bound: UInt64, using rng: inout SeededGenerator) -> UInt64 {
    precondition(bound > 0, "empty range")
    var product = rng.next().multipliedFullWidth(by: bound)
    if product.low < bound {
        let threshold = (0 &- bound) % bound
        while product.low < threshold {
            product = rng.next().multipliedFullWidth(by: bound)
        }
    }
    return product.high
}
