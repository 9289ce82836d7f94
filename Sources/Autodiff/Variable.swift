import TensorCore

/// A node of the reverse-mode autodiff graph: a tensor value, the nodes it was computed
/// from, and the function that maps ∂L/∂(this value) to ∂L/∂(each parent).
///
/// Every differentiable op creates one `Variable` and records its backward closure next to the
/// forward computation (see the `Variable+*.swift` files). Calling `backward()` on a scalar
/// loss visits the graph in reverse topological order (the order the ops were recorded, i.e. a
/// tape) and accumulates gradients. Ops whose inputs need no gradient record nothing, so
/// inference builds no graph.
public final class Variable {
    /// The forward value.
    public let value: Tensor
    /// ∂L/∂value after `backward()`; nil when no gradient reached this node.
    public internal(set) var grad: Tensor?
    /// Whether gradients flow to this node (a parameter, or an op on one).
    public let requiresGrad: Bool

    private(set) var parents: [Variable]
    private(set) var backwardFunction: ((Tensor) -> [Tensor?])?
    let parameter: Parameter?

    /// A constant: no gradient is computed for it.
    public init(_ value: Tensor) {
        self.value = value
        self.requiresGrad = false
        self.parents = []
        self.backwardFunction = nil
        self.parameter = nil
    }

    /// A leaf that requires a gradient (`grad` is filled by `backward()`).
    public init(leaf value: Tensor) {
        self.value = value
        self.requiresGrad = true
        self.parents = []
        self.backwardFunction = nil
        self.parameter = nil
    }

    init(parameter: Parameter) {
        self.value = parameter.value
        self.requiresGrad = true
        self.parents = []
        self.backwardFunction = nil
        self.parameter = parameter
    }

    private init(value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        self.requiresGrad = true
        self.parents = parents
        self.backwardFunction = backward
        self.parameter = nil
    }

    /// Records an op with a custom backward: `backward(∂L/∂output)` returns one gradient per
    /// input, in order (nil for an input that receives none). This is how surrogate gradients,
    /// straight-through estimators and fused kernels attach to the graph without touching it.
    ///
    /// When no input requires a gradient, or recording is off (`withoutGradients`), the result
    /// is a constant and `backward` is dropped.
    public static func custom(_ value: Tensor, inputs: [Variable],
                              backward: @escaping (Tensor) -> [Tensor?]) -> Variable {
        guard GradientRecording.isEnabled, inputs.contains(where: \.requiresGrad) else { return Variable(value) }
        return Variable(value: value, parents: inputs, backward: backward)
    }

    /// Releasing a node releases its parents, and theirs, recursively: freeing a chain of
    /// ~50 000 nodes overflowed an 8 MB stack. Instead, unlink the ancestors this node owns
    /// alone one at a time, so each is freed with no parents left to recurse into.
    deinit {
        guard !parents.isEmpty else { return }
        var pending = parents
        parents = []
        backwardFunction = nil   // the closure captures the parents as well
        while var node = pending.popLast() {
            guard isKnownUniquelyReferenced(&node) else { continue }
            pending.append(contentsOf: node.parents)
            node.parents = []
            node.backwardFunction = nil
        }
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// This value cut off from the graph (no gradient flows back through it).
    public var detached: Variable { Variable(value) }

    /// Back-propagates from this scalar (or from `seed` for a non-scalar output): fills `grad`
    /// on every node that requires one and accumulates into the `grad` of reached parameters.
    public func backward(seed: Tensor? = nil) {
        precondition(seed != nil || value.count == 1,
                     "backward() without a seed needs a scalar, got shape \(value.shape)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        grad = seed ?? Tensor(shape: value.shape, repeating: 1)
        for node in order.reversed() {
            guard let g = node.grad else { continue }
            if let parameter = node.parameter {
                if parameter.grad == nil { parameter.grad = g } else { parameter.grad!.add(g) }
            }
            guard let backward = node.backwardFunction else { continue }
            let parentGrads = backward(g)
            precondition(parentGrads.count == node.parents.count, "backward returned the wrong count")
            for (parent, pg) in zip(node.parents, parentGrads) where parent.requiresGrad {
                guard let pg else { continue }
                precondition(pg.count == parent.value.count,
                             "gradient of shape \(pg.shape) for a value of shape \(parent.value.shape)")
                if parent.grad == nil { parent.grad = pg.reshaped(parent.value.shape) }
                else { parent.grad!.add(pg) }
            }
            // Interior gradients are not needed again: free them (BPTT graphs are large).
            if node !== self && node.parameter == nil && !node.parents.isEmpty { node.grad = nil }
        }
    }

    /// Nodes reachable from this one, parents before children (iterative DFS: a long BPTT graph
    /// would overflow the stack of a recursive one).
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGrad && visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
