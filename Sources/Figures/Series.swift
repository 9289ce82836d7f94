/// One labelled set of (x, y) points, optionally with a symmetric error per point.
///
/// Used by `LinePlot` (one line per series) and `ScatterPlot` (one point cloud per series).
/// Non-finite values are written as `NaN` and skipped by gnuplot, which also breaks a line there.
///
/// ```swift
/// Series(label: "SNN, reset by subtraction", x: [1, 2, 4, 8], y: [10.3, 25.1, 60.2, 88.0])
/// ```
public struct Series: Sendable, Equatable {
    /// Key entry for this series.
    public var label: String
    /// x coordinates, in the x axis unit.
    public var x: [Double]
    /// y coordinates, in the y axis unit; `y.count == x.count`.
    public var y: [Double]
    /// Optional half-width of an error bar per point (y ± error), in the y axis unit.
    public var yError: [Double]?

    /// Creates a series; `x`, `y` (and `yError` when given) must have the same length.
    public init(label: String, x: [Double], y: [Double], yError: [Double]? = nil) {
        precondition(
            x.count == y.count, "Series '\(label)': x has \(x.count) values, y has \(y.count)")
        if let yError {
            precondition(
                yError.count == y.count,
                "Series '\(label)': yError has \(yError.count) values, y has \(y.count)")
        }
        self.label = label
        self.x = x
        self.y = y
        self.yError = yError
    }

    /// Creates a series whose x coordinates are 0, 1, 2, … (e.g. epochs or layer indices).
    public init(label: String, y: [Double], yError: [Double]? = nil) {
        self.init(label: label, x: y.indices.map(Double.init), y: y, yError: yError)
    }
}
