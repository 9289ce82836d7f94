@testable import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

// The simulation counts every layer's input spikes at each step, so the energy of a run stopped
// after t steps is read from one long run (no constant-rate assumption). These tests hold those
// counts to a closed form, to every shorter run, and to the worker split.

@Suite("Spikes counted per step")
struct SpikesPerStepTests {
    /// IF neurons (θ = 1, u₀ = 0, reset by subtraction) with constant inputs x = 1/4 and 1/2
    /// (exact in binary) fire at every 4th and every 2nd step: the layer after them receives
    /// 1 + [t is a multiple of 4] spikes per image at step t when t is even, and none at odd t.
    @Test func constantInputsGiveTheClosedFormCountAtEveryStep() {
        var rng = SeededGenerator(seed: 3)
        let network = Sequential([SpikingNeuron(threshold: 1), Linear(2, 1, using: &rng)])
        let images = Tensor(shape: [3, 2], scalars: [0.25, 0.5, 0.25, 0.5, 0.25, 0.5])
        let run = network.simulate(images, timesteps: 12, encoding: .direct, chunk: 5, using: &rng)
        let expected = (1...12).map { t in Double((t % 2 == 0 ? 1 : 0) + (t % 4 == 0 ? 1 : 0)) }
        #expect(run.inputSpikesPerImageByStep[1] == expected)
        #expect(run.inputSpikesPerImageByStep[0] == [Double](repeating: 0, count: 12))   // the encoded image
        #expect(run.inputSpikesPerImage[1] == expected.reduce(0, +))
    }

    /// A run of t steps is the first t steps of a longer one (membranes do not look ahead), so
    /// its input spikes are the long run's per-step counts summed to t — for every t, every
    /// layer, with pooling and flattening between spiking layers, in several chunk sizes. (A
    /// temporal code spreads the image over the whole window, so it has no such prefix.)
    @Test(arguments: [SpikeEncoding.direct, .poisson], [1, 4, 16])
    func perStepCountsAddUpToEveryShorterRun(encoding: SpikeEncoding, chunk: Int) {
        var rng = SeededGenerator(seed: 11)
        let network = Sequential([
            Conv2D(1, 4, bias: true, using: &rng),
            SpikingNeuron(threshold: 0.6),
            AveragePool(2),
            Conv2D(4, 6, using: &rng),
            SpikingNeuron(threshold: 0.5, reset: .zero),
            Flatten(),
            Linear(6 * 3 * 3, 5, using: &rng),
            SpikingNeuron(threshold: 0.8, model: .leakyIntegrateAndFire(leak: 0.9, training: .fixed)),
        ])
        let images = Tensor.uniform(shape: [5, 1, 6, 6], low: 0, high: 1, using: &rng)
        let timesteps = 12
        var longRNG = SeededGenerator(seed: 1)
        let long = network.simulate(images, timesteps: timesteps, encoding: encoding, chunk: chunk, using: &longRNG)
        #expect(long.inputSpikesPerImage[3] > 0 && long.inputSpikesPerImage[6] > 0, "network is silent")
        for t in 1...timesteps {
            var shortRNG = SeededGenerator(seed: 1)
            let short = network.simulate(images, timesteps: t, encoding: encoding, chunk: chunk, using: &shortRNG)
            for layer in network.layers.indices {
                let summed = long.inputSpikesPerImageByStep[layer].prefix(t).reduce(0, +)
                #expect(abs(summed - short.inputSpikesPerImage[layer]) <= 1e-9 * max(1, summed),
                        "layer \(layer), t = \(t): \(summed) vs \(short.inputSpikesPerImage[layer])")
            }
        }
    }

    /// The fused neuron kernel's per-step counts are whole numbers added per worker: one, two
    /// or three workers give the same counts, and they are the spikes in the output at each step.
    @Test(arguments: [MembraneReset.subtractThreshold, .toZero])
    func kernelCountsEachStepWhateverTheWorkerSplit(reset: MembraneReset) {
        var rng = SeededGenerator(seed: 9)
        let m = 3 * Parallelism.minimumElementsPerWorker + 40, timesteps = 5
        let x = Tensor.uniform(shape: [timesteps * m], low: -0.2, high: 0.7, using: &rng)
        let saved = ExecutionPolicy.current.workers
        defer { ExecutionPolicy.update { $0.workers = saved } }
        var results: [[Int]] = []
        for workers in [1, 2, 3] {
            ExecutionPolicy.update { $0.workers = workers }
            var membrane = Tensor(shape: [m]), counts = Tensor(shape: [m])
            let (output, perStep) = MembraneRecurrence(threshold: 1, leak: 1, reset: reset)
                .simulate(x, timesteps: timesteps, membrane: &membrane, spikeCounts: &counts, spikeValue: 2)
            let fromOutput = (0..<timesteps).map { t in (0..<m).filter { output[flat: t * m + $0] == 2 }.count }
            #expect(perStep == fromOutput)
            #expect(Double(perStep.reduce(0, +)) == Double(counts.scalars.reduce(0, +)))
            results.append(perStep)
        }
        #expect(results[0].reduce(0, +) > 0)
        #expect(results[1] == results[0] && results[2] == results[0])
    }
}
