// Presets of chapter-hybrid. `paper` lists the paper's settings with their sources (notes
// = NOTES.md); `quick` and `smoke` are derived from it by
// explicit modifications (docs/conventions.md C5). Everything tagged [proposed] is NOTES.md's
// reconstruction, not a verified value of the paper.

import ChapterSupport
import RunRecords
import Datasets
import HybridMethod
import NeuralNetworks
import SpikingNeurons
import Training

struct Config: Codable, Equatable, Sendable {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        var trainLimit: Int?
        /// Test images simulated for every arm (stratified; nil = all).
        var testLimit: Int?
    }
    struct ANNConfig: Codable, Equatable, Sendable {
        var features: [VGG.Item]
        var classifier: [Int]
        var dropout: Float
        var epochs: Int
        var batchSize: Int
        var learningRate: Float
        var weightDecay: Float
    }
    struct ConversionConfig: Codable, Equatable, Sendable {
        var percentile: Double
        var calibrationBatches: Int
        /// θ_out = scale · percentile of the ANN's positive logits [proposed].
        var outputThresholdScale: Float
    }
    struct FinetuneConfig: Codable, Equatable, Sendable {
        var timesteps: Int
        var epochs: Int
        /// Training images per fine-tuning epoch (nil = the whole training split).
        var imagesPerEpoch: Int?
        var batchSize: Int
        var learningRate: Float
        var arms: [Arm]
        /// Variants of arm C (loss and surrogate ablations, §8.2).
        var ablations: [Arm]
    }
    struct EvaluationConfig: Codable, Equatable, Sendable {
        var batchSize: Int
        /// T of the accuracy-vs-T sweep (models fine-tuned at `finetune.timesteps`).
        var sweep: [Int]
        /// Arms swept over T.
        var sweepArms: [String]
        /// Test images of the sweep (the first ones of the test subset; nil = all).
        var sweepImages: Int?
        /// Test images the arms are scored on (the first ones of the test subset; nil = all).
        var armImages: Int?
    }

    var data: DataConfig
    var ann: ANNConfig
    var conversion: ConversionConfig
    var finetune: FinetuneConfig
    var evaluation: EvaluationConfig
    /// The ReLU ANN the chapter's ANN is measured against (Training's `SharedBackbone`, the one
    /// the conversion chapters share, loaded from its cached stage): how far the paper's ANN
    /// design (no BatchNorm, no bias) and this preset's budget stay below a standard BatchNorm
    /// ANN. nil where no shared backbone is trained on this dataset.
    var reference: SharedBackbone?

    func modified(_ change: (inout Config) -> Void) -> Config {
        var copy = self
        change(&copy)
        return copy
    }

    /// NOTES.md's name of each temporal mapping (§2.2): A linear, B IF input, C signed.
    static func letter(_ mapping: TemporalMapping) -> String {
        switch mapping {
        case .linear: "A"
        case .integrateAndFire: "B"
        case .signed: "C"
        }
    }

    static func mappingTitle(_ mapping: TemporalMapping) -> String {
        switch mapping {
        case .linear: "linear in p"
        case .integrateAndFire: "IF input"
        case .signed: "signed"
        }
    }

    /// Variants of arm C: losses, the other STDB surrogate, the other temporal mappings, and θ
    /// and λ trained if C fixes them (or fixed if C trains them).
    static func ablations(of c: Arm) -> [Arm] {
        // §2.5: V1 α = 0.3, β ∈ {0.01, 0.1, 0.3}; V2 = DIET's triangle γ = 0.3.
        let (other, otherKey): (STDBSurrogate, String) = if case .v1 = c.surrogate {
            (.v2(gamma: 0.3), "C-V2")
        } else {
            (.v1(alpha: 0.3, beta: 0.1), "C-V1")
        }
        let mappings = TemporalMapping.allCases.filter { SpikeEncoding.hybrid($0) != c.encoding }.map { m in
            c.modified { $0.key = "C-mapping\(letter(m))"
                         $0.title = "C, temporal mapping \(letter(m)) (\(mappingTitle(m)))"
                         $0.encoding = .hybrid(m) }
        }
        return
        [c.modified { $0.key = "C-form2"; $0.title = "C, loss Form 2"
                      $0.loss = .timeAndMembraneTerms(eta: 1, timeTemperature: 1) },    // §2.4 η ≈ 1, τ ≈ 1
         c.modified { $0.key = "C-membraneCE"; $0.title = "C, accumulated-membrane CE"
                      $0.loss = .accumulatedMembrane },
         c.modified { $0.key = otherKey; $0.title = "C, surrogate \(other)"
                      $0.surrogate = other; $0.hidden = .singleSpike(other) }]
        + mappings +
        [c.modified { $0.key = c.thresholdAndLeak == .trained ? "C-frozen" : "C-trained"
                      $0.title = c.thresholdAndLeak == .trained ? "C, θ and λ fixed" : "C, θ and λ trained"
                      $0.thresholdAndLeak = c.thresholdAndLeak == .trained ? .fixed : .trained }]
    }

    /// CIFAR-100 VGG16, T = 5 (NOTES.md §0, §3, §4; training recipe [proposed] from DIET-SNN).
    static let paper: Config = {
        let h = HybridPreset.paper, a = h.arms
        return Config(
            data: DataConfig(dataset: .cifar100, trainLimit: nil, testLimit: nil),  // §0 headline: CIFAR-100
            ann: ANNConfig(features: VGG.vgg16, classifier: [4096, 4096], dropout: h.annDropout,  // §4 VGG16, §3 dropout
                           epochs: 200, batchSize: 64, learningRate: 1e-3,       // §3 (Adam variant)
                           weightDecay: 5e-4),                                   // §3
            conversion: ConversionConfig(percentile: h.percentile, calibrationBatches: h.calibrationBatches,
                                         outputThresholdScale: h.outputThresholdScale),
            finetune: FinetuneConfig(timesteps: h.timesteps, epochs: h.epochs, imagesPerEpoch: h.imagesPerEpoch,
                                     batchSize: h.batchSize, learningRate: h.learningRate,
                                     arms: a, ablations: ablations(of: a[2])),
            evaluation: EvaluationConfig(batchSize: 100, sweep: Array(2...10),   // §7 fig. 5: T = 2…10
                                         sweepArms: ["A", "B", "C"], sweepImages: nil, armImages: nil),
            reference: nil)   // the shared backbone's paper preset is CIFAR-10, this ANN's CIFAR-100
    }()

    /// Minutes on two cores: Fashion-MNIST, NOTES.md's VGG-S (§8.1).
    static let quick = paper.modified {
        // All 10,000 test images: every evaluation here is at T ≤ 10 (a binomial σ of about
        // 0.4 points per accuracy).
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 12_000, testLimit: nil)
        $0.ann.features = VGG.small                              // §8.1 32 32 A 64 64 A
        $0.ann.classifier = [256]                                // §8.1 FC 3136 → 256 → 10
        $0.ann.epochs = 5                                        // §8.1 says 10–15; 5 fits the budget
        $0.ann.learningRate = 1e-3
        $0.conversion.calibrationBatches = HybridPreset.quick.calibrationBatches
        // §2.5: V2 (NOTES.md's fallback "if V1 trains poorly"): with V1, fine-tuning longer
        // made B, C and D worse, and V2 scored higher on held-out training images (README).
        // θ and λ trained in B–D; arm A keeps them fixed (the core neuron's trained-θ/λ
        // backward is ~5× slower and changed A by less than the noise, README).
        // §2.2: temporal mapping C, NOTES.md's alternative "if A underperforms": with mapping
        // A, arm C stayed 5.7 points below arm A on 2,000 held-out training images; there
        // mapping C scored 2.3 points above mapping A, mapping B 0.6 below (README, "The input code").
        $0.finetune.arms = HybridPreset.quick.arms
        // Ablations of arm C: losses (§8.4-4), surrogate V1, mapping A, θ and λ frozen;
        // mapping B in the paper preset only.
        $0.finetune.ablations = ablations(of: $0.finetune.arms[2])
            .filter { ["C-form2", "C-membraneCE", "C-V1", "C-mappingA", "C-frozen"].contains($0.key) }
        $0.finetune.epochs = HybridPreset.quick.epochs              // HybridMethod's quick schedule
        $0.finetune.imagesPerEpoch = HybridPreset.quick.imagesPerEpoch
        $0.finetune.learningRate = HybridPreset.quick.learningRate
        $0.evaluation.sweepArms = ["B", "C"]                     // hybrid vs direct, same neurons
        $0.evaluation.sweepImages = nil                          // all 10,000 test images
        $0.evaluation.armImages = nil                            // all 10,000 test images
        $0.reference = .quick   // classic's ANN (all 60,000 training images)
    }

    /// Seconds: plumbing and coarse trends for ChapterTests.
    static let smoke = quick.modified {
        $0.data.trainLimit = 2_000
        $0.data.testLimit = 200
        $0.ann.features = [.conv(8), .pool, .conv(16), .pool]
        $0.ann.classifier = [32]
        $0.ann.epochs = 1
        $0.conversion.calibrationBatches = 2
        $0.finetune.imagesPerEpoch = 384
        $0.finetune.ablations = []
        $0.evaluation.sweepImages = nil
        $0.evaluation.sweep = [2, 5, 8]
        $0.reference = .smoke
    }

    /// Every arm key a run can train (each preset's arms and every ablation of its arm C, as
    /// `--arms` allows), in order: the cached stages are `ann`, the shared backbone and `arm-<key>`.
    static let stageNames: [String] = {
        var keys: [String] = []
        for preset in [paper, quick, smoke] {
            let c = preset.finetune.arms.first { $0.key == "C" }
            for arm in preset.finetune.arms + (c.map(ablations(of:)) ?? []) where !keys.contains(arm.key) {
                keys.append(arm.key)
            }
        }
        return ["ann", ChapterContext.sharedBackboneStage] + keys.map { "arm-\($0)" }
    }()

    /// The keys `--arms` can pick at `profile`, as main.swift selects them: the preset's arms
    /// and every ablation of its arm C, with θ and λ as `--threshold-and-leak` sets them
    /// (which decides between the `C-frozen` and `C-trained` ablation).
    static func selectableArmKeys(profile: Profile, thresholdAndLeak: Training?) -> [String] {
        var arms = preset(profile).finetune.arms
        if let thresholdAndLeak {
            for i in arms.indices { arms[i].thresholdAndLeak = thresholdAndLeak }
        }
        let c = arms.first { $0.key == "C" }
        return arms.map(\.key) + (c.map(ablations(of:)) ?? []).map(\.key)
    }

    static func preset(_ profile: Profile) -> Config {
        switch profile {
        case .smoke: smoke
        case .quick: quick
        case .paper: paper
        }
    }
}

extension Config.FinetuneConfig {
    /// The schedule without the arm lists (what one arm's stage depends on).
    var sharedSchedule: Config.FinetuneConfig {
        var copy = self
        copy.arms = []
        copy.ablations = []
        return copy
    }
}

extension Arm {
    func modified(_ change: (inout Arm) -> Void) -> Arm {
        var copy = self
        change(&copy)
        return copy
    }
}
