// The record of a chapter run, built from its context (options, seed, revision read at start).

import Foundation
import RunRecords

extension RunRecord {
    /// Creates the record of the run described by `context`, asking git and the system for
    /// the revision and machine, with the dataset files it loaded and the degenerate networks
    /// it kept (`context.facts`).
    ///
    /// - Parameters:
    ///   - config: the chapter's resolved config (any `Encodable`).
    ///   - metrics: the chapter's measurements (any `Encodable`).
    ///   - stages: usually `cache.timings`.
    ///   - summary: the headline and figure captions, built from `metrics` by the chapter.
    ///   - git: the revision to record; by default the one `context` read when the run started
    ///     (a commit made during a long run is not the code that produced it).
    /// - Throws: the encoder's error when `config` or `metrics` cannot be encoded; nothing has
    ///   been written at that point.
    public init(
        context: ChapterContext, config: some Encodable, metrics: some Encodable,
        stages: [StageTiming], summary: RunSummary? = nil, git: GitRevision? = nil,
        machine: MachineInfo = .current()
    ) throws {
        self.init(
            chapter: context.chapter, profile: context.profile, seed: context.seed,
            threads: context.threads, commandLine: context.commandLine, git: git ?? context.git,
            date: Date(timeIntervalSince1970: floor(context.startDate.timeIntervalSince1970)),
            machine: machine, build: .current, config: try JSONValue(encoding: config),
            stages: stages, totalSeconds: Date().timeIntervalSince(context.startDate),
            metrics: try JSONValue(encoding: metrics), summary: summary,
            convolution: context.convolution.rawValue, data: context.facts.dataDigest,
            degenerate: context.facts.degenerate)
    }
}
