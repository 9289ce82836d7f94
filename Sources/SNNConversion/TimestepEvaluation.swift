import SpikingNeurons
import Statistics
import TensorCore
import NeuralNetworks

/// What a converted network did on a test set, for every T ≤ T_max, from ONE simulation per
/// batch (docs/conversion-notes.md §0.9: the read-out is cumulative, so the prediction after t steps is the
/// argmax of the running sum of the first t output rows).
public struct TimestepEvaluation: Sendable, Codable, Equatable {
    /// accuracy[t − 1] = fraction correct after t steps, t = 1…T_max.
    public var accuracy: [Double]
    /// Mean spikes per neuron per step of every spiking layer over T_max (image-weighted).
    public var firingRates: [Double]
    /// Input spikes per image of every layer over T_max (`Simulation.inputSpikesPerImage`,
    /// image-weighted mean over batches).
    public var inputSpikesPerImage: [Double]
    /// Images evaluated.
    public var images: Int
    /// outcomes[t − 1]: which images were classified right after t steps (for paired
    /// differences between methods on the same images, `Difference.paired`).
    public var outcomes: [ImageOutcomes]
    /// `inputSpikesPerImage` of each batch on its own, in batch order (standard errors of
    /// energy estimates over batches, `Difference.overBatches`).
    public var inputSpikesPerImageByBatch: [[Double]]
    /// Input spikes per image of every layer at each step alone, element [l][t − 1]
    /// (`Simulation.inputSpikesPerImageByStep`, image-weighted mean over batches); nil in an
    /// evaluation cached before the simulation counted spikes per step.
    public var inputSpikesPerImageByStep: [[Double]]?

    /// Input spikes per image of every layer during steps 1…t, for t = 1…T_max (element
    /// [t − 1][l]): the operations of the run stopped after t steps, as counted, with no
    /// constant-rate assumption.
    ///
    /// - Throws: `MissingPerStepCounts` for an evaluation cached before the counts were kept.
    public func cumulativeInputSpikesPerImage() throws -> [[Double]] {
        guard let byStep = inputSpikesPerImageByStep else { throw MissingPerStepCounts() }
        var running = [Double](repeating: 0, count: byStep.count)
        return accuracy.indices.map { t in
            for l in byStep.indices { running[l] += byStep[l][t] }
            return running
        }
    }

    /// The first T from which the accuracy stays at or above `target` for every larger
    /// T ≤ T_max (`firstTimestepStaying`), or nil if it ends below. A curve that touches
    /// `target` once and drops back does not count as having reached it.
    public func firstTimestep(stayingAtLeast target: Double) -> Int? {
        firstTimestepStaying(atLeast: target, inCurve: accuracy)
    }

    /// The images right after `timesteps` steps (1 ≤ timesteps ≤ T_max).
    public func outcomes(at timesteps: Int) -> ImageOutcomes { outcomes[timesteps - 1] }
}

/// Accuracy after every t = 1…`timesteps` of `snn` on `batches`, one simulation per batch.
///
///     ŷₙ(t) = argmax_k Σ_{τ ≤ t} out[τ, n, k],     acc(t) = (1/N) Σₙ [ŷₙ(t) = yₙ]
///
/// - Parameters:
///   - snn: a converted network (`convert`).
///   - batches: `(images [N, C, H, W], labels)` pairs.
///   - encoding: how images enter (`.direct` for the classic conversion).
///   - chunk: time steps folded into one forward pass (memory ≈ chunk·N·largest layer).
///   - progress: called after each batch with (batches done, images done).
/// - Complexity: T_max forward passes per image.
public func accuracyByTimestep(
    of snn: Sequential, on batches: some Sequence<(images: Tensor, labels: [Int])>,
    timesteps: Int, encoding: SpikeEncoding = .direct, chunk: Int = 16,
    using rng: inout SeededGenerator, progress: (Int, Int) -> Void = { _, _ in }
) -> TimestepEvaluation {
    var correct = [[Bool]](repeating: [], count: timesteps)
    var rates: [Double] = [], inputs: [Double] = [], inputsByStep: [[Double]] = []
    var byBatch: [[Double]] = []
    var images = 0, done = 0
    for batch in batches {
        let simulation = snn.simulate(batch.images, timesteps: timesteps, encoding: encoding,
                                      chunk: chunk, using: &rng)
        let n = batch.labels.count
        for (t, c) in simulation.correctImagesByTimestep(labels: batch.labels).enumerated() { correct[t] += c }
        let batchRates = simulation.spikeStatistics.map(\.firingRate)
        if rates.isEmpty { rates = [Double](repeating: 0, count: batchRates.count) }
        if inputs.isEmpty { inputs = [Double](repeating: 0, count: simulation.inputSpikesPerImage.count) }
        for i in rates.indices { rates[i] += batchRates[i] * Double(n) }
        for i in inputs.indices { inputs[i] += simulation.inputSpikesPerImage[i] * Double(n) }
        if inputsByStep.isEmpty {
            inputsByStep = [[Double]](repeating: [Double](repeating: 0, count: timesteps), count: inputs.count)
        }
        for i in inputsByStep.indices {
            for t in 0..<timesteps { inputsByStep[i][t] += simulation.inputSpikesPerImageByStep[i][t] * Double(n) }
        }
        byBatch.append(simulation.inputSpikesPerImage)
        images += n
        done += 1
        progress(done, images)
    }
    let scale = 1 / Double(Swift.max(images, 1))
    return TimestepEvaluation(
        accuracy: correct.map { Double($0.filter { $0 }.count) * scale }, firingRates: rates.map { $0 * scale },
        inputSpikesPerImage: inputs.map { $0 * scale }, images: images, outcomes: correct.map(ImageOutcomes.init),
        inputSpikesPerImageByBatch: byBatch,
        inputSpikesPerImageByStep: inputsByStep.map { $0.map { $0 * scale } })
}

/// An evaluation without per-step spike counts (cached before the simulation kept them).
public struct MissingPerStepCounts: Error, CustomStringConvertible {
    public var description: String {
        "this evaluation was cached before spikes were counted per step, so the energy of a run "
            + "stopped early cannot be read from it: recompute its stage (--fresh, or --rerun it)"
    }
}
