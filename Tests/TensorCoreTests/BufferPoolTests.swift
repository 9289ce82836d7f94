import Dispatch
import Testing
@testable import TensorCore

/// The pool only changes where bytes come from: a recycled buffer must never show a previous
/// tensor's contents, never be handed to two live tensors, and the cache must respect its cap.
@Suite("Buffer pool")
struct BufferPoolTests {
    let big = BufferPool.smallestPooledBytes / 4 * 3   // elements: 3× the smallest pooled size

    @Test func sizeClassesRoundUpByAtMostAQuarter() {
        #expect(BufferPool.sizeClass(1000) == 1000)   // below the pooled minimum: exact
        for bytes in [BufferPool.smallestPooledBytes, 300_001, 1 << 20, (1 << 20) + 1, 134_217_728,
                      134_217_729, 999_999_937] {
            let size = BufferPool.sizeClass(bytes)
            #expect(size >= bytes)
            #expect(Double(size) <= Double(bytes) * 1.25 + 1)
            #expect(BufferPool.sizeClass(size) == size, "a class is its own class")
        }
        #expect(BufferPool.sizeClass((1 << 20) + 1) == (1 << 20) + (1 << 18))
    }

    @Test func recycledTensorIsFilledWithItsValue() {
        for value: Float in [0, 1.5, -3] {
            do {
                var garbage = Tensor(shape: [big], repeating: 0)
                garbage.withUnsafeMutableBufferPointer { p in
                    for i in p.indices { p[i] = Float(i % 97) + 0.25 }
                }
                #expect(garbage[flat: 5] == 5.25)
            }
            let fresh = Tensor(shape: [big], repeating: value)
            #expect(fresh.scalars.allSatisfy { $0 == value })
        }
    }

    @Test func copiesOfRecycledBuffersAreIndependent() {
        var a = Tensor(shape: [big], repeating: 2)
        let b = a
        a[flat: 0] = 7   // copy-on-write: `a` gets a (possibly recycled) new buffer
        #expect(b[flat: 0] == 2)
        #expect(a[flat: 0] == 7 && a[flat: big - 1] == 2)
    }

    @Test func concurrentTensorsNeverShareABuffer() {
        let threads = 4, rounds = 10, count = big
        let failures = Mutex<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for r in 0..<rounds {
                let mark = Float(t * 1000 + r)
                let held = Tensor(shape: [count + (r % 3) * 64], repeating: mark)
                let other = Tensor(shape: [count], repeating: -mark)
                let ok = held.scalars.allSatisfy { $0 == mark } && other.scalars.allSatisfy { $0 == -mark }
                if !ok { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    // The policy itself, on a private state (the global pool is shared by concurrent tests).
    // `take` returning nil means the caller allocates; `keep` returning false means it frees.

    /// Takes a buffer of class `size`, allocating one on a miss (as `BufferPool.allocate` does).
    func take(_ size: Int, from state: inout BufferPool.State) -> BufferPool.Buffer {
        state.take(size) ?? BufferPool.Buffer(pointer: .allocate(byteCount: size, alignment: 64))
    }

    /// Frees a buffer as `BufferPool.deallocate` does.
    func free(_ buffer: BufferPool.Buffer, size: Int, into state: inout BufferPool.State) {
        if !state.keep(buffer, size: size) { buffer.pointer.deallocate() }
    }

    @Test func freedBufferIsReusedForTheSameClass() {
        var state = BufferPool.State(capacity: 10 << 20)
        let size = BufferPool.sizeClass(1 << 20)
        let firstTake = state.take(size)
        #expect(firstTake == nil)
        let buffer = BufferPool.Buffer(pointer: .allocate(byteCount: size, alignment: 64))
        #expect(state.inUseBytes == size)
        let kept = state.keep(buffer, size: size)
        #expect(kept)
        #expect(state.cachedBytes == size && state.inUseBytes == 0)
        let otherClass = state.take(BufferPool.sizeClass(2 << 20))
        #expect(otherClass == nil, "another class is a miss")
        let reused = state.take(size)
        #expect(reused?.pointer == buffer.pointer)
        #expect(state.cachedBytes == 0)
        buffer.pointer.deallocate()
    }

    /// A training step whose working set is larger than the cap: from the second step on every
    /// request is served from the cache (the W3 slowdown: half the buffers were given back and
    /// faulted in again every step), and the footprint never exceeds the first step's.
    @Test func stepLargerThanTheCapIsServedFromTheCacheAfterItsFirstRun() {
        let sizes = [4 << 20, 4 << 20, 2 << 20, 4 << 20, 1 << 20]   // 15 MiB live at once
        var state = BufferPool.State(capacity: 4 << 20)
        for step in 0..<3 {
            let missesBefore = state.misses
            let held = sizes.map { take($0, from: &state) }
            #expect(state.inUseBytes == 15 << 20)
            for (buffer, size) in zip(held, sizes).reversed() { free(buffer, size: size, into: &state) }
            #expect(state.inUseBytes == 0)
            #expect(state.cachedBytes + state.inUseBytes <= 15 << 20)
            if step > 0 { #expect(state.misses == missesBefore, "step \(step) missed") }
        }
        #expect(state.peakInUseBytes == 15 << 20 && state.cachedBytes == 15 << 20)
        state.trim(to: 0)
    }

    /// Live plus cached never exceeds the most that was live at once plus the cap, also when the
    /// shapes change (training → evaluation).
    @Test func footprintStaysWithinTheCapOrThePeakLive() {
        let mib = 1 << 20
        var state = BufferPool.State(capacity: 2 * mib)
        let training = (0..<3).map { _ in take(4 * mib, from: &state) }   // 12 MiB live
        for buffer in training { free(buffer, size: 4 * mib, into: &state) }
        #expect(state.cachedBytes == 12 * mib, "all of the step's buffers stay cached")
        // New shapes: each miss releases cached buffers so that live + cached ≤ peak + 2 MiB.
        var evaluation: [BufferPool.Buffer] = []
        for _ in 0..<5 {
            evaluation.append(take(3 * mib, from: &state))
            #expect(state.inUseBytes + state.cachedBytes <= state.peakInUseBytes + 2 * mib)
        }
        #expect(state.peakInUseBytes == 15 * mib)
        for buffer in evaluation { free(buffer, size: 3 * mib, into: &state) }
        #expect(state.inUseBytes + state.cachedBytes <= 17 * mib)
        state.trim(to: 0)
    }

    @Test func capacityZeroTurnsPoolingOff() {
        var state = BufferPool.State(capacity: 0)
        let size = 1 << 20
        let buffer = take(size, from: &state)
        let kept = state.keep(buffer, size: size)
        #expect(!kept && state.cachedBytes == 0, "nothing is cached: the caller frees it")
        buffer.pointer.deallocate()
    }

    @Test func classesNotRequestedLatelyAreReleasedAtAMiss() {
        let old = 1 << 20, current = 2 << 20
        var state = BufferPool.State(capacity: 64 << 20)
        free(take(old, from: &state), size: old, into: &state)
        #expect(state.cachedBytes == old)
        var buffer = take(current, from: &state)   // a miss, but `old` is recent: kept
        #expect(state.cachedBytes == old)
        for _ in 0..<BufferPool.staleAfterRequests {   // steady state on `current` only: hits
            free(buffer, size: current, into: &state)
            buffer = take(current, from: &state)
        }
        #expect(state.cachedBytes == old && state.misses == 2)
        let other = take(3 << 20, from: &state)   // the next miss releases the stale class
        #expect(state.cachedBytes == 0 && state.free[old] == nil)
        buffer.pointer.deallocate()
        other.pointer.deallocate()
    }

    @Test func missOverTheLimitReleasesCachedBuffersLargestFirst() {
        let mib = 1 << 20
        var state = BufferPool.State(capacity: mib)
        let small = take(mib, from: &state), large = take(3 * mib, from: &state)   // peak 4 MiB, limit 5
        free(small, size: mib, into: &state)
        free(large, size: 3 * mib, into: &state)
        #expect(state.cachedBytes == 4 * mib)
        // A new 2 MiB shape: 2 + 4 > 5, so the 3 MiB buffer goes and the 1 MiB one stays.
        let fresh = take(2 * mib, from: &state)
        #expect(state.cachedBytes == mib && state.free[3 * mib] == nil && state.free[mib]?.count == 1)
        fresh.pointer.deallocate()
        state.trim(to: 0)
    }
}

import Synchronization
