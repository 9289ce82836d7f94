import SpikingNeurons
import TensorCore
import NeuralNetworks
import Autodiff

/// The distribution of one ReLU layer's outputs over a calibration set: what threshold
/// balancing reads (docs/conversion-notes.md §1, §2).
///
/// Percentiles are taken over the **non-zero** activations of the whole layer (all neurons,
/// all calibration images pooled), as the SNN toolbox does (Rueckauer et al. 2017,
/// `conversion/utils.py`): a ReLU layer is mostly zeros, and counting them would push
/// every percentile towards 0. The maximum is always exact. The percentile is exact while the
/// layer has at most `sampleLimit` non-zero activations; beyond that a seeded uniform
/// Bernoulli subsample of about `sampleLimit` values is kept and sorted, so the 99.99th
/// percentile is estimated from the top ≈ sampleLimit·10⁻⁴ sampled values.
public struct ActivationStatistics: Sendable {
    /// Position of the ReLU layer in the (folded) ANN.
    public var layerIndex: Int
    /// Largest activation seen, λ_max (exact).
    public var maxActivation: Float
    /// Number of non-zero activations seen (before subsampling).
    public var nonZeroCount: Int
    /// Number of activations seen, zeros included.
    public var totalCount: Int
    /// The kept non-zero activations, sorted ascending.
    public var sortedSample: [Float]

    /// Statistics from known values (tests, or a distribution measured elsewhere).
    public init(layerIndex: Int, maxActivation: Float, nonZeroCount: Int, totalCount: Int,
                sortedSample: [Float]) {
        self.layerIndex = layerIndex
        self.maxActivation = maxActivation
        self.nonZeroCount = nonZeroCount
        self.totalCount = totalCount
        self.sortedSample = sortedSample
    }

    /// The p-th percentile (p in [0, 100]) of the non-zero activations, by the nearest-rank
    /// rule on the sorted sample: value at rank ⌈p/100 · n⌉. p = 100 gives the maximum.
    public func percentile(_ p: Double) -> Float {
        precondition((0...100).contains(p), "percentile \(p) outside [0, 100]")
        if p >= 100 || sortedSample.isEmpty { return maxActivation }
        let rank = Int((p / 100 * Double(sortedSample.count)).rounded(.up))
        return sortedSample[Swift.min(Swift.max(rank, 1), sortedSample.count) - 1]
    }
}

extension ActivationStatistics {
    /// Collects the statistics of every ReLU output of `network` on `calibration` batches
    /// with `Sequential.forwardCollecting` (inference mode).
    ///
    /// - Parameters:
    ///   - network: the ANN, BatchNorm already folded.
    ///   - calibration: input batches `[N, C, H, W]` (training images, never test images).
    ///   - sampleLimit: non-zero activations kept per layer for percentiles (see type doc).
    /// - Returns: one entry per ReLU layer, in network order.
    /// - Complexity: one forward pass per batch plus O(s log s) sorting per layer.
    public static func collect(
        _ network: Sequential, on calibration: [Tensor], sampleLimit: Int = 2_000_000,
        using rng: inout SeededGenerator
    ) -> [ActivationStatistics] {
        let reluIndices = network.layers.indices.filter { network.layers[$0] is ReLU }
        var stats = reluIndices.map {
            ActivationStatistics(layerIndex: $0, maxActivation: 0, nonZeroCount: 0, totalCount: 0,
                                 sortedSample: [])
        }
        var keepProbability = [Double](repeating: 1, count: reluIndices.count)
        for (batchNumber, batch) in calibration.enumerated() {
            var context = ForwardContext.inference
            let outputs = withoutGradients { network.forwardCollecting(Variable(batch), context: &context) }
            for (k, index) in reluIndices.enumerated() {
                let values = outputs[index].value
                values.withUnsafeBufferPointer { p in
                    var nonZero = 0
                    for v in p where v > 0 { nonZero += 1 }
                    if batchNumber == 0 {
                        // Expected total ≈ nonZero · batches: keep ≈ sampleLimit of them.
                        let expected = Double(nonZero) * Double(calibration.count)
                        keepProbability[k] = Swift.min(1, Double(sampleLimit) / Swift.max(expected, 1))
                    }
                    let keep = keepProbability[k]
                    for v in p where v > 0 {
                        if v > stats[k].maxActivation { stats[k].maxActivation = v }
                        if keep >= 1 || Double(rng.nextUniform()) < keep { stats[k].sortedSample.append(v) }
                    }
                    stats[k].nonZeroCount += nonZero
                    stats[k].totalCount += p.count
                }
            }
        }
        for k in stats.indices { stats[k].sortedSample.sort() }
        return stats
    }
}
