extension Tensor {
    /// Independent samples from N(mean, std²).
    public static func normal(shape: [Int], mean: Float = 0, std: Float = 1,
                              using rng: inout SeededGenerator) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = mean + std * rng.nextNormal() }
        }
        return t
    }

    /// Independent samples from U[low, high).
    public static func uniform(shape: [Int], low: Float = 0, high: Float = 1,
                               using rng: inout SeededGenerator) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = low + (high - low) * rng.nextUniform() }
        }
        return t
    }
}
