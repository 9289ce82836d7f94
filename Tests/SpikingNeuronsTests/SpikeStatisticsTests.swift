import SpikingNeurons
import Testing
import TensorCore
import NeuralNetworks

// Firing statistics on a network whose spikes are known by construction: constant (direct)
// input x = θ·f into one IF layer with reset by subtraction fires ⌊T·f⌋ times. The fractions
// keep T·f away from integers (except f ∈ {0, 1}), so the counts hold for any θ in Float32.

@Suite("Spike statistics")
struct SpikeStatisticsTests {
    @Test(arguments: [Float(0.5), 1, 1.7, 2], [SpikeAmplitude.unit, .threshold])
    func statisticsOfKnownSpikeTrains(threshold: Float, amplitude: SpikeAmplitude) {
        let timesteps = 16
        // Two images × five neurons. 16·f: 0, 16, 4.8, 8.8, 12.8 | 16, 0, 2.4, 16, 8.8
        let fractions: [Float] = [0, 1, 0.3, 0.55, 0.8,
                                  1, 0, 0.15, 1, 0.55]
        let counts = fractions.map { Int((Double(timesteps) * Double($0)).rounded(.down)) }
        #expect(counts == [0, 16, 4, 8, 12, 16, 0, 2, 16, 8])
        let images = Tensor(shape: [2, 5], scalars: fractions.map { threshold * $0 })
        let network = Sequential([SpikingNeuron(threshold: threshold, amplitude: amplitude)])
        var rng = SeededGenerator(seed: 0)

        for chunk in [5, 16] {
            let run = network.simulate(images, timesteps: timesteps, encoding: .direct, chunk: chunk,
                                       using: &rng)
            let a: Float = amplitude == .threshold ? threshold : 1
            let observed = spikeCounts(run.outputs.reshaped([timesteps, 10]), timesteps: timesteps, amplitude: a)
            #expect(observed == counts)

            let total = Double(counts.reduce(0, +))        // 82 spikes
            #expect(run.spikeStatistics.count == 1)
            let stats = run.spikeStatistics[0]
            #expect(stats.layerIndex == 0)
            #expect(stats.neurons == 5)
            #expect(Swift.abs(stats.spikesPerNeuron - total / 10) < 1e-9)              // 8.2
            #expect(Swift.abs(stats.firingRate - total / (10 * Double(timesteps))) < 1e-9)  // 0.5125
            #expect(stats.silentFraction == 2.0 / 10, "θ = \(threshold), \(amplitude)")
            #expect(stats.saturatedFraction == 3.0 / 10, "θ = \(threshold), \(amplitude)")
            #expect(Swift.abs(stats.spikesPerImage - total / 2) < 1e-9)               // 41
            #expect(run.inputSpikesPerImage == [0])
        }
    }

    /// Two spiking layers: the second layer's input spikes per image are the first layer's
    /// spikes per image.
    @Test(arguments: [SpikeAmplitude.unit, .threshold])
    func inputSpikesOfNextLayerAreSpikesOfPrevious(amplitude: SpikeAmplitude) {
        let timesteps = 16, threshold: Float = 1.7
        let fractions: [Float] = [0, 1, 0.3, 0.55, 0.8]
        let images = Tensor(shape: [1, 5], scalars: fractions.map { threshold * $0 })
        let network = Sequential([
            SpikingNeuron(threshold: threshold, amplitude: amplitude),
            SpikingNeuron(threshold: 2.5),
        ])
        var rng = SeededGenerator(seed: 0)
        let run = network.simulate(images, timesteps: timesteps, encoding: .direct, chunk: 6, using: &rng)
        #expect(run.spikeStatistics.map(\.layerIndex) == [0, 1])
        #expect(Swift.abs(run.spikeStatistics[0].spikesPerImage - 40) < 1e-9)  // 0 + 16 + 4 + 8 + 12
        #expect(Swift.abs(run.inputSpikesPerImage[1] - 40) < 1e-4)
    }
}
