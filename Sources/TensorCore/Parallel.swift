/// How many workers element-wise kernels split their work over (the machine has two cores).
public enum Parallelism {
    /// `ExecutionPolicy.current.workers`: set once at start-up from `--threads` through
    /// `ExecutionPolicy.apply`, which also sets the OpenMP team size that oneDNN and
    /// (OpenMP-flavoured) OpenBLAS use, so `--threads 1` really runs on one core.
    public static var workers: Int { ExecutionPolicy.current.workers }
    /// Below this many elements a kernel runs on the calling thread: dispatch costs ~µs.
    public static let minimumElementsPerWorker = 32_768
}

/// A raw pointer that may cross into a `@Sendable` worker closure. The kernels that use it
/// give each worker a disjoint range, so there is no data race.
public struct SendablePointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    @inlinable public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    @inlinable public init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
}

/// Runs `body(range)` over `0..<count` split into contiguous chunks, one per worker.
/// Chunks are aligned to `granularity` (e.g. a row length) so a worker never splits a row.
@inlinable
public func parallelChunks(_ count: Int, granularity: Int = 1,
                           _ body: @Sendable (Range<Int>) -> Void) {
    parallelChunks(count, granularity: granularity, workerCount: parallelChunkWorkers(count, granularity: granularity)) { _, range in
        body(range)
    }
}

/// How many workers `parallelChunks` splits `count` elements over.
@inlinable
public func parallelChunkWorkers(_ count: Int, granularity: Int = 1) -> Int {
    let units = (count + granularity - 1) / max(granularity, 1)
    return max(1, min(Parallelism.workers, max(1, count / Parallelism.minimumElementsPerWorker), units))
}

/// The same split over `workers` (from `parallelChunkWorkers`), with each chunk's worker index
/// 0..<workers passed to `body`, for kernels that keep one partial result per worker.
@inlinable
public func parallelChunks(_ count: Int, granularity: Int = 1, workerCount workers: Int,
                           _ body: @Sendable (Int, Range<Int>) -> Void) {
    if workers <= 1 {
        body(0, 0..<count)
        return
    }
    let units = (count + granularity - 1) / max(granularity, 1)
    WorkerTeam.run(workers) { w in
        let lo = units * w / workers * granularity
        let hi = min(count, units * (w + 1) / workers * granularity)
        if lo < hi { body(w, lo..<hi) }
    }
}

/// Runs `body(i)` for every i in `0..<count` on the workers (for coarse items like images
/// or channels, each costing at least a few µs).
@inlinable
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let workers = min(Parallelism.workers, count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    WorkerTeam.run(workers) { w in
        var i = w
        while i < count { body(i); i += workers }
    }
}
