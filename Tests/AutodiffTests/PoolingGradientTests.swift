import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Max, average and global-average pooling: hand values and central differences. Max-pool
/// inputs are distinct values 0.05 apart, so no window has a tie within ±h = 0.01.
@Suite("Pooling gradients")
struct PoolingGradientTests {
    /// (size, stride): non-overlapping, overlapping, and windows that skip the last row/column.
    static let windows = [(2, 2), (3, 1), (3, 2), (2, 3)]

    @Test(arguments: windows)
    func maxPoolMatchesFiniteDifferences(_ window: (Int, Int)) {
        let x = Fixture.distinct([2, 3, 7, 6], spacing: 0.05, seed: 60)
        expectGradient("maxPooled \(window)", at: [x]) { v in
            randomProjection(of: v[0].maxPooled(size: window.0, stride: window.1))
        }
    }

    @Test(arguments: windows)
    func averagePoolMatchesFiniteDifferences(_ window: (Int, Int)) {
        let x = Fixture.uniform([2, 3, 7, 6], -1, 1, seed: 61)
        expectGradient("averagePooled \(window)", at: [x]) { v in
            randomProjection(of: v[0].averagePooled(size: window.0, stride: window.1))
        }
    }

    /// Square and non-square feature maps.
    @Test(arguments: [[2, 3, 4, 4], [2, 3, 3, 5], [1, 2, 6, 2], [3, 2, 1, 1]])
    func globalAveragePoolMatchesMeanAndFiniteDifferences(_ shape: [Int]) {
        let x = Fixture.uniform(shape, -1, 1, seed: 62)
        let y = Variable(x).globalAveragePooled().value
        #expect(y.shape == [shape[0], shape[1]])
        let plane = shape[2] * shape[3]
        for i in 0..<(shape[0] * shape[1]) {
            let mean = (0..<plane).reduce(Float(0)) { $0 + x[flat: i * plane + $1] } / Float(plane)
            #expect(abs(y[flat: i] - mean) < 1e-6, "plane \(i): \(y[flat: i]) vs \(mean)")
        }
        expectGradient("globalAveragePooled \(shape)", at: [x]) { v in
            randomProjection(of: v[0].globalAveragePooled())
        }
    }

    /// A window wider than the map used to read and write past the buffer; now it stops.
    @Test func windowLargerThanInputStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Variable(Tensor(shape: [1, 2, 6, 2])).averagePooled(size: 3)
        }
        await #expect(processExitsWith: .failure) {
            _ = Variable(Tensor(shape: [1, 2, 2, 6])).maxPooled(size: 3)
        }
    }

    /// 4×4 → 2×2 max and average with 2×2 windows; the max gradient goes to the arg-max only.
    @Test func handValues() {
        let x = Variable(leaf: Tensor(shape: [1, 1, 4, 4], scalars: [
            1, 5, 2, 0,
            3, 4, 8, 1,
            -1, -2, 0, 6,
            -3, -4, 7, 2,
        ]))
        let maxPooled = x.maxPooled(size: 2)
        #expect(maxPooled.value.scalars == [5, 8, -1, 7])
        #expect(x.averagePooled(size: 2).value.scalars == [3.25, 2.75, -2.5, 3.75])
        maxPooled.sum().backward()
        #expect(x.grad?.scalars == [0, 1, 0, 0,  0, 0, 1, 0,  1, 0, 0, 0,  0, 0, 1, 0])
    }

    /// Maps large enough to be split over the workers (whole planes each), overlapping windows
    /// included: forward and backward against a plain loop over every window.
    @Test(arguments: [(2, 2), (3, 2)])
    func largeMapsMatchWindowLoops(_ window: (Int, Int)) {
        let (k, s) = window
        let (n, c, h, w) = (4, 8, 40, 40)   // 51,200 elements: parallel
        let (p, q) = ((h - k) / s + 1, (w - k) / s + 1)
        let x = Fixture.uniform([n, c, h, w], -1, 1, seed: 63)
        let g = Fixture.uniform([n, c, p, q], -1, 1, seed: 64)
        for average in [false, true] {
            let xv = Variable(leaf: x)
            let y = average ? xv.averagePooled(size: k, stride: s) : xv.maxPooled(size: k, stride: s)
            y.backward(seed: g)
            var expectedY = [Float](repeating: 0, count: g.count)
            var expectedDx = [Float](repeating: 0, count: x.count)
            for plane in 0..<(n * c) { for i in 0..<p { for j in 0..<q {
                let o = plane * p * q + i * q + j
                var sum: Float = 0, best = -Float.infinity, bestIndex = 0
                for r in 0..<k { for cc in 0..<k {
                    let index = plane * h * w + (i * s + r) * w + j * s + cc
                    sum += x[flat: index]
                    if x[flat: index] > best { best = x[flat: index]; bestIndex = index }
                }}
                expectedY[o] = average ? sum / Float(k * k) : best
                if average {
                    for r in 0..<k { for cc in 0..<k {
                        expectedDx[plane * h * w + (i * s + r) * w + j * s + cc] += g[flat: o] / Float(k * k)
                    }}
                } else {
                    expectedDx[bestIndex] += g[flat: o]
                }
            }}}
            let dy = zip(y.value.scalars, expectedY).map { abs($0 - $1) }.max()!
            let dx = zip(xv.grad!.scalars, expectedDx).map { abs($0 - $1) }.max()!
            #expect(dy < 1e-6 && dx < 1e-6, "average \(average): max |Δy| \(dy), max |Δ∂x| \(dx)")
        }
    }
}
