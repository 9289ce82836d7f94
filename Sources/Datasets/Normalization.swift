import TensorCore

/// Per-channel standardisation: x̂ = (x − μ_c) / σ_c for every pixel of channel c.
///
/// μ and σ are measured once on the training set (`init(fittedTo:)`) and then applied
/// unchanged to training batches and to the test set, so test data never influences the
/// preprocessing. For Fashion-MNIST μ ≈ 0.286 and σ ≈ 0.353 (checked by `FashionMNISTTests`).
///
///     let normalization = Normalization(fittedTo: train)
///     let testInput = normalization.apply(to: test.images)  // [N, C, H, W]
public struct Normalization: Codable, Equatable, Sendable {
    /// μ_c, one mean per channel, in pixel units ([0, 1] scale).
    public var mean: [Float]
    /// σ_c, one standard deviation per channel (population, over N·H·W pixels).
    public var std: [Float]

    /// A normalisation with given statistics (e.g. published ones).
    ///
    /// - Precondition: one mean and one positive standard deviation per channel.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "\(mean.count) means but \(std.count) deviations")
        precondition(std.allSatisfy { $0 > 0 }, "standard deviations must be positive: \(std)")
        self.mean = mean
        self.std = std
    }

    /// m_c = max(μ_c, 1 − μ_c) / σ_c: the largest |x̂| a pixel of channel c can take when its
    /// raw value lies in [0, 1] (the scale of the signed temporal input code).
    public var largestMagnitude: [Float] {
        zip(mean, std).map { Swift.max($0, 1 - $0) / $1 }
    }

    /// Measures μ_c = Σ x / (N·H·W) and σ_c = √(Σ x² / (N·H·W) − μ_c²) per channel on `data`.
    ///
    /// Sums are accumulated per image plane in Float (≤ 1024 terms) and across planes in
    /// Double, so the result does not depend on N's size in any visible digit.
    /// - Complexity: O(N·C·H·W), one pass, split over the workers.
    public init(fittedTo data: LabeledImages) {
        let n = data.count
        let channels = data.imageShape[0]
        let plane = data.imageShape[1] * data.imageShape[2]
        precondition(n > 0, "cannot fit a normalisation to an empty set")
        let workers = max(1, min(Parallelism.workers, n))
        // sums[w][c] and squares[w][c], one slot per worker: no shared writes.
        var partial = [Double](repeating: 0, count: 2 * workers * channels)
        data.images.withUnsafeBufferPointer { pixels in
            partial.withUnsafeMutableBufferPointer { slots in
                let source = SendablePointer(pixels.baseAddress!)
                let sums = SendablePointer(slots.baseAddress!)
                parallelFor(workers) { worker in
                    for image in (n * worker / workers)..<(n * (worker + 1) / workers) {
                        for channel in 0..<channels {
                            let p = source.base + (image * channels + channel) * plane
                            var sum: Float = 0
                            var squares: Float = 0
                            for i in 0..<plane {
                                sum += p[i]
                                squares += p[i] * p[i]
                            }
                            let slot = 2 * (worker * channels + channel)
                            sums.base[slot] += Double(sum)
                            sums.base[slot + 1] += Double(squares)
                        }
                    }
                }
            }
        }
        let pixelsPerChannel = Double(n * plane)
        var mean = [Float]()
        var std = [Float]()
        for channel in 0..<channels {
            var sum = 0.0
            var squares = 0.0
            for worker in 0..<workers {
                sum += partial[2 * (worker * channels + channel)]
                squares += partial[2 * (worker * channels + channel) + 1]
            }
            let mu = sum / pixelsPerChannel
            mean.append(Float(mu))
            std.append(Float(max(squares / pixelsPerChannel - mu * mu, 1e-12).squareRoot()))
        }
        self.init(mean: mean, std: std)
    }

    /// The standardised images, `[N, C, H, W]` → same shape.
    ///
    /// - Precondition: `images.shape[1]` equals the number of channels.
    public func apply(to images: Tensor) -> Tensor {
        var result = images
        precondition(
            images.rank == 4 && images.shape[1] == mean.count,
            "expected [N, \(mean.count), H, W], got \(images.shape)")
        let plane = images.shape[2] * images.shape[3]
        result.withUnsafeMutableBufferPointer { pixels in
            applyInPlace(pixels.baseAddress!, images: images.shape[0], plane: plane)
        }
        return result
    }

    /// The same examples with standardised images.
    public func apply(to data: LabeledImages) -> LabeledImages {
        LabeledImages(
            images: apply(to: data.images), labels: data.labels, classNames: data.classNames,
            dataset: data.dataset)
    }

    /// x ← (x − μ_c) · (1/σ_c) over `images` contiguous `[C, plane]` images at `pixels`.
    func applyInPlace(_ pixels: UnsafeMutablePointer<Float>, images: Int, plane: Int) {
        let channels = mean.count
        let shift = mean
        let scale = std.map { 1 / $0 }
        let target = SendablePointer(pixels)
        parallelChunks(images * channels * plane, granularity: plane) { range in
            var start = range.lowerBound
            while start < range.upperBound {
                let channel = (start / plane) % channels
                let mu = shift[channel]
                let inverse = scale[channel]
                let p = target.base + start
                for i in 0..<plane { p[i] = (p[i] - mu) * inverse }
                start += plane
            }
        }
    }
}
