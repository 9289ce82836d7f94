// The uncertainty of an accuracy and of a difference of two: binomial on one evaluation set,
// paired when both classifiers saw the same images, or over training seeds.

import Foundation

/// The standard error of an accuracy p measured on n independent images: √(p(1 − p)/n).
///
/// 0 when n = 0 (nothing measured, nothing to spread). One image of 500 is 0.2 points; at
/// p = 0.9 the s.e. on 500 images is 1.34 points, on 10,000 images 0.30.
public func binomialStandardError(accuracy p: Double, images n: Int) -> Double {
    guard n > 0 else { return 0 }
    let q = Swift.min(Swift.max(p, 0), 1)
    return (q * (1 - q) / Double(n)).squareRoot()
}

/// How a difference's standard error was obtained.
public enum UncertaintyBasis: Codable, Equatable, Sendable {
    /// Both classifiers on the same `images` test images: the s.e. of the mean of the
    /// per-image differences dᵢ = aᵢ − bᵢ, sd(d)/√n.
    case pairedImages(images: Int)
    /// Only the two accuracies are known (on `images` images each): √(s.e.ₐ² + s.e._b²),
    /// which ignores their correlation (for two classifiers on the same images it is usually
    /// larger than the paired s.e.).
    case unpairedImages(images: Int)
    /// The mean of one paired difference per training seed: sd over seeds / √seeds.
    case seeds(count: Int)
    /// A quantity measured on `count` disjoint groups (batches) of the same evaluation set,
    /// every group seen by both sides: sd over groups / √groups (the groups' means as draws).
    case batches(count: Int, images: Int)
    /// A count over the evaluation set (spikes, operations, energy) whose image-to-image
    /// spread was not recorded: no standard error estimated (shown as 0).
    case notEstimated(reason: String)

    /// One phrase for tables: "paired, 500 images".
    public var phrase: String {
        switch self {
        case .pairedImages(let n): "paired over \(n) images"
        case .unpairedImages(let n): "unpaired, \(n) images each (per-image outcomes not recorded)"
        case .seeds(let k): "over \(k) training seeds"
        case .batches(let k, let n): "over \(k) batches of the \(n) images"
        case .notEstimated(let reason): "no s.e. estimated: \(reason)"
        }
    }
}

/// A difference a − b with its standard error.
public struct Difference: Codable, Equatable, Sendable {
    /// The estimate of a − b (in the unit of the inputs: fractions for accuracies).
    public var mean: Double
    /// Its standard error.
    public var standardError: Double
    public var basis: UncertaintyBasis

    public init(mean: Double, standardError: Double, basis: UncertaintyBasis) {
        self.mean = mean
        self.standardError = standardError
        self.basis = basis
    }

    /// This difference plus a constant (a margin): same standard error.
    public func shifted(by constant: Double) -> Difference {
        Difference(mean: mean + constant, standardError: standardError, basis: basis)
    }

    /// Minus this difference (b − a): same standard error.
    public var negated: Difference {
        Difference(mean: -mean, standardError: standardError, basis: basis)
    }

    /// The paired difference of two classifiers on the same images:
    ///
    ///     dᵢ = [a right on i] − [b right on i] ∈ {−1, 0, 1},   mean = (1/n)·Σ dᵢ,
    ///     s.e. = sd(d)/√n,   sd(d)² = Σ (dᵢ − mean)² / (n − 1)
    ///
    /// Images both get right or both get wrong add nothing to the spread, which is why the
    /// paired s.e. is usually well below the unpaired one.
    ///
    /// - Precondition: both evaluated the same number of images (the same images, in order).
    public static func paired(_ a: ImageOutcomes, _ b: ImageOutcomes) -> Difference {
        precondition(a.count == b.count, "a paired difference needs the same images (\(a.count) vs \(b.count))")
        return paired(perImage: (0..<a.count).map { (a[$0] ? 1 : 0) - (b[$0] ? 1.0 : 0) })
    }

    /// The mean of per-image differences `d` (any real values, e.g. a difference of two
    /// gaps) and its standard error sd(d)/√n, paired over those images.
    public static func paired(perImage d: [Double]) -> Difference {
        let spread = Spread(d.isEmpty ? [0] : d)
        return Difference(mean: spread.mean, standardError: d.count > 1 ? spread.standardError : 0,
                          basis: .pairedImages(images: d.count))
    }

    /// Two accuracies known only as numbers: a − b with √(s.e.ₐ² + s.e._b²) (binomial s.e.
    /// of each on its images).
    public static func unpaired(_ a: Double, images na: Int, _ b: Double, images nb: Int) -> Difference {
        let sa = binomialStandardError(accuracy: a, images: na)
        let sb = binomialStandardError(accuracy: b, images: nb)
        return Difference(mean: a - b, standardError: (sa * sa + sb * sb).squareRoot(),
                          basis: .unpairedImages(images: Swift.min(na, nb)))
    }

    /// `estimate` (the quantity on the whole evaluation set) with the standard error of the
    /// mean of its per-batch values, sd(perBatch)/√B: for counts (spikes, energy) whose
    /// per-image spread is not recorded but whose per-batch values are, on the same batches
    /// for both sides. `images`: the whole evaluation set.
    public static func overBatches(estimate: Double, perBatch: [Double], images: Int) -> Difference {
        let spread = Spread(perBatch.isEmpty ? [0] : perBatch)
        return Difference(mean: estimate, standardError: perBatch.count > 1 ? spread.standardError : 0,
                          basis: .batches(count: perBatch.count, images: images))
    }

    /// The mean of one difference per training seed and its standard error sd/√k.
    public static func overSeeds(_ perSeed: [Double]) -> Difference {
        let spread = Spread(perSeed.isEmpty ? [0] : perSeed)
        return Difference(mean: spread.mean, standardError: spread.standardError,
                          basis: .seeds(count: perSeed.count))
    }
}

/// Mean, sample standard deviation, standard error of the mean and range of a few
/// measurements (e.g. one per training seed).
public struct Spread: Codable, Equatable, Sendable {
    public var mean: Double
    /// Sample standard deviation (divisor n − 1); 0 for a single value.
    public var standardDeviation: Double
    /// standardDeviation / √n: the uncertainty of `mean`.
    public var standardError: Double
    public var minimum: Double
    public var maximum: Double

    /// - Precondition: `values` is not empty.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "Spread of no values")
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        standardDeviation = values.count > 1 ? (squares / (n - 1)).squareRoot() : 0
        standardError = standardDeviation / n.squareRoot()
        minimum = values.min()!
        maximum = values.max()!
    }
}
