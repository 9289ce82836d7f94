import Foundation
import TensorCore

/// Loss functions, averaged over the batch.
extension Variable {
    /// Softmax cross-entropy of logits `[N, K]` against class labels:
    ///
    ///     L = −(1/N) Σₙ log softmax(zₙ)[yₙ];   ∂L/∂zₙ = (softmax(zₙ) − onehot(yₙ)) / N
    public static func softmaxCrossEntropy(logits: Variable, labels: [Int]) -> Variable {
        let z = logits.value
        precondition(z.rank == 2 && z.shape[0] == labels.count,
                     "softmaxCrossEntropy: logits \(z.shape) for \(labels.count) labels")
        let n = z.shape[0], k = z.shape[1]
        var probabilities = Tensor(shape: z.shape)
        var loss = 0.0
        z.withUnsafeBufferPointer { pz in
            probabilities.withUnsafeMutableBufferPointer { pp in
                for i in 0..<n {
                    let row = pz.baseAddress! + i * k
                    var m = -Float.infinity
                    for j in 0..<k { m = Swift.max(m, row[j]) }
                    var s: Float = 0
                    for j in 0..<k { let e = exp(row[j] - m); pp[i * k + j] = e; s += e }
                    for j in 0..<k { pp[i * k + j] /= s }
                    precondition(labels[i] >= 0 && labels[i] < k, "label \(labels[i]) outside 0..<\(k)")
                    loss -= Double(row[labels[i]] - m - log(s))
                }
            }
        }
        return custom(Tensor(Float(loss / Double(n))), inputs: [logits]) { g in
            var d = probabilities
            let scale = g.scalar / Float(n)
            d.withUnsafeMutableBufferPointer { pd in
                for i in 0..<n { pd[i * k + labels[i]] -= 1 }
                for i in pd.indices { pd[i] *= scale }
            }
            return [d]
        }
    }

    /// Mean squared error: L = (1/n) Σ (a − b)²
    public static func meanSquaredError(_ a: Variable, _ b: Variable) -> Variable {
        let d = a - b
        return (d * d).mean()
    }
}
