// The part of a committed results.json the figure index reads, decoded leniently.

import RunRecords
import Statistics
import Foundation

/// The fields of `results.json` the figure index shows. Every field but the chapter is
/// optional, so files written by any earlier version of `RunRecord` (for example before
/// `summary` existed) still index.
struct IndexedRun: Decodable {
    var chapter: String?
    var profile: Profile?
    var seed: UInt64?
    var commandLine: [String]?
    var git: GitRevision?
    var date: Date?
    var build: BuildConfiguration?
    var summary: RunSummary?
    /// The claims the run tested; nil in files written before claims existed.
    var claims: [ClaimTest]?

    /// Reads `url` with the project's JSON dialect.
    static func load(from url: URL) throws -> IndexedRun {
        try JSONCoding.decoder().decode(IndexedRun.self, from: Data(contentsOf: url))
    }

    /// `chapter-<key> --profile quick …`: the recorded command with the build folder removed.
    func command(key: String) -> String? {
        guard let commandLine, !commandLine.isEmpty else { return nil }
        return (["chapter-\(key)"] + commandLine.dropFirst()).joined(separator: " ")
    }
}
