import Foundation

/// Counts per bin, for one or more overlaid distributions, with labelled vertical markers,
/// e.g. membrane potentials before and after calibration with the firing threshold marked.
///
/// ```swift
/// Histogram(
///     title: "Pre-activations, layer 3", x: Axis("pre-activation"),
///     series: [HistogramSeries(label: "ANN", values: acts, binCount: 40, range: 0...3)],
///     markers: [ReferenceLine("θ = 1.27 (99.9th pct)", at: 1.27)])
/// ```
///
/// `.dat` layout: one index block per series with columns bin centre, count, bin width.
public struct Histogram: Figure, Equatable {
    /// Title above the plot.
    public var title: String
    /// Horizontal axis: label and optional range (default: all bins and markers). Bins are
    /// linear, so the scale must be `.linear`.
    public var x: Axis
    /// Vertical axis, `"count"` by default; `.log` shows rare large values.
    public var y: Axis
    /// The distributions, overlaid with transparent fills in theme colour order.
    public var series: [HistogramSeries]
    /// Labelled vertical lines (thresholds, percentiles), listed in the key.
    public var markers: [ReferenceLine]
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates a histogram plot.
    public init(
        title: String, x: Axis, y: Axis = Axis("count"), series: [HistogramSeries],
        markers: [ReferenceLine] = [], key: KeyPosition = .topRight,
        size: FigureSize = .standard
    ) {
        precondition(x.scale == .linear, "Histogram bins are linear: use a linear x axis")
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.markers = markers
        self.key = key
        self.size = size
    }

    public func gnuplotData() -> String {
        var text = _Gnuplot.columnHeader(["bin centre, \(x.label)", y.label, "bin width"])
        text += series.enumerated().map { index, s in
            var rows = [_Gnuplot.comment("index \(index): \(s.label)")]
            if s.bins.counts.isEmpty { rows.append("NaN NaN NaN") }
            for i in s.bins.counts.indices {
                let (lo, hi) = (s.bins.edges[i], s.bins.edges[i + 1])
                rows.append(
                    [(lo + hi) / 2, s.bins.counts[i], hi - lo].map(_Gnuplot.number)
                        .joined(separator: " "))
            }
            return rows.joined(separator: "\n") + "\n"
        }.joined(separator: "\n\n")
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        var lines = ["set title \(_Gnuplot.quoted(title))"]
        var xAxis = x
        if xAxis.range == nil { xAxis.range = defaultXRange() }
        lines += xAxis.commands("x") + y.commands("y")
        if y.scale != .linear, y.range == nil, let bottom = logAxisBottom() {
            lines.append("set yrange [\(_Gnuplot.number(bottom)):*]")
        }
        lines.append("set grid noxtics")
        for (index, marker) in markers.enumerated() {
            lines.append(
                "set arrow from first \(_Gnuplot.number(marker.value)), graph 0 "
                    + "to first \(_Gnuplot.number(marker.value)), graph 1 nohead back "
                    + "ls \(_Gnuplot.referenceStyle(index))")
        }
        lines += key.commands(
            entries: series.map(\.label) + markers.map(\.label), size: size)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        // See-through fills: overlaps stay visible and so do the markers, which are drawn
        // behind the bars (in front they would also cross the key box).
        let fill = series.count > 1 ? "transparent solid 0.35" : "transparent solid 0.55"
        var elements = series.enumerated().map { index, s in
            "datafile index \(index) using 1:2:3 with boxes fs \(fill) border "
                + "ls \(_Gnuplot.seriesStyle(index)) title \(_Gnuplot.quoted(s.label))"
        }
        // Markers are arrows (not data), so give each a key entry with an invisible NaN curve.
        elements += markers.enumerated().map { index, marker in
            "NaN with lines ls \(_Gnuplot.referenceStyle(index)) "
                + "title \(_Gnuplot.quoted(marker.label))"
        }
        lines.append(_Gnuplot.plot(elements))
        return lines.joined(separator: "\n") + "\n"
    }

    /// All bin edges and markers, padded by 2% of the span on each side.
    private func defaultXRange() -> ClosedRange<Double>? {
        let values = (series.flatMap(\.bins.edges) + markers.map(\.value)).filter(\.isFinite)
        guard let lo = values.min(), let hi = values.max(), lo < hi else { return nil }
        let pad = 0.02 * (hi - lo)
        return (lo - pad)...(hi + pad)
    }

    private func logAxisBottom() -> Double? {
        let base: Double = y.scale == .log2 ? 2 : 10
        let positive = series.flatMap(\.bins.counts).filter { $0 > 0 && $0.isFinite }
        guard let smallest = positive.min() else { return nil }
        return pow(base, (log(smallest) / log(base) - 1e-9).rounded(.down))
    }
}

/// One labelled distribution of a histogram.
public struct HistogramSeries: Sendable, Equatable {
    /// Key entry.
    public var label: String
    /// The bins and their counts.
    public var bins: Bins

    /// A series from bins you computed yourself.
    public init(label: String, bins: Bins) {
        self.label = label
        self.bins = bins
    }

    /// A series from raw values, counted into `binCount` equal bins over `range`
    /// (see `Bins.init(values:binCount:range:)`).
    public init<Values: Sequence>(
        label: String, values: Values, binCount: Int, range: ClosedRange<Double>
    ) where Values.Element: BinaryFloatingPoint {
        self.init(label: label, bins: Bins(values: values, binCount: binCount, range: range))
    }
}

