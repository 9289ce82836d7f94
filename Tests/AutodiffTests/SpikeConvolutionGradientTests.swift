import Testing
import Autodiff
import _TestSupport
import TensorCore

/// `Variable.convolution` on spikes: the spike-driven forward and ∂w (∂x from oneDNN) against
/// the dense path and against central differences.
@Suite("Spike-driven convolution gradients")
struct SpikeConvolutionGradientTests {
    static let spikes = Fixture.uniform([3, 32, 6, 5], 0, 1, seed: 60).map { $0 < 0.2 ? 1 : 0 }
    static let weight = Fixture.uniform([64, 32, 3, 3], -0.5, 0.5, seed: 61)

    static func run(_ policy: SpikeConvolutionPolicy, stride: Int)
        -> (y: Tensor, dx: Tensor, dw: Tensor) {
        SpikeConvolutionPolicy.$current.withValue(policy) {
            let x = Variable(leaf: spikes), w = Variable(leaf: weight)
            let y = Variable.convolution(x, weight: w, stride: stride, padding: 1)
            randomProjection(of: y).backward()
            return (y.value, x.grad!, w.grad!)
        }
    }

    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        maxAbsoluteDifference(a, b) / max(b.scalars.map(abs).max() ?? 0, 1e-30)
    }

    @Test(arguments: [1, 2])
    func spikeDrivenMatchesDense(stride: Int) {
        let fast = Self.run(.spikeDriven(maxDensity: 1), stride: stride)
        let dense = Self.run(.dense, stride: stride)
        #expect(Self.relativeError(fast.y, dense.y) < 1e-5)
        #expect(Self.relativeError(fast.dx, dense.dx) < 1e-5)
        #expect(Self.relativeError(fast.dw, dense.dw) < 1e-5)
        // The spike-driven path really ran: its ∂w is the kernel's, bit for bit.
        let map = SpikeMap(Self.spikes, geometry: ConvolutionGeometry(
            input: Self.spikes.shape, weight: Self.weight.shape, stride: stride, padding: 1))!
        #expect(fast.y.converted(to: .rowMajor).scalars == Tensor.spikeConvolution(map, Self.weight).converted(to: .rowMajor).scalars)
    }

    /// ∂w by central differences with the spikes fixed (each perturbed weight runs the
    /// spike-driven forward again).
    @Test func weightGradientMatchesFiniteDifferences() {
        SpikeConvolutionPolicy.$current.withValue(.spikeDriven(maxDensity: 1)) {
            expectGradient("spike-driven convolution ∂w", at: [Self.weight]) { v in
                randomProjection(of: Variable.convolution(Variable(Self.spikes), weight: v[0], padding: 1))
            }
        }
    }
}
