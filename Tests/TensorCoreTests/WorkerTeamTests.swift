import Testing
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TensorCore

/// `WorkerTeam.run` runs the parallel kernels on libgomp's team (the one oneDNN uses). It must
/// run every item exactly once, on at most `Parallelism.workers` threads, also when called
/// from inside another region (OpenMP then gives a team of one).
@Suite("Worker team", .serialized)
struct WorkerTeamTests {
    @Test func usesTheOpenMPTeamHere() {
        // libgomp is loaded with oneDNN, so the shared team is available on this platform.
        #expect(WorkerTeam.backend == .openMP)
    }

    @Test(arguments: [0, 1, 2, 3, 17, 64])
    func runsEveryItemOnce(items: Int) {
        ExecutionPolicy.update { $0.workers = 2 }
        let seen = Mutex<[Int]>([])
        WorkerTeam.run(items) { i in seen.withLock { $0.append(i) } }
        #expect(seen.withLock { $0 }.sorted() == Array(0..<items))
    }

    @Test func usesAtMostTheConfiguredWorkers() {
        ExecutionPolicy.update { $0.workers = 2 }
        let threads = Mutex<Set<Int>>([])
        WorkerTeam.run(64) { _ in
            _ = threads.withLock { $0.insert(pthread_self_id()) }
            var x = 0.0
            for k in 0..<20_000 { x += Double(k) }            // long enough for both threads to join
            precondition(x > 0)
        }
        #expect(threads.withLock { $0.count } <= 2)
    }

    @Test func nestedRegionsRunEveryItem() {
        ExecutionPolicy.update { $0.workers = 2 }
        let seen = Mutex<[Int]>([])
        WorkerTeam.run(2) { outer in
            WorkerTeam.run(5) { inner in seen.withLock { $0.append(outer * 10 + inner) } }
        }
        #expect(seen.withLock { $0 }.sorted() == [0, 1, 2, 3, 4, 10, 11, 12, 13, 14])
    }
}

/// The calling thread's id (pthread_t is an integer on Linux).
private func pthread_self_id() -> Int { Int(bitPattern: UInt(pthread_self())) }

