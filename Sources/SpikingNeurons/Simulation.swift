import Autodiff
import NeuralNetworks
import TensorCore

/// The result of simulating a spiking network on a batch for T time steps.
public struct Simulation: Sendable {
    /// The network's output at every step, `[T, N, K]` (output-layer spikes or, for a
    /// non-spiking read-out layer, its input current).
    public var outputs: Tensor
    /// Firing statistics of every top-level `SpikingLayer`, in network order.
    public var spikeStatistics: [SpikeStatistics]
    /// Input spikes per image of every layer, indexed like the network's layers (0 for the
    /// first layer, whose input is the encoded image).
    public var inputSpikesPerImage: [Double]
    /// The same at each step: element [l][t − 1] is layer l's input spikes per image at step t
    /// alone (counted as the spikes were fired), so Σ_{τ ≤ t} gives the operations of a run
    /// stopped after t steps, without assuming a constant firing rate.
    public var inputSpikesPerImageByStep: [[Double]]

    /// Cumulative read-out: row t holds Σ_{τ ≤ t} outputs[τ], so `argmax` of row t is the
    /// prediction after t + 1 steps (spike count, or accumulated membrane for a non-spiking
    /// output). One simulation gives the whole accuracy-vs-T curve.
    public func cumulativeOutputs() -> Tensor {
        var c = outputs
        let t = outputs.shape[0], row = outputs.count / Swift.max(t, 1)
        c.withUnsafeMutableBufferPointer { p in
            for step in 1..<Swift.max(t, 1) {
                for i in 0..<row { p[step * row + i] += p[(step - 1) * row + i] }
            }
        }
        return c
    }

    /// Number of correct predictions after each step 1…T (cumulative read-out).
    public func correctByTimestep(labels: [Int]) -> [Int] {
        correctImagesByTimestep(labels: labels).map { step in step.filter { $0 }.count }
    }

    /// Which images are predicted right after each step: element [t][i] is whether image i's
    /// cumulative read-out after t + 1 steps names `labels[i]` (ties go to the lowest class).
    public func correctImagesByTimestep(labels: [Int]) -> [[Bool]] {
        let c = cumulativeOutputs()
        let t = c.shape[0], n = c.shape[1], k = c.shape[2]
        return (0..<t).map { step in
            c.withUnsafeBufferPointer { p in
                (0..<n).map { i in
                    let row = p.baseAddress! + (step * n + i) * k
                    var best = 0
                    for j in 1..<k where row[j] > row[best] { best = j }
                    return best == labels[i]
                }
            }
        }
    }
}

extension Sequential {
    /// One chunk of a simulation through layer `index`: a spiking layer continues from its state
    /// in `states` (and leaves its new state there), any other layer runs its forward pass.
    public func simulateLayer(_ index: Int, _ x: Variable, timesteps: Int, states: inout [Int: NeuronState],
                              context: inout ForwardContext) -> Variable {
        Variable(simulateLayer(index, x.value, timesteps: timesteps, constantInput: false, states: &states,
                               context: &context))
    }

    /// The same on a tensor. `constantInput`: x is one step `[N, …]`, the input of every step
    /// (the output of the constant first layers of a direct-coded simulation); a spiking layer
    /// reads it in place, any other layer gets it repeated for the steps.
    func simulateLayer(_ index: Int, _ x: Tensor, timesteps: Int, constantInput: Bool,
                       states: inout [Int: NeuronState], context: inout ForwardContext) -> Tensor {
        guard let neuron = layers[index] as? any SpikingLayer else {
            return inferenceForward(index, constantInput ? x.repeatedAlongBatch(timesteps) : x, context: &context)
        }
        var state = states[index]
        let y = constantInput ? neuron.simulate(constant: x, timesteps: timesteps, state: &state)
            : neuron.simulate(x, timesteps: timesteps, state: &state)
        states[index] = state
        return y
    }

    /// Runs the network for `timesteps` steps on `images` `[N, …]` encoded by `encoding`,
    /// `chunk` steps at a time (time folded into the batch within a chunk; membranes carried
    /// between chunks). Inference only: no graph is recorded.
    ///
    /// Memory: the images run in groups small enough that one chunk's largest activation
    /// (group · chunk · its floats per image and step) stays within
    /// `ExecutionPolicy.current.simulationWorkingSetBytes`, so a long simulation (T = 256) of a
    /// large batch stays small and in memory that is reused. Every image is simulated on its
    /// own, so the grouping changes no output, count or statistic (tested). A Poisson code is
    /// drawn for the whole batch at once (its draws are time-major), so it is never grouped.
    ///
    /// `profile`, when given, receives the seconds each layer took (benchmarks; nil costs nothing).
    ///
    /// - Precondition: `timesteps ≥ 1` and `chunk ≥ 1`.
    public func simulate(_ images: Tensor, timesteps: Int, encoding: SpikeEncoding, chunk: Int = 16,
                         using rng: inout SeededGenerator, profile: SimulationProfile? = nil) -> Simulation {
        precondition(timesteps >= 1, "simulate needs at least one time step (got timesteps = \(timesteps))")
        precondition(chunk >= 1, "simulate needs chunks of at least one time step (got chunk = \(chunk))")
        profile?.prepare(layers: layers.count)
        let n = images.shape[0]
        let group = encoding == .poisson ? n
            : imagesPerGroup(images, steps: Swift.min(chunk, timesteps),
                             workingSetBytes: ExecutionPolicy.current.simulationWorkingSetBytes)
        var outputs: [Tensor] = []
        var counters: [Int: SpikeCounter] = [:]
        var inputSpikes = [Double](repeating: 0, count: layers.count)
        var inputSpikesByStep = [[Double]](repeating: [Double](repeating: 0, count: timesteps), count: layers.count)
        for lo in stride(from: 0, to: n, by: group) {
            let groupImages = group == n ? images : images.batchRows(lo..<Swift.min(n, lo + group))
            let run = simulateGroup(groupImages, timesteps: timesteps, encoding: encoding, chunk: chunk,
                                    using: &rng, profile: profile)
            outputs.append(run.outputs)
            for (index, counter) in run.counters { counters[index, default: counter.emptied()].append(counter) }
            for i in inputSpikes.indices { inputSpikes[i] += run.inputSpikes[i] }
            for i in inputSpikesByStep.indices {
                for t in 0..<timesteps { inputSpikesByStep[i][t] += run.inputSpikesByStep[i][t] }
            }
        }
        return Simulation(outputs: outputs.count == 1 ? outputs[0] : Tensor.concatenatingImages(outputs),
                          spikeStatistics: counters.keys.sorted().map { counters[$0]!.statistics(images: n) },
                          inputSpikesPerImage: inputSpikes.map { $0 / Double(n) },
                          inputSpikesPerImageByStep: inputSpikesByStep.map { $0.map { $0 / Double(n) } })
    }

    /// The largest group of images whose chunk of `steps` steps keeps every activation within
    /// `workingSetBytes` (at least 1 image, at most all of them): measured by one step of one image.
    func imagesPerGroup(_ images: Tensor, steps: Int, workingSetBytes: Int) -> Int {
        let n = images.shape[0]
        var context = ForwardContext(phase: .inference)
        context.timesteps = 1
        var h = Variable(images.batchRows(0..<1))
        var largest = h.value.count
        for layer in layers {
            h = layer.forward(h, context: &context)
            largest = Swift.max(largest, h.value.count)
        }
        let bytesPerImage = largest * MemoryLayout<Float>.size * steps
        return Swift.min(n, Swift.max(1, workingSetBytes / Swift.max(bytesPerImage, 1)))
    }

    /// One group of images through all `timesteps`: outputs `[T, n, K]`, the spike counters of
    /// every spiking layer and the input spikes of every layer (summed over the group's images),
    /// in all and at each step.
    private func simulateGroup(_ images: Tensor, timesteps: Int, encoding: SpikeEncoding, chunk: Int,
                               using rng: inout SeededGenerator, profile: SimulationProfile?)
        -> (outputs: Tensor, counters: [Int: SpikeCounter], inputSpikes: [Double], inputSpikesByStep: [[Double]]) {
        let n = images.shape[0]
        var context = ForwardContext(phase: .inference)
        var states: [Int: NeuronState] = [:]   // every spiking layer's state between chunks
        var counters: [Int: SpikeCounter] = [:]
        var inputSpikes = [Double](repeating: 0, count: layers.count)   // summed over the images
        var inputSpikesByStep = [[Double]](repeating: [Double](repeating: 0, count: timesteps), count: layers.count)
        var outputs: [Tensor] = []
        // Direct input is the same analog image at every step, and so is the output of every
        // layer before the first spiking one (a convolution of the image): computed once for the
        // N images; the first spiking layer reads it at every step of each chunk.
        let constantLayers = encoding == .direct ? constantPrefixLength : 0
        var constantOutput: Tensor?
        if constantLayers > 0 {
            context.timesteps = 1
            var h = Variable(images)
            for index in 0..<constantLayers {
                let start = profile?.now()
                h = layers[index].forward(h, context: &context)
                profile?.add(layer: index, since: start)
            }
            constantOutput = h.value
        }
        /// Layer `index` receives what layer `index − 1` received (a pool or a flatten between).
        func passSpikesThrough(to index: Int) {
            inputSpikes[index] = inputSpikes[index - 1]
            inputSpikesByStep[index] = inputSpikesByStep[index - 1]
        }
        /// Layer `index`'s input spikes in the chunk of `steps` (summed over the group's images).
        func countInputSpikes(of index: Int, _ h: Tensor, steps: Range<Int>) {
            let start = profile?.now()
            if index > 0, let counted = states[index - 1]?.lastChunkSpikesPerStep {
                // counted by the layer as it fired (exact)
                inputSpikes[index] += Double(counted.reduce(0, +))
                for (k, c) in counted.enumerated() { inputSpikesByStep[index][steps.lowerBound + k] += Double(c) }
            } else if index > 0, let neuron = layers[index - 1] as? any SpikingLayer {
                inputSpikes[index] += Double(h.sum() / neuron.spikeValue)
                let perStep = h.count / steps.count
                h.withUnsafeStorage { p, _ in
                    for k in 0..<steps.count {
                        let sum = p[k * perStep..<(k + 1) * perStep].reduce(0.0) { $0 + Double($1) }
                        inputSpikesByStep[index][steps.lowerBound + k] += sum / Double(neuron.spikeValue)
                    }
                }
            } else if index > 0 {
                passSpikesThrough(to: index)   // pooling/flatten pass spikes through
            }
            profile?.addBookkeeping(since: start)
        }
        /// The spikes of layer `index`'s output `h`, when the layer does not count them itself.
        func count(_ h: Tensor, of index: Int, steps: Int) {
            let start = profile?.now()
            if let neuron = layers[index] as? any SpikingLayer, states[index]?.spikeCounts == nil {
                var counter = counters[index] ?? SpikeCounter(layerIndex: index, size: h.count / steps)
                counter.add(h, steps: steps, scale: neuron.spikeValue)
                counters[index] = counter
            }
            profile?.addBookkeeping(since: start)
        }
        var start = 0
        while start < timesteps {
            let steps = start..<Swift.min(timesteps, start + chunk)
            context.timesteps = steps.count
            var h: Tensor
            let encodingStart = profile?.now()
            if let constantOutput {
                // The layer after the constant ones reads this one step for every step of the chunk.
                h = constantOutput
                if constantLayers > 1 { for index in 1..<constantLayers { passSpikesThrough(to: index) } }
            } else {
                h = encoding.encode(images, steps: steps, of: timesteps, using: &rng)
            }
            profile?.addEncoding(since: encodingStart)
            var index = constantLayers
            while index < layers.count {
                countInputSpikes(of: index, h, steps: steps)
                let layerStart = profile?.now()
                if let y = pooledSpikeConvolution(at: index, h) {
                    // A pool and the convolution after it, as one spike-driven convolution.
                    h = y
                    passSpikesThrough(to: index + 1)   // pooling passes spikes through
                    profile?.add(layer: index + 1, since: layerStart)
                    index += 2
                    continue
                }
                h = simulateLayer(index, h, timesteps: steps.count, constantInput: constantOutput != nil && index == constantLayers,
                                  states: &states, context: &context)
                profile?.add(layer: index, since: layerStart)
                count(h, of: index, steps: steps.count)
                index += 1
            }
            outputs.append(h.reshaped([steps.count, n, -1]))
            start = steps.upperBound
        }
        let k = outputs[0].shape[2]
        var all = Tensor(shape: [timesteps, n, k])
        all.withUnsafeMutableBufferPointer { p in
            var offset = 0
            for o in outputs {
                o.withUnsafeBufferPointer { src in
                    UnsafeMutableBufferPointer(rebasing: p[offset..<offset + src.count]).update(fromContentsOf: src)
                }
                offset += o.count
            }
        }
        for (index, state) in states {
            if let counts = state.spikeCounts {
                counters[index] = SpikeCounter(layerIndex: index, counts: counts.scalars, steps: timesteps)
            }
        }
        return (all, counters, inputSpikes, inputSpikesByStep)
    }
}

extension Sequential {
    /// How many leading layers give the same output at every step when the input does: the
    /// layers before the first spiking layer, as long as each one is a per-image map (a
    /// convolution, a linear layer, BatchNorm, pooling, a flatten). 0 when the first layer is
    /// anything else, so a layer that reads the time steps is never run once for all of them.
    var constantPrefixLength: Int {
        var length = 0
        for layer in layers {
            guard layer is Conv2D || layer is Linear || layer is BatchNorm || layer is AveragePool
                    || layer is MaxPool || layer is Flatten else { break }
            length += 1
        }
        return length < layers.count ? length : 0
    }
}

extension Tensor {
    /// `[t·N, …]`: this `[N, …]` batch repeated `t` times along the batch, in this tensor's
    /// layout (each repeat is one contiguous block of the storage in either layout).
    func repeatedAlongBatch(_ t: Int) -> Tensor {
        var out = Tensor(uninitializedShape: [t * shape[0]] + shape.dropFirst(), layout: layout)
        withUnsafeStorage { source, _ in
            out.withUnsafeMutableStorage { destination, _ in
                for k in 0..<t {
                    UnsafeMutableBufferPointer(rebasing: destination[k * source.count..<(k + 1) * source.count])
                        .update(fromContentsOf: source)
                }
            }
        }
        return out
    }
}

/// Where a simulation's time goes: seconds per layer, in the input code (or the repeat of the
/// constant first layers), and in the spike bookkeeping between layers (counts for the
/// statistics and the energy ledger). Pass one to `Sequential.simulate` (benchmarks only).
public final class SimulationProfile {
    public private(set) var layerSeconds: [Double] = []
    public private(set) var encodingSeconds = 0.0
    public private(set) var bookkeepingSeconds = 0.0

    public init() {}

    func prepare(layers: Int) {
        if layerSeconds.count < layers { layerSeconds += [Double](repeating: 0, count: layers - layerSeconds.count) }
    }
    func now() -> ContinuousClock.Instant { ContinuousClock.now }
    private func seconds(since start: ContinuousClock.Instant?) -> Double {
        guard let start else { return 0 }
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    func add(layer: Int, since start: ContinuousClock.Instant?) { layerSeconds[layer] += seconds(since: start) }
    func addEncoding(since start: ContinuousClock.Instant?) { encodingSeconds += seconds(since: start) }
    func addBookkeeping(since start: ContinuousClock.Instant?) { bookkeepingSeconds += seconds(since: start) }
}

extension Tensor {
    /// Rows `range` of a `[N, …]` batch (row-major copy).
    func batchRows(_ range: Range<Int>) -> Tensor {
        let row = count / Swift.max(shape[0], 1)
        var out = Tensor(uninitializedShape: [range.count] + shape.dropFirst())
        withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                destination.update(fromContentsOf: source[range.lowerBound * row..<range.upperBound * row])
            }
        }
        return out
    }

    /// `[T, n₁ + n₂ + …, K]` from per-group outputs `[T, nᵢ, K]`, groups in image order.
    static func concatenatingImages(_ parts: [Tensor]) -> Tensor {
        let (t, k) = (parts[0].shape[0], parts[0].shape[2])
        let n = parts.reduce(0) { $0 + $1.shape[1] }
        var out = Tensor(uninitializedShape: [t, n, k])
        out.withUnsafeMutableBufferPointer { destination in
            var offset = 0
            for part in parts {
                let rows = part.shape[1] * k
                part.withUnsafeBufferPointer { source in
                    for step in 0..<t {
                        UnsafeMutableBufferPointer(rebasing: destination[(step * n * k + offset)...].prefix(rows))
                            .update(fromContentsOf: source[(step * rows)..<((step + 1) * rows)])
                    }
                }
                offset += rows
            }
        }
        return out
    }
}
