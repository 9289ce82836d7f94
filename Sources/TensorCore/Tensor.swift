/// A dense, contiguous Float32 array with a shape.
///
/// `Tensor` is a value type: copies share one buffer until one of them is written
/// (copy-on-write), so passing tensors around is cheap and a mutation never leaks into
/// another value. Images are laid out `[batch, channels, height, width]` (NCHW); a spiking
/// simulation folds time into the batch, `[T·N, C, H, W]`, for stateless layers.
///
/// Elements are stored in `layout`: row-major, or — for activations between oneDNN
/// convolutions — oneDNN's channel-blocked `nChw16c` (see `TensorLayout`). Every accessor
/// below (`withUnsafeBufferPointer`, `scalars`, subscripts, `reshaped`, `==`) sees row-major
/// elements whatever the storage: a blocked tensor is converted on the way (a copy). Kernels
/// that handle the blocked order themselves read the storage as it is with `withUnsafeStorage`.
public struct Tensor: Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The order of the elements in `storage`.
    public private(set) var layout: TensorLayout = .rowMajor
    @usableFromInline var storage: TensorStorage

    /// The number of elements, the product of `shape`.
    @inlinable public var count: Int { storage.count }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *), repeating: value)
    }

    /// A tensor of the given shape whose elements are not initialised: for kernels that write
    /// every element before anything reads it (convolution outputs, normalised maps). Saves
    /// the fill pass over large buffers. The kernel writes them in `layout` order.
    public init(uninitializedShape shape: [Int], layout: TensorLayout = .rowMajor) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(layout == .rowMajor || TensorLayout.channelBlocked16.holds(shape),
                     "the blocked layout needs [N, C, H, W] with C a multiple of 16, got \(shape)")
        self.shape = shape
        self.layout = layout
        self.storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        let count = shape.reduce(1, *)
        precondition(count == scalars.count,
                     "shape \(shape) holds \(count) elements but \(scalars.count) scalars were given")
        self.shape = shape
        self.storage = TensorStorage(count: count, repeating: 0)
        scalars.withUnsafeBufferPointer { src in
            storage.pointer.update(from: src.baseAddress!, count: count)
        }
    }

    /// A rank-0 tensor holding one value.
    public init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// The elements in row-major order.
    public var scalars: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// The value of a tensor with exactly one element.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return storage.pointer[0]
    }

    /// Rank: the number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// Reads the elements in row-major order (a blocked tensor is converted into a temporary
    /// copy first). The pointer is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if layout != .rowMajor { return try converted(to: .rowMajor).withUnsafeBufferPointer(body) }
        return try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// Writes the elements in row-major order, copying the buffer first if another value shares
    /// it (a blocked tensor becomes row-major first).
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if layout != .rowMajor { self = converted(to: .rowMajor) }
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// Reads the storage as it is, in `layout` order: for kernels that handle every layout
    /// (element-wise maps, or per-channel kernels written for `nChw16c`).
    @inlinable
    public func withUnsafeStorage<R>(_ body: (UnsafeBufferPointer<Float>, TensorLayout) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count), layout)
        }
    }

    /// Writes the storage as it is, in `layout` order (copying it first if shared).
    @inlinable
    public mutating func withUnsafeMutableStorage<R>(
        _ body: (UnsafeMutableBufferPointer<Float>, TensorLayout) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count), layout)
        }
    }

    /// The same storage read with another shape and layout, no copy: for kernels that compute
    /// on a flat view and hand the result back in their input's layout (e.g. a neuron layer
    /// simulating `[T·M]` elements of a blocked `[T·N, C, H, W]` map). The caller guarantees
    /// the elements are in `layout` order for `shape`.
    public func reinterpreted(as shape: [Int], layout: TensorLayout) -> Tensor {
        precondition(shape.reduce(1, *) == count, "cannot view \(self.shape) as \(shape)")
        precondition(layout == .rowMajor || TensorLayout.channelBlocked16.holds(shape),
                     "the blocked layout needs [N, C, H, W] with C a multiple of 16, got \(shape)")
        var result = self
        result.shape = shape
        result.layout = layout
        return result
    }

    /// The same elements seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element)
                .reduce(1, *)
            newShape[inferred] = known == 0 ? 0 : count / known
        }
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        if newShape == shape { return self }
        var result = converted(to: .rowMajor)
        result.shape = newShape
        return result
    }

    /// Element access by flat index (slow path: tests and small bookkeeping only).
    public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "flat index \(index) out of range \(count)")
            return storage.pointer[layout.storageIndex(ofRowMajor: index, shape: shape)]
        }
        set {
            precondition(index >= 0 && index < count, "flat index \(index) out of range \(count)")
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }

    /// Element access by a full multi-index (slow path: tests and small bookkeeping only).
    public subscript(_ index: Int...) -> Float {
        get { self[flat: flatIndex(index)] }
        set { self[flat: flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }
}

extension Tensor: Equatable {
    /// Bitwise equality of shape and elements.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.layout != rhs.layout { return lhs.converted(to: .rowMajor) == rhs.converted(to: .rowMajor) }
        if lhs.storage === rhs.storage { return true }
        return lhs.withUnsafeStorage { a, _ in
            rhs.withUnsafeStorage { b, _ in memcmp(a.baseAddress!, b.baseAddress!, a.count * 4) == 0 }
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

/// The heap buffer behind a `Tensor`. 64-byte aligned for vector loads; never empty, so the
/// pointer is always valid. Large buffers are recycled through `BufferPool`.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int

    init(count: Int, repeating value: Float) {
        self.count = count
        let raw = BufferPool.allocate(bytes: max(count, 1) * 4)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    @usableFromInline func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count)
        other.pointer.update(from: pointer, count: max(count, 1))
        return other
    }

    init(uninitializedCount count: Int) {
        self.count = count
        let raw = BufferPool.allocate(bytes: max(count, 1) * 4)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { BufferPool.deallocate(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * 4) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
