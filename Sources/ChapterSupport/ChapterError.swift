// Failures a reader can act on, each with a message that says what to do next.

/// An error that stops a chapter, printed by `runChapter` as `error: <description>`.
public enum ChapterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A dataset is not installed; the string says where it was looked for and how to get it.
    case datasetMissing(String)
    /// The loss became NaN or infinite at this zero-based epoch and step.
    case divergedLoss(epoch: Int, step: Int)
    /// The options or config contradict each other; the string says which and why.
    case invalidConfiguration(String)
    /// A worker process (`StageCache.computeInWorkers`) failed; the string quotes its end.
    case workerFailed(String)

    /// The message, with advice where there is one.
    public var description: String {
        switch self {
        case .datasetMissing(let message):
            return "dataset missing: \(message)"
        case .divergedLoss(let epoch, let step):
            return "the loss diverged (NaN or infinite) at epoch \(epoch + 1), step \(step + 1). "
                + "Nothing was saved for the stage that diverged. Lower its learning rate "
                + "(`--help` lists the chapter's options; otherwise the learning rate in "
                + "chapters/<key>/Config.swift), or undo the option that made the network "
                + "degenerate (for example a density so low that a layer keeps no weight)."
        case .invalidConfiguration(let message):
            return "invalid configuration: \(message)"
        case .workerFailed(let message):
            return message
        }
    }
}
