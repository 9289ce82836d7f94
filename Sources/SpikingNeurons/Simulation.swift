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
        let c = cumulativeOutputs()
        let t = c.shape[0], n = c.shape[1], k = c.shape[2]
        return (0..<t).map { step in
            c.withUnsafeBufferPointer { p in
                (0..<n).reduce(0) { total, i in
                    let row = p.baseAddress! + (step * n + i) * k
                    var best = 0
                    for j in 1..<k where row[j] > row[best] { best = j }
                    return total + (best == labels[i] ? 1 : 0)
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
        guard let neuron = layers[index] as? any SpikingLayer else { return layers[index].forward(x, context: &context) }
        var state = states[index]
        let y = neuron.simulate(x.value, timesteps: timesteps, state: &state)
        states[index] = state
        return Variable(y)
    }

    /// Runs the network for `timesteps` steps on `images` `[N, …]` encoded by `encoding`,
    /// `chunk` steps at a time (time folded into the batch within a chunk; membranes carried
    /// between chunks). Inference only: no graph is recorded.
    ///
    /// Memory is about chunk·N·(largest activation) floats, so a long simulation (T = 256) of a
    /// large batch stays small.
    public func simulate(_ images: Tensor, timesteps: Int, encoding: SpikeEncoding, chunk: Int = 16,
                         using rng: inout SeededGenerator) -> Simulation {
        let n = images.shape[0]
        var context = ForwardContext(phase: .inference)
        var states: [Int: NeuronState] = [:]   // every spiking layer's state between chunks
        var counters: [Int: SpikeCounter] = [:]
        var inputSpikes = [Double](repeating: 0, count: layers.count)
        var outputs: [Tensor] = []
        var start = 0
        while start < timesteps {
            let steps = start..<Swift.min(timesteps, start + chunk)
            context.timesteps = steps.count
            let x = encoding.encode(images, steps: steps, of: timesteps, using: &rng)
            var h = Variable(x)
            for (index, layer) in layers.enumerated() {
                if index > 0, let neuron = layers[index - 1] as? any SpikingLayer {
                    inputSpikes[index] += Double(h.value.sum() / neuron.spikeValue) / Double(n)
                } else if index > 0 {
                    inputSpikes[index] = inputSpikes[index - 1]  // pooling/flatten pass spikes through
                }
                h = simulateLayer(index, h, timesteps: steps.count, states: &states, context: &context)
                if let neuron = layer as? any SpikingLayer {
                    let perStep = h.value.count / steps.count
                    var counter = counters[index] ?? SpikeCounter(layerIndex: index, size: perStep)
                    counter.add(h.value, steps: steps.count, scale: neuron.spikeValue)
                    counters[index] = counter
                }
            }
            outputs.append(h.value.reshaped([steps.count, n, -1]))
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
        let statistics = counters.keys.sorted().map { counters[$0]!.statistics(images: n) }
        return Simulation(outputs: all, spikeStatistics: statistics, inputSpikesPerImage: inputSpikes)
    }
}
