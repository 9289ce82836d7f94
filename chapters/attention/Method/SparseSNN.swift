// Conversion of a (sparse) ANN to a DIET-style LIF SNN with trainable leak and threshold, its
// BPTT training with masks fixed, and energy with non-zero synapses only (NOTES.md §2.5, §2.6, §5).

import EnergyEstimation
import Foundation
import SNNConversion
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

/// The converted SNN with every ReLU → LIF neuron (leak λ = 1 initially, trainable; threshold
/// θˡ trainable; reset by subtraction; spikes of amplitude θ; surrogate 0.3·max(0, 1 − |h/θ − 1|)).
/// Weight masks are copied from the ANN (its `Parameter.mask`, or `W ≠ 0` when it has none,
/// as after BatchNorm folding) so SNN training keeps the compression (the optimisers re-apply
/// them).
public func trainableSNN(from ann: Sequential, thresholds: [Float]) throws -> Sequential {
    let snn = try convert(ann, rule: ConversionRule(thresholds: .given(thresholds), neuron: { site in
        SpikingNeuron(threshold: site.threshold, model: .leakyIntegrateAndFire(leak: 1, training: .trained),
                      reset: .subtraction, amplitude: .threshold, surrogate: .triangle(gamma: 0.3),
                      thresholdTraining: .trained)
    }))
    for (source, p) in zip(weightParameters(of: ann), weightParameters(of: snn)) {
        precondition(source.value.shape == p.value.shape, "conversion changed a weight's shape")
        p.mask = source.mask ?? p.value.map { $0 != 0 ? 1 : 0 }
    }
    return snn
}

/// x `[N, …]` repeated T times, time-major `[T·N, …]` (direct input).
public func repeatedInTime(_ images: Tensor, timesteps: Int) -> Tensor {
    var scalars: [Float] = []
    scalars.reserveCapacity(images.count * timesteps)
    let once = images.scalars
    for _ in 0..<timesteps { scalars += once }
    var shape = images.shape
    shape[0] *= timesteps
    return Tensor(shape: shape, scalars: scalars)
}

/// One BPTT step: logits = (1/T) Σ_t out[t] (accumulated membrane read-out), CE, optimiser step
/// (masks re-applied), then λ ← min(λ, 1) and θ ← max(θ, 1e-3).
public func snnTrainingStep(_ snn: Sequential, images: Tensor, labels: [Int], timesteps: Int,
                            optimizer: inout some Optimizer, rng: inout SeededGenerator) -> (loss: Float, correct: Int) {
    let n = images.shape[0]
    var context = ForwardContext(phase: .training, rng: rng.split())
    context.timesteps = timesteps
    let out = snn.forward(Variable(repeatedInTime(images, timesteps: timesteps)), context: &context)
    var logits = out.slice(0..<n)
    for t in 1..<timesteps { logits = logits + out.slice(t * n..<(t + 1) * n) }
    logits = logits * (1 / Float(timesteps))
    let loss = Variable.softmaxCrossEntropy(logits: logits, labels: labels)
    loss.backward()
    optimizer.step(snn.parameters)
    for neuron in snn.spikingLayers { neuron.clampTrainedParameters(minimumThreshold: 1e-3, leak: 0...1) }
    let correct = zip(logits.value.argmaxRows(), labels).filter { $0 == $1 }.count
    return (loss.value.scalar, correct)
}

extension EnergyLedger {
    /// The same ledger with weight layer l's MACs and ACs multiplied by its density d_l
    /// (hardware that skips zero weights; NOTES.md §5):
    ///
    ///     E_ANN,sparse = E_MAC Σ_l d_l MACs_l,   AC_l = d_l · spikes_l · fan-out_l
    ///
    /// With every d_l = 1 it is the dense ledger unchanged.
    public func sparse(densities: [Double]) -> EnergyLedger {
        precondition(densities.count == layers.count, "one density per weight layer")
        return EnergyLedger(layers: zip(layers, densities).map { layer, d in
            LayerOperations(name: layer.name, macs: layer.macs * d, accumulates: layer.accumulates * d)
        }, constants: constants)
    }
}
