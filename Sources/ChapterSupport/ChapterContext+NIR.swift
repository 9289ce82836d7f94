// `--export-nir DIR`: the one call a chapter makes to write an SNN it evaluates as a NIR file.

import Datasets
import Foundation
import NeuralNetworks
import NIRInterchange

extension ChapterContext {
    /// Whether the run was asked to write NIR files (`--export-nir`).
    public var exportsNIR: Bool { options.nirExportDirectory != nil }

    /// Writes `network` as `<--export-nir>/<chapter>-<name>.nir` (name lower-cased, every run
    /// of other characters a '-') and lists the file in results.json (`nirFiles`); does
    /// nothing without `--export-nir`. The graph's metadata records the input
    /// standardisation the network expects, so `nir evaluate` feeds it the same images.
    ///
    /// - Parameters:
    ///   - network: the SNN as the chapter simulates it (a BatchNorm right after its weight
    ///     layer, or after that conv's max pool in a one-step network, is folded by the export).
    ///   - inputShape: per-image input shape, `[C, H, W]`.
    ///   - normalization: the per-channel standardisation applied to the images, if any.
    /// - Throws: `NIRError.notRepresentable` naming the layer NIR cannot express (the run
    ///   stops: an exported file is never a different network), or the file system's error.
    /// - Returns: the file written, or nil without `--export-nir`.
    @discardableResult
    public func exportNIR(_ network: Sequential, name: String, inputShape: [Int],
                          normalization: Normalization?) throws -> URL? {
        guard let directory = options.nirExportDirectory else { return nil }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let slug = name.lowercased().split { !($0.isLetter || $0.isNumber || $0 == ".") }.joined(separator: "-")
        let file = directory.appendingPathComponent("\(chapter)-\(slug).nir")
        var metadata = ["chapter": chapter, "network": name, "seed": "\(seed)", "profile": profile.rawValue]
        if let normalization {
            metadata[NIRMetadataKey.inputMean] = normalization.mean.map { "\($0)" }.joined(separator: ",")
            metadata[NIRMetadataKey.inputStandardDeviation] = normalization.std.map { "\($0)" }.joined(separator: ",")
        }
        try NIRGraph(exporting: network, inputShape: inputShape, metadata: metadata).write(to: file)
        facts.addNIRFile(file.lastPathComponent)
        print("wrote NIR graph \(file.path)")
        return file
    }
}
