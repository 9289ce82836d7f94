// Which CPU and which math kernels produced a run's numbers.
//
// oneDNN and OpenBLAS pick their kernels for the CPU they run on (AVX2, AVX-512, AMX; a core
// type per CPU family). Different kernels sum in different orders, so the same seed gives the
// same numbers on one kind of machine and slightly different ones on another: other last bits
// after one convolution, and after training a different network, whose single-seed effects can
// move by more than their standard error over the test images (docs/conventions.md C9). The
// record says which machine a committed result came from; seed studies, not single runs, are
// what carries over between machines.

/// The CPU and the kernels oneDNN and OpenBLAS dispatch to on it.
public struct ArithmeticBackend: Codable, Sendable, Equatable {
    /// The CPU model (`MachineInfo.cpuModel`).
    public var cpuModel: String
    /// oneDNN's effective instruction set (`dnnl_get_effective_cpu_isa`), e.g. "Intel AVX2".
    public var convolutionISA: String
    /// The core type OpenBLAS runs kernels for (`openblas_get_corename`), e.g. "Zen".
    public var blasCore: String

    public init(cpuModel: String, convolutionISA: String, blasCore: String) {
        self.cpuModel = cpuModel
        self.convolutionISA = convolutionISA
        self.blasCore = blasCore
    }

    /// What a reader is told when two runs of the same configuration differ: whether the
    /// kernels were the same (`earlier` nil: a file written before the record existed).
    public func comparison(with earlier: ArithmeticBackend?) -> String {
        guard let earlier else {
            return "that run records no CPU or kernels (written before the record); this run: \(cpuModel), "
                + "oneDNN \(convolutionISA), OpenBLAS \(blasCore); on other kernels numbers can differ"
        }
        if earlier == self { return "same CPU and kernels as that run" }
        return "that run: \(earlier.cpuModel), oneDNN \(earlier.convolutionISA), OpenBLAS \(earlier.blasCore); "
            + "this run: \(cpuModel), oneDNN \(convolutionISA), OpenBLAS \(blasCore) (other kernels sum in "
            + "another order, so numbers can differ)"
    }
}
