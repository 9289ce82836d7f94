import Autodiff
import TensorCore

/// Result of comparing autodiff gradients with central finite differences.
public struct GradientCheckReport: CustomStringConvertible, Sendable {
    /// Largest |analytic − numeric| / max(|analytic|, |numeric|, floor) over all checked elements.
    public var maxRelativeError: Double
    /// Largest absolute difference.
    public var maxAbsoluteError: Double
    /// Where the worst element was: (input index, flat element index).
    public var worst: (input: Int, element: Int)
    public var checkedElements: Int

    public var description: String {
        "max relative error \(maxRelativeError) (abs \(maxAbsoluteError)) at input \(worst.input) element \(worst.element) over \(checkedElements) elements"
    }
}

/// Checks the gradient of a scalar function of tensors against central finite differences:
///
///     ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h
///
/// `f` is evaluated in Float32 (the package's precision), with its sum accumulated in Double
/// by the reductions; `h` and the tolerance used by callers must suit Float32 (h ≈ 1e-2…1e-3,
/// relative error ≲ 1e-2). At most `maxElements` elements per input are probed, spread evenly.
public func checkGradient(of f: ([Variable]) -> Variable, at inputs: [Tensor],
                          step h: Float = 1e-2, maxElements: Int = 64,
                          absoluteFloor: Double = 1e-3) -> GradientCheckReport {
    let leaves = inputs.map { Variable(leaf: $0) }
    let output = f(leaves)
    precondition(output.value.count == 1, "checkGradient needs a scalar function")
    output.backward()
    var report = GradientCheckReport(maxRelativeError: 0, maxAbsoluteError: 0, worst: (0, 0), checkedElements: 0)
    for (index, input) in inputs.enumerated() {
        let analytic = leaves[index].grad ?? Tensor(shape: input.shape)
        let stride = Swift.max(1, input.count / maxElements)
        for element in Swift.stride(from: 0, to: input.count, by: stride) {
            func evaluate(_ delta: Float) -> Double {
                var perturbed = inputs
                perturbed[index][flat: element] += delta
                return Double(f(perturbed.map { Variable($0) }).value.scalar)
            }
            let numeric = (evaluate(h) - evaluate(-h)) / Double(2 * h)
            let a = Double(analytic[flat: element])
            let absolute = Swift.abs(a - numeric)
            let relative = absolute / Swift.max(Swift.abs(a), Swift.abs(numeric), absoluteFloor)
            report.checkedElements += 1
            if relative > report.maxRelativeError {
                report.maxRelativeError = relative
                report.worst = (index, element)
            }
            report.maxAbsoluteError = Swift.max(report.maxAbsoluteError, absolute)
        }
    }
    return report
}

/// A fixed random projection r, so that Σ r ⊙ y turns any output y into a scalar whose
/// gradient exercises every output element with a different weight.
public func randomProjection(of y: Variable, seed: UInt64 = 99) -> Variable {
    var rng = SeededGenerator(seed: seed)
    let r = Tensor.uniform(shape: y.shape, low: -1, high: 1, using: &rng)
    return (y * Variable(r)).sum()
}
