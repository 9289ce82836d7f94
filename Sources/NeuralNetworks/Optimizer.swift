import Foundation
import Autodiff
import TensorCore

/// An optimiser updates parameters from their gradients, then clears the gradients.
public protocol Optimizer {
    /// The learning rate used by the next step (schedules set it every step).
    var learningRate: Float { get set }
    /// θ ← update(θ, ∂L/∂θ) for every parameter that has a gradient; then grad = nil and the
    /// parameter's sparsity mask (if any) is re-applied.
    mutating func step(_ parameters: [Parameter])

    /// The running state the next `step` reads (momenta, step counts) of `parameters`, named
    /// by position (`"3.m"` is the first moment of `parameters[3]`): what a resumed training
    /// run must restore to continue bit for bit. Parameters never stepped have no entry.
    func stateTensors(of parameters: [Parameter]) -> [(name: String, tensor: Tensor)]

    /// Replaces the running state with `tensors` from `stateTensors(of:)`, matched to
    /// `parameters` by position (the same network rebuilt, so the same order and shapes).
    ///
    /// - Throws: `OptimizerStateError` when a tensor's shape differs from its parameter's.
    mutating func restoreState(_ tensors: [String: Tensor], of parameters: [Parameter]) throws
}

/// A saved optimiser state that does not fit the network it is restored onto.
public struct OptimizerStateError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Which tensor and what is wrong, e.g. `optimiser state 3.m: shape [4], the parameter has [2, 2]`.
    public var description: String
}

/// `tensors[name]` with the shape of `parameter`, or nil when absent.
private func stateTensor(_ tensors: [String: Tensor], _ name: String, like parameter: Parameter)
    throws -> Tensor?
{
    guard let tensor = tensors[name] else { return nil }
    guard tensor.shape == parameter.value.shape else {
        throw OptimizerStateError(description: "optimiser state \(name): shape \(tensor.shape), "
                                      + "the parameter has \(parameter.value.shape)")
    }
    return tensor
}

/// An optimiser that keeps a running momentum for every parameter it has stepped, masked
/// entries included, so sparse training can read where the gradient keeps pushing a weight
/// that is currently pruned (`SparseMomentum.pruneAndRegrow`).
public protocol MomentumOptimizer: Optimizer {
    /// The momentum of `parameter` after the last step, `[same shape as parameter.value]`, or
    /// nil if this optimiser has not stepped it yet. A copy: the optimiser's state cannot be
    /// changed through it.
    func momentum(of parameter: Parameter) -> Tensor?
}

/// Which parameters receive weight decay.
public enum WeightDecayScope: Sendable, Codable, Equatable {
    /// Every parameter (the PyTorch default).
    case all
    /// Conv and linear weights only (biases, BatchNorm, thresholds and leaks get none).
    case weightsOnly

    func applies(to p: Parameter) -> Bool {
        switch self {
        case .all: true
        case .weightsOnly: p.role == .weight
        }
    }
}

/// Stochastic gradient descent with momentum (PyTorch's convention):
///
///     g ← ∇θ + λ·θ;   v ← μ·v + g;   θ ← θ − η·(Nesterov ? g + μ·v : v)
public struct SGD: MomentumOptimizer {
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public var decayScope: WeightDecayScope
    private var velocity: [ObjectIdentifier: Tensor] = [:]

    public init(learningRate: Float, momentum: Float = 0.9, nesterov: Bool = false,
                weightDecay: Float = 0, decayScope: WeightDecayScope = .weightsOnly) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.decayScope = decayScope
    }

    public mutating func step(_ parameters: [Parameter]) {
        for p in parameters {
            guard let grad = p.grad else { continue }
            let id = ObjectIdentifier(p)
            var v = velocity[id] ?? Tensor(shape: p.value.shape)
            let decay = decayScope.applies(to: p) ? weightDecay : 0
            let (lr, mu, nesterov) = (learningRate, momentum, self.nesterov)
            grad.withUnsafeBufferPointer { pg in
                v.withUnsafeMutableBufferPointer { pv in
                    p.value.withUnsafeMutableBufferPointer { pw in
                        for i in 0..<pw.count {
                            let g = pg[i] + decay * pw[i]
                            pv[i] = mu * pv[i] + g
                            pw[i] -= lr * (nesterov ? g + mu * pv[i] : pv[i])
                        }
                    }
                }
            }
            velocity[id] = v
            p.grad = nil
            p.applyMask()
        }
    }

    /// The velocity v of `parameter` (the buffer of the update above).
    public func momentum(of parameter: Parameter) -> Tensor? { velocity[ObjectIdentifier(parameter)] }

    /// `"i.velocity"`: v of `parameters[i]`.
    public func stateTensors(of parameters: [Parameter]) -> [(name: String, tensor: Tensor)] {
        parameters.enumerated().compactMap { i, p in
            velocity[ObjectIdentifier(p)].map { ("\(i).velocity", $0) }
        }
    }

    public mutating func restoreState(_ tensors: [String: Tensor], of parameters: [Parameter]) throws {
        velocity = [:]
        for (i, p) in parameters.enumerated() {
            if let v = try stateTensor(tensors, "\(i).velocity", like: p) { velocity[ObjectIdentifier(p)] = v }
        }
    }
}

/// Adam (Kingma & Ba 2015), optionally AMSGrad (Reddi et al. 2018) and decoupled weight decay
/// (AdamW, Loshchilov & Hutter 2019):
///
///     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  v̂ = max(v̂, v) (AMSGrad)
///     θ ← θ − η·(m/(1−β₁ᵗ)) / (√(v̂/(1−β₂ᵗ)) + ε)  [− η·λ·θ for AdamW]
public struct Adam: MomentumOptimizer {
    /// How weight decay enters: added to the gradient (Adam's L2) or applied to θ directly (AdamW).
    public enum DecayMode: Sendable, Codable { case coupled, decoupled }

    public var learningRate: Float
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: Float
    public var decayMode: DecayMode
    public var decayScope: WeightDecayScope
    public var amsgrad: Bool
    private var moments: [ObjectIdentifier: (m: Tensor, v: Tensor, vmax: Tensor, t: Int)] = [:]

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decayMode: DecayMode = .coupled,
                decayScope: WeightDecayScope = .weightsOnly, amsgrad: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decayMode = decayMode
        self.decayScope = decayScope
        self.amsgrad = amsgrad
    }

    public mutating func step(_ parameters: [Parameter]) {
        for p in parameters {
            guard let grad = p.grad else { continue }
            let id = ObjectIdentifier(p)
            var state = moments[id] ?? (Tensor(shape: p.value.shape), Tensor(shape: p.value.shape),
                                        Tensor(shape: p.value.shape), 0)
            state.t += 1
            let decay = decayScope.applies(to: p) ? weightDecay : 0
            let coupled = decayMode == .coupled
            let (b1, b2, eps, lr, ams) = (beta1, beta2, epsilon, learningRate, amsgrad)
            let c1 = 1 - pow(b1, Float(state.t)), c2 = 1 - pow(b2, Float(state.t))
            grad.withUnsafeBufferPointer { pg in
                state.m.withUnsafeMutableBufferPointer { pm in
                    state.v.withUnsafeMutableBufferPointer { pv in
                        state.vmax.withUnsafeMutableBufferPointer { px in
                            p.value.withUnsafeMutableBufferPointer { pw in
                                for i in 0..<pw.count {
                                    let g = pg[i] + (coupled ? decay * pw[i] : 0)
                                    pm[i] = b1 * pm[i] + (1 - b1) * g
                                    pv[i] = b2 * pv[i] + (1 - b2) * g * g
                                    var vhat = pv[i]
                                    if ams { px[i] = Swift.max(px[i], pv[i]); vhat = px[i] }
                                    let update = (pm[i] / c1) / ((vhat / c2).squareRoot() + eps)
                                    pw[i] -= lr * (update + (coupled ? 0 : decay * pw[i]))
                                }
                            }
                        }
                    }
                }
            }
            moments[id] = state
            p.grad = nil
            p.applyMask()
        }
    }

    /// The first moment m of `parameter` (running mean of its gradient), or nil before its first step.
    public func firstMoment(of parameter: Parameter) -> Tensor? { moments[ObjectIdentifier(parameter)]?.m }

    /// The second moment v of `parameter` (running mean of its squared gradient).
    public func secondMoment(of parameter: Parameter) -> Tensor? { moments[ObjectIdentifier(parameter)]?.v }

    /// Sparse momentum's reading of Adam's state (Dettmers & Zettlemoyer 2019, `sparse_learning`
    /// `core.py`): the gradient's mean over its root-mean-square,
    ///
    ///     momentum = m / (√v + ε)
    ///
    /// Bias corrections are left out: they scale every entry of a step by the same factor.
    public func momentum(of parameter: Parameter) -> Tensor? {
        guard let state = moments[ObjectIdentifier(parameter)] else { return nil }
        let eps = epsilon
        var result = state.m
        state.v.withUnsafeBufferPointer { pv in
            result.withUnsafeMutableBufferPointer { pm in
                for i in 0..<pm.count { pm[i] /= pv[i].squareRoot() + eps }
            }
        }
        return result
    }

    /// `"i.m"`, `"i.v"`, `"i.vmax"` and `"i.t"` (the step count t as a one-element tensor,
    /// exact below 2²⁴ steps) of `parameters[i]`.
    public func stateTensors(of parameters: [Parameter]) -> [(name: String, tensor: Tensor)] {
        parameters.enumerated().flatMap { i, p -> [(name: String, tensor: Tensor)] in
            guard let state = moments[ObjectIdentifier(p)] else { return [] }
            precondition(state.t < 1 << 24, "Adam step count \(state.t) is not exact as a Float")
            return [("\(i).m", state.m), ("\(i).v", state.v), ("\(i).vmax", state.vmax),
                    ("\(i).t", Tensor(shape: [1], scalars: [Float(state.t)]))]
        }
    }

    public mutating func restoreState(_ tensors: [String: Tensor], of parameters: [Parameter]) throws {
        moments = [:]
        for (i, p) in parameters.enumerated() {
            guard let m = try stateTensor(tensors, "\(i).m", like: p) else { continue }
            guard let v = try stateTensor(tensors, "\(i).v", like: p),
                  let vmax = try stateTensor(tensors, "\(i).vmax", like: p),
                  let t = tensors["\(i).t"], t.count == 1
            else { throw OptimizerStateError(description: "optimiser state \(i): m without v, vmax or t") }
            moments[ObjectIdentifier(p)] = (m, v, vmax, Int(t.scalars[0]))
        }
    }
}
