// The output folder of a chapter run: claimed before any work, written beside its final place,
// published in one step at the end. A reader never sees two runs' files mixed.

import Foundation
import RunRecords
import SystemSupport

/// The output folder of one chapter run.
///
/// ```swift
/// let context = try ChapterContext(chapter: "classic", options: arguments.chapter)
/// let output = try context.claimOutput()        // section 0: checks, lock, leftovers
/// ...
/// try writeFigures(metrics, to: output.directory)
/// let record = try RunRecord(context: context, config: config, metrics: metrics)
/// print("wrote \(try output.publish(record, timings: cache).path)")
/// // then the README's generated block, if the run writes it
/// ```
///
/// `claimOutput` checks that the output and cache folders can be written, takes the output
/// folder's lock (a second run into the same folder stops at once, naming the first one's
/// pid), cleans what killed runs left beside it and creates an empty hidden staging folder
/// next to it, `.<name>.tmp-<pid>` (`StagedFolder`). The run writes every figure there;
/// `publish` adds results.json, provenance.json and run-log.json and moves the whole folder
/// into place in one step. Until then the previous output stays as it was: a failure, a
/// kill or a full disk leaves it untouched, and the next run removes the staging folder.
///
/// The destination is replaced as a whole, so it may hold only what a run writes: a folder
/// holding anything else (a subfolder such as a stage cache, other files) is refused at the
/// start rather than emptied at the end.
public final class RunOutput: @unchecked Sendable {
    /// Where this run writes its figures: the staging folder until `publish`.
    public let directory: URL
    /// The folder the outputs are published to (`--output`, default
    /// `figures/<chapter>/<profile>`).
    public let destination: URL

    private let folder: StagedFolder?
    private let context: ChapterContext

    /// File extensions a chapter run writes into its output folder.
    public static let outputExtensions: Set<String> = ["json", "dat", "gp", "png"]

    fileprivate init(context: ChapterContext, folder: StagedFolder?, directory: URL) {
        self.context = context
        self.folder = folder
        self.directory = directory
        destination = context.outputDirectory
    }

    /// Writes `record` (results.json, provenance.json) and the run log (`run-log.json`, from
    /// `stages`, `measuredSeconds` and the context) into `directory`, then moves it into place
    /// as `destination`. Measured durations go to the run log only: results.json holds what a
    /// repeated run reproduces.
    ///
    /// When the folder already holds a results.json with the same result
    /// (`RunRecord.hasSameResult(as:)`), the record keeps that file's provenance: a rerun
    /// that reproduces the committed metrics leaves results.json and provenance.json
    /// byte-identical, and only run-log.json says when it ran.
    ///
    /// - Returns: the published results.json.
    /// - Throws: `ChapterError.invalidConfiguration` in a worker process (workers never
    ///   publish); the error of writing a file; `OutputFolderError` when the move fails
    ///   (the previous output is then left as it was).
    @discardableResult
    public func publish(
        _ record: RunRecord, stages: [StageTiming], measuredSeconds: [String: Double] = [:]
    ) throws -> URL {
        guard let folder else {
            throw ChapterError.invalidConfiguration(
                "a worker process (--worker) computes stages only; it never publishes outputs")
        }
        let resultsURL = destination.appendingPathComponent(RunRecord.fileName)
        var published = record
        var reproduced = false
        let previous = try? RunRecord.load(from: resultsURL)
        if let previous, previous.hasSameResult(as: record) {
            published = record.keepingProvenance(of: previous)
            reproduced = true
        } else if let previous, previous.config == record.config, previous.seed == record.seed,
                  let machines = record.arithmetic.map({ $0.comparison(with: previous.arithmetic) }) {
            // The same configuration and seed, another result: say whether the kernels differed.
            print("this run's results differ from the run it replaces (\(machines))")
        }
        try published.write(to: directory)
        let log = RunLog(context: context, stages: stages, measuredSeconds: measuredSeconds,
                         reproducedPreviousResult: reproduced)
        try atomicWrite(
            try JSONCoding.prettyEncoder().encode(log) + Data("\n".utf8),
            to: directory.appendingPathComponent(RunLog.fileName))
        do {
            try folder.commit()
        } catch {
            throw OutputFolderError(option: "--output", path: destination.path, reason: "\(error)")
        }
        print("published \(displayPath(destination))"
              + (reproduced ? " (same result as the run it replaces: results.json and "
                    + "provenance.json kept)" : "")
              + "; this run's timings are in \(RunLog.fileName): " + describeStages(stages))
        return resultsURL
    }

    /// `publish(_:stages:measuredSeconds:)` with the stage timings and measured durations
    /// `cache` collected in this run.
    @discardableResult
    public func publish(_ record: RunRecord, timings cache: StageCache) throws -> URL {
        try publish(record, stages: cache.timings, measuredSeconds: cache.measuredSeconds)
    }
}

extension ChapterContext {
    /// Claims this run's output folder: call once in section 0, right after creating the
    /// context and before any work, so that a bad `--output` or `--cache` or a concurrent run
    /// into the same folder stops the run before any training.
    ///
    /// A worker process (`--worker`) claims nothing (its parent holds the folder) and gets a
    /// `RunOutput` that refuses to publish; its `directory` is a never-created staging path,
    /// so a stray write never lands in the published folder.
    ///
    /// - Throws: `OutputFolderError` naming the option, the path and the reason.
    public func claimOutput() throws -> RunOutput {
        let destination = outputDirectory
        if workerJob != nil {
            let unused = destination.deletingLastPathComponent().appendingPathComponent(
                StagedFolder.stagingName(for: destination.lastPathComponent, pid: getpid()))
            return RunOutput(context: self, folder: nil, directory: unused)
        }
        if cacheRoot.path == destination.path || cacheRoot.path.hasPrefix(destination.path + "/") {
            throw OutputFolderError(
                option: "--cache", path: cacheRoot.path,
                reason: "it is inside the output folder \(destination.path), which is replaced "
                    + "as a whole when the run ends; put the cache elsewhere")
        }
        try Self.checkReplaceable(destination)
        let folder: StagedFolder
        do {
            folder = try StagedFolder(destination: destination)
        } catch {
            throw OutputFolderError(option: "--output", path: destination.path, reason: "\(error)")
        }
        do {
            try ensureWritableFolder(cacheRoot)
        } catch {
            throw OutputFolderError(option: "--cache", path: cacheRoot.path, reason: "\(error)")
        }
        for line in folder.recoveredLeftovers { print("note: \(line)") }
        return RunOutput(context: self, folder: folder, directory: folder.staging)
    }

    /// Refuses an existing output folder that holds anything a run does not write, or that
    /// holds figures but no record of the run that wrote them: publishing replaces it whole.
    static func checkReplaceable(_ destination: URL) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: destination.path)
        else { return }  // missing (or not a folder: StagedFolder says so)
        let foreign = names.filter { name in
            let url = destination.appendingPathComponent(name)
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile
            let isOutput = RunOutput.outputExtensions.contains(url.pathExtension)
                && !name.hasPrefix(".")
            let isLeftover = name.hasPrefix(".") && name.contains(".tmp-")
            return isFile != true || !(isOutput || isLeftover)
        }.sorted()
        if !foreign.isEmpty {
            let listed = foreign.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
                + (foreign.count > 3 ? " and \(foreign.count - 3) more" : "")
            throw OutputFolderError(
                option: "--output", path: destination.path,
                reason: "it holds \(listed), which a chapter run does not write; the folder is "
                    + "replaced as a whole when the run ends, so choose an empty or new folder")
        }
        let records = [RunRecord.fileName, Provenance.fileName, RunLog.fileName]
        if !names.isEmpty, !names.contains(where: records.contains) {
            throw OutputFolderError(
                option: "--output", path: destination.path,
                reason: "it holds files but no \(RunRecord.fileName), so it is not the output "
                    + "of an earlier run; choose an empty or new folder")
        }
    }
}

/// An output or cache folder that cannot be used, reported before any work:
/// `--output /tmp/x: /tmp/x is a file, not a folder`.
public struct OutputFolderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--output` or `--cache`.
    public var option: String
    /// The folder (absolute).
    public var path: String
    /// What is wrong, naming the path where it matters.
    public var reason: String

    public var description: String { "\(option) \(path): \(reason)" }
}
