/// Points without lines, one colour per series, optionally with the diagonal y = x, e.g. SNN
/// firing rate against ANN activation per neuron (points on the diagonal mean exact conversion).
///
/// `front`, when given, is drawn as a line through its points on top of the clouds (e.g. the
/// Pareto front of accuracy against energy).
///
/// `.dat` layout: one index block per series with columns x, y; the front is the last block.
public struct ScatterPlot: Figure, Equatable {
    /// Title above the plot.
    public var title: String
    /// Horizontal axis.
    public var x: Axis
    /// Vertical axis.
    public var y: Axis
    /// The point clouds, drawn in theme colour order (`yError` is drawn as error bars).
    public var series: [Series]
    /// Key entry of a dashed y = x line, e.g. `"SNN = ANN"`; `nil` draws no diagonal.
    public var diagonalLabel: String?
    /// A polyline through selected points (its label is the key entry), drawn as a dashed line
    /// in the first reference style over the point clouds (the points stay visible); `nil`
    /// draws none.
    public var front: Series?
    /// Size of each point relative to the theme's point size (use ~0.3 for thousands of points).
    public var pointScale: Double
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates a scatter plot.
    public init(
        title: String, x: Axis, y: Axis, series: [Series], diagonalLabel: String? = nil,
        front: Series? = nil, pointScale: Double = 0.6, key: KeyPosition = .topLeft,
        size: FigureSize = .square
    ) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.diagonalLabel = diagonalLabel
        self.front = front
        self.pointScale = pointScale
        self.key = key
        self.size = size
    }

    public func gnuplotData() -> String {
        let all = series + (front.map { [$0] } ?? [])
        return _Gnuplot.xyColumnHeader(x: x, y: y, series: series) + _Gnuplot.indexBlocks(all)
    }

    public func gnuplotCommands(dataFile: String) -> String {
        var lines = ["set title \(_Gnuplot.quoted(title))"]
        lines += x.commands("x") + y.commands("y")
        let entries = series.map(\.label) + [front?.label, diagonalLabel].compactMap { $0 }
        lines += key.commands(entries: entries, size: size)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        let pointSize = _Gnuplot.number(pointScale * 1.1)
        var elements = series.enumerated().map { index, s in
            let drawing = s.yError == nil ? "using 1:2 with points" : "using 1:2:3 with yerrorbars"
            return "datafile index \(index) \(drawing) \(_Gnuplot.seriesStyleSpec(index)) "
                + "ps \(pointSize) title \(_Gnuplot.quoted(s.label))"
        }
        if let front {
            elements.append(
                "datafile index \(series.count) using 1:2 with lines "
                    + "ls \(_Gnuplot.referenceStyle(0)) title \(_Gnuplot.quoted(front.label))")
        }
        if let diagonalLabel {
            elements.append(
                "x with lines ls \(_Gnuplot.referenceStyle(0)) "
                    + "title \(_Gnuplot.quoted(diagonalLabel))")
        }
        lines.append(_Gnuplot.plot(elements))
        return lines.joined(separator: "\n") + "\n"
    }
}
