// Console output for chapters: section banners, labelled metrics, aligned tables, the config.

import Foundation
import RunRecords
import Training

/// Prints a section banner matching the chapter's `// MARK: -` sections:
///
/// ```
///
/// 2. Train the ANN
/// ────────────────
/// ```
public func printSection(_ title: String) {
    print("\n\(title)\n\(String(repeating: "─", count: title.count))")
}

/// Rewrites the current terminal line with `text` (carriage return, text, clear to the end of
/// the line): a simulation's running count of images. `rewriteLine("")` clears it.
public func rewriteLine(_ text: String) {
    ProgressLine.writeToStandardOutput("\r\(text)\u{1B}[K")
}

/// Prints one labelled number with its unit, e.g. `ANN test accuracy: 91.23 %`.
///
/// Every number a chapter shows gets a label and a unit (docs/conventions.md C4); use `unit: ""` only
/// for dimensionless counts.
public func printMetric(_ label: String, _ value: Double, unit: String, digits: Int = 2) {
    print(formatMetric(label, value, unit: unit, digits: digits))
}

/// The line `printMetric` prints.
public func formatMetric(
    _ label: String, _ value: Double, unit: String, digits: Int = 2
) -> String {
    let number = formatFixed(value, digits: digits)
    return unit.isEmpty ? "\(label): \(number)" : "\(label): \(number) \(unit)"
}

/// Prints a table with a header row, a rule, and aligned columns.
///
/// ```
/// T  ANN acc (%)  SNN acc (%)  Δ (pp)
/// ─  ───────────  ───────────  ──────
/// 1        91.20        45.10  -46.10
/// ```
///
/// Columns whose cells all look like numbers are right-aligned, others left-aligned. Callers
/// format the numbers, so each column chooses its own precision; put units in the headers.
public func printTable(headers: [String], rows: [[String]]) {
    print(formatTable(headers: headers, rows: rows))
}


/// Prints the resolved config once at startup as pretty JSON with sorted keys (llm.c prints
/// its hyperparameters the same way), preceded by the line `Resolved configuration:`.
///
/// - Throws: the encoder's error when `config` cannot be encoded.
public func printResolvedConfig(_ config: some Encodable) throws {
    let json = try JSONCoding.prettyEncoder().encode(config)
    print("Resolved configuration:\n\(String(decoding: json, as: UTF8.self))")
}
