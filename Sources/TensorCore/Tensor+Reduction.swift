/// Reductions. Sums accumulate in Double so that results do not depend on the order of a
/// 10⁶-element sum beyond float rounding of the final value.
extension Tensor {
    /// Σ of all elements.
    public func sum() -> Float {
        withUnsafeBufferPointer { p in
            var s = 0.0
            var i = 0
            // 4 partial sums keep the loop vectorisable and the rounding small.
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            while i + 4 <= p.count {
                s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
                i += 4
                if i & 4095 == 0 { s += Double(s0 + s1 + s2 + s3); s0 = 0; s1 = 0; s2 = 0; s3 = 0 }
            }
            s += Double(s0 + s1 + s2 + s3)
            while i < p.count { s += Double(p[i]); i += 1 }
            return Float(s)
        }
    }

    /// How many elements are not zero (spikes, events). Read in the storage layout, split between
    /// the workers: a count depends neither on the order nor on the split.
    public func nonZeroCount() -> Int {
        withUnsafeStorage { p, _ in
            let workers = parallelChunkWorkers(p.count, granularity: Parallelism.minimumElementsPerWorker)
            var partial = [Int](repeating: 0, count: workers)
            partial.withUnsafeMutableBufferPointer { c in
                let (P, C) = (SendablePointer(p.baseAddress!), SendablePointer(c.baseAddress!))
                parallelChunks(p.count, granularity: Parallelism.minimumElementsPerWorker, workerCount: workers) { w, range in
                    var count: Int32 = 0   // per 1,024-element block: fits, and vectorises
                    var total = 0
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let end = Swift.min(range.upperBound, i + 1024)
                        count = 0
                        for j in i..<end { count &+= P.base[j] != 0 ? 1 : 0 }
                        total += Int(count)
                        i = end
                    }
                    C.base[w] = total
                }
            }
            return partial.reduce(0, +)
        }
    }

    /// For a `[T·M, …]` map of `steps` steps (time outermost): the non-zero elements over all
    /// steps, and the most any one of the M positions holds over the steps (a neuron's spike
    /// count). Read in the storage layout: position i of every step is the same element.
    public func nonZeroCountsOverSteps(_ steps: Int) -> (total: Int, largest: Int) {
        let m = count / Swift.max(steps, 1)
        precondition(m * steps == count, "\(count) elements are not \(steps) steps")
        var counts = [Int32](repeating: 0, count: m)
        withUnsafeStorage { p, _ in
            counts.withUnsafeMutableBufferPointer { c in
                for t in 0..<steps {
                    let step = p.baseAddress! + t * m
                    for i in 0..<m { c[i] &+= step[i] != 0 ? 1 : 0 }
                }
            }
        }
        var total = 0, largest: Int32 = 0
        for c in counts { total &+= Int(c); largest = Swift.max(largest, c) }
        return (total, Int(largest))
    }

    /// Mean of all elements.
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

    /// Largest element.
    public func max() -> Float { withUnsafeBufferPointer { $0.max() ?? -.infinity } }

    /// Smallest element.
    public func min() -> Float { withUnsafeBufferPointer { $0.min() ?? .infinity } }

    /// Index of the largest element in each row of a `[rows, columns]` tensor.
    public func argmaxRows() -> [Int] {
        precondition(rank == 2, "argmaxRows needs [rows, columns], got \(shape)")
        let rows = shape[0], cols = shape[1]
        return withUnsafeBufferPointer { p in
            (0..<rows).map { r in
                var best = 0
                var bestValue = p[r * cols]
                for c in 1..<Swift.max(cols, 1) where p[r * cols + c] > bestValue {
                    best = c; bestValue = p[r * cols + c]
                }
                return best
            }
        }
    }

    /// Σ over every dimension except dimension 1: per-channel sums of `[N, C, …]` (or column
    /// sums of `[N, C]`). Returns `[C]`.
    public func sumPerChannel() -> Tensor {
        precondition(rank >= 2, "sumPerChannel needs [N, C, …], got \(shape)")
        let n = shape[0], c = shape[1], inner = count / Swift.max(n * c, 1)
        var out = Tensor(shape: [c])
        withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for ch in 0..<c {
                    var s = 0.0
                    for b in 0..<n {
                        let row = UnsafeBufferPointer(rebasing: p[(b * c + ch) * inner ..< (b * c + ch + 1) * inner])
                        var part: Float = 0
                        for v in row { part += v }
                        s += Double(part)
                    }
                    o[ch] = Float(s)
                }
            }
        }
        return out
    }
}
