import Testing
import NeuralNetworks
import _TestSupport
import TensorCore
import Autodiff

@Suite struct BatchNormTests {
    @Test func trainingNormalisesAndUpdatesRunningStatistics() {
        var rng = SeededGenerator(seed: 3)
        let bn = BatchNorm(3, momentum: 0.1)
        let x = Tensor.normal(shape: [8, 3, 4, 4], mean: 2, std: 3, using: &rng)
        var context = ForwardContext(phase: .training)
        let y = bn.forward(Variable(x), context: &context).value
        // Per channel: mean 0 and (biased) variance 1 after normalisation with γ = 1, β = 0.
        for c in 0..<3 {
            var values: [Float] = []
            for n in 0..<8 { for i in 0..<4 { for j in 0..<4 { values.append(y[n, c, i, j]) } } }
            let mean = values.reduce(0, +) / Float(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-3)
        }
        // Running statistics moved 10% of the way from (0, 1) to the batch's (mean, unbiased var).
        for c in 0..<3 {
            var values: [Double] = []
            for n in 0..<8 { for i in 0..<4 { for j in 0..<4 { values.append(Double(x[n, c, i, j])) } } }
            let mean = values.reduce(0, +) / Double(values.count)
            let unbiased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
            #expect(abs(Double(bn.runningMean[flat: c]) - 0.1 * mean) < 1e-4)
            #expect(abs(Double(bn.runningVariance[flat: c]) - (0.9 + 0.1 * unbiased)) < 1e-3)
        }
    }

    @Test func inferenceUsesRunningStatisticsAndLeavesThemAlone() {
        var rng = SeededGenerator(seed: 4)
        let mean = Tensor(shape: [2], scalars: [1, -2]), variance = Tensor(shape: [2], scalars: [4, 0.25])
        let bn = BatchNorm(scale: Tensor(shape: [2], scalars: [2, -1]), shift: Tensor(shape: [2], scalars: [0.5, 0]),
                           runningMean: mean, runningVariance: variance, epsilon: 0)
        let x = Tensor.normal(shape: [3, 2, 2, 2], using: &rng)
        let y = bn(x)
        for n in 0..<3 { for i in 0..<2 { for j in 0..<2 {
            #expect(abs(y[n, 0, i, j] - (2 * (x[n, 0, i, j] - 1) / 2 + 0.5)) < 1e-5)
            #expect(abs(y[n, 1, i, j] - (-1 * (x[n, 1, i, j] + 2) / 0.5)) < 1e-5)
        }}}
        #expect(bn.runningMean == mean && bn.runningVariance == variance)
    }
}
