import Testing
import NeuralNetworks
import TensorCore
import Autodiff

@Suite struct TrainingTests {
    /// Linearly separable classes in 8 dimensions: x ~ N(0, I), y = [w·x > 0].
    static func separable(count: Int, using rng: inout SeededGenerator) -> (Tensor, [Int]) {
        let w = (0..<8).map { _ in rng.nextNormal() }
        var x = Tensor(shape: [count, 8]), labels: [Int] = []
        for i in 0..<count {
            var dot: Float = 0
            for j in 0..<8 { let v = rng.nextNormal(); x[i, j] = v; dot += v * w[j] }
            labels.append(dot > 0 ? 1 : 0)
        }
        return (x, labels)
    }

    @Test(arguments: [OptimizerChoice.sgd, .adam])
    func mlpLearnsSeparableDataInAFixedNumberOfSteps(_ choice: OptimizerChoice) {
        var rng = SeededGenerator(seed: 11)
        let (x, y) = Self.separable(count: 512, using: &rng)
        let model = Sequential([Linear(8, 32, using: &rng), ReLU(), Linear(32, 2, using: &rng)])
        var firstLoss: Float = 0, lastLoss: Float = 0
        switch choice {
        case .sgd:
            var opt = SGD(learningRate: 0.05, momentum: 0.9)
            for step in 0..<300 {
                let r = classificationStep(model, images: x, labels: y, optimizer: &opt, rng: &rng)
                if step == 0 { firstLoss = r.loss }; lastLoss = r.loss
            }
        case .adam:
            var opt = Adam(learningRate: 0.01)
            for step in 0..<300 {
                let r = classificationStep(model, images: x, labels: y, optimizer: &opt, rng: &rng)
                if step == 0 { firstLoss = r.loss }; lastLoss = r.loss
            }
        }
        let accuracy = classificationAccuracy(model, batches: [(images: x, labels: y)])
        #expect(lastLoss < firstLoss / 4, "loss \(firstLoss) → \(lastLoss)")
        #expect(accuracy >= 0.98, "training accuracy \(accuracy)")
    }

    enum OptimizerChoice: CaseIterable, Sendable { case sgd, adam }

    @Test func sgdMatchesItsUpdateRule() {
        let p = Parameter(Tensor(shape: [2], scalars: [1, -2]), name: "w", role: .weight)
        var opt = SGD(learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0.01)
        p.grad = Tensor(shape: [2], scalars: [0.5, 0.25])
        opt.step([p])
        // v = g + λθ; θ ← θ − ηv
        #expect(abs(p.value[flat: 0] - (1 - 0.1 * (0.5 + 0.01))) < 1e-6)
        p.grad = Tensor(shape: [2], scalars: [0.5, 0.25])
        let theta0 = p.value[flat: 0], v0: Float = 0.5 + 0.01
        opt.step([p])
        #expect(abs(p.value[flat: 0] - (theta0 - 0.1 * (0.9 * v0 + 0.5 + 0.01 * theta0))) < 1e-6)
        #expect(p.grad == nil)
    }

    @Test func maskedWeightsStayZero() {
        let p = Parameter(Tensor(shape: [4], scalars: [1, 2, 3, 4]), name: "w", role: .weight)
        p.mask = Tensor(shape: [4], scalars: [1, 0, 1, 0])
        p.applyMask()
        var opt = Adam(learningRate: 0.1, weightDecay: 0.1)
        for _ in 0..<5 {
            p.grad = Tensor(shape: [4], scalars: [1, 1, -1, -1])
            opt.step([p])
        }
        #expect(p.value[flat: 1] == 0 && p.value[flat: 3] == 0)
        #expect(p.value[flat: 0] != 1)
    }

    @Test func stepScheduleDividesAtMilestones() {
        let s = LearningRateSchedule.step(milestones: [0.5, 0.75], factor: 5)
        #expect(s.rate(base: 1, step: 0, total: 100) == 1)
        #expect(abs(s.rate(base: 1, step: 50, total: 100) - 0.2) < 1e-7)
        #expect(abs(s.rate(base: 1, step: 80, total: 100) - 0.04) < 1e-7)
        let c = LearningRateSchedule.cosine(minimum: 0)
        #expect(abs(c.rate(base: 1, step: 50, total: 100) - 0.5) < 1e-6)
        #expect(abs(c.rate(base: 1, step: 0, total: 100, warmup: 10) - 0.1) < 1e-6)
    }
}
