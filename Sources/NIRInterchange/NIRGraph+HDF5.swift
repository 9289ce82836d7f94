// NIR's HDF5 layout (the `nir` package's `nir.write` / `nir.read`, read in neuromorphs/NIR
// nir/serialization.py and nir/ir/*.py):
//
//     /version                 string, the NIR version the file follows
//     /node/type               "NIRGraph"
//     /node/nodes/<name>/type  the node's type string ("Conv2d", "IF", …)
//     /node/nodes/<name>/<p>   each parameter, a dataset named as the node's field (weight,
//                              bias, v_threshold, …); shapes per image, no batch or time
//     /node/nodes/<name>/metadata/<key>   optional free-form metadata
//     /node/edges              [E, 2] strings: (source, target)
//     /node/metadata/<key>     optional graph metadata
//
// Floats are written as float32 and integers as int64 (what numpy and h5py write for the
// arrays and ints snnTorch exports); any float or integer width is read. Files are written
// without compression; gzip-compressed files (nir.write's default) are read through
// libhdf5's deflate filter.

import Foundation

extension NIRGraph {
    /// The NIR version written in `/version`: 1.0.6 is the first release whose IF, LIF and
    /// CubaLIF carry `v_reset`.
    public static let formatVersion = "1.0.6"

    /// Writes the graph as a NIR HDF5 file, replacing any file at `url`.
    public func write(to url: URL) throws {
        try _HDF5.exclusive { try writeFile(url) }
    }

    private func writeFile(_ url: URL) throws {
        do {
            let file = try _HDF5File.create(url)
            let root = try file.root()
            try root.write("version", strings: [Self.formatVersion], shape: [])
            let graph = try root.makeGroup("node")
            try graph.write("type", strings: ["NIRGraph"], shape: [])
            let nodeGroup = try graph.makeGroup("nodes")
            for node in nodes {
                let group = try nodeGroup.makeGroup(node.name)
                try group.write("type", strings: [node.kind.typeName], shape: [])
                for (name, field) in node.kind.fields {
                    switch field {
                    case .array(let a): try group.write(name, floats: a.values, shape: a.shape)
                    case .integers(let v, let shape): try group.write(name, integers: v, shape: shape)
                    }
                }
                try Self.writeMetadata(node.metadata, into: group)
            }
            try graph.write("edges", strings: edges.flatMap { [$0.0, $0.1] }, shape: [edges.count, 2])
            try Self.writeMetadata(metadata, into: graph)
        } catch let failure as _HDF5Failure {
            throw NIRError.unreadableFile(path: url.path, reason: "libhdf5 could not \(failure.action)")
        }
    }

    private static func writeMetadata(_ metadata: [String: String], into group: _HDF5Group) throws {
        guard !metadata.isEmpty else { return }  // nir.write skips empty metadata too
        let m = try group.makeGroup("metadata")
        for key in metadata.keys.sorted() { try m.write(key, strings: [metadata[key]!], shape: []) }
    }

    /// Reads a NIR HDF5 file.
    ///
    /// - Throws: `NIRError.unreadableFile` (missing, not HDF5, truncated),
    ///   `.notANIRFile`, `.unknownNodeType`, `.missingParameter`, `.shapeMismatch`.
    public init(contentsOf url: URL) throws {
        self = try _HDF5.exclusive { try NIRGraph(readingFile: url) }
    }

    private init(readingFile url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw NIRError.unreadableFile(path: url.path, reason: "no such file")
        }
        guard let file = _HDF5File.open(url) else {
            throw NIRError.unreadableFile(path: url.path, reason: "libhdf5 cannot open it: not HDF5, or cut short")
        }
        do {
            let root = try file.root()
            guard root.contains("version") else { throw NIRError.notANIRFile(path: url.path, reason: "no /version") }
            guard root.contains("node"), try root.isGroup("node") else {
                throw NIRError.notANIRFile(path: url.path, reason: "no /node group")
            }
            let graph = try root.group("node")
            let record = _NodeRecord(name: "node", group: graph)
            let type = try record.string("type")
            guard type == "NIRGraph" else {
                throw NIRError.notANIRFile(path: url.path, reason: "/node is a '\(type)', not a NIRGraph")
            }
            guard graph.contains("nodes") else { throw NIRError.missingParameter(node: "node", type: type, parameter: "nodes") }
            let nodeGroup = try graph.group("nodes")
            var nodes: [NIRNode] = []
            for name in try nodeGroup.memberNames() {
                var r = _NodeRecord(name: name, group: try nodeGroup.group(name))
                nodes.append(NIRNode(name, try r.kind(), metadata: try r.metadata()))
            }
            let edgeValues = try record.strings("edges")
            guard edgeValues.shape.count == 2 && edgeValues.shape[1] == 2 || edgeValues.values.isEmpty else {
                throw NIRError.shapeMismatch(node: "node", detail: "edges have shape \(edgeValues.shape), not [E, 2]")
            }
            let pairs = stride(from: 0, to: edgeValues.values.count, by: 2).map {
                (edgeValues.values[$0], edgeValues.values[$0 + 1])
            }
            self.init(nodes: nodes, edges: pairs, metadata: try record.metadata())
        } catch let failure as _HDF5Failure {
            throw NIRError.unreadableFile(path: url.path, reason: "libhdf5 could not \(failure.action)")
        }
    }
}

/// A node parameter as stored: a float array or an integer array.
enum _Field {
    case array(NIRArray)
    case integers([Int], shape: [Int])
}

extension NIRNodeKind {
    /// Each parameter as "name shape" for arrays or "name values" for integers: `nir inspect`.
    public var parameterSummary: [String] {
        fields.map { name, field in
            switch field {
            case .array(let a): "\(name) \(a.shape)"
            case .integers(let v, _): "\(name) \(v)"
            }
        }
    }

    /// The node's parameters under their NIR dataset names, in NIR's field order.
    var fields: [(String, _Field)] {
        switch self {
        case .input(let shape), .output(let shape):
            return [("shape", .integers(shape, shape: [shape.count]))]
        case .affine(let weight, let bias):
            return [("weight", .array(weight)), ("bias", .array(bias))]
        case .linear(let weight):
            return [("weight", .array(weight))]
        case .conv2d(let c):
            var f: [(String, _Field)] = [
                ("weight", .array(c.weight)), ("bias", .array(c.bias)),
                ("stride", .integers(c.stride, shape: [2])), ("padding", .integers(c.padding, shape: [2])),
                ("dilation", .integers(c.dilation, shape: [2])), ("groups", .integers([c.groups], shape: [])),
            ]
            if !c.inputSize.isEmpty { f.append(("input_shape", .integers(c.inputSize, shape: [c.inputSize.count]))) }
            return f
        case .flatten(let inputShape, let start, let end):
            var f: [(String, _Field)] = [("start_dim", .integers([start], shape: [])),
                                         ("end_dim", .integers([end], shape: []))]
            if !inputShape.isEmpty { f.append(("input_type", .integers(inputShape, shape: [inputShape.count]))) }
            return f
        case .averagePool2d(let k, let s, let p), .sumPool2d(let k, let s, let p):
            return [("kernel_size", .integers(k, shape: [2])), ("stride", .integers(s, shape: [2])),
                    ("padding", .integers(p, shape: [2]))]
        case .scale(let s):
            return [("scale", .array(s))]
        case .integrateAndFire(let r, let threshold, let reset):
            return [("r", .array(r)), ("v_threshold", .array(threshold)), ("v_reset", .array(reset))]
        case .leakyIntegrateAndFire(let tau, let r, let leak, let threshold, let reset):
            return [("tau", .array(tau)), ("r", .array(r)), ("v_leak", .array(leak)),
                    ("v_threshold", .array(threshold)), ("v_reset", .array(reset))]
        case .currentBasedLIF(let c):
            return [("tau_syn", .array(c.synapticTau)), ("tau_mem", .array(c.membraneTau)), ("r", .array(c.r)),
                    ("v_leak", .array(c.leakVoltage)), ("v_threshold", .array(c.threshold)),
                    ("v_reset", .array(c.reset)), ("w_in", .array(c.inputWeight))]
        }
    }
}

/// One node's HDF5 group while it is read: typed access to its datasets, each failure naming
/// the node and the parameter.
struct _NodeRecord {
    let name: String
    let group: _HDF5Group
    var type = "?"

    init(name: String, group: _HDF5Group) {
        self.name = name
        self.group = group
    }

    func value(_ parameter: String) throws -> _HDF5Value {
        guard group.contains(parameter), try !group.isGroup(parameter) else {
            throw NIRError.missingParameter(node: name, type: type, parameter: parameter)
        }
        return try group.read(parameter)
    }

    func string(_ parameter: String) throws -> String {
        guard case .strings(let s, _) = try value(parameter), s.count == 1 else {
            throw NIRError.shapeMismatch(node: name, detail: "'\(parameter)' is not one string")
        }
        return s[0]
    }

    func strings(_ parameter: String) throws -> (values: [String], shape: [Int]) {
        guard case .strings(let s, let shape) = try value(parameter) else {
            throw NIRError.shapeMismatch(node: name, detail: "'\(parameter)' is not strings")
        }
        return (s, shape)
    }

    func array(_ parameter: String) throws -> NIRArray {
        switch try value(parameter) {
        case .floats(let v, let shape): return NIRArray(shape: shape, values: v)
        case .integers(let v, let shape): return NIRArray(shape: shape, values: v.map(Float.init))
        case .strings: throw NIRError.shapeMismatch(node: name, detail: "'\(parameter)' holds strings, not numbers")
        }
    }

    /// An array parameter that NIR lets the writer omit (v_reset before nir 1.0.6: zeros).
    func array(_ parameter: String, default fallback: NIRArray) throws -> NIRArray {
        group.contains(parameter) ? try array(parameter) : fallback
    }

    /// Integers, a scalar expanded to `count` copies (h5py writes `stride=2` as one int).
    func integers(_ parameter: String, count: Int? = nil) throws -> [Int] {
        let values: [Int]
        switch try value(parameter) {
        case .integers(let v, _): values = v
        case .floats(let v, _) where v.allSatisfy({ $0 == $0.rounded() }): values = v.map { Int($0) }
        default: throw NIRError.shapeMismatch(node: name, detail: "'\(parameter)' is not integers")
        }
        guard let count else { return values }
        if values.count == 1 { return [Int](repeating: values[0], count: count) }
        guard values.count == count else {
            throw NIRError.shapeMismatch(node: name, detail: "'\(parameter)' has \(values.count) values, \(count) expected")
        }
        return values
    }

    func metadata() throws -> [String: String] {
        guard group.contains("metadata"), try group.isGroup("metadata") else { return [:] }
        let m = try group.group("metadata")
        var result: [String: String] = [:]
        for key in try m.memberNames() where try !m.isGroup(key) {
            switch try m.read(key) {
            case .strings(let s, _): result[key] = s.joined(separator: ",")
            case .floats(let v, _): result[key] = v.map { "\($0)" }.joined(separator: ",")
            case .integers(let v, _): result[key] = v.map(String.init).joined(separator: ",")
            }
        }
        return result
    }

    /// The node, its parameters checked against each other.
    mutating func kind() throws -> NIRNodeKind {
        type = try string("type")
        func sameShape(_ arrays: [(String, NIRArray)]) throws {
            let shape = arrays[0].1.shape
            for (p, a) in arrays where a.shape != shape {
                throw NIRError.shapeMismatch(node: name, detail: "'\(p)' has shape \(a.shape), '\(arrays[0].0)' has \(shape)")
            }
        }
        switch type {
        case "Input": return .input(shape: try integers("shape"))
        case "Output": return .output(shape: try integers("shape"))
        case "Affine":
            let (w, b) = (try array("weight"), try array("bias"))
            guard w.shape.count == 2, b.shape == [w.shape[0]] else {
                throw NIRError.shapeMismatch(node: name, detail: "weight \(w.shape) and bias \(b.shape) (needs [out, in] and [out])")
            }
            return .affine(weight: w, bias: b)
        case "Linear":
            let w = try array("weight")
            guard w.shape.count == 2 else { throw NIRError.shapeMismatch(node: name, detail: "weight \(w.shape) is not [out, in]") }
            return .linear(weight: w)
        case "Conv2d":
            let (w, b) = (try array("weight"), try array("bias"))
            guard w.shape.count == 4, b.shape == [w.shape[0]] else {
                throw NIRError.shapeMismatch(node: name, detail: "weight \(w.shape) and bias \(b.shape) (needs [C_out, C_in, k_h, k_w] and [C_out])")
            }
            let padding: [Int]
            if case .strings(let s, _) = try value("padding") {
                guard s == ["valid"] else {
                    throw NIRError.notRepresentable(node: name, reason: "Conv2d padding '\(s.joined())' (only integers or 'valid')")
                }
                padding = [0, 0]
            } else {
                padding = try integers("padding", count: 2)
            }
            let inputSize = group.contains("input_shape") ? try integers("input_shape", count: 2) : []
            return .conv2d(Conv2dParameters(
                weight: w, bias: b, stride: try integers("stride", count: 2), padding: padding,
                dilation: try integers("dilation", count: 2), groups: try integers("groups", count: 1)[0],
                inputSize: inputSize))
        case "Flatten":
            return .flatten(inputShape: group.contains("input_type") ? try integers("input_type") : [],
                            startDim: try integers("start_dim", count: 1)[0],
                            endDim: try integers("end_dim", count: 1)[0])
        case "AvgPool2d", "SumPool2d":
            let (k, s, p) = (try integers("kernel_size", count: 2), try integers("stride", count: 2),
                             try integers("padding", count: 2))
            return type == "AvgPool2d" ? .averagePool2d(kernelSize: k, stride: s, padding: p)
                : .sumPool2d(kernelSize: k, stride: s, padding: p)
        case "Scale":
            return .scale(try array("scale"))
        case "IF":
            let (r, threshold) = (try array("r"), try array("v_threshold"))
            let reset = try array("v_reset", default: NIRArray(shape: threshold.shape, repeating: 0))
            try sameShape([("r", r), ("v_threshold", threshold), ("v_reset", reset)])
            return .integrateAndFire(r: r, threshold: threshold, reset: reset)
        case "LIF":
            let (tau, r, leak, threshold) = (try array("tau"), try array("r"), try array("v_leak"), try array("v_threshold"))
            let reset = try array("v_reset", default: NIRArray(shape: threshold.shape, repeating: 0))
            try sameShape([("tau", tau), ("r", r), ("v_leak", leak), ("v_threshold", threshold), ("v_reset", reset)])
            return .leakyIntegrateAndFire(tau: tau, r: r, leakVoltage: leak, threshold: threshold, reset: reset)
        case "CubaLIF":
            let threshold = try array("v_threshold")
            let c = CurrentBasedLIF(
                synapticTau: try array("tau_syn"), membraneTau: try array("tau_mem"), r: try array("r"),
                leakVoltage: try array("v_leak"), threshold: threshold,
                reset: try array("v_reset", default: NIRArray(shape: threshold.shape, repeating: 0)),
                inputWeight: try array("w_in", default: NIRArray(shape: threshold.shape, repeating: 1)))
            try sameShape([("tau_syn", c.synapticTau), ("tau_mem", c.membraneTau), ("r", c.r), ("v_leak", c.leakVoltage),
                           ("v_threshold", c.threshold), ("v_reset", c.reset), ("w_in", c.inputWeight)])
            return .currentBasedLIF(c)
        default:
            throw NIRError.unknownNodeType(node: name, type: type)
        }
    }
}
