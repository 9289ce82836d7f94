/// Lines through (x, y) points, one per series, e.g. accuracy against time steps for several
/// conversion methods, with the ANN accuracy as a dashed horizontal reference line.
///
/// ```swift
/// LinePlot(
///     title: "Accuracy vs time steps",
///     x: Axis("time steps T", scale: .log2),
///     y: Axis("test accuracy (%)", range: 0...100),
///     series: [Series(label: "SNN", x: [1, 2, 4, 8], y: [10, 35, 72, 89])],
///     referenceLines: [ReferenceLine("ANN 91.2%", at: 91.2)])
/// ```
///
/// `.dat` layout: one index block per series with columns x, y (and the error when given).
public struct LinePlot: Figure, Equatable {
    /// How each series is drawn.
    public enum Style: Sendable, Equatable {
        /// Lines with a marker at every point (few points, e.g. a sweep over T).
        case linesAndPoints
        /// Lines only (many points, e.g. a loss curve).
        case lines
    }

    /// Title above the plot.
    public var title: String
    /// Horizontal axis.
    public var x: Axis
    /// Vertical axis.
    public var y: Axis
    /// The lines, drawn in theme colour order.
    public var series: [Series]
    /// Labelled horizontal lines at fixed y values.
    public var referenceLines: [ReferenceLine]
    /// Lines with or without point markers. Series with `yError` get error bars either way.
    public var style: Style
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates a line plot.
    public init(
        title: String, x: Axis, y: Axis, series: [Series],
        referenceLines: [ReferenceLine] = [], style: Style = .linesAndPoints,
        key: KeyPosition = .bottomRight, size: FigureSize = .standard
    ) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.referenceLines = referenceLines
        self.style = style
        self.key = key
        self.size = size
    }

    public func gnuplotData() -> String {
        _Gnuplot.xyColumnHeader(x: x, y: y, series: series) + _Gnuplot.indexBlocks(series)
    }

    public func gnuplotCommands(dataFile: String) -> String {
        var lines = ["set title \(_Gnuplot.quoted(title))"]
        lines += x.commands("x") + y.commands("y")
        lines += key.commands(
            entries: series.map(\.label) + referenceLines.map(\.label), size: size)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        let elements = series.enumerated().map { index, s in
            let using = s.yError == nil ? "1:2" : "1:2:3"
            let with: String
            switch (s.yError != nil, style) {
            case (true, _): with = "yerrorlines"
            case (false, .linesAndPoints): with = "linespoints"
            case (false, .lines): with = "lines"
            }
            return "datafile index \(index) using \(using) with \(with) "
                + "\(_Gnuplot.seriesStyleSpec(index)) title \(_Gnuplot.quoted(s.label))"
        }
        lines.append(_Gnuplot.plot(elements + _Gnuplot.horizontalLines(referenceLines)))
        return lines.joined(separator: "\n") + "\n"
    }
}
