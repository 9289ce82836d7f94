import TensorCore

/// Firing statistics of one neuron layer over one simulation.
public struct SpikeStatistics: Sendable, Codable, Equatable {
    /// Position of the layer in the network.
    public var layerIndex: Int
    /// Neurons per image.
    public var neurons: Int
    /// Mean spikes per neuron per time step, in [0, 1].
    public var firingRate: Double
    /// Mean spikes per neuron over the whole simulation (firingRate·T).
    public var spikesPerNeuron: Double
    /// Fraction of neurons that never fired.
    public var silentFraction: Double
    /// Fraction of neurons that fired at every step.
    public var saturatedFraction: Double
    /// Total spikes per image (all neurons, all steps): the input spikes of the next layer.
    public var spikesPerImage: Double
}

/// Accumulates per-neuron spike counts of one layer across the chunks of a simulation.
struct SpikeCounter {
    let layerIndex: Int
    var counts: [Float]          // per neuron of the batch (N·M), summed over steps
    var steps = 0

    init(layerIndex: Int, size: Int) {
        self.layerIndex = layerIndex
        counts = [Float](repeating: 0, count: size)
    }

    /// The counts a layer kept itself while firing (`NeuronState.spikeCounts`), row-major,
    /// over `steps` steps.
    init(layerIndex: Int, counts: [Float], steps: Int) {
        self.layerIndex = layerIndex
        self.counts = counts
        self.steps = steps
    }

    /// Adds the spikes of a chunk `[t·N·M]` (values are 0 or the amplitude `scale`).
    ///
    /// Each non-zero value counts as exactly one spike: rescaling by 1/θ would round
    /// (θ·(1/θ) = 1 − 2⁻²⁴ for θ = 1.7), so a neuron firing at every step would fall short of T.
    mutating func add(_ spikes: Tensor, steps t: Int, scale: Float) {
        let size = counts.count
        spikes.withUnsafeBufferPointer { p in
            counts.withUnsafeMutableBufferPointer { c in
                for k in 0..<t {
                    for i in 0..<size where p[k * size + i] != 0 {
                        assert(p[k * size + i] == scale, "spike value \(p[k * size + i]) is not the amplitude \(scale)")
                        c[i] += 1
                    }
                }
            }
        }
        steps += t
    }

    /// The same layer with no counts yet (the start of a merge over image groups).
    func emptied() -> SpikeCounter { SpikeCounter(layerIndex: layerIndex, counts: [], steps: steps) }

    /// Appends the counts of the next group of images (same layer, same steps): the merged
    /// counts are the whole batch's, in image order.
    mutating func append(_ other: SpikeCounter) {
        precondition(other.layerIndex == layerIndex && other.steps == steps, "merging counts of different runs")
        counts += other.counts
    }

    func statistics(images: Int) -> SpikeStatistics {
        let total = counts.reduce(0, +)
        let perImage = counts.count / Swift.max(images, 1)
        let spikesPerNeuron = Double(total) / Double(Swift.max(counts.count, 1))
        return SpikeStatistics(
            layerIndex: layerIndex, neurons: perImage,
            firingRate: spikesPerNeuron / Double(Swift.max(steps, 1)),
            spikesPerNeuron: spikesPerNeuron,
            silentFraction: Double(counts.filter { $0 == 0 }.count) / Double(Swift.max(counts.count, 1)),
            saturatedFraction: Double(counts.filter { $0 >= Float(steps) }.count) / Double(Swift.max(counts.count, 1)),
            spikesPerImage: Double(total) / Double(Swift.max(images, 1)))
    }
}
