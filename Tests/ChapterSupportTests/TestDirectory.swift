import Foundation

/// A fresh empty folder under the system's temporary directory, removed by `remove()`.
struct TestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ChapterSupportTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Names of the files in `folder` (default: the root), sorted, hidden ones included.
    func files(in folder: URL? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: (folder ?? url).path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Collects the lines a `StageCache` or `ProgressLine` writes.
final class Transcript {
    var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
    var warnings: [String] { lines.filter { $0.hasPrefix("warning:") } }
}
