import Foundation
import Testing

@testable import Figures

/// Number formatting, quoting and binning: the pieces the snapshots are built from.
@Suite struct FormattingTests {
    @Test func numbersUseSixSignificantDigitsAndNaNForNonFinite() {
        #expect(_Gnuplot.number(91.2) == "91.2")
        #expect(_Gnuplot.number(1.0 / 3.0) == "0.333333")
        #expect(_Gnuplot.number(1234567) == "1.23457e+06")
        #expect(_Gnuplot.number(-0.0) == "0")
        #expect(_Gnuplot.number(.nan) == "NaN")
        #expect(_Gnuplot.number(.infinity) == "NaN")
        #expect(_Gnuplot.number(-.infinity) == "NaN")
    }

    @Test func stringsAreQuotedForGnuplot() {
        #expect(_Gnuplot.quoted("it's") == "'it''s'")
        #expect(_Gnuplot.dataString("a \"b\"") == "\"a 'b'\"")
    }

    @Test func seriesBlocksAreSeparatedByTwoBlankLines() {
        let text = _Gnuplot.indexBlocks([
            Series(label: "a", x: [1], y: [2]), Series(label: "empty", x: [], y: []),
            Series(label: "c", x: [3], y: [.nan]),
        ])
        #expect(
            text == "# index 0: a\n1 2\n\n\n# index 1: empty\nNaN NaN\n\n\n# index 2: c\n3 NaN\n")
    }

    /// Equal-width bins: the upper edge belongs to the last bin; values outside the range and
    /// NaN are dropped.
    @Test func binningCountsEachValueOnce() {
        let bins = Bins(values: [0, 0.1, 0.5, 0.99, 1, 1.5, -0.1, .nan], binCount: 2, range: 0...1)
        #expect(bins.edges == [0, 0.5, 1])
        #expect(bins.counts == [2, 3])
        #expect(bins.normalized().counts == [0.4, 0.6])
        let floats: [Float] = [0.25, 0.75, 0.8]
        #expect(Bins(values: floats, binCount: 2, range: 0...1).counts == [1, 2])
    }

    @Test func divergingDefaultRangeIsSymmetric() {
        #expect(Palette.diverging.defaultRange(of: [-1, 3, .nan]) == -3...3)
        #expect(Palette.sequential.defaultRange(of: [-1, 3, .infinity]) == -1...3)
        #expect(Palette.sequential.defaultRange(of: [2, 2]) == 2...3)
    }
}
