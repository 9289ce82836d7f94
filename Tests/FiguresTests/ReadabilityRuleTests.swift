import Foundation
import Testing

@testable import Figures

/// The layout rules that keep figures readable without hand-tuning each one: bars start at 0,
/// category names that would print over each other are rotated, and a key below the plot gets
/// the room it needs instead of covering the x axis label.
@Suite struct ReadabilityRuleTests {
    /// Seven energy-table names on a 900 px chart collide upright (about 100 px each, names up
    /// to 180 px): rotated. Six short layer names fit upright.
    @Test func crowdedCategoryNamesAreRotated() {
        let names = ["dense ANN", "sparse ANN (d = 0.05)", "dense SNN", "sparse SNN (d = 0.05)",
                     "channel SNN (f = 0.5)", "channel SNN (f = 0.35)", "channel SNN (f = 0.25)"]
        #expect(categoryLabelAngle(names, plotWidth: 790) == 30)
        #expect(categoryLabelAngle(["W1", "W2", "W3", "W4", "W5", "W6"], plotWidth: 790) == nil)
        // Hoyer's variant names fit upright with a character to spare; markup takes no room.
        #expect(categoryLabelAngle(["ANN (ReLU)", "fixed v_{th}", "Hoyer sum", "Hoyer sum + reg",
                                    "Hoyer cw + reg"], plotWidth: 790) == nil)
        #expect(printedLength("fixed v_{th}") == 9)
        // So many categories that even a 30° slant would overlap: upright text turned 90°.
        #expect(categoryLabelAngle((1...60).map { "layer \($0)" }, plotWidth: 790) == 90)

        let chart = BarChart(
            title: "Energy", categories: names,
            groups: [.init(label: "E", values: names.map { _ in 0.5 })],
            y: Axis("relative energy", scale: .log), key: .hidden)
        #expect(chart.gnuplotCommands(dataFile: "e.dat").contains("set xtics rotate by 30 right"))
        #expect(!SampleFigures.barChart.gnuplotCommands(dataFile: "b.dat").contains("rotate"))
    }

    /// A bar's length is its value: a linear axis starts at 0 (not at gnuplot's autoscaled
    /// 0.1 or at a reference line at 1); a fixed range or a log axis is left alone.
    @Test func linearBarsStartAtZero() {
        func chart(_ values: [Double], y: Axis) -> String {
            BarChart(title: "", categories: values.map { "\($0)" },
                     groups: [.init(label: "g", values: values)], y: y,
                     referenceLines: [ReferenceLine("ANN", at: 1)])
                .gnuplotCommands(dataFile: "b.dat")
        }
        #expect(chart([2.1, 4.3, 3.4], y: Axis("energy ratio")).contains("set yrange [0:*]"))
        #expect(chart([0.106, 0.36], y: Axis("spike rate")).contains("set yrange [0:*]"))
        #expect(!chart([0.5, 0.7], y: Axis("x", range: 0.4...0.8)).contains("[0:*]"))
        #expect(!chart([0.5, 0.7], y: Axis("x", scale: .log)).contains("[0:*]"))
        let negative = BarChart(title: "", categories: ["a"], groups: [.init(label: "g", values: [-2])],
                                y: Axis("change")).gnuplotCommands(dataFile: "b.dat")
        #expect(negative.contains("set yrange [*:0]"))
    }

    /// A key below the plot reserves a bottom margin that grows with its rows and pins the
    /// key to the image's bottom edge, so it never covers the x axis label; entries go side
    /// by side as far as the width allows.
    @Test func keyBelowReservesRoomForItsRows() throws {
        let size = FigureSize(width: 900, height: 600)
        let short = KeyPosition.below.commands(entries: ["a", "b"], size: size)
        #expect(short.contains { $0.hasPrefix("set key at screen 0.5, character") })
        #expect(!short.contains("set key below horizontal"))
        func margin(_ lines: [String]) -> Double? {
            lines.first { $0.hasPrefix("set bmargin ") }.flatMap { Double($0.dropFirst(12)) }
        }
        let long = (1...7).map { "fitted α/β, SNN-calibrated + U(0) = V/2, variant \($0)" }
        let tall = KeyPosition.below.commands(entries: long, size: size)
        let (tallMargin, shortMargin) = (try #require(margin(tall)), try #require(margin(short)))
        #expect(tallMargin > shortMargin)
        #expect(keyBelowLayout(entries: ["a", "b", "c"], width: 900).columns == 3)
        #expect(keyBelowLayout(entries: long, width: 900) == (columns: 1, rows: 7))
        #expect(keyBelowLayout(entries: long, width: 1400) == (columns: 2, rows: 4))
        // The rows are fixed for gnuplot too, so its layout is the one the margin was made for.
        #expect(tall.contains { $0.hasSuffix("vertical maxrows 7") })
    }

    /// Image panels name every grid row and column at the tile centres, and draw one image
    /// per tile on one colour scale with a labelled colour bar.
    @Test func imagePanelsLabelRowsColumnsAndColourBar() {
        let script = SampleFigures.imagePanels.gnuplotCommands(dataFile: "m.dat")
        #expect(script.contains("set xtics ('image 1' 1.5, 'image 2' 6.5)"))
        #expect(script.contains("set ytics ('meta-model' 1, 'student' 5)"))
        #expect(script.contains("set cblabel 'attention (unitless)'"))
        #expect(script.contains("set cbrange [0:1]"))
        #expect(script.components(separatedBy: "with image").count - 1 == 4)
        #expect(SampleFigures.imagePanels.gnuplotData().components(separatedBy: "# index").count - 1 == 4)
    }

    /// Raster panels: shaded cells first (under the marks), one coloured key entry per kind of
    /// mark, panel names on the top axis and x = panel·(T + 1) + step.
    @Test func rasterPanelsPlaceCellsAndNameEveryMark() {
        let raster = SampleFigures.rasterPanels
        #expect(raster.x(panel: 1, step: 2) == 6)
        let data = raster.gnuplotData()
        #expect(data.contains("# index 0: analog input"))
        #expect(data.contains("# index 1: +1 spike\n6 0 1\n"))
        #expect(data.contains("# index 2: −1 spike\n7 1 1\n"))
        let script = raster.gnuplotCommands(dataFile: "r.dat")
        #expect(script.contains("set x2tics ('direct' 2, 'hybrid (signed)' 6)"))
        #expect(script.contains("title '+1 spike'") && script.contains("title '−1 spike'"))
        #expect(script.contains("lc palette title 'analog input'"))
    }
}
