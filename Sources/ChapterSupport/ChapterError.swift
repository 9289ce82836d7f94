// Failures a reader can act on, each with a message that says what to do next.

/// An error that stops a chapter, printed by `runChapter` as `error: <description>`.
public enum ChapterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A dataset is not installed; the string says where it was looked for and how to get it.
    case datasetMissing(String)
    /// The options or config contradict each other; the string says which and why.
    case invalidConfiguration(String)
    /// A worker process (`StageCache.computeInWorkers`) failed; the string quotes its end.
    case workerFailed(String)
    /// The sanity gate stopped the run: a trained network is degenerate; the string names the
    /// stage, the finding and what to do.
    case degenerateNetwork(String)

    /// The message, with advice where there is one.
    public var description: String {
        switch self {
        case .datasetMissing(let message):
            return "dataset missing: \(message)"
        case .invalidConfiguration(let message):
            return "invalid configuration: \(message)"
        case .workerFailed(let message):
            return message
        case .degenerateNetwork(let message):
            return "degenerate network: \(message)"
        }
    }
}
