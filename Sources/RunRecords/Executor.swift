// Where a chapter's independent stage groups run: here, or on a Slurm cluster.

import ArgumentParser

/// Where the stage groups a chapter hands to workers (`StageCache.computeStageGroups`) run,
/// chosen with `--executor` on a chapter and on `regenerate`.
///
/// Either way every group runs the same binary with `--worker <group>` and saves its stages
/// into the stage cache, and the chapter builds results.json and its figures from that cache:
/// the executor changes where the numbers are computed, never what they are.
public enum Executor: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Child processes of the chapter on this machine (one per core with `--threads N`).
    case local
    /// One `sbatch --array` job, one array task per stage group; the stage cache
    /// (`--cache`) must be on a file system every node sees.
    case slurm
}
