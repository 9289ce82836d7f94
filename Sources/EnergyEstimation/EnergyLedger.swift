/// Operation counts of one layer for one inference of one image.
public struct LayerOperations: Sendable, Codable, Equatable {
    public var name: String
    /// Multiply-accumulates (ANN layers, and an SNN layer fed by analog input).
    public var macs: Double
    /// Accumulates (SNN layers fed by spikes: spikes × fan-out, summed over time steps).
    public var accumulates: Double

    public init(name: String, macs: Double, accumulates: Double) {
        self.name = name
        self.macs = macs
        self.accumulates = accumulates
    }

    /// Energy in picojoules: E = MACs·E_MAC + ACs·E_AC.
    public func energy(_ constants: EnergyConstants) -> Double {
        macs * constants.macPicojoules + accumulates * constants.accumulatePicojoules
    }
}

/// Per-layer operation counts of a network and their energy, per image.
public struct EnergyLedger: Sendable, Codable, Equatable {
    public var layers: [LayerOperations]
    public var constants: EnergyConstants

    public init(layers: [LayerOperations], constants: EnergyConstants = .float32At45nm) {
        self.layers = layers
        self.constants = constants
    }

    public var totalMACs: Double { layers.reduce(0) { $0 + $1.macs } }
    public var totalAccumulates: Double { layers.reduce(0) { $0 + $1.accumulates } }
    /// Total energy per image, picojoules.
    public var totalPicojoules: Double { layers.reduce(0) { $0 + $1.energy(constants) } }

    /// E_SNN / E_ANN: how much of the ANN's compute energy the SNN spends (< 1 is a saving).
    public func ratio(to reference: EnergyLedger) -> Double {
        totalPicojoules / reference.totalPicojoules
    }
}

/// Counting rules (docs/conversion-notes.md §7):
///
///     ANN layer:             MACs = fan-in·outputs = C_in·k²·C_out·H_out·W_out (conv), in·out (linear)
///     SNN layer, spike input: ACs  = Σ_t spikes_in(t) · fan-out  = rate_in · N_in · T · fan-out
///     SNN layer, analog input (first layer, direct encoding): MACs counted once per time step
public enum OperationCount {
    /// MACs of a convolution producing `outputs` elements from `fanIn = C_in·k²` inputs each.
    public static func convolutionMACs(inChannels: Int, outChannels: Int, kernelSize: Int,
                                       outHeight: Int, outWidth: Int) -> Double {
        Double(inChannels * kernelSize * kernelSize) * Double(outChannels * outHeight * outWidth)
    }

    /// MACs of a fully-connected layer.
    public static func linearMACs(inFeatures: Int, outFeatures: Int) -> Double {
        Double(inFeatures) * Double(outFeatures)
    }

    /// Accumulates caused by input spikes: each spike of an input neuron adds its weight into
    /// every output it connects to. `inputSpikes` is the spike count per image summed over all
    /// time steps and input neurons; `fanOut` the number of outputs each input reaches
    /// (C_out·k²/stride² for a conv away from borders, `out` for a linear layer).
    ///
    /// Equivalent and exact at borders: ACs = MACs_per_step × mean input firing rate × T, which
    /// is what `accumulates(macsPerStep:inputRate:timesteps:)` computes.
    public static func accumulates(inputSpikes: Double, fanOut: Double) -> Double {
        inputSpikes * fanOut
    }

    /// ACs = (dense MACs per time step) × (mean spikes per input neuron per step) × T.
    public static func accumulates(macsPerStep: Double, inputRate: Double, timesteps: Int) -> Double {
        macsPerStep * inputRate * Double(timesteps)
    }
}
