// Inference without a graph: the counterpart of PyTorch's `torch.no_grad()`.

/// Whether differentiable ops record the graph (their parents and backward closures).
///
/// A parameter always requires a gradient, so a forward pass records a graph even in inference
/// (`ForwardContext.inference` only switches layers such as BatchNorm and dropout to their
/// inference behaviour). The graph keeps every intermediate tensor, and whatever a backward
/// closure captured (a neuron layer's membranes), alive until the output is released: on a
/// T = 10 batch of a small VGG that is over a gigabyte. Inside `withoutGradients` no op records
/// anything, so each intermediate tensor is freed as soon as the next layer has read it.
///
/// Every op computes the same value with recording on or off (the forward path an op chooses
/// depends on which inputs require gradients, and a parameter still does), so results do not
/// change; only `backward()` has nothing to follow.
public enum GradientRecording {
    /// Whether ops record the graph on this thread (or task) now.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` with graph recording off: every op returns a constant (see `GradientRecording`).
/// For evaluation, calibration and statistics passes that never call `backward()`.
public func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradientRecording.$isEnabled.withValue(false, operation: body)
}
