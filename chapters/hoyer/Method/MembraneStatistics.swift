// Measuring what the Hoyer regulariser does to the membrane potentials (NOTES.md §7 figure 2,
// §8 "near"): counts of z/E around the threshold. In the library (compiled with -O) because
// it visits every spike-layer input of the test sample.

import SpikingNeurons
import TensorCore

/// Bins of z/E: `count` equal bins over `range`; values outside go to the end bins.
public enum MembraneBinning {
    public static let range: ClosedRange<Double> = -1...3
    public static let count = 80
    public static var edges: [Double] {
        (0...count).map { range.lowerBound + Double($0) * width }
    }
    public static var width: Double { (range.upperBound - range.lowerBound) / Double(count) }
}

/// Running counts of z/E = h/threshold for one spike layer (h the membrane, `u` in the code).
public struct MembraneCounts: Sendable {
    public var bins = [Double](repeating: 0, count: MembraneBinning.count)
    public var near = 0.0, nonBinary = 0.0, total = 0.0

    public init() {}

    /// `thresholds`: E·|θ|, one value or one per channel of h `[N, C, …]`.
    ///
    /// - Returns: the potentials with |z/E − 1| < 0.1 of each of the N images (the per-image
    ///   record behind a paired standard error of the near-threshold share).
    @discardableResult
    public mutating func add(membrane u: Tensor, spikes: Tensor, thresholds: [Float]) -> [Double] {
        let channels = thresholds.count == 1 ? 1 : u.shape[1]
        let inner = u.count / (u.shape[0] * channels)
        let lo = Float(MembraneBinning.range.lowerBound)
        let hi = Float(MembraneBinning.range.upperBound)
        let perUnit = Float(1 / MembraneBinning.width), last = MembraneBinning.count - 1
        var near = 0, nonBinary = 0
        var nearByImage = [Double](repeating: 0, count: u.shape[0])
        u.withUnsafeBufferPointer { pu in
            spikes.withUnsafeBufferPointer { ps in
                bins.withUnsafeMutableBufferPointer { pb in
                    let (uu, ss, bb) = (pu.baseAddress!, ps.baseAddress!, pb.baseAddress!)
                    for row in 0..<(u.count / inner) {
                        let inverse = 1 / thresholds[row % channels]
                        var i = row * inner
                        while i < (row + 1) * inner {
                            let ratio = uu[i] * inverse                    // z / E
                            if ratio > 0.9 && ratio < 1.1 { near += 1; nearByImage[row / channels] += 1 }
                            var bin = last                   // also NaN and +∞
                            if ratio < lo { bin = 0 } else if ratio < hi {
                                bin = Int((ratio - lo) * perUnit)
                                if bin > last { bin = last }
                            }
                            bb[bin] += 1
                            if ss[i] != 0 && ss[i] != 1 { nonBinary += 1 }
                            i += 1
                        }
                    }
                }
            }
        }
        self.near += Double(near)
        self.nonBinary += Double(nonBinary)
        total += Double(u.count)
        return nearByImage
    }
}
