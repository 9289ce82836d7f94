import CSpikeKernels

extension Tensor {
    /// The forward convolution of the spikes in `map` with `w` [K, C, R, S] in scatter form
    /// (`snn_spike_conv_scatter`): each spike adds its weight vectors to the R·S outputs it
    /// reaches. Work ∝ spikes × R·S × K and nothing per output pixel, which is what inference at
    /// low spike rates needs (the gather form, `spikeConvolution`, builds a list per output pixel
    /// and wins when spikes are dense or, in training, when its lists also serve ∂w). Images are
    /// split between the workers, each image written by one of them in a fixed order: the bits
    /// do not depend on the split. Agrees with `spikeConvolution` to rounding. `bias` (one value
    /// per output channel) is added to each image's outputs after its sums, while they are in
    /// cache: the same bits as `addChannelBias` on the result.
    public static func spikeConvolutionScattered(_ map: SpikeMap, _ w: Tensor,
                                                 layout: TensorLayout = .channelBlocked16, bias: [Float]? = nil) -> Tensor {
        let g = map.geometry
        precondition(w.shape == g.weightShape, "weight \(w.shape) does not match \(g.weightShape)")
        precondition(bias.map { $0.count == g.outChannels } ?? true, "bias has \(bias?.count ?? 0) values for \(g.outChannels) channels")
        let kernelGeometry = map.kernelGeometry
        var packed = Tensor(uninitializedShape: [w.count])
        w.converted(to: .rowMajor).withUnsafeStorage { src, _ in
            packed.withUnsafeMutableStorage { dst, _ in
                let (S, D) = (SendablePointer(src.baseAddress!), SendablePointer(dst.baseAddress!))
                let (channels, amplitude) = (g.inChannels, map.amplitude)
                let workers = Swift.min(Parallelism.workers, Swift.max(1, w.count / Parallelism.minimumElementsPerWorker))
                WorkerTeam.run(workers) { worker in
                    var geometry = kernelGeometry
                    snn_spike_pack_weights_scatter(S.base, D.base, &geometry, Int32(channels * worker / workers),
                                                   Int32(channels * (worker + 1) / workers), amplitude)
                }
            }
        }
        var y = Tensor(uninitializedShape: g.outputShape, layout: .channelBlocked16)
        let biasValues = bias ?? []
        map.masks.withUnsafeBufferPointer { m in
            packed.withUnsafeStorage { wk, _ in
                y.withUnsafeMutableStorage { out, _ in
                    biasValues.withUnsafeBufferPointer { b in
                        let (M, W, Y) = (SendablePointer(m.baseAddress!), SendablePointer(wk.baseAddress!),
                                         SendablePointer(out.baseAddress!))
                        let B = bias == nil ? nil : b.baseAddress.map { SendablePointer($0) }
                        let images = g.batch
                        let workers = Swift.min(Parallelism.workers, images)
                        WorkerTeam.run(workers) { worker in
                            var geometry = kernelGeometry
                            snn_spike_conv_scatter(M.base, W.base, B?.base, Y.base, &geometry,
                                                   Int32(images * worker / workers), Int32(images * (worker + 1) / workers))
                        }
                    }
                }
            }
        }
        return y.converted(to: layout)
    }
}
