import Testing
import Autodiff
import TensorCore

/// The reverse-mode graph itself: gradient accumulation, parameters, detaching, constant
/// graphs and very long chains.
@Suite("Graph")
struct GraphTests {
    /// A variable used twice receives both contributions: ∂(x·x)/∂x = x + x = 2x.
    @Test func variableUsedTwiceAccumulates() {
        let x = Variable(leaf: Tensor(shape: [3], scalars: [1.5, -2, 0.25]))
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [3, -4, 0.5])
        // Three uses, two of them in one op: ∂(x·x + x)/∂x = 2x + 1.
        let y = Variable(leaf: Tensor(shape: [2], scalars: [2, -1]))
        (y * y + y).sum().backward()
        #expect(y.grad?.scalars == [5, -1])
    }

    /// A parameter read through one graph leaf or through two leaves accumulates all uses into
    /// `Parameter.grad`; a second backward adds to it until `zeroGrad()`.
    @Test func parameterUsedTwiceAccumulatesIntoGrad() {
        let p = Parameter(Tensor(shape: [2], scalars: [3, -1]), name: "p", role: .weight)
        (p.variable * p.variable).sum().backward()          // two leaves
        #expect(p.grad?.scalars == [6, -2])
        let v = p.variable
        (v * v).sum().backward()                              // one leaf used twice
        #expect(p.grad?.scalars == [12, -4], "gradients accumulate across backward passes")
        p.zeroGrad()
        #expect(p.grad == nil)
        (p.variable * 2).sum().backward()
        #expect(p.grad?.scalars == [2, 2])
    }

    /// x·detach(x) has gradient x, not 2x: nothing flows through the detached copy.
    @Test func detachedBlocksGradient() {
        let x = Variable(leaf: Tensor(shape: [2], scalars: [3, -0.5]))
        (x * x.detached).sum().backward()
        #expect(x.grad?.scalars == [3, -0.5])
        #expect(x.detached.requiresGrad == false)
        #expect(x.detached.value == x.value)
    }

    /// Ops on constants record no graph: the result needs no gradient and `backward()` is a
    /// no-op that leaves parameters untouched.
    @Test func constantGraphRecordsNothing() {
        var rng = SeededGenerator(seed: 1)
        let x = Variable(Tensor.normal(shape: [2, 3, 4, 4], using: &rng))
        let w = Variable(Tensor.normal(shape: [2, 3, 3, 3], using: &rng))
        let h = Variable.convolution(x, weight: w, padding: 1).relu().maxPooled(size: 2).flattened()
        let logits = Variable.linear(h, weight: Variable(Tensor.normal(shape: [5, 8], using: &rng)))
        let loss = (Variable.softmaxCrossEntropy(logits: logits, labels: [0, 1]) * 2 + 1).squared()
        for v in [h, logits, loss] { #expect(v.requiresGrad == false) }
        loss.backward()
        #expect(x.grad == nil && w.grad == nil && loss.grad == nil)
        // One trainable input anywhere is enough to record the graph.
        let mixed = x.sum() + Variable(leaf: Tensor(1))
        #expect(mixed.requiresGrad)
    }

    /// Backward of an n-step chain y ← y + x (iterative topological sort) gives the exact
    /// ∂y/∂x = n + 1, and neither backward nor freeing the chain overflows the stack (freeing
    /// used to recurse once per node and crashed at ~50 000 nodes).
    @Test(arguments: [20_000, 200_000])
    func longChainBackpropagates(_ length: Int) {
        let x = Variable(leaf: Tensor(shape: [3], scalars: [1, 2, 3]))
        weak var firstStep: Variable?
        do {
            var y = x + x
            firstStep = y
            for _ in 1..<length { y = y + x }
            #expect(y.value.scalars == [1, 2, 3].map { Float(length + 1) * $0 })
            y.sum().backward()
        }   // the chain is released here
        #expect(x.grad?.scalars == [Float](repeating: Float(length + 1), count: 3))
        #expect(firstStep == nil, "the whole chain is freed")
    }

    /// Freeing a graph must not free what is still referenced: a shared interior node
    /// survives its consumer and still back-propagates.
    @Test func freeingAConsumerKeepsSharedNodes() {
        let x = Variable(leaf: Tensor(shape: [2], scalars: [1, -2]))
        let shared = x * 3
        do { _ = (shared + shared * 2).sum() }   // a consumer graph, created and dropped
        shared.sum().backward()
        #expect(x.grad?.scalars == [3, 3])
    }

    /// Interior gradients are freed after use; leaf gradients stay.
    @Test func interiorGradientsAreReleasedLeafGradientsKept() {
        let x = Variable(leaf: Tensor(shape: [2], scalars: [1, 2]))
        let hidden = x * 3
        let loss = hidden.sum()
        loss.backward()
        #expect(hidden.grad == nil)
        #expect(x.grad?.scalars == [3, 3])
        #expect(loss.grad?.scalars == [1])
    }

    /// A non-scalar output back-propagates a given seed: ∂(seed·y)/∂x for y = x².
    @Test func backwardWithSeed() {
        let x = Variable(leaf: Tensor(shape: [3], scalars: [1, 2, 3]))
        x.squared().backward(seed: Tensor(shape: [3], scalars: [1, 0, -1]))
        #expect(x.grad?.scalars == [2, 0, -6])
    }
}
