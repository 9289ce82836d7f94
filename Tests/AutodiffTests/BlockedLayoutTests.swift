import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Activations kept in oneDNN's channel-blocked layout (nChw16c) between convolutions: the
/// conversion itself, and every layer that handles the layout against the same layer on the
/// row-major tensor — forward values and gradients must be the same bits, not merely close.
@Suite("Channel-blocked activations")
struct BlockedLayoutTests {
    static let shapes: [[Int]] = [[2, 16, 3, 5], [3, 32, 4, 4], [9, 48, 1, 7]]

    /// A random tensor with ties and exact zeros mixed in (spike-like maps have many of both).
    static func input(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        var x = Tensor.normal(shape: shape, mean: 0.3, std: 1.2, using: &rng)
        x.withUnsafeMutableBufferPointer { p in
            for i in p.indices where i % 7 == 3 { p[i] = 0 }
            for i in p.indices where i % 11 == 5 { p[i] = 1 }
        }
        return x
    }

    /// Same shape, same layout-independent values, same bits.
    static func identical(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && a.converted(to: .rowMajor).scalars.map(\.bitPattern)
            == b.converted(to: .rowMajor).scalars.map(\.bitPattern)
    }

    @Test(arguments: shapes)
    func conversionPlacesEachElementWhereNChw16cSaysAndRoundTrips(_ shape: [Int]) {
        let x = Self.input(shape, seed: 1)
        let blocked = x.converted(to: .channelBlocked16)
        #expect(blocked.layout == .channelBlocked16)
        let (c, h, w) = (shape[1], shape[2], shape[3])
        blocked.withUnsafeStorage { storage, layout in
            #expect(layout == .channelBlocked16)
            for n in 0..<shape[0] { for ch in 0..<c { for i in 0..<h { for j in 0..<w {
                let stored = storage[((n * (c / 16) + ch / 16) * h * w + i * w + j) * 16 + ch % 16]
                #expect(stored == x[n, ch, i, j])
            }}}}
        }
        #expect(blocked == x)                                  // == compares values
        #expect(blocked.converted(to: .rowMajor).layout == .rowMajor)
        #expect(Self.identical(blocked.converted(to: .rowMajor), x))
        #expect(blocked.scalars == x.scalars)
        for i in stride(from: 0, to: x.count, by: 5) { #expect(blocked[flat: i] == x[flat: i]) }
        #expect(blocked.reshaped([shape[0], -1]).scalars == x.reshaped([shape[0], -1]).scalars)
    }

    @Test func elementwiseOpsKeepTheFirstOperandsLayout() {
        let x = Self.input([2, 16, 3, 3], seed: 2), y = Self.input([2, 16, 3, 3], seed: 3)
        let xb = x.converted(to: .channelBlocked16)
        #expect(xb.relu().layout == .channelBlocked16)
        #expect(Self.identical(xb.relu(), x.relu()))
        #expect(Self.identical(xb * y, x * y))                 // mixed layouts
        #expect((xb * y).layout == .channelBlocked16)
        #expect(Self.identical(y * xb, y * x))
        #expect((y * xb).layout == .rowMajor)
        var sum = xb
        sum.add(y, scaledBy: 0.5)
        var reference = x
        reference.add(y, scaledBy: 0.5)
        #expect(sum.layout == .channelBlocked16 && Self.identical(sum, reference))
        var mutated = xb
        mutated.withUnsafeMutableBufferPointer { $0[1] = 42 }  // row-major writes see row-major order
        #expect(mutated[0, 0, 0, 1] == 42 && mutated.layout == .rowMajor)
    }

    /// Training-mode BatchNorm: y, batch mean and variance, ∂x, ∂γ, ∂β.
    @Test(arguments: shapes)
    func batchNormTrainingIsBitIdentical(_ shape: [Int]) {
        let c = shape[1]
        let x = Self.input(shape, seed: 4), g = Self.input(shape, seed: 5)
        let gamma = Fixture.uniform([c], 0.5, 1.5, seed: 6), beta = Fixture.uniform([c], -0.5, 0.5, seed: 7)
        func run(_ input: Tensor) -> [Tensor] {
            let (xv, gv, bv) = (Variable(leaf: input), Variable(leaf: gamma), Variable(leaf: beta))
            let (y, mean, variance) = Variable.batchNormalized(xv, scale: gv, shift: bv, epsilon: 1e-5)
            y.backward(seed: g)
            return [y.value, mean, variance, xv.grad!, gv.grad!, bv.grad!]
        }
        let plain = run(x), blocked = run(x.converted(to: .channelBlocked16))
        #expect(blocked[0].layout == .channelBlocked16 && blocked[3].layout == .channelBlocked16)
        for (a, b) in zip(blocked, plain) { #expect(Self.identical(a, b)) }
    }

    /// Inference-mode BatchNorm (running statistics, a per-channel affine map) and its ∂x.
    @Test(arguments: shapes)
    func batchNormInferenceIsBitIdentical(_ shape: [Int]) {
        let c = shape[1]
        let x = Self.input(shape, seed: 8), g = Self.input(shape, seed: 9)
        let mean = Fixture.uniform([c], -1, 1, seed: 10), variance = Fixture.uniform([c], 0.2, 2, seed: 11)
        let gamma = Fixture.uniform([c], 0.5, 1.5, seed: 12), beta = Fixture.uniform([c], -0.5, 0.5, seed: 13)
        func run(_ input: Tensor) -> [Tensor] {
            let xv = Variable(leaf: input)
            let y = Variable.batchNormalized(xv, scale: Variable(gamma), shift: Variable(beta),
                                             runningMean: mean, runningVariance: variance, epsilon: 1e-5)
            y.backward(seed: g)
            return [y.value, xv.grad!]
        }
        let plain = run(x), blocked = run(x.converted(to: .channelBlocked16))
        #expect(blocked[0].layout == .channelBlocked16)
        for (a, b) in zip(blocked, plain) { #expect(Self.identical(a, b)) }
    }

    /// The one-pass inference BatchNorm (trainable γ, β) gives the bits of the three-op
    /// composition it replaces — x̂ = x·a + b, then ·γ, then + β — values and all gradients.
    @Test(arguments: [[4, 16, 3, 3], [5, 3, 2, 7], [6, 5]])
    func inferenceBatchNormMatchesItsComposition(_ shape: [Int]) {
        let c = shape[1]
        let x = Self.input(shape, seed: 19), g = Self.input(shape, seed: 20)
        let mean = Fixture.uniform([c], -1, 1, seed: 21), variance = Fixture.uniform([c], 0.2, 2, seed: 22)
        let gamma = Fixture.uniform([c], 0.5, 1.5, seed: 23), beta = Fixture.uniform([c], -0.5, 0.5, seed: 24)
        let invStd = variance.map { 1 / ($0 + 1e-5).squareRoot() }
        let shift = Tensor(shape: [c], scalars: (0..<c).map { -mean[flat: $0] * invStd[flat: $0] })
        for layout in [TensorLayout.rowMajor, .channelBlocked16] where layout.holds(shape) {
            let (xv, gv, bv) = (Variable(leaf: x.converted(to: layout)), Variable(leaf: gamma), Variable(leaf: beta))
            let fused = Variable.batchNormalized(xv, scale: gv, shift: bv, runningMean: mean,
                                                 runningVariance: variance, epsilon: 1e-5)
            fused.backward(seed: g)
            let (xr, gr, br) = (Variable(leaf: x), Variable(leaf: gamma), Variable(leaf: beta))
            let composed = xr.channelAffine(scale: invStd, shift: shift).channelScaled(by: gr).addingChannelBias(br)
            composed.backward(seed: g)
            #expect(fused.value.layout == layout)
            for (a, b) in [(fused.value, composed.value), (xv.grad!, xr.grad!), (gv.grad!, gr.grad!), (bv.grad!, br.grad!)] {
                #expect(Self.identical(a, b), "\(layout)")
            }
        }
    }

    /// Max pooling (ties resolved to the first maximum in both) and average pooling, with
    /// non-overlapping and overlapping windows, forward and ∂x.
    @Test(arguments: [(2, 2), (3, 1), (2, 1)])
    func poolingIsBitIdentical(_ window: Int, _ stride: Int) {
        let shape = [3, 32, 6, 5]
        let x = Self.input(shape, seed: 14)
        for average in [false, true] {
            func run(_ input: Tensor) -> [Tensor] {
                let xv = Variable(leaf: input)
                let y = average ? xv.averagePooled(size: window, stride: stride)
                                : xv.maxPooled(size: window, stride: stride)
                y.backward(seed: Self.input(y.shape, seed: 15))
                return [y.value, xv.grad!]
            }
            let plain = run(x), blocked = run(x.converted(to: .channelBlocked16))
            #expect(blocked[0].layout == .channelBlocked16 && blocked[1].layout == .channelBlocked16)
            for (a, b) in zip(blocked, plain) { #expect(Self.identical(a, b), "average \(average)") }
        }
    }

    /// A convolution reading a blocked x gives the same y, ∂x and ∂w as reading it row-major;
    /// its output is blocked when its channels allow, and ∂x is stored like x.
    @Test(arguments: [ConvolutionAlgorithm.blocked, .bfloat16].filter(DNNLRuntime.supports))
    func convolutionAcceptsAndProducesBlockedActivations(_ algorithm: ConvolutionAlgorithm) {
        let x = Self.input([4, 16, 8, 8], seed: 16)
        let w = Fixture.uniform([32, 16, 3, 3], -0.3, 0.3, seed: 17)
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
        let dy = Self.input(g.outputShape, seed: 18)
        func run(_ input: Tensor, _ gradient: Tensor) -> [Tensor] {
            let (y, copy) = Tensor.convolutionKeepingInput(input, w, padding: 1, algorithm: algorithm)
            let (dx, dw) = Tensor.convolutionBackward(gradient, input, w, geometry: g, input: true,
                                                      inputCopy: copy, algorithm: algorithm)
            let dxAlone = Tensor.convolutionBackwardData(gradient, w, geometry: g, algorithm: algorithm,
                                                         inputLayout: input.layout)
            return [y, dx!, dw, dxAlone]
        }
        let plain = DNNLRuntime.$activationLayout.withValue(.rowMajor) { run(x, dy) }
        #expect(plain[0].layout == .rowMajor)
        let blocked = run(x.converted(to: .channelBlocked16), dy.converted(to: .channelBlocked16))
        #expect(blocked[0].layout == .channelBlocked16)
        #expect(blocked[1].layout == .channelBlocked16 && blocked[3].layout == .channelBlocked16)
        #expect(blocked[2].layout == .rowMajor)
        for (a, b) in zip(blocked, plain) { #expect(Self.identical(a, b)) }
        // Mixed: a row-major ∂y for a blocked x (a layer that converted it back).
        let mixed = run(x.converted(to: .channelBlocked16), dy)
        for (a, b) in zip(mixed, plain) { #expect(Self.identical(a, b)) }
    }
}
