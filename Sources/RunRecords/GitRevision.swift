// Which source code produced a result: the git commit and whether the tree had edits.

import Foundation
import SystemSupport

/// The git commit of the working tree, recorded in results.json and provenance.json.
public struct GitRevision: Codable, Sendable, Equatable {
    /// `git rev-parse HEAD`, or `unknown` when git or the repository is unavailable.
    public var commit: String
    /// Whether `git status --porcelain` lists changes outside what runs rewrite themselves:
    /// `figures/`, `data/` and the chapters' READMEs (their generated results tables; a
    /// regenerate run rewrites them chapter after chapter); nil when unknown.
    public var dirty: Bool?

    /// Creates a revision record.
    public init(commit: String, dirty: Bool?) {
        self.commit = commit
        self.dirty = dirty
    }

    /// The value used when git cannot be asked.
    public static let unknown = GitRevision(commit: "unknown", dirty: nil)

    /// Asks git about the repository containing `directory` (default: the current directory).
    /// Never throws: any failure gives `.unknown`.
    public static func current(in directory: URL? = nil) -> GitRevision {
        guard let head = runGit(["rev-parse", "HEAD"], in: directory), !head.isEmpty else {
            return .unknown
        }
        let status = runGit(
            ["status", "--porcelain", "--", ".", ":(exclude)figures", ":(exclude)data",
             ":(exclude,glob)chapters/*/README.md"],
            in: directory)
        return GitRevision(commit: head, dirty: status.map { !$0.isEmpty })
    }

    /// Runs `git <arguments>` and returns its trimmed standard output, or nil on any failure.
    private static func runGit(_ arguments: [String], in directory: URL?) -> String? {
        let git = Subprocess.onPath(
            ["git"] + arguments, workingDirectory: directory,
            standardOutput: .capture, standardError: .discard)
        guard let outcome = try? git.run(), outcome.termination.status == 0 else { return nil }
        return String(decoding: outcome.standardOutput, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
