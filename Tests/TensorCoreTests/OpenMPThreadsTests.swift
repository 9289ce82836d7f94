import Testing
import TensorCore

/// `--threads` must reach oneDNN's and OpenBLAS's OpenMP team, not only the element-wise
/// workers. The team size is a per-thread OpenMP setting, so each check sets and reads it on
/// the same (synchronous) test thread.
@Suite("OpenMP team size")
struct OpenMPThreadsTests {
    @Test func runtimeIsLoaded() {
        #expect(OpenMPThreads.maximum != nil, "libgomp (loaded by oneDNN) was not found")
    }

    @Test func settingWorkersSetsTheTeamSize() {
        let saved = Parallelism.workers
        defer { ExecutionPolicy.update { $0.workers = saved } }
        ExecutionPolicy.update { $0.workers = 1 }
        #expect(OpenMPThreads.maximum == 1)
        OpenMPThreads.set(3)
        #expect(OpenMPThreads.maximum == 3)
        ExecutionPolicy.update { $0.workers = 2 }
        #expect(OpenMPThreads.maximum == 2)
    }

    /// Debian's default OpenBLAS is its pthread build, which ignores the OpenMP team: without
    /// its own setting a worker run with --threads 1 kept OpenBLAS on every core.
    @Test func settingWorkersSetsOpenBLASThreads() {
        let saved = Parallelism.workers
        defer { ExecutionPolicy.update { $0.workers = saved } }
        ExecutionPolicy.update { $0.workers = 1 }
        #expect(BLASRuntime.threads == 1)
        ExecutionPolicy.update { $0.workers = 2 }
        #expect(BLASRuntime.threads == 2)
    }
}
