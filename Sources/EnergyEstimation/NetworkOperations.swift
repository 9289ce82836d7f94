import NeuralNetworks
import SpikingNeurons

/// The per-image input and output sizes of every layer of a `Sequential`, by shape tracking:
///
///     Conv2D:   H_out = ⌊(H + 2p − k)/s⌋ + 1        pooling (k, s): H_out = ⌊(H − k)/s⌋ + 1
///     Linear:   [in] → [out]     Flatten: [C, H, W] → [C·H·W]     others: shape unchanged
public struct LayerGeometry: Sendable, Equatable {
    /// Per-image input shape (no batch dimension).
    public var input: [Int]
    /// Per-image output shape.
    public var output: [Int]
    /// Dense multiply-accumulates of one forward pass of one image (0 for non-weight layers).
    public var macs: Double
}

extension Sequential {
    /// Walks the layers from a per-image `inputShape` (`[C, H, W]` or `[features]`).
    ///
    /// MACs (docs/conversion-notes.md §7.2): conv C_in·k²·C_out·H_out·W_out, linear in·out. Biases, BatchNorm,
    /// ReLU, pooling and neuron updates are not counted (the usual convention).
    public func geometry(inputShape: [Int]) -> [LayerGeometry] {
        var shape = inputShape
        return layers.map { layer in
            let input = shape
            var macs = 0.0
            switch layer {
            case let conv as Conv2D:
                let (h, w) = (shape[1], shape[2])
                let hOut = (h + 2 * conv.padding - conv.kernelSize) / conv.stride + 1
                let wOut = (w + 2 * conv.padding - conv.kernelSize) / conv.stride + 1
                macs = OperationCount.convolutionMACs(
                    inChannels: conv.inChannels, outChannels: conv.outChannels,
                    kernelSize: conv.kernelSize, outHeight: hOut, outWidth: wOut)
                shape = [conv.outChannels, hOut, wOut]
            case let linear as Linear:
                macs = OperationCount.linearMACs(inFeatures: linear.inFeatures, outFeatures: linear.outFeatures)
                shape = [linear.outFeatures]
            case let pool as AveragePool:
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case let pool as MaxPool:
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case is GlobalAveragePool:
                shape = [shape[0]]
            case is Flatten:
                shape = [shape.reduce(1, *)]
            default:
                break  // element-wise: ReLU, BatchNorm, Dropout, SpikingNeuron …
            }
            return LayerGeometry(input: input, output: shape, macs: macs)
        }
    }
}

/// How the first weight layer of an SNN with analog (direct) input is charged (docs/conversion-notes.md §7.3).
public enum AnalogInputConvention: String, Sendable, Codable {
    /// Convention A: the image is re-applied every step, MACs₁ × T (the common, pessimistic one).
    case everyStep
    /// Convention B: the constant current W·x + b is computed once and cached, MACs₁ × 1.
    case once
}

extension EnergyLedger {
    /// The ANN's ledger: every Conv2D/Linear performs its dense MACs once per image.
    public static func ann(_ network: Sequential, inputShape: [Int],
                           constants: EnergyConstants = .float32At45nm) -> EnergyLedger {
        let geometry = network.geometry(inputShape: inputShape)
        let layers = zip(network.layers, geometry).enumerated().compactMap { i, pair -> LayerOperations? in
            guard pair.0 is Conv2D || pair.0 is Linear else { return nil }
            return LayerOperations(name: "[\(i)] \(pair.0.summary)", macs: pair.1.macs, accumulates: 0)
        }
        return EnergyLedger(layers: layers, constants: constants)
    }

    /// The SNN's ledger for one image over `timesteps` steps (docs/conversion-notes.md §7.3):
    ///
    ///     first weight layer, analog input:  MACs₁ × T (convention A) or MACs₁ (B)
    ///     later weight layer l:              ACₗ = MACₗ · S_l / n_l
    ///
    /// where S_l = `inputSpikesPerImage[l]` is the number of spike events (over all steps)
    /// arriving at layer l and n_l the number of elements of its input. MACₗ/n_l is the mean
    /// fan-out of an input element, so ACₗ = spikes × mean fan-out = MACₗ × (input rate) × T.
    /// Border convention: the mean fan-out is exact when spikes are spread uniformly over
    /// positions (padding makes border fan-outs smaller; Sinabs' connection map counts them
    /// exactly). Average pooling between neurons and layer l: S_l counts the spikes *before*
    /// pooling (how `simulate` passes them through), each charged the fan-out of the pooled
    /// element it lands in — Sinabs' k² correction. Every weight layer before the first
    /// `SpikingLayer` sees analog input and is charged MACs.
    ///
    /// - Parameters:
    ///   - network: the converted SNN (its weight layers are what is charged).
    ///   - inputShape: per-image input shape.
    ///   - inputSpikesPerImage: indexed like `network.layers` (`Simulation.inputSpikesPerImage`
    ///     or `TimestepEvaluation.inputSpikesPerImage`), counted over `timesteps` steps.
    public static func snn(
        _ network: Sequential, inputShape: [Int], inputSpikesPerImage: [Double], timesteps: Int,
        analogInput: AnalogInputConvention = .everyStep, constants: EnergyConstants = .float32At45nm
    ) -> EnergyLedger {
        precondition(inputSpikesPerImage.count == network.layers.count,
                     "one input-spike count per layer: \(inputSpikesPerImage.count) for \(network.layers.count) layers")
        let geometry = network.geometry(inputShape: inputShape)
        var layers: [LayerOperations] = []
        var seenNeuron = false
        for (i, layer) in network.layers.enumerated() {
            if layer is any SpikingLayer { seenNeuron = true }
            guard layer is Conv2D || layer is Linear else { continue }
            let name = "[\(i)] \(layer.summary)"
            let macs = geometry[i].macs
            if !seenNeuron {
                // Analog input: real multiply-accumulates.
                let steps = analogInput == .everyStep ? Double(timesteps) : 1
                layers.append(LayerOperations(name: name, macs: macs * steps, accumulates: 0))
            } else {
                let elements = Double(geometry[i].input.reduce(1, *))
                layers.append(LayerOperations(
                    name: name, macs: 0,
                    accumulates: OperationCount.accumulates(inputSpikes: inputSpikesPerImage[i],
                                                            fanOut: macs / elements)))
            }
        }
        return EnergyLedger(layers: layers, constants: constants)
    }

    /// The same operation counts priced with other constants (e.g. int32 instead of float32).
    public func priced(with constants: EnergyConstants) -> EnergyLedger {
        EnergyLedger(layers: layers, constants: constants)
    }
}
