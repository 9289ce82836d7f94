@_exported import SpikingNeurons

/// How the converted network's class scores are read out (digest §0.8).
public enum Readout: Sendable, Codable, Equatable {
    /// The last layer stays non-spiking; the score after t steps is its accumulated input
    /// current Σ_{τ ≤ t} (W·o(τ) + b) ("membrane" read-out of RNL and QCFS). It has no
    /// threshold, so nothing is lost to quantisation at the output.
    case membrane
    /// An IF layer with the given threshold is added after the last layer; the score is the
    /// output spike count (Diehl 2015, SNN toolbox). Ties are common at small T.
    case spikeCount(threshold: Float)
}

/// Converts a ReLU ANN into an IF SNN (Diehl et al. 2015; Rueckauer et al. 2017).
///
/// Layer mapping, in order:
/// - `ReLU` number l → `SpikingNeuron` (IF, threshold θˡ, `reset`, `initialMembrane`), with
///   spikes of amplitude θˡ (`SpikeAmplitude.threshold`):
///
///         u[t] = u[t−1] + Wˡ·o^{l−1}[t] + bˡ,   s[t] = H(u[t] − θˡ),   o[t] = θˡ·s[t]
///
///   so the time-average of o approximates min(yˡ, θˡ) in the ANN's own units and the next
///   layer keeps its weights. This is form (b) of digest §0.3; it is exactly equivalent to
///   weight normalisation (form (a): Wˡ ← Wˡ·θˡ⁻¹/θˡ, bˡ ← bˡ/θˡ, threshold 1, unit spikes)
///   — both divide every membrane equation of layer l by θˡ — and a chip that wants
///   binary spikes folds θˡ into Wˡ⁺¹.
/// - `Conv2D`, `Linear`, `Flatten`, `AveragePool` (linear, commutes with time averaging),
///   and an unfolded eval-mode `BatchNorm` → copied.
/// - `Dropout` → removed (identity at inference).
/// - `MaxPool` → `ConversionError.maxPoolingNotConvertible` (max over spikes is an OR and
///   over-estimates the rate; digest §0.6).
/// - The last layer stays non-spiking (`Readout.membrane`), or gets an IF layer
///   (`Readout.spikeCount`).
///
/// Biases are injected every step as constant currents (Rueckauer 2017). Input is expected
/// to be direct (analog): the first layer integrates the normalised image every step.
///
/// - Parameters:
///   - ann: a ReLU network, BatchNorm folded (`foldBatchNorm`) or kept in eval mode.
///   - thresholds: one θˡ per ReLU, in order (`balanceThresholds`).
/// - Returns: a new network; `ann` is untouched (no shared layer instances).
public func convert(
    _ ann: Sequential, thresholds: [Float], reset: ResetMode = .subtraction,
    initialMembrane: InitialMembrane = .zero, readout: Readout = .membrane
) throws -> Sequential {
    let reluCount = ann.layers.filter { $0 is ReLU }.count
    guard reluCount == thresholds.count else {
        throw ConversionError.thresholdCountMismatch(expected: reluCount, got: thresholds.count)
    }
    var layers: [any Layer] = []
    var next = 0
    for (index, layer) in ann.layers.enumerated() {
        switch layer {
        case is ReLU:
            layers.append(SpikingNeuron(
                threshold: thresholds[next], model: .integrateAndFire, reset: reset,
                initialMembrane: initialMembrane, amplitude: .threshold))
            next += 1
        case is Dropout:
            continue
        case is MaxPool:
            throw ConversionError.maxPoolingNotConvertible(index: index)
        case is Conv2D, is Linear, is Flatten, is AveragePool, is BatchNorm:
            layers.append(_copy(layer)!)
        default:
            throw ConversionError.unsupportedLayer(index: index, summary: layer.summary)
        }
    }
    if case .spikeCount(let threshold) = readout {
        layers.append(SpikingNeuron(threshold: threshold, reset: reset,
                                    initialMembrane: initialMembrane, amplitude: .unit))
    }
    return Sequential(layers)
}
