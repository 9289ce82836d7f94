// Claim of chapters/hybrid/NOTES.md §8.5 about energy: with every hidden layer silent, the hybrid SNN costs
// exactly E_MAC·MACs₁ (the analog step) + E_AC·N_in·fanout₁ (the input spikes).

import EnergyEstimation
import HybridMethod
import SNNConversion
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks

@Suite struct EnergyTests {
    @Test func silentHiddenLayersCostTheAnalogStepPlusInputSpikes() throws {
        var rng = SeededGenerator(seed: 2)
        // conv 1→4 (3×3, pad 1) on 6×6, single-spike, avg-pool, flatten, linear 36 → 10
        let ann = Sequential([Conv2D(1, 4, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng), ReLU(),
                              AveragePool(2), Flatten(), Linear(36, 10, bias: false, using: &rng)])
        let snn = try spikingNetwork(from: ann, thresholds: [1], hidden: .singleSpike(.v1(alpha: 0.3, beta: 0.1)))
        let macs1 = 1.0 * 9 * 4 * 6 * 6                   // C_in·k²·C_out·H·W = 1296
        let fanout1 = macs1 / 36                           // = 36 = C_out·k² away from borders
        let inputSpikes = 20.0
        let ledger = snnLedger(snn, inputShape: [1, 6, 6], analogSteps: 1, inputSpikesPerImage: inputSpikes,
                               events: [0, 0])
        let c = EnergyConstants.float32At45nm
        #expect(abs(ledger.totalPicojoules - (c.macPicojoules * macs1 + c.accumulatePicojoules * inputSpikes * fanout1)) < 1e-6)
        // Direct input (T analog steps) charges T·MACs₁; a pure temporal code none.
        let direct = snnLedger(snn, inputShape: [1, 6, 6], analogSteps: 5, inputSpikesPerImage: 0, events: [0, 0])
        #expect(direct.totalMACs == 5 * macs1)
        // Later layers: events × fan-out (linear: fan-out = outputs).
        let busy = snnLedger(snn, inputShape: [1, 6, 6], analogSteps: 0, inputSpikesPerImage: 0, events: [0, 7])
        #expect(busy.totalAccumulates == 70)
    }

    @Test func singleSpikeNetworkKeepsTheANNWeightsAndThresholds() throws {
        var rng = SeededGenerator(seed: 4)
        let ann = Sequential([Linear(5, 6, bias: false, using: &rng), ReLU(), Dropout(0.2),
                              Linear(6, 3, bias: false, using: &rng)])
        let snn = try spikingNetwork(from: ann, thresholds: [0.7], hidden: .singleSpike(.v2(gamma: 0.3)))
        #expect(snn.layers.count == 3)
        #expect((snn.layers[1] as? SingleSpikeNeuron)?.thresholdValue == 0.7)
        #expect((snn.layers[0] as! Linear).weight.value == (ann.layers[0] as! Linear).weight.value)
        #expect((snn.layers[0] as! Linear) !== (ann.layers[0] as! Linear))
    }
}
