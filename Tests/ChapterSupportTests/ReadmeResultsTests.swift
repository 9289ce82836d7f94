import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// The generated README block is replaced between its markers and nowhere else.
@Suite struct ReadmeResultsTests {
    @Test func onlyTheTextBetweenTheMarkersChanges() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let readme = folder.url.appendingPathComponent("README.md")
        try "# Title\nprose\n<!-- results:begin -->\nold table\n<!-- results:end -->\nexercises\n"
            .write(to: readme, atomically: true, encoding: .utf8)
        try replaceResultsBlock(in: readme, with: "\n| new | table |\n")
        #expect(
            try String(contentsOf: readme, encoding: .utf8)
                == "# Title\nprose\n<!-- results:begin -->\n| new | table |\n<!-- results:end -->\nexercises\n")
    }

    @Test func aReadmeWithoutMarkersIsAnErrorAndStaysUntouched() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let readme = folder.url.appendingPathComponent("README.md")
        let text = "<!-- results:end -->\nreversed\n<!-- results:begin -->\n"
        try text.write(to: readme, atomically: true, encoding: .utf8)
        #expect(throws: ChapterError.self) { try replaceResultsBlock(in: readme, with: "x") }
        #expect(try String(contentsOf: readme, encoding: .utf8) == text)
    }

    @Test func namedBlocksAreReplacedIndependently() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let readme = folder.url.appendingPathComponent("README.md")
        try "<!-- results:begin -->\nA\n<!-- results:end -->\n<!-- seeds:begin -->\nB\n<!-- seeds:end -->\n"
            .write(to: readme, atomically: true, encoding: .utf8)
        try replaceGeneratedBlock("seeds", in: readme, with: "\nC\n")
        #expect(try String(contentsOf: readme, encoding: .utf8)
                    == "<!-- results:begin -->\nA\n<!-- results:end -->\n<!-- seeds:begin -->\nC\n<!-- seeds:end -->\n")
        #expect(throws: ChapterError.self) {
            try replaceGeneratedBlock("missing", in: readme, with: "x")
        }
    }

    @Test func stagesAreListedWithOutcomeAndWholeSeconds() {
        let stages = [StageTiming(stage: "ann", seconds: 0.2, outcome: .loaded),
                      StageTiming(stage: "snn", seconds: 41.6, outcome: .computed)]
        #expect(describeStages(stages) == "ann loaded in 0 s, snn computed in 42 s")
    }

    @Test func theReadmeSitsBesideTheChapterSource() {
        #expect(chapterReadme(beside: "/repo/chapters/classic/Report.swift").path
                    == "/repo/chapters/classic/README.md")
    }
}
