import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Convolution (oneDNN forward with its two backward kernels) and the per-channel bias
/// against central differences.
@Suite("Convolution gradients")
struct ConvolutionGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var input: [Int], weight: [Int], stride: Int, padding: Int
        var testDescription: String { "x \(input) w \(weight) stride \(stride) pad \(padding)" }
    }

    static let cases = [
        Case(input: [2, 3, 7, 6], weight: [4, 3, 3, 3], stride: 2, padding: 1),   // strided, padded
        Case(input: [2, 2, 9, 9], weight: [3, 2, 5, 5], stride: 2, padding: 2),
        Case(input: [1, 4, 5, 5], weight: [2, 4, 1, 1], stride: 1, padding: 0),
        Case(input: [2, 2, 8, 8], weight: [2, 2, 3, 3], stride: 2, padding: 0),   // last row unread
    ]

    @Test(arguments: cases)
    func gradientsWithRespectToInputAndWeight(_ c: Case) {
        let x = Fixture.uniform(c.input, -1, 1, seed: 40)
        let w = Fixture.uniform(c.weight, -0.5, 0.5, seed: 41)
        expectGradient("convolution \(c.testDescription)", at: [x, w]) { v in
            randomProjection(of: Variable.convolution(v[0], weight: v[1], stride: c.stride,
                                                      padding: c.padding))
        }
    }

    /// Only the weight is trainable (the first layer of a network): the backward pass skips
    /// ∂x and ∂w is still right.
    @Test func gradientWithConstantInput() {
        let x = Fixture.uniform([2, 3, 7, 6], -1, 1, seed: 42)
        let w = Fixture.uniform([4, 3, 3, 3], -0.5, 0.5, seed: 43)
        expectGradient("convolution, constant x", at: [w]) { v in
            randomProjection(of: Variable.convolution(Variable(x), weight: v[0], stride: 2,
                                                      padding: 1))
        }
    }

    @Test(arguments: [[3, 4], [2, 4, 3, 5]])
    func channelBiasMatchesFiniteDifferences(_ shape: [Int]) {
        let x = Fixture.uniform(shape, -1, 1, seed: 44)
        let b = Fixture.uniform([4], -1, 1, seed: 45)
        expectGradient("addingChannelBias \(shape)", at: [x, b]) { v in
            randomProjection(of: v[0].addingChannelBias(v[1]))
        }
    }

    /// Hand case: Σ over [N=2, C=2, 1, 2] of x + b has ∂/∂b[c] = N·H·W = 4 and adds b[c].
    @Test func channelBiasHandValues() {
        let x = Variable(leaf: Tensor(shape: [2, 2, 1, 2], repeating: 0))
        let b = Variable(leaf: Tensor(shape: [2], scalars: [1, -2]))
        let y = x.addingChannelBias(b)
        #expect(y.value.scalars == [1, 1, -2, -2, 1, 1, -2, -2])
        y.sum().backward()
        #expect(b.grad?.scalars == [4, 4])
    }
}
