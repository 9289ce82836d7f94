// provenance.json: the short "where did this come from" note committed beside each figure set.

import Foundation

/// Who made a results folder and how: commit, date, command line, profile and seed of the run
/// that first produced its result (a rerun that reproduces it keeps them; see `RunRecord`).
///
/// A subset of `RunRecord`, kept in its own small file so that a reader browsing
/// `figures/<chapter>/<profile>/` sees at a glance how to reproduce it. The latest run's own
/// commit and timings are in the untracked `run-log.json` (`RunLog`).
public struct Provenance: Codable, Sendable, Equatable {
    /// `provenance.json`.
    public static let fileName = "provenance.json"

    /// The chapter key.
    public var chapter: String
    /// The source revision.
    public var git: GitRevision
    /// When the run started.
    public var date: Date
    /// The command line as typed.
    public var commandLine: [String]
    /// The run's profile.
    public var profile: Profile
    /// The run's seed.
    public var seed: UInt64
    /// Debug or release build.
    public var build: BuildConfiguration
    /// The SHA-256 over the dataset files the run read (`DataDigest.sha256`); nil in files
    /// written before the field existed.
    public var dataDigest: String?
    /// The CPU and the kernels oneDNN and OpenBLAS chose; nil in files written before the field.
    public var arithmetic: ArithmeticBackend?

    /// The provenance of `record`.
    public init(record: RunRecord) {
        chapter = record.chapter
        git = record.git
        date = record.date
        commandLine = record.commandLine
        profile = record.profile
        seed = record.seed
        build = record.build
        dataDigest = record.data?.sha256
        arithmetic = record.arithmetic
    }

    /// Reads a provenance.json.
    public static func load(from url: URL) throws -> Provenance {
        try JSONCoding.decoder().decode(Provenance.self, from: Data(contentsOf: url))
    }
}
