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
/// back. The cache holds at most its capacity: the environment variable
/// `LLSNN_BUFFER_POOL_MIB` (0 turns pooling off), else half of the memory budget
/// (`ExecutionPolicy.bufferPoolBytes`, 512 MiB by default). A change of shapes (training to evaluation,
/// one benchmark workload to the next) leaves buffers of sizes nobody asks for any more: on a
/// miss, classes not requested in the last `staleAfterRequests` pooled requests are released,
/// and if keeping the new size would still overflow the cap, everything cached is. Smaller
/// buffers go straight to `malloc`, whose bins already recycle them.
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
        var capacity: Int
        /// Pooled requests so far, and the request count at each class's latest request.
        var requests = 0, misses = 0
        var lastRequest: [Int: Int] = [:]

        mutating func take(_ size: Int) -> Buffer? {
            requests += 1
            lastRequest[size] = requests
            if let buffer = free[size]?.popLast() {
                cachedBytes -= size
                return buffer
            }
            misses += 1
            // A miss: a new size is being established. Give back classes nobody asked for
            // lately, and everything if keeping this buffer later would overflow the cap.
            releaseStale()
            if cachedBytes + size > capacity { trim(to: 0) }
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

        mutating func keep(_ buffer: Buffer, size: Int) -> Bool {
            guard cachedBytes + size <= capacity else { return false }
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

    /// The most bytes the cache keeps from now on (`ExecutionPolicy.apply` passes half the
    /// memory budget; `LLSNN_BUFFER_POOL_MIB` overrides it). Buffers beyond it are released.
    public static func setCapacity(_ bytes: Int) {
        let capacity = overriddenCapacity ?? max(bytes, 0)
        state.withLock {
            $0.capacity = capacity
            $0.trim(to: capacity)
        }
    }
}
