import Foundation
import Testing

import Statistics

/// "Stays within" on curves that touch the band and leave it, and the claim rule's outcomes.
@Suite struct ClaimTestTests {
    @Test func aCurveThatTouchesTheBandAndDropsOutDoesNotCount() {
        // ANN 0.86: band ≥ 0.85. T = 2 touches it, T = 3 leaves, from T = 4 on it stays.
        let curve = [0.50, 0.855, 0.84, 0.86, 0.85, 0.87]
        #expect(firstTimestepStaying(atLeast: 0.85, inCurve: curve) == 4)
        // The first-touch rule would have said T = 2.
        #expect(curve.firstIndex { $0 >= 0.85 }.map { $0 + 1 } == 2)
        // Ending below the band: never.
        #expect(firstTimestepStaying(atLeast: 0.85, inCurve: [0.86, 0.87, 0.84]) == nil)
        // Above everywhere: T = 1.
        #expect(firstTimestepStaying(atLeast: 0.5, inCurve: [0.6, 0.7]) == 1)
        #expect(firstTimestepStaying(atLeast: 0.5, inCurve: []) == nil)
    }

    @Test func sparseGridsUseTheirOwnTimesteps() {
        let points = [(1, 0.5), (2, 0.86), (4, 0.84), (8, 0.86), (16, 0.87)]
        #expect(firstTimestepStaying(atLeast: 0.85, in: points.map { (timesteps: $0.0, accuracy: $0.1) }) == 8)
    }

    @Test(arguments: [
        (3.0, 1.0, ClaimOutcome.reproduced),
        (2.0, 1.0, .inconclusive),           // exactly 2 s.e.: not beyond
        (2.01, 1.0, .reproduced),
        (-1.5, 1.0, .inconclusive),
        (-2.5, 1.0, .notReproduced),
        (0.1, 0.0, .reproduced),             // an exact count: its sign
        (0.0, 0.0, .inconclusive),
        (-0.1, 0.0, .notReproduced),
        (Double.nan, 1.0, .inconclusive),
    ])
    func theRuleDecidesBeyondTwoStandardErrors(value: Double, standardError: Double, expected: ClaimOutcome) {
        #expect(ClaimTest.outcome(value: value, standardError: standardError) == expected)
    }

    /// Over n training seeds the bar is Student's t₀.₉₇₅(n − 1) standard errors, not 2: a mean
    /// of three seeds 3 s.e. above zero is inconclusive (t = 4.30), one 5 s.e. above is reproduced;
    /// the same 3 s.e. over test images is reproduced. The stored rule names the bar.
    @Test func overSeedsTheBarIsStudentsT() {
        #expect(tCritical95(degreesOfFreedom: 2) == 4.30 && tCritical95(degreesOfFreedom: 4) == 2.78)
        #expect(tCritical95(degreesOfFreedom: 200) == 1.96)
        let spread = [0.01, 0.04, 0.07]                                     // mean 4 points, s.e. √3 points
        let threeSE = ClaimTest(id: "x", claim: "c", source: "s", effect: "e",
                                difference: .overSeeds(spread.map { $0 - 0.04 + 3 * 0.03 / 3.0.squareRoot() }), seeds: 3)
        #expect(abs(threeSE.value / threeSE.standardError - 3) < 1e-9)
        #expect(threeSE.outcome == .inconclusive && threeSE.followsRule)
        #expect(threeSE.rule.contains("4.30") && threeSE.rule.contains("2 degrees of freedom"))
        let fiveSE = ClaimTest(id: "x", claim: "c", source: "s", effect: "e",
                               difference: .overSeeds(spread.map { $0 - 0.04 + 5 * 0.03 / 3.0.squareRoot() }), seeds: 3)
        #expect(fiveSE.outcome == .reproduced && fiveSE.followsRule)
        #expect(ClaimTest.outcome(value: 3, standardError: 1, basis: .pairedImages(images: 500)) == .reproduced)
        // An old record over seeds, decided at 2 s.e. under the old rule text, no longer follows it.
        var old = threeSE
        old.rule = ClaimTest.rule
        old.outcome = .reproduced
        #expect(!old.followsRule)
    }

    @Test func aClaimTestRecordsItsEffectInPointsAndItsBasis() throws {
        let a = ImageOutcomes((0..<500).map { $0 % 10 < 9 })   // 90 %
        let b = ImageOutcomes((0..<500).map { $0 % 10 < 8 })   // 80 %, right only where a is
        let test = ClaimTest(id: "a-beats-b", claim: "a beats b", source: "a paper",
                             effect: "acc(a) − acc(b)", difference: .paired(a, b), seeds: 1)
        #expect(abs(test.value - 10) < 1e-9)
        // d is 1 on 50 images, 0 elsewhere: sd = √(50·0.9² + 450·0.1²)/499 … s.e. = 1.343 points.
        #expect(abs(test.standardError - 100 * (0.1 * 0.9 * 500 / 499).squareRoot() / 500.0.squareRoot()) < 1e-9)
        #expect(test.outcome == .reproduced && test.images == 500 && test.followsRule)
        var edited = test
        edited.value = -10
        #expect(!edited.followsRule)
        let round = try JSONDecoder().decode(ClaimTest.self, from: JSONEncoder().encode(test))
        #expect(round == test)
    }

    @Test func marginsShiftTheEffectNotItsError() {
        // "C stays within 3 points of A": effect = 0.03 − (A − C).
        let gap = Difference.unpaired(0.86, images: 2_000, 0.825, images: 2_000)
        let within = gap.negated.shifted(by: 0.03)
        #expect(abs(within.mean - (-0.005)) < 1e-12)
        #expect(within.standardError == gap.standardError)
    }
}
