import AttentionMethod
import NeuralNetworks
import SNNConversion
import EnergyEstimation
import Testing
import _TestSupport

/// A small bias-free conv net (the chapter's shape, tiny).
private func tinyNet(_ rng: inout SeededGenerator) -> Sequential {
    VGG.make([.conv(4), .pool, .conv(6), .pool], inputChannels: 1, inputSize: 8, classes: 3,
             classifier: [8], batchNorm: false, bias: false, pool: .average, using: &rng)
}

@Suite struct SparseMomentumTests {
    @Test func maskedWeightsStayZeroAndBudgetHolds() {
        var rng = SeededGenerator(seed: 1)
        let net = tinyNet(&rng)
        let weights = weightParameters(of: net)
        let sparse = SparseMomentum(weights: weights, density: 0.2, using: &rng)
        let total = weights.reduce(0) { $0 + $1.value.count }
        #expect(abs(sparse.budget - Int((0.2 * Double(total)).rounded())) <= weights.count)
        // Weight decay and momentum on: neither may revive a masked weight.
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-2)
        let x = Tensor.normal(shape: [8, 1, 8, 8], using: &rng)
        let labels = (0..<8).map { $0 % 3 }
        for epoch in 0..<4 {
            for _ in 0..<3 {
                let r = attentionGuidedStep(student: net, teacherMaps: nil, beta: 0, points: [],
                                            images: x, labels: labels, optimizer: &sgd, sparse: sparse, rng: &rng)
                #expect(r.loss.isFinite)
                for p in weights {
                    let violations = zip(p.value.scalars, p.mask!.scalars).filter { $1 == 0 && $0 != 0 }.count
                    #expect(violations == 0, "masked weights must be exactly 0 after every step")
                }
            }
            let report = sparse.pruneAndRegrow(rate: cosinePruneRate(step: epoch, total: 4))
            #expect(report.nonZeroAfter == sparse.budget)
            #expect(report.removed.reduce(0, +) == report.regrown.reduce(0, +))
            #expect(sparse.nonZeroCount == sparse.budget)
        }
        // Momentum is tracked for masked weights too (needed for regrowth).
        let maskedMomentum = zip(sparse.momentum[1].scalars, weights[1].mask!.scalars)
            .filter { $1 == 0 }.map { abs($0.0) }.reduce(0, +)
        #expect(maskedMomentum > 0)
    }

    @Test func regrowthSplitsByNormalisedMomentum() {
        #expect(regrowthAllocation(scores: [0.75, 0.25], total: 400, capacity: [1000, 1000]) == [300, 100])
        // Capacity capping moves the overflow to the other layer; the total is kept.
        #expect(regrowthAllocation(scores: [0.75, 0.25], total: 400, capacity: [200, 1000]) == [200, 200])
        let odd = regrowthAllocation(scores: [0.5, 0.3, 0.2], total: 7, capacity: [10, 10, 10])
        #expect(odd.reduce(0, +) == 7)
    }

    @Test func regrowthFollowsMomentumInsidePruneAndRegrow() {
        // Two layers, equal sizes; layer 0's momentum 3× layer 1's → regrowth splits 3:1.
        var rng = SeededGenerator(seed: 2)
        let a = Parameter(Tensor.normal(shape: [40, 10], using: &rng), name: "a", role: .weight)
        let b = Parameter(Tensor.normal(shape: [40, 10], using: &rng), name: "b", role: .weight)
        let sparse = SparseMomentum(weights: [a, b], density: 0.5, momentumDecay: 0, using: &rng)
        a.grad = Tensor(shape: [40, 10], repeating: 3)
        b.grad = Tensor(shape: [40, 10], repeating: 1)
        sparse.accumulate()
        let report = sparse.pruneAndRegrow(rate: 0.2)
        #expect(report.removed == [40, 40])
        #expect(report.regrown == [60, 20])
        #expect(sparse.nonZeroCount == 400)
    }

    @Test func cosineScheduleEndpoints() {
        #expect(abs(cosinePruneRate(step: 0, total: 100) - 0.5) < 1e-12)
        #expect(abs(cosinePruneRate(step: 100, total: 100) - 0.005) < 1e-12)
        #expect(cosinePruneRate(step: 30, total: 100) > cosinePruneRate(step: 60, total: 100))
    }

    @Test func oneShotMagnitudeKeepsExactlyTheLargest() {
        var rng = SeededGenerator(seed: 3)
        let net = tinyNet(&rng)
        let weights = weightParameters(of: net)
        let total = weights.reduce(0) { $0 + $1.value.count }
        let kept = applyGlobalMagnitudeMasks(to: weights, density: 0.1)
        #expect(kept == Int((0.1 * Double(total)).rounded()))
        #expect(abs(compressionRatio(of: net) - Double(total) / Double(kept)) < 1e-9)
        let smallestKept = weights.flatMap { $0.value.scalars.filter { $0 != 0 }.map(abs) }.min()!
        let unmaskedMax = weights.flatMap { p in zip(p.value.scalars, p.mask!.scalars).filter { $1 == 0 }.map { abs($0.0) } }.max()!
        #expect(unmaskedMax == 0)  // masked values are zeroed
        #expect(smallestKept > 0)
    }
}

@Suite struct AttentionTests {
    @Test func mapsAreUnitNormAndScaleInvariant() {
        var rng = SeededGenerator(seed: 4)
        let a = Tensor.normal(shape: [3, 5, 4, 4], using: &rng)
        let q = attentionMap(Variable(a)).value
        for i in 0..<3 {
            let norm = (0..<16).reduce(Float(0)) { $0 + q[flat: i * 16 + $1] * q[flat: i * 16 + $1] }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
        let scaled = attentionMap(Variable(a * 7.5)).value
        #expect(zip(q.scalars, scaled.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        let same = attentionTransferLoss(student: [Variable(a)], teacherMaps: [q])
        #expect(same.value.scalar < 1e-10)
        let other = attentionTransferLoss(student: [Variable(Tensor.normal(shape: a.shape, using: &rng))], teacherMaps: [q])
        #expect(other.value.scalar > 1e-4)
    }

    @Test func attentionLossGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 5)
        let student = Tensor.normal(shape: [2, 3, 3, 3], using: &rng)
        let teacher = attentionMap(Variable(Tensor.normal(shape: [2, 3, 3, 3], using: &rng))).value
        let report = checkGradient(of: { v in attentionTransferLoss(student: [v[0]], teacherMaps: [teacher]) * 100 },
                                   at: [student], step: 1e-2, absoluteFloor: 1e-2)
        #expect(report.maxRelativeError < 2e-2, "\(report)")
    }
}

@Suite struct ChannelAndEnergyTests {
    @Test func shrinkingKeepsTheMaskedFunction() {
        var rng = SeededGenerator(seed: 6)
        let net = tinyNet(&rng)
        let images = Tensor.normal(shape: [5, 1, 8, 8], using: &rng)
        let masks = channelMasksByAttention(of: net, images: images, keptFraction: 0.5, minimum: 2)
        #expect(masks.map { $0.filter { $0 }.count } == [2, 3])
        applyChannelMasks(masks, to: net, inputShape: [1, 8, 8])
        let small = shrinkChannels(net, channels: masks, inputShape: [1, 8, 8])
        let (y, ys) = (net(images), small(images))
        #expect(zip(y.scalars, ys.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(small.parameterCount < net.parameterCount)
        #expect(EnergyLedger.ann(small, inputShape: [1, 8, 8]).totalMACs
                < EnergyLedger.ann(net, inputShape: [1, 8, 8]).totalMACs)
    }

    @Test func sparseEnergyReducesToDenseAtDensityOne() {
        var rng = SeededGenerator(seed: 7)
        let net = tinyNet(&rng)
        let ann = EnergyLedger.ann(net, inputShape: [1, 8, 8])
        #expect(ann.sparse(densities: [1, 1, 1, 1]) == ann)
        let half = ann.sparse(densities: [0.5, 0.5, 0.5, 0.5])
        #expect(abs(half.totalPicojoules - ann.totalPicojoules / 2) < 1e-6 * ann.totalPicojoules)
        let snn = try! trainableSNN(from: net, thresholds: [1, 1, 1])
        let spikes = [Double](repeating: 10, count: snn.layers.count)
        let dense = EnergyLedger.snn(snn, inputShape: [1, 8, 8], inputSpikesPerImage: spikes, timesteps: 5)
        #expect(dense.sparse(densities: [1, 1, 1, 1]) == dense)
        #expect(dense.totalAccumulates > 0)
    }
}
