/// Why a NIR file could not be read, or a network could not be written as NIR or rebuilt
/// from it. Every case names the file, node or layer concerned.
public enum NIRError: Error, Equatable, CustomStringConvertible {
    /// The file is missing, not HDF5, or cut short.
    case unreadableFile(path: String, reason: String)
    /// A file without the `node` group or `version` dataset NIR files have.
    case notANIRFile(path: String, reason: String)
    /// A node whose `type` is not one this package knows.
    case unknownNodeType(node: String, type: String)
    /// A node without a parameter its type needs.
    case missingParameter(node: String, type: String, parameter: String)
    /// A parameter of the wrong shape, or nodes whose shapes do not fit together.
    case shapeMismatch(node: String, detail: String)
    /// A graph that is not one Input → … → Output chain.
    case notAChain(String)
    /// A node NIR can hold that the package's layers cannot run (import), or a layer NIR
    /// cannot express (export).
    case notRepresentable(node: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): "\(path): not a readable HDF5 file (\(reason))"
        case .notANIRFile(let path, let reason): "\(path): not a NIR file (\(reason))"
        case .unknownNodeType(let node, let type): "node '\(node)': unknown NIR node type '\(type)'"
        case .missingParameter(let node, let type, let parameter):
            "node '\(node)' (\(type)): missing parameter '\(parameter)'"
        case .shapeMismatch(let node, let detail): "node '\(node)': shape mismatch: \(detail)"
        case .notAChain(let reason): "the NIR graph is not a chain: \(reason)"
        case .notRepresentable(let node, let reason): "node '\(node)': \(reason)"
        }
    }
}
