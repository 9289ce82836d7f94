// Claims of digest §8.5 about the input code: mapping A puts p = 1 at step 2, never fires
// p = 0, is monotone, and every pixel spikes at most once; the hybrid code's step 1 is the
// analog (normalised) image.

import HybridMethod
import SNNConversion
import Testing
import _TestSupport

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
        // (0.75, 1] → 2, (0.5, 0.75] → 3, (0.25, 0.5] → 4, (0, 0.25] → 5   (digest §2.2)
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

    @Test(arguments: [InputEncoding.hybrid(.linear), .hybrid(.integrateAndFire), .temporal(.linear)])
    func everyPixelSpikesAtMostOnce(encoding: InputEncoding) {
        var rng = SeededGenerator(seed: 3)
        let raw = Tensor.uniform(shape: [4, 1, 6, 6], low: -0.2, high: 1, using: &rng).map { Swift.max($0, 0) }
        let normalised = raw.map { ($0 - 0.3) / 0.4 }
        let T = 5
        let x = encoding.encode(raw: raw, normalised: normalised, timesteps: T, using: &rng).scalars
        let n = raw.count, analog = encoding.analogSteps(timesteps: T)
        for i in 0..<n {
            let spikes = (analog..<T).filter { x[$0 * n + i] != 0 }
            #expect(spikes.count <= 1)
            #expect(spikes.allSatisfy { x[$0 * n + i] == 1 })
            if raw[flat: i] == 0 { #expect(spikes.isEmpty) }
        }
        if analog == 1 { #expect(Array(x[0..<n]) == normalised.scalars) }
    }
}
