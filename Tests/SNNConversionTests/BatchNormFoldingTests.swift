import SNNConversion
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks

/// A BatchNorm with random statistics and γ of both signs.
private func randomBatchNorm(_ channels: Int, using rng: inout SeededGenerator) -> BatchNorm {
    let scale = (0..<channels).map { i in Float(i % 2 == 0 ? 1 : -1) * (0.5 + rng.nextUniform()) }
    return BatchNorm(
        scale: Tensor(shape: [channels], scalars: scale),
        shift: Tensor.normal(shape: [channels], using: &rng),
        runningMean: Tensor.normal(shape: [channels], using: &rng),
        runningVariance: Tensor.uniform(shape: [channels], low: 0.2, high: 3, using: &rng))
}

@Suite struct BatchNormFoldingTests {
    @Test(arguments: [false, true])
    func convolutionFoldingKeepsOutputs(bias: Bool) throws {
        var rng = SeededGenerator(seed: 11)
        let net = Sequential([
            Conv2D(3, 6, kernelSize: 3, stride: 1, padding: 1, bias: bias, using: &rng),
            randomBatchNorm(6, using: &rng), ReLU(), AveragePool(2), Flatten(),
            Linear(6 * 4 * 4, 5, bias: bias, using: &rng), randomBatchNorm(5, using: &rng), ReLU(),
            Linear(5, 3, using: &rng),
        ])
        let x = Tensor.normal(shape: [4, 3, 8, 8], using: &rng)
        let folded = try foldBatchNorm(net)
        #expect(folded.layers.filter { $0 is BatchNorm }.isEmpty)
        #expect(folded.layers.count == net.layers.count - 2)
        let (a, b) = (net(x), folded(x))
        // Folding only reorders float products: differences are rounding, ~1e-6 of |y| ≤ 10.
        #expect(maxAbsoluteDifference(a, b) <= 1e-5, "max |Δ| = \(maxAbsoluteDifference(a, b))")
    }

    @Test func hiddenLayerOutputsMatchToo() throws {
        var rng = SeededGenerator(seed: 12)
        let net = Sequential([Linear(7, 9, using: &rng), randomBatchNorm(9, using: &rng)])
        let x = Tensor.normal(shape: [16, 7], using: &rng)
        let folded = try foldBatchNorm(net)
        #expect(maxAbsoluteDifference(net(x), folded(x)) <= 1e-5)
        // Negative γ flips the sign of a whole output row.
        #expect(folded.layers.count == 1)
    }

    @Test func inputNetworkIsUntouched() throws {
        var rng = SeededGenerator(seed: 13)
        let net = Sequential([Conv2D(2, 4, using: &rng), randomBatchNorm(4, using: &rng), ReLU()])
        let before = net.parameters.map(\.value) + net.layers.flatMap(\.buffers)
        let folded = try foldBatchNorm(net)
        for p in folded.parameters { p.value = p.value * 3 }  // writing the copy …
        let after = net.parameters.map(\.value) + net.layers.flatMap(\.buffers)
        #expect(before == after)                                // … never reaches the original
        #expect(!folded.layers.contains { f in net.layers.contains { $0 === f } })
    }
}
