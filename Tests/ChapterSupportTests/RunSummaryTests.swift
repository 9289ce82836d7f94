import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// `summary` in results.json: round-trips, is optional for old files, and stays one line.
@Suite struct RunSummaryTests {
    let summary = RunSummary(
        paper: "Datta & Beerel, DATE 2022",
        headline: Headline(label: "accuracy at T = 2", ours: "76.17 % on Fashion-MNIST",
                           paperClaim: "64.19 % on CIFAR-100"),
        figures: [FigureCaption(id: "fig3-accuracy-vs-timesteps", caption: "Accuracy\nagainst T.")])

    func record(summary: RunSummary?) -> RunRecord {
        RunRecord(
            chapter: "ultralow", profile: .quick, seed: 42, threads: 2, commandLine: [],
            git: .unknown, date: Date(timeIntervalSince1970: 0),
            build: .debug, config: .object([:]),
            metrics: .object(["dnnAccuracy": .number(0.8)]), summary: summary)
    }

    @Test func roundTripsThroughResultsJSON() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let url = try record(summary: summary).write(to: folder.url)
        let loaded = try RunRecord.load(from: url)
        #expect(loaded.summary == summary)
        #expect(loaded.summary?.figures.first?.imageFileName == "fig3-accuracy-vs-timesteps.png")
    }

    @Test func aFileWithoutSummaryStillLoads() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let url = try record(summary: nil).write(to: folder.url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains("summary"))
        // The key is absent, exactly as in files written before the field existed.
        let loaded = try RunRecord.load(from: url)
        #expect(loaded.summary == nil && loaded.chapter == "ultralow")
        #expect(loaded.metrics["dnnAccuracy"] == .number(0.8))
    }

    @Test func captionsAndHeadlinesAreOneLine() {
        #expect(summary.figures[0].caption == "Accuracy against T.")
        #expect(summary.headline.line
            == "accuracy at T = 2: 76.17 % on Fashion-MNIST (paper, copied by hand: 64.19 % on CIFAR-100)")
    }
}
