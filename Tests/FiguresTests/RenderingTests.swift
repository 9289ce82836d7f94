import Foundation
import Testing

@testable import Figures

private let pngSignature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/// Writing figures to disk and rendering them with gnuplot.
@Suite struct RenderingTests {
    @Test(.enabled(if: gnuplotInstalled, "gnuplot is not installed"),
          arguments: SampleFigures.names)
    func rendersNonEmptyPNG(name: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try FigureWriter(directory: directory)
            .write(SampleFigures.figure(named: name), id: name)
        #expect(written.outcome == .rendered)
        let png = try Data(contentsOf: written.imageURL)
        #expect(png.count > 1000)
        #expect(Array(png.prefix(8)) == pngSignature)
    }

    /// `cd dir && gnuplot id.gp` must work with no Swift involved (the files are self-contained).
    @Test(.enabled(if: gnuplotInstalled, "gnuplot is not installed"))
    func scriptRendersStandalone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = FigureWriter(directory: directory)
            .files(for: SampleFigures.linePlot, id: "standalone")
        try Data(files.data.utf8).write(to: directory.appendingPathComponent("standalone.dat"))
        try Data(files.script.utf8).write(to: directory.appendingPathComponent("standalone.gp"))
        let process = Process()
        process.executableURL = Gnuplot().executable
        process.currentDirectoryURL = directory
        process.arguments = ["standalone.gp"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let png = try Data(contentsOf: directory.appendingPathComponent("standalone.png"))
        #expect(Array(png.prefix(8)) == pngSignature)
    }

    /// Row 0 of a heat map must be drawn at the top: a bright row 0 over a dark row 1 gives
    /// a bright pixel above the centre of the PNG and a dark one below it. One column takes
    /// the box fallback (gnuplot's `with image` needs 2 x 2), two columns the image path.
    @Test(.enabled(if: gnuplotInstalled, "gnuplot is not installed"), arguments: [1, 2])
    func heatMapRowZeroIsAtTheTop(columns: Int) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let map = HeatMap(
            title: "",
            values: [Array(repeating: 1, count: columns), Array(repeating: 0, count: columns)],
            xLabel: "", yLabel: "", valueLabel: "", size: FigureSize(width: 300, height: 300))
        let written = try FigureWriter(directory: directory).write(map, id: "orientation")
        #expect(written.outcome == .rendered)
        let image = try PNGImage(contentsOf: written.imageURL)
        func brightness(atRow y: Int) -> Int {
            let x = image.width * 2 / 5  // left of the colour box, inside the plot
            let offset = (y * image.width + x) * image.format.channels
            return image.pixels[offset..<offset + image.format.channels].map(Int.init).reduce(0, +)
                / image.format.channels
        }
        let upper = brightness(atRow: image.height * 2 / 5)
        let lower = brightness(atRow: image.height * 3 / 5)
        #expect(upper > 150, "row 0 (value 1, yellow) should be in the upper half")
        #expect(lower < 100, "row 1 (value 0, dark purple) should be in the lower half")
    }

    @Test(.enabled(if: gnuplotInstalled, "gnuplot is not installed"))
    func gnuplotErrorIsReportedWithStderr() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.gp")
        try Data("set terminal pngcairo\nset output pngfile\nplot sin(x) wiht lines\n".utf8)
            .write(to: bad)
        let outcome = Gnuplot().render(script: bad)
        guard case .failed(let message) = outcome else {
            Issue.record("expected .failed, got \(outcome)")
            return
        }
        #expect(message.contains("wiht"))
        // No half-written PNG and no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["bad.gp"])
    }

    @Test func missingGnuplotStillWritesDataAndScript() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = FigureWriter(directory: directory, gnuplotPath: "/nonexistent/bin/gnuplot")
        let written = try writer.write(SampleFigures.barChart, id: "fig3-energy")
        #expect(written.outcome == .gnuplotMissing)
        let files = writer.files(for: SampleFigures.barChart, id: "fig3-energy")
        #expect(try String(contentsOf: written.dataURL, encoding: .utf8) == files.data)
        #expect(try String(contentsOf: written.scriptURL, encoding: .utf8) == files.script)
        #expect(!FileManager.default.fileExists(atPath: written.imageURL.path))
    }

    /// Atomic writes go through hidden temporary files; none may survive, with or without
    /// gnuplot, and rewriting the same figure gives byte-identical files.
    @Test func writesLeaveNoTemporaryFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = FigureWriter(directory: directory)
        let first = try writer.write(SampleFigures.histogram, id: "hist")
        let firstData = try Data(contentsOf: first.dataURL)
        let firstScript = try Data(contentsOf: first.scriptURL)
        try writer.write(SampleFigures.histogram, id: "hist")
        try FigureWriter(directory: directory, gnuplotPath: "/nonexistent")
            .write(SampleFigures.scatterPlot, id: "scatter")
        try SpikeRaster(spikes: [[true, false], [false, true]])
            .write(to: directory.appendingPathComponent("raster.png"))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        var expected = ["hist.dat", "hist.gp", "raster.png", "scatter.dat", "scatter.gp"]
        if gnuplotInstalled { expected.append("hist.png") }
        #expect(names == expected.sorted())
        #expect(try Data(contentsOf: first.dataURL) == firstData)
        #expect(try Data(contentsOf: first.scriptURL) == firstScript)
    }

    @Test func renderAllFindsScriptsRecursively() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = "/nonexistent/gnuplot"
        let nested = root.appendingPathComponent("classic/quick")
        try FigureWriter(directory: nested, gnuplotPath: missing)
            .write(SampleFigures.linePlot, id: "fig1")
        try FigureWriter(directory: root.appendingPathComponent("hoyer"), gnuplotPath: missing)
            .write(SampleFigures.heatMap, id: "fig2")
        #expect(Renderer.scripts(under: root).map(\.lastPathComponent) == ["fig1.gp", "fig2.gp"])
        let offline = Renderer.renderAll(under: root, gnuplot: Gnuplot(path: missing))
        #expect(offline.count == 2 && offline.values.allSatisfy { $0 == .gnuplotMissing })
        if gnuplotInstalled {
            let outcomes = Renderer.renderAll(under: root)
            #expect(outcomes.count == 2 && outcomes.values.allSatisfy { $0 == .rendered })
            #expect(FileManager.default.fileExists(
                atPath: nested.appendingPathComponent("fig1.png").path))
        }
    }

    /// Writes every sample figure plus image grids to `FIGURES_PREVIEW_DIR` for a human to look
    /// at (`FIGURES_PREVIEW_DIR=/tmp/figures-preview swift test --filter FiguresTests`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FIGURES_PREVIEW_DIR"] != nil))
    func writePreview() throws {
        let directory = URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["FIGURES_PREVIEW_DIR"]!)
        let writer = FigureWriter(directory: directory)
        for (name, figure) in SampleFigures.all {
            #expect(try writer.write(figure, id: name).outcome == .rendered)
        }
        try SampleImages.digits.write(to: directory.appendingPathComponent("image-grid-gray.png"))
        try SampleImages.attention.write(
            to: directory.appendingPathComponent("image-grid-palette.png"))
        try SampleImages.raster.write(to: directory.appendingPathComponent("spike-raster.png"))
    }
}
