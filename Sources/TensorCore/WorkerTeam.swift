// The threads every parallel kernel runs on: OpenMP's, shared with oneDNN and OpenBLAS.

import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs a parallel kernel on libgomp's thread team, the one oneDNN's convolutions and
/// OpenBLAS's GEMMs use, instead of a second pool.
///
/// Why: after a parallel region libgomp's workers spin for a while before they sleep. With two
/// cores, a kernel run on other threads (Dispatch) in that window shares each core with a
/// spinning OpenMP thread. On the shared team the spinning threads are the ones that pick up
/// the next kernel. Measured (AMD Zen 4, 2 cores, 4 interleaved pairs of
/// `bench snn --runs 3` against `LLSNN_WORKERS=dispatch`): VGG-11 training 1.11× the
/// images/s (every pair above 1), the Fashion-MNIST workload 1.12×, inference about even.
///
/// `GOMP_parallel` is libgomp's entry point for `#pragma omp parallel`; like `OpenMPThreads`
/// it is looked up at run time in the libgomp oneDNN loaded (no `-fopenmp`, no `-lgomp`).
/// Without it, or when `LLSNN_WORKERS=dispatch` is set (benchmark A/B), kernels run on
/// Dispatch as before. Which worker index runs which item never depends on the backend, so
/// results are the same bits either way.
public enum WorkerTeam {
    public enum Backend: String, Sendable {
        case openMP, dispatch
    }

    private typealias Region = @convention(c) (UnsafeMutableRawPointer?) -> Void
    private typealias Parallel = @convention(c) (Region, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
    private typealias Query = @convention(c) () -> Int32

    private struct Entry: @unchecked Sendable {
        let parallel: Parallel, threadNumber: Query, teamSize: Query
    }

    private static let entry: Entry? = {
        #if canImport(Glibc)
        if EnvironmentSetting.workers.value == Backend.dispatch.rawValue { return nil }
        let handle = UnsafeMutableRawPointer(bitPattern: 0)   // RTLD_DEFAULT
        guard let p = dlsym(handle, "GOMP_parallel"), let n = dlsym(handle, "omp_get_thread_num"),
              let s = dlsym(handle, "omp_get_num_threads") else { return nil }
        return Entry(parallel: unsafeBitCast(p, to: Parallel.self),
                     threadNumber: unsafeBitCast(n, to: Query.self),
                     teamSize: unsafeBitCast(s, to: Query.self))
        #else
        return nil
        #endif
    }()

    /// The backend in use in this process.
    public static var backend: Backend { entry == nil ? .dispatch : .openMP }

    /// What one region runs: `body(w)` for each worker index w its thread owns.
    private struct Job {
        let count: Int
        let body: (Int) -> Void
        let entry: Entry
    }

    /// Runs `body(w)` once for every w in `0..<items`, concurrently on at most
    /// `Parallelism.workers` threads, and returns when all are done. Each thread of the team
    /// runs the items ≡ its thread number (mod team size); a team smaller than asked for (a
    /// nested region, `OMP_THREAD_LIMIT`) still runs every item.
    public static func run(_ items: Int, _ body: @Sendable (Int) -> Void) {
        let threads = min(items, Parallelism.workers)
        guard threads > 1 else {
            for w in 0..<items { body(w) }
            return
        }
        guard let entry else {
            DispatchQueue.concurrentPerform(iterations: items, execute: body)
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: items, body: body, entry: entry)
            withUnsafeMutablePointer(to: &job) { pointer in
                entry.parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: Job.self).pointee
                    let team = Int(job.entry.teamSize()), me = Int(job.entry.threadNumber())
                    var w = me
                    while w < job.count { job.body(w); w += team }
                }, UnsafeMutableRawPointer(pointer), UInt32(threads), 0)
            }
        }
    }
}
