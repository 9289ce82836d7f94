import Testing
import Synchronization
import TensorCore

/// `parallelChunks` must hand out every index exactly once, in chunks aligned to the
/// granularity, whether it runs serially (< 2·32 768 elements) or on two workers.
@Suite("Parallel chunking")
struct ParallelTests {
    /// Collects the ranges handed to the workers, and the worker count in force.
    static func chunks(count: Int, granularity: Int) -> (ranges: [Range<Int>], workers: Int) {
        ExecutionPolicy.update { $0.workers = 2 }
        let seen = Mutex<[Range<Int>]>([])
        parallelChunks(count, granularity: granularity) { range in
            seen.withLock { $0.append(range) }
        }
        // Read back rather than assume 2: `workers` is process-wide and another suite may set it.
        return (seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }, Parallelism.workers)
    }

    static let threshold = Parallelism.minimumElementsPerWorker

    @Test(arguments: [0, 1, 32_767, 32_768, 65_535, 65_536, 65_537, 100_003],
          [1, 3, 64, 1000, 40_000])
    func coversEveryIndexOnceAlignedToGranularity(count: Int, granularity: Int) {
        let (ranges, workers) = Self.chunks(count: count, granularity: granularity)
        // Contiguous from 0 to count with no overlap ⇔ every index exactly once.
        var next = 0
        for r in ranges {
            #expect(r.lowerBound == next, "gap or overlap at \(r) in \(ranges)")
            next = r.upperBound
        }
        #expect(next == count, "ranges \(ranges) end at \(next), not \(count)")
        // Every boundary except the end sits on a multiple of the granularity.
        for r in ranges {
            #expect(r.lowerBound % granularity == 0, "\(r) starts off the \(granularity)-grid")
            #expect(r.upperBound == count || r.upperBound % granularity == 0,
                    "\(r) ends off the \(granularity)-grid")
        }
        // One chunk per 32 768 elements, at most one per worker and per granule: with two
        // workers, two chunks exactly when count ≥ 2·threshold and there are ≥ 2 granules.
        let units = (count + granularity - 1) / granularity
        let expected = max(1, min(workers, count / Self.threshold, units))
        #expect(ranges.count == expected, "\(ranges) with \(workers) workers")
    }

    /// Concurrent writes through `parallelChunks` land once each: every element incremented once.
    @Test(arguments: [10, 65_536, 200_001])
    func eachIndexWrittenOnce(count: Int) {
        ExecutionPolicy.update { $0.workers = 2 }
        var hits = [Int32](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { p in
            let base = SendablePointer(p.baseAddress!)
            parallelChunks(count, granularity: 7) { r in
                for i in r { base.base[i] += 1 }
            }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }

    @Test(arguments: [0, 1, 2, 5, 101])
    func parallelForVisitsEachItemOnce(count: Int) {
        ExecutionPolicy.update { $0.workers = 2 }
        let visits = Mutex<[Int]>([])
        parallelFor(count) { i in visits.withLock { $0.append(i) } }
        #expect(visits.withLock { $0 }.sorted() == Array(0..<count))
    }
}
