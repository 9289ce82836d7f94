import Foundation
import SpikingNeurons
import Testing
import TensorCore

// Input codes `[N, …]` → `[T·N, …]` (time-major). Pixel values are dyadic (k/16) where a
// closed form involves ⌊(1 − x)·T⌋, so that Float32 and exact arithmetic agree.

/// Two images of 3×3 pixels, including 0, 1, out-of-range values and dyadic greys.
func testImages() -> Tensor {
    let pixels: [Float] = [0, 1, 0.5, 0.0625, 0.9375, 0.25, 0.75, 0.3125, 0,
                           1, 0, 0.125, 0.875, 0.5625, 0, 0.6875, 1.5, -0.25]
    return Tensor(shape: [2, 3, 3], scalars: pixels)
}

/// Values of `encoded` `[T·N, …]` at step t, as an array over N·(pixels).
func step(_ encoded: Tensor, _ t: Int, pixels: Int) -> [Float] {
    Array(encoded.scalars[t * pixels..<(t + 1) * pixels])
}

@Suite("Spike encodings")
struct SpikeEncodingTests {
    @Test(arguments: [1, 5, 16])
    func directRepeatsTheImage(timesteps: Int) {
        let images = testImages()
        var rng = SeededGenerator(seed: 1)
        let encoded = SpikeEncoding.direct.encode(images, timesteps: timesteps, using: &rng)
        #expect(encoded.shape == [timesteps * 2, 3, 3])
        for t in 0..<timesteps { #expect(step(encoded, t, pixels: images.count) == images.scalars) }
    }

    /// Over 2000 steps each pixel's rate is within 3σ = 3·√(p(1 − p)/2000) of p = clamp(x, 0, 1);
    /// the same seed gives the same train, another seed a different one.
    @Test func poissonRateTracksIntensityAndIsSeeded() {
        let images = testImages(), timesteps = 2000, pixels = images.count
        var rng = SeededGenerator(seed: 2024)
        let encoded = SpikeEncoding.poisson.encode(images, timesteps: timesteps, using: &rng)
        #expect(Set(encoded.scalars).isSubset(of: [0, 1]))
        for i in 0..<pixels {
            let p = Double(Swift.min(Swift.max(images[flat: i], 0), 1))
            let rate = Double((0..<timesteps).reduce(Float(0)) { $0 + encoded[flat: $1 * pixels + i] })
                / Double(timesteps)
            let sigma = (p * (1 - p) / Double(timesteps)).squareRoot()
            #expect(Swift.abs(rate - p) <= 3 * sigma, "pixel \(i): x = \(images[flat: i]), rate \(rate)")
        }
        var same = SeededGenerator(seed: 2024), other = SeededGenerator(seed: 2025)
        #expect(SpikeEncoding.poisson.encode(images, timesteps: timesteps, using: &same) == encoded)
        #expect(SpikeEncoding.poisson.encode(images, timesteps: timesteps, using: &other) != encoded)
    }

    /// `.temporal(.linear)` (time-to-first-spike): one spike per positive pixel at the 0-based
    /// step t = min(⌊(1 − min(x, 1))·T⌋, T − 1); none for x ≤ 0.
    @Test(arguments: [1, 2, 7, 16, 100])
    func timeToFirstSpikeFiresOnceAtTheClosedFormStep(timesteps: Int) {
        let images = testImages(), pixels = images.count
        var rng = SeededGenerator(seed: 3)
        let encoded = SpikeEncoding.temporal(.linear).encode(images, timesteps: timesteps, using: &rng)
        for i in 0..<pixels {
            let x = Double(images[flat: i])
            let times = (0..<timesteps).filter { encoded[flat: $0 * pixels + i] != 0 }
            #expect((0..<timesteps).allSatisfy { [0, 1].contains(encoded[flat: $0 * pixels + i]) })
            if x > 0 {
                let expected = Swift.min(Int(((1 - Swift.min(x, 1)) * Double(timesteps)).rounded(.down)),
                                         timesteps - 1)
                #expect(times == [expected], "x = \(x), T = \(timesteps)")
            } else {
                #expect(times.isEmpty, "x = \(x) fired")
            }
        }
        // Brighter fires no later.
        let linear = TemporalMapping.linear
        #expect(linear.spikeStep(0.9, first: 1, timesteps: timesteps)! <= linear.spikeStep(0.1, first: 1, timesteps: timesteps)!)
        #expect(linear.spikeStep(0, first: 1, timesteps: timesteps) == nil)
    }

    /// Step 0 carries the analog image; steps 1…T−1 a time-to-first-spike code over T − 1
    /// steps: one spike per positive pixel, at 1 + min(⌊(1 − x)·(T − 1)⌋, T − 2).
    @Test(arguments: [2, 5, 16])
    func hybridIsImageThenOneSpikePerPositivePixel(timesteps: Int) {
        let images = testImages(), pixels = images.count
        var rng = SeededGenerator(seed: 4)
        let encoded = SpikeEncoding.hybrid(.linear).encode(images, timesteps: timesteps, using: &rng)
        #expect(step(encoded, 0, pixels: pixels) == images.scalars)
        for i in 0..<pixels {
            let x = Double(images[flat: i])
            let times = (1..<timesteps).filter { encoded[flat: $0 * pixels + i] != 0 }
            #expect((1..<timesteps).allSatisfy { [0, 1].contains(encoded[flat: $0 * pixels + i]) })
            if x > 0 {
                let expected = 1 + Swift.min(Int(((1 - Swift.min(x, 1)) * Double(timesteps - 1)).rounded(.down)),
                                             timesteps - 2)
                #expect(times == [expected], "x = \(x), T = \(timesteps)")
            } else {
                #expect(times.isEmpty)
            }
        }
    }

    /// Encoding steps a..<b of a T-step code equals rows a..<b of the full code, for every
    /// deterministic code; Poisson chunks drawn in order from one generator equal the full
    /// draw too (the generator is consumed time-major).
    @Test(arguments: [SpikeEncoding.direct, .temporal(.linear), .hybrid(.linear), .hybrid(.signed), .poisson], [1, 3, 4])
    func chunkedEncodingEqualsSliceOfFullCode(encoding: SpikeEncoding, chunk: Int) {
        let images = testImages(), pixels = images.count, timesteps = 10
        var rngFull = SeededGenerator(seed: 9), rngChunks = SeededGenerator(seed: 9)
        let full = encoding.encode(images, timesteps: timesteps, using: &rngFull)
        var start = 0
        while start < timesteps {
            let steps = start..<Swift.min(start + chunk, timesteps)
            let part = encoding.encode(images, steps: steps, of: timesteps, using: &rngChunks)
            #expect(part.shape == [steps.count * 2, 3, 3])
            #expect(part.scalars == Array(full.scalars[steps.lowerBound * pixels..<steps.upperBound * pixels]),
                    "\(encoding) steps \(steps)")
            start = steps.upperBound
        }
    }
}
