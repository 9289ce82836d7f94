import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

/// A whole SNN and a whole ANN, with activations kept channel-blocked between the convolutions
/// (the default) and with every activation row-major: the outputs, every parameter gradient
/// and the BatchNorm running statistics must be the same bits.
@Suite("Blocked activations end to end")
struct BlockedNetworkTests {
    /// conv → BN → LIF → avg pool → conv → BN → LIF → max pool → dropout → flatten → linear,
    /// the layer order of the benchmark's VGG SNN; or the same with ReLU (the ANN).
    /// The second neuron layer trains θ and λ (its ∂θ, ∂λ sum over neurons in row-major order).
    static func network(spiking: Bool) -> Sequential {
        var rng = SeededGenerator(seed: 31)
        var neurons = 0
        func activation() -> any Layer {
            neurons += 1
            let trained: Training = neurons == 2 ? .trained : .fixed
            return spiking ? SpikingNeuron(threshold: 1, model: .leakyIntegrateAndFire(leak: 0.5, training: trained),
                                           reset: .zero, surrogate: .atan(alpha: 2), thresholdTraining: trained)
                           : ReLU()
        }
        return Sequential([
            Conv2D(3, 16, using: &rng), BatchNorm(16), activation(), AveragePool(2),
            Conv2D(16, 32, using: &rng), BatchNorm(32), activation(), MaxPool(2),
            Dropout(0.2), Flatten(), Linear(32 * 2 * 2, 10, using: &rng),
        ])
    }

    static func run(spiking: Bool, phase: Phase) -> [Tensor] {
        let network = network(spiking: spiking)
        let timesteps = spiking ? 3 : 1
        var rng = SeededGenerator(seed: 32)
        let images = Tensor.uniform(shape: [timesteps * 4, 3, 8, 8], low: -1, high: 2, using: &rng)
        var context = ForwardContext(phase: phase, rng: SeededGenerator(seed: 33))
        context.timesteps = timesteps
        let y = network.forward(Variable(images), context: &context)
        y.backward(seed: Tensor.normal(shape: y.shape, using: &rng))
        var out = [y.value]
        for layer in network.layers {
            out += layer.parameters.compactMap(\.grad)
            out += layer.buffers
        }
        return out
    }

    @Test(arguments: [true, false], [Phase.training, .inference])
    func blockedAndRowMajorNetworksAgreeBitForBit(spiking: Bool, phase: Phase) {
        let blocked = Self.run(spiking: spiking, phase: phase)
        let rowMajor = DNNLRuntime.$activationLayout.withValue(.rowMajor) { Self.run(spiking: spiking, phase: phase) }
        #expect(blocked.count == rowMajor.count && blocked.count > 8)
        for (i, (a, b)) in zip(blocked, rowMajor).enumerated() {
            #expect(a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "tensor \(i)")
        }
        #expect(blocked[0].scalars.contains { $0 != 0 })
    }

    /// The blocked layout really flows between the layers: a convolution's output, the
    /// BatchNorm, neuron and pooling outputs after it stay blocked (up to the neuron layer that
    /// trains θ and λ, which works row-major).
    @Test func activationsStayBlockedBetweenConvolutions() {
        let network = Self.network(spiking: true)
        var rng = SeededGenerator(seed: 34)
        var context = ForwardContext(phase: .training, rng: SeededGenerator(seed: 35))
        context.timesteps = 2
        let outputs = network.forwardCollecting(
            Variable(Tensor.uniform(shape: [8, 3, 8, 8], using: &rng)), context: &context)
        #expect(outputs[0...5].allSatisfy { $0.value.layout == .channelBlocked16 })
        #expect(outputs[6...].allSatisfy { $0.value.layout == .rowMajor })
    }
}

/// The hybrid chapter's ANN (VGG, no BatchNorm, dropout, average pooling) trained for a few
/// Adam steps under both layouts: the same weights, bit for bit.
@Suite("Blocked activations: VGG training steps")
struct BlockedTrainingTests {
    static func train(steps: Int) -> [Tensor] {
        var rng = SeededGenerator(seed: 41)
        let network = VGG.make([.conv(16), .conv(16), .pool, .conv(32), .pool], inputChannels: 1, inputSize: 12,
                               classes: 10, classifier: [24], batchNorm: false, bias: false, pool: .average,
                               dropout: 0.2, using: &rng)
        var adam = Adam(learningRate: 1e-3, weightDecay: 5e-4)
        for _ in 0..<steps {
            let images = Tensor.normal(shape: [8, 1, 12, 12], using: &rng)
            let labels = (0..<8).map { _ in Int(rng.next() % 10) }
            _ = classificationStep(network, images: images, labels: labels, optimizer: &adam, rng: &rng)
        }
        return network.parameters.map(\.value)
    }

    @Test func trainingStepsAreBitIdenticalUnderBothLayouts() {
        let blocked = Self.train(steps: 3)
        let rowMajor = DNNLRuntime.$activationLayout.withValue(.rowMajor) { Self.train(steps: 3) }
        for (i, (a, b)) in zip(blocked, rowMajor).enumerated() {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "parameter \(i)")
        }
    }
}
