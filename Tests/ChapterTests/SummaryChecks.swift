import ChapterSupport
import RunRecords
import Statistics
import Foundation
import Testing

/// Every chapter's results.json carries a summary whose figure list is exactly the set of
/// figures the run wrote: a figure added to `writeFigures` without a caption (or a caption
/// left behind by a removed figure) fails here, so the figure index never drifts.
func expectSummaryNamesEveryFigure(_ record: RunRecord, in output: URL) {
    guard let summary = record.summary else {
        Issue.record("chapter-\(record.chapter) wrote no summary into results.json")
        return
    }
    let headline = summary.headline
    #expect(!summary.paper.isEmpty && !headline.label.isEmpty)
    #expect(!headline.ours.isEmpty && !headline.paperClaim.isEmpty)
    expectClaimsFollowTheRule(record)

    let files = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
    // .gp for gnuplot figures (their PNG needs gnuplot), .png for images written directly.
    let written = Set(files.filter { $0.hasSuffix(".gp") || $0.hasSuffix(".png") }
        .map { String($0.prefix(upTo: $0.lastIndex(of: ".")!)) })
    let listed = summary.figures.map(\.id)
    #expect(Set(listed).count == listed.count, "chapter-\(record.chapter): duplicate figure ids")
    let unwritten = Set(listed).subtracting(written).sorted()
    let uncaptioned = written.subtracting(listed).sorted()
    #expect(Set(listed) == written,
            "chapter-\(record.chapter): captioned but not written \(unwritten); written without a caption \(uncaptioned)")
    for figure in summary.figures {
        #expect(!figure.caption.isEmpty && !figure.caption.contains("\n"), "\(figure.id)")
    }
}

/// Every chapter's results.json carries the claims its paper makes, each following the one
/// rule (`ClaimTest.followsRule`: the stored outcome is what effect and s.e. give), with its
/// paper's claim, source, measured effect, a finite effect and s.e., seeds and images.
func expectClaimsFollowTheRule(_ record: RunRecord) {
    guard let claims = record.claims, !claims.isEmpty else {
        Issue.record("chapter-\(record.chapter) wrote no claims into results.json")
        return
    }
    #expect(Set(claims.map(\.id)).count == claims.count, "chapter-\(record.chapter): duplicate claim ids")
    for claim in claims {
        #expect(claim.followsRule, "chapter-\(record.chapter) \(claim.id): outcome does not follow the rule")
        #expect(!claim.claim.isEmpty && !claim.source.isEmpty && !claim.effect.isEmpty, "\(claim.id)")
        #expect(claim.value.isFinite && claim.standardError.isFinite && claim.standardError >= 0, "\(claim.id)")
        #expect(claim.seeds >= 1 && claim.images > 0, "\(claim.id)")
        if case .notEstimated = claim.uncertainty {
            #expect(claim.standardError == 0, "\(claim.id)")
        } else if case .pairedImages(let n) = claim.uncertainty {
            #expect(n == claim.images, "\(claim.id)")
        }
    }
}
