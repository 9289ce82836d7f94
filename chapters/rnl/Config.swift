// Presets of chapter-rnl. `paper` lists the paper's (authors' code) settings with their
// sources; `quick` and `smoke` are derived from it by explicit modifications (docs/conventions.md C5).

import ChapterSupport
import RNLMethod
import Datasets
import NeuralNetworks

struct Config: ChapterConfiguration {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        /// Training images used (nil = all but the validation split).
        var trainLimit: Int?
        /// Training images held out for the RIL selection rule (never trained on).
        var validationCount: Int
        /// Test images of the long simulation to T_max (stratified subset; nil = all). The ANNs
        /// are scored on it too, for "within 1 point of its own ANN".
        var simulatedTestLimit: Int?
        /// Test images of the short simulation to `EvaluationConfig.fullTestTimesteps` (nil = all).
        var fullTestLimit: Int?
    }
    /// Moved to RNLMethod (shared with chapter-compare); same cases, same JSON.
    typealias OptimizerChoice = ANNOptimizer
    struct ANNConfig: Codable, Equatable, Sendable {
        var features: [VGG.Item]
        var classifier: [Int]
        var epochs: Int
        var batchSize: Int
        var optimizer: OptimizerChoice
        var learningRate: Float
        var schedule: LearningRateSchedule
        var weightDecay: Float
        /// Initial read-out weights: Kaiming (paper) or rescaled to unit logit spread
        /// (`Method/ReadoutInitialisation.swift`; both ANNs alike).
        var readout: ReadoutInitialisation
    }
    /// How long the RNL ANN trains, chosen on the held-out images (`ScheduleSelection`): the
    /// first of `epochs` whose accuracy there comes within `tolerance` of the ReLU ANN's.
    struct RNLScheduleConfig: Codable, Equatable, Sendable {
        var epochs: [Int]
        var tolerance: Double
    }
    struct BaselineConfig: Codable, Equatable, Sendable {
        /// Training batches whose ReLU activations set the max-norm / percentile thresholds.
        var calibrationBatches: Int
        var calibrationBatchSize: Int
        var percentile: Double
    }
    struct RILConfig: Codable, Equatable, Sendable {
        /// α_Ω of L = D + α_Ω·Ω̄ (the paper's λ; docs/notation.md).
        var lambda: Float
        var learningRate: Float
        var batchSize: Int
        /// Initial shared s (p = σ(s)).
        var initialScale: Float
        var iterations: Int
        var evaluateEvery: Int
        /// Accuracy drop allowed by the selection rule, as a fraction (0.01 = 1 point).
        var tolerance: Double
    }
    struct EvaluationConfig: Codable, Equatable, Sendable {
        /// One simulation of T_max steps gives every T ≤ T_max (cumulative read-out).
        var maxTimesteps: Int
        var batchSize: Int
        /// Steps folded into one forward pass.
        var chunk: Int
        /// Images of the one batch whose fit curves ε^l(t) are recorded.
        var fitBatchSize: Int
        /// T at which ANN activation vs SNN rate is scattered.
        var scatterTimesteps: [Int]
        /// Every T ≤ this is also simulated on the `fullTestLimit` images.
        var fullTestTimesteps: Int
    }

    var data: DataConfig
    var ann: ANNConfig
    var rnlSchedule: RNLScheduleConfig
    var baselines: BaselineConfig
    var ril: RILConfig
    var evaluation: EvaluationConfig

    /// The authors' CIFAR-10 VGG-16 pipeline (NOTES.md §5, §6, §3.5).
    static let paper = Config(
        data: DataConfig(dataset: .cifar10, trainLimit: 40_000,        // tutorial.py: 40k/10k split
                         validationCount: 10_000, simulatedTestLimit: nil, fullTestLimit: nil),
        ann: ANNConfig(features: VGG.vgg16, classifier: [4096, 4096],   // models/vgg.py
                       epochs: 200, batchSize: 50,                      // para_train.py
                       optimizer: .sgd(momentum: 0.9), learningRate: 0.1,
                       schedule: .step(milestones: [0.5, 0.75], factor: 10),  // ×0.1 at 100, 150
                       weightDecay: 1e-4, readout: .kaiming),
        rnlSchedule: RNLScheduleConfig(epochs: [200], tolerance: 0.01),  // the authors' one schedule
        baselines: BaselineConfig(calibrationBatches: 8, calibrationBatchSize: 128,
                                  percentile: 99.9),                    // Rueckauer 2017
        ril: RILConfig(lambda: 0.1, learningRate: 0.1, batchSize: 50,   // main.py, CIFAR-10 VGG-16
                       initialScale: 4, iterations: 40_000,             // fast_train.py default s = 4
                       evaluateEvery: 100,                              // tutorial.py
                       tolerance: 0.03),                                // fast_train.py default
        evaluation: EvaluationConfig(maxTimesteps: 512, batchSize: 100, chunk: 8,  // evaluate.py T = 500
                                     fitBatchSize: 50,                  // one test batch
                                     scatterTimesteps: [8, 32, 128],    // NOTES.md §8 fig. 4
                                     fullTestTimesteps: 16))

    /// Minutes on two cores: classic's small average-pooling VGG on Fashion-MNIST.
    static let quick = paper.modified {
        // The long sweep on 2,000 test images (a binomial σ of about 1 point); every T ≤ 16 on
        // all 10,000.
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 12_000, validationCount: 1_000,
                             simulatedTestLimit: 2_000, fullTestLimit: nil)
        $0.ann.features = [.conv(16), .pool, .conv(32), .pool]
        $0.ann.classifier = [64]
        $0.ann.epochs = 2
        $0.ann.batchSize = 64
        $0.ann.optimizer = .adam
        $0.ann.learningRate = 1e-3
        $0.ann.schedule = .cosine(minimum: 0)
        $0.ann.weightDecay = 5e-4
        $0.ann.readout = .unitLogits      // 2 epochs cannot grow the RNL read-out (see the file)
        // Two epochs leave the RNL ANN about 5 points below the ReLU ANN (80.6 against 85.5 %
        // on the test set at seed 42); longer schedules are tried on the held-out images.
        $0.rnlSchedule.epochs = [2, 4, 8, 16]
        $0.baselines.calibrationBatches = 4
        $0.ril = RILConfig(lambda: 1, learningRate: 0.01, batchSize: 64, initialScale: 2.5,
                           iterations: 200, evaluateEvery: 10, tolerance: 0.01)
        $0.evaluation = EvaluationConfig(maxTimesteps: 128, batchSize: 250, chunk: 32,
                                         fitBatchSize: 50, scatterTimesteps: [8, 32, 128],
                                         fullTestTimesteps: 16)
    }

    /// Seconds: plumbing and coarse trends for ChapterTests.
    static let smoke = quick.modified {
        $0.data.trainLimit = 3_000
        $0.data.validationCount = 300
        $0.data.simulatedTestLimit = 200
        $0.data.fullTestLimit = 300
        $0.ann.features = [.conv(8), .pool, .conv(16), .pool]
        $0.ann.classifier = [32]
        $0.ann.epochs = 1
        $0.rnlSchedule.epochs = [1, 2]
        $0.baselines.calibrationBatches = 2
        $0.ril.iterations = 30
        $0.evaluation.batchSize = 100
        $0.evaluation.maxTimesteps = 64
        $0.evaluation.scatterTimesteps = [8, 32, 64]
    }
}
