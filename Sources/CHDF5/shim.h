// Debian's serial libhdf5 (libhdf5-dev; headers in /usr/include/hdf5/serial, found through
// pkg-config's hdf5-serial). HDF5's type and property-list identifiers are macros that call
// H5open() or cast, which Swift cannot import, so each one used is wrapped in a function here.
#include <hdf5.h>

static inline hid_t chdf5_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_all(void) { return H5S_ALL; }
static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }

/// Turns off HDF5's automatic printing of its error stack: failures are reported by the
/// Swift caller as thrown errors instead.
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// A file-access property list without HDF5's own file locking (close it with H5Pclose).
/// HDF5 takes a flock on every file it opens, through a descriptor it opens without
/// close-on-exec, so a child process forked at that moment (by another thread) keeps the lock
/// until it execs, and opening the file just written then fails. NIR files are whole files
/// written once and read afterwards; the package serialises its own reads and writes.
static inline hid_t chdf5_file_access_unlocked(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_file_locking(fapl, 0, 1);
    return fapl;
}
