import TensorCore
import Testing

@testable import Datasets

/// Per-channel standardisation: closed-form statistics and the mean 0 / std 1 claim.
@Suite struct NormalizationTests {
    /// Channel c of every image holds values with known mean and spread.
    private func twoChannelSet(using rng: inout SeededGenerator) -> LabeledImages {
        var images = Tensor.uniform(shape: [50, 2, 8, 8], using: &rng)  // U[0, 1)
        images.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count where (i / 64) % 2 == 1 { p[i] = 0.2 + 0.1 * p[i] }  // channel 1
        }
        return LabeledImages(
            images: images, labels: Array(repeating: 0, count: 50), classNames: ["x"])
    }

    @Test func fittedStatisticsMatchANaiveComputation() {
        var rng = SeededGenerator(seed: 10)
        let data = twoChannelSet(using: &rng)
        let normalization = Normalization(fittedTo: data)
        for channel in 0..<2 {
            var values: [Double] = []
            for n in 0..<50 {
                for y in 0..<8 {
                    for x in 0..<8 { values.append(Double(data.images[n, channel, y, x])) }
                }
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance =
                values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            #expect(abs(Double(normalization.mean[channel]) - mean) < 1e-6)
            #expect(abs(Double(normalization.std[channel]) - variance.squareRoot()) < 1e-5)
        }
        // Channel 0 is U[0,1): μ ≈ 1/2, σ ≈ 1/√12; channel 1 is 0.2 + 0.1·U: μ ≈ 0.25, σ ≈ 0.029.
        #expect(
            abs(normalization.mean[0] - 0.5) < 0.02 && abs(normalization.std[0] - 0.2887) < 0.01)
        #expect(
            abs(normalization.mean[1] - 0.25) < 0.002 && abs(normalization.std[1] - 0.0289) < 0.001)
    }

    @Test func normalisedTrainingSetHasZeroMeanAndUnitSpread() {
        var rng = SeededGenerator(seed: 11)
        let data = twoChannelSet(using: &rng)
        let normalized = Normalization(fittedTo: data).apply(to: data)
        let refitted = Normalization(fittedTo: normalized)
        for channel in 0..<2 {
            #expect(abs(refitted.mean[channel]) < 1e-5)
            #expect(abs(refitted.std[channel] - 1) < 1e-4)
        }
        #expect(normalized.labels == data.labels)
    }

    @Test func applyIsTheAffineMapPerChannel() {
        let images = Tensor(shape: [1, 2, 1, 2], scalars: [0, 1, 0.5, 0.25])
        let out = Normalization(mean: [0.5, 0.25], std: [0.5, 0.125]).apply(to: images)
        #expect(out.scalars == [-1, 1, 2, 0])
    }
}
