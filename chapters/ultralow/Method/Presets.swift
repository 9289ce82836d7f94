// chapter-ultralow's method settings per profile. chapter-compare converts and fine-tunes with
// the same preset, so the two chapters run one method.

/// The SNN-calibrated fit and the BPTT fine-tuning of Datta & Beerel, as chapter-ultralow's
/// presets set them (chapters/ultralow/NOTES.md §3, §7.3, §8).
public struct UltralowPreset: Codable, Equatable, Sendable {
    /// Training images simulated to fit (α, β) layer by layer, and the values kept per layer.
    public var calibrationImages: Int
    public var sampleLimit: Int
    /// The α grid (β is closed-form for each α).
    public var grid: FactorGrid
    /// u[0] of the fine-tuned rule (the SNN-calibrated fit with u[0] = θ/2 is the chapter's best).
    public var start: MembraneStart
    /// BPTT fine-tuning: epochs over `finetuneImages` training images (nil = all), batch size
    /// and Adam's learning rate.
    public var finetuneEpochs: Int
    public var finetuneImages: Int?
    public var finetuneBatchSize: Int
    public var finetuneLearningRate: Float

    public init(calibrationImages: Int, sampleLimit: Int, grid: FactorGrid, start: MembraneStart,
                finetuneEpochs: Int, finetuneImages: Int?, finetuneBatchSize: Int, finetuneLearningRate: Float) {
        self.calibrationImages = calibrationImages; self.sampleLimit = sampleLimit; self.grid = grid
        self.start = start; self.finetuneEpochs = finetuneEpochs; self.finetuneImages = finetuneImages
        self.finetuneBatchSize = finetuneBatchSize; self.finetuneLearningRate = finetuneLearningRate
    }

    /// The paper's settings.
    public static let paper = UltralowPreset(
        calibrationImages: 512, sampleLimit: 400_000,           // NOTES.md §7.3
        grid: FactorGrid(), start: .half,                        // NOTES.md §8
        finetuneEpochs: 300, finetuneImages: nil,                // NOTES.md §3 (ResNet20 T = 2 line)
        finetuneBatchSize: 128, finetuneLearningRate: 1e-4)      // NOTES.md §3

    /// Minutes on two cores. The fit loops run in debug builds: 30k values per layer. 94 small
    /// steps per epoch; 10× the paper's 1e-4 (~190 Adam steps instead of 300 epochs). chapter-compare
    /// fine-tunes with this rate; chapter-ultralow tries it beside 1e-4 and 3e-4 (and no
    /// fine-tuning) and keeps the best on held-out training images (its Config.quick).
    public static let quick: UltralowPreset = {
        var preset = paper
        preset.calibrationImages = 128
        preset.sampleLimit = 30_000
        preset.finetuneEpochs = 2
        preset.finetuneImages = 3_000
        preset.finetuneBatchSize = 32
        preset.finetuneLearningRate = 1e-3
        return preset
    }()
}
