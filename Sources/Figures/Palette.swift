/// A continuous colour map shared by gnuplot heat maps (`set palette defined (...)`) and the
/// libpng image grids, so a value gets the same colour in both.
///
/// gnuplot 5.4 has no named palettes (`set palette viridis` is an error), so each palette is
/// a list of stops; colours between stops are interpolated linearly in RGB, as gnuplot does.
public enum Palette: Sendable, Equatable {
    /// Dark blue → green → yellow (5 stops sampled from viridis). For values ≥ 0: firing rates,
    /// attention, counts.
    case sequential
    /// Blue → white → red (5 stops from ColorBrewer RdBu). For signed values centred on 0:
    /// weights, errors, membrane potentials relative to a threshold.
    case diverging
    /// White → black. For intensities drawn under coloured marks (the analog input of a
    /// spike raster), where any hue would be mistaken for a mark.
    case grays

    /// The stops as (position in [0, 1], red, green, blue).
    public var stops: [(position: Double, red: UInt8, green: UInt8, blue: UInt8)] {
        switch self {
        case .sequential:
            [(0, 0x44, 0x01, 0x54), (0.25, 0x3b, 0x52, 0x8b), (0.5, 0x21, 0x91, 0x8c),
             (0.75, 0x5e, 0xc9, 0x62), (1, 0xfd, 0xe7, 0x25)]
        case .diverging:
            [(0, 0x21, 0x66, 0xac), (0.25, 0x92, 0xc5, 0xde), (0.5, 0xf7, 0xf7, 0xf7),
             (0.75, 0xf4, 0xa5, 0x82), (1, 0xb2, 0x18, 0x2b)]
        case .grays:
            [(0, 0xff, 0xff, 0xff), (1, 0x00, 0x00, 0x00)]
        }
    }

    /// The colour at position `t` ∈ [0, 1] (clamped; NaN maps to 0), linear between stops.
    public func color(at t: Double) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        let stops = self.stops
        var upper = 1
        while upper < stops.count - 1 && stops[upper].position < t { upper += 1 }
        let a = stops[upper - 1]
        let b = stops[upper]
        let f = (t - a.position) / (b.position - a.position)
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
            UInt8((Double(x) + f * (Double(y) - Double(x))).rounded())
        }
        return (mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    /// Default value range for data with this palette: sequential → [min, max]; diverging →
    /// [−m, m] with m = max |v|, so 0 is white. Non-finite values are ignored; an empty or
    /// constant input gives a range of width 1 (or [−1, 1]).
    public func defaultRange(of values: some Sequence<Double>) -> ClosedRange<Double> {
        var lo = Double.infinity
        var hi = -Double.infinity
        for v in values where v.isFinite {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        guard lo <= hi else { return self == .diverging ? -1...1 : 0...1 }
        switch self {
        case .sequential, .grays:
            return lo < hi ? lo...hi : lo...(lo + 1)
        case .diverging:
            let m = max(abs(lo), abs(hi))
            return m > 0 ? -m...m : -1...1
        }
    }

    /// `set palette defined (...)` for gnuplot.
    var gnuplotCommand: String {
        let entries = stops.map { stop in
            "\(_Gnuplot.number(stop.position)) '#" + hex(stop.red) + hex(stop.green)
                + hex(stop.blue) + "'"
        }
        return "set palette defined (" + entries.joined(separator: ", ") + ")"
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}
