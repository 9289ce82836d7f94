import Foundation
import TensorCore

/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors), so
/// weights move to and from PyTorch: an 8-byte little-endian header length, a JSON header
/// `{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}`, then raw
/// little-endian data.
public enum Safetensors {
    public enum Error: Swift.Error, CustomStringConvertible {
        case malformed(String)
        case missingTensor(String)
        case shapeMismatch(name: String, expected: [Int], found: [Int])

        public var description: String {
            switch self {
            case .malformed(let why): "not a valid safetensors file: \(why)"
            case .missingTensor(let name): "safetensors file has no tensor named \(name)"
            case .shapeMismatch(let name, let e, let f): "tensor \(name): expected shape \(e), file has \(f)"
            }
        }
    }

    /// Serialises named tensors (names must be unique) with optional string metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)],
                              metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            precondition(header[name] == nil, "duplicate tensor name \(name)")
            header[name] = ["dtype": "F32", "shape": tensor.shape,
                            "data_offsets": [offset, offset + tensor.count * 4]] as [String: Any]
            offset += tensor.count * 4
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces to 8-byte alignment
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
        }
        return data
    }

    /// Parses a safetensors file into named Float32 tensors (other dtypes are rejected).
    public static func decode(_ data: Data) throws -> [String: Tensor] {
        guard data.count >= 8 else { throw Error.malformed("file shorter than 8 bytes") }
        let headerLength = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength <= data.count - 8 else { throw Error.malformed("header length \(headerLength) exceeds the file") }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let header = try JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw Error.malformed("header is not a JSON object")
        }
        let body = data.subdata(in: (8 + headerLength)..<data.count)
        var result: [String: Tensor] = [:]
        for (name, entry) in header where name != "__metadata__" {
            guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  offsets.count == 2 else { throw Error.malformed("entry \(name)") }
            guard dtype == "F32" else { throw Error.malformed("tensor \(name) has dtype \(dtype); only F32 is read") }
            let count = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == count * 4, offsets[1] <= body.count, offsets[0] >= 0 else {
                throw Error.malformed("tensor \(name) offsets \(offsets) do not fit shape \(shape)")
            }
            var tensor = Tensor(shape: shape)
            tensor.withUnsafeMutableBufferPointer { p in
                body.withUnsafeBytes { raw in
                    memcpy(p.baseAddress!, raw.baseAddress! + offsets[0], count * 4)
                }
            }
            result[name] = tensor
        }
        return result
    }
}

/// Checkpointing a layer tree: every parameter and buffer under a stable, path-like name
/// (`"3.conv.weight"`, `"4.bn.buffer0"`), and the sparsity mask of every masked parameter
/// (`"3.conv.weight.mask"`, 0/1 as F32), so a sparse network is restored with its masks.
public enum NetworkState {
    /// Named tensors of `layer` and all its children, in traversal order.
    public static func tensors(of layer: any Layer, prefix: String = "") -> [(name: String, tensor: Tensor)] {
        if !layer.children.isEmpty {
            return layer.children.enumerated().flatMap { tensors(of: $0.element, prefix: prefix + "\($0.offset).") }
        }
        return layer.parameters.flatMap { p in
            [(prefix + p.name, p.value)] + (p.mask.map { [(prefix + p.name + maskSuffix, $0)] } ?? [])
        } + layer.buffers.enumerated().map { (prefix + "buffer\($0.offset)", $0.element) }
    }

    /// The name suffix of a parameter's mask.
    public static let maskSuffix = ".mask"

    /// Loads values by name into `layer`'s parameters and buffers; every tensor must be present
    /// with the right shape. A parameter's mask is set from `<name>.mask` when present and
    /// cleared (dense) when absent: the checkpoint is the whole state.
    public static func load(_ values: [String: Tensor], into layer: any Layer, prefix: String = "") throws {
        if !layer.children.isEmpty {
            for (i, child) in layer.children.enumerated() { try load(values, into: child, prefix: prefix + "\(i).") }
            return
        }
        for p in layer.parameters {
            let name = prefix + p.name
            guard let v = values[name] else { throw Safetensors.Error.missingTensor(name) }
            guard v.shape == p.value.shape else {
                throw Safetensors.Error.shapeMismatch(name: name, expected: p.value.shape, found: v.shape)
            }
            p.value = v
            if let mask = values[name + maskSuffix] {
                guard mask.shape == v.shape else {
                    throw Safetensors.Error.shapeMismatch(name: name + maskSuffix, expected: v.shape, found: mask.shape)
                }
                p.mask = mask
            } else {
                p.mask = nil
            }
        }
        let buffers = try layer.buffers.enumerated().map { i, b in
            let name = prefix + "buffer\(i)"
            guard let v = values[name] else { throw Safetensors.Error.missingTensor(name) }
            guard v.shape == b.shape else { throw Safetensors.Error.shapeMismatch(name: name, expected: b.shape, found: v.shape) }
            return v
        }
        if !buffers.isEmpty { layer.loadBuffers(buffers) }
    }

    /// The whole state as safetensors bytes.
    public static func encode(_ layer: any Layer, metadata: [String: String] = [:]) throws -> Data {
        try Safetensors.encode(tensors(of: layer), metadata: metadata)
    }

    /// Restores a layer tree from safetensors bytes written by `encode`.
    public static func decode(_ data: Data, into layer: any Layer) throws {
        try load(Safetensors.decode(data), into: layer)
    }
}
