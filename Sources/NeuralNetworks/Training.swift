import Autodiff
import TensorCore

/// What one optimisation step measured.
public struct StepResult: Sendable {
    public var loss: Float
    public var correct: Int
    public var count: Int

    public init(loss: Float, correct: Int, count: Int) {
        self.loss = loss
        self.correct = correct
        self.count = count
    }
}

/// The supervised-classification step shared by the chapters:
///
///     L = CE(model(x), y) + Σ auxiliary losses added by layers;  θ ← optimiser(θ, ∂L/∂θ)
public func classificationStep(
    _ model: any Layer, images: Tensor, labels: [Int], optimizer: inout some Optimizer,
    rng: inout SeededGenerator
) -> StepResult {
    var context = ForwardContext(phase: .training, rng: rng.split())
    let logits = model.forward(Variable(images), context: &context)
    var loss = Variable.softmaxCrossEntropy(logits: logits, labels: labels)
    for extra in context.auxiliaryLosses { loss = loss + extra }
    loss.backward()
    optimizer.step(model.parameters)
    let predictions = logits.value.argmaxRows()
    let correct = zip(predictions, labels).filter { $0 == $1 }.count
    return StepResult(loss: loss.value.scalar, correct: correct, count: labels.count)
}

/// Whether each image is classified right, in the order of `batches` (inference mode, batch
/// by batch): the per-image record behind paired differences on the same test images.
public func classificationCorrectness(
    _ model: any Layer, batches: some Sequence<(images: Tensor, labels: [Int])>
) -> [Bool] {
    var correct: [Bool] = []
    for batch in batches {
        var context = ForwardContext.inference
        let logits = withoutGradients { model.forward(Variable(batch.images), context: &context).value }
        correct += zip(logits.argmaxRows(), batch.labels).map { $0 == $1 }
    }
    return correct
}

/// Fraction of correctly classified images, evaluated in inference mode batch by batch.
public func classificationAccuracy(_ model: any Layer, batches: some Sequence<(images: Tensor, labels: [Int])>) -> Float {
    var correct = 0, total = 0
    for batch in batches {
        var context = ForwardContext.inference
        let logits = withoutGradients { model.forward(Variable(batch.images), context: &context).value }
        correct += zip(logits.argmaxRows(), batch.labels).filter { $0 == $1 }.count
        total += batch.labels.count
    }
    return total == 0 ? 0 : Float(correct) / Float(total)
}
