import Foundation
import Testing

/// The package's layering, as the README draws it: each module may import only the modules
/// listed for it (system frameworks aside). A new import that crosses a layer fails here,
/// naming the file, the module and what it may use instead.
@Suite struct LayeringTests {
    /// Module → the package modules and libraries its sources may import.
    static let allowed: [String: Set<String>] = [
        // The system libraries' shims and the leaf modules.
        "TensorCore": ["CDNNL", "COpenBLAS", "CSpikeKernels"],
        "SystemSupport": [],
        "Statistics": [],
        "RunRecords": ["SystemSupport", "Statistics", "ArgumentParser"],
        // Data, graph, figures.
        "Autodiff": ["TensorCore"],
        "Datasets": ["TensorCore", "SystemSupport", "CZlib", "CCrypto"],
        "Figures": ["SystemSupport", "CPNG"],
        // Networks, neurons, training, conversion, energy: the science core.
        "NeuralNetworks": ["Autodiff", "TensorCore"],
        "SpikingNeurons": ["NeuralNetworks", "Autodiff", "TensorCore"],
        "Training": ["NeuralNetworks", "Autodiff", "TensorCore", "Datasets"],
        "SNNConversion": ["SpikingNeurons", "NeuralNetworks", "Autodiff", "TensorCore", "Statistics"],
        "EnergyEstimation": ["SpikingNeurons", "NeuralNetworks", "Autodiff", "TensorCore"],
        "NIRInterchange": ["CHDF5", "SpikingNeurons", "NeuralNetworks", "Autodiff", "TensorCore"],
        // The chapter harness and the tools.
        // ChapterSupport hosts the stages several chapters share (the backbone, its conversions).
        "ChapterSupport": ["RunRecords", "Statistics", "Training", "NeuralNetworks", "Autodiff", "TensorCore",
                           "Datasets", "Figures", "NIRInterchange", "SNNConversion", "SpikingNeurons",
                           "SystemSupport", "ArgumentParser"],
        "Regeneration": ["RunRecords", "Statistics", "SystemSupport"],
        "regenerate": ["Regeneration", "RunRecords", "ArgumentParser"],
        "render-figures": ["Regeneration", "RunRecords", "Figures", "ArgumentParser"],
        "bench": ["ChapterSupport", "RunRecords", "Training", "SpikingNeurons", "NeuralNetworks", "Autodiff", "TensorCore",
                  "Datasets", "SNNConversion", "EnergyEstimation", "ArgumentParser"],
        "nir": ["NIRInterchange", "NeuralNetworks", "SpikingNeurons", "Datasets", "EnergyEstimation", "TensorCore",
                "RunRecords", "ArgumentParser"],
        "_TestSupport": ["Autodiff", "TensorCore"],
    ]

    /// A paper's science (chapters/<key>/Method): the core and the training loop, never the
    /// harness (ChapterSupport), figures or the command line.
    static let method: Set<String> = ["Statistics", "Training", "SNNConversion", "EnergyEstimation", "SpikingNeurons",
                                      "NeuralNetworks", "Autodiff", "TensorCore", "Datasets"]
    static let methodLibraries = ["attention": "AttentionMethod", "hoyer": "HoyerMethod", "hybrid": "HybridMethod",
                                  "primer": "PrimerMethod", "rnl": "RNLMethod", "ultralow": "UltralowMethod"]

    static let system: Set<String> = ["Foundation", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization"]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The modules imported by the Swift files directly under `folder` (recursively, skipping
    /// `skip`), with the file that imports each.
    static func imports(in folder: URL, skipping skip: String? = nil) -> [(file: String, module: String)] {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return files.filter { skip == nil || !$0.path.contains("/\(skip!)/") }.flatMap { file in
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line -> (String, String)? in
                let words = line.split(separator: " ").map(String.init)
                guard let at = words.firstIndex(of: "import"), at + 1 < words.count,
                      words[..<at].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "package" })
                else { return nil }
                return (String(file.path.dropFirst(root.path.count + 1)), words[at + 1])
            }
        }
    }

    @Test func everyCoreModuleImportsOnlyItsLayers() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        // Swift modules only: the C shims (CDNNL, …) hold a module map and headers.
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { name in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent(name).path)) ?? []
            return files.contains { $0.hasSuffix(".swift") }
        }
        #expect(Set(modules) == Set(Self.allowed.keys), "every Swift module of Sources/ has a row in the table")
        for module in modules {
            for (file, imported) in Self.imports(in: sources.appendingPathComponent(module))
            where !Self.system.contains(imported) {
                #expect(Self.allowed[module, default: []].contains(imported),
                        "\(file): \(module) may not import \(imported) (it may use \(Self.allowed[module, default: []].sorted()))")
            }
        }
    }

    /// No module re-exports another: every file imports what it uses, so the picture above is
    /// the whole truth about who sees what.
    @Test func noModuleReExportsAnother() throws {
        for folder in ["Sources", "chapters"] {
            let url = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                #expect(!text.contains("@_exported"), "\(file.path): @_exported import")
            }
        }
    }

    @Test func methodLibrariesHoldScienceOnly() throws {
        for (key, _) in Self.methodLibraries {
            let folder = Self.root.appendingPathComponent("chapters/\(key)/Method")
            let found = Self.imports(in: folder)
            #expect(!found.isEmpty, "chapters/\(key)/Method has Swift files")
            for (file, imported) in found where !Self.system.contains(imported) {
                #expect(Self.method.contains(imported),
                        "\(file): a Method library may not import \(imported) (science depends on \(Self.method.sorted()))")
            }
        }
    }

    /// Chapters compose Method libraries; they never import another chapter's executable, and
    /// only compare uses other chapters' Method libraries.
    @Test func chaptersUseOnlyTheirOwnMethodOrCompare() {
        for (key, library) in Self.methodLibraries {
            let found = Self.imports(in: Self.root.appendingPathComponent("chapters/\(key)"), skipping: "Method")
            for (file, imported) in found where imported.hasSuffix("Method") {
                #expect(imported == library, "\(file): chapter \(key) imports \(imported), another chapter's method")
            }
        }
    }
}
