// A chapter's own ANN against the shared ReLU backbone, paired on the same test images.
//
// Some papers need an ANN of their own design (clipped ReLU without BatchNorm for ultralow, a
// bias-free BatchNorm-free VGG for hybrid). Such a network is usually weaker than a standard
// ANN, and a conversion result measured against a weak ANN looks better than it is. So the
// chapter measures how far its ANN is below the shared backbone and states it; every SNN
// comparison stays against the chapter's own ANN.

import Datasets
import NeuralNetworks
import RunRecords
import Statistics
import Training

/// The gap between a chapter's own ANN and the shared backbone, on the same test images:
///   gap = acc(chapter's ANN) − acc(backbone), paired image by image (`Difference.paired`),
/// read against a 1-point margin with `ClaimTest`'s rule (beyond 2 s.e. decides).
public struct BaselineGap: Codable, Equatable, Sendable {
    /// One of the two networks: what it is and what it learned from.
    public struct Network: Codable, Equatable, Sendable {
        /// e.g. "conv32-conv32-pool-conv64-conv64-pool-fc256, BatchNorm, average pooling".
        public var architecture: String
        public var trainingImages: Int
        public var epochs: Int
        public var accuracy: Double
        public var accuracyStandardError: Double

        public init(architecture: String, trainingImages: Int, epochs: Int, outcomes: ImageOutcomes) {
            self.architecture = architecture
            self.trainingImages = trainingImages
            self.epochs = epochs
            accuracy = outcomes.accuracy
            accuracyStandardError = binomialStandardError(accuracy: outcomes.accuracy, images: outcomes.count)
        }
    }
    /// 1 point − (backbone − chapter's ANN), read with `ClaimTest`'s rule.
    public enum Reading: String, Codable, Sendable {
        case withinOnePoint, moreThanOnePointBelow, undecided
    }

    /// The shared ReLU backbone.
    public var backbone: Network
    /// The chapter's own ANN (the paper's design).
    public var chapterANN: Network
    /// Test images both networks were scored on (the same ones).
    public var testImages: Int
    /// acc(chapter's ANN) − acc(backbone), paired over the `testImages` (fractions).
    public var chapterMinusBackbone: Double
    public var chapterMinusBackboneStandardError: Double
    public var reading: Reading

    public init(backbone: Network, backboneOutcomes: ImageOutcomes,
                chapterANN: Network, chapterOutcomes: ImageOutcomes) {
        precondition(backboneOutcomes.count == chapterOutcomes.count, "both networks on the same images")
        self.backbone = backbone
        self.chapterANN = chapterANN
        testImages = chapterOutcomes.count
        let gap = Difference.paired(chapterOutcomes, backboneOutcomes)
        chapterMinusBackbone = gap.mean
        chapterMinusBackboneStandardError = gap.standardError
        let margin = gap.shifted(by: 0.01)
        switch ClaimTest.outcome(value: margin.mean, standardError: margin.standardError, basis: margin.basis) {
        case .reproduced: reading = .withinOnePoint
        case .notReproduced: reading = .moreThanOnePointBelow
        case .inconclusive: reading = .undecided
        }
    }

    /// Scores both networks on `test` (each standardised with its own normalisation) and pairs
    /// them. `chapterOutcomes`: the chapter's ANN's outcomes on exactly these images in this
    /// order, when the chapter has them already (nil: scored here).
    public init(backbone: TrainedBackbone, backboneConfig: SharedBackbone,
                chapterANN: Sequential, architecture: String, trainingImages: Int, epochs: Int,
                normalization: Normalization, test: LabeledImages, chapterOutcomes: ImageOutcomes? = nil,
                batchSize: Int = 500) {
        let backboneOutcomes = ImageOutcomes(classificationCorrectness(
            backbone.network, batches: test.batches(size: batchSize, normalization: backbone.normalization)))
        let chapterOutcomes = chapterOutcomes ?? ImageOutcomes(classificationCorrectness(
            chapterANN, batches: test.batches(size: batchSize, normalization: normalization)))
        self.init(
            backbone: Network(architecture: VGG.layerNames(backboneConfig.features, classifier: backboneConfig.classifier)
                                  + ", BatchNorm, average pooling",
                              trainingImages: backbone.trainingImages.count, epochs: backboneConfig.training.epochs,
                              outcomes: backboneOutcomes),
            backboneOutcomes: backboneOutcomes,
            chapterANN: Network(architecture: architecture, trainingImages: trainingImages, epochs: epochs,
                                outcomes: chapterOutcomes),
            chapterOutcomes: chapterOutcomes)
    }

    /// The README's sentence, every number from the fields above. `name` is what the chapter
    /// calls its ANN ("DNN", "ANN").
    public func sentence(calling name: String) -> String {
        let verdict: String
        switch reading {
        case .withinOnePoint: verdict = "within 1 point of it (1 point minus the gap above 2 s.e.)"
        case .moreThanOnePointBelow: verdict = "more than 1 point below it (1 point minus the gap below −2 s.e.)"
        case .undecided: verdict = "these images cannot tell whether it is within 1 point of it"
        }
        func epochs(_ n: Int) -> String { n == 1 ? "1 epoch" : "\(n) epochs" }
        return "Baseline: the shared ReLU backbone (\(backbone.architecture); \(backbone.trainingImages) training "
            + "images, \(epochs(backbone.epochs))) reaches \(percentWithError(backbone.accuracy, images: testImages)) % "
            + "on the same \(testImages) test images. The chapter's \(name), the paper's design "
            + "(\(chapterANN.architecture); \(chapterANN.trainingImages) training images, "
            + "\(epochs(chapterANN.epochs))), reaches \(percentWithError(chapterANN.accuracy, images: testImages)) % "
            + "and differs from it by \(formatFixed(100 * chapterMinusBackbone, digits: 2)) ± "
            + "\(formatFixed(100 * chapterMinusBackboneStandardError, digits: 2)) points, paired over the images: "
            + "\(verdict). Every SNN here is compared with the chapter's own \(name), not with the backbone."
    }

    /// Why a run has no baseline gap, or nil when it should have one: the backbone of `profile`
    /// is trained on `backboneDataset`, the chapter's ANN on `dataset`.
    public static func missingReason(backboneDataset: DatasetID?, dataset: DatasetID) -> String? {
        guard let backboneDataset else {
            return "no baseline gap: this profile has no shared backbone on \(dataset.title)"
        }
        guard backboneDataset == dataset else {
            return "no baseline gap: the shared backbone of this profile learns \(backboneDataset.title), "
                + "this run's ANN \(dataset.title)"
        }
        return nil
    }
}

extension ChapterContext {
    /// The gap of a chapter's own ANN to the shared backbone `backboneConfig`, printed; or nil
    /// with the reason printed when this run has none (`BaselineGap.missingReason`). `make`
    /// builds the gap from the loaded (or, if no chapter has yet, trained) backbone.
    ///
    /// - Parameter name: what the chapter calls its ANN in the sentence ("DNN", "ANN").
    public func baselineGap(
        against backboneConfig: SharedBackbone?, dataset: DatasetID, cache: StageCache, calling name: String,
        _ make: (TrainedBackbone, SharedBackbone) -> BaselineGap
    ) throws -> BaselineGap? {
        if let reason = BaselineGap.missingReason(backboneDataset: backboneConfig?.dataset, dataset: dataset) {
            print(reason)
            return nil
        }
        guard let backboneConfig else { return nil }
        let gap = make(try sharedBackbone(backboneConfig, cache: cache), backboneConfig)
        print(gap.sentence(calling: name))
        return gap
    }
}
