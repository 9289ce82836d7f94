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

    /// Sets how many threads OpenBLAS's own calls use. Debian installs its pthread build by
    /// default (`update-alternatives` prefers it to the OpenMP one), which ignores the OpenMP team
    /// size and starts one thread per core: a worker process asked to run on one thread would
    /// otherwise keep a second, spinning thread beside the other workers. The count can change a
    /// product's last bits (how the rows are split between threads), so it is part of a run's
    /// setting: `--threads N` means N here too.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The thread count OpenBLAS's calls use now.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
