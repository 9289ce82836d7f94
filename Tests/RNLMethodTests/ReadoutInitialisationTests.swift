// The read-out rescaling used by chapter-rnl's quick profile: after it, the logits of the
// same probe have unit spread (a second call finds nothing left to fix), and no buffer
// (running maxima, BatchNorm statistics) is changed by the warm-up passes.

import RNLMethod
import SNNConversion
import Testing
import TensorCore
import NeuralNetworks

@Suite struct ReadoutInitialisationTests {
    private func network(seed: UInt64) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return VGG.make([.conv(4), .pool], inputChannels: 1, inputSize: 8, classes: 3,
                        classifier: [6], batchNorm: true, bias: false, pool: .average,
                        activation: { _, _ in RateNorm() }, using: &rng)
    }

    private func probe() -> Tensor {
        var rng = SeededGenerator(seed: 9)
        return Tensor(shape: [16, 1, 8, 8], scalars: (0..<1024).map { _ in rng.nextUniform() * 2 - 1 })
    }

    @Test func logitsHaveUnitSpreadAfterScaling() {
        let net = network(seed: 3)
        let first = scaleReadoutToUnitLogits(net, on: probe())
        #expect(first > 1.5, "RNL outputs are small, so the read-out needs a gain > 1 (got \(first))")
        let second = scaleReadoutToUnitLogits(net, on: probe())
        #expect(Swift.abs(second - 1) < 1e-3, "second call should find σ = 1, found 1/\(second)")
    }

    @Test func buffersAreRestored() {
        let net = network(seed: 4)
        let before = net.layers.map(\.buffers)
        scaleReadoutToUnitLogits(net, on: probe())
        let after = net.layers.map(\.buffers)
        for (b, a) in zip(before, after) {
            #expect(b.map(\.scalars) == a.map(\.scalars))
        }
    }
}
