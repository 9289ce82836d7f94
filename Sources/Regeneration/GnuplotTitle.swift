// The title of a committed gnuplot script: the caption of last resort for the figure index.

import Foundation

/// Reads `set title '…'` from a `.gp` script, for figures whose results.json has no captions.
public enum GnuplotTitle {
    /// The first quoted `set title` of `script`, unquoted (`''` inside single quotes and
    /// backslash escapes inside double quotes resolved); nil when there is none.
    ///
    /// `set title font ',13'` (the shared theme) sets no text and is skipped.
    public static func parse(_ script: String) -> String? {
        for line in script.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("set title ") else { continue }
            let rest = trimmed.dropFirst("set title ".count).drop(while: { $0 == " " })
            if let title = unquote(rest) { return title }
        }
        return nil
    }

    /// The title of the script at `url`, or nil if it cannot be read or has none.
    public static func read(from url: URL) -> String? {
        (try? String(contentsOf: url, encoding: .utf8)).flatMap(parse)
    }

    /// The quoted string at the start of `text`.
    private static func unquote(_ text: Substring) -> String? {
        guard let quote = text.first, quote == "'" || quote == "\"" else { return nil }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if quote == "'", character == "'" {
                // '' is an escaped single quote; a lone ' ends the string.
                guard next < text.endIndex, text[next] == "'" else { return result }
                result.append("'")
                index = text.index(after: next)
                continue
            }
            if quote == "\"", character == "\"" { return result }
            if quote == "\"", character == "\\", next < text.endIndex {
                let escaped = text[next]
                result.append(escaped == "n" ? " " : escaped)
                index = text.index(after: next)
                continue
            }
            result.append(character)
            index = next
        }
        return nil  // unterminated
    }
}
