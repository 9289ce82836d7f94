// The OpenMP team size of oneDNN and OpenBLAS (both run on libgomp here).

#if canImport(Glibc)
import Glibc
#endif

/// `omp_set_num_threads` / `omp_get_max_threads`, looked up at run time in the libgomp that
/// oneDNN already loaded. Looking them up (rather than linking `-lgomp`) needs no compiler
/// development package on the user's machine; when no OpenMP runtime is loaded both are no-ops.
public enum OpenMPThreads {
    private typealias Setter = @convention(c) (Int32) -> Void
    private typealias Getter = @convention(c) () -> Int32

    /// Sets the number of threads of the next OpenMP parallel regions started by this thread.
    public static func set(_ count: Int) {
        guard let symbol = lookup("omp_set_num_threads") else { return }
        unsafeBitCast(symbol, to: Setter.self)(Int32(max(1, count)))
    }

    /// The team size the next parallel region would use, or nil without an OpenMP runtime.
    public static var maximum: Int? {
        guard let symbol = lookup("omp_get_max_threads") else { return nil }
        return Int(unsafeBitCast(symbol, to: Getter.self)())
    }

    private static func lookup(_ name: String) -> UnsafeMutableRawPointer? {
        #if canImport(Glibc)
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)   // RTLD_DEFAULT
        #else
        return nil
        #endif
    }
}
