import CSpikeKernels

extension Tensor {
    /// y = x·Wᵀ + b for x `[M, I]` whose rows are mostly zeros (spikes, or spikes after an
    /// average pool), w `[O, I]`: each non-zero x[m, i] adds x[m, i]·w[:, i] to row m
    /// (`snn_sparse_linear`). Work ∝ non-zeros × O instead of M·I·O, and no OpenBLAS call, whose
    /// idle threads would otherwise yield the cores the simulation's workers need.
    ///
    /// Every output sums its products in a fixed order (see the kernel's header), and rows are
    /// split between the workers whole: the bits depend neither on the worker count nor on the
    /// CPU. Agrees with `matmul` to rounding.
    public static func sparseLinear(_ x: Tensor, weight w: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[1],
                     "sparseLinear: x \(x.shape) does not match weight \(w.shape)")
        let (m, inputs, outputs) = (x.shape[0], w.shape[1], w.shape[0])
        let block = Int(SNN_SPARSE_LINEAR_BLOCK)
        let padded = (outputs + block - 1) / block * block
        var packed = Tensor(uninitializedShape: [inputs * padded])
        let paddedBias: [Float]? = bias.map { $0.scalars + [Float](repeating: 0, count: padded - outputs) }
        let rows = x.converted(to: .rowMajor)
        let weight = w.converted(to: .rowMajor)
        var y = Tensor(uninitializedShape: [m, outputs])
        if m == 0 { return y }
        weight.withUnsafeStorage { src, _ in
            packed.withUnsafeMutableStorage { dst, _ in
                let (S, D) = (SendablePointer(src.baseAddress!), SendablePointer(dst.baseAddress!))
                let workers = Swift.min(Parallelism.workers, Swift.max(1, w.count / Parallelism.minimumElementsPerWorker))
                WorkerTeam.run(workers) { worker in
                    snn_sparse_linear_pack(S.base, D.base, Int64(inputs), Int64(outputs),
                                           Int64(inputs * worker / workers), Int64(inputs * (worker + 1) / workers))
                }
            }
        }
        rows.withUnsafeStorage { xs, _ in
            packed.withUnsafeStorage { wt, _ in
                y.withUnsafeMutableStorage { out, _ in
                    let (X, W, Y) = (SendablePointer(xs.baseAddress!), SendablePointer(wt.baseAddress!),
                                     SendablePointer(out.baseAddress!))
                    let workers = Swift.min(Parallelism.workers, m)
                    func run(_ b: UnsafePointer<Float>?) {
                        let B = b.map { SendablePointer($0) }
                        WorkerTeam.run(workers) { worker in
                            snn_sparse_linear(X.base, W.base, B?.base, Y.base, Int64(inputs), Int64(outputs),
                                              Int64(m * worker / workers), Int64(m * (worker + 1) / workers))
                        }
                    }
                    if paddedBias != nil {
                        paddedBias!.withUnsafeBufferPointer { run($0.baseAddress!) }
                    } else {
                        run(nil)
                    }
                }
            }
        }
        return y
    }

    /// `sparseLinear` when `policy` is spike-driven and at most its `maxDensity` of x is non-zero;
    /// nil otherwise (the caller multiplies densely). The choice depends only on x's values.
    public static func sparseLinearIfSparse(_ x: Tensor, weight w: Tensor, bias: Tensor?,
                                            policy: SpikeConvolutionPolicy = .current) -> Tensor? {
        guard case .spikeDriven(let maxDensity) = policy, x.rank == 2, x.count > 0,
              Double(x.nonZeroCount()) <= maxDensity * Double(x.count) else { return nil }
        return sparseLinear(x, weight: w, bias: bias)
    }

    /// The kernel's arithmetic in plain Swift, one output at a time (tests only): the same
    /// products, summed in the same order, so it must give the same bits.
    public static func sparseLinearReference(_ x: Tensor, weight w: Tensor, bias: Tensor?) -> Tensor {
        let (m, inputs, outputs) = (x.shape[0], w.shape[1], w.shape[0])
        let xs = x.converted(to: .rowMajor).scalars, ws = w.converted(to: .rowMajor).scalars
        let b = bias?.scalars
        var y = [Float](repeating: 0, count: m * outputs)
        for row in 0..<m {
            let nonZeros = (0..<inputs).filter { xs[row * inputs + $0] != 0 }
            for o in 0..<outputs {
                var even: Float = 0, odd: Float = 0
                for (k, i) in nonZeros.enumerated() {
                    let product = xs[row * inputs + i] * ws[o * inputs + i]
                    if k % 2 == 0 { even += product } else { odd += product }
                }
                var sum = even + odd
                if let b { sum += b[o] }
                y[row * outputs + o] = sum
            }
        }
        return Tensor(shape: [m, outputs], scalars: y)
    }
}
