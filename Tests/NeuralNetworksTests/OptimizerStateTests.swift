import Autodiff
import Testing
import NeuralNetworks
import TensorCore

/// An optimiser's running state, saved and restored onto fresh parameters of the same shapes,
/// continues exactly as the original: the moments, the step counts (Adam's bias correction)
/// and AMSGrad's running maximum all carry over.
@Suite struct OptimizerStateTests {
    private func parameters() -> [Parameter] {
        [Parameter(Tensor(shape: [3], scalars: [0.5, -1, 2]), name: "w", role: .weight),
         Parameter(Tensor(shape: [2], scalars: [0.1, 0.2]), name: "b", role: .bias),
         Parameter(Tensor(shape: [1], scalars: [4]), name: "frozen", role: .other)]
    }

    /// Steps `optimizer` `count` times with gradients that depend on the step, leaving the
    /// third parameter without a gradient (never stepped: no state).
    private func steps<O: Optimizer>(_ optimizer: inout O, _ ps: [Parameter], from start: Int, count: Int) {
        for k in start..<(start + count) {
            ps[0].grad = Tensor(shape: [3], scalars: [Float(k) * 0.1, -0.3, Float(k % 2)])
            ps[1].grad = Tensor(shape: [2], scalars: [0.2, Float(-k)])
            optimizer.step(ps)
        }
    }

    private func roundTrip<O: Optimizer>(_ make: () -> O) throws {
        let reference = parameters()
        var uninterrupted = make()
        steps(&uninterrupted, reference, from: 0, count: 7)

        let first = parameters()
        var before = make()
        steps(&before, first, from: 0, count: 4)
        let saved = before.stateTensors(of: first)
        #expect(!saved.contains { $0.name.hasPrefix("2.") })   // never stepped, nothing saved

        let second = parameters()                              // new objects, same order
        for (a, b) in zip(first, second) { b.value = a.value }
        var after = make()
        try after.restoreState(Dictionary(uniqueKeysWithValues: saved), of: second)
        steps(&after, second, from: 4, count: 3)
        for (a, b) in zip(reference, second) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "\(a.name)")
        }
    }

    @Test func sgdWithMomentumContinuesExactly() throws {
        try roundTrip { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) }
    }

    @Test func adamAndAMSGradContinueExactly() throws {
        try roundTrip { Adam(learningRate: 0.05, weightDecay: 0.01) }
        try roundTrip { Adam(learningRate: 0.05, weightDecay: 0.01, decayMode: .decoupled, amsgrad: true) }
    }

    @Test func aStateOfAnotherShapeIsRejected() {
        var adam = Adam()
        let ps = parameters()
        #expect(throws: OptimizerStateError.self) {
            try adam.restoreState(["0.m": Tensor(shape: [2]), "0.v": Tensor(shape: [2]),
                                   "0.vmax": Tensor(shape: [2]), "0.t": Tensor(shape: [1])], of: ps)
        }
    }
}
