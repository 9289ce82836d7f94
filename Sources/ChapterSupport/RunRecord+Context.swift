// The record of a chapter run, built from its context (options, seed, revision read at start),
// and the run log beside it.

import Foundation
import RunRecords
import Statistics
import TensorCore

extension RunRecord {
    /// Creates the record of the run described by `context`, with the dataset files it loaded
    /// and the degenerate networks it kept (`context.facts`); the machine and timings go to the
    /// run log (`RunLog`).
    ///
    /// - Parameters:
    ///   - config: the chapter's resolved config (any `Encodable`).
    ///   - metrics: the chapter's measurements (any `Encodable`).
    ///   - summary: the headline and figure captions, built from `metrics` by the chapter.
    ///   - claims: the paper's claims tested on `metrics` (`ClaimTest`), in the order to show them.
    ///   - git: the revision to record; by default the one `context` read when the run started
    ///     (a commit made during a long run is not the code that produced it).
    /// - Throws: the encoder's error when `config` or `metrics` cannot be encoded; nothing has
    ///   been written at that point.
    public init(
        context: ChapterContext, config: some Encodable, metrics: some Encodable,
        summary: RunSummary? = nil, claims: [ClaimTest]? = nil, git: GitRevision? = nil
    ) throws {
        self.init(
            chapter: context.chapter, profile: context.profile, seed: context.seed,
            threads: context.threads, commandLine: context.recordedCommandLine,
            git: git ?? context.git, date: context.wholeSecondStartDate, build: .current,
            config: try JSONValue(encoding: config), metrics: try JSONValue(encoding: metrics),
            summary: summary, convolution: context.convolution.rawValue,
            data: context.facts.dataDigest, degenerate: context.facts.degenerate, claims: claims,
            memoryBudgetMiB: context.memoryBudgetMiB,
            nirFiles: context.facts.nirFiles.isEmpty ? nil : context.facts.nirFiles,
            arithmetic: .current)
    }
}

extension ArithmeticBackend {
    /// This process's CPU and the kernels oneDNN and OpenBLAS dispatch to on it.
    public static var current: ArithmeticBackend {
        ArithmeticBackend(cpuModel: MachineInfo.current().cpuModel, convolutionISA: DNNLRuntime.effectiveISA,
                          blasCore: BLASRuntime.coreName)
    }
}

extension RunLog {
    /// The log of the run described by `context`, asking the system for the machine.
    ///
    /// - Parameters:
    ///   - stages: usually `cache.timings`.
    ///   - measuredSeconds: usually `cache.measuredSeconds`.
    ///   - reproducedPreviousResult: whether the folder's results.json was kept.
    public init(
        context: ChapterContext, stages: [StageTiming], measuredSeconds: [String: Double] = [:],
        reproducedPreviousResult: Bool, machine: MachineInfo = .current()
    ) {
        self.init(
            chapter: context.chapter, profile: context.profile, commandLine: context.commandLine,
            git: context.git, date: context.wholeSecondStartDate, build: .current,
            machine: machine, threads: context.threads, stages: stages,
            totalSeconds: context.elapsedSeconds, measuredSeconds: measuredSeconds,
            reproducedPreviousResult: reproducedPreviousResult, peakResidentMiB: peakResidentMiBSoFar())
    }
}

/// The largest resident set so far of this process or of any one child it has waited for
/// (worker processes), in MiB: Linux reports `ru_maxrss` in KiB.
func peakResidentMiBSoFar() -> Double {
    var own = rusage(), children = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &own)
    getrusage(RUSAGE_CHILDREN.rawValue, &children)
    return Double(Swift.max(own.ru_maxrss, children.ru_maxrss)) / 1024
    #else
    getrusage(RUSAGE_SELF, &own)
    getrusage(RUSAGE_CHILDREN, &children)
    return Double(Swift.max(own.ru_maxrss, children.ru_maxrss)) / 1_048_576   // bytes on Darwin
    #endif
}

extension ChapterContext {
    /// The command line without the build folder: `chapter-<key> --profile quick …`.
    public var recordedCommandLine: [String] {
        ["chapter-\(chapter)"] + commandLine.dropFirst()
    }

    /// Seconds since the run started.
    public var elapsedSeconds: Double {
        Date().timeIntervalSince(startDate)
    }

    /// The start date rounded down to whole seconds, as the files record it.
    var wholeSecondStartDate: Date {
        Date(timeIntervalSince1970: floor(startDate.timeIntervalSince1970))
    }
}
