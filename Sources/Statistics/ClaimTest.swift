// A paper's claim as a rule in code: one measured effect, its standard error, and an outcome
// generated from the two (docs/conventions.md C1.4). No verdict is written by hand.

import Foundation

/// What a claim test concluded.
public enum ClaimOutcome: String, Codable, Sendable, CaseIterable {
    /// The effect lies more than `ClaimTest.significance` standard errors in the claimed
    /// direction.
    case reproduced
    /// The effect lies more than that many standard errors in the opposite direction.
    case notReproduced
    /// Neither: the measurement cannot tell the claim from its opposite.
    case inconclusive

    /// "reproduced", "not reproduced", "inconclusive".
    public var phrase: String {
        switch self {
        case .reproduced: "reproduced"
        case .notReproduced: "not reproduced"
        case .inconclusive: "inconclusive"
        }
    }
}

/// One claim of a paper tested on this run's measurements.
///
/// Every effect is oriented so that a **positive** value is what the paper claims: "A beats
/// B" measures acc(A) − acc(B); "A stays within m points of B" measures m − (acc(B) − acc(A)).
/// The outcome follows from the effect e, its standard error s and how s was obtained:
///
///     e > k·s  → reproduced
///     e < −k·s → not reproduced
///     else     → inconclusive
///
/// k = `significance` = 2 when s comes from hundreds or thousands of test images (or batches),
/// where the mean is close to normal; k = t₀.₉₇₅(n − 1), Student's two-sided 95 % quantile,
/// when s comes from n training seeds (`UncertaintyBasis.seeds`): with 3 seeds that is 4.30,
/// since an s.e. estimated from 3 values is itself uncertain (`criticalValue(for:)`).
/// With s = 0 (an exact count) the outcome is the sign of e (0 is inconclusive).
///
/// ```swift
/// let test = ClaimTest(
///     id: "subtraction-beats-zero-reset",
///     claim: "reset by subtraction keeps the charge above θ, so it ends above reset to zero",
///     source: "Rueckauer et al. 2017, Sec. 2.2",
///     effect: "accuracy at T = 256, max-norm: subtraction − zero (points)",
///     difference: .paired(subtraction, zero), unit: .points, seeds: 1)
/// test.outcome     // .reproduced when the paired difference exceeds 2 s.e.
/// ```
public struct ClaimTest: Codable, Equatable, Sendable {
    /// The factor k of the rule (effects beyond k standard errors decide).
    public static let significance = 2.0

    /// The rule, in words, as results.json and the README blocks state it (for a standard
    /// error over test images or batches; `rule(for:)` gives the one over seeds).
    public static let rule = "effect > 2 s.e. in the claimed direction → reproduced; "
        + "effect < −2 s.e. (the opposite direction beyond 2 s.e.) → not reproduced; "
        + "otherwise inconclusive"

    /// How many standard errors decide for an s.e. obtained as `basis` says: Student's
    /// t₀.₉₇₅(n − 1) for n ≥ 2 seeds, `significance` otherwise.
    public static func criticalValue(for basis: UncertaintyBasis) -> Double {
        if case .seeds(let n) = basis, n >= 2 { return tCritical95(degreesOfFreedom: n - 1) }
        return significance
    }

    /// The rule in words for an s.e. obtained as `basis` says (`rule` unless over seeds).
    public static func rule(for basis: UncertaintyBasis) -> String {
        guard case .seeds(let n) = basis, n >= 2 else { return rule }
        let t = String(format: "%.2f", criticalValue(for: basis))
        return "effect > \(t) s.e. in the claimed direction → reproduced; effect < −\(t) s.e. → not reproduced; "
            + "otherwise inconclusive (\(t) = Student's t at 95 %, two-sided, with \(n - 1) degrees of freedom: "
            + "the s.e. comes from \(n) training seeds)"
    }

    /// A short key, stable across runs ("percentile-99.9-faster-than-max-norm").
    public var id: String
    /// The paper's claim in the project's words (the paper's, not a measurement).
    public var claim: String
    /// Where the claim comes from: the paper and section, or the method notes.
    public var source: String
    /// What was measured, oriented so that positive = as claimed, with its T and images.
    public var effect: String
    /// The effect's value and standard error, in `unit`.
    public var value: Double
    public var standardError: Double
    public var unit: Unit
    /// How the standard error was obtained.
    public var uncertainty: UncertaintyBasis
    /// `ClaimTest.rule`.
    public var rule: String
    public var outcome: ClaimOutcome
    /// Training seeds behind the effect (1: a single seed, so the s.e. is over images only).
    public var seeds: Int
    /// Test images each side of the effect was measured on.
    public var images: Int

    /// The unit of `value` and `standardError`.
    public enum Unit: String, Codable, Sendable {
        /// Accuracy (or rate) differences in percentage points.
        case points
        /// A dimensionless ratio or count.
        case ratio
    }

    /// A claim test from a difference (in fractions for `.points`: it is shown × 100).
    ///
    /// - Parameters:
    ///   - difference: the effect, positive = as claimed, with its s.e. and basis.
    ///   - images: test images behind each side; by default read from the basis.
    public init(id: String, claim: String, source: String, effect: String, difference: Difference,
                unit: Unit = .points, seeds: Int, images: Int? = nil) {
        let scale = unit == .points ? 100.0 : 1.0
        self.id = id
        self.claim = claim
        self.source = source
        self.effect = effect
        value = scale * difference.mean
        standardError = scale * difference.standardError
        self.unit = unit
        uncertainty = difference.basis
        rule = Self.rule(for: difference.basis)
        outcome = Self.outcome(value: value, standardError: standardError, basis: difference.basis)
        self.seeds = seeds
        switch difference.basis {
        case .pairedImages(let n), .unpairedImages(let n), .batches(_, let n): self.images = images ?? n
        case .seeds, .notEstimated: self.images = images ?? 0
        }
    }

    /// The rule: beyond `criticalValue(for: basis)` standard errors on either side decides
    /// (`significance` when no basis is given).
    public static func outcome(value: Double, standardError: Double,
                               basis: UncertaintyBasis? = nil) -> ClaimOutcome {
        guard value.isFinite, standardError.isFinite else { return .inconclusive }
        let margin = (basis.map(criticalValue(for:)) ?? significance) * Swift.max(standardError, 0)
        if value > margin { return .reproduced }
        if value < -margin { return .notReproduced }
        return .inconclusive
    }

    /// Whether the stored outcome is the one the rule gives for the stored effect (a hand-edited
    /// or stale record fails this).
    public var followsRule: Bool {
        outcome == Self.outcome(value: value, standardError: standardError, basis: uncertainty)
            && rule == Self.rule(for: uncertainty)
    }
}

/// The two-sided 95 % critical value of Student's t with `degreesOfFreedom` (1…30 tabulated,
/// 1.96 beyond): how many standard errors a mean of few seeds must clear at 95 %.
public func tCritical95(degreesOfFreedom: Int) -> Double {
    let table: [Double] = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23,
                           2.20, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.10, 2.09, 2.09,
                           2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]
    guard degreesOfFreedom >= 1 else { return .infinity }
    return degreesOfFreedom <= table.count ? table[degreesOfFreedom - 1] : 1.96
}
