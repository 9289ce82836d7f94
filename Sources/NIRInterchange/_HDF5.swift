// The thin layer over libhdf5 (CHDF5) that NIR files need: groups, and datasets of float32,
// int64 and UTF-8 strings. Every HDF5 handle is closed by `defer` in the function that opens
// it, except the file and group handles, which their owning class closes in `deinit`.

import CHDF5
import Foundation

/// One NIR file at a time in this process: the whole read or write, from opening the file to
/// closing its last handle (Debian's libhdf5 is thread-safe call by call; this keeps one file's
/// calls together). Files are opened without HDF5's flock (`chdf5_file_access_unlocked`): a
/// child process forked by another thread kept that lock and made a file just written
/// unreadable in parallel test runs.
enum _HDF5 {
    private static let lock = NSLock()

    /// Runs `body` while no other thread of this process is inside libhdf5.
    static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// One dataset's contents as read, whatever its stored type.
enum _HDF5Value {
    /// Floating-point values (any stored width), converted to Float.
    case floats([Float], shape: [Int])
    /// Integer values (any stored width), converted to Int.
    case integers([Int], shape: [Int])
    /// Strings (variable- or fixed-length).
    case strings([String], shape: [Int])
}

/// A failure inside libhdf5, with what was being done.
struct _HDF5Failure: Error {
    var action: String
}

/// An open HDF5 group (the file's root group for `_HDF5File.root`).
final class _HDF5Group {
    let id: hid_t
    /// Keeps the file open while any of its groups is.
    private let file: _HDF5File?

    init(id: hid_t, file: _HDF5File?) {
        self.id = id
        self.file = file
    }

    deinit { if file != nil { H5Gclose(id) } }

    // MARK: Writing

    func makeGroup(_ name: String) throws -> _HDF5Group {
        let g = H5Gcreate2(id, name, chdf5_default(), chdf5_default(), chdf5_default())
        guard g >= 0 else { throw _HDF5Failure(action: "create group \(name)") }
        return _HDF5Group(id: g, file: file)
    }

    /// A float32 dataset of `shape` (`[]`: a scalar).
    func write(_ name: String, floats: [Float], shape: [Int]) throws {
        precondition(floats.count == shape.reduce(1, *), "\(name): \(floats.count) values for shape \(shape)")
        try write(name, shape: shape, fileType: chdf5_ieee_f32le(), memoryType: chdf5_native_float()) { type, space in
            floats.withUnsafeBufferPointer { H5Dwrite(type.dataset, type.memory, chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress) }
        }
    }

    /// An int64 dataset of `shape` (`[]`: a scalar).
    func write(_ name: String, integers: [Int], shape: [Int]) throws {
        precondition(integers.count == shape.reduce(1, *), "\(name): \(integers.count) values for shape \(shape)")
        let values = integers.map(Int64.init)
        try write(name, shape: shape, fileType: chdf5_std_i64le(), memoryType: chdf5_native_int64()) { type, space in
            values.withUnsafeBufferPointer { H5Dwrite(type.dataset, type.memory, chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress) }
        }
    }

    /// A dataset of variable-length UTF-8 strings of `shape` (`[]`: a scalar), as h5py writes
    /// Python strings.
    func write(_ name: String, strings: [String], shape: [Int]) throws {
        precondition(strings.count == shape.reduce(1, *), "\(name): \(strings.count) strings for shape \(shape)")
        let type = try Self.variableStringType()
        defer { H5Tclose(type) }
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers = copies.map { UnsafePointer<CChar>($0) }
        try write(name, shape: shape, fileType: type, memoryType: type) { t, _ in
            pointers.withUnsafeMutableBufferPointer {
                H5Dwrite(t.dataset, t.memory, chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress)
            }
        }
    }

    private func write(_ name: String, shape: [Int], fileType: hid_t, memoryType: hid_t,
                       _ body: ((dataset: hid_t, memory: hid_t), hid_t) -> herr_t) throws {
        let dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
        guard space >= 0 else { throw _HDF5Failure(action: "create dataspace for \(name)") }
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, name, fileType, space, chdf5_default(), chdf5_default(), chdf5_default())
        guard dataset >= 0 else { throw _HDF5Failure(action: "create dataset \(name)") }
        defer { H5Dclose(dataset) }
        guard body((dataset, memoryType), space) >= 0 else { throw _HDF5Failure(action: "write dataset \(name)") }
    }

    static func variableStringType() throws -> hid_t {
        let type = H5Tcopy(chdf5_c_s1())
        guard type >= 0, H5Tset_size(type, chdf5_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            throw _HDF5Failure(action: "make a string type")
        }
        return type
    }

    // MARK: Reading

    /// The names of the group's members, in name order.
    func memberNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw _HDF5Failure(action: "list a group") }
        return try (0..<info.nlinks).map { i in
            let size = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_default())
            guard size >= 0 else { throw _HDF5Failure(action: "read a member name") }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            _ = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(size) + 1, chdf5_default())
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    func contains(_ name: String) -> Bool { H5Lexists(id, name, chdf5_default()) > 0 }

    /// Whether member `name` is a group (false for a dataset).
    func isGroup(_ name: String) throws -> Bool {
        let object = H5Oopen(id, name, chdf5_default())
        guard object >= 0 else { throw _HDF5Failure(action: "open \(name)") }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_GROUP
    }

    func group(_ name: String) throws -> _HDF5Group {
        let g = H5Gopen2(id, name, chdf5_default())
        guard g >= 0 else { throw _HDF5Failure(action: "open group \(name)") }
        return _HDF5Group(id: g, file: file)
    }

    /// Reads dataset `name` whole.
    func read(_ name: String) throws -> _HDF5Value {
        let dataset = H5Dopen2(id, name, chdf5_default())
        guard dataset >= 0 else { throw _HDF5Failure(action: "open dataset \(name)") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw _HDF5Failure(action: "read the shape of \(name)") }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw _HDF5Failure(action: "read the rank of \(name)") }
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        let shape = dims.map { Int($0) }
        let count = shape.reduce(1, *)
        let fileType = H5Dget_type(dataset)
        guard fileType >= 0 else { throw _HDF5Failure(action: "read the type of \(name)") }
        defer { H5Tclose(fileType) }
        switch H5Tget_class(fileType) {
        case H5T_FLOAT:
            var values = [Float](repeating: 0, count: count)
            guard values.withUnsafeMutableBufferPointer({
                H5Dread(dataset, chdf5_native_float(), chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress)
            }) >= 0 else { throw _HDF5Failure(action: "read floats from \(name)") }
            return .floats(values, shape: shape)
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard values.withUnsafeMutableBufferPointer({
                H5Dread(dataset, chdf5_native_int64(), chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress)
            }) >= 0 else { throw _HDF5Failure(action: "read integers from \(name)") }
            return .integers(values.map { Int($0) }, shape: shape)
        case H5T_STRING:
            return .strings(try readStrings(dataset, fileType: fileType, space: space, count: count, name: name),
                            shape: shape)
        default:
            throw _HDF5Failure(action: "read \(name): neither numbers nor strings")
        }
    }

    private func readStrings(_ dataset: hid_t, fileType: hid_t, space: hid_t, count: Int,
                             name: String) throws -> [String] {
        if H5Tis_variable_str(fileType) > 0 {
            let type = try Self.variableStringType()
            defer { H5Tclose(type) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard pointers.withUnsafeMutableBufferPointer({
                H5Dread(dataset, type, chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress)
            }) >= 0 else { throw _HDF5Failure(action: "read strings from \(name)") }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            _ = pointers.withUnsafeMutableBufferPointer {
                H5Dvlen_reclaim(type, space, chdf5_default(), $0.baseAddress)
            }
            return strings
        }
        // Fixed-length strings (numpy's bytes arrays): read as the stored bytes.
        let size = H5Tget_size(fileType)
        var bytes = [CChar](repeating: 0, count: count * size)
        guard bytes.withUnsafeMutableBufferPointer({
            H5Dread(dataset, fileType, chdf5_all(), chdf5_all(), chdf5_default(), $0.baseAddress)
        }) >= 0 else { throw _HDF5Failure(action: "read strings from \(name)") }
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
            return String(decoding: slice.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}

/// An HDF5 file, open for writing (created, replacing any file) or reading.
final class _HDF5File {
    let id: hid_t

    private init(id: hid_t) { self.id = id }

    deinit { H5Fclose(id) }

    static func create(_ url: URL) throws -> _HDF5File {
        chdf5_silence_errors()
        let access = chdf5_file_access_unlocked()
        defer { H5Pclose(access) }
        let id = H5Fcreate(url.path, chdf5_acc_trunc(), chdf5_default(), access)
        guard id >= 0 else { throw _HDF5Failure(action: "create \(url.path)") }
        return _HDF5File(id: id)
    }

    /// Opens an existing file; nil when it is not an HDF5 file (or is cut short).
    static func open(_ url: URL) -> _HDF5File? {
        chdf5_silence_errors()
        guard H5Fis_hdf5(url.path) > 0 else { return nil }
        let access = chdf5_file_access_unlocked()
        defer { H5Pclose(access) }
        let id = H5Fopen(url.path, chdf5_acc_rdonly(), access)
        return id >= 0 ? _HDF5File(id: id) : nil
    }

    /// The root group "/".
    func root() throws -> _HDF5Group {
        let g = H5Gopen2(id, "/", chdf5_default())
        guard g >= 0 else { throw _HDF5Failure(action: "open the root group") }
        return _HDF5Group(id: g, file: self)
    }
}
