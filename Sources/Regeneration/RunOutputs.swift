// What a chapter run left in figures/<key>/<profile>/: new PNGs and its results.json.

import RunRecords
import Foundation

/// Reads a chapter's output folder after a run, looking only at files written since the run
/// started, so a stale results.json or figure from an earlier run is never credited to it.
enum RunOutputs {
    /// File-system timestamps can trail the clock by a few milliseconds; allow for that.
    static let timestampSlack: TimeInterval = 1

    /// PNG files directly in `directory` modified at or after `start`.
    static func figuresWritten(in directory: URL, since start: Date) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return files.filter { url in
            url.pathExtension == "png" && modificationDate(of: url) >= start - timestampSlack
        }.count
    }

    /// `directory/results.json` when it was written at or after `start`.
    static func record(in directory: URL, since start: Date) -> RunRecord? {
        let url = directory.appendingPathComponent(RunRecord.fileName)
        guard modificationDate(of: url) >= start - timestampSlack else { return nil }
        return try? RunRecord.load(from: url)
    }

    /// The run-log.json in `directory` if it was written at or after `start`.
    static func runLog(in directory: URL, since start: Date) -> RunLog? {
        let url = directory.appendingPathComponent(RunLog.fileName)
        guard modificationDate(of: url) >= start - timestampSlack else { return nil }
        return try? RunLog.load(from: url)
    }

    private static func modificationDate(of url: URL) -> Date {
        let values = try? url.resourceValues(forKeys: [.contentModificationDateKey])
        return values?.contentModificationDate ?? .distantPast
    }
}
