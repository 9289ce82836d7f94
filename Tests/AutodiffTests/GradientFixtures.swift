import Foundation
import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Shared helpers for the gradient checks in this target.
///
/// Central differences in Float32 with h = 1e-2 agree with exact gradients to about 1e-3
/// relative on smooth functions; 1e-2 leaves room for rounding.
let gradientTolerance = 1e-2

/// Gradient elements smaller than this are compared in absolute terms (error ≤ tolerance ×
/// floor = 1e-4). The numeric derivative carries the Float32 rounding of f divided by 2h: a
/// few ulps of f ≈ 1 (ulp 1.2e-7) over 0.02 is already 1e-5…5e-5, which is a large *relative*
/// error on an element of size 1e-3.
let gradientAbsoluteFloor = 1e-2

/// Runs `checkGradient` and expects its max relative error to be within `tolerance`.
/// Set `GRADIENT_CHECK_REPORT=1` in the environment to print every report.
@discardableResult
func expectGradient(_ name: String, step: Float = 1e-2, tolerance: Double = gradientTolerance,
                    at inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                    of f: ([Variable]) -> Variable) -> GradientCheckReport {
    let report = checkGradient(of: f, at: inputs, step: step, absoluteFloor: gradientAbsoluteFloor)
    #expect(report.maxRelativeError <= tolerance, "\(name): \(report)",
            sourceLocation: sourceLocation)
    if ProcessInfo.processInfo.environment["GRADIENT_CHECK_REPORT"] != nil {
        print("gradient check \(name): \(report)")
    }
    return report
}

/// Seeded test inputs.
enum Fixture {
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape: shape, low: low, high: high, using: &rng)
    }

    /// Uniform values in [low, high) with none closer than `margin` to a kink, so that a
    /// central difference with step h < margin never straddles one.
    static func awayFromKinks(_ shape: [Int], _ low: Float, _ high: Float, kinks: [Float],
                              margin: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        var t = Tensor(shape: shape)
        for i in 0..<t.count {
            var v: Float
            repeat {
                v = low + (high - low) * rng.nextUniform()
            } while kinks.contains { abs(v - $0) < margin }
            t[flat: i] = v
        }
        return t
    }

    /// Distinct values `spacing` apart in shuffled order: every max-pooling window has a
    /// unique maximum that no ±h perturbation (h < spacing/2) can overtake.
    static func distinct(_ shape: [Int], spacing: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let n = shape.reduce(1, *)
        var values = (0..<n).map { (Float($0) - Float(n) / 2) * spacing }
        values.shuffle(using: &rng)
        return Tensor(shape: shape, scalars: values)
    }
}
