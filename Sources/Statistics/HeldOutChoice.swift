// The selection rule every held-out choice in the chapters shares.

/// The index of the highest value, the first of equals: a candidate listed later has to beat the
/// earlier ones outright (chapters list the paper's or the cheaper setting first). nil when
/// `values` is empty.
public func indexOfFirstHighest(_ values: [Double]) -> Int? {
    guard !values.isEmpty else { return nil }
    return values.indices.reduce(0) { values[$1] > values[$0] ? $1 : $0 }
}
