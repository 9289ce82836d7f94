import HoyerMethod
import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

/// The Hoyer spike layer and its regulariser term (chapters/hoyer/NOTES.md §2.2, §2.3).
@Suite struct HoyerSpikeTests {
    private func layer(_ mode: ThresholdMode, channels: Int = 1, weight: Float = 0,
                       gradient: RegulariserGradient = .detachedThreshold,
                       threshold: Float = 1) -> HoyerSpike {
        let spike = HoyerSpike(channels: channels, mode: mode, surrogateHeight: 0.5,
                               regularisation: .init(weight: weight, gradient: gradient))
        spike.threshold.value = Tensor(shape: [1], scalars: [threshold])
        return spike
    }

    private func train(_ spike: HoyerSpike, _ u: Tensor) -> (Variable, ForwardContext) {
        var context = ForwardContext(phase: .training)
        let output = spike.forward(Variable(leaf: u), context: &context)
        return (output, context)
    }

    /// Training mode fires at E of clip(u/|v_th|, 0, 1); outputs are exactly 0 or 1.
    @Test func sumModeFiresAtTheExtremumOfTheClippedMap() {
        let u = Tensor(shape: [2, 3], scalars: [-1, 0.2, 0.6, 0.9, 1.5, 3.0])   // v_th = 2
        let spike = layer(.hoyerSum, threshold: 2)
        let (o, _) = train(spike, u)
        let e = hoyerExtremum((u * 0.5).clamped(to: 0, 1))!        // z = u/2
        let expected = (u * 0.5).scalars.map { $0 >= e ? Float(1) : 0 }
        #expect(o.value.scalars == expected)
        #expect(e < 1, "the extremum lowers the effective threshold below v_th")
        // Running estimate after one step: r = 0.9·0 + 0.1·E.
        #expect(abs(spike.inferenceExtrema[0] - 0.1 * e) < 1e-6)
    }

    /// The fixed-threshold ablation uses the same layer with E = 1: o = [u ≥ |v_th|].
    @Test func fixedModeIsAPlainTrainableThreshold() {
        let u = Tensor(shape: [1, 4], scalars: [0.5, 0.79, 0.8, 2])
        let (o, _) = train(layer(.fixed, threshold: 0.8), u)
        #expect(o.value.scalars == [0, 0, 1, 1])
    }

    /// Inference uses the running estimate r, not this batch's E.
    @Test func inferenceUsesTheRunningExtremum() {
        let spike = layer(.hoyerSum)
        let u = Tensor(shape: [1, 4], scalars: [0.05, 0.2, 0.6, 1])
        for _ in 0..<3 { _ = train(spike, u) }
        let r = spike.inferenceExtrema[0]                     // 1 − 0.9³ of E
        let probe = Tensor(shape: [1, 2], scalars: [r * 0.99, r * 1.01])
        #expect(spike(probe).scalars == [0, 1])
    }

    /// Guard: an all-non-positive map gives E = 0/0; the layer uses E = 1, stays binary
    /// and leaves the running estimate unchanged (the reference code would go NaN).
    @Test func allZeroMapUsesUnitThresholdAndSkipsTheRunningUpdate() {
        for mode in [ThresholdMode.hoyerSum, .hoyerChannelwise] {
            let spike = layer(mode, channels: 2, weight: 1e-3)
            let (o, context) = train(spike, Tensor(shape: [1, 2, 2, 2], repeating: -0.3))
            #expect(o.value.scalars.allSatisfy { $0 == 0 })
            #expect(spike.inferenceExtrema.allSatisfy { $0 == 0 })
            #expect(context.auxiliaryLosses.allSatisfy { $0.value.scalar == 0 })
        }
    }

    /// Channel-wise mode: one extremum per channel over (batch, pixels).
    @Test func channelwiseModeComputesOneExtremumPerChannel() {
        let u = Tensor(shape: [1, 2, 1, 3], scalars: [0.2, 0.4, 0.9, 0.1, 0.1, 0.3])
        let spike = layer(.hoyerChannelwise, channels: 2)
        let (o, _) = train(spike, u)
        let e0 = hoyerExtremum(Tensor(shape: [3], scalars: [0.2, 0.4, 0.9]))!
        let e1 = hoyerExtremum(Tensor(shape: [3], scalars: [0.1, 0.1, 0.3]))!
        #expect(abs(spike.inferenceExtrema[0] - 0.1 * e0) < 1e-6)
        #expect(abs(spike.inferenceExtrema[1] - 0.1 * e1) < 1e-6)
        #expect(o.value.scalars == [0, 0, 1, 0, 0, 1])
    }

    /// Backward: ∂L/∂uᵢ = gᵢ·0.5·[0 < zᵢ ≤ 2]/|v_th| and
    /// ∂L/∂v_th = Σᵢ gᵢ·0.5·[0 < zᵢ ≤ 2]·(−uᵢ·sign(v_th)/v_th²), for both signs of v_th.
    @Test(arguments: [1.5, -1.5] as [Float])
    func surrogateGradientsMatchTheDigestsFormulas(threshold v: Float) {
        var rng = SeededGenerator(seed: 4)
        let u = Tensor.uniform(shape: [3, 8], low: -1, high: 4, using: &rng)
        let g = Tensor.uniform(shape: [3, 8], low: -1, high: 1, using: &rng)
        let spike = layer(.hoyerSum, threshold: v)
        var context = ForwardContext(phase: .training)
        let input = Variable(leaf: u)
        spike.forward(input, context: &context).backward(seed: g)
        var dv: Float = 0
        for i in 0..<u.count {
            let z = u[flat: i] / abs(v)
            let box: Float = z > 0 && z <= 2 ? 0.5 : 0
            #expect(abs(input.grad![flat: i] - g[flat: i] * box / abs(v)) < 1e-6)
            dv += g[flat: i] * box * (-u[flat: i] * (v < 0 ? -1 : 1) / (v * v))
        }
        #expect(abs(spike.threshold.grad![flat: 0] - dv) < 1e-4)
    }

    /// The regulariser term equals H(clip(u, 0, |v_th|)) and its gradient to u matches
    /// finite differences; with `.detachedThreshold` v_th gets none, with
    /// `.throughThreshold` its gradient matches finite differences too.
    @Test(arguments: RegulariserGradient.allCases)
    func regulariserTermMatchesFiniteDifferences(gradient: RegulariserGradient) {
        var rng = SeededGenerator(seed: 8)
        let v: Float = 1.2
        let u = Tensor.uniform(shape: [2, 16], low: -0.5, high: 1.6, using: &rng)
        let threshold = Parameter(Tensor(shape: [1], scalars: [v]), name: "v", role: .threshold)
        func term(_ x: Variable) -> Variable {
            let z = x.value * (1 / abs(threshold.value[flat: 0]))
            return hoyerRegularisationTerm(x, z: z, sums: hoyerSums(z.clamped(to: 0, 1)),
                                           threshold: threshold, gradient: gradient)
        }
        let value = term(Variable(u)).value.scalar
        #expect(abs(value - hoyerRegulariser(u.clamped(to: 0, v))) < 1e-3)
        let report = checkGradient(of: { term($0[0]) }, at: [u], step: 1e-3)
        #expect(report.maxRelativeError < 2e-2, "\(report)")

        threshold.zeroGrad()
        term(Variable(u)).backward()
        switch gradient {
        case .detachedThreshold:
            #expect(threshold.grad == nil)
        case .throughThreshold:
            func h(_ t: Float) -> Double {
                Double(hoyerRegulariser((u * (1 / t)).clamped(to: 0, 1)))
            }
            let numeric = (h(v + 1e-3) - h(v - 1e-3)) / 2e-3
            let analytic = Double(threshold.grad![flat: 0])
            #expect(abs(analytic - numeric) <= 2e-2 * max(abs(numeric), 1e-2),
                    "∂H/∂v_th: analytic \(analytic), numeric \(numeric)")
        }
    }

    /// Training adds λ_H·H to the context's auxiliary losses only when λ_H > 0.
    @Test func regulariserIsAddedWithItsWeight() {
        let u = Tensor(shape: [1, 4], scalars: [0.1, 0.4, 0.7, 2])
        let (_, plain) = train(layer(.hoyerSum), u)
        #expect(plain.auxiliaryLosses.isEmpty)
        let (_, regularised) = train(layer(.hoyerSum, weight: 0.01), u)
        let expected = 0.01 * hoyerRegulariser(u.clamped(to: 0, 1))
        #expect(abs(regularised.auxiliaryLosses[0].value.scalar - expected) < 1e-6)
    }

    /// The near-threshold count and the bins of z/E (the chapter's "gap" measurement).
    @Test func membraneCountsBinAroundTheThreshold() {
        var counts = MembraneCounts()
        let u = Tensor(shape: [1, 5], scalars: [-5, 0.5, 0.95, 1.05, 9])   // threshold 1
        counts.add(membrane: u, spikes: Tensor(shape: [1, 5], scalars: [0, 0, 0, 1, 1]),
                   thresholds: [1])
        #expect(counts.total == 5 && counts.near == 2 && counts.nonBinary == 0)
        #expect(counts.bins.first == 1 && counts.bins.last == 1)       // out-of-range ends
        #expect(counts.bins.reduce(0, +) == 5)
    }
}

/// The Hoyer layer through the spiking-layer interface.
@Suite struct HoyerSpikeInterfaceTests {
    @Test func binarySpikesOneStepAndAnIndependentCopy() {
        let layer = HoyerSpike(channels: 4, mode: .hoyerChannelwise, surrogateHeight: 0.5,
                               regularisation: .init(weight: 0, gradient: .detachedThreshold))
        #expect(layer.spikeValue == 1 && layer.spikeLimitPerImage == 1 && layer.resetMode == nil)
        // Train once so the running extrema move, then copy.
        var rng = SeededGenerator(seed: 8)
        var training = ForwardContext(phase: .training)
        _ = layer.forward(Variable(Tensor.uniform(shape: [2, 4, 3, 3], low: 0, high: 2, using: &rng)),
                          context: &training)
        let copy = layer.copy() as! HoyerSpike
        #expect(copy !== layer && copy.threshold !== layer.threshold)
        #expect(copy.inferenceExtrema == layer.inferenceExtrema && copy.mode == layer.mode)
        let x = Tensor.uniform(shape: [2, 4, 3, 3], low: 0, high: 2, using: &rng)
        #expect(copy(x).scalars == layer(x).scalars)
    }
}
