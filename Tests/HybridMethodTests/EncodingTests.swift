// Claims of chapters/hybrid/NOTES.md §8.5 about the input code: mapping A puts p = 1 at step 2, never fires
// p = 0, is monotone, and every pixel spikes at most once; the hybrid code's step 1 is the
// analog (normalised) image.

import Datasets
import HybridMethod
import SNNConversion
import Testing
import _TestSupport
import TensorCore
import SpikingNeurons

@Suite struct EncodingTests {
    @Test(arguments: [3, 5, 8])
    func mappingAEndpointsAndMonotone(timesteps: Int) {
        let m = TemporalMapping.linear
        #expect(m.spikeStep(1, first: 2, timesteps: timesteps) == 2)
        #expect(m.spikeStep(0, first: 2, timesteps: timesteps) == nil)
        var previous = Int.max
        for k in 1...1000 {
            let p = Float(k) / 1000
            let t = m.spikeStep(p, first: 2, timesteps: timesteps)!
            #expect((2...timesteps).contains(t))
            #expect(t <= previous, "not monotone non-increasing at p = \(p)")
            previous = t
        }
    }

    @Test func mappingAQuantisesIntoTheDigestBinsAtT5() {
        // (0.75, 1] → 2, (0.5, 0.75] → 3, (0.25, 0.5] → 4, (0, 0.25] → 5   (chapters/hybrid/NOTES.md §2.2)
        let cases: [(Float, Int)] = [(1, 2), (0.76, 2), (0.75, 3), (0.51, 3), (0.5, 4), (0.26, 4),
                                     (0.25, 5), (0.01, 5)]
        for (p, t) in cases {
            #expect(TemporalMapping.linear.spikeStep(p, first: 2, timesteps: 5) == t, "p = \(p)")
        }
    }

    @Test func mappingBIsIntegrateAndFireTiming() {
        // t = 1 + ⌈1/p⌉ from step 2: p = 1 → 2, p = 0.5 → 3, p = 0.3 → 5, p = 0.2 → 6 > T (silent)
        let m = TemporalMapping.integrateAndFire
        #expect(m.spikeStep(1, first: 2, timesteps: 5) == 2)
        #expect(m.spikeStep(0.5, first: 2, timesteps: 5) == 3)
        #expect(m.spikeStep(0.3, first: 2, timesteps: 5) == 5)
        #expect(m.spikeStep(0.2, first: 2, timesteps: 5) == nil)
    }

    @Test(arguments: [SpikeEncoding.hybrid(.linear), .hybrid(.integrateAndFire), .hybrid(.signed),
                      .temporal(.linear), .temporal(.signed)])
    func everyPixelSpikesAtMostOnce(encoding: SpikeEncoding) {
        var rng = SeededGenerator(seed: 3)
        let raw = Tensor.uniform(shape: [4, 1, 6, 6], low: -0.2, high: 1, using: &rng).map { Swift.max($0, 0) }
        let normalization = Normalization(mean: [0.3], std: [0.4])
        let normalised = normalization.apply(to: raw)
        let input = EncoderInput(raw: raw, analog: normalised, analogMaximum: normalization.largestMagnitude)
        let T = 5
        let x = encoding.encode(input, timesteps: T, using: &rng).scalars
        let n = raw.count, analog = encoding.analogSteps(timesteps: T)
        let signed = encoding == .hybrid(.signed) || encoding == .temporal(.signed)
        for i in 0..<n {
            let spikes = (analog..<T).filter { x[$0 * n + i] != 0 }
            #expect(spikes.count <= 1)
            if signed {
                // The spike carries the sign of the standardised value.
                #expect(spikes.allSatisfy { x[$0 * n + i] == (normalised[flat: i] > 0 ? 1 : -1) })
            } else {
                #expect(spikes.allSatisfy { x[$0 * n + i] == 1 })
                if raw[flat: i] == 0 { #expect(spikes.isEmpty) }
            }
        }
        if analog == 1 { #expect(Array(x[0..<n]) == normalised.scalars) }
    }

    /// Mapping C at T = 5 (hybrid, steps 2…5), μ = 0.3, σ = 0.4: m = max(0.3, 0.7)/0.4 = 1.75.
    /// p = 1 → x = 1.75 = m: step 2, +1; p = 0 → x = −0.75, |x|/m = 0.43: step 4, −1;
    /// p = 0.3 → x = 0: silent. The largest |x| of the channel fires first.
    @Test func mappingCIsSignedWithTimeFromTheMagnitude() {
        let normalization = Normalization(mean: [0.3], std: [0.4])
        #expect(Swift.abs(normalization.largestMagnitude[0] - 1.75) < 1e-6)
        let raw = Tensor(shape: [1, 1, 1, 3], scalars: [1, 0, 0.3])
        let input = EncoderInput(raw: raw, analog: normalization.apply(to: raw),
                                 analogMaximum: normalization.largestMagnitude)
        var rng = SeededGenerator(seed: 1)
        let x = SpikeEncoding.hybrid(.signed).encode(input, timesteps: 5, using: &rng).scalars
        func train(_ i: Int) -> [Float] { (1..<5).map { x[$0 * 3 + i] } }     // steps 2…5
        #expect(train(0) == [1, 0, 0, 0])
        #expect(train(1) == [0, 0, -1, 0])
        #expect(train(2) == [0, 0, 0, 0])
    }

    /// m_c is the largest |x̂| over raw values in [0, 1], reached at p = 0 or p = 1.
    @Test func largestMagnitudeIsTheRangeOfTheStandardisedPixel() {
        let normalization = Normalization(mean: [0.2, 0.5, 0.9], std: [0.3, 0.25, 0.1])
        let ends = Tensor(shape: [2, 3, 1, 1], scalars: [0, 0, 0, 1, 1, 1])
        let x = normalization.apply(to: ends)
        for c in 0..<3 {
            let expected = Swift.max(Swift.abs(x[flat: c]), Swift.abs(x[flat: 3 + c]))
            #expect(Swift.abs(normalization.largestMagnitude[c] - expected) < 1e-5, "channel \(c)")
        }
    }
}
