// Which code wrote a stage's resumable progress, so that a run never resumes another code's
// half-trained network.

import Datasets
import Foundation
import RunRecords

/// The code a run is: its git commit, and when the tree has edits (or git cannot tell) the
/// SHA-256 of the running executable as well, since the commit alone no longer names the code.
///
/// A stage's progress file records the identity of the run that saved it; a later run resumes
/// it only when its own identity is the same (`StageCache.loadProgress`). The stage key holds
/// the inputs (config, seed, data, upstream stages) but not the code, by design: results are
/// reused across commits that do not change them. Half-finished training is different: weights
/// saved by older code and finished by newer code are neither's result.
public struct CodeIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `git rev-parse HEAD`, or `unknown`.
    public var commit: String
    /// SHA-256 of the executable, when the commit alone does not identify the code.
    public var executableSHA256: String?

    public init(commit: String, executableSHA256: String?) {
        self.commit = commit
        self.executableSHA256 = executableSHA256
    }

    /// This process: the commit of `git`, plus the executable's digest when the tree had edits
    /// or the revision is unknown (nil digest if the executable cannot be read).
    public static func current(git: GitRevision) -> CodeIdentity {
        let needsBinary = git.commit == GitRevision.unknown.commit || git.dirty != false
        return CodeIdentity(
            commit: git.commit,
            executableSHA256: needsBinary ? try? SHA256.hexDigest(ofFile: URL(fileURLWithPath: "/proc/self/exe")) : nil)
    }

    public var description: String {
        let commit = self.commit == GitRevision.unknown.commit ? "an unknown commit" : "commit \(self.commit.prefix(12))"
        return executableSHA256.map { "\(commit) with edits (executable \($0.prefix(12)))" } ?? commit
    }
}

/// The bytes of a progress file: the identity of the code that saved it, then the stage's own
/// progress. `[UInt32 little-endian n][n bytes: CodeIdentity as JSON; none when unknown][progress]`.
enum ProgressRecord {
    static func encode(_ progress: Data, savedBy code: CodeIdentity?) throws -> Data {
        let identity = try code.map { try JSONEncoder().encode($0) } ?? Data()
        var bytes = Data()
        withUnsafeBytes(of: UInt32(identity.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + identity + progress
    }

    /// The identity and the progress, or nil when the bytes are not a progress record.
    static func decode(_ bytes: Data) -> (code: CodeIdentity?, progress: Data)? {
        let bytes = Data(bytes)   // indices from 0
        guard bytes.count >= 4 else { return nil }
        let n = Int(bytes.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) })
        guard bytes.count >= 4 + n else { return nil }
        if n == 0 { return (nil, bytes.subdata(in: 4..<bytes.count)) }
        guard let code = try? JSONDecoder().decode(CodeIdentity.self, from: bytes.subdata(in: 4..<4 + n)) else { return nil }
        return (code, bytes.subdata(in: 4 + n..<bytes.count))
    }
}
