// A README's generated blocks: the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`,
// rewritten from a results.json by the chapters (ChapterSupport) and by regenerate's seed studies.

import Foundation
import SystemSupport

/// Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `readme` with
/// `block`; the markers and everything outside them stay as they are.
///
/// - Returns: false when the file cannot be read or has no such markers in that order
///   (nothing is written).
/// - Throws: the error of writing the file.
@discardableResult
public func replaceGeneratedReadmeBlock(_ name: String, in readme: URL, with block: String) throws -> Bool {
    let beginMarker = "<!-- \(name):begin -->", endMarker = "<!-- \(name):end -->"
    guard var text = try? String(contentsOf: readme, encoding: .utf8),
          let begin = text.range(of: beginMarker),
          let end = text.range(of: endMarker), begin.upperBound <= end.lowerBound
    else { return false }
    text.replaceSubrange(begin.upperBound..<end.lowerBound, with: block)
    try atomicWrite(Data(text.utf8), to: readme)
    return true
}
