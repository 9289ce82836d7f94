// Which cached stages a run recomputes instead of loading: Make's "what is out of date".

/// The recomputation a run asks for with `--fresh` or `--rerun <stage>`.
///
/// Stages whose key has no checkpoint are always computed; this policy only decides whether
/// an existing checkpoint may be reused.
public enum RecomputePolicy: Sendable, Equatable {
    /// Load every stage that has a valid checkpoint (no flag given).
    case reuse
    /// Recompute every cached stage (`--fresh`).
    case everything
    /// Recompute each named stage and every cached stage that runs after it (`--rerun`).
    ///
    /// "After" is run order, not the `dependsOn` graph: a chapter is a linear pipeline, and a
    /// recomputed stage keeps its key (keys hash inputs, not outputs), so later stages could
    /// not otherwise tell that their input was rebuilt.
    case from(Set<String>)
}
