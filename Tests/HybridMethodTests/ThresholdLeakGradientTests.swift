// Trainable threshold θ and leak λ of the single-spike neuron (DIET-SNN style, chapters/hybrid/NOTES.md §2.1):
// the fused BPTT gradients with respect to the input, θ and λ equal central finite differences
// of the surrogate's relaxed forward pass, and the typed switch really freezes them.
//
// A spike is a step function, so finite differences of the real forward pass are zero almost
// everywhere. What BPTT computes is the exact gradient of the relaxed pass
//
//     s̃[t] = H(z₀[t]) + σ_t(z[t]) − σ_t(z₀[t]),    z = h/θ − 1,    σ_t′ = f(t, ·) (the surrogate)
//
// with z₀ the unperturbed value (the straight-through construction): s̃ equals the real spike
// at the point of evaluation and has derivative f. The firing step t_f is locally constant, so
// the mask (nothing after t_f) and the frozen membrane are kept from the unperturbed pass.
// For V1, σ_t(z) = α·e^{−βt}·z; for V2, σ(z) = γ·(z − z·|z|/2) on |z| ≤ 1, constant outside.

import Foundation
import HybridMethod
import SNNConversion
import Testing
import _TestSupport
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

@Suite struct ThresholdLeakGradientTests {
    /// σ with σ′ = f(t, z), for the relaxed pass.
    static func antiderivative(_ surrogate: STDBSurrogate, step t: Int, z: Double) -> Double {
        switch surrogate {
        case .v1(let alpha, let beta): Double(alpha) * Foundation.exp(-Double(beta) * Double(t)) * z
        case .v2(let gamma):
            Double(gamma) * (Swift.abs(z) <= 1 ? z - z * Swift.abs(z) / 2 : (z > 0 ? 0.5 : -0.5))
        }
    }

    /// L̃ = Σ r ⊙ θ·s̃ in Double, with the unperturbed pass's firing steps and z₀.
    static func relaxedLoss(x: [Double], theta: Double, leak: Double, weights r: [Double], timesteps T: Int,
                            baseFire: [Int32], baseZ: [Double], surrogate: STDBSurrogate) -> Double {
        let m = x.count / T
        var loss = 0.0
        for i in 0..<m {
            let last = baseFire[i] == 0 ? T : Int(baseFire[i])
            var h = 0.0
            for t in 1...last {
                let k = (t - 1) * m + i
                h = leak * h + x[k]
                let z = h / theta - 1
                let hard: Double = baseFire[i] == Int32(t) ? 1 : 0
                let s = hard + antiderivative(surrogate, step: t, z: z)
                    - antiderivative(surrogate, step: t, z: baseZ[k])
                loss += r[k] * theta * s
            }
        }
        return loss
    }

    @Test(arguments: [STDBSurrogate.v1(alpha: 0.3, beta: 0.1), .v2(gamma: 0.3)])
    func inputThresholdAndLeakGradientsMatchFiniteDifferences(surrogate: STDBSurrogate) {
        let (T, n, features): (Int, Int, Int) = (5, 2, 6)
        let (theta, leak): (Float, Float) = (0.9, 0.8)
        var rng = SeededGenerator(seed: 12)
        let x = Tensor.uniform(shape: [T * n, features], low: -0.2, high: 0.6, using: &rng)
        let r = Tensor.uniform(shape: [T * n, features], low: -1, high: 1, using: &rng)

        // Analytic: the layer's fused backward.
        let layer = SingleSpikeNeuron(threshold: theta, leak: leak, surrogate: surrogate, training: .trained)
        let input = Variable(leaf: x)
        var context = ForwardContext(phase: .training)
        context.timesteps = T
        (layer.forward(input, context: &context) * Variable(r)).sum().backward()
        let dx = input.grad!.scalars
        let dTheta = Double(layer.threshold.grad![flat: 0]), dLeak = Double(layer.leak.grad![flat: 0])

        // The unperturbed pass: a mix of fired and silent neurons, none within 2·10⁻³ of θ
        // (the largest finite-difference step moves h by less).
        let base = singleSpikeForward(x, timesteps: T, threshold: theta, leak: leak)
        let m = n * features
        #expect(base.fireStep.contains(0) && base.fireStep.contains { $0 > 1 })
        let baseZ = base.membranes.scalars.map { Double($0) / Double(theta) - 1 }
        for i in 0..<m {
            let last = base.fireStep[i] == 0 ? T : Int(base.fireStep[i])
            for t in 0..<last { #expect(Swift.abs(baseZ[t * m + i]) * Double(theta) > 2e-3) }
        }
        let xs = x.scalars.map(Double.init), rs = r.scalars.map(Double.init)
        func loss(_ x: [Double], _ th: Double, _ lk: Double) -> Double {
            Self.relaxedLoss(x: x, theta: th, leak: lk, weights: rs, timesteps: T, baseFire: base.fireStep,
                        baseZ: baseZ, surrogate: surrogate)
        }
        let h = 1e-4
        func close(_ analytic: Double, _ numeric: Double) -> Bool {
            Swift.abs(analytic - numeric) <= 1e-3 * Swift.max(Swift.abs(numeric), 1e-2)
        }
        for k in xs.indices {
            var up = xs, down = xs
            up[k] += h; down[k] -= h
            let numeric = (loss(up, Double(theta), Double(leak)) - loss(down, Double(theta), Double(leak))) / (2 * h)
            #expect(close(Double(dx[k]), numeric), "∂L/∂x[\(k)]: fused \(dx[k]), finite difference \(numeric)")
        }
        let numericTheta = (loss(xs, Double(theta) + h, Double(leak)) - loss(xs, Double(theta) - h, Double(leak))) / (2 * h)
        let numericLeak = (loss(xs, Double(theta), Double(leak) + h) - loss(xs, Double(theta), Double(leak) - h)) / (2 * h)
        #expect(close(dTheta, numericTheta), "∂L/∂θ: fused \(dTheta), finite difference \(numericTheta)")
        #expect(close(dLeak, numericLeak), "∂L/∂λ: fused \(dLeak), finite difference \(numericLeak)")
        // Both parameter gradients are really exercised.
        #expect(Swift.abs(numericTheta) > 1e-2 && Swift.abs(numericLeak) > 1e-2)
    }

    @Test func fixedParametersDoNotMoveAndTrainedOnesDo() throws {
        var rng = SeededGenerator(seed: 5)
        let ann = Sequential([Linear(8, 12, bias: false, using: &rng), ReLU(),
                              Linear(12, 4, bias: false, using: &rng)])
        let x = Tensor.uniform(shape: [5 * 3, 8], low: 0, high: 1, using: &rng)
        for (hidden, training) in [(HiddenNeurons.singleSpike(.v1(alpha: 0.3, beta: 0.1)), Training.fixed),
                                   (.singleSpike(.v1(alpha: 0.3, beta: 0.1)), .trained),
                                   (.multiSpike, .fixed), (.multiSpike, .trained)] {
            let snn = try spikingNetwork(from: ann, thresholds: [0.5], hidden: hidden, thresholdAndLeak: training)
            let before = neuronParameters(of: snn)
            #expect(before.count == 1 && before[0].threshold == 0.5 && before[0].leak == 1)
            // θ and λ are parameters exactly when trained (weights: the two Linear layers).
            #expect(snn.parameters.count == (training == .trained ? 4 : 2), "\(hidden) \(training)")
            var adam = Adam(learningRate: 0.05)
            for _ in 0..<5 {
                var context = ForwardContext(phase: .training)
                context.timesteps = 5
                (snn.forward(Variable(x), context: &context) * Variable(Tensor(shape: [15, 4], repeating: 1)))
                    .sum().backward()
                adam.step(snn.parameters)
                clampNeuronParameters(of: snn)
            }
            let after = neuronParameters(of: snn)[0]
            if training == .fixed {
                #expect(after.threshold == 0.5 && after.leak == 1, "\(hidden): frozen θ, λ moved")
            } else {
                #expect(after.threshold != 0.5, "\(hidden): trained θ did not move")
                // λ starts at its bound 1; it may only move down (clamped to ≤ 1).
                #expect(after.leak <= 1 && after.leak > 0)
            }
        }
    }
}
