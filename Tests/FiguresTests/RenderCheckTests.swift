import Foundation
import Testing

@testable import Figures

/// What a render is checked for: its inputs before gnuplot starts, gnuplot's exit status and
/// timeout, and a whole PNG of the requested size after. A fake `gnuplot` (a shell script)
/// plays each failure, so these run with or without gnuplot installed.
@Suite struct RenderCheckTests {
    /// A figure folder with a line plot's `.dat`/`.gp` (900×540) and fake gnuplots beside it.
    struct Fixture {
        let directory: URL
        let script: URL
        let image: URL
        let goodPNG: URL

        init() throws {
            directory = try makeTemporaryDirectory()
            let files = FigureWriter(directory: directory)
                .files(for: SampleFigures.linePlot, id: "fig")
            script = directory.appendingPathComponent("fig.gp")
            image = directory.appendingPathComponent("fig.png")
            try Data(files.data.utf8).write(to: directory.appendingPathComponent("fig.dat"))
            try Data(files.script.utf8).write(to: script)
            goodPNG = directory.appendingPathComponent("good-900x540.png.bin")
            try png(width: 900, height: 540).write(to: goodPNG)
        }

        /// An executable `gnuplot` stand-in running `body` with `$out` set to the PNG path the
        /// renderer asked for (`-e "pngfile = '…'"`).
        ///
        /// A script just written can fail to start with ETXTBSY ("Text file busy") while a child
        /// that another test forked in the meantime still holds the write descriptor. So the
        /// stand-in is started once with `--probe` (which only exits) until it starts, before a
        /// test relies on it: the failure cases below must be gnuplot's, not this race.
        func fake(_ body: String) throws -> Gnuplot {
            let url = directory.appendingPathComponent("fake-gnuplot-\(UUID().uuidString)")
            let text = "#!/bin/sh\n"
                + "[ \"$1\" = --probe ] && exit 0\n"
                + "out=$(printf '%s' \"$2\" | sed \"s/^pngfile = '\\(.*\\)'$/\\1/\")\n"
                + body + "\n"
            try Data(text.utf8).write(to: url)
            chmod(url.path, 0o755)
            for attempt in 1...100 {
                let probe = Process()
                probe.executableURL = url
                probe.arguments = ["--probe"]
                do {
                    try probe.run()
                    probe.waitUntilExit()
                    break
                } catch where attempt < 100 {
                    usleep(20_000)
                }
            }
            return Gnuplot(path: url.path, timeout: .seconds(20))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func png(width: Int, height: Int) -> PNGImage {
        PNGImage(width: width, height: height, format: .gray,
                 pixels: [UInt8](repeating: 200, count: width * height))
    }

    private func expectFailure(_ outcome: RenderOutcome, mentioning text: String) {
        guard case .failed(let message) = outcome else {
            Issue.record("expected .failed, got \(outcome)")
            return
        }
        #expect(message.contains(text), "\(message)")
    }

    // MARK: - The PNG header

    @Test func aWholePNGGivesItsSize() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        #expect(PNGHeader(contentsOf: fixture.goodPNG) == PNGHeader(bytes: [UInt8](
            try Data(contentsOf: fixture.goodPNG))))
        let header = try #require(PNGHeader(contentsOf: fixture.goodPNG))
        #expect(header.width == 900 && header.height == 540)
    }

    @Test func emptyTruncatedOrForeignFilesAreNotPNGs() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let bytes = [UInt8](try Data(contentsOf: fixture.goodPNG))
        #expect(PNGHeader(bytes: []) == nil)
        #expect(PNGHeader(bytes: Array(bytes.dropLast(1))) == nil)
        #expect(PNGHeader(bytes: Array(bytes.prefix(40))) == nil)
        var foreign = bytes
        foreign[1] = UInt8(ascii: "J")
        #expect(PNGHeader(bytes: foreign) == nil)
        #expect(PNGHeader(contentsOf: fixture.directory.appendingPathComponent("none.png")) == nil)
    }

    @Test func theScriptsInputsAndSizeAreRead() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let text = try String(contentsOf: fixture.script, encoding: .utf8)
        #expect(_Gnuplot.dataFiles(in: text) == ["fig.dat"])
        #expect(_Gnuplot.terminalSize(in: text) == FigureSize(width: 900, height: 540))
        #expect(_Gnuplot.dataFiles(in: "plot 'a.dat' using 1:2, \"b.dat\" u 1:3, 'a.dat'\n")
                == ["a.dat", "b.dat"])
    }

    // MARK: - Renders that must fail and leave the previous PNG

    @Test func aRenderThatFollowsTheScriptSucceeds() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let gnuplot = try fixture.fake("cp '\(fixture.goodPNG.path)' \"$out\"")
        #expect(gnuplot.render(script: fixture.script) == .rendered)
        #expect(PNGHeader(contentsOf: fixture.image)?.width == 900)
    }

    @Test(arguments: [
        ("echo 'line 3: undefined variable: wiht' >&2; exit 1", "wiht"),
        ("exit 0", "no whole PNG"),
        (": > \"$out\"", "no whole PNG"),
        ("head -c 100 '__GOOD__' > \"$out\"", "no whole PNG"),
        ("cp '__SMALL__' \"$out\"", "10×10"),
    ])
    func aFailedRenderKeepsThePreviousPNG(body: String, message: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let small = fixture.directory.appendingPathComponent("small.png.bin")
        try Self.png(width: 10, height: 10).write(to: small)
        try Data("previous".utf8).write(to: fixture.image)
        let gnuplot = try fixture.fake(body
            .replacingOccurrences(of: "__GOOD__", with: fixture.goodPNG.path)
            .replacingOccurrences(of: "__SMALL__", with: small.path))
        let outcome = gnuplot.render(script: fixture.script)
        expectFailure(outcome, mentioning: message)
        expectFailure(outcome, mentioning: "fig.gp")
        #expect(try String(contentsOf: fixture.image, encoding: .utf8) == "previous")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)
            .filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "temporary PNG left behind: \(hidden)")
    }

    @Test func aHangingGnuplotIsKilledAtTheTimeout() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        var gnuplot = try fixture.fake("sleep 30")
        gnuplot.timeout = .milliseconds(300)
        let started = Date()
        expectFailure(gnuplot.render(script: fixture.script), mentioning: "did not finish")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(!FileManager.default.fileExists(atPath: fixture.image.path))
    }

    /// Without its data gnuplot would draw empty axes and exit 0: it is not even started.
    @Test(arguments: ["missing", "empty"])
    func aMissingOrEmptyDataFileStopsTheRender(state: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let data = fixture.directory.appendingPathComponent("fig.dat")
        if state == "missing" {
            try FileManager.default.removeItem(at: data)
        } else {
            try Data().write(to: data)
        }
        try Data("previous".utf8).write(to: fixture.image)
        let gnuplot = try fixture.fake("cp '\(fixture.goodPNG.path)' \"$out\"")
        expectFailure(gnuplot.render(script: fixture.script),
                      mentioning: "fig.dat, which is \(state)")
        #expect(try String(contentsOf: fixture.image, encoding: .utf8) == "previous")

        let outcomes = Renderer.renderAll(under: fixture.directory, gnuplot: gnuplot)
        #expect(outcomes.count == 1)
        expectFailure(try #require(outcomes.values.first), mentioning: "fig.dat")
        #expect(try String(contentsOf: fixture.image, encoding: .utf8) == "previous")
    }

    // MARK: - FigureWriter

    /// A failed render is an error naming the figure, and the PNG of the previous data is gone.
    @Test func theWriterThrowsForAFailedRenderAndRemovesTheStalePNG() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try Data("previous".utf8).write(to: fixture.image)
        var writer = FigureWriter(directory: fixture.directory)
        writer.gnuplot = try fixture.fake("exit 1")
        #expect {
            try writer.write(SampleFigures.linePlot, id: "fig")
        } throws: { error in
            guard case .renderFailed(let id, let reason) = error as? FigureError else {
                return false
            }
            return id == "fig" && reason.contains("fig.gp")
                && "\(error)".hasPrefix("figure fig was not rendered: ")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.image.path))

        try Data("previous".utf8).write(to: fixture.image)
        let offline = FigureWriter(directory: fixture.directory,
                                   gnuplotPath: "/nonexistent/gnuplot")
        #expect(try offline.write(SampleFigures.linePlot, id: "fig").outcome == .gnuplotMissing)
        #expect(!FileManager.default.fileExists(atPath: fixture.image.path))
    }
}
