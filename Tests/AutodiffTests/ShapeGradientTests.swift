import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Reshape, flatten, concatenate and slice move elements without changing them, so their
/// gradients move the incoming gradient back to where each element came from.
@Suite("Shape gradients")
struct ShapeGradientTests {
    @Test func reshapedAndFlattenedMatchFiniteDifferences() {
        let x = Fixture.uniform([2, 3, 4], -1, 1, seed: 70)
        expectGradient("reshaped", at: [x]) { v in randomProjection(of: v[0].reshaped([4, -1])) }
        expectGradient("flattened", at: [x]) { v in randomProjection(of: v[0].flattened()) }
        #expect(Variable(x).flattened().shape == [2, 12])
    }

    @Test func concatenateMatchesFiniteDifferences() {
        let parts = [Fixture.uniform([2, 3], -1, 1, seed: 71),
                     Fixture.uniform([1, 3], -1, 1, seed: 72),
                     Fixture.uniform([4, 3], -1, 1, seed: 73)]
        expectGradient("concatenate", at: parts) { v in
            randomProjection(of: Variable.concatenate(v))
        }
    }

    /// The same variable concatenated twice receives the sum of both gradient slices.
    @Test func concatenatingAVariableTwiceAddsBothSlices() {
        let x = Variable(leaf: Tensor(shape: [1, 2], scalars: [1, 2]))
        let y = Variable.concatenate([x, x])
        #expect(y.value.scalars == [1, 2, 1, 2])
        (y * Variable(Tensor(shape: [2, 2], scalars: [1, 10, 100, 1000]))).sum().backward()
        #expect(x.grad?.scalars == [101, 1010])
    }

    @Test(arguments: [0..<1, 1..<4, 0..<5, 4..<5])
    func sliceMatchesFiniteDifferences(_ range: Range<Int>) {
        let x = Fixture.uniform([5, 2, 3], -1, 1, seed: 74)
        expectGradient("slice \(range)", at: [x]) { v in randomProjection(of: v[0].slice(range)) }
        let s = Variable(x).slice(range).value
        #expect(s.shape == [range.count, 2, 3])
        #expect(s.scalars == Array(x.scalars[range.lowerBound * 6 ..< range.upperBound * 6]))
    }

    /// Slices that tile the batch and are concatenated back give the identity and gradient 1.
    @Test func slicesConcatenatedBackAreIdentity() {
        let x = Variable(leaf: Fixture.uniform([6, 2], -1, 1, seed: 75))
        let y = Variable.concatenate([x.slice(0..<2), x.slice(2..<3), x.slice(3..<6)])
        #expect(y.value == x.value)
        y.sum().backward()
        #expect(x.grad?.scalars == [Float](repeating: 1, count: 12))
    }
}
