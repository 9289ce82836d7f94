import Foundation
import SystemSupport

/// Writes a figure as `<id>.dat` + a self-contained `<id>.gp`, then renders `<id>.png` with
/// gnuplot when it is installed.
///
/// ```swift
/// let writer = FigureWriter(directory: outputDirectory)
/// let written = try writer.write(plot, id: "fig1-accuracy-vs-timesteps")
/// // written.outcome == .rendered, or .gnuplotMissing on a machine without gnuplot;
/// // a failed render throws FigureError.renderFailed naming the figure
/// ```
///
/// The `.gp` sets the PNG terminal and size, inlines `Theme` and reads its `.dat` by relative
/// path, so `cd <directory> && gnuplot <id>.gp` works without Swift. Both text files are
/// deterministic (no dates, fixed `%.6g` numbers) and written atomically.
public struct FigureWriter: Sendable {
    /// Where the three files go; created if missing.
    public var directory: URL
    /// The gnuplot used for rendering.
    public var gnuplot: Gnuplot

    /// A writer for `directory`. `gnuplotPath` overrides the `PATH` lookup of `gnuplot`
    /// (a path that does not exist simulates a machine without gnuplot).
    public init(directory: URL, gnuplotPath: String? = nil) {
        self.directory = directory
        self.gnuplot = gnuplotPath.map { Gnuplot(path: $0) } ?? Gnuplot()
    }

    /// The text of `<id>.dat` and `<id>.gp` for `figure`, without touching the disk.
    public func files(for figure: some Figure, id: String) -> FigureFiles {
        Self.validate(id)
        let data = _Gnuplot.comment(id) + "\n" + figure.gnuplotData()
        let script = [
            _Gnuplot.comment("\(id).gp: written by the Figures module of LowLatencySNN."),
            _Gnuplot.comment(
                "Render: cd into this directory and run `gnuplot \(id).gp` "
                    + "(or `swift run render-figures` from the package root)."),
            _Gnuplot.comment("Data: \(id).dat"),
            "set terminal pngcairo size \(figure.size.width),\(figure.size.height) "
                + "enhanced font 'DejaVu Sans,11'",
            "# render-figures sets pngfile to a temporary name, then renames it on success",
            "if (!exists('pngfile')) pngfile = \(_Gnuplot.quoted(id + ".png"))",
            "set output pngfile",
            Theme.gnuplot + figure.gnuplotCommands(dataFile: id + ".dat"),
        ].joined(separator: "\n")
        return FigureFiles(data: data, script: script)
    }

    /// Writes `<id>.dat` and `<id>.gp` into `directory` (atomically) and runs gnuplot on them.
    ///
    /// A `<id>.png` from before is removed first, so a PNG never stands beside data it was not
    /// drawn from. Without gnuplot the outcome is `.gnuplotMissing` (a one-line warning is
    /// printed once per process) and no PNG is left.
    ///
    /// - Throws: `FigureError.renderFailed` naming the figure when gnuplot fails, hangs past
    ///   its timeout or writes no whole PNG of the figure's size; the error of writing a file.
    @discardableResult
    public func write(_ figure: some Figure, id: String) throws -> WrittenFigure {
        let files = files(for: figure, id: id)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true)
        } catch {
            throw FigureError.io("cannot create \(directory.path): \(error)")
        }
        let written = WrittenFigure(
            id: id,
            dataURL: directory.appendingPathComponent(id + ".dat"),
            scriptURL: directory.appendingPathComponent(id + ".gp"),
            imageURL: directory.appendingPathComponent(id + ".png"),
            outcome: .gnuplotMissing)
        if unlink(written.imageURL.path) != 0, errno != ENOENT {
            throw FigureError.io("cannot remove the previous \(written.imageURL.path): "
                + String(cString: strerror(errno)))
        }
        try atomicWrite(Data(files.data.utf8), to: written.dataURL)
        try atomicWrite(Data(files.script.utf8), to: written.scriptURL)
        var result = written
        result.outcome = gnuplot.render(script: written.scriptURL)
        if case .failed(let reason) = result.outcome {
            throw FigureError.renderFailed(id: id, reason: reason)
        }
        return result
    }

    /// Figure ids become file names: non-empty, no `/`, no quote, not starting with a dot.
    private static func validate(_ id: String) {
        precondition(
            !id.isEmpty && !id.hasPrefix(".") && !id.contains("/") && !id.contains("'"),
            "figure id '\(id)' must be a plain file name like fig1-accuracy-vs-timesteps")
    }
}

/// The text of a figure's two files, as `FigureWriter` would write them.
public struct FigureFiles: Sendable, Equatable {
    /// Contents of `<id>.dat`.
    public var data: String
    /// Contents of `<id>.gp`.
    public var script: String
}

/// Where a figure's files went and whether the PNG was rendered.
public struct WrittenFigure: Sendable, Equatable {
    /// The figure id (file name stem).
    public var id: String
    /// `<directory>/<id>.dat`.
    public var dataURL: URL
    /// `<directory>/<id>.gp`.
    public var scriptURL: URL
    /// `<directory>/<id>.png` (exists only when `outcome == .rendered`).
    public var imageURL: URL
    /// gnuplot's result: `.rendered` or `.gnuplotMissing` (a failure is thrown instead).
    public var outcome: RenderOutcome
}
