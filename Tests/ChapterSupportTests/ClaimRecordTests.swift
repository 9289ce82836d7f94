import Foundation
import RunRecords
import Statistics
import Testing

@testable import ChapterSupport

/// Claims travel in results.json, count as part of the result, and read the same in a README
/// block as in the record.
@Suite struct ClaimRecordTests {
    private func claim(_ value: Double) -> ClaimTest {
        ClaimTest(id: "a-beats-b", claim: "a beats b", source: "Someone et al. 2020, Sec. 2",
                  effect: "accuracy a − b on 500 images",
                  difference: Difference(mean: value, standardError: 0.01, basis: .pairedImages(images: 500)),
                  seeds: 1)
    }

    private func record(claims: [ClaimTest]) -> RunRecord {
        RunRecord(chapter: "classic", profile: .smoke, seed: 1, threads: 1, commandLine: ["chapter-classic"],
                  git: .unknown, date: Date(timeIntervalSince1970: 0), build: .debug, config: .null,
                  metrics: .null, claims: claims)
    }

    @Test func claimsRoundTripAndArePartOfTheResult() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let original = record(claims: [claim(0.05)])
        let loaded = try RunRecord.load(from: original.write(to: folder.url))
        #expect(loaded.claims == original.claims)
        #expect(loaded.claims?.first?.outcome == .reproduced)
        // A different effect is a different result: the earlier provenance is not kept.
        #expect(!record(claims: [claim(-0.05)]).hasSameResult(as: original))
        #expect(record(claims: [claim(0.05)]).hasSameResult(as: original))
    }

    @Test func theMarkdownBlockShowsOutcomeEffectAndSingleSeed() {
        let lines = claimsMarkdown([claim(0.05), claim(-0.001)])
        #expect(lines.count == 6)
        #expect(lines[2].hasPrefix("| **reproduced** | a beats b (Someone et al. 2020, Sec. 2) |"))
        #expect(lines[2].contains("| +5.00 ± 1.00 points, single seed | paired over 500 images |"))
        #expect(lines[3].hasPrefix("| **inconclusive** |"))
        #expect(lines[5].contains(ClaimTest.rule))
        #expect(claimsMarkdown([]) == ["No claim of the paper could be tested in this run."])
    }

    @Test func countsWithoutAnErrorSayNoStandardError() {
        let count = ClaimTest(id: "ratio", claim: "fewer spikes", source: "x", effect: "A / C − 3",
                              difference: Difference(mean: 1.85, standardError: 0,
                                                     basis: .notEstimated(reason: "a count")),
                              unit: .ratio, seeds: 1, images: 2_000)
        #expect(count.valueText == "+1.85 (no s.e.), single seed")
        #expect(count.outcome == .reproduced && count.images == 2_000)
        #expect(percentWithError(0.9, images: 500) == "90.00 ± 1.34")
    }
}
