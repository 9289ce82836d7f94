// chapter-attention's method settings per profile. chapter-compare compresses and converts with
// the same preset, so the two chapters run one method.

/// Attention-guided sparse learning, the conversion and the SNN's BPTT training of Kundu et
/// al., as chapter-attention's presets set them (chapters/attention/NOTES.md §2.2–§3).
public struct AttentionPreset: Codable, Equatable, Sendable {
    /// The student: epochs, batch size, Adam, attention-transfer weight β_AT, prune rate schedule.
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var weightDecay: Float
    public var beta: Float
    public var initialPruneRate: Double
    public var minimumPruneRate: Double
    /// The conversion: θˡ = thresholdScale · percentile of layer l's ReLU outputs.
    public var percentile: Double
    public var thresholdScale: Float
    /// The SNN: T, and its BPTT schedule on `snnTrainLimit` training images (nil = all).
    public var timesteps: Int
    public var snnEpochs: Int
    public var snnBatchSize: Int
    public var snnLearningRate: Float
    public var snnTrainLimit: Int?

    public init(epochs: Int, batchSize: Int, learningRate: Float, weightDecay: Float, beta: Float,
                initialPruneRate: Double, minimumPruneRate: Double, percentile: Double, thresholdScale: Float,
                timesteps: Int, snnEpochs: Int, snnBatchSize: Int, snnLearningRate: Float, snnTrainLimit: Int?) {
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate
        self.weightDecay = weightDecay; self.beta = beta; self.initialPruneRate = initialPruneRate
        self.minimumPruneRate = minimumPruneRate; self.percentile = percentile; self.thresholdScale = thresholdScale
        self.timesteps = timesteps; self.snnEpochs = snnEpochs; self.snnBatchSize = snnBatchSize
        self.snnLearningRate = snnLearningRate; self.snnTrainLimit = snnTrainLimit
    }

    /// The paper's settings.
    public static let paper = AttentionPreset(
        epochs: 100, batchSize: 100,                            // sparse_learning defaults, §2.3
        learningRate: 1e-3, weightDecay: 5e-4, beta: 1000,      // AT code, §2.2
        initialPruneRate: 0.5, minimumPruneRate: 0.005,         // §2.3
        percentile: 99.7, thresholdScale: 0.3,                  // DIET, §2.5
        timesteps: 5, snnEpochs: 100, snnBatchSize: 64,         // §2.6, §3
        snnLearningRate: 1e-4, snnTrainLimit: nil)

    /// Minutes on two cores: 3 student epochs from the dense model (3 epochs cannot train from
    /// scratch), a prune rate of 0.2 (0.5 wipes half the net per epoch), one SNN epoch on 2,000
    /// images at 5·10⁻⁴.
    public static let quick: AttentionPreset = {
        var preset = paper
        preset.epochs = 3
        preset.batchSize = 64
        preset.initialPruneRate = 0.2
        preset.snnEpochs = 1
        preset.snnTrainLimit = 2_000
        preset.snnLearningRate = 5e-4
        return preset
    }()
}
