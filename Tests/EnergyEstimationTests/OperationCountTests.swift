import EnergyEstimation
import SpikingNeurons  // transitive dependency of EnergyEstimation (Sequential, Linear, SpikingNeuron)
import Testing
import TensorCore
import NeuralNetworks

@Suite struct OperationCountTests {
    @Test func convolutionAndLinearMACs() {
        var rng = SeededGenerator(seed: 1)
        let net = Sequential([
            Conv2D(3, 8, kernelSize: 3, stride: 1, padding: 1, using: &rng), ReLU(), AveragePool(2),
            Conv2D(8, 4, kernelSize: 3, stride: 2, padding: 1, using: &rng), Flatten(), Linear(4 * 3 * 3, 7, using: &rng),
        ])
        let geometry = net.geometry(inputShape: [3, 10, 10])
        #expect(geometry[0].macs == 3 * 8 * 9 * 10 * 10)        // C_in·C_out·k²·H_out·W_out
        #expect(geometry[2].output == [8, 5, 5])
        #expect(geometry[3].output == [4, 3, 3])                 // ⌊(5 + 2 − 3)/2⌋ + 1 = 3
        #expect(geometry[3].macs == 8 * 4 * 9 * 3 * 3)
        #expect(geometry[5].macs == 36 * 7)
        let ledger = EnergyLedger.ann(net, inputShape: [3, 10, 10])
        #expect(ledger.totalMACs == 21_600 + 2_592 + 252)
        #expect(abs(ledger.totalPicojoules - 24_444 * 4.6) < 1e-6)
    }

    /// Linear(2→3) → IF(θ = 1, subtraction) → Linear(3→5), input x = (1, 0.5) constant for T = 4.
    /// Currents are (1, 0.5, 0): neuron 1 fires at every step (4 spikes), neuron 2 every second
    /// step (2), neuron 3 never: 6 spikes per image, each reaching 5 outputs → 30 ACs.
    func twoLayerNetwork() -> Sequential {
        Sequential([
            Linear(weight: Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 0, 0]), bias: nil),
            SpikingNeuron(threshold: 1, reset: .subtraction, amplitude: .unit),
            Linear(weight: Tensor(shape: [5, 3], repeating: 0.1), bias: nil),
        ])
    }

    @Test func accumulatesAreSpikesTimesFanOut() {
        let snn = twoLayerNetwork()
        var rng = SeededGenerator(seed: 2)
        let x = Tensor(shape: [2, 2], scalars: [1, 0.5, 1, 0.5])
        let simulation = snn.simulate(x, timesteps: 4, encoding: .direct, using: &rng)
        #expect(simulation.inputSpikesPerImage[2] == 6)
        let ledger = EnergyLedger.snn(snn, inputShape: [2], inputSpikesPerImage: simulation.inputSpikesPerImage,
                                      timesteps: 4)
        #expect(ledger.layers.map(\.macs) == [24, 0])            // analog input: 2·3 MACs × T
        #expect(ledger.layers.map(\.accumulates) == [0, 30])
        let once = EnergyLedger.snn(snn, inputShape: [2], inputSpikesPerImage: simulation.inputSpikesPerImage,
                                    timesteps: 4, analogInput: .once)
        #expect(once.totalMACs == 6)
    }

    @Test func energyRatioFromTheConstants() {
        let snn = twoLayerNetwork()
        let spikes: [Double] = [0, 0, 6]
        var rng = SeededGenerator(seed: 3)
        let ann = EnergyLedger.ann(Sequential([Linear(2, 3, using: &rng), ReLU(), Linear(3, 5, using: &rng)]),
                                   inputShape: [2])
        let fp32 = EnergyLedger.snn(snn, inputShape: [2], inputSpikesPerImage: spikes, timesteps: 4)
        // fp32: (24·4.6 + 30·0.9) / (21·4.6) = 137.4 / 96.6
        #expect(abs(fp32.ratio(to: ann) - 137.4 / 96.6) < 1e-12)
        // int32: (24·3.2 + 30·0.1) / (21·3.2) = 79.8 / 67.2 — ACs are 9× cheaper than in fp32,
        // MACs only 1.4×, so the spiking layers look far cheaper with integer arithmetic.
        let int32 = fp32.priced(with: .int32At45nm)
        #expect(abs(int32.ratio(to: ann.priced(with: .int32At45nm)) - 79.8 / 67.2) < 1e-12)
        #expect(int32.ratio(to: ann.priced(with: .int32At45nm)) < fp32.ratio(to: ann))
    }

    @Test func constantsAreHorowitz45nm() {
        #expect(abs(EnergyConstants.float32At45nm.macPicojoules - (3.7 + 0.9)) < 1e-12)
        #expect(EnergyConstants.float32At45nm.accumulatePicojoules == 0.9)
        #expect(abs(EnergyConstants.int32At45nm.macPicojoules - (3.1 + 0.1)) < 1e-12)
        #expect(EnergyConstants.int32At45nm.accumulatePicojoules == 0.1)
        #expect(EnergyConstants.float32At45nm.citation.contains("Horowitz"))
    }
}
