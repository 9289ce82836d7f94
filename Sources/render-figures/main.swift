// render-figures: re-renders every committed figure (`*.gp` → `.png`) with gnuplot, in seconds,
// without retraining anything. Each chapter run writes `.dat` + `.gp` through `FigureWriter`;
// this tool only replays the `.gp` scripts.
//
//     swift run render-figures                 # everything under figures/, then the index
//     swift run render-figures --index-only    # only rewrite figures/README.md (no gnuplot)
//     swift run render-figures --root figures/classic/quick
//     swift run render-figures --timeout 5      # kill a gnuplot that runs longer (seconds)
//
// A figure fails when its `.dat` is missing or empty (gnuplot is then not run, and the PNG
// from before stays), when gnuplot exits non-zero or runs past the timeout (default 60 s, or
// LLSNN_GNUPLOT_TIMEOUT seconds), or when it leaves no whole PNG of the script's size. Failed
// figures are listed with the reason; the index is not rewritten from an unreadable
// results.json (the file is named and the previous index stays).
//
// It also owns figures/README.md, the figure index (`FigureIndex` in Sources/Regeneration):
// rewritten from every figures/<key>/<profile>/results.json whenever the whole figures/
// folder is rendered (`regenerate` calls the same function as its last step).
//
// Exit status: 0 when every figure rendered and the index was written; 1 if a figure failed,
// gnuplot is missing or a results.json could not be read.

import ArgumentParser
import Figures
import Foundation
import Regeneration

struct RenderFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-figures",
        abstract: "Re-render every figures/**/*.gp into a PNG with gnuplot (no training).")

    @Option(help: "Directory searched recursively for .gp files.")
    var root: String = "figures"

    @Flag(help: "Only rewrite figures/README.md (the figure index); render nothing.")
    var indexOnly: Bool = false

    @Option(help: ArgumentHelp(
        "Seconds one gnuplot may run before it is killed and its figure counts as failed "
            + "(default: $LLSNN_GNUPLOT_TIMEOUT, else 60).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout.isFinite && timeout > 0) {
            throw ValidationError(
                "--timeout must be a positive number of seconds (got \(timeout)).")
        }
    }

    func run() throws {
        let rootURL = URL(fileURLWithPath: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootURL.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw ValidationError("no directory at \(rootURL.path) (run from the package root)")
        }
        // The index covers the whole figures/ folder, so a render of a sub-folder leaves it.
        let indexesEverything =
            rootURL.standardizedFileURL.path
            == URL(fileURLWithPath: "figures").standardizedFileURL.path
        if indexOnly {
            guard indexesEverything else {
                throw ValidationError("--index-only indexes figures/; drop --root")
            }
            print("rewrote \(try FigureIndex.write(figuresRoot: rootURL).path)")
            return
        }
        let gnuplot = timeout.map { seconds in
            Gnuplot(timeout: .milliseconds(Int64((seconds * 1000).rounded(.up))))
        } ?? Gnuplot()
        let outcomes = Renderer.renderAll(under: rootURL, gnuplot: gnuplot)
        if outcomes.isEmpty {
            print("no .gp files under \(rootURL.path)")
        }
        for script in outcomes.keys.sorted(by: { $0.path < $1.path }) {
            let name = relativePath(of: script, under: rootURL)
            switch outcomes[script]! {
            case .rendered: print("rendered  \(name)")
            case .gnuplotMissing: print("skipped   \(name) (gnuplot missing)")
            case .failed(let reason):
                fflush(nil)  // keep the order of the two streams in a shared log
                FileHandle.standardError.write(
                    Data("FAILED    \(name)\n\(indented(reason))\n".utf8))
            }
        }
        let rendered = outcomes.values.filter { $0 == .rendered }.count
        let missing = outcomes.values.filter { $0 == .gnuplotMissing }.count
        let failed = outcomes.count - rendered - missing
        print(
            "\(rendered) rendered, \(failed) failed"
                + (missing > 0 ? ", \(missing) skipped (gnuplot missing)" : ""))

        var indexFailed = false
        if indexesEverything {
            do {
                print("rewrote \(try FigureIndex.write(figuresRoot: rootURL).path)")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                indexFailed = true
            }
        }

        // HOOK (not implemented yet): regenerate each chapter README's results table from its
        // figures/<chapter>/<profile>/results.json, between marker comments. That belongs to
        // ChapterSupport (it owns RunRecord); call it here once ChapterSupport provides it.

        if failed > 0 || missing > 0 || !gnuplot.isAvailable || indexFailed {
            throw ExitCode.failure
        }
    }

    /// gnuplot's multi-line stderr, trimmed and indented under the figure's line.
    private func indented(_ text: String) -> String {
        text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
    }

    private func relativePath(of url: URL, under root: URL) -> String {
        let base = root.standardizedFileURL.path
        let path = url.path
        guard path.hasPrefix(base + "/") else { return path }
        return String(path.dropFirst(base.count + 1))
    }
}

RenderFigures.main()
