import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the package computes — never what it computes. Every knob that changes speed, memory or
/// the threads used, and nothing else, is in this one table (the results are the same bits
/// under every setting, except the convolution algorithm, whose kinds sum in other orders):
///
/// | knob                | default                        | set by                         | where it is read |
/// |---------------------|--------------------------------|--------------------------------|------------------|
/// | `workers`           | 2                              | `--threads`                    | `ExecutionPolicy.current.workers` (`Parallelism.workers`): element-wise kernels, OpenMP team of oneDNN and OpenBLAS |
/// | `convolution`       | `.blocked`                     | `--convolution`                | `ExecutionPolicy.current.convolution`: every oneDNN convolution plan |
/// | `spikeConvolution`  | spike-driven up to density 0.3 | `bench --spikes`, tests        | `SpikeConvolutionPolicy.current` (task-local) |
/// | `activationLayout`  | blocked between convolutions   | tests                          | `DNNLRuntime.activationLayout` (task-local) |
/// | `memoryBudgetBytes` | 1 GiB                          | `--memory-budget`, `bench sim --working-set` | the two rows below |
/// | `simulationWorkingSetBytes` | budget / 16 (64 MiB)   | (from the budget)              | `Sequential.simulate`: images per group, so one chunk's largest activation fits |
/// | buffer-pool cap     | budget / 2 (512 MiB)           | (from the budget); `LLSNN_BUFFER_POOL_MIB` overrides | `BufferPool`: live + cached pooled bytes ≤ the most live at once + cap |
/// | worker backend      | OpenMP's team when loaded      | `LLSNN_WORKERS=dispatch`       | `WorkerTeam` |
///
/// The first two rows are this value, kept in one lock-protected registry (`current`): a chapter
/// builds one `ExecutionPolicy` from its options and calls `apply()` once at start-up, and every
/// kernel reads `ExecutionPolicy.current` (no other global holds them). The two task-local rows
/// change a policy for the code inside a `withValue` block only (benchmarks, tests);
/// the environment variables (`EnvironmentSetting`, all named `LLSNN_…`) are read once, when
/// the buffer pool and the worker team first start.
public struct ExecutionPolicy: Sendable, Equatable {
    /// Threads of every parallel kernel (the machine has two cores).
    public var workers: Int
    /// The oneDNN convolution kernels.
    public var convolution: ConvolutionAlgorithm
    /// The memory the computation may hold beyond its networks and datasets: half of it for
    /// the buffer pool's cache of freed tensors (beyond the most that was live at once: between
    /// a step's busiest moments it may cache what that moment held), a sixteenth for
    /// one activation of a simulated chunk. The default, 1 GiB, keeps every quick chapter well inside a course laptop's
    /// 8 GB; results do not depend on it (tested at half and double).
    public var memoryBudgetBytes: Int

    /// The default budget, 1 GiB.
    public static let defaultMemoryBudgetBytes = 1 << 30

    /// The most bytes one activation of a simulated chunk may take: `Sequential.simulate` runs
    /// its images in groups that fit (measured with `bench sim`: on the shared backbone, groups
    /// of 64 MiB ran ~2.8× faster than one 800 MB chunk of 250 images, whose fresh memory the
    /// first run pays for). A sixteenth of the budget. Results do not depend on it.
    public var simulationWorkingSetBytes: Int { memoryBudgetBytes / 16 }

    /// The cap of `BufferPool`'s cache of freed buffers: half of the budget (beyond the most
    /// bytes live at once, which were resident at that moment anyway).
    public var bufferPoolBytes: Int { memoryBudgetBytes / 2 }

    public init(workers: Int = 2, convolution: ConvolutionAlgorithm = .blocked,
                memoryBudgetBytes: Int = ExecutionPolicy.defaultMemoryBudgetBytes) {
        self.workers = workers
        self.convolution = convolution
        self.memoryBudgetBytes = memoryBudgetBytes
    }

    /// The registry: the one place the process's policy is stored.
    private static let installed = Mutex(ExecutionPolicy())

    /// The policy in force in this process.
    public static var current: ExecutionPolicy {
        installed.withLock { $0 }
    }

    /// Makes this the policy of the whole process (worker count, OpenMP team size, oneDNN
    /// kernels). Call once at start-up, before any computation.
    public func apply() {
        Self.installed.withLock { $0 = self }
        OpenMPThreads.set(workers)
        BLASRuntime.setThreads(workers)
        BufferPool.setCapacity(bufferPoolBytes)
    }

    /// Changes one knob of the process's policy, e.g. `ExecutionPolicy.update { $0.workers = 1 }`
    /// (tests and benchmarks that compare settings side by side).
    public static func update(_ change: (inout ExecutionPolicy) -> Void) {
        var policy = current
        change(&policy)
        policy.apply()
    }
}

/// The environment variables the computation reads, each with its one meaning. None changes a
/// result; each changes how it is computed. (The only other one the package reads is the
/// figures' `LLSNN_GNUPLOT_TIMEOUT`, `Gnuplot.timeoutVariable`; the README lists all three.)
public enum EnvironmentSetting: String, CaseIterable, Sendable {
    /// Largest size of the buffer pool in MiB (0 turns pooling off).
    case bufferPoolMiB = "LLSNN_BUFFER_POOL_MIB"
    /// `dispatch` runs the parallel kernels on Dispatch instead of OpenMP's team (benchmark A/B).
    case workers = "LLSNN_WORKERS"

    /// The variable's value in this process's environment, or nil.
    public var value: String? { getenv(rawValue).map { String(cString: $0) } }
}
