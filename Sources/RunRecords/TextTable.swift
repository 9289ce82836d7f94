// Plain-text tables: the console's and the regenerate summary's, from the same numbers.

import Foundation

/// The text of a table with a header row, a rule and aligned columns (`printTable` prints it) (lines joined by `\n`, no trailing newline).
public func formatTable(headers: [String], rows: [[String]]) -> String {
    for (index, row) in rows.enumerated() {
        precondition(row.count == headers.count,
                     "table row \(index) has \(row.count) cells for \(headers.count) headers")
    }
    let columns = headers.indices.map { column in
        (width: ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0,
         numeric: !rows.isEmpty && rows.allSatisfy { looksNumeric($0[column]) })
    }
    func line(_ cells: [String]) -> String {
        zip(cells, columns).map { cell, column in
            let padding = String(repeating: " ", count: column.width - cell.count)
            return column.numeric ? padding + cell : cell + padding
        }
        .joined(separator: "  ")
        .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    let rule = columns.map { String(repeating: "─", count: $0.width) }
    return ([line(headers), line(rule)] + rows.map(line)).joined(separator: "\n")
}

/// Whether `text` reads as a number, possibly signed, with a decimal point, exponent or `%`.
private func looksNumeric(_ text: String) -> Bool {
    var body = text.trimmingCharacters(in: .whitespaces)
    if body.hasSuffix("%") { body.removeLast() }
    return Double(body) != nil || ["nan", "inf", "-inf", "—", "-"].contains(body)
}
