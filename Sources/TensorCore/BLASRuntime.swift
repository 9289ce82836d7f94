// What OpenBLAS runs on this CPU (recorded with every result, ArithmeticBackend).

import COpenBLAS

/// OpenBLAS as loaded in this process.
public enum BLASRuntime {
    /// The core type whose kernels OpenBLAS dispatches to, e.g. "Zen" or "SkylakeX" (the
    /// environment's OPENBLAS_CORETYPE when it sets one; the package never sets it).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
