/// Spike rasters side by side, drawn by gnuplot: each panel is a grid of rows (neurons,
/// pixels) × time steps 1…T, every panel shares the rows, and each kind of mark (a +1 spike,
/// a −1 spike) is a filled cell in its own colour with a key entry. Cells that carry a value
/// instead of a spike (an analog input step) can be shaded in grey by value, with a colour
/// bar, under the marks. For a handful of rows and steps; `SpikeRaster` draws thousands of
/// neurons as bare pixels.
///
/// ```swift
/// RasterPanels(
///     title: "Input encodings", panels: ["direct", "Poisson"], timesteps: 5,
///     rows: ["0.98", "0.51"], yLabel: "pixel (intensity)",
///     marks: [.init(label: "spike", cells: [.init(panel: 1, step: 2, row: 0)])],
///     shaded: .init(label: "analog input", cells: [.init(panel: 0, step: 1, row: 0, value: 0.98)]),
///     valueLabel: "analog input value")
/// ```
///
/// `.dat` layout: one index block per kind of mark (the shaded cells first, when given) with
/// columns x, row, value, where x = panel·(T + 1) + step places the panels one empty column
/// apart.
public struct RasterPanels: Figure, Equatable {
    /// One cell of a panel: time step `step` (1…T) of row `row` (0 = top).
    public struct Cell: Sendable, Equatable {
        /// Panel index, 0 = leftmost.
        public var panel: Int
        /// Time step, 1…T.
        public var step: Int
        /// Row index, 0 = top.
        public var row: Int
        /// The shade of a shaded cell (ignored for marks).
        public var value: Double

        /// Creates a cell.
        public init(panel: Int, step: Int, row: Int, value: Double = 1) {
            self.panel = panel
            self.step = step
            self.row = row
            self.value = value
        }
    }

    /// The cells of one kind (one key entry).
    public struct Cells: Sendable, Equatable {
        /// Key entry, e.g. `"+1 spike"`.
        public var label: String
        /// The cells.
        public var cells: [Cell]

        /// Creates one kind of cell.
        public init(label: String, cells: [Cell]) {
            self.label = label
            self.cells = cells
        }
    }

    /// Title above the panels.
    public var title: String
    /// One title per panel, shown above it.
    public var panels: [String]
    /// Time steps per panel (the x tics of each panel are 1…T).
    public var timesteps: Int
    /// One label per row, top to bottom (y tics).
    public var rows: [String]
    /// Label under the time steps.
    public var xLabel: String
    /// Label beside the rows.
    public var yLabel: String
    /// Spikes and other events, drawn over the shaded cells in theme colour order.
    public var marks: [Cells]
    /// Cells shaded in grey by value (white = the low end of `valueRange`, black = the top);
    /// nil for none.
    public var shaded: Cells?
    /// Label of the colour bar of the shaded cells.
    public var valueLabel: String
    /// Values mapped to white … black.
    public var valueRange: ClosedRange<Double>
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates side-by-side rasters; every cell must lie inside its panel's grid.
    public init(
        title: String, panels: [String], timesteps: Int, rows: [String],
        xLabel: String = "time step t", yLabel: String, marks: [Cells], shaded: Cells? = nil,
        valueLabel: String = "", valueRange: ClosedRange<Double> = 0...1,
        key: KeyPosition = .below, size: FigureSize = FigureSize(width: 900, height: 620)
    ) {
        precondition(!panels.isEmpty && timesteps > 0 && !rows.isEmpty,
                     "RasterPanels needs panels, time steps and rows")
        for cell in (marks + (shaded.map { [$0] } ?? [])).flatMap(\.cells) {
            precondition(
                panels.indices.contains(cell.panel) && (1...timesteps).contains(cell.step)
                    && rows.indices.contains(cell.row),
                "RasterPanels: cell \(cell) outside \(panels.count) panels x \(timesteps) "
                    + "steps x \(rows.count) rows")
        }
        self.title = title
        self.panels = panels
        self.timesteps = timesteps
        self.rows = rows
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.marks = marks
        self.shaded = shaded
        self.valueLabel = valueLabel
        self.valueRange = valueRange
        self.key = key
        self.size = size
    }

    /// x of step `step` in panel `panel`: panels one empty column apart.
    func x(panel: Int, step: Int) -> Int { panel * (timesteps + 1) + step }

    private var blocks: [Cells] { (shaded.map { [$0] } ?? []) + marks }

    public func gnuplotData() -> String {
        var text = _Gnuplot.columnHeader([
            "x = panel·(T + 1) + time step, T = \(timesteps); panels: "
                + panels.joined(separator: ", "),
            "row (0 = top): " + rows.joined(separator: ", "),
            "value (shaded cells: \(valueLabel); marks: 1)",
        ])
        text += blocks.enumerated().map { index, kind in
            var lines = [_Gnuplot.comment("index \(index): \(kind.label)")]
            if kind.cells.isEmpty { lines.append("NaN NaN NaN") }
            for cell in kind.cells {
                lines.append(
                    "\(x(panel: cell.panel, step: cell.step)) \(cell.row) "
                        + _Gnuplot.number(cell.value))
            }
            return lines.joined(separator: "\n") + "\n"
        }.joined(separator: "\n\n")
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        let right = x(panel: panels.count - 1, step: timesteps)
        var lines = [
            "set title \(_Gnuplot.quoted(title))",
            "set xlabel \(_Gnuplot.quoted(xLabel))",
            "set ylabel \(_Gnuplot.quoted(yLabel))",
            "unset grid",
            "set border 0",
            "set xrange [0.5:\(_Gnuplot.number(Double(right) + 0.5))]",
            "# reversed y range: row 0 at the top",
            "set yrange [\(_Gnuplot.number(Double(rows.count) - 0.5)):-0.5]",
            "set tics scale 0",
        ]
        // Steps under every panel (every step while they are few), panel names above them.
        let every = max(1, (timesteps + 9) / 10)
        let steps = Array(stride(from: 1, through: timesteps, by: every))
        lines.append("set xtics (" + panels.indices.flatMap { p in
            steps.map { "'\($0)' \(x(panel: p, step: $0))" }
        }.joined(separator: ", ") + ")")
        lines.append("set x2tics (" + panels.enumerated().map { p, name in
            "\(_Gnuplot.quoted(name)) "
                + _Gnuplot.number(Double(x(panel: p, step: 1) + x(panel: p, step: timesteps)) / 2)
        }.joined(separator: ", ") + ")")
        lines.append("set x2range [0.5:\(_Gnuplot.number(Double(right) + 0.5))]")
        lines.append("set x2tics font ',12'")
        lines.append("set ytics (" + rows.enumerated().map { "\(_Gnuplot.quoted($1)) \($0)" }
            .joined(separator: ", ") + ")")
        // A thin frame around each panel's grid.
        for p in panels.indices {
            let (left, right) = (Double(x(panel: p, step: 1)) - 0.5,
                                 Double(x(panel: p, step: timesteps)) + 0.5)
            lines.append(
                "set object rectangle from first \(_Gnuplot.number(left)), first -0.5 to "
                    + "first \(_Gnuplot.number(right)), first "
                    + "\(_Gnuplot.number(Double(rows.count) - 0.5)) "
                    + "fs empty border lc rgb '#808080' lw 1 front")
        }
        if shaded != nil {
            lines.append(Palette.grays.gnuplotCommand)
            lines.append("set cbrange [\(_Gnuplot.number(valueRange.lowerBound)):"
                         + "\(_Gnuplot.number(valueRange.upperBound))]")
            lines.append("set cblabel \(_Gnuplot.quoted(valueLabel))")
            lines.append("set colorbox border")
        } else {
            lines.append("unset colorbox")
        }
        let bottomLines = xLabel.isEmpty ? 1.5 : 2.5
        lines += key.commands(entries: blocks.map(\.label), size: size, bottomLines: bottomLines)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        var elements: [String] = []
        if let shaded {
            elements.append(
                "datafile index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1 noborder "
                    + "lc palette title \(_Gnuplot.quoted(shaded.label))")
        }
        let offset = shaded == nil ? 0 : 1
        elements += marks.enumerated().map { index, mark in
            "datafile index \(index + offset) using 1:2:(0.42):(0.42) with boxxyerror "
                + "fs solid 1 noborder lc rgb '\(Theme.seriesColors[index % Theme.seriesColors.count])' "
                + "title \(_Gnuplot.quoted(mark.label))"
        }
        lines.append(_Gnuplot.plot(elements))
        return lines.joined(separator: "\n") + "\n"
    }
}
