import SpikingNeurons
import TensorCore
import NeuralNetworks

/// How each layer's threshold θˡ (the per-layer scale of docs/conversion-notes.md §0.3) is chosen.
///
/// With spikes of amplitude θˡ (form (b) of §0.3) the time-averaged output of layer l
/// approximates min(yˡ, θˡ): θˡ must be large enough not to clip many activations, and
/// small enough that typical activations still produce spikes within a few steps (an
/// activation a reaches the first spike after ⌈θ/a⌉ steps).
public enum ThresholdBalancing: Sendable, Codable, Equatable, CustomStringConvertible {
    /// θˡ = max activation of ReLU layer l on calibration data (Diehl et al. 2015,
    /// data-based normalisation; the weight term max(W) is dropped as in SpikingJelly).
    /// Robust to nothing: one outlier sets the scale of a whole layer.
    case maxActivation
    /// θˡ = p-th percentile of the layer's non-zero activations (Rueckauer et al. 2017;
    /// p = 99.9 is the SNN toolbox default, 99.99 also common). Clips the rare outliers
    /// (error bounded by their mass) and makes every other neuron fire faster.
    case percentile(Double)
    /// Spike-Norm (Sengupta et al. 2019): layer by layer, θˡ = the largest input current
    /// Σ Wˡ·oˡ⁻¹(t) + bˡ that layer l receives in the SNN itself over the first `timesteps`
    /// steps on calibration images, with the thresholds of layers < l already fixed.
    case spikeNorm(timesteps: Int)

    public var description: String {
        switch self {
        case .maxActivation: "max-norm"
        case .percentile(let p): "percentile \(p)"
        case .spikeNorm(let t): "spike-norm (T = \(t))"
        }
    }
}

/// One threshold per ReLU of `ann` (in network order), chosen by `rule`.
///
///     max:         θˡ = max_{n,i} yˡᵢ(xₙ)
///     percentile:  θˡ = P_p({ yˡᵢ(xₙ) > 0 })
///     spike-norm:  θˡ = max_{n,i,t ≤ T} Iˡᵢ(t; xₙ),  Iˡ(t) = Wˡ·oˡ⁻¹(t) + bˡ in the SNN with θ^{<l} fixed
///
/// - Parameters:
///   - ann: the ANN with BatchNorm folded (`foldBatchNorm`).
///   - calibration: training-image batches `[N, C, H, W]`.
///   - statistics: pass statistics already collected on `calibration` to avoid a second pass.
/// - Throws: `ConversionError` if a spike-norm conversion step fails.
public func balanceThresholds(
    of ann: Sequential, on calibration: [Tensor], using rule: ThresholdBalancing,
    statistics: [ActivationStatistics]? = nil, reset: ResetMode = .subtraction,
    using rng: inout SeededGenerator
) throws -> [Float] {
    switch rule {
    case .maxActivation:
        let stats = statistics ?? ActivationStatistics.collect(ann, on: calibration, using: &rng)
        return stats.map(\.maxActivation)
    case .percentile(let p):
        let stats = statistics ?? ActivationStatistics.collect(ann, on: calibration, using: &rng)
        return stats.map { $0.percentile(p) }
    case .spikeNorm(let timesteps):
        return try _spikeNormThresholds(of: ann, on: calibration, timesteps: timesteps, reset: reset,
                                        using: &rng)
    }
}

/// Spike-Norm: for each ReLU l in order, convert the prefix of the ANN that ends just before
/// ReLU l (its earlier ReLUs become IF neurons with the thresholds found so far), simulate it
/// with direct input for T steps, and take the largest input current it emits.
///
/// Deviation (documented): Sengupta et al. use Poisson input and unit spikes; this uses the
/// collection's direct input and threshold-amplitude spikes, which is the same normalisation
/// in form (b) of docs/conversion-notes.md §0.3 rather than form (c).
func _spikeNormThresholds(
    of ann: Sequential, on calibration: [Tensor], timesteps: Int, reset: ResetMode,
    using rng: inout SeededGenerator
) throws -> [Float] {
    let reluIndices = ann.layers.indices.filter { ann.layers[$0] is ReLU }
    var thresholds: [Float] = []
    for index in reluIndices {
        let prefix = Sequential(Array(ann.layers[..<index]))
        let snn = try convert(prefix, thresholds: thresholds, reset: reset, readout: .membrane)
        var largest: Float = 0
        for batch in calibration {
            let simulation = snn.simulate(batch, timesteps: timesteps, encoding: .direct, using: &rng)
            largest = Swift.max(largest, simulation.outputs.max())
        }
        thresholds.append(Swift.max(largest, .leastNormalMagnitude))
    }
    return thresholds
}
