import Foundation
import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Softmax cross-entropy and mean squared error: values on hand-computed logits, numerical
/// stability, and gradients against central differences.
@Suite("Losses")
struct LossTests {
    /// logits [0, ln 3] give softmax [1/4, 3/4]: label 1 costs −ln(3/4) = ln(4/3), label 0 ln 4.
    @Test func crossEntropyOnHandLogits() {
        let logits = Variable(Tensor(shape: [1, 2], scalars: [0, log(3)]))
        let one = Variable.softmaxCrossEntropy(logits: logits, labels: [1]).value.scalar
        let zero = Variable.softmaxCrossEntropy(logits: logits, labels: [0]).value.scalar
        #expect(abs(Double(one) - log(4.0 / 3)) < 1e-6, "\(one)")
        #expect(abs(Double(zero) - log(4.0)) < 1e-6, "\(zero)")
        // The batch loss is the mean over rows.
        let batch = Variable(Tensor(shape: [2, 2], scalars: [0, log(3), 0, log(3)]))
        let mean = Variable.softmaxCrossEntropy(logits: batch, labels: [1, 0]).value.scalar
        #expect(abs(Double(mean) - (log(4.0 / 3) + log(4.0)) / 2) < 1e-6, "\(mean)")
    }

    /// Shifting every logit of a row by a constant leaves the loss unchanged, even by 1000
    /// (a naive exp would overflow to ∞).
    @Test func crossEntropyIsShiftInvariantAndStable() {
        let shifted = Variable(Tensor(shape: [1, 2], scalars: [1000, 1000 + Float(log(3.0))]))
        let loss = Variable.softmaxCrossEntropy(logits: shifted, labels: [1]).value.scalar
        #expect(loss.isFinite)
        #expect(abs(Double(loss) - log(4.0 / 3)) < 1e-4, "\(loss)")
    }

    /// ∂L/∂z = (softmax(z) − onehot(y)) / N: [[1/4, 3/4 − 1]] / 1 for the hand logits.
    @Test func crossEntropyHandGradient() {
        let logits = Variable(leaf: Tensor(shape: [1, 2], scalars: [0, Float(log(3.0))]))
        Variable.softmaxCrossEntropy(logits: logits, labels: [1]).backward()
        let g = logits.grad!.scalars
        #expect(abs(g[0] - 0.25) < 1e-6 && abs(g[1] + 0.25) < 1e-6, "\(g)")
    }

    @Test(arguments: [(1, 2), (5, 7), (16, 10)])
    func crossEntropyMatchesFiniteDifferences(_ shape: (Int, Int)) {
        let (n, k) = shape
        let logits = Fixture.uniform([n, k], -3, 3, seed: 80)
        let labels = (0..<n).map { ($0 * 7 + 3) % k }
        expectGradient("softmaxCrossEntropy \(shape)", at: [logits]) { v in
            Variable.softmaxCrossEntropy(logits: v[0], labels: labels)
        }
    }

    @Test func meanSquaredErrorMatchesFiniteDifferences() {
        let a = Fixture.uniform([4, 5], -1, 1, seed: 81)
        let b = Fixture.uniform([4, 5], -1, 1, seed: 82)
        expectGradient("meanSquaredError", at: [a, b]) { v in
            Variable.meanSquaredError(v[0], v[1])
        }
        // Hand value: a = [1, 2], b = [0, 4] → (1² + (−2)²) / 2 = 2.5;
        // ∂/∂a = 2(a − b)/n = [1, −2].
        let x = Variable(leaf: Tensor(shape: [2], scalars: [1, 2]))
        let loss = Variable.meanSquaredError(x, Variable(Tensor(shape: [2], scalars: [0, 4])))
        #expect(loss.value.scalar == 2.5)
        loss.backward()
        #expect(x.grad?.scalars == [1, -2])
    }
}
