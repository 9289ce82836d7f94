// How one chapter's part of a regeneration ended, and the row it gets in the summary table.

import RunRecords
import Statistics
import Foundation

/// How a chapter's build and run ended.
public enum ChapterStatus: Sendable, Equatable {
    /// The chapter ran and exited with status 0.
    case succeeded
    /// The chapter could not be built or did not finish cleanly.
    case failed(ChapterFailure)
    /// The chapter was not run, for the reason given (e.g. it is not a product of the package).
    case skipped(String)

    /// Whether this makes the whole regeneration fail.
    public var isFailure: Bool {
        if case .failed = self { true } else { false }
    }

    /// The table cell: `ok`, `FAILED (exit 3)`, `skipped (…)`.
    public var cell: String {
        switch self {
        case .succeeded: "ok"
        case .failed(let failure): "FAILED (\(failure))"
        case .skipped(let reason): "skipped (\(reason))"
        }
    }
}

/// Why a chapter failed.
public enum ChapterFailure: Sendable, Equatable, CustomStringConvertible {
    /// `swift build --product chapter-<key>` exited with this status.
    case build(exitCode: Int32)
    /// The chapter exited with this non-zero status.
    case exit(code: Int32)
    /// The chapter was killed by this signal.
    case signal(Int32)
    /// The chapter's executable could not be started.
    case launch(String)

    public var description: String {
        switch self {
        case .build(let code): "build, exit \(code)"
        case .exit(let code): "exit \(code)"
        case .signal(let number): "signal \(number)"
        case .launch(let reason): "could not start: \(reason)"
        }
    }
}

/// One row of the closing summary.
public struct ChapterReport: Sendable, Equatable {
    /// The chapter.
    public var chapter: Chapter
    /// How it ended.
    public var status: ChapterStatus
    /// Wall time of its build and run, in seconds.
    public var seconds: Double
    /// The headline of the results.json this run wrote; nil when it wrote none (or one
    /// without a summary).
    public var headline: Headline?
    /// For a failed chapter, its last `error: …` line of output, else its last line.
    public var lastLine: String?
    /// PNGs under `figures/<key>/<profile>/` written during this run.
    public var figuresWritten: Int
    /// How the claims of the results.json this run wrote came out (nil when it wrote none).
    public var claimOutcomes: [ClaimOutcome]?
    /// The chapter's peak resident memory from the run-log.json it wrote (nil when it wrote
    /// none, or one without it).
    public var peakResidentMiB: Double?

    /// Creates a report row.
    public init(
        chapter: Chapter, status: ChapterStatus, seconds: Double, headline: Headline? = nil,
        lastLine: String? = nil, figuresWritten: Int, claimOutcomes: [ClaimOutcome]? = nil
    ) {
        self.claimOutcomes = claimOutcomes
        self.chapter = chapter
        self.status = status
        self.seconds = seconds
        self.headline = headline
        self.lastLine = lastLine
        self.figuresWritten = figuresWritten
    }
}
