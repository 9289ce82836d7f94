import NeuralNetworks
import Testing
import TensorCore
import Autodiff

/// A small bias-free conv net: conv 1→4, pool, conv 4→6, pool, linear 24→8, linear 8→3.
func tinySparseNet(_ rng: inout SeededGenerator) -> Sequential {
    VGG.make([.conv(4), .pool, .conv(6), .pool], inputChannels: 1, inputSize: 8, classes: 3,
             classifier: [8], batchNorm: false, bias: false, pool: .average, using: &rng)
}

/// Positions of `mask` that are 0.
private func maskedIndices(_ p: Parameter) -> [Int] {
    p.mask!.scalars.indices.filter { p.mask!.scalars[$0] == 0 }
}

@Suite struct SparseMomentumTests {
    @Test func maskedWeightsStayZeroAndTheBudgetHoldsThroughTraining() {
        var rng = SeededGenerator(seed: 1)
        let net = tinySparseNet(&rng)
        let weights = weightParameters(of: net)
        let sparse = SparseMomentum(weights: weights, density: 0.2, using: &rng)
        #expect(sparse.budget == weights.reduce(0) { $0 + Int((0.2 * Double($1.value.count)).rounded()) })
        // Momentum and weight decay on: neither may revive a masked weight.
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-2)
        let x = Tensor.normal(shape: [8, 1, 8, 8], using: &rng)
        let labels = (0..<8).map { $0 % 3 }
        let schedule = PruneRateSchedule()
        let initialDensities = sparse.layerDensities
        for epoch in 0..<4 {
            for _ in 0..<3 {
                let r = classificationStep(net, images: x, labels: labels, optimizer: &sgd, rng: &rng)
                #expect(r.loss.isFinite)
                for p in weights {
                    let revived = maskedIndices(p).filter { p.value[flat: $0] != 0 }.count
                    #expect(revived == 0, "masked weights of \(p.value.shape) must be exactly 0 after every step")
                }
            }
            let report = sparse.pruneAndRegrow(rate: schedule.rate(step: 3 * (epoch + 1), total: 12), momentum: sgd)
            #expect(report.nonZeroAfter == sparse.budget)
            #expect(sparse.nonZeroCount == sparse.budget)
            #expect(report.removed.reduce(0, +) == report.regrown.reduce(0, +))
            #expect(report.removed.reduce(0, +) > 0)
        }
        // Redistribution moved weights between layers: densities are not pinned per layer.
        #expect(sparse.layerDensities != initialDensities)
        // The optimiser kept the momentum of masked weights (what regrowth reads).
        let w = weights[1]
        let momentum = sgd.momentum(of: w)!
        #expect(maskedIndices(w).map { abs(momentum[flat: $0]) }.reduce(0, +) > 0)
    }

    @Test func pruneRemovesTheSmallestAndRegrowsAtZeroWhereMomentumIsLargest() {
        var rng = SeededGenerator(seed: 2)
        let w = Parameter(Tensor(shape: [1, 10], scalars: (1...10).map(Float.init)), name: "w", role: .weight)
        // Magnitude start at d = 0.5 keeps the five largest: values 6…10 at positions 5…9.
        let sparse = SparseMomentum(weights: [w], density: 0.5, initialisation: .magnitude, using: &rng)
        #expect(w.mask!.scalars == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        // With η = 0 and μ = 0, SGD's momentum is the gradient and the weights do not move.
        var sgd = SGD(learningRate: 0, momentum: 0)
        w.grad = Tensor(shape: [1, 10], scalars: [0.1, 5, 0.2, 3, 0.3, 0, 0, 0.5, 0.5, 0.5])
        sgd.step([w])
        // p = 0.4: ⌈0.4·5⌉ = 2 pruned, the smallest active |w| (6 and 7); 2 regrown among the
        // zeros where |m| is largest (positions 1 and 3, momentum 5 and 3).
        let report = sparse.pruneAndRegrow(rate: 0.4, momentum: sgd)
        #expect(report.removed == [2] && report.regrown == [2])
        #expect(w.mask!.scalars == [0, 1, 0, 1, 0, 0, 0, 1, 1, 1])
        // Regrown weights start at exactly 0; pruned ones are 0; survivors keep their value.
        #expect(w.value.scalars == [0, 0, 0, 0, 0, 0, 0, 8, 9, 10])
    }

    @Test func regrowthSplitsByNormalisedMomentumThreeToOne() {
        // Two equal layers; layer 0's momentum is 3× layer 1's → r = (0.75, 0.25) → regrowth 3:1.
        var rng = SeededGenerator(seed: 3)
        let a = Parameter(Tensor.normal(shape: [40, 10], using: &rng), name: "a", role: .weight)
        let b = Parameter(Tensor.normal(shape: [40, 10], using: &rng), name: "b", role: .weight)
        let sparse = SparseMomentum(weights: [a, b], density: 0.5, using: &rng)
        var sgd = SGD(learningRate: 0, momentum: 0)
        a.grad = Tensor(shape: [40, 10], repeating: 3)
        b.grad = Tensor(shape: [40, 10], repeating: 1)
        sgd.step([a, b])
        let report = sparse.pruneAndRegrow(rate: 0.2, momentum: sgd)
        #expect(report.normalisedMomentum == [0.75, 0.25])
        #expect(report.removed == [40, 40])
        #expect(report.regrown == [60, 20])
        #expect(sparse.nonZeroCount == 400)
        #expect(sparse.layerDensities == [0.55, 0.45])
    }

    @Test func regrowthAllocationIsProportionalCappedAndExact() {
        #expect(regrowthAllocation(scores: [0.75, 0.25], total: 400, capacity: [1000, 1000]) == [300, 100])
        // A full layer's overflow goes to the other; the total is kept.
        #expect(regrowthAllocation(scores: [0.75, 0.25], total: 400, capacity: [200, 1000]) == [200, 200])
        // Largest remainders: 7 × (0.5, 0.3, 0.2) = (3.5, 2.1, 1.4) → (4, 2, 1).
        #expect(regrowthAllocation(scores: [0.5, 0.3, 0.2], total: 7, capacity: [10, 10, 10]) == [4, 2, 1])
        // Never more than the free slots altogether.
        #expect(regrowthAllocation(scores: [0.5, 0.5], total: 50, capacity: [10, 5]) == [10, 5])
    }

    @Test func pruneRateFollowsTheCosineFromInitialToMinimum() {
        let s = PruneRateSchedule(initial: 0.5, minimum: 0.005)
        #expect(abs(s.rate(step: 0, total: 100) - 0.5) < 1e-12)
        #expect(abs(s.rate(step: 50, total: 100) - 0.2525) < 1e-12)
        #expect(abs(s.rate(step: 100, total: 100) - 0.005) < 1e-12)
        #expect(abs(s.rate(step: 150, total: 100) - 0.005) < 1e-12)
        #expect(s.rate(step: 30, total: 100) > s.rate(step: 60, total: 100))
    }
}
