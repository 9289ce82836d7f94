/// Element-wise arithmetic. Operands have the same shape, or one of them holds a single
/// element (a scalar broadcast). Each loop runs over raw pointers, split over the workers.
/// The result keeps the first operand's layout (a second operand in another layout is
/// converted to it first).
extension Tensor {
    /// Applies `op` to every pair of elements: `result[i] = op(a[i], b[i])`.
    @inlinable
    public static func zipMap(_ a: Tensor, _ b: Tensor, _ op: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        if a.count == 1 && b.count != 1 {
            let s = a.storage.pointer[0]
            return b.map { op(s, $0) }
        }
        if b.count == 1 && a.count != 1 {
            let s = b.storage.pointer[0]
            return a.map { op($0, s) }
        }
        precondition(a.shape == b.shape || a.count == b.count && a.count == 1,
                     "element-wise operands have shapes \(a.shape) and \(b.shape)")
        let b = b.converted(to: a.layout)
        let out = Tensor(uninitializedShape: a.shape, layout: a.layout)
        let pa = SendablePointer(a.storage.pointer), pb = SendablePointer(b.storage.pointer)
        let po = SendablePointer(out.storage.pointer)
        withExtendedLifetime((a, b)) {
            parallelChunks(a.count) { r in
                let x = pa.base, y = pb.base, z = po.base
                for i in r { z[i] = op(x[i], y[i]) }
            }
        }
        return out
    }

    /// `result[i] = op(self[i])`.
    @inlinable
    public func map(_ op: @escaping @Sendable (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape, layout: layout)
        let pa = SendablePointer(storage.pointer), po = SendablePointer(out.storage.pointer)
        withExtendedLifetime(self) {
            parallelChunks(count) { r in
                let x = pa.base, z = po.base
                for i in r { z[i] = op(x[i]) }
            }
        }
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 + $1 } }
    public static func - (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 - $1 } }
    public static func * (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 * $1 } }
    public static func / (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 / $1 } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { $0 * s } }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// `self += other`, in place (the shapes must match).
    public mutating func add(_ other: Tensor, scaledBy alpha: Float = 1) {
        precondition(shape == other.shape || count == other.count,
                     "add: shapes \(shape) and \(other.shape)")
        let other = shape == other.shape ? other.converted(to: layout)
            : other.converted(to: .rowMajor).reinterpreted(as: shape, layout: .rowMajor).converted(to: layout)
        let po = SendablePointer(other.storage.pointer)
        let n = count
        withUnsafeMutableStorage { dst, _ in
            let pd = SendablePointer(dst.baseAddress!)
            withExtendedLifetime(other) {
                parallelChunks(n) { r in
                    let x = po.base, z = pd.base
                    for i in r { z[i] += alpha * x[i] }
                }
            }
        }
    }

    /// Multiplies every element by `alpha`, in place.
    public mutating func scale(by alpha: Float) {
        withUnsafeMutableStorage { p, _ in
            for i in p.indices { p[i] *= alpha }
        }
    }

    /// Rectified linear unit, max(x, 0).
    public func relu() -> Tensor { map { Swift.max($0, 0) } }

    /// Clamps every element to `[low, high]`.
    public func clamped(to low: Float, _ high: Float) -> Tensor { map { Swift.min(Swift.max($0, low), high) } }

    /// Square of every element.
    public func squared() -> Tensor { map { $0 * $0 } }
}
