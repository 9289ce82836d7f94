import NeuralNetworks
import Testing
import TensorCore
import Autodiff

@Suite struct MagnitudePruningTests {
    @Test func oneShotKeepsExactlyTheLargestMagnitudesOverAllLayers() {
        var rng = SeededGenerator(seed: 3)
        let net = tinySparseNet(&rng)
        let weights = weightParameters(of: net)
        let before = weights.map { $0.value.scalars.map(abs) }
        let total = weights.reduce(0) { $0 + $1.value.count }
        let kept = applyGlobalMagnitudeMasks(to: weights, density: 0.1)
        #expect(kept == Int((0.1 * Double(total)).rounded()))
        #expect(weights.reduce(0) { $0 + $1.nonZeroCount } == kept)
        #expect(abs(compressionRatio(of: net) - Double(total) / Double(kept)) < 1e-9)
        // Every kept weight was at least as large as every pruned one, whatever its layer.
        var smallestKept = Float.infinity, largestPruned: Float = 0
        for (p, magnitudes) in zip(weights, before) {
            for (j, m) in magnitudes.enumerated() {
                if p.mask![flat: j] != 0 { smallestKept = min(smallestKept, m) } else { largestPruned = max(largestPruned, m) }
                if p.mask![flat: j] == 0 { #expect(p.value[flat: j] == 0) }
            }
        }
        #expect(smallestKept >= largestPruned)
        // Global, not per layer: the densities differ.
        #expect(Set(layerDensities(of: net)).count > 1)
    }

    @Test func tiesAtTheCutoffStillKeepTheExactCount() {
        let a = Parameter(Tensor(shape: [10], repeating: 1), name: "a", role: .weight)
        let b = Parameter(Tensor(shape: [10], repeating: 1), name: "b", role: .weight)
        #expect(applyGlobalMagnitudeMasks(to: [a, b], density: 0.25) == 5)
        #expect(a.nonZeroCount + b.nonZeroCount == 5)
    }

    @Test func expectedKeepPredictsTheMaskOfAFreshNetwork() {
        // A VGG-S-like net at its initial (Kaiming) scale: the prediction from shapes alone
        // must match the real global-magnitude mask layer by layer.
        var rng = SeededGenerator(seed: 4)
        let net = VGG.make([.conv(16), .conv(16), .pool, .conv(32), .pool], inputChannels: 1, inputSize: 28,
                           classes: 10, classifier: [64], batchNorm: false, bias: false, pool: .average, using: &rng)
        let weights = weightParameters(of: net)
        for density in [0.1, 0.03] {
            let expected = expectedGlobalMagnitudeKeep(of: weights, density: density)
            let total = Double(weights.reduce(0) { $0 + $1.value.count })
            #expect(abs(expected.reduce(0, +) - density * total) < 1)
            applyGlobalMagnitudeMasks(to: weights, density: density)
            for (p, e) in zip(weights, expected) {
                // Binomial spread plus a little: 3√e + 2 % of the layer's count.
                let slack = 3 * e.squareRoot() + 0.02 * Double(p.value.count)
                #expect(abs(Double(p.activeCount) - e) <= slack, "d = \(density), \(p.value.shape): \(p.activeCount) vs \(e)")
                p.mask = nil
            }
            // Restore the dense values for the next density.
            var again = SeededGenerator(seed: 4)
            let fresh = VGG.make([.conv(16), .conv(16), .pool, .conv(32), .pool], inputChannels: 1, inputSize: 28,
                                 classes: 10, classifier: [64], batchNorm: false, bias: false, pool: .average,
                                 using: &again)
            for (p, q) in zip(weights, weightParameters(of: fresh)) { p.value = q.value }
        }
        // The large linear layer (smallest initial scale) is the one that starves first.
        let sparse = expectedGlobalMagnitudeKeep(of: weights, density: 0.01)
        let fractions = zip(sparse, weights).map { $0 / Double($1.value.count) }
        #expect(fractions.firstIndex(of: fractions.min()!) == 3)
    }
}
