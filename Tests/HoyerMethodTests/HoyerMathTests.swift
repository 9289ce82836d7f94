import HoyerMethod
import SpikingNeurons
import Testing
import _TestSupport
import TensorCore

/// Closed forms of chapters/hoyer/NOTES.md §2.1 for the Hoyer sums, extremum and regulariser.
@Suite struct HoyerMathTests {
    /// x = [0, 0.5, 1]: S1 = 1.5, S2 = 1.25, so E = 1.25/1.5 = 5/6 and H = 2.25/1.25 = 1.8.
    @Test func extremumAndRegulariserOnAHandMadeMap() {
        let x = Tensor(shape: [3], scalars: [0, 0.5, 1])
        #expect(abs(hoyerExtremum(x)! - 5.0 / 6.0) < 1e-6)
        #expect(abs(hoyerRegulariser(x) - 1.8) < 1e-6)
    }

    /// mean(x > 0) ≤ E(x) ≤ max(x) on seeded random clipped maps of several sparsities.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func extremumLiesBetweenThePositiveMeanAndTheMaximum(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let shift = Float(seed) * 0.3 - 0.6          // from mostly positive to mostly zero
        let x = (Tensor.normal(shape: [4, 3, 5, 5], using: &rng) + shift).clamped(to: 0, 1)
        let positive = x.scalars.filter { $0 > 0 }
        let mean = positive.reduce(0, +) / Float(positive.count)
        let e = hoyerExtremum(x)!
        #expect(mean <= e + 1e-5, "seed \(seed): mean \(mean) > E \(e)")
        #expect(e <= x.max() + 1e-6, "seed \(seed): E \(e) > max \(x.max())")
    }

    /// For a binary map H = number of ones, and E = 1.
    @Test(arguments: [1, 7, 30, 64])
    func regulariserCountsTheOnesOfABinaryMap(ones: Int) {
        let x = Tensor(shape: [64], scalars: (0..<64).map { $0 < ones ? 1 : 0 })
        #expect(abs(hoyerRegulariser(x) - Float(ones)) < 1e-4 * Float(ones))
        #expect(hoyerExtremum(x) == 1)
    }

    /// H(c·x) = H(x) and E(c·x) = c·E(x).
    @Test func regulariserIsScaleInvariantAndExtremumScalesLinearly() {
        var rng = SeededGenerator(seed: 9)
        let x = Tensor.uniform(shape: [200], using: &rng)
        #expect(abs(hoyerRegulariser(x * 3.5) - hoyerRegulariser(x)) < 1e-3)
        #expect(abs(hoyerExtremum(x * 3.5)! - 3.5 * hoyerExtremum(x)!) < 1e-5)
    }

    /// An all-zero map: E is undefined (0/0, nil), H = 0 with zero gradient.
    @Test func allZeroMapHasNoExtremumAndNoGradient() {
        let x = Tensor(shape: [2, 3])
        #expect(hoyerExtremum(x) == nil)
        #expect(hoyerRegulariser(x) == 0)
        #expect(hoyerRegulariserGradient(x).scalars.allSatisfy { $0 == 0 })
    }

    /// ∂H/∂xᵢ = (2·S1²/S2²)·(E − xᵢ) against central finite differences of a naive Double
    /// reference H (a Float32 H of ≈ 30 cannot resolve the 1e-4 changes of a difference
    /// quotient); the tolerance covers the Float32 analytic gradient.
    @Test func regulariserGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.uniform(shape: [40], low: 0.05, high: 1, using: &rng)
        func reference(_ v: [Double]) -> Double {
            let s1 = v.reduce(0, +), s2 = v.reduce(0) { $0 + $1 * $1 }
            return s1 * s1 / s2
        }
        let values = x.scalars.map(Double.init)
        #expect(abs(Double(hoyerRegulariser(x)) - reference(values)) < 1e-4 * reference(values))
        let analytic = hoyerRegulariserGradient(x)
        var worst = 0.0
        for i in 0..<x.count {
            var plus = values, minus = values
            plus[i] += 1e-5
            minus[i] -= 1e-5
            let numeric = (reference(plus) - reference(minus)) / 2e-5
            let a = Double(analytic[flat: i])
            worst = max(worst, abs(a - numeric) / max(abs(a), abs(numeric), 1e-3))
        }
        #expect(worst < 1e-3, "max relative error \(worst)")
    }

    /// E is the one per-element stationary point: descent on H lowers elements below E and
    /// raises elements above it; a constant map is stationary everywhere.
    @Test func gradientChangesSignAtTheExtremum() {
        let x = Tensor(shape: [5], scalars: [0.1, 0.3, 0.5, 0.8, 1.0])
        let e = hoyerExtremum(x)!
        let g = hoyerRegulariserGradient(x)
        for i in 0..<5 {
            // −∂H/∂xᵢ is the descent direction: negative below E, positive above.
            #expect((x[flat: i] < e) == (g[flat: i] > 0), "element \(i): x \(x[flat: i]), E \(e)")
        }
        let constant = Tensor(shape: [6], repeating: 0.4)
        #expect(hoyerRegulariserGradient(constant).scalars.allSatisfy { abs($0) < 1e-5 })
    }

    /// The straight-through surrogate: 0.5 on (0, 2], 0 elsewhere (chapters/hoyer/NOTES.md §2.2 step 4).
    @Test(arguments: [(-1.0, 0.0), (0.0, 0.0), (1e-4, 0.5), (1.0, 0.5), (2.0, 0.5),
                      (2.001, 0.0), (5.0, 0.0)] as [(Float, Float)])
    func surrogateIsABoxOnZeroToTwo(z: Float, expected: Float) {
        #expect(spikeSurrogate(z, height: 0.5) == expected)
    }

    /// Spikes are exactly 0 or 1, [z ≥ E], with one threshold or one per channel.
    @Test func spikesAreBinaryAndCompareWithTheirChannelThreshold() {
        let z = Tensor(shape: [1, 2, 1, 3], scalars: [0.2, 0.5, 0.9, 0.2, 0.5, 0.9])
        #expect(hoyerSpikes(z, thresholds: [0.5]).scalars == [0, 1, 1, 0, 1, 1])
        #expect(hoyerSpikes(z, thresholds: [0.3, 0.8]).scalars == [0, 1, 1, 0, 0, 1])
    }

    /// Per-channel sums equal the sums of each channel taken alone.
    @Test func perChannelSumsMatchEachChannelAlone() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.uniform(shape: [3, 2, 4, 4], using: &rng)
        let sums = hoyerSumsPerChannel(x)
        for c in 0..<2 {
            var values: [Float] = []
            for n in 0..<3 { for p in 0..<16 { values.append(x[flat: (n * 2 + c) * 16 + p]) } }
            let alone = hoyerSums(Tensor(shape: [values.count], scalars: values))
            #expect(abs(sums[c].l1 - alone.l1) < 1e-3)
            #expect(abs(sums[c].l2Squared - alone.l2Squared) < 1e-3)
        }
    }

    /// The Hoyer layer runs on the channel-blocked activations between convolutions as they
    /// are: spikes (one threshold or one per channel) are the same values in either layout and
    /// keep the input's layout; the sums and dot products differ only by rounding.
    @Test func blockedAndRowMajorLayoutsAgree() {
        var rng = SeededGenerator(seed: 11)
        let z = (Tensor.normal(shape: [3, 32, 5, 7], using: &rng) + 0.3).clamped(to: 0, 1)
        let blocked = z.converted(to: .channelBlocked16)
        let perChannel = (0..<32).map { 0.2 + Float($0) / 64 }
        for thresholds in [[Float(0.45)], perChannel] {
            let a = hoyerSpikes(z, thresholds: thresholds), b = hoyerSpikes(blocked, thresholds: thresholds)
            #expect(b.layout == .channelBlocked16 && a.layout == .rowMajor)
            #expect(a.scalars == b.scalars)
            // Against the definition, element by element.
            let expected = (0..<z.count).map { i -> Float in
                let e = thresholds.count == 1 ? thresholds[0] : thresholds[(i / 35) % 32]
                return z[flat: i] >= e ? 1 : 0
            }
            #expect(a.scalars == expected)
        }
        let (rowSums, blockSums) = (hoyerSums(z), hoyerSums(blocked))
        #expect(abs(rowSums.l1 - blockSums.l1) <= 1e-6 * rowSums.l1)
        #expect(abs(rowSums.l2Squared - blockSums.l2Squared) <= 1e-6 * rowSums.l2Squared)
        for (r, b) in zip(hoyerSumsPerChannel(z), hoyerSumsPerChannel(blocked)) {
            #expect(abs(r.l1 - b.l1) <= 1e-5 * max(r.l1, 1e-3))
            #expect(abs(r.l2Squared - b.l2Squared) <= 1e-5 * max(r.l2Squared, 1e-3))
        }
        let y = Tensor.normal(shape: z.shape, using: &rng)
        let reference = zip(z.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(dot(z, y)) - reference) < 1e-4 * max(abs(reference), 1))
        #expect(abs(Double(dot(blocked, y)) - reference) < 1e-4 * max(abs(reference), 1))
    }

    /// S1 and S2 against Double sums, over several 4096-element blocks and a partial one.
    @Test func sumsMatchDoubleSumsAcrossBlocks() {
        var rng = SeededGenerator(seed: 12)
        let x = Tensor.uniform(shape: [3 * 4096 + 77], using: &rng)
        let sums = hoyerSums(x)
        let l1 = x.scalars.reduce(0.0) { $0 + Double($1) }
        let l2 = x.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(sums.l1 - l1) < 1e-6 * l1)
        #expect(abs(sums.l2Squared - l2) < 1e-6 * l2)
    }
}
