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
/// `required: false` for a run of selected parts (chapter-hybrid `--arms C`), which may have
/// nothing to test: its record then holds an empty list.
func expectClaimsFollowTheRule(_ record: RunRecord, required: Bool = true) {
    guard let claims = record.claims else {
        Issue.record("chapter-\(record.chapter) wrote no claims field into results.json")
        return
    }
    if required && claims.isEmpty { Issue.record("chapter-\(record.chapter) tested no claim") }
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
