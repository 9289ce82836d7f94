// Failures a reader can act on, each with a message that says what to do next.

/// An error that stops a chapter, printed by `runChapter` as `error: <description>`.
public enum ChapterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A dataset is not installed; the string says where it was looked for and how to get it.
    case datasetMissing(String)
    /// The loss became NaN or infinite at this zero-based epoch and step.
    case divergedLoss(epoch: Int, step: Int)
    /// The options or config contradict each other; the string says which and why.
    case invalidConfiguration(String)

    /// The message, with advice where there is one.
    public var description: String {
        switch self {
        case .datasetMissing(let message):
            return "dataset missing: \(message)"
        case .divergedLoss(let epoch, let step):
            return "the loss diverged (NaN or infinite) at epoch \(epoch + 1), step \(step + 1). "
                + "Lower the learning rate (the chapter's --learning-rate option, or the "
                + "learningRate of its Config preset) or check the input normalisation."
        case .invalidConfiguration(let message):
            return "invalid configuration: \(message)"
        }
    }
}
