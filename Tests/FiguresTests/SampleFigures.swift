import Foundation

@testable import Figures

/// Small, fixed figures of every kind, used by the snapshot and rendering tests. The numbers
/// are made up but shaped like the real ones (accuracy vs T, energy per network, ...).
enum SampleFigures {
    static let linePlot = LinePlot(
        title: "Test accuracy vs time steps",
        x: Axis("time steps T", scale: .log2),
        y: Axis("test accuracy (%)", range: 0...100),
        series: [
            Series(
                label: "reset by subtraction", x: [1, 2, 4, 8, 16, 32],
                y: [10, 31.5, 62.25, 81, 88.75, 90.5]),
            Series(
                label: "reset to zero (mean ± std, 3 seeds)", x: [1, 2, 4, 8, 16, 32],
                y: [10, 18.2, 40.1, 66.6, 79.9, .nan], yError: [0, 2.1, 3.3, 1.8, 1.2, 0]),
        ],
        referenceLines: [ReferenceLine("ANN 91.2%", at: 91.2)],
        key: .bottomRight)

    static let barChart = BarChart(
        title: "Energy per inference",
        categories: ["VGG-16", "ResNet-20", "MLP 784-500-10"],
        groups: [
            .init(label: "ANN (MAC)", values: [1.53, 0.189, 0.00182]),
            .init(label: "SNN T = 32 (AC)", values: [0.311, 0.052, 0.000113]),
        ],
        xLabel: "network", y: Axis("energy (mJ)", scale: .log))

    static let stackedBarChart = BarChart(
        title: "Operations per layer", categories: ["conv1", "conv2", "fc1", "fc2"],
        groups: [
            .init(label: "synaptic ops, t < 8", values: [3.1, 2.2, 0.9, 0.1]),
            .init(label: "synaptic ops, t ≥ 8", values: [1.2, 1.9, 0.4, 0.05]),
        ],
        y: Axis("operations (10^6)"), layout: .stacked,
        referenceLines: [ReferenceLine("ANN MACs, mean layer", at: 3.5)])

    /// Deterministic bell-ish values: a sum of two phase-shifted sine waves, no randomness.
    static func values(count: Int, centre: Double, spread: Double) -> [Double] {
        (0..<count).map { i in
            let t = Double(i)
            return centre + spread * (sin(t * 0.917) + sin(t * 0.381 + 1)) / 2
        }
    }

    static let histogram = Histogram(
        title: "Membrane potential at the last time step",
        x: Axis("membrane potential u / θ"),
        series: [
            HistogramSeries(
                label: "before calibration", values: values(count: 400, centre: 0.4, spread: 0.5),
                binCount: 12, range: -0.2...1.2),
            HistogramSeries(
                label: "after calibration", values: values(count: 400, centre: 0.55, spread: 0.35),
                binCount: 12, range: -0.2...1.2),
        ],
        markers: [ReferenceLine("threshold θ", at: 1), ReferenceLine("θ / 2", at: 0.5)])

    static let scatterPlot = ScatterPlot(
        title: "SNN firing rate vs ANN activation",
        x: Axis("ANN activation / λ", range: 0...1),
        y: Axis("SNN firing rate (spikes / step)", range: 0...1),
        series: [
            Series(
                label: "layer 1", x: [0.05, 0.2, 0.41, 0.6, 0.93],
                y: [0, 0.1875, 0.375, 0.625, 0.9375]),
            Series(label: "layer 2", x: [0.12, 0.33, 0.5, 0.77], y: [0.125, 0.3125, 0.5, 0.75]),
        ],
        diagonalLabel: "rate = activation")

    /// Accuracy against energy with the Pareto front, and more series than theme colours.
    static let scatterPlotWithFront = ScatterPlot(
        title: "Accuracy vs energy",
        x: Axis("E_{SNN} / E_{ANN}", scale: .log),
        y: Axis("test accuracy (%)", range: 0...100),
        series: (0..<9).map { i in
            Series(label: "method \(i + 1)", x: [0.05 * Double(i + 1)], y: [60 + 3 * Double(i)])
        },
        front: Series(label: "Pareto front", x: [0.05, 0.2, 0.45], y: [60, 69, 84]),
        key: .bottomRight)

    /// Row 0 is the bright one (large values), so a rendered map shows at a glance whether
    /// row 0 is at the top.
    static let heatMap = HeatMap(
        title: "Accuracy (%) over time steps and threshold scale",
        values: [
            [60, 75, 85, 90],
            [55, 72, 84, 89.5],
            [40, 66, 80, 88],
        ],
        xLabel: "time steps T", yLabel: "threshold scale",
        columnLabels: ["4", "8", "16", "32"], rowLabels: ["0.8 (row 0)", "0.9", "1.0"],
        valueLabel: "test accuracy (%)")

    static let divergingHeatMap = HeatMap(
        title: "ANN − SNN activation error, layer 2",
        values: (0..<8).map { (r: Int) -> [Double] in
            (0..<10).map { (c: Int) -> Double in 0.1 * Double(r - 3) + 0.02 * Double(c) }
        },
        xLabel: "channel", yLabel: "neuron", valueLabel: "error (activation units)",
        palette: .diverging)

    /// Two 3 × 4 maps side by side, labelled rows and columns, one colour scale.
    static let imagePanels = ImagePanels(
        title: "Attention maps",
        tiles: (0..<4).map { tile in (0..<12).map { Double(($0 + tile) % 5) / 4 } },
        tileWidth: 4, tileHeight: 3,
        rowLabels: ["meta-model", "student"], columnLabels: ["image 1", "image 2"],
        valueLabel: "attention (unitless)", valueRange: 0...1,
        size: FigureSize(width: 600, height: 500))

    /// Three pixels over T = 3 in two codes: analog steps shaded, ±1 spikes marked.
    static let rasterPanels = RasterPanels(
        title: "Input codes", panels: ["direct", "hybrid (signed)"], timesteps: 3,
        rows: ["0.90", "0.50", "0.00"], yLabel: "pixel (intensity)",
        marks: [
            .init(label: "+1 spike", cells: [.init(panel: 1, step: 2, row: 0)]),
            .init(label: "−1 spike", cells: [.init(panel: 1, step: 3, row: 1)]),
        ],
        shaded: .init(
            label: "analog input",
            cells: (0..<3).flatMap { row in
                (1...3).map { RasterPanels.Cell(panel: 0, step: $0, row: row,
                                                value: [0.9, 0.5, 0][row]) }
            } + [.init(panel: 1, step: 1, row: 0, value: 0.9), .init(panel: 1, step: 1, row: 1, value: 0.5)]),
        valueLabel: "pixel intensity", size: FigureSize(width: 600, height: 450))

    /// Every figure kind once, with the snapshot name used for its files.
    static let all: [(name: String, figure: any Figure)] = [
        ("line-plot", linePlot),
        ("bar-chart", barChart),
        ("bar-chart-stacked", stackedBarChart),
        ("histogram", histogram),
        ("scatter-plot", scatterPlot),
        ("scatter-plot-front", scatterPlotWithFront),
        ("heat-map", heatMap),
        ("heat-map-diverging", divergingHeatMap),
        ("image-panels", imagePanels),
        ("raster-panels", rasterPanels),
    ]

    static var names: [String] { all.map(\.name) }

    static func figure(named name: String) -> any Figure {
        all.first { $0.name == name }!.figure
    }
}

/// Whether gnuplot is on PATH (rendering tests are gated on it).
let gnuplotInstalled = Gnuplot().isAvailable

/// A fresh empty directory under the system temp dir; remove it when done.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("FiguresTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
