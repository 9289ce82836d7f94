// A cached stage whose output is a trained network (weights and buffers as safetensors).

import NeuralNetworks
import RunRecords
import TensorCore

extension StageCache {
    /// Returns the network of stage `name`: loaded from its checkpoint when the key matches,
    /// else `train`ed and stored with `NetworkState.encode`. `train` receives the stage's
    /// `StageProgress`: pass `progress.checkpoints` to the training loop, so that each epoch
    /// is saved and a rerun after a crash resumes (see `StageProgress`).
    ///
    /// Loading builds the architecture with `architecture`, from a throwaway generator (seed 0:
    /// every initial value it draws is overwritten by the stored state), so a loaded run makes
    /// no draws from the chapter's generators; `train` is called only when the stage is
    /// computed and makes its own.
    ///
    /// ```swift
    /// let (ann, annKey, _) = try cache.networkStage(
    ///     "ann", version: 1, config: ANNStage(...),
    ///     architecture: { rng in makeANN(using: &rng) }
    /// ) { progress in
    ///     var initRNG = rng.split()
    ///     let network = makeANN(using: &initRNG)
    ///     try trainSupervised(network, ..., checkpoints: progress.checkpoints)
    ///     return network
    /// }
    /// ```
    public func networkStage(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = [],
        architecture: (inout SeededGenerator) -> Sequential,
        train: (StageProgress) throws -> Sequential
    ) throws -> (Sequential, StageKey, StageOutcome) {
        try stage(
            name, version: version, config: config, dependsOn: dependsOn,
            encode: { try NetworkState.encode($0) },
            decode: { data -> Sequential in
                var unused = SeededGenerator(seed: 0)
                let network = architecture(&unused)
                try NetworkState.decode(data, into: network)
                return network
            },
            compute: train)
    }
}
