/// A dense, contiguous, row-major Float32 array with a shape.
///
/// `Tensor` is a value type: copies share one buffer until one of them is written
/// (copy-on-write), so passing tensors around is cheap and a mutation never leaks into
/// another value. Images are laid out `[batch, channels, height, width]` (NCHW); a spiking
/// simulation folds time into the batch, `[T·N, C, H, W]`, for stateless layers.
public struct Tensor: Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
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
    /// the fill pass over large buffers.
    public init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
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
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The value of a tensor with exactly one element.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with \(count) elements")
        return storage.pointer[0]
    }

    /// Rank: the number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// Reads the buffer. The pointer is valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// Writes the buffer, copying it first if another value shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        }
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
        var result = self
        result.shape = newShape
        return result
    }

    /// Element access by flat index (slow path: tests and small bookkeeping only).
    public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "flat index \(index) out of range \(count)")
            return storage.pointer[index]
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
        if lhs.storage === rhs.storage { return true }
        return lhs.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { b in memcmp(a.baseAddress!, b.baseAddress!, a.count * 4) == 0 }
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
