import Foundation
import SpikingNeurons
import Testing

// Surrogate derivatives f(x), x = u/θ − 1: symmetric about the threshold (x = 0), largest
// there, equal to their formulas, and with the area the step they stand in for implies.

let symmetricSurrogates: [SurrogateGradient] = [
    .exponential(alpha: 0.3, beta: 2), .exponential(alpha: 1, beta: 5),
    .atan(alpha: 2), .atan(alpha: 0.5),
    .triangle(gamma: 0.3), .triangle(gamma: 1),
    .sigmoid(slope: 4), .sigmoid(slope: 10),
    .straightThrough(height: 1, lower: -0.5, upper: 0.5),
]

/// Points in (−3, 3), avoiding ±0.5 (the straight-through box edges, where the half-open
/// window (lower, upper] is asymmetric by definition).
let probePoints: [Float] = stride(from: Float(0.01), through: 2.99, by: 0.0625).map { $0 }

@Suite("Surrogate gradients")
struct SurrogateGradientTests {
    @Test(arguments: symmetricSurrogates)
    func symmetricAboutThresholdAndPeakedThere(surrogate: SurrogateGradient) {
        let peak = surrogate.value(at: 0)
        #expect(peak > 0)
        for x in probePoints {
            let right = surrogate.value(at: x), left = surrogate.value(at: -x)
            #expect(Swift.abs(right - left) <= 1e-6 * Swift.max(peak, 1), "f(\(x)) ≠ f(−\(x))")
            #expect(right <= peak && left <= peak, "f(±\(x)) above f(0)")
        }
        // Non-increasing in |x| (unimodal), strictly for the smooth ones inside |x| < 1.
        for (a, b) in zip(probePoints, probePoints.dropFirst()) {
            #expect(surrogate.value(at: b) <= surrogate.value(at: a))
            if case .straightThrough = surrogate { continue }
            if b < 1 { #expect(surrogate.value(at: b) < surrogate.value(at: a), "\(surrogate) flat at \(b)") }
        }
    }

    @Test func straightThroughWithAsymmetricBoundsIsAsymmetric() {
        let box = SurrogateGradient.straightThrough(height: 2, lower: -0.25, upper: 1)
        #expect(box.value(at: 0.5) == 2 && box.value(at: -0.5) == 0)
        #expect(box.value(at: 1) == 2 && box.value(at: 1.01) == 0)
        #expect(box.value(at: -0.25) == 0 && box.value(at: -0.24) == 2)
    }

    /// Values at a few points against the documented formulas, evaluated in Double.
    @Test(arguments: [Float(0), 0.1, -0.3, 0.5, 0.99, -1.7, 2.5])
    func valuesMatchFormulas(x: Float) {
        let d = Double(x)
        func close(_ a: Float, _ b: Double) -> Bool { Swift.abs(Double(a) - b) <= 1e-6 * Swift.max(1, Swift.abs(b)) }
        #expect(close(SurrogateGradient.exponential(alpha: 0.3, beta: 2).value(at: x), 0.3 * exp(-2 * Swift.abs(d))))
        let z = Double.pi / 2 * 2 * d
        #expect(close(SurrogateGradient.atan(alpha: 2).value(at: x), 1 / (1 + z * z)))
        let sigma = 1 / (1 + exp(-4 * d))
        #expect(close(SurrogateGradient.sigmoid(slope: 4).value(at: x), 4 * sigma * (1 - sigma)))
        #expect(close(SurrogateGradient.triangle(gamma: 0.3).value(at: x), 0.3 * Swift.max(0, 1 - Swift.abs(d))))
    }

    @Test func landmarkValues() {
        #expect(SurrogateGradient.exponential(alpha: 0.3, beta: 2).value(at: 0) == 0.3)
        #expect(SurrogateGradient.atan(alpha: 2).value(at: 0) == 1)               // α/2
        #expect(SurrogateGradient.sigmoid(slope: 4).value(at: 0) == 1)            // k/4
        #expect(SurrogateGradient.triangle(gamma: 0.3).value(at: 0) == 0.3)       // γ
        #expect(SurrogateGradient.triangle(gamma: 0.3).value(at: 1) == 0)         // support |x| < 1
        #expect(SurrogateGradient.triangle(gamma: 0.3).value(at: -1.5) == 0)
        #expect(Swift.abs(SurrogateGradient.triangle(gamma: 0.3).value(at: 0.5) - 0.15) < 1e-7)
    }

    /// ∫ f dx: atan and sigmoid are derivatives of a unit step (area 1); the triangle has
    /// area γ and the exponential 2α/β. Midpoint rule on [−40, 40] (atan's tails decay like
    /// 1/x², leaving 4/(π²·α·40) ≈ 0.5% outside for α = 2).
    @Test func areasMatchTheStepsTheyReplace() {
        func area(_ f: SurrogateGradient) -> Double {
            let h = 1e-3
            return stride(from: -40 + h / 2, to: 40, by: h).reduce(0) { $0 + Double(f.value(at: Float($1))) * h }
        }
        let atanTail = 2 * 2 / (Double.pi * Double.pi * 2 * 40)
        #expect(Swift.abs(area(.atan(alpha: 2)) - (1 - atanTail)) < 1e-3)
        #expect(Swift.abs(area(.sigmoid(slope: 4)) - 1) < 1e-4)
        #expect(Swift.abs(area(.triangle(gamma: 0.3)) - 0.3) < 1e-4)
        #expect(Swift.abs(area(.exponential(alpha: 0.3, beta: 2)) - 0.3) < 1e-4)
        #expect(Swift.abs(area(.straightThrough(height: 1, lower: -0.5, upper: 0.5)) - 1) < 1e-3)
    }
}
