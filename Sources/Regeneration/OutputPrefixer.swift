// Interleaves children's output into one readable stream: every line gets the chapter's
// prefix, and `\r` progress lines stay readable on a terminal and short in a log.

import Foundation

/// Puts a prefix such as `classic │ ` in front of every line a child prints.
///
/// Chapters redraw progress lines with `\r` (and clear the rest with `ESC[K`). The prefixer
/// treats `\r` and `\n` both as line starts:
/// - `.terminal`: bytes pass through with the prefix re-inserted after every `\r` and `\n`, so
///   a redrawn line is redrawn with its prefix;
/// - `.log`: a line overwritten by `\r` is dropped and ANSI escapes are removed, so a log keeps
///   only what a terminal would finally show, one line per `\n`.
///
/// Bytes may arrive in arbitrary chunks (a UTF-8 character split across two reads is fine:
/// `\r` and `\n` never occur inside a multi-byte sequence).
public struct OutputPrefixer: Sendable {
    /// Where the combined stream goes.
    public enum Destination: Sendable, Equatable {
        /// An interactive terminal: keep `\r` redraws.
        case terminal
        /// A file or pipe: drop overwritten progress lines and escape sequences.
        case log
    }

    /// Put in front of every line.
    public let prefix: String
    /// Terminal or log behaviour.
    public let destination: Destination
    /// The last non-blank line the child printed, escapes removed.
    public private(set) var lastLine: String?
    /// The last line starting with `error:` (how `runChapter` reports a failure), if any.
    public private(set) var lastErrorLine: String?

    /// What best explains a failure: the last `error:` line, else the last line.
    public var failureLine: String? { lastErrorLine ?? lastLine }

    private var atLineStart = true
    /// The bytes since the last `\r` or `\n`.
    private var segment: [UInt8] = []

    /// A prefixer writing `prefix` before each line, for `destination`.
    public init(prefix: String, destination: Destination) {
        self.prefix = prefix
        self.destination = destination
    }

    /// The bytes to print for `chunk` of the child's output.
    public mutating func feed(_ chunk: Data) -> Data {
        var out = Data()
        let prefixBytes = Data(prefix.utf8)
        for byte in chunk {
            switch byte {
            case UInt8(ascii: "\n"):
                if destination == .log {
                    out += prefixBytes + Data(Self.stripEscapes(segment).utf8)
                } else if atLineStart {
                    out += prefixBytes
                }
                out.append(byte)
                remember(segment)
                segment.removeAll(keepingCapacity: true)
                atLineStart = true
            case UInt8(ascii: "\r"):
                if destination == .terminal { out.append(byte) }
                segment.removeAll(keepingCapacity: true)
                atLineStart = true
            default:
                if destination == .terminal {
                    if atLineStart { out += prefixBytes }
                    out.append(byte)
                }
                segment.append(byte)
                atLineStart = false
            }
        }
        return out
    }

    /// The bytes still to print when the child has exited: an unterminated last line, ended
    /// with `\n` so the next output starts on a fresh line.
    public mutating func finish() -> Data {
        defer {
            segment.removeAll()
            atLineStart = true
        }
        let text = Self.stripEscapes(segment)
        guard !segment.isEmpty else { return Data() }
        remember(segment)
        switch destination {
        case .terminal: return Data("\n".utf8)
        case .log:
            return text.isEmpty ? Data() : Data((prefix + text + "\n").utf8)
        }
    }

    private mutating func remember(_ line: [UInt8]) {
        let text = Self.stripEscapes(line).trimmingCharacters(in: .whitespaces)
        if !text.isEmpty { lastLine = text }
        if text.hasPrefix("error:") { lastErrorLine = text }
    }

    /// `bytes` as text without ANSI CSI sequences (`ESC [ … letter`).
    static func stripEscapes(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(
                of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    }
}
