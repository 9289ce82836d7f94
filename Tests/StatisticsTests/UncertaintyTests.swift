import Foundation
import Testing

import Statistics

/// Standard errors against hand-computed values, and the paired difference's defining
/// properties on seeded random outcomes.
@Suite struct UncertaintyTests {
    @Test func binomialStandardErrorMatchesTheClosedForm() {
        // √(0.9·0.1/500) = √0.00018 = 0.0134164…; √(0.5·0.5/100) = 0.05.
        #expect(abs(binomialStandardError(accuracy: 0.9, images: 500) - 0.013416408) < 1e-9)
        #expect(abs(binomialStandardError(accuracy: 0.5, images: 100) - 0.05) < 1e-12)
        #expect(binomialStandardError(accuracy: 1, images: 100) == 0)
        #expect(binomialStandardError(accuracy: 0.5, images: 0) == 0)
    }

    @Test func pairedDifferenceByHand() {
        // d = [0, 1, 0, 1, −1]: mean 0.2, Σ(d − 0.2)² = 2.8, sd = √(2.8/4) = 0.836660,
        // s.e. = 0.836660/√5 = 0.374166.
        let a = ImageOutcomes([true, true, false, true, false])
        let b = ImageOutcomes([true, false, false, false, true])
        let d = Difference.paired(a, b)
        #expect(abs(d.mean - 0.2) < 1e-12)
        #expect(abs(d.standardError - 0.3741657) < 1e-6)
        #expect(d.basis == .pairedImages(images: 5))
        #expect(Difference.paired(b, a) == d.negated)
    }

    @Test func unpairedDifferenceByHand() {
        // √(0.8·0.2/100 + 0.6·0.4/100) = √0.004 = 0.0632456.
        let d = Difference.unpaired(0.8, images: 100, 0.6, images: 100)
        #expect(abs(d.mean - 0.2) < 1e-12)
        #expect(abs(d.standardError - 0.0632456) < 1e-7)
        #expect(d.basis == .unpairedImages(images: 100))
    }

    @Test func spreadOverSeedsByHand() {
        // [1, 2, 3, 4]: mean 2.5, sd = √(5/3) = 1.290994, s.e. = sd/2 = 0.645497.
        let s = Spread([1, 2, 3, 4])
        #expect(s.mean == 2.5 && s.minimum == 1 && s.maximum == 4)
        #expect(abs(s.standardDeviation - 1.2909944) < 1e-7)
        #expect(abs(s.standardError - 0.6454972) < 1e-7)
        let d = Difference.overSeeds([1, 2, 3, 4])
        #expect(d.basis == .seeds(count: 4) && abs(d.standardError - 0.6454972) < 1e-7)
        #expect(Spread([0.7]).standardDeviation == 0)
    }

    /// Two classifiers that agree on most images: the paired mean is exactly the difference of
    /// the accuracies, and the paired s.e. is well below the unpaired one (the reason to pair).
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func pairingKeepsTheMeanAndShrinksTheError(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let a = (0..<2_000).map { _ in rng.uniform() < 0.85 }
        let b = a.map { rng.uniform() < 0.05 ? !$0 : $0 }          // 5 % of the answers flipped
        let (oa, ob) = (ImageOutcomes(a), ImageOutcomes(b))
        let paired = Difference.paired(oa, ob)
        let unpaired = Difference.unpaired(oa.accuracy, images: 2_000, ob.accuracy, images: 2_000)
        #expect(abs(paired.mean - (oa.accuracy - ob.accuracy)) < 1e-12)
        #expect(paired.standardError < 0.5 * unpaired.standardError,
                "paired \(paired.standardError) vs unpaired \(unpaired.standardError)")
    }

    /// The 2-s.e. rule on two classifiers of the same true accuracy, answering independently:
    /// "reproduced" (a spurious win of a) should come out in about 2.3 % of evaluations, and
    /// a true 4-point gap on 2,000 images (about 3 s.e.) should be found most of the time.
    @Test func theRuleHasItsStatedErrorRates() {
        var rng = SplitMix(seed: 42)
        func draw(_ p: Double) -> ImageOutcomes { ImageOutcomes((0..<2_000).map { _ in rng.uniform() < p }) }
        var spurious = 0, found = 0
        let trials = 400
        for _ in 0..<trials {
            let same = Difference.paired(draw(0.8), draw(0.8))
            if ClaimTest.outcome(value: same.mean, standardError: same.standardError) == .reproduced { spurious += 1 }
            let real = Difference.paired(draw(0.84), draw(0.8))
            if ClaimTest.outcome(value: real.mean, standardError: real.standardError) == .reproduced { found += 1 }
        }
        #expect(Double(spurious) / Double(trials) < 0.05, "\(spurious) spurious wins of \(trials)")
        #expect(Double(found) / Double(trials) > 0.8, "\(found) of \(trials) real gaps found")
    }
}

/// SplitMix64: a seeded generator for the tests (Statistics depends on nothing).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite struct BatchUncertaintyTests {
    /// A ratio measured on the whole set, its s.e. from four per-batch ratios [2, 3, 4, 3]:
    /// sd = √(2/3) = 0.816497, s.e. = sd/2 = 0.408248.
    @Test func perBatchValuesGiveTheStandardError() {
        let d = Difference.overBatches(estimate: 3.1, perBatch: [2, 3, 4, 3], images: 400)
        #expect(d.mean == 3.1 && d.basis == .batches(count: 4, images: 400))
        #expect(abs(d.standardError - 0.4082483) < 1e-7)
        #expect(Difference.overBatches(estimate: 1, perBatch: [1], images: 100).standardError == 0)
    }
}

/// The held-out selection rule the chapters share.
@Suite struct HeldOutChoiceTests {
    @Test func firstOfTheHighestAndNothingForNoCandidates() {
        #expect(indexOfFirstHighest([0.80, 0.82, 0.82, 0.81]) == 1)
        #expect(indexOfFirstHighest([0.9]) == 0)
        #expect(indexOfFirstHighest([]) == nil)
    }
}
