/// A figure spec that can be written as a gnuplot data file plus the commands that plot it.
///
/// The five kinds are `LinePlot`, `BarChart`, `Histogram`, `ScatterPlot` and `HeatMap`. Specs
/// are plain values holding Swift arrays; `FigureWriter` turns one into `<id>.dat`, `<id>.gp`
/// and `<id>.png`. Both methods are pure, so the same spec always gives the same text.
public protocol Figure: Sendable {
    /// Pixel size of the PNG.
    var size: FigureSize { get }

    /// The `.dat` contents: commented header naming each column with its unit, then whitespace
    /// separated columns (several series as gnuplot index blocks, two blank lines apart).
    func gnuplotData() -> String

    /// The figure-specific gnuplot commands (title, axes, `plot`), run after the terminal and
    /// the shared theme are set. `dataFile` is the `.dat` file name, relative to the script.
    func gnuplotCommands(dataFile: String) -> String
}
