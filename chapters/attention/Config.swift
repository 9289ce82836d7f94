// Presets of chapter-attention. `paper` lists the paper's (or its lineage's) settings with
// their sources; `quick` and `smoke` are derived from it by explicit modifications (docs/conventions.md C5).
// [proposed] marks an engineering reconstruction (NOTES.md provenance tag).

import AttentionMethod
import ChapterSupport
import RunRecords
import Datasets
import NeuralNetworks

/// The three compression arms of NOTES.md §8.2.
enum Arm: String, Codable, CaseIterable, Sendable {
    /// (ii) sparse momentum + attention transfer from the meta-model (the paper's AGC).
    case sparseMomentumAT
    /// (i) sparse momentum, cross-entropy only.
    case sparseMomentum
    /// (iii) one-shot global magnitude pruning of the meta-model, then fine-tuning, mask fixed.
    case oneShot

    var title: String {
        switch self {
        case .sparseMomentumAT: "sparse momentum + AT"
        case .sparseMomentum: "sparse momentum"
        case .oneShot: "one-shot magnitude + FT"
        }
    }
}

struct Config: Codable, Equatable, Sendable {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        var trainLimit: Int?
        /// Test images for ANN accuracy (stratified; nil = all).
        var testLimit: Int?
        /// Test images simulated by the SNNs (stratified subset of the above).
        var simulatedTestLimit: Int?
    }
    struct ModelConfig: Codable, Equatable, Sendable {
        var features: [VGG.Item]
        var classifier: [Int]
        var dropout: Float
    }
    struct MetaConfig: Codable, Equatable, Sendable {
        var epochs: Int
        var batchSize: Int
        var learningRate: Float
        var weightDecay: Float
    }
    struct StudentConfig: Codable, Equatable, Sendable {
        var arms: [Arm]
        var densities: [Double]
        var epochs: Int
        var batchSize: Int
        var learningRate: Float
        var weightDecay: Float
        /// β_AT of L = CE + β_AT·L_AT (`--beta`).
        var beta: Float
        var initialPruneRate: Double
        var minimumPruneRate: Double
        /// Whether students start from the meta-model's weights (else a fresh initialisation).
        var startFromMeta: Bool
        /// How the sparse-momentum arms pick their starting masks.
        var initialMasks: SparseMomentum.Initialisation
    }
    /// β_AT's search on held-out training images (`BetaSelection`): each candidate trains the
    /// attention-guided student at `density`; the most accurate on `heldOutImages` training
    /// images outside the training subset is kept. One candidate: no search.
    struct BetaSelectionConfig: Codable, Equatable, Sendable {
        var candidates: [Float]
        var heldOutImages: Int
        var density: Double
    }
    struct ChannelConfig: Codable, Equatable, Sendable {
        var keptFractions: [Double]
        var epochs: Int
        /// Images whose meta-model activations rank the channels.
        var rankingImages: Int
    }
    struct ConversionConfig: Codable, Equatable, Sendable {
        var percentile: Double
        /// θ = scale × percentile (DIET-SNN, NOTES.md §2.5).
        var scale: Float
        var calibrationBatches: Int
        var calibrationBatchSize: Int
    }
    struct SNNConfig: Codable, Equatable, Sendable {
        var timesteps: Int
        var epochs: Int
        var batchSize: Int
        var learningRate: Float
        var trainLimit: Int?
        /// Which student arm becomes sparse SNNs (every density), and which channel fractions.
        var sparseArms: [Arm]
        var channelFractions: [Double]
        /// The density of the "iso-parameter" sparse ANN / SNN pair in the energy comparison.
        var energyDensity: Double
    }

    var data: DataConfig
    var model: ModelConfig
    var meta: MetaConfig
    var student: StudentConfig
    var betaSelection: BetaSelectionConfig
    var channels: ChannelConfig
    var conversion: ConversionConfig
    var snn: SNNConfig

    func modified(_ change: (inout Config) -> Void) -> Config {
        var copy = self
        change(&copy)
        return copy
    }

    /// VGG16 / CIFAR-10 (NOTES.md §3, §4; many values [proposed] since the paper body is unavailable).
    static let paper = Config(
        data: DataConfig(dataset: .cifar10, trainLimit: nil, testLimit: nil, simulatedTestLimit: nil),
        model: ModelConfig(features: VGG.vgg16, classifier: [4096, 4096],  // NOTES.md §4 (Rathi/DIET VGG16)
                           dropout: 0.2),                                    // NOTES.md §2.6
        meta: MetaConfig(epochs: 200, batchSize: 128, learningRate: 1e-3,   // NOTES.md §3 (Adam here [proposed])
                         weightDecay: 5e-4),
        student: StudentConfig(arms: Arm.allCases, densities: [0.2, 0.1, 0.05, 0.03],  // NOTES.md §8.2
                               epochs: AttentionPreset.paper.epochs, batchSize: AttentionPreset.paper.batchSize,
                               learningRate: AttentionPreset.paper.learningRate,
                               weightDecay: AttentionPreset.paper.weightDecay,
                               beta: AttentionPreset.paper.beta,
                               initialPruneRate: AttentionPreset.paper.initialPruneRate,
                               minimumPruneRate: AttentionPreset.paper.minimumPruneRate,
                               startFromMeta: false,                       // [?]
                               initialMasks: .random),                     // §2.3 "constant" init
        betaSelection: BetaSelectionConfig(candidates: [AttentionPreset.paper.beta],   // the paper's one value
                                           heldOutImages: 0, density: 0.03),
        channels: ChannelConfig(keptFractions: [0.5, 0.35, 0.25], epochs: 100, rankingImages: 500),
        conversion: ConversionConfig(percentile: AttentionPreset.paper.percentile,
                                     scale: AttentionPreset.paper.thresholdScale,
                                     calibrationBatches: 4, calibrationBatchSize: 128),
        snn: SNNConfig(timesteps: AttentionPreset.paper.timesteps, epochs: AttentionPreset.paper.snnEpochs,
                       batchSize: AttentionPreset.paper.snnBatchSize,
                       learningRate: AttentionPreset.paper.snnLearningRate, trainLimit: AttentionPreset.paper.snnTrainLimit,
                       sparseArms: [.sparseMomentumAT], channelFractions: [0.5, 0.35, 0.25],
                       energyDensity: 0.03))                               // ≈ 33.4×, §6

    /// Fashion-MNIST, VGG-S (NOTES.md §8.1), minutes on two cores.
    static let quick = paper.modified {
        // The paper's densities {0.2, 0.1, 0.05, 0.03} and kept fractions {0.5, 0.35, 0.25},
        // on VGG-S at half width (full VGG-S under load made 3 arms × 4 densities ≈ 1.5 h).
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 5_000, testLimit: nil,   // all 10,000
                             simulatedTestLimit: nil)                              // T = 5: all too
        $0.model = ModelConfig(features: [.conv(16), .conv(16), .pool, .conv(32), .conv(32), .pool],
                               classifier: [128], dropout: 0)
        $0.meta = MetaConfig(epochs: 4, batchSize: 64, learningRate: 1e-3, weightDecay: 5e-4)
        $0.student.epochs = AttentionPreset.quick.epochs           // AttentionMethod's quick preset
        $0.student.batchSize = AttentionPreset.quick.batchSize
        $0.student.startFromMeta = true                  // [proposed] 3 epochs cannot train from scratch
        // [proposed] Start = the one-shot global-magnitude mask. A uniform start (every layer at
        // the target density, its largest weights) was tried and crippled every arm but
        // one-shot in 3 epochs (README, "Deviations"), so no claim would test the method.
        $0.student.initialMasks = .globalMagnitude
        // At β_AT = 1000 the attention term was a small share of a quick student's loss: β_AT
        // is chosen on 1,000 held-out training images at the iso-parameter density.
        $0.betaSelection = BetaSelectionConfig(candidates: [1000, 10_000, 100_000], heldOutImages: 1000,
                                               density: 0.05)
        $0.student.initialPruneRate = AttentionPreset.quick.initialPruneRate  // [proposed] 0.5 wipes half the net per epoch
        $0.channels.epochs = 2
        $0.snn.epochs = AttentionPreset.quick.snnEpochs
        $0.snn.trainLimit = AttentionPreset.quick.snnTrainLimit
        $0.snn.learningRate = AttentionPreset.quick.snnLearningRate
        $0.snn.energyDensity = 0.05
    }

    /// Seconds: plumbing for ChapterTests.
    static let smoke = quick.modified {
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 1_000, testLimit: 500,
                             simulatedTestLimit: 200)
        $0.model = ModelConfig(features: [.conv(8), .pool, .conv(16), .pool], classifier: [32], dropout: 0)
        $0.meta.epochs = 2
        $0.student.densities = [0.2, 0.05]
        $0.student.epochs = 2
        $0.betaSelection = BetaSelectionConfig(candidates: [1000, 10_000], heldOutImages: 200, density: 0.05)
        $0.channels.keptFractions = [0.5]
        $0.channels.epochs = 1
        $0.channels.rankingImages = 100
        $0.snn.trainLimit = 500
        $0.snn.channelFractions = [0.5]
        $0.snn.energyDensity = 0.05
    }

    static func preset(_ profile: Profile) -> Config {
        switch profile {
        case .smoke: smoke
        case .quick: quick
        case .paper: paper
        }
    }
}
