import Testing
import Autodiff
import TensorCore

/// Inverted dropout: reproducible under a seed, drops a fraction ≈ p, scales survivors by
/// 1/(1−p) so that E[output] = input.
@Suite("Dropout")
struct DropoutTests {
    @Test func sameSeedSameMaskDifferentSeedDifferentMask() {
        let x = Variable(Tensor(shape: [1000], repeating: 1))
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1), c = SeededGenerator(seed: 2)
        let ya = x.dropout(probability: 0.5, using: &a).value
        let yb = x.dropout(probability: 0.5, using: &b).value
        let yc = x.dropout(probability: 0.5, using: &c).value
        #expect(ya == yb)
        #expect(ya != yc)
        // The generator advanced: a second draw gives a different mask.
        #expect(x.dropout(probability: 0.5, using: &a).value != ya)
    }

    /// Over n = 2·10⁵ elements the dropped fraction has s.e. √(p(1−p)/n) ≤ 1.2e-3 and the mean
    /// of the output s.e. ≈ √(p/(1−p)/n)·rms(x); tolerances are about 5 standard errors.
    @Test(arguments: [Float(0.1), 0.5, 0.8])
    func keepsExpectationAndDropsFractionP(_ p: Float) {
        let n = 200_000
        var rng = SeededGenerator(seed: 7)
        let input = Tensor.uniform(shape: [n], low: 0, high: 2, using: &rng)
        let output = Variable(input).dropout(probability: p, using: &rng).value
        var dropped = 0, wrongScale = 0
        for i in 0..<n {
            if output[flat: i] == 0 { dropped += 1 }
            else if abs(output[flat: i] - input[flat: i] / (1 - p)) > 1e-5 { wrongScale += 1 }
        }
        let fraction = Double(dropped) / Double(n)
        #expect(abs(fraction - Double(p)) < 0.006, "dropped fraction \(fraction)")
        #expect(wrongScale == 0, "\(wrongScale) survivors not scaled by 1/(1−p)")
        let se = (Double(p) / Double(1 - p) * 4.0 / 3.0 / Double(n)).squareRoot()   // E[x²] = 4/3
        let gap = abs(Double(output.mean()) - Double(input.mean()))
        #expect(gap < 5 * se, "mean in \(input.mean()) out \(output.mean())")
    }

    @Test func zeroProbabilityIsIdentity() {
        var rng = SeededGenerator(seed: 3)
        let x = Variable(leaf: Tensor(shape: [3], scalars: [1, 2, 3]))
        let y = x.dropout(probability: 0, using: &rng)
        #expect(y.value == x.value)
        #expect(rng.state == SeededGenerator(seed: 3).state, "p = 0 must not consume randomness")
    }
}
