import Foundation
import SystemSupport

/// Re-renders committed figures: every `<id>.gp` under a directory tree becomes `<id>.png`,
/// with no training and no Swift-side data. This is what `swift run render-figures` does.
public enum Renderer {
    /// All `.gp` files under `root` (recursively, skipping hidden files and folders), sorted by
    /// path so output order is stable.
    public static func scripts(under root: URL) -> [URL] {
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        else { return [] }
        var found: [URL] = []
        for case let url as URL in enumerator where url.pathExtension == "gp" {
            found.append(url.standardizedFileURL)
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Runs gnuplot on every script from `scripts(under:)`, each in its own directory, one
    /// after another (about 0.1 s each). Without gnuplot every script maps to `.gnuplotMissing`.
    /// A script whose render fails (`.failed`, e.g. its `.dat` is missing) keeps its previous
    /// PNG. Temporary PNGs of an earlier render that was killed are removed first.
    public static func renderAll(
        under root: URL, gnuplot: Gnuplot = Gnuplot()
    ) -> [URL: RenderOutcome] {
        let found = scripts(under: root)
        for directory in Set(found.map { $0.deletingLastPathComponent() }) {
            AtomicFile.removeLeftovers(in: directory)
        }
        var outcomes: [URL: RenderOutcome] = [:]
        for script in found {
            outcomes[script] = gnuplot.render(script: script)
        }
        return outcomes
    }
}
