// render-figures: re-renders every committed figure (`*.gp` → `.png`) with gnuplot, in seconds,
// without retraining anything. Each chapter run writes `.dat` + `.gp` through `FigureWriter`;
// this tool only replays the `.gp` scripts.
//
//     swift run render-figures                 # everything under figures/, then the index
//     swift run render-figures --index-only    # only rewrite figures/README.md (no gnuplot)
//     swift run render-figures --root figures/classic/quick
//
// It also owns figures/README.md, the figure index (`FigureIndex` in Sources/Regeneration):
// rewritten from every figures/<key>/<profile>/results.json whenever the whole figures/
// folder is rendered (`regenerate` calls the same function as its last step).
//
// Exit status: 0 when every figure rendered; 1 if any failed or gnuplot is missing.

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
        let outcomes = Renderer.renderAll(under: rootURL)
        if outcomes.isEmpty {
            print("no .gp files under \(rootURL.path)")
        }
        for script in outcomes.keys.sorted(by: { $0.path < $1.path }) {
            let name = relativePath(of: script, under: rootURL)
            switch outcomes[script]! {
            case .rendered: print("rendered  \(name)")
            case .gnuplotMissing: print("skipped   \(name) (gnuplot missing)")
            case .failed(let reason): print("FAILED    \(name)\n" + indented(reason))
            }
        }
        let rendered = outcomes.values.filter { $0 == .rendered }.count
        let missing = outcomes.values.filter { $0 == .gnuplotMissing }.count
        let failed = outcomes.count - rendered - missing
        print(
            "\(rendered) rendered, \(failed) failed"
                + (missing > 0 ? ", \(missing) skipped (gnuplot missing)" : ""))

        if indexesEverything {
            print("rewrote \(try FigureIndex.write(figuresRoot: rootURL).path)")
        }

        // HOOK (not implemented yet): regenerate each chapter README's results table from its
        // figures/<chapter>/<profile>/results.json, between marker comments. That belongs to
        // ChapterSupport (it owns RunRecord); call it here once ChapterSupport provides it.

        if failed > 0 || missing > 0 || !Gnuplot().isAvailable {
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
