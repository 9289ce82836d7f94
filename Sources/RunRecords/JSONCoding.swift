// The JSON settings shared by every file ChapterSupport writes.

import Foundation

/// The one JSON dialect of the project's files: sorted keys, ISO 8601 dates, and non-finite
/// numbers as the strings `"nan"`, `"inf"`, `"-inf"` (plain JSON has no NaN, and a diverged
/// run must still be recordable).
public enum JSONCoding {
    /// An encoder for files people read (results.json): indented, sorted keys.
    public static func prettyEncoder() -> JSONEncoder {
        let encoder = compactEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return encoder
    }

    /// An encoder for bytes that are hashed or stored (cache keys, stage outputs): one line,
    /// sorted keys, so the same value always gives the same bytes.
    public static func compactEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// A decoder that reads what either encoder writes.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
