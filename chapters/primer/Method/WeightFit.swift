// Backpropagation through time on the smallest network there is: one input weight w into one
// neuron, trained so that the neuron fires a target number of spikes. The forward and backward
// passes are the package's (`SpikingNeuron.forward`, its fused BPTT kernel with the surrogate,
// and the Autodiff graph around it); plain gradient descent is NeuralNetworks' `SGD`.

import Autodiff
import NeuralNetworks
import SpikingNeurons
import TensorCore

/// The spike-count loss of one neuron driven by x[t] = w·a for T steps:
///
///     n(w) = Σ_t s[t],    L(w) = (n(w) − n*)²
///
/// n is a whole number, so L is a staircase in w: dL/dw = 0 wherever it exists.
public func spikeCountLoss(of neuron: SpikingNeuron, weight w: Float, input a: Float,
                           timesteps: Int, target: Int) -> (loss: Double, spikes: Int) {
    let n = neuron.spikeCounts(constantInputs: [w * a], timesteps: timesteps)[0]
    return (Double((n - target) * (n - target)), n)
}

/// What gradient descent on w did, step by step.
public struct WeightFit: Codable, Equatable, Sendable {
    /// One evaluation of the loss and its surrogate gradient.
    public struct Step: Codable, Equatable, Sendable {
        /// w before the update.
        public var weight: Double
        /// n(w), spikes in T steps.
        public var spikes: Int
        /// L = (n − n*)².
        public var loss: Double
        /// ∂L/∂w by BPTT with the surrogate in place of H′.
        public var gradient: Double
    }

    /// Step k = 0…K: the state before update k + 1 (the last entry is after the last update).
    public var steps: [Step]
}

/// Fits w by `updates` steps of gradient descent, w ← w − η·∂L/∂w, from `initialWeight`.
///
/// Each step runs the neuron over T steps with the graph recorded (x[t] = w·a, `[T, 1]`),
/// back-propagates L through every step of the recurrence (the surrogate f(h/θ − 1)/θ stands
/// in for ∂s/∂h), then updates w. Once n = n*, ∂L/∂n = 2·(n − n*) = 0 and w stays.
public func fitInputWeight(of neuron: SpikingNeuron, input a: Float, timesteps: Int, target: Int,
                           initialWeight: Float, learningRate: Float, updates: Int) -> WeightFit {
    let w = Parameter(Tensor(shape: [1], scalars: [initialWeight]), name: "primer.w", role: .weight)
    var optimiser = SGD(learningRate: learningRate, momentum: 0)
    var steps: [WeightFit.Step] = []
    for k in 0...updates {
        w.zeroGrad()
        var context = ForwardContext(phase: .training)
        context.timesteps = timesteps
        let input = Variable(Tensor(shape: [timesteps, 1], repeating: a))  // a[t], [T, 1]
        let x = input * w.variable                                          // x[t] = w·a
        let s = neuron.forward(x, context: &context)                        // s[t], [T, 1]
        let n = s.sum()                                                     // Σ_t s[t]
        let loss = (n + Float(-target)).squared()                           // (n − n*)²
        loss.backward()
        steps.append(WeightFit.Step(
            weight: Double(w.value[flat: 0]), spikes: Int(n.value[flat: 0]),
            loss: Double(loss.value[flat: 0]), gradient: Double(w.grad?[flat: 0] ?? 0)))
        if k < updates { optimiser.step([w]) }
    }
    return WeightFit(steps: steps)
}
