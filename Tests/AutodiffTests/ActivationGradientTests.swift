import Testing
import Autodiff
import _TestSupport
import TensorCore

/// ReLU, clamp, PACT clipped ReLU (w.r.t. input and clip, per layer and per channel) and
/// dropout against central differences, with inputs kept ≥ 0.05 (> 2h) away from every kink.
@Suite("Activation gradients")
struct ActivationGradientTests {
    @Test func reluMatchesFiniteDifferences() {
        let x = Fixture.awayFromKinks([2, 3, 4, 4], -1, 1, kinks: [0], margin: 0.05, seed: 10)
        expectGradient("relu", at: [x]) { v in randomProjection(of: v[0].relu()) }
    }

    @Test func clampedMatchesFiniteDifferences() {
        let x = Fixture.awayFromKinks([4, 16], -1.5, 1.5, kinks: [-0.5, 0.7], margin: 0.05,
                                      seed: 11)
        expectGradient("clamped", at: [x]) { v in
            randomProjection(of: v[0].clamped(to: -0.5, 0.7))
        }
    }

    /// y = clip(x, 0, μ) with one μ for the layer: ∂/∂x = [0 < x < μ], ∂/∂μ = Σ g·[x ≥ μ].
    @Test(arguments: [[3, 4, 5], [2, 3, 3, 3], [6]])
    func clippedReLUPerLayerMatchesFiniteDifferences(_ shape: [Int]) {
        let mu: Float = 0.8
        let x = Fixture.awayFromKinks(shape, -0.5, 1.5, kinks: [0, mu], margin: 0.05, seed: 12)
        let clip = Tensor(shape: [1], scalars: [mu])
        expectGradient("clippedReLU per-layer \(shape)", at: [x, clip]) { v in
            randomProjection(of: v[0].clippedReLU(clip: v[1]))
        }
    }

    /// One μ per channel of `[N, C, …]`: each channel's clip collects only its own gradient.
    @Test(arguments: [[4, 3], [2, 3, 4, 4]])
    func clippedReLUPerChannelMatchesFiniteDifferences(_ shape: [Int]) {
        let clips: [Float] = [0.5, 0.9, 1.3]
        let x = Fixture.awayFromKinks(shape, -0.5, 1.6, kinks: [0] + clips, margin: 0.05, seed: 13)
        let clip = Tensor(shape: [3], scalars: clips)
        expectGradient("clippedReLU per-channel \(shape)", at: [x, clip]) { v in
            randomProjection(of: v[0].clippedReLU(clip: v[1]))
        }
    }

    /// Hand case: with g = 1, ∂Σy/∂μ[c] counts the elements of channel c at or above μ[c].
    @Test func clipGradientCountsSaturatedElements() {
        // [N=2, C=2]: channel 0 = {0.2, 1.5}, channel 1 = {2.0, 3.0}; μ = [1, 2.5]
        let x = Variable(leaf: Tensor(shape: [2, 2], scalars: [0.2, 2.0, 1.5, 3.0]))
        let mu = Variable(leaf: Tensor(shape: [2], scalars: [1, 2.5]))
        let y = x.clippedReLU(clip: mu)
        #expect(y.value.scalars == [0.2, 2.0, 1.0, 2.5])
        y.sum().backward()
        #expect(mu.grad?.scalars == [1, 1])
        #expect(x.grad?.scalars == [1, 1, 0, 0])
    }

    /// With the mask drawn from a generator seeded inside f, dropout is a fixed linear map
    /// whose gradient is the mask scaled by 1/(1−p).
    @Test func dropoutMatchesFiniteDifferences() {
        let x = Fixture.uniform([8, 8], -1, 1, seed: 14)
        expectGradient("dropout", at: [x]) { v in
            var rng = SeededGenerator(seed: 15)
            return randomProjection(of: v[0].dropout(probability: 0.3, using: &rng))
        }
    }

    @Test func forwardValuesMatchHandValues() {
        let x = Variable(Tensor(shape: [5], scalars: [-1, 0.25, 0.5, 1, 2]))
        #expect(x.relu().value.scalars == [0, 0.25, 0.5, 1, 2])
        #expect(x.clamped(to: 0.3, 1.5).value.scalars == [0.3, 0.3, 0.5, 1, 1.5])
        #expect(x.clippedReLU(clip: Variable(Tensor(shape: [1], scalars: [0.75]))).value.scalars
                == [0, 0.25, 0.5, 0.75, 0.75])
    }
}
