import NeuralNetworks

/// What happens to the membrane after a spike.
public enum ResetMode: String, Sendable, Codable, CaseIterable {
    /// u ← u − θ: the charge above threshold is kept, so the rate tracks the input exactly
    /// (error ≤ 1/T; Rueckauer et al. 2017).
    case subtraction
    /// u ← 0: the charge above threshold is lost, so the neuron under-fires (Diehl et al. 2015).
    case zero
}

/// The membrane at t = 0.
public enum InitialMembrane: String, Sendable, Codable {
    /// u(0) = 0.
    case zero
    /// u(0) = θ/2: centres the rounding error, halving the worst-case rate error to 1/(2T)
    /// (the "shift" of Deng & Gu 2021 and Bu et al. 2022).
    case halfThreshold
}

/// The value a spike carries to the next layer.
public enum SpikeAmplitude: String, Sendable, Codable {
    /// o = s ∈ {0, 1}: the next layer's weights absorb the scale.
    case unit
    /// o = θ·s: the rate times θ approximates the ANN activation directly (converted networks).
    case threshold
}

/// Whether BPTT differentiates through the reset term.
public enum ResetGradient: String, Sendable, Codable {
    /// ∂u/∂s = −θ (subtraction) or −u (zero) enters the backward pass.
    case full
    /// The spike inside the reset is treated as a constant (SpikingJelly's
    /// `detach_reset=True`): the ∂u/∂s path is dropped; ∂u/∂h (1 or 1 − s) and, for
    /// subtraction, ∂u/∂θ = −s stay.
    case detached
}

/// Whether a neuron parameter learns.
public enum Training: String, Sendable, Codable {
    case fixed, trained
}

/// Membrane dynamics.
public enum NeuronModel: Sendable, Codable, Equatable {
    /// Integrate-and-fire: u[t] = u[t−1] + x[t].
    case integrateAndFire
    /// Leaky integrate-and-fire: u[t] = λ·u[t−1] + x[t], λ ∈ (0, 1] (trainable per layer, DIET-SNN).
    case leakyIntegrateAndFire(leak: Float, training: Training)
}
