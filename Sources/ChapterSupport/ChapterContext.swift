// The resolved settings of one chapter run: options plus chapter key, with folders made
// absolute and the start time fixed.

import Foundation

/// Everything a chapter needs to know about this run, resolved once in section 0 (Setup).
///
/// ```swift
/// let context = try ChapterContext(
///     chapter: "classic", options: arguments.chapter, stages: ["data", "ann", "snn"])
/// let cache = context.makeStageCache()
/// ```
public struct ChapterContext: Sendable {
    /// The chapter key, e.g. `classic`; the executable is `chapter-<key>`.
    public let chapter: String
    /// The run's scale.
    public let profile: Profile
    /// The dataset from `--dataset`, or nil for the chapter's default.
    public let dataset: DatasetChoice?
    /// The seed of every random generator in the run.
    public let seed: UInt64
    /// Worker threads requested with `--threads`.
    public let threads: Int
    /// Where results.json, provenance.json and figures go (absolute).
    public let outputDirectory: URL
    /// The root of the stage cache (absolute); stages live in `<root>/<chapter>/<profile>/`.
    public let cacheRoot: URL
    /// Which cached stages `--fresh` / `--rerun` ask to recompute.
    public let recompute: RecomputePolicy
    /// The command line as typed, recorded in provenance.json.
    public let commandLine: [String]
    /// When the run started; `RunRecord` measures total wall time from here.
    public let startDate: Date
    /// What to do when a dataset is not on disk (`--download`).
    public let missingData: MissingDataAction

    /// Resolves `options` for `chapter`.
    ///
    /// - Parameters:
    ///   - chapter: the chapter key (`classic`, `hoyer`, …).
    ///   - options: the parsed `ChapterOptions`.
    ///   - stages: the chapter's cached stage names in run order. When given, a `--rerun` of
    ///     any other name is rejected instead of being silently ignored.
    ///   - commandLine: the arguments to record; defaults to this process's.
    ///   - startDate: the start time; defaults to now.
    /// - Throws: `ChapterError.invalidConfiguration` for an unknown `--rerun` stage.
    public init(
        chapter: String, options: ChapterOptions, stages: [String] = [],
        commandLine: [String] = CommandLine.arguments, startDate: Date = Date()
    ) throws {
        if !stages.isEmpty, let unknown = options.rerun.first(where: { !stages.contains($0) }) {
            throw ChapterError.invalidConfiguration(
                "--rerun \(unknown): chapter-\(chapter) has no stage '\(unknown)'; "
                    + "its stages are \(stages.joined(separator: ", ")).")
        }
        self.chapter = chapter
        self.profile = options.profile
        self.dataset = options.dataset
        self.seed = options.seed
        self.threads = options.threads
        self.outputDirectory = options.outputDirectory(chapter: chapter)
        self.cacheRoot = options.cacheDirectory
        self.recompute = options.fresh
            ? .everything : options.rerun.isEmpty ? .reuse : .from(Set(options.rerun))
        self.commandLine = commandLine
        self.startDate = startDate
        self.missingData = options.download ? .download : .stop
    }

    /// The file `RunRecord.write(to:)` produces in `outputDirectory`.
    public var resultsURL: URL {
        outputDirectory.appendingPathComponent(RunRecord.fileName)
    }

    /// A stage cache for this chapter and profile, honouring `--fresh` and `--rerun`, with the
    /// run's seed mixed into every stage key.
    public func makeStageCache() -> StageCache {
        StageCache(
            root: cacheRoot, chapter: chapter, profile: profile, seed: seed, recompute: recompute)
    }
}

/// What a chapter does when its dataset is missing: stop with instructions (the default), or
/// download it first (`--download`, CIFAR only). Map it to `Datasets.MissingDataPolicy`.
public enum MissingDataAction: String, Sendable, Codable {
    case stop, download
}
