import Foundation

/// A spike raster: neurons down, time steps across, a black cell where a neuron spiked and
/// white elsewhere. Written as a grayscale PNG through libpng.
///
/// ```swift
/// // spikes[neuron][t], e.g. 64 neurons over T = 32 steps
/// try SpikeRaster(spikes: spikes).write(to: directory.appendingPathComponent("raster.png"))
/// ```
public struct SpikeRaster: Sendable, Equatable {
    /// Number of neurons (image rows, neuron 0 at the top).
    public var neurons: Int
    /// Number of time steps (image columns, t = 0 on the left).
    public var timesteps: Int
    /// `neurons × timesteps`, neuron-major: `spikes[neuron * timesteps + t]`.
    public var spikes: [Bool]
    /// Pixels per time step.
    public var cellWidth: Int
    /// Pixels per neuron.
    public var cellHeight: Int

    /// A raster from `spikes[neuron][t]`; every neuron needs the same number of time steps.
    public init(spikes: [[Bool]], cellWidth: Int = 6, cellHeight: Int = 3) {
        let timesteps = spikes.first?.count ?? 0
        precondition(
            spikes.allSatisfy { $0.count == timesteps },
            "SpikeRaster: every neuron needs \(timesteps) time steps")
        self.init(
            spikes: Array(spikes.joined()), neurons: spikes.count, timesteps: timesteps,
            cellWidth: cellWidth, cellHeight: cellHeight)
    }

    /// A raster from a flat neuron-major array (as copied out of a [neurons, T] tensor);
    /// any non-zero value is a spike.
    public init(
        spikes: [Float], neurons: Int, timesteps: Int, cellWidth: Int = 6, cellHeight: Int = 3
    ) {
        self.init(
            spikes: spikes.map { $0 != 0 }, neurons: neurons, timesteps: timesteps,
            cellWidth: cellWidth, cellHeight: cellHeight)
    }

    /// A raster from a flat neuron-major `[Bool]`.
    public init(
        spikes: [Bool], neurons: Int, timesteps: Int, cellWidth: Int = 6, cellHeight: Int = 3
    ) {
        precondition(neurons > 0 && timesteps > 0, "SpikeRaster needs neurons and time steps")
        precondition(
            spikes.count == neurons * timesteps,
            "SpikeRaster: \(spikes.count) values for \(neurons) neurons x \(timesteps) steps")
        precondition(cellWidth > 0 && cellHeight > 0, "SpikeRaster cells must be ≥ 1 pixel")
        self.neurons = neurons
        self.timesteps = timesteps
        self.spikes = spikes
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
    }

    /// The raster as a gray image of (timesteps·cellWidth) × (neurons·cellHeight) pixels.
    public func image() -> PNGImage {
        let width = timesteps * cellWidth
        let height = neurons * cellHeight
        var pixels = [UInt8](repeating: 255, count: width * height)
        for neuron in 0..<neurons {
            for t in 0..<timesteps where spikes[neuron * timesteps + t] {
                for y in neuron * cellHeight..<(neuron + 1) * cellHeight {
                    let row = y * width
                    for x in t * cellWidth..<(t + 1) * cellWidth { pixels[row + x] = 0 }
                }
            }
        }
        return PNGImage(width: width, height: height, format: .gray, pixels: pixels)
    }

    /// Writes `image()` as a PNG, atomically.
    public func write(to url: URL) throws {
        try image().write(to: url)
    }
}
