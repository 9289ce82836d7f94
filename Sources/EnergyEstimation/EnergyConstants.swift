/// Energy per operation for a given process node, with its source.
///
/// The default is the 45 nm CMOS, 32-bit figures of M. Horowitz, "Computing's energy problem
/// (and what we can do about it)", ISSCC 2014, pp. 10–14 — the constants every paper in this
/// collection uses: a floating-point multiply-accumulate costs 4.6 pJ (3.7 pJ multiply +
/// 0.9 pJ add) and an accumulate (add only) 0.9 pJ. Integer conventions are provided because
/// some papers count int32 (MAC 3.2 pJ = 3.1 + 0.1, AC 0.1 pJ).
public struct EnergyConstants: Sendable, Codable, Equatable {
    /// Energy of one multiply-accumulate, picojoules.
    public var macPicojoules: Double
    /// Energy of one accumulate, picojoules.
    public var accumulatePicojoules: Double
    /// Where the numbers come from.
    public var citation: String

    public init(macPicojoules: Double, accumulatePicojoules: Double, citation: String) {
        self.macPicojoules = macPicojoules
        self.accumulatePicojoules = accumulatePicojoules
        self.citation = citation
    }

    /// 45 nm, 32-bit floating point: MAC 4.6 pJ, AC 0.9 pJ (Horowitz, ISSCC 2014).
    public static let float32At45nm = EnergyConstants(
        macPicojoules: 4.6, accumulatePicojoules: 0.9,
        citation: "M. Horowitz, Computing's energy problem (and what we can do about it), ISSCC 2014, 45 nm, fp32: mult 3.7 pJ + add 0.9 pJ")

    /// 45 nm, 32-bit integer: MAC 3.2 pJ, AC 0.1 pJ (Horowitz, ISSCC 2014).
    public static let int32At45nm = EnergyConstants(
        macPicojoules: 3.2, accumulatePicojoules: 0.1,
        citation: "M. Horowitz, Computing's energy problem (and what we can do about it), ISSCC 2014, 45 nm, int32: mult 3.1 pJ + add 0.1 pJ")
}
