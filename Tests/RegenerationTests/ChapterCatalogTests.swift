import Foundation
import Testing

@testable import Regeneration

/// The course order is one table, selection keeps it, and it covers Package.swift's chapters.
@Suite struct ChapterCatalogTests {
    @Test func courseOrderRunsTheFoundationsFirstAndCompareLast() {
        #expect(ChapterCatalog.courseOrder.map(\.key)
            == ["primer", "classic", "rnl", "ultralow", "hybrid", "attention", "hoyer", "compare"])
        #expect(ChapterCatalog.firstNumber == 0)   // the primer is chapter 0, classic chapter 1
        #expect(Chapter("hoyer").executableName == "chapter-hoyer")
    }

    @Test func noSelectionMeansEveryChapter() throws {
        #expect(try ChapterCatalog.select([]) == ChapterCatalog.courseOrder)
    }

    @Test func selectionKeepsCourseOrderWhateverOrderIsTyped() throws {
        let selected = try ChapterCatalog.select(["compare", "hoyer", "classic", "hoyer"])
        #expect(selected.map(\.key) == ["classic", "hoyer", "compare"])
    }

    @Test func unknownKeyIsRejectedWithTheKnownKeys() {
        #expect(throws: RegenerationError.unknownChapter(
            "hoyre", known: ChapterCatalog.courseOrder.map(\.key))
        ) {
            try ChapterCatalog.select(["classic", "hoyre"])
        }
        let message = RegenerationError.unknownChapter("hoyre", known: ["classic", "hoyer"])
            .description
        #expect(message == "unknown chapter 'hoyre'; the chapters are classic, hoyer")
    }

    /// `regenerate --executor slurm` passes the executor to exactly the chapters whose
    /// context declares stage groups (`runsStageGroups: true`); the others would refuse it.
    @Test func chaptersWithStageGroupsMatchTheirSources() throws {
        let chapters = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("chapters")
        let declaring = try ChapterCatalog.courseOrder.map(\.key).filter { key in
            let main = chapters.appendingPathComponent("\(key)/main.swift")
            return try String(contentsOf: main, encoding: .utf8).contains("runsStageGroups: true")
        }
        #expect(Set(declaring) == ChapterCatalog.withStageGroups)
    }

    /// Adding a chapter to Package.swift without adding it here would leave it out of every
    /// regeneration; this catches it.
    @Test func everyChapterOfPackageSwiftIsInTheCourseOrder() throws {
        let manifest = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Package.swift")
        let keys = try packageChapterKeys(try String(contentsOf: manifest, encoding: .utf8))
        #expect(keys.count >= 6, "parsed \(keys) from Package.swift's chapters list")
        let known = Set(ChapterCatalog.courseOrder.map(\.key))
        for key in keys {
            #expect(known.contains(key), "chapter-\(key) is in Package.swift but not in courseOrder")
        }
    }

    /// The keys of the `let chapters … = [ ("key", …), … ]` list.
    private func packageChapterKeys(_ manifest: String) throws -> [String] {
        guard let start = manifest.range(of: "let chapters"),
            let end = manifest.range(of: "]\n", range: start.upperBound..<manifest.endIndex)
        else { return [] }
        let list = manifest[start.upperBound..<end.lowerBound]
        let pattern = try Regex(#"\(\s*"([a-z0-9-]+)""#)
        return list.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
    }
}

/// regenerate builds chapters into the build folder its own binary came from.
@Suite struct ProductBuilderTests {
    @Test func scratchPathIsTwoLevelsAboveTheBinaryInSwiftPMsLayout() {
        let binary = URL(fileURLWithPath: "/p/.build-x/x86_64-unknown-linux-gnu/debug/regenerate")
        #expect(ProductBuilder.scratchPath(containing: binary, configuration: .debug)?.path
            == "/p/.build-x")
        // A binary outside `<scratch>/<triple>/<configuration>/` gives SwiftPM's default.
        #expect(ProductBuilder.scratchPath(containing: binary, configuration: .release) == nil)
        #expect(ProductBuilder.scratchPath(
            containing: URL(fileURLWithPath: "/usr/local/bin/regenerate"), configuration: .debug)
            == nil)
    }
}
