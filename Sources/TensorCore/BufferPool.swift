#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Recycles the large buffers behind tensors.
///
/// Why: a training step allocates and frees the same activation-sized buffers every step.
/// glibc serves anything above its mmap threshold with a fresh `mmap` and returns it with
/// `munmap`, so every step page-faults (and the kernel zeroes) hundreds of MiB again. Measured
/// with `swift run -c release bench snn` on a 2-core Zen 4: half the process time was system
/// time, and VGG-11 inference ran at 40 % of the sgemm peak instead of > 90 %.
///
/// How: buffers of at least `smallestPooledBytes` are rounded up to a size class (four classes
/// per power of two, ≤ 25 % slack in address space; only touched pages become resident) and,
/// when freed, kept on a free list for that class. A later request of the same class takes one
/// back. The pool counts the pooled bytes held by live tensors (`inUseBytes`) and the most that
/// were live at once (`peakInUseBytes`), and keeps the footprint — live plus cached — within
/// that peak plus its cap: the cache may hold up to the cap beyond the busiest moment so far,
/// so a step whose working set exceeds the cap still finds the previous step's buffers cached,
/// and the footprint stays within the same bound as a cache of at most the cap on top of a
/// live peak. (With the cap as a bound on the cache alone, a 1 GB training step under a 512 MiB
/// cap gave back half its buffers every step and faulted them in again: W3 ran at 46 % of its
/// speed at the same peak RSS; `bench snn --workload fmnist-train`.) The cap is the environment variable
/// `LLSNN_BUFFER_POOL_MIB` (0 turns pooling off), else half of the memory budget
/// (`ExecutionPolicy.bufferPoolBytes`, 512 MiB by default). A change of shapes (training to evaluation,
/// one benchmark workload to the next) leaves buffers of sizes nobody asks for any more: on a
/// miss, classes not requested in the last `staleAfterRequests` pooled requests are released,
/// and if the new buffer takes the footprint over its limit, cached buffers (largest first)
/// are released until it fits. Smaller buffers go straight to `malloc`, whose bins already
/// recycle them.
public enum BufferPool {
    /// Requests below this go to the system allocator directly.
    public static let smallestPooledBytes = 256 * 1024

    /// A size class not requested for this many pooled requests is released at the next miss
    /// (one VGG-11 SNN training step makes a few hundred).
    public static let staleAfterRequests = 4096

    /// Pooled requests served from the cache (hits) and from the system (misses) so far.
    public static var statistics: (hits: Int, misses: Int) {
        state.withLock { ($0.requests - $0.misses, $0.misses) }
    }

    /// Pooled bytes held by live tensors now, the most held at once so far, and cached.
    public static var footprint: (inUse: Int, peakInUse: Int, cached: Int) {
        state.withLock { ($0.inUseBytes, $0.peakInUseBytes, $0.cachedBytes) }
    }

    /// The bytes actually reserved for a request of `bytes` (its size class).
    public static func sizeClass(_ bytes: Int) -> Int {
        guard bytes >= smallestPooledBytes else { return bytes }
        let top = Int.bitWidth - 1 - bytes.leadingZeroBitCount   // 2^top ≤ bytes
        let step = 1 << (top - 2)
        return (bytes + step - 1) / step * step
    }

    /// A 64-byte aligned, uninitialised buffer of at least `bytes` bytes.
    public static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = sizeClass(bytes)
        if size >= smallestPooledBytes,
           let reused = state.withLock({ $0.take(size) }) {
            return reused.pointer
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer from `allocate(bytes:)`, with the same `bytes`.
    public static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        let size = sizeClass(bytes)
        let buffer = Buffer(pointer: pointer)
        if size >= smallestPooledBytes, state.withLock({ $0.keep(buffer, size: size) }) {
            return
        }
        pointer.deallocate()
    }

    /// A buffer address that may cross into the lock (it is owned by exactly one side).
    struct Buffer: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

    struct State {
        var free: [Int: [Buffer]] = [:]
        var cachedBytes = 0
        /// The cap; 0 turns pooling off.
        var capacity: Int
        /// Pooled bytes held by live tensors, and the most held at once.
        var inUseBytes = 0, peakInUseBytes = 0
        /// Pooled requests so far, and the request count at each class's latest request.
        var requests = 0, misses = 0
        var lastRequest: [Int: Int] = [:]

        /// The most bytes live and cached buffers may hold together.
        var footprintLimit: Int { peakInUseBytes + capacity }

        /// A request of class `size`: a cached buffer, or nil when the caller must allocate one.
        /// Either way the bytes count as in use from now on.
        mutating func take(_ size: Int) -> Buffer? {
            requests += 1
            lastRequest[size] = requests
            inUseBytes += size
            peakInUseBytes = Swift.max(peakInUseBytes, inUseBytes)
            if let buffer = free[size]?.popLast() {
                cachedBytes -= size
                return buffer
            }
            misses += 1
            // A miss: a new size is being established. Give back classes nobody asked for
            // lately, and as many cached buffers as the new one takes the footprint over its limit.
            releaseStale()
            trim(to: footprintLimit - inUseBytes)
            return nil
        }

        mutating func releaseStale() {
            for (size, buffers) in free where requests - (lastRequest[size] ?? 0) > BufferPool.staleAfterRequests {
                for buffer in buffers { buffer.pointer.deallocate() }
                cachedBytes -= size * buffers.count
                free[size] = nil
                lastRequest[size] = nil
            }
        }

        /// A buffer of class `size` freed by its tensor: true when the cache keeps it, false
        /// when the caller must release it (pooling off, or it would not fit the limit).
        mutating func keep(_ buffer: Buffer, size: Int) -> Bool {
            inUseBytes = Swift.max(inUseBytes - size, 0)
            guard capacity > 0, inUseBytes + cachedBytes + size <= footprintLimit else { return false }
            free[size, default: []].append(buffer)
            cachedBytes += size
            return true
        }

        mutating func trim(to limit: Int) {
            guard cachedBytes > limit else { return }
            for size in free.keys.sorted(by: >) {
                while cachedBytes > limit, let buffer = free[size]?.popLast() {
                    buffer.pointer.deallocate()
                    cachedBytes -= size
                }
            }
            free = free.filter { !$0.value.isEmpty }
        }
    }

    private static let state = Mutex(State(capacity: overriddenCapacity ?? ExecutionPolicy().bufferPoolBytes))

    /// `LLSNN_BUFFER_POOL_MIB` in bytes, read once; it wins over the memory budget.
    private static let overriddenCapacity: Int? = {
        guard let text = EnvironmentSetting.bufferPoolMiB.value, let mib = Int(text), mib >= 0 else {
            return nil
        }
        return mib << 20
    }()

    /// The cap from now on (`ExecutionPolicy.apply` passes half the memory budget;
    /// `LLSNN_BUFFER_POOL_MIB` overrides it). Cached buffers beyond the new limit are released.
    public static func setCapacity(_ bytes: Int) {
        let capacity = overriddenCapacity ?? max(bytes, 0)
        state.withLock {
            $0.capacity = capacity
            $0.trim(to: capacity == 0 ? 0 : $0.footprintLimit - $0.inUseBytes)
        }
    }
}
