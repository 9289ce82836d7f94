// The dataset options of a run in the types the `Datasets` loaders take.

import Datasets

extension DatasetChoice {
    /// The same dataset as the loaders name it (the raw values are the same strings).
    public var id: DatasetID {
        guard let id = DatasetID(rawValue: rawValue) else {
            preconditionFailure("--dataset \(rawValue) has no Datasets.DatasetID")
        }
        return id
    }
}

extension ChapterContext {
    /// `--dataset` as the loaders' `DatasetID`, or nil for the chapter's default.
    public var datasetID: DatasetID? { dataset?.id }

    /// `--download` as the loaders' policy for a dataset that is not on disk.
    public var missingDataPolicy: MissingDataPolicy {
        missingData == .download ? .download : .fail
    }
}
