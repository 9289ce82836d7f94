import CSpikeKernels

/// Whether a convolution whose input is all 0s and one spike amplitude (spikes) runs spike-driven.
///
/// A spike-driven convolution skips the 0s and adds weight rows for the 1s: no multiplications,
/// and work proportional to the number of spikes instead of the number of inputs. The same
/// holds for ∂w, which adds ∂y rows for each spike. ∂x (∂y is dense) stays with oneDNN.
/// The choice depends only on the input's values, never on timings, so runs stay deterministic.
public enum SpikeConvolutionPolicy: Sendable, Hashable, Codable {
    /// Every convolution dense (oneDNN).
    case dense
    /// Spike-driven when the input is binary, its channels are a multiple of 16, the output
    /// channels a multiple of 32, and at most `maxDensity` of the inputs are 1.
    case spikeDriven(maxDensity: Double)

    /// Below the break-even measured on the VGG-11 layers with
    /// `bench snn --layers --spike-density D` (AMD Zen 4, 2 cores): at D = 0.3 the spike-driven
    /// forward and ∂w were faster than oneDNN's blocked f32 kernels on every layer, at 0.45
    /// about even. Typical firing rates in these networks are 0.05–0.2.
    public static let measuredDefault = SpikeConvolutionPolicy.spikeDriven(maxDensity: 0.3)

    /// The policy of `Tensor.convolution` and `Variable.convolution` (task-local:
    /// `SpikeConvolutionPolicy.$current.withValue(.dense) { … }` changes it for that scope).
    @TaskLocal public static var current: SpikeConvolutionPolicy = .measuredDefault
}

extension Tensor {
    /// The spike amplitude a when the first (up to 4096) stored values are all 0 or a (a > 0),
    /// else nil: a cheap filter before a full scan. When they are all 0, a is 1, or with
    /// `lookingPastZeros` the first non-zero value further on (the first steps of a simulation,
    /// before anything fires, would otherwise send spikes of amplitude θ to the dense kernel).
    func leadingSpikeAmplitude(lookingPastZeros: Bool = false) -> Float? {
        withUnsafeStorage { s, _ in
            var amplitude: Float = 0
            for v in s.prefix(4096) where v != 0 {
                if amplitude == 0 { amplitude = v } else if v != amplitude { return nil }
            }
            if amplitude == 0 { amplitude = lookingPastZeros ? s.dropFirst(4096).first { $0 != 0 } ?? 1 : 1 }
            return amplitude > 0 && amplitude.isFinite ? amplitude : nil
        }
    }
}

/// Which build of the spike-driven kernels runs. Both give the same bits (tests check it).
public enum SpikeKernelBuild: Sendable {
    /// AVX-512 where the CPU has it, else AVX2, else the portable build.
    case fastest
    /// Plain C compiled for AVX2 or baseline x86-64 (or the target's default).
    case portable
    var flag: Int32 { self == .portable ? 1 : 0 }
}

/// The spikes of a convolution input as one 16-bit mask per (image, 16-channel block, pixel):
/// what the spike-driven kernels read, kept from the forward pass for ∂w.
///
/// The spikes may have any one amplitude a > 0: x ∈ {0, a}, as after dropout (a = 1/(1 − p))
/// or a spike layer that emits its threshold. The kernels add rows of a·w, the same products
/// a dense kernel forms, and ∂w = a·Σ ∂y.
public struct SpikeMap: @unchecked Sendable {
    public let geometry: ConvolutionGeometry
    /// Number of spikes (non-zeros) in the input.
    public let ones: Int
    /// The value of every spike.
    public let amplitude: Float
    let masks: [UInt16]

    /// Fraction of the input that spikes.
    public var density: Double { Double(ones) / Double(geometry.inputShape.reduce(1, *)) }

    /// The masks of `x` (with a zero border of the convolution's padding), or nil when x is
    /// not all 0s and `amplitude`s or its channels are not a multiple of 16. `kernels` picks the
    /// build that reads x (both give the same masks; tests compare them).
    public init?(_ x: Tensor, geometry g: ConvolutionGeometry, amplitude: Float = 1, kernels: SpikeKernelBuild = .fastest) {
        guard g.inChannels % 16 == 0, x.shape == g.inputShape else { return nil }
        let blocked = x.converted(to: .channelBlocked16)
        let planes = g.batch * g.inChannels / 16
        let (h, w, pad) = (Int32(g.height), Int32(g.width), Int32(g.padding))
        // snn_spike_masks writes every mask of its planes, the zero border included.
        let count = planes * (g.height + 2 * g.padding) * (g.width + 2 * g.padding)
        var masks = [UInt16](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        let workers = min(Parallelism.workers, max(1, x.count / Parallelism.minimumElementsPerWorker))
        var counts = [Int64](repeating: 0, count: workers)
        blocked.withUnsafeStorage { src, _ in
            masks.withUnsafeMutableBufferPointer { m in
                counts.withUnsafeMutableBufferPointer { c in
                    let (S, M, C) = (SendablePointer(src.baseAddress!), SendablePointer(m.baseAddress!),
                                     SendablePointer(c.baseAddress!))
                    WorkerTeam.run(workers) { worker in
                        C.base[worker] = snn_spike_masks(S.base, Int64(planes * worker / workers),
                                                         Int64(planes * (worker + 1) / workers), h, w, pad,
                                                         amplitude, M.base, kernels.flag)
                    }
                }
            }
        }
        guard counts.allSatisfy({ $0 >= 0 }) else { return nil }
        self.geometry = g
        self.ones = Int(counts.reduce(0, +))
        self.amplitude = amplitude
        self.masks = masks
    }

    /// The map of `x` when `policy` runs this convolution spike-driven, else nil. A tensor whose
    /// first values are not all 0 or one amplitude (a real-valued activation) is rejected after
    /// a glance.
    /// `lookingPastZeros`: see `Tensor.leadingSpikeAmplitude` (inference passes true; training
    /// keeps the first-values rule its results were made with).
    public static func forConvolution(_ x: Tensor, geometry g: ConvolutionGeometry,
                                      policy: SpikeConvolutionPolicy = .current,
                                      lookingPastZeros: Bool = false) -> SpikeMap? {
        guard case .spikeDriven(let maxDensity) = policy, g.inChannels % 16 == 0, g.outChannels % outputBlock == 0,
              let amplitude = x.leadingSpikeAmplitude(lookingPastZeros: lookingPastZeros) else { return nil }
        guard let map = SpikeMap(x, geometry: g, amplitude: amplitude), map.density <= maxDensity else { return nil }
        return map
    }

    /// Which build of the kernels runs on this CPU: "avx512f", "avx2" or "portable".
    public static var kernelBuild: String {
        snn_spike_kernels_use_avx512() == 1 ? "avx512f" : snn_spike_kernels_use_avx2() == 1 ? "avx2" : "portable"
    }

    /// Output channels per work unit of the kernels.
    public static let outputBlock = Int(SNN_SPIKE_KBLOCK)

    var kernelGeometry: snn_spike_geometry {
        let g = geometry
        return snn_spike_geometry(
            batch: Int32(g.batch), inBlocks: Int32(g.inChannels / 16), height: Int32(g.height), width: Int32(g.width),
            outBlocks32: Int32(g.outChannels / SpikeMap.outputBlock), kernelH: Int32(g.kernelHeight),
            kernelW: Int32(g.kernelWidth), stride: Int32(g.stride), padding: Int32(g.padding),
            outH: Int32(g.outHeight), outW: Int32(g.outWidth))
    }

    /// Runs `kernel(source, destination, geometry, kbBegin, kbEnd)` on the storage of the two
    /// tensors, with the 32-channel output units split between the workers (each unit's
    /// results are computed by one worker, in a fixed order: the bits do not depend on how
    /// many workers there are).
    func forEachWorker(
        reading source: Tensor, writing destination: inout Tensor,
        _ kernel: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                             UnsafePointer<snn_spike_geometry>, Int32, Int32) -> Void
    ) {
        let units = geometry.outChannels / SpikeMap.outputBlock
        let workers = min(Parallelism.workers, units)
        let kernelGeometry = self.kernelGeometry
        source.withUnsafeStorage { src, _ in
            destination.withUnsafeMutableStorage { dst, _ in
                let (S, D) = (SendablePointer(src.baseAddress!), SendablePointer(dst.baseAddress!))
                WorkerTeam.run(workers) { w in
                    var geometry = kernelGeometry
                    kernel(S.base, D.base, &geometry, Int32(units * w / workers), Int32(units * (w + 1) / workers))
                }
            }
        }
    }
}

extension SpikeMap {
    /// Runs the forward `kernel(masks, weights, y, geometry, kbBegin, kbEnd)` with its output
    /// split between the workers: by 32-channel output units when there are enough of them,
    /// else by images (a 32-channel layer has one unit, which kept the second core idle). Every
    /// output value is computed by one worker from the same list in the same order, so the bits
    /// do not depend on the split.
    func forEachImageOrChannelWorker(
        reading weights: Tensor, writing y: inout Tensor,
        _ kernel: @Sendable (UnsafePointer<UInt16>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                             UnsafePointer<snn_spike_geometry>, Int32, Int32) -> Void
    ) {
        let g = geometry
        let units = g.outChannels / SpikeMap.outputBlock
        let byImages = units < Parallelism.workers && g.batch > 1
        let workers = byImages ? min(Parallelism.workers, g.batch) : min(Parallelism.workers, units)
        let masksPerImage = g.inChannels / 16 * (g.height + 2 * g.padding) * (g.width + 2 * g.padding)
        let outputsPerImage = g.outChannels * g.outHeight * g.outWidth
        let kernelGeometry = self.kernelGeometry
        masks.withUnsafeBufferPointer { m in
            weights.withUnsafeStorage { w, _ in
                y.withUnsafeMutableStorage { out, _ in
                    let (M, W, Y) = (SendablePointer(m.baseAddress!), SendablePointer(w.baseAddress!),
                                     SendablePointer(out.baseAddress!))
                    WorkerTeam.run(workers) { worker in
                        var geometry = kernelGeometry
                        if byImages {
                            let first = g.batch * worker / workers, end = g.batch * (worker + 1) / workers
                            geometry.batch = Int32(end - first)
                            kernel(M.base + first * masksPerImage, W.base, Y.base + first * outputsPerImage,
                                   &geometry, 0, Int32(units))
                        } else {
                            kernel(M.base, W.base, Y.base, &geometry,
                                   Int32(units * worker / workers), Int32(units * (worker + 1) / workers))
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// The forward convolution of the spikes in `map` with `w` [K, C, R, S], computed by adding
    /// the weight rows of the 1s (the same function as `convolution`, summed in another order).
    /// Stored channel-blocked, or row-major when `layout` says so.
    public static func spikeConvolution(_ map: SpikeMap, _ w: Tensor, layout: TensorLayout = .channelBlocked16,
                                        kernels: SpikeKernelBuild = .fastest) -> Tensor {
        let g = map.geometry
        precondition(w.shape == g.weightShape, "weight \(w.shape) does not match \(g.weightShape)")
        var packed = Tensor(uninitializedShape: [w.count])
        map.forEachWorker(reading: w.converted(to: .rowMajor), writing: &packed) { src, dst, geometry, lo, hi in
            snn_spike_pack_weights(src, dst, geometry, lo, hi, map.amplitude)
        }
        var y = Tensor(uninitializedShape: g.outputShape, layout: .channelBlocked16)
        map.forEachImageOrChannelWorker(reading: packed, writing: &y) { masks, wt, out, geometry, lo, hi in
            snn_spike_conv_forward(masks, wt, out, geometry, lo, hi, kernels.flag)
        }
        return y.converted(to: layout)
    }

    /// ∂L/∂w [K, C, R, S] of a convolution of the spikes in `map`, from ∂L/∂y (any layout):
    /// for each spike, its window's ∂y added to the weight rows it met.
    public static func spikeConvolutionWeightGradient(_ dy: Tensor, _ map: SpikeMap,
                                                      kernels: SpikeKernelBuild = .fastest) -> Tensor {
        let g = map.geometry
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var packed = Tensor(uninitializedShape: [g.weightShape.reduce(1, *)])
        map.masks.withUnsafeBufferPointer { m in
            let masks = SendablePointer(m.baseAddress!)
            map.forEachWorker(reading: dy.converted(to: .channelBlocked16), writing: &packed) { d, out, geometry, lo, hi in
                snn_spike_conv_weight_grad(masks.base, d, out, geometry, lo, hi, kernels.flag)
            }
        }
        var dw = Tensor(uninitializedShape: g.weightShape)
        map.forEachWorker(reading: packed, writing: &dw) { src, dst, geometry, lo, hi in
            snn_spike_unpack_weights(src, dst, geometry, lo, hi, map.amplitude)
        }
        return dw
    }
}
