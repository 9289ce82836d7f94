// The arms of chapter-hybrid as its presets define them. chapter-compare runs the method arm
// (C) of the same preset, so the two chapters run one method.

import SpikingNeurons

/// The four arms of chapters/hybrid/NOTES.md §8.2 and the presets that choose among their settings.
public enum HybridArms {
    /// The four arms of NOTES.md §8.2 with threshold scales s; `thresholdAndLeak` for the
    /// single-spike arms B–D and `dietThresholdAndLeak` for arm A; `mapping` the temporal code
    /// of arms C (after the analog step) and D (alone).
    public static func arms(singleSpikeScale s: Float, surrogate: STDBSurrogate, thresholdAndLeak: Training,
                            dietThresholdAndLeak: Training, mapping: TemporalMapping) -> [Arm] {
        let form1 = OutputLoss.spikeTimeAndMembrane(tieBreak: 0.1)                 // §2.4 ε ≈ 0.1
        return [
            Arm(key: "A", title: "A: DIET direct, multi-spike, membrane CE", encoding: .direct,
                hidden: .multiSpike, loss: .accumulatedMembrane, surrogate: surrogate,
                thresholdScale: 0.3,                                             // DIET code default s = 0.3
                thresholdAndLeak: dietThresholdAndLeak),
            Arm(key: "B", title: "B: direct + single spike", encoding: .direct,
                hidden: .singleSpike(surrogate), loss: form1, surrogate: surrogate, thresholdScale: s,
                thresholdAndLeak: thresholdAndLeak),
            Arm(key: "C", title: "C: hybrid + single spike (the method)", encoding: .hybrid(mapping),
                hidden: .singleSpike(surrogate), loss: form1, surrogate: surrogate, thresholdScale: s,
                thresholdAndLeak: thresholdAndLeak),
            Arm(key: "D", title: "D: temporal only + single spike", encoding: .temporal(mapping),
                hidden: .singleSpike(surrogate), loss: form1, surrogate: surrogate, thresholdScale: s,
                thresholdAndLeak: thresholdAndLeak),
        ]
    }

    /// CIFAR-100 VGG16 (the paper's settings, chapters/hybrid/NOTES.md §2.1–§2.6).
    public static var paper: [Arm] {
        arms(singleSpikeScale: 0.3, surrogate: .v1(alpha: 0.3, beta: 0.1),  // §2.5 α = 0.3, β ∈ {0.01, 0.1, 0.3}; §2.6 s
             thresholdAndLeak: .trained, dietThresholdAndLeak: .trained,  // §2.1 train both, as DIET
             mapping: .linear)                                            // §2.2 mapping A
    }

    /// The quick preset, each choice made on held-out training images (chapters/hybrid/README.md):
    /// surrogate V2 (NOTES.md's fallback, γ = 0.3), temporal mapping C (signed), θ and λ trained
    /// in the single-spike arms and fixed in arm A.
    public static var quick: [Arm] {
        arms(singleSpikeScale: 0.3, surrogate: .v2(gamma: 0.3), thresholdAndLeak: .trained,
             dietThresholdAndLeak: .fixed, mapping: .signed)
    }

    /// The method itself: arm C (hybrid input, single-spike neurons) of `arms`.
    public static func method(of arms: [Arm]) -> Arm {
        guard let c = arms.first(where: { $0.key == "C" }) else { preconditionFailure("no arm C in \(arms.map(\.key))") }
        return c
    }
}

/// The hybrid method as chapter-hybrid's presets set it: the arms, the BN-free ANN's dropout,
/// the threshold initialisation and the fine-tuning schedule. chapter-compare runs its
/// `method` arm with the same preset.
public struct HybridPreset: Codable, Equatable, Sendable {
    public var arms: [Arm]
    /// Dropout of the BN-free, bias-free ANN the arms are converted from (DIET-SNN's).
    public var annDropout: Float
    /// θˡ = s · this percentile of layer l's ReLU outputs on `calibrationBatches` batches;
    /// θ_out = `outputThresholdScale` · the same percentile of the positive logits.
    public var percentile: Double
    public var calibrationBatches: Int
    public var outputThresholdScale: Float
    /// BPTT fine-tuning at T: epochs of `imagesPerEpoch` images (nil = all), batch, Adam.
    public var timesteps: Int
    public var epochs: Int
    public var imagesPerEpoch: Int?
    public var batchSize: Int
    public var learningRate: Float

    /// The method itself: arm C.
    public var method: Arm { HybridArms.method(of: arms) }

    public init(arms: [Arm], annDropout: Float, percentile: Double, calibrationBatches: Int,
                outputThresholdScale: Float, timesteps: Int, epochs: Int, imagesPerEpoch: Int?, batchSize: Int,
                learningRate: Float) {
        self.arms = arms; self.annDropout = annDropout; self.percentile = percentile
        self.calibrationBatches = calibrationBatches; self.outputThresholdScale = outputThresholdScale
        self.timesteps = timesteps; self.epochs = epochs; self.imagesPerEpoch = imagesPerEpoch
        self.batchSize = batchSize; self.learningRate = learningRate
    }

    /// CIFAR-100 VGG16, T = 5 (NOTES.md §0, §2.6, §3; recipe [proposed] from DIET-SNN).
    public static let paper = HybridPreset(
        arms: HybridArms.paper, annDropout: 0.2,                       // §3 dropout
        percentile: 99.7, calibrationBatches: 8,                       // §2.6 99.7th percentile
        outputThresholdScale: 0.3,                                     // §2.6 [proposed]
        timesteps: 5, epochs: 100, imagesPerEpoch: nil,                // §0 T = 5; §3 100–300 epochs
        batchSize: 64, learningRate: 1e-4)                             // §3 Adam 1e-4, batch 64

    /// Minutes on two cores: the quick arms, one epoch of 1,920 images at 3·10⁻⁴
    /// (NOTES.md §8.1 "try 3e-4 for the small net"), 4 calibration batches.
    public static let quick: HybridPreset = {
        var preset = paper
        preset.arms = HybridArms.quick
        preset.calibrationBatches = 4
        preset.epochs = 1
        preset.imagesPerEpoch = 1_920
        preset.learningRate = 3e-4
        return preset
    }()
}
