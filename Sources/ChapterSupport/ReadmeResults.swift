// The generated part of a chapter README: the text between two marker comments, rewritten by
// every reference run from the same metrics that go into results.json (docs/conventions.md C6), so the
// numbers in the prose never drift from the code.

import Foundation
import RunRecords
import SystemSupport
import Training

/// The comment that opens the generated results block of a chapter README.
public let readmeResultsBegin = "<!-- results:begin -->"
/// The comment that closes it.
public let readmeResultsEnd = "<!-- results:end -->"

/// The README.md beside a chapter's source file: `chapterReadme(beside: #filePath)` in
/// `chapters/<key>/Report.swift` is `chapters/<key>/README.md`.
public func chapterReadme(beside sourceFile: String) -> URL {
    URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("README.md")
}

/// Replaces the text between `<!-- results:begin -->` and `<!-- results:end -->` in `readme`
/// with `block`; the markers and everything outside them stay as they are.
///
/// - Throws: `ChapterError.invalidConfiguration` when the file cannot be read or has no
///   markers in that order; the error of writing the file.
public func replaceResultsBlock(in readme: URL, with block: String) throws {
    try replaceGeneratedBlock("results", in: readme, with: block)
}

/// Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `readme` with
/// `block`: a README may hold several generated blocks, each from its own results.json (e.g.
/// chapter-hoyer's `results` from the quick run and `seeds` from its seed-replicate run).
///
/// - Throws: `ChapterError.invalidConfiguration` when the file cannot be read or has no
///   such markers in that order; the error of writing the file.
public func replaceGeneratedBlock(_ name: String, in readme: URL, with block: String) throws {
    guard try replaceGeneratedReadmeBlock(name, in: readme, with: block) else {
        throw ChapterError.invalidConfiguration(
            "\(readme.path) has no <!-- \(name):begin --> … <!-- \(name):end --> markers "
                + "for the generated \(name) block")
    }
}

/// Each stage's outcome and whole seconds, for the line that introduces a README table:
/// `ann loaded in 0 s, snn computed in 41 s`.
public func describeStages(_ stages: [StageTiming]) -> String {
    stages.map { "\($0.stage) \($0.outcome.rawValue) in \(formatFixed($0.seconds, digits: 0)) s" }
        .joined(separator: ", ")
}
