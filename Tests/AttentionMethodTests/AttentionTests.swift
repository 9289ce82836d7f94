import AttentionMethod
import NeuralNetworks
import SNNConversion
import EnergyEstimation
import Testing
import _TestSupport
import TensorCore
import Autodiff

/// A small bias-free conv net (the chapter's shape, tiny).
private func tinyNet(_ rng: inout SeededGenerator) -> Sequential {
    VGG.make([.conv(4), .pool, .conv(6), .pool], inputChannels: 1, inputSize: 8, classes: 3,
             classifier: [8], batchNorm: false, bias: false, pool: .average, using: &rng)
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
    @Test func attentionRankingKeepsTheChannelsThatCarryTheActivation() {
        var rng = SeededGenerator(seed: 6)
        let net = tinyNet(&rng)
        let images = Tensor.normal(shape: [5, 1, 8, 8], using: &rng)
        // Make first-conv channel 2 dominate (×10 → 100× the energy) and silence channel 0.
        let w = weightParameters(of: net)[0]
        var scalars = w.value.scalars
        for e in 0..<9 { scalars[2 * 9 + e] *= 10; scalars[e] = 0 }
        w.value = Tensor(shape: w.value.shape, scalars: scalars)
        let scores = channelAttentionScores(of: net, images: images)
        #expect(scores.map(\.count) == [4, 6])
        #expect(scores[0][0] == 0)
        #expect(scores[0].indices.allSatisfy { $0 == 2 || scores[0][2] > 10 * scores[0][$0] })
        let masks = channelMasksByAttention(of: net, images: images, keptFraction: 0.25, minimum: 1)
        #expect(masks[0] == [false, false, true, false])
    }

    @Test func theSNNKeepsTheANNsMasksThroughTraining() throws {
        var rng = SeededGenerator(seed: 8)
        let ann = tinyNet(&rng)
        let sparse = SparseMomentum(weights: weightParameters(of: ann), density: 0.3, using: &rng)
        let snn = try trainableSNN(from: ann, thresholds: [1, 1, 1])
        for (a, s) in zip(weightParameters(of: ann), weightParameters(of: snn)) { #expect(s.mask == a.mask) }
        var adam = Adam(learningRate: 1e-2, weightDecay: 1e-2)
        let images = Tensor.normal(shape: [6, 1, 8, 8], using: &rng)
        for _ in 0..<3 {
            _ = snnTrainingStep(snn, images: images, labels: [0, 1, 2, 0, 1, 2], timesteps: 3,
                                optimizer: &adam, rng: &rng)
        }
        #expect(weightParameters(of: snn).reduce(0) { $0 + $1.nonZeroCount } <= sparse.budget)
        for s in weightParameters(of: snn) {
            #expect(s.mask!.scalars.indices.allSatisfy { s.mask![flat: $0] != 0 || s.value[flat: $0] == 0 })
        }
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
