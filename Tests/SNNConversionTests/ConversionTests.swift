import SNNConversion
import Testing
import _TestSupport
import TensorCore
import SpikingNeurons
import NeuralNetworks

/// A small seeded ReLU MLP with biases: 16 → 48 → 48 → 10.
func seededMLP(seed: UInt64) -> Sequential {
    var rng = SeededGenerator(seed: seed)
    let layers: [any Layer] = [
        Linear(16, 48, using: &rng), ReLU(), Dropout(0.1), Linear(48, 48, using: &rng), ReLU(),
        Linear(48, 10, using: &rng),
    ]
    for case let linear as Linear in layers {
        linear.bias!.value = Tensor.normal(shape: linear.bias!.value.shape, std: 0.1, using: &rng)
    }
    return Sequential(layers)
}

/// Non-negative direct inputs, like normalised images shifted to be mostly positive.
func seededInputs(_ n: Int, seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.uniform(shape: [n, 16], low: -0.2, high: 1, using: &rng)
}

@Suite struct ConversionTests {
    @Test func conversionLeavesTheANNBitwiseUntouched() throws {
        let ann = seededMLP(seed: 1)
        let before = ann.parameters.map(\.value)
        var rng = SeededGenerator(seed: 2)
        let calibration = [seededInputs(64, seed: 3)]
        let thresholds = try balanceThresholds(of: ann, on: calibration, using: .percentile(99.9), using: &rng)
        let snn = try convert(ann, thresholds: thresholds, reset: .subtraction)
        _ = snn.simulate(calibration[0], timesteps: 8, encoding: .direct, using: &rng)
        #expect(ann.parameters.map(\.value) == before)
        #expect(!snn.layers.contains { s in ann.layers.contains { $0 === s } })
        #expect(!snn.layers.contains { $0 is Dropout || $0 is ReLU })
        #expect(snn.layers.compactMap { $0 as? SpikingNeuron }.map(\.thresholdValue) == thresholds)
    }

    @Test(arguments: [99.0, 99.9, 99.99])
    func percentileThresholdsNeverExceedMax(p: Double) throws {
        let ann = seededMLP(seed: 4)
        var rng = SeededGenerator(seed: 5)
        let calibration = [seededInputs(128, seed: 6), seededInputs(128, seed: 7)]
        let stats = ActivationStatistics.collect(ann, on: calibration, using: &rng)
        let maxima = try balanceThresholds(of: ann, on: calibration, using: .maxActivation, statistics: stats, using: &rng)
        let robust = try balanceThresholds(of: ann, on: calibration, using: .percentile(p), statistics: stats, using: &rng)
        #expect(zip(robust, maxima).allSatisfy { $0 <= $1 && $0 > 0 })
        #expect(try balanceThresholds(of: ann, on: calibration, using: .percentile(100), statistics: stats,
                                      using: &rng) == maxima)
    }

    @Test func percentileIsTheNearestRank() {
        let stats = ActivationStatistics(layerIndex: 0, maxActivation: 10, nonZeroCount: 10, totalCount: 20,
                                         sortedSample: (1...10).map(Float.init))
        #expect(stats.percentile(50) == 5)
        #expect(stats.percentile(91) == 10)
        #expect(stats.percentile(90) == 9)
    }

    @Test func maxPoolingIsRejected() {
        var rng = SeededGenerator(seed: 8)
        let ann = Sequential([Conv2D(1, 2, using: &rng), ReLU(), MaxPool(2), Flatten(), Linear(8, 2, using: &rng)])
        #expect(throws: ConversionError.maxPoolingNotConvertible(index: 2)) {
            try convert(ann, thresholds: [1])
        }
    }

    @Test func spikeNormThresholdOfTheFirstLayerIsItsLargestCurrent() throws {
        // With direct input the first layer's current is the ANN pre-activation, constant in
        // time, so Spike-Norm's first threshold equals the ANN's max activation.
        let ann = seededMLP(seed: 9)
        var rng = SeededGenerator(seed: 10)
        let calibration = [seededInputs(64, seed: 11)]
        let spikeNorm = try balanceThresholds(of: ann, on: calibration, using: .spikeNorm(timesteps: 16), using: &rng)
        let maxima = try balanceThresholds(of: ann, on: calibration, using: .maxActivation, using: &rng)
        #expect(abs(spikeNorm[0] - maxima[0]) <= 1e-5 * maxima[0])
        #expect(spikeNorm.count == 2 && spikeNorm[1] > 0)
    }
}
