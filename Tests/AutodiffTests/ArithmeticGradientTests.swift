import Testing
import Autodiff
import _TestSupport
import TensorCore

/// + − * / against central differences, with equal shapes and with a single-element operand
/// broadcast on either side (its gradient is the sum of the broadcast gradient).
@Suite("Arithmetic gradients")
struct ArithmeticGradientTests {
    enum Op: String, CaseIterable, Sendable { case add, subtract, multiply, divide }

    /// Which operand, if any, holds a single element.
    enum Broadcast: String, CaseIterable, Sendable {
        case none, scalarLeft, scalarRight, rankZeroRight
    }

    static func apply(_ op: Op, _ a: Variable, _ b: Variable) -> Variable {
        switch op {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }

    @Test(arguments: Op.allCases, Broadcast.allCases)
    func binaryOpMatchesFiniteDifferences(_ op: Op, _ broadcast: Broadcast) {
        let full = [3, 4]
        let (shapeA, shapeB): ([Int], [Int]) = switch broadcast {
        case .none: (full, full)
        case .scalarLeft: ([1], full)
        case .scalarRight: (full, [1])
        case .rankZeroRight: (full, [])
        }
        let a = Fixture.uniform(shapeA, -1, 1, seed: 1)
        // Denominators in ±[0.5, 1.5]: far from the pole at 0.
        let magnitude = Fixture.uniform(shapeB, 0.5, 1.5, seed: 2)
        let sign = Fixture.uniform(shapeB, -1, 1, seed: 3).map { $0 < 0 ? -1 : 1 }
        let b = op == .divide ? magnitude * sign : Fixture.uniform(shapeB, -1, 1, seed: 2)
        expectGradient("\(op) \(broadcast)", at: [a, b]) { v in
            randomProjection(of: Self.apply(op, v[0], v[1]))
        }
    }

    /// A hand case of the broadcast rule: for y = Σ a·s with a single-element s,
    /// ∂y/∂a = s everywhere and ∂y/∂s = Σ a.
    @Test func broadcastGradientIsSumOfGradient() {
        let a = Variable(leaf: Tensor(shape: [4], scalars: [1, 2, 3, -0.5]))
        let s = Variable(leaf: Tensor(shape: [1], scalars: [3]))
        (a * s).sum().backward()
        #expect(a.grad?.scalars == [3, 3, 3, 3])
        #expect(s.grad?.shape == [1])
        #expect(s.grad?.scalars == [5.5])
    }

    enum Unary: String, CaseIterable, Sendable {
        case scaleRight, scaleLeft, addScalar, squared, abs, sum, mean, meanSquaredError
    }

    @Test(arguments: Unary.allCases)
    func unaryOpMatchesFiniteDifferences(_ op: Unary) {
        // |x| has a kink at 0: keep inputs ≥ 0.05 away from it.
        let x = Fixture.awayFromKinks([2, 5], -2, 2, kinks: [0], margin: 0.05, seed: 4)
        let target = Fixture.uniform([2, 5], -1, 1, seed: 6)
        expectGradient("\(op)", at: [x]) { v in
            switch op {
            case .scaleRight: randomProjection(of: v[0] * 2.5)
            case .scaleLeft: randomProjection(of: -1.5 * v[0])
            case .addScalar: randomProjection(of: v[0] + 0.75)
            case .squared: randomProjection(of: v[0].squared())
            case .abs: randomProjection(of: v[0].abs())
            case .sum: v[0].sum()
            case .mean: v[0].mean()
            case .meanSquaredError: Variable.meanSquaredError(v[0], Variable(target))
            }
        }
    }

    @Test func forwardValuesMatchHandValues() {
        let a = Variable(Tensor(shape: [3], scalars: [1, -2, 4]))
        let b = Variable(Tensor(shape: [3], scalars: [2, 0.5, -1]))
        #expect((a + b).value.scalars == [3, -1.5, 3])
        #expect((a - b).value.scalars == [-1, -2.5, 5])
        #expect((a * b).value.scalars == [2, -1, -4])
        #expect((a / b).value.scalars == [0.5, -4, -4])
        #expect((a * 2 + 1).value.scalars == [3, -3, 9])
        #expect(a.squared().value.scalars == [1, 4, 16])
        #expect(a.abs().value.scalars == [1, 2, 4])
        #expect(a.sum().value.scalar == 3)
        #expect(a.mean().value.scalar == 1)
        // MSE = mean((a − b)²) = (1 + 6.25 + 25) / 3
        #expect(abs(Variable.meanSquaredError(a, b).value.scalar - 32.25 / 3) < 1e-6)
    }
}
