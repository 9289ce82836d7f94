import TensorCore

/// Shape changes. None of them copies data in the forward pass except concatenation.
extension Variable {
    /// The same elements with another shape (−1 infers one extent).
    public func reshaped(_ shape: [Int]) -> Variable {
        let original = value.shape
        return Variable.custom(value.reshaped(shape), inputs: [self]) { g in [g.reshaped(original)] }
    }

    /// `[N, …]` → `[N, rest]`.
    public func flattened() -> Variable { reshaped([value.shape[0], -1]) }

    /// Concatenates along the first dimension: `[N₁, …] ++ [N₂, …]` → `[N₁+N₂, …]`.
    public static func concatenate(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty, "concatenate needs at least one part")
        let rest = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == rest },
                     "concatenate: parts differ beyond dimension 0: \(parts.map(\.shape))")
        let total = parts.reduce(0) { $0 + $1.shape[0] }
        var out = Tensor(shape: [total] + rest)
        var offsets: [Int] = []
        out.withUnsafeMutableBufferPointer { o in
            var offset = 0
            for part in parts {
                offsets.append(offset)
                part.value.withUnsafeBufferPointer { p in
                    _ = UnsafeMutableBufferPointer(rebasing: o[offset..<offset + p.count])
                        .update(fromContentsOf: p)
                }
                offset += part.value.count
            }
        }
        return custom(out, inputs: parts) { g in
            g.withUnsafeBufferPointer { pg in
                zip(parts, offsets).map { part, offset in
                    Tensor(shape: part.shape,
                           scalars: Array(pg[offset..<offset + part.value.count]))
                }
            }
        }
    }

    /// Rows `range` of the first dimension: `[N, …]` → `[range.count, …]`.
    public func slice(_ range: Range<Int>) -> Variable {
        let rowSize = value.count / Swift.max(value.shape[0], 1)
        var shape = value.shape
        shape[0] = range.count
        let scalars = value.withUnsafeBufferPointer {
            Array($0[range.lowerBound * rowSize..<range.upperBound * rowSize])
        }
        let fullShape = value.shape
        return Variable.custom(Tensor(shape: shape, scalars: scalars), inputs: [self]) { g in
            var full = Tensor(shape: fullShape)
            full.withUnsafeMutableBufferPointer { f in
                g.withUnsafeBufferPointer { pg in
                    _ = UnsafeMutableBufferPointer(rebasing: f[range.lowerBound * rowSize..<range.upperBound * rowSize])
                        .update(fromContentsOf: pg)
                }
            }
            return [full]
        }
    }
}
