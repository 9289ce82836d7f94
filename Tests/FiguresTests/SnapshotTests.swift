import Foundation
import Testing

@testable import Figures

/// The `.dat` and `.gp` text of each sample figure must match the committed snapshot in
/// `Snapshots/` byte for byte. After an intended change, regenerate with
/// `UPDATE_SNAPSHOTS=1 swift test --filter FiguresTests`, then review the diff.
@Suite struct SnapshotTests {
    @Test(arguments: SampleFigures.names)
    func textMatchesSnapshot(name: String) throws {
        let writer = FigureWriter(directory: URL(fileURLWithPath: "/unused"))
        let files = writer.files(for: SampleFigures.figure(named: name), id: name)
        try expectSnapshot(files.data, named: "\(name).dat")
        try expectSnapshot(files.script, named: "\(name).gp")
    }

    @Test func textIsDeterministic() {
        let writer = FigureWriter(directory: URL(fileURLWithPath: "/unused"))
        for (name, figure) in SampleFigures.all {
            #expect(writer.files(for: figure, id: name) == writer.files(for: figure, id: name))
        }
    }
}

private let updateSnapshots = ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1"

/// Compares `text` with `Snapshots/<name>` from the test bundle, or rewrites the source copy
/// when `UPDATE_SNAPSHOTS=1`.
func expectSnapshot(
    _ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    if updateSnapshots {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots").appendingPathComponent(name)
        try Data(text.utf8).write(to: source)
        return
    }
    let bundled = Bundle.module.url(forResource: "Snapshots", withExtension: nil)?
        .appendingPathComponent(name)
    guard let bundled, let expected = try? String(contentsOf: bundled, encoding: .utf8) else {
        Issue.record(
            "missing snapshot \(name): run UPDATE_SNAPSHOTS=1 swift test --filter FiguresTests",
            sourceLocation: sourceLocation)
        return
    }
    if text != expected {
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
            zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(got.count, want.count)
        Issue.record(
            """
            \(name) differs from its snapshot at line \(line + 1):
              expected: \(line < want.count ? String(want[line]) : "<end of file>")
              actual:   \(line < got.count ? String(got[line]) : "<end of file>")
            (UPDATE_SNAPSHOTS=1 regenerates snapshots after an intended change)
            """, sourceLocation: sourceLocation)
    }
}
