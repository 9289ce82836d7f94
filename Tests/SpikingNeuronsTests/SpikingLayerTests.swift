import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks

/// The spiking-layer interface of the IF/LIF layer: what simulation, statistics and energy ask
/// of any neuron layer, checked against the layer's own settings and recurrence.
@Suite struct SpikingLayerTests {
    /// A chunked simulation from explicit states gives the same spikes and final membrane as one
    /// pass over all steps, for both resets and a leak.
    @Test(arguments: [ResetMode.subtraction, .zero], [Float(1), 0.9])
    func chunksCarryTheirStateExplicitly(reset: ResetMode, leak: Float) {
        let neuron = SpikingNeuron(threshold: 0.7, model: leak == 1 ? .integrateAndFire
                                       : .leakyIntegrateAndFire(leak: leak, training: .fixed),
                                   reset: reset, amplitude: .threshold)
        var rng = SeededGenerator(seed: 4)
        let timesteps = 12, m = 40
        let x = Tensor.uniform(shape: [timesteps, m], low: -0.2, high: 0.9, using: &rng)
        var whole: NeuronState? = nil
        let once = neuron.simulate(x, timesteps: timesteps, state: &whole)
        var state: NeuronState? = nil
        var pieces: [Float] = []
        for (start, end) in [(0, 5), (5, 6), (6, 12)] {
            let chunk = Tensor(shape: [end - start, m], scalars: Array(x.scalars[start * m..<end * m]))
            pieces += neuron.simulate(chunk, timesteps: end - start, state: &state).scalars
        }
        #expect(pieces == once.scalars)
        #expect(state!.membrane.scalars == whole!.membrane.scalars)
        #expect(once.scalars.allSatisfy { $0 == 0 || $0 == neuron.spikeValue })
    }

    @Test func reportsItsSettingsThroughTheInterface() {
        let unit = SpikingNeuron(threshold: 1.5, reset: .zero, amplitude: .unit)
        let carried = SpikingNeuron(threshold: 1.5, model: .leakyIntegrateAndFire(leak: 0.8, training: .trained),
                                    amplitude: .threshold)
        let layers: [any SpikingLayer] = [unit, carried]
        #expect(layers.map(\.spikeValue) == [1, 1.5])
        #expect(layers.map(\.leakValue) == [1, 0.8])
        #expect(layers.map(\.resetMode) == [.zero, .subtraction])
        #expect(layers.allSatisfy { $0.spikeLimitPerImage == nil })
        #expect(Sequential([Flatten(), unit, Linear(weight: Tensor(shape: [2, 2]), bias: nil), carried])
            .spikingLayerIndices == [1, 3])
    }

    /// Clamping touches trained parameters only, within the given bounds.
    @Test func clampsOnlyWhatTrains() {
        let fixed = SpikingNeuron(threshold: -1, model: .leakyIntegrateAndFire(leak: 1.4, training: .fixed))
        fixed.clampTrainedParameters(minimumThreshold: 1e-3, leak: 1e-3...1)
        #expect(fixed.thresholdValue == -1 && fixed.leakValue == 1.4)
        let trained = SpikingNeuron(threshold: -1, model: .leakyIntegrateAndFire(leak: 1.4, training: .trained),
                                    thresholdTraining: .trained)
        trained.clampTrainedParameters(minimumThreshold: 1e-3, leak: 1e-3...1)
        #expect(trained.thresholdValue == 1e-3 && trained.leakValue == 1)
    }

    /// A copy has the same settings and values and shares nothing.
    @Test func copiesShareNoState() {
        let neuron = SpikingNeuron(threshold: 0.4, model: .leakyIntegrateAndFire(leak: 0.9, training: .trained),
                                   reset: .zero, initialMembrane: .halfThreshold, amplitude: .threshold,
                                   thresholdTraining: .trained)
        let copy = neuron.copy() as! SpikingNeuron
        #expect(copy !== neuron && copy.threshold !== neuron.threshold && copy.leak !== neuron.leak)
        #expect(copy.summary == neuron.summary)
        copy.threshold.value[flat: 0] = 2
        #expect(neuron.thresholdValue == 0.4)
    }
}
