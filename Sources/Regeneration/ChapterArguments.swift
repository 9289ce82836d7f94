// The options `regenerate` passes on to every chapter it runs.

import RunRecords

/// The chapter options `regenerate` forwards: `--profile` always, `--seed`, `--threads`,
/// `--memory-budget`, `--cache` and `--fresh` only when given, so each chapter otherwise keeps its own defaults.
public struct ChapterArguments: Sendable, Equatable {
    /// The profile every chapter runs at.
    public var profile: Profile
    /// `--seed`, if given.
    public var seed: UInt64?
    /// `--threads`, if given.
    public var threads: Int?
    /// `--fresh`: recompute every cached stage.
    public var fresh: Bool
    /// `--memory-budget` (MiB), if given.
    public var memoryBudget: Int?
    /// `--cache`: the stage cache's root folder, if given (with Slurm, one every node sees).
    public var cache: String?
    /// `--executor`: where the chapters with stage groups run them (`slurm`: one job array
    /// per chapter); the other chapters always run here.
    public var executor: Executor
    /// `--allow-degenerate`: keep a network the sanity gate flags (listed in results.json)
    /// instead of stopping; a seed study sets it, so a seed on which a method collapses is a
    /// result, not a failed run.
    public var allowDegenerate = false
    /// `--submit-only` for the chapters `--executor slurm` reaches: submit the array and
    /// return (a seed study submits every seed's array this way before waiting for any).
    public var submitOnly = false

    /// Creates the forwarded options.
    public init(profile: Profile, seed: UInt64? = nil, threads: Int? = nil, fresh: Bool = false,
                memoryBudget: Int? = nil, executor: Executor = .local, cache: String? = nil) {
        self.memoryBudget = memoryBudget
        self.cache = cache
        self.executor = executor
        self.profile = profile
        self.seed = seed
        self.threads = threads
        self.fresh = fresh
    }

    /// The command-line arguments, e.g. `["--profile", "quick", "--seed", "7"]`.
    public var arguments: [String] {
        var arguments = ["--profile", profile.rawValue]
        if let seed { arguments += ["--seed", String(seed)] }
        if let threads { arguments += ["--threads", String(threads)] }
        if let memoryBudget { arguments += ["--memory-budget", String(memoryBudget)] }
        if let cache { arguments += ["--cache", cache] }
        if fresh { arguments.append("--fresh") }
        if allowDegenerate { arguments.append("--allow-degenerate") }
        return arguments
    }

    /// `arguments`, plus `--executor slurm` for a chapter that has stage groups to submit
    /// (`ChapterCatalog.withStageGroups`).
    public func arguments(for chapter: Chapter) -> [String] {
        guard submitsToSlurm(chapter) else { return arguments }
        return arguments + ["--executor", "slurm"] + (submitOnly ? ["--submit-only"] : [])
    }

    /// Whether `chapter` runs its stage groups on Slurm with these options.
    public func submitsToSlurm(_ chapter: Chapter) -> Bool {
        executor == .slurm && ChapterCatalog.withStageGroups.contains(chapter.key)
    }
}
