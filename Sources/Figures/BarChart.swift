import Foundation

/// Bars for a few named categories, one bar per group in each category, e.g. accuracy of
/// several methods (groups) on several networks (categories), or energy per layer.
///
/// ```swift
/// BarChart(
///     title: "Energy per inference", categories: ["VGG-16", "ResNet-20"],
///     groups: [.init(label: "ANN", values: [1.0, 0.8]), .init(label: "SNN", values: [0.2, 0.1])],
///     y: Axis("energy (mJ)", scale: .log))
/// ```
///
/// `.dat` layout: one row per category: quoted category name, then one column per group.
public struct BarChart: Figure, Equatable {
    /// How the bars of one category are arranged.
    public enum Layout: Sendable, Equatable {
        /// Side by side.
        case grouped
        /// On top of each other (values add up).
        case stacked
    }

    /// One bar per category for one labelled group (e.g. one method).
    public struct Group: Sendable, Equatable {
        /// Key entry.
        public var label: String
        /// One value per category, in the y axis unit.
        public var values: [Double]

        /// Creates a group.
        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    /// Title above the plot.
    public var title: String
    /// Names along the x axis, one per cluster of bars.
    public var categories: [String]
    /// The bars; every group has `categories.count` values.
    public var groups: [Group]
    /// Label under the category names (may be empty).
    public var xLabel: String
    /// Vertical axis (label, linear or log, optional range).
    public var y: Axis
    /// Side by side or stacked.
    public var layout: Layout
    /// Labelled horizontal lines at fixed y values (e.g. a baseline).
    public var referenceLines: [ReferenceLine]
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates a bar chart; every group must have one value per category.
    public init(
        title: String, categories: [String], groups: [Group], xLabel: String = "", y: Axis,
        layout: Layout = .grouped, referenceLines: [ReferenceLine] = [],
        key: KeyPosition = .topRight, size: FigureSize = .standard
    ) {
        for group in groups {
            precondition(
                group.values.count == categories.count,
                "BarChart group '\(group.label)' has \(group.values.count) values "
                    + "for \(categories.count) categories")
        }
        self.title = title
        self.categories = categories
        self.groups = groups
        self.xLabel = xLabel
        self.y = y
        self.layout = layout
        self.referenceLines = referenceLines
        self.key = key
        self.size = size
    }

    public func gnuplotData() -> String {
        let columns =
            [xLabel.isEmpty ? "category" : xLabel]
            + groups.map { "\(y.label): \($0.label)" }
        var text = _Gnuplot.columnHeader(columns)
        for (row, category) in categories.enumerated() {
            let values = groups.map { _Gnuplot.number($0.values[row]) }
            text += ([_Gnuplot.dataString(category)] + values).joined(separator: " ") + "\n"
        }
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        var lines = ["set title \(_Gnuplot.quoted(title))"]
        lines.append("set xlabel \(_Gnuplot.quoted(xLabel))")
        lines += y.commands("y")
        if y.scale != .linear, y.range == nil, let bottom = logAxisBottom() {
            // Bars start at the bottom of a log axis: put it one decade (or octave) below
            // the smallest bar so that bar stays visible.
            lines.append("set yrange [\(_Gnuplot.number(bottom)):*]")
        }
        lines.append("set style data histograms")
        switch layout {
        case .grouped: lines.append("set style histogram clustered gap 1")
        case .stacked: lines.append("set style histogram rowstacked")
        }
        lines.append("set boxwidth 0.8 relative")
        lines.append("set xtics scale 0")
        lines.append("set grid noxtics")
        lines.append(key.command)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        let bars = groups.enumerated().map { index, group in
            let xtic = index == 0 ? ":xtic(1)" : ""
            return "datafile using \(index + 2)\(xtic) ls \(_Gnuplot.seriesStyle(index)) "
                + "title \(_Gnuplot.quoted(group.label))"
        }
        lines.append(_Gnuplot.plot(bars + _Gnuplot.horizontalLines(referenceLines)))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The power of the log base just below the smallest positive value, or nil if none.
    private func logAxisBottom() -> Double? {
        let base: Double = y.scale == .log2 ? 2 : 10
        let positive = groups.flatMap(\.values).filter { $0 > 0 && $0.isFinite }
        guard let smallest = positive.min() else { return nil }
        let exponent = (log(smallest) / log(base) - 1e-9).rounded(.down)
        return pow(base, exponent)
    }
}

