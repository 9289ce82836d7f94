import SpikingNeurons
import NeuralNetworks
import TensorCore
import Autodiff

/// How the converted network's class scores are read out (docs/conversion-notes.md §0.8).
public enum Readout: Sendable, Codable, Equatable {
    /// The last layer stays non-spiking; the score after t steps is its accumulated input
    /// current Σ_{τ ≤ t} (W·o(τ) + b) ("membrane" read-out of RNL and QCFS). It has no
    /// threshold, so nothing is lost to quantisation at the output.
    case membrane
    /// An IF layer with the given threshold is added after the last layer; the score is the
    /// output spike count (Diehl 2015, SNN toolbox). Ties are common at small T.
    case spikeCount(threshold: Float)
}

// MARK: - The rule

/// One activation of the ANN that a conversion rule turns into a spiking layer.
public struct ActivationSite {
    /// Position of the activation layer in the ANN.
    public let index: Int
    /// 0 for the first activation, 1 for the second, …
    public let ordinal: Int
    /// The ANN's activation layer (`ReLU`, `ClippedReLU`, a paper's own activation).
    public let layer: any Layer
    /// θ of this site, from the rule's `ThresholdSource`.
    public let threshold: Float
}

/// Where each spiking layer's threshold θˡ comes from.
public enum ThresholdSource {
    /// One θ per activation, in order, computed before conversion: the max or a percentile
    /// of the activations (`balanceThresholds`), spike-norm, or a fit to the activation
    /// distribution (chapter ultralow).
    case given([Float])
    /// The activation layer carries θ itself, trained with the ANN (RNL's θ = M·σ(s)).
    case activation((any Layer) -> Float)
}

/// What to do with max pooling, which over binary spikes computes an OR (docs/conversion-notes.md §0.6).
public enum MaxPooling: Sendable {
    /// Stop with `ConversionError.maxPoolingNotConvertible`: the rate would be over-estimated.
    case reject
    /// Keep it: the rule's network is fine-tuned through it (ultralow) or it is accepted as an
    /// approximation.
    case keep
}

/// A conversion method as data: which ANN layers become spiking layers, what those layers
/// are, where their thresholds come from, and how the weights around them change. Every
/// paper's conversion in this package is one `ConversionRule` passed to `convert(_:rule:)`;
/// the layer walk below is shared.
///
///     activation l → spiking layer  `neuron`(site l)            θˡ from `thresholds`
///     next Conv2D / Linear:  W ← W · `weightScale`(site l)      (a spike of value θˡ is worth Aˡ)
///     Conv2D, Linear, Flatten, AveragePool, eval-mode BatchNorm → copied
///     Dropout → removed (identity at inference);  MaxPool → `maxPooling`
///     the last layer → non-spiking read-out, or `outputNeuron` appended
public struct ConversionRule {
    /// Whether an ANN layer is an activation this rule replaces.
    public var isActivation: (any Layer) -> Bool
    /// θ of every activation.
    public var thresholds: ThresholdSource
    /// The spiking layer that replaces one activation.
    public var neuron: (ActivationSite) -> any SpikingLayer
    /// The factor folded into the weight layer after an activation (nil: none). With spikes of
    /// value θˡ and a wanted value Aˡ, it is Aˡ/θˡ.
    public var weightScale: ((ActivationSite) -> Float)?
    public var maxPooling: MaxPooling
    /// A spiking layer appended after the last layer (spike-count read-out), or nil for the
    /// membrane read-out.
    public var outputNeuron: (() -> any SpikingLayer)?

    public init(isActivation: @escaping (any Layer) -> Bool = { $0 is ReLU }, thresholds: ThresholdSource,
                neuron: @escaping (ActivationSite) -> any SpikingLayer,
                weightScale: ((ActivationSite) -> Float)? = nil, maxPooling: MaxPooling = .reject,
                outputNeuron: (() -> any SpikingLayer)? = nil) {
        self.isActivation = isActivation
        self.thresholds = thresholds
        self.neuron = neuron
        self.weightScale = weightScale
        self.maxPooling = maxPooling
        self.outputNeuron = outputNeuron
    }

    /// The classic conversion (Diehl et al. 2015; Rueckauer et al. 2017): every ReLU becomes an
    /// IF layer with threshold θˡ and spikes of amplitude θˡ (`SpikeAmplitude.threshold`):
    ///
    ///     u[t] = u[t−1] + Wˡ·o^{l−1}[t] + bˡ,   s[t] = H(u[t] − θˡ),   o[t] = θˡ·s[t]
    ///
    /// so the time-average of o approximates min(yˡ, θˡ) in the ANN's own units and the next
    /// layer keeps its weights. This is form (b) of docs/conversion-notes.md §0.3; it is exactly equivalent to
    /// weight normalisation (form (a): Wˡ ← Wˡ·θˡ⁻¹/θˡ, bˡ ← bˡ/θˡ, threshold 1, unit spikes)
    /// — both divide every membrane equation of layer l by θˡ — and a chip that wants
    /// binary spikes folds θˡ into Wˡ⁺¹. Biases are injected every step as constant currents.
    public static func integrateAndFire(
        thresholds: [Float], reset: ResetMode = .subtraction, initialMembrane: InitialMembrane = .zero,
        readout: Readout = .membrane
    ) -> ConversionRule {
        var outputNeuron: (() -> any SpikingLayer)?
        if case .spikeCount(let threshold) = readout {
            outputNeuron = {
                SpikingNeuron(threshold: threshold, reset: reset, initialMembrane: initialMembrane, amplitude: .unit)
            }
        }
        return ConversionRule(
            thresholds: .given(thresholds),
            neuron: { site in
                SpikingNeuron(threshold: site.threshold, model: .integrateAndFire, reset: reset,
                              initialMembrane: initialMembrane, amplitude: .threshold)
            },
            outputNeuron: outputNeuron)
    }
}

// MARK: - The one conversion

/// Converts an ANN into an SNN by `rule`; `ann` is untouched (no shared layer instances).
///
/// - Parameter ann: the ANN, BatchNorm folded (`foldBatchNorm`) or kept in eval mode.
/// - Throws: `ConversionError` for a threshold list of the wrong length, max pooling the rule
///   rejects, or a layer type no rule knows.
public func convert(_ ann: Sequential, rule: ConversionRule) throws -> Sequential {
    let activationCount = ann.layers.filter(rule.isActivation).count
    if case .given(let thresholds) = rule.thresholds, thresholds.count != activationCount {
        throw ConversionError.thresholdCountMismatch(expected: activationCount, got: thresholds.count)
    }
    var layers: [any Layer] = []
    var ordinal = 0
    var scale: Float? = nil   // folded into the next weight layer
    for (index, layer) in ann.layers.enumerated() {
        if rule.isActivation(layer) {
            let threshold: Float
            switch rule.thresholds {
            case .given(let values): threshold = values[ordinal]
            case .activation(let read): threshold = read(layer)
            }
            let site = ActivationSite(index: index, ordinal: ordinal, layer: layer, threshold: threshold)
            layers.append(rule.neuron(site))
            scale = rule.weightScale?(site)
            ordinal += 1
            continue
        }
        switch layer {
        case is Dropout:
            continue
        case is MaxPool where rule.maxPooling == .reject:
            throw ConversionError.maxPoolingNotConvertible(index: index)
        case let conv as Conv2D:
            layers.append(Conv2D(weight: scale.map { conv.weight.value * $0 } ?? conv.weight.value,
                                 bias: conv.bias?.value, stride: conv.stride, padding: conv.padding))
            scale = nil
        case let linear as Linear:
            layers.append(Linear(weight: scale.map { linear.weight.value * $0 } ?? linear.weight.value,
                                 bias: linear.bias?.value))
            scale = nil
        case is Flatten, is AveragePool, is BatchNorm, is MaxPool:
            layers.append(_copy(layer)!)
        default:
            throw ConversionError.unsupportedLayer(index: index, summary: layer.summary)
        }
    }
    if let outputNeuron = rule.outputNeuron { layers.append(outputNeuron()) }
    return Sequential(layers)
}

/// The classic conversion, `ConversionRule.integrateAndFire`: every ReLU → an IF layer with
/// threshold θˡ (`thresholds`, one per ReLU in order, e.g. from `balanceThresholds`) and spikes
/// of amplitude θˡ; the last layer stays non-spiking (`Readout.membrane`) or gets an IF layer
/// (`Readout.spikeCount`). Input is expected to be direct (analog): the first layer integrates
/// the normalised image every step.
public func convert(
    _ ann: Sequential, thresholds: [Float], reset: ResetMode = .subtraction,
    initialMembrane: InitialMembrane = .zero, readout: Readout = .membrane
) throws -> Sequential {
    try convert(ann, rule: .integrateAndFire(thresholds: thresholds, reset: reset,
                                             initialMembrane: initialMembrane, readout: readout))
}
