// The baseline gap a chapter with its own ANN writes to results.json (ChapterSupport's
// BaselineGap), checked the same way for every such chapter.

import Testing

/// The part of `BaselineGap` these checks read.
struct BaselineGapRecord: Decodable {
    struct Network: Decodable { var accuracy: Double; var accuracyStandardError: Double }
    var backbone: Network
    var chapterANN: Network
    var testImages: Int
    var chapterMinusBackbone: Double
    var chapterMinusBackboneStandardError: Double
    var reading: String
}

/// The gap is the difference of the two accuracies on the same `testImages`, its chapter side is
/// the chapter's own ANN accuracy, its s.e. is positive, and its reading follows the rule
/// (1 point − gap beyond 2 s.e. decides).
func expectBaselineGap(_ gap: BaselineGapRecord?, chapterAccuracy: Double, testImages: Int,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
    let gap = try #require(gap, sourceLocation: sourceLocation)
    #expect(gap.testImages == testImages && gap.backbone.accuracy > 0.3, sourceLocation: sourceLocation)
    #expect(abs(gap.chapterANN.accuracy - chapterAccuracy) < 1e-6, sourceLocation: sourceLocation)
    #expect(abs(gap.chapterMinusBackbone - (gap.chapterANN.accuracy - gap.backbone.accuracy)) < 1e-9,
            sourceLocation: sourceLocation)
    #expect(gap.chapterMinusBackboneStandardError > 0 && gap.backbone.accuracyStandardError > 0,
            sourceLocation: sourceLocation)
    let margin = 0.01 + gap.chapterMinusBackbone, k = 2 * gap.chapterMinusBackboneStandardError
    #expect(gap.reading == (margin > k ? "withinOnePoint" : margin < -k ? "moreThanOnePointBelow" : "undecided"),
            sourceLocation: sourceLocation)
}
