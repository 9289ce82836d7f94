// The shared backbone as one cached stage that every chapter converting it reuses.

import Datasets
import Foundation
import NeuralNetworks
import RunRecords
import Training

/// The shared backbone of a run: the trained network, its stage key (for later stages'
/// `dependsOn`), the images it learned from and their normalisation.
public struct TrainedBackbone {
    public let network: Sequential
    public let key: StageKey
    /// `SharedBackbone.trainingImages(from:seed:)` of the training split.
    public let trainingImages: LabeledImages
    /// Fitted to `trainingImages`; the chapters standardise their test images with it too.
    public let normalization: Normalization
    /// The data set it was trained on (its test split is the chapters' test set).
    public let dataset: DatasetID
}

extension ChapterContext {
    /// The stage name of the shared backbone; chapters list it among their stages.
    public static let sharedBackboneStage = "backbone"

    /// Loads or trains `backbone` as stage `backbone` in `<cache>/shared-backbone/<profile>/`.
    ///
    /// Its key holds the backbone's configuration, the seed and the digest of the training
    /// files only, so every chapter asking for the same backbone with the same seed reuses one
    /// checkpoint: the first chapter trains it (resumable per epoch), the others load it.
    /// `--fresh` and `--rerun backbone` retrain it. Its timing joins `cache`'s run log.
    public func sharedBackbone(_ backbone: SharedBackbone, cache: StageCache) throws -> TrainedBackbone {
        let fullTrain = try loadDataset(backbone.dataset, split: .train)
        let train = backbone.trainingImages(from: fullTrain, seed: seed)
        let normalization = Normalization(fittedTo: train)
        let trainingFiles = RunFacts()
        trainingFiles.addDataFiles(try dataFiles(backbone.dataset, split: .train))
        let shared = cache.sharing("shared-backbone", stages: [Self.sharedBackboneStage], facts: trainingFiles)
        defer { cache.absorb(shared) }
        print("backbone: \(VGG.layerNames(backbone.features, classifier: backbone.classifier)), "
              + "\(train.count) training images, "
              + "\(backbone.training.epochs) epochs")
        let seed = self.seed
        let (network, key, _) = try shared.networkStage(
            Self.sharedBackboneStage, version: 1, config: backbone,
            architecture: { backbone.makeNetwork(imageShape: train.imageShape, classes: train.classCount, using: &$0) }
        ) { progress in
            try backbone.train(on: train, normalization: normalization, seed: seed,
                               checkpoints: progress.checkpoints)
        }
        return TrainedBackbone(network: network, key: key, trainingImages: train, normalization: normalization,
                               dataset: backbone.dataset)
    }
}
