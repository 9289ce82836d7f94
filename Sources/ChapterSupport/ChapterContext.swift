// The resolved settings of one chapter run: options plus chapter key, with folders made
// absolute and the start time fixed.

import Foundation
import RunRecords
import Datasets
import TensorCore

/// Everything a chapter needs to know about this run, resolved once in section 0 (Setup).
///
/// ```swift
/// let context = try ChapterContext(
///     chapter: "classic", options: arguments.chapter, stages: ["data", "ann", "snn"])
/// let output = try context.claimOutput()   // before any work: see RunOutput
/// let cache = context.makeStageCache()
/// ```
public struct ChapterContext: Sendable {
    /// The chapter key, e.g. `classic`; the executable is `chapter-<key>`.
    public let chapter: String
    /// The run's scale.
    public let profile: Profile
    /// The dataset from `--dataset`, or nil for the chapter's default.
    public let dataset: DatasetID?
    /// The seed of every random generator in the run.
    public let seed: UInt64
    /// Worker threads requested with `--threads`.
    public let threads: Int

    /// `--memory-budget` in MiB.
    public let memoryBudgetMiB: Int
    /// The convolution kernels requested with `--convolution`.
    public let convolution: ConvolutionAlgorithm
    /// The folder name of this run's profile under the cache and figures roots (`quick`,
    /// `quick-bfloat16`, …).
    public let profileFolder: String
    /// True when `--output` was given: the chapter then leaves its README table alone.
    public let hasCustomOutput: Bool
    /// `--exercise N`: this run is exercise N of the chapter (`ChapterExercises`), or nil.
    public let exercise: Int?
    /// The plain run's folder (absolute): `outputDirectory` itself, or for an exercise run the
    /// folder whose results.json it is compared with.
    public let referenceDirectory: URL
    /// Where results.json, provenance.json and figures are published (absolute). A run
    /// writes them into `claimOutput().directory`, which `RunOutput.publish` moves here.
    public let outputDirectory: URL
    /// The root of the stage cache (absolute); stages live in `<root>/<chapter>/<profile>/`.
    public let cacheRoot: URL
    /// Which cached stages `--fresh` / `--rerun` ask to recompute.
    public let recompute: RecomputePolicy
    /// The command line as typed, recorded in provenance.json.
    public let commandLine: [String]
    /// When the run started; `RunLog` measures total wall time from here.
    public let startDate: Date
    /// What to do when a dataset is not on disk (`--download`).
    public let missingData: MissingDataPolicy
    /// The chapter's cached stage names in run order (empty: not declared).
    public let stages: [String]
    /// The source revision when the run started, recorded in run-log.json (and in results.json
    /// when the run produces a new result).
    public let git: GitRevision
    /// The job this process computes for a parent run (hidden `--worker`), or nil for a
    /// normal run. See `StageCache.computeInWorkers`.
    public let workerJob: String?
    /// The parsed shared options this run was started with (workers are started from them).
    public let options: ChapterOptions
    /// `--executor` and the Slurm settings of the job array (`StageCache.computeStageGroups`).
    public let executor: ExecutorOptions
    /// Keep networks the sanity gate flags (`--allow-degenerate`), listing them in results.json.
    public let allowDegenerate: Bool
    /// The dataset files this run loaded and the degenerate networks it kept, shared with its
    /// stage cache and written into results.json.
    public let facts: RunFacts

    /// Resolves `options` for `chapter`.
    ///
    /// - Parameters:
    ///   - chapter: the chapter key (`classic`, `hoyer`, …).
    ///   - options: the parsed `ChapterOptions`.
    ///   - stages: the chapter's cached stage names in run order. When given, a `--rerun` of
    ///     any other name is rejected instead of being silently ignored.
    ///   - runsStageGroups: whether the chapter hands independent stage groups to workers
    ///     (`StageCache.computeStageGroups`); `--executor slurm` is refused otherwise.
    ///   - commandLine: the arguments to record; defaults to this process's.
    ///   - startDate: the start time; defaults to now.
    /// - Throws: `ChapterError.invalidConfiguration` for an unknown `--rerun` stage, or
    ///   `--executor slurm` in a chapter without stage groups, or `--export-nir` in a chapter
    ///   that writes no NIR files.
    public init(
        chapter: String, options: ChapterOptions, stages: [String] = [],
        runsStageGroups: Bool = false,
        commandLine: [String] = CommandLine.arguments, startDate: Date = Date()
    ) throws {
        if options.executor.usesSlurm && !runsStageGroups {
            throw ChapterError.invalidConfiguration(
                "--executor slurm: chapter-\(chapter) has no independent stage groups to submit "
                    + "as a job array (only chapter-hoyer and chapter-hybrid have them so far); run the whole command "
                    + "inside one Slurm job instead, e.g. sbatch --cpus-per-task=2 --wrap "
                    + "'swift run chapter-\(chapter) --profile \(options.profile.rawValue)'.")
        }
        if !stages.isEmpty, let unknown = options.rerun.first(where: { !stages.contains($0) }) {
            throw ChapterError.invalidConfiguration(
                "--rerun \(unknown): chapter-\(chapter) has no stage '\(unknown)'; "
                    + "its stages are \(stages.joined(separator: ", ")).")
        }
        if options.exportNir != nil, !Self.chaptersExportingNIR.contains(chapter) {
            let writers = Self.chaptersExportingNIR.sorted().map { "chapter-\($0)" }
            throw ChapterError.invalidConfiguration(
                "--export-nir: chapter-\(chapter) writes no NIR files; "
                    + writers.dropLast().joined(separator: ", ") + " and \(writers.last!) do (docs/nir.md §4).")
        }
        self.chapter = chapter
        self.profile = options.profile
        self.dataset = options.dataset
        self.seed = options.seed
        self.threads = options.threads
        self.memoryBudgetMiB = options.memoryBudget
        self.convolution = options.convolution
        self.profileFolder = options.profileFolder
        if options.exercise != nil, !Self.chaptersRunningExercises.contains(chapter) {
            throw ChapterError.invalidConfiguration(
                "--exercise: chapter-\(chapter) computes its exercises' outcomes in every run "
                    + "(README.md, Exercises); run an exercise's option itself instead.")
        }
        self.exercise = options.exercise
        self.hasCustomOutput = options.output != nil
        self.referenceDirectory = options.referenceDirectory(chapter: chapter)
        self.outputDirectory = options.outputDirectory(chapter: chapter)
        self.cacheRoot = options.cacheDirectory
        self.recompute = options.fresh
            ? .everything : options.rerun.isEmpty ? .reuse : .from(Set(options.rerun))
        self.commandLine = commandLine
        self.startDate = startDate
        self.missingData = options.download ? .download : .fail
        self.stages = stages
        self.git = GitRevision.current()
        self.workerJob = options.worker
        self.options = options
        self.executor = options.executor
        self.allowDegenerate = options.allowDegenerate
        self.facts = RunFacts()
    }

    /// The chapters that call `exportNIR` for `--export-nir` (docs/nir.md §4, §4b); any other
    /// chapter refuses the option before any work.
    public static let chaptersExportingNIR: Set<String> = ["classic", "attention", "rnl", "hoyer", "ultralow", "compare"]

    /// The chapters that run `--exercise N` (`ChapterExercises`); chapter-primer instead
    /// computes every exercise's outcome inside its own run.
    public static let chaptersRunningExercises: Set<String> = [
        "classic", "rnl", "ultralow", "hybrid", "attention", "hoyer", "compare"]

    /// Applies `--threads`, `--convolution` and `--memory-budget` to the compute back ends
    /// (element-wise workers, OpenMP team, oneDNN kernels, buffer pool, simulation groups).
    /// Chapters call it once, right after creating the context.
    public func applyBackends() {
        ExecutionPolicy(workers: threads, convolution: convolution,
                        memoryBudgetBytes: memoryBudgetMiB << 20).apply()
    }

    /// Whether this run writes the chapter's reference results: the README's generated table
    /// is rewritten only for a non-smoke run into the default folder with the default kernels,
    /// and never by an exercise run.
    public var writesReferenceReadme: Bool {
        profile != .smoke && !hasCustomOutput && convolution == .blocked && exercise == nil
    }

    /// The results.json that `RunOutput.publish` puts in `outputDirectory`.
    public var resultsURL: URL {
        outputDirectory.appendingPathComponent(RunRecord.fileName)
    }

    /// The arguments of a worker process computing `job` for this run, rebuilt from the parsed
    /// options (never filtered from the typed command line): the shared options of this run
    /// without `--fresh` and `--rerun`, then `chapterArguments` (the chapter's own options,
    /// rendered by the chapter), then `--threads 1`, the worker's share of the memory budget
    /// (`--memory-budget`, divided among `processes` running at once), `--worker job` and a
    /// `--rerun` of `rerun`'s stage when the job must recompute.
    public func workerArguments(job: String, rerun: String?, chapterArguments: [String] = [],
                                processes: Int = 1, threads: Int = 1) -> [String] {
        let share = max(memoryBudgetMiB / max(processes, 1), 64)   // 64: the option's smallest value
        return options.sharedArguments + chapterArguments
            + ["--threads", "\(threads)", "--memory-budget", "\(share)", "--worker", job]
            + (rerun.map { ["--rerun", $0] } ?? [])
    }

    /// A stage cache for this chapter and profile, honouring `--fresh` and `--rerun`, with the
    /// run's seed and data digest mixed into every stage key and the sanity gate set by
    /// `--allow-degenerate`.
    public func makeStageCache() -> StageCache {
        let cache = StageCache(
            root: cacheRoot, chapter: chapter, profile: profile, seed: seed, recompute: recompute,
            folder: profileFolder,
            extraArguments: convolution == .blocked ? "" : " --convolution \(convolution.rawValue)",
            declaredStages: stages.isEmpty ? nil : stages, facts: facts, allowDegenerate: allowDegenerate)
        cache.codeIdentity = CodeIdentity.current(git: git)
        return cache
    }
}

