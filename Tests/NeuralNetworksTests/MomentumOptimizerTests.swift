import NeuralNetworks
import Testing
import TensorCore
import Autodiff

@Suite struct MomentumOptimizerTests {
    @Test func sgdMomentumIsTheVelocityIncludingMaskedWeights() {
        let p = Parameter(Tensor(shape: [3], scalars: [1, 2, 3]), name: "w", role: .weight)
        p.mask = Tensor(shape: [3], scalars: [1, 0, 1])
        p.applyMask()
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
        #expect(sgd.momentum(of: p) == nil)
        p.grad = Tensor(shape: [3], scalars: [1, 2, -1])
        sgd.step([p])
        p.grad = Tensor(shape: [3], scalars: [1, 1, 1])
        sgd.step([p])
        // v₂ = μ·v₁ + g₂ + λ·w₁ with v₁ = g₁ + λ·w₀; the masked weight is 0, so it gets no decay.
        let w0: Float = 1, w1 = w0 - 0.1 * (1 + 0.5 * w0)
        let expected: [Float] = [0.9 * (1 + 0.5 * w0) + 1 + 0.5 * w1, 0.9 * 2 + 1, 0]
        let v = sgd.momentum(of: p)!
        #expect(abs(v[flat: 0] - expected[0]) < 1e-6)
        #expect(abs(v[flat: 1] - expected[1]) < 1e-6)  // masked, still tracked: what regrowth reads
        #expect(p.value[flat: 1] == 0)
    }

    @Test func adamMomentumIsFirstMomentOverRootSecondMoment() {
        let p = Parameter(Tensor(shape: [2], scalars: [1, 0]), name: "w", role: .weight)
        p.mask = Tensor(shape: [2], scalars: [1, 0])
        var adam = Adam(learningRate: 0.01)
        #expect(adam.momentum(of: p) == nil)
        p.grad = Tensor(shape: [2], scalars: [2, -4])
        adam.step([p])
        // One step: m = (1 − β₁)·g, v = (1 − β₂)·g², so m/(√v + ε) = 0.1·g / (√0.001·|g| + ε).
        let m = adam.firstMoment(of: p)!, v = adam.secondMoment(of: p)!
        #expect(abs(m[flat: 1] - (-0.4)) < 1e-6 && abs(v[flat: 1] - 0.016) < 1e-6)
        let momentum = adam.momentum(of: p)!
        for (i, g) in [Float(2), -4].enumerated() {
            let expected = 0.1 * g / ((0.001 as Float).squareRoot() * abs(g) + 1e-8)
            #expect(abs(momentum[flat: i] - expected) < 1e-4, "entry \(i)")
        }
        #expect(p.value[flat: 1] == 0)
    }
}
