// Which machine produced a result, so that wall times can be compared fairly.

import Foundation

#if canImport(Darwin)
import Darwin
#endif

/// The CPU, core count and operating system of the machine running the chapter.
public struct MachineInfo: Codable, Sendable, Equatable {
    /// The CPU model, e.g. `AMD EPYC 7B13` (Linux: `model name` in /proc/cpuinfo), or `unknown`.
    public var cpuModel: String
    /// Logical cores available to this process.
    public var cores: Int
    /// Physical memory in GiB.
    public var memoryGiB: Double
    /// The operating system's version string.
    public var operatingSystem: String

    /// Creates a machine record.
    public init(cpuModel: String, cores: Int, memoryGiB: Double, operatingSystem: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.memoryGiB = memoryGiB
        self.operatingSystem = operatingSystem
    }

    /// The machine this process runs on.
    public static func current() -> MachineInfo {
        let info = ProcessInfo.processInfo
        let gib = Double(info.physicalMemory) / Double(1 << 30)
        return MachineInfo(
            cpuModel: cpuModelName() ?? "unknown",
            cores: info.activeProcessorCount,
            memoryGiB: (gib * 10).rounded() / 10,
            operatingSystem: info.operatingSystemVersionString)
    }

    /// The CPU's marketing name, if the system reports one.
    private static func cpuModelName() -> String? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return nil
        }
        return parseCPUModel(cpuinfo: text)
        #elseif canImport(Darwin)
        var size = 0
        guard sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 0 else {
            return nil
        }
        var buffer = [CChar](repeating: 0, count: size)
        guard sysctlbyname("machdep.cpu.brand_string", &buffer, &size, nil, 0) == 0 else {
            return nil
        }
        return String(cString: buffer)
        #else
        return nil
        #endif
    }

    /// The value of the first `model name` line of /proc/cpuinfo text (x86), falling back to
    /// `Model` or `Hardware` (ARM boards), or nil.
    package static func parseCPUModel(cpuinfo: String) -> String? {
        let fields = cpuinfo.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return (name, value)
        }
        for wanted in ["model name", "Model", "Hardware"] {
            if let field = fields.first(where: { $0.0 == wanted && !$0.1.isEmpty }) {
                return field.1
            }
        }
        return nil
    }
}
