// What happened to a cached stage in this run, for the console and for run-log.json.

/// Whether a stage's output was computed in this run or loaded from its checkpoint.
public enum StageOutcome: Sendable, Equatable {
    /// Computed (and saved) in this run, taking `seconds` of wall time.
    case computed(seconds: Double)
    /// Loaded from an existing checkpoint.
    case loaded
}

/// One row of the wall-time table in run-log.json:
/// `{"outcome": "computed", "seconds": 81.2, "stage": "ann"}`.
public struct StageTiming: Codable, Sendable, Equatable {
    /// How the stage produced its output.
    public enum Outcome: String, Codable, Sendable {
        /// Computed in this run.
        case computed
        /// Loaded from the stage cache.
        case loaded
    }

    /// The stage name.
    public var stage: String
    /// Wall time in seconds, including loading or saving the checkpoint.
    public var seconds: Double
    /// Computed or loaded.
    public var outcome: Outcome

    /// Creates a timing row.
    public init(stage: String, seconds: Double, outcome: Outcome) {
        self.stage = stage
        self.seconds = seconds
        self.outcome = outcome
    }
}
