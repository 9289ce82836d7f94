// Runs a list of chapters one after another, each as a child process, and keeps going when one
// fails.

import RunRecords
import Foundation

/// What must happen before a chapter can run.
public enum Preparation: Sendable, Equatable {
    /// Run this command (the chapter's options are appended to its arguments).
    case ready(Command)
    /// Do not run the chapter, for this reason.
    case skipped(String)
    /// The chapter cannot run (e.g. its build failed).
    case failed(ChapterFailure)
}

/// Runs chapters in the given order with failure isolation: a chapter that cannot be built,
/// exits non-zero or crashes is reported, and the next chapter still runs; the outputs of
/// chapters that succeeded stay as they wrote them.
///
/// ```swift
/// let runner = ChapterRunner(
///     chapters: try ChapterCatalog.select(["classic", "hoyer"]),
///     arguments: ChapterArguments(profile: .smoke), packageRoot: root,
///     destination: .terminal, prepare: { builder.prepare($0, binDirectory: bin) },
///     write: { FileHandle.standardOutput.write($0) })
/// let reports = runner.run()
/// print(SummaryTable.text(reports, profile: .smoke))
/// ```
///
/// Each child runs in `packageRoot`, so its default output folder is
/// `packageRoot/figures/<key>/<profile>/`; that is where figures and the headline are read.
public struct ChapterRunner {
    /// The chapters, in run order.
    public var chapters: [Chapter]
    /// Options passed to every chapter.
    public var arguments: ChapterArguments
    /// The package root: the children's working directory.
    public var packageRoot: URL
    /// Terminal or log output (see `OutputPrefixer`).
    public var destination: OutputPrefixer.Destination
    /// Builds (or finds) the chapter's executable; called just before the chapter runs.
    public var prepare: (Chapter) -> Preparation
    /// Receives everything to print, children's output included.
    public var write: (Data) -> Void
    /// Where each chapter writes, relative to `packageRoot` (`--output`); nil for the
    /// chapters' default folder `figures/<key>/<profile>/`.
    public var outputFolder: ((Chapter) -> String)?

    /// Creates a runner; nothing runs until `run()`.
    public init(
        chapters: [Chapter], arguments: ChapterArguments, packageRoot: URL,
        destination: OutputPrefixer.Destination, prepare: @escaping (Chapter) -> Preparation,
        write: @escaping (Data) -> Void
    ) {
        self.chapters = chapters
        self.arguments = arguments
        self.packageRoot = packageRoot
        self.destination = destination
        self.prepare = prepare
        self.write = write
    }

    /// The folder chapter `chapter` writes to at this profile.
    public func outputDirectory(of chapter: Chapter) -> URL {
        packageRoot.appendingPathComponent(
            outputFolder?(chapter) ?? "figures/\(chapter.key)/\(arguments.profile.rawValue)")
    }

    /// The width of the widest key, so prefixes line up.
    private var keyWidth: Int { chapters.map(\.key.count).max() ?? 0 }

    /// Runs every chapter in order and returns one report per chapter, in the same order.
    public func run() -> [ChapterReport] {
        chapters.enumerated().map { index, chapter in
            say("\n══ [\(index + 1)/\(chapters.count)] \(chapter.executableName) "
                + arguments.arguments(for: chapter).joined(separator: " "))
            let report = run(chapter)
            say("══ \(chapter.key): \(report.status.cell) after \(formatDuration(report.seconds))"
                + (report.peakResidentMiB.map { String(format: ", peak resident memory %.0f MiB", $0) } ?? ""))
            return report
        }
    }

    /// Prepares and runs one chapter.
    private func run(_ chapter: Chapter) -> ChapterReport {
        let start = Date()
        func report(
            _ status: ChapterStatus, headline: Headline? = nil, lastLine: String? = nil
        ) -> ChapterReport {
            ChapterReport(
                chapter: chapter, status: status, seconds: Date().timeIntervalSince(start),
                headline: headline, lastLine: lastLine,
                figuresWritten: RunOutputs.figuresWritten(
                    in: outputDirectory(of: chapter), since: start))
        }
        var command: Command
        switch prepare(chapter) {
        case .skipped(let reason): return report(.skipped(reason))
        case .failed(let failure): return report(.failed(failure))
        case .ready(let ready): command = ready
        }
        command.arguments += arguments.arguments(for: chapter)
        if let folder = outputFolder?(chapter) { command.arguments += ["--output", folder] }
        let padded = chapter.key.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
        var prefixer = OutputPrefixer(prefix: "\(padded) │ ", destination: destination)
        let termination = command.run(in: packageRoot, prefixer: &prefixer, write: write)
        switch termination {
        case .exited(0):
            let record = RunOutputs.record(in: outputDirectory(of: chapter), since: start)
            var succeeded = report(.succeeded, headline: record?.summary?.headline)
            succeeded.claimOutcomes = record?.claims?.map(\.outcome)
            succeeded.peakResidentMiB = RunOutputs.runLog(in: outputDirectory(of: chapter), since: start)?.peakResidentMiB
            return succeeded
        case .exited(let code):
            return report(.failed(.exit(code: code)), lastLine: prefixer.failureLine)
        case .signalled(let signal):
            return report(.failed(.signal(signal)), lastLine: prefixer.failureLine)
        case .notStarted(let reason):
            return report(.failed(.launch(reason)))
        }
    }

    private func say(_ line: String) {
        write(Data((line + "\n").utf8))
    }
}

/// `0.42 s`, `12.3 s`, `4 min 05 s` or `1 h 02 min`.
func formatDuration(_ seconds: Double) -> String {
    if seconds < 10 { return String(format: "%.2f s", seconds) }
    if seconds < 60 { return String(format: "%.1f s", seconds) }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
    return String(format: "%d h %02d min", whole / 3600, (whole % 3600 + 30) / 60)
}
