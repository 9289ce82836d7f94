import RunRecords
import Testing

@testable import ChapterSupport

/// Console helpers produce labelled, aligned text.
@Suite struct ConsoleTests {
    @Test func tablesAlignNumbersRightAndTextLeft() {
        let table = formatTable(
            headers: ["T", "ANN acc (%)", "SNN acc (%)", "reset"],
            rows: [["1", "91.20", "45.10", "zero"], ["16", "91.20", "90.85", "subtract"]])
        #expect(
            table == """
                 T  ANN acc (%)  SNN acc (%)  reset
                ──  ───────────  ───────────  ────────
                 1        91.20        45.10  zero
                16        91.20        90.85  subtract
                """)
    }

    @Test func metricsCarryTheirUnit() {
        #expect(
            formatMetric("ANN test accuracy", 91.234, unit: "%") == "ANN test accuracy: 91.23 %")
        #expect(formatMetric("Energy ratio", 12.5, unit: "", digits: 1) == "Energy ratio: 12.5")
        #expect(formatMetric("Loss", .nan, unit: "") == "Loss: nan")
    }
}
