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

    @Test func freedBufferIsReusedForTheSameClass() {
        var state = BufferPool.State(capacity: 10 << 20)
        let size = BufferPool.sizeClass(1 << 20)
        let buffer = BufferPool.Buffer(pointer: .allocate(byteCount: size, alignment: 64))
        let firstTake = state.take(size)
        #expect(firstTake == nil)
        let kept = state.keep(buffer, size: size)
        #expect(kept)
        #expect(state.cachedBytes == size)
        let otherClass = state.take(BufferPool.sizeClass(2 << 20))
        #expect(otherClass == nil, "another class is a miss")
        let reused = state.take(size)
        #expect(reused?.pointer == buffer.pointer)
        #expect(state.cachedBytes == 0)
        buffer.pointer.deallocate()
    }

    @Test func cacheNeverExceedsItsCapacity() {
        let size = 1 << 20
        var state = BufferPool.State(capacity: 2 * size + size / 2)
        let buffers = (0..<3).map { _ in BufferPool.Buffer(pointer: .allocate(byteCount: size, alignment: 64)) }
        let kept = buffers.map { state.keep($0, size: size) }
        #expect(kept == [true, true, false], "a third would exceed the cap: the caller frees it")
        #expect(state.cachedBytes == 2 * size)
        buffers[2].pointer.deallocate()
        state.trim(to: 0)
        #expect(state.cachedBytes == 0 && state.free.isEmpty)
    }

    @Test func classesNotRequestedLatelyAreReleasedAtAMiss() {
        let old = 1 << 20, current = 2 << 20
        var state = BufferPool.State(capacity: 64 << 20)
        _ = state.take(old)
        let keptOld = state.keep(BufferPool.Buffer(pointer: .allocate(byteCount: old, alignment: 64)), size: old)
        #expect(keptOld)
        var buffer = state.take(current)   // a miss, but `old` is recent: kept
        #expect(buffer == nil && state.cachedBytes == old)
        let fresh = BufferPool.Buffer(pointer: .allocate(byteCount: current, alignment: 64))
        for _ in 0..<BufferPool.staleAfterRequests {   // steady state on `current` only: hits
            let kept = state.keep(fresh, size: current)
            #expect(kept)
            buffer = state.take(current)
        }
        #expect(buffer?.pointer == fresh.pointer && state.cachedBytes == old)
        _ = state.take(3 << 20)   // the next miss releases the stale class
        #expect(state.cachedBytes == 0 && state.free[old] == nil)
        fresh.pointer.deallocate()
    }

    @Test func missThatWouldOverflowReleasesStaleSizes() {
        let small = 1 << 20, large = 4 << 20
        var state = BufferPool.State(capacity: 4 << 20)
        let keptSmall = state.keep(BufferPool.Buffer(pointer: .allocate(byteCount: small, alignment: 64)), size: small)
        #expect(keptSmall && state.cachedBytes == small)
        // A new, large shape: keeping it later would overflow, so the stale small one goes now.
        let miss = state.take(large)
        #expect(miss == nil)
        #expect(state.cachedBytes == 0)
        let keptLarge = state.keep(BufferPool.Buffer(pointer: .allocate(byteCount: large, alignment: 64)), size: large)
        #expect(keptLarge)
        state.trim(to: 0)
    }
}

import Synchronization
