// Seed replicates (`--seed-replicates K`): the five main variants trained again with K more
// training seeds on the same images and measured on the same test images. A quick run's
// accuracy differences are a point or two; one seed cannot tell them from the spread between
// training runs, so this puts the spread beside them.

import ChapterSupport
import RunRecords
import Foundation

/// Mean, sample standard deviation and range of a few measurements.
struct Spread: Codable, Equatable, Sendable {
    var mean: Double
    /// Sample standard deviation (divisor n − 1); 0 for a single value.
    var standardDeviation: Double
    /// standardDeviation / √n: the uncertainty of `mean`.
    var standardError: Double
    var minimum: Double
    var maximum: Double

    init(_ values: [Double]) {
        precondition(!values.isEmpty, "Spread of no values")
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        standardDeviation = values.count > 1 ? (squares / (n - 1)).squareRoot() : 0
        standardError = standardDeviation / n.squareRoot()
        minimum = values.min()!
        maximum = values.max()!
    }
}

/// results.json `replication`: every main variant at every training seed.
struct SeedReplication: Codable, Equatable, Sendable {
    struct Row: Codable, Equatable, Sendable {
        var key: String
        var label: String
        /// Test accuracy per training seed, in `trainingSeeds` order.
        var accuracy: [Double]
        /// accuracy − the ANN's accuracy at the same seed (0 for the ANN itself).
        var differenceToANN: [Double]
        /// Per seed (spiking variants only; empty for the ANN).
        var meanSpikeRate: [Double]
        var nearThresholdFraction: [Double]
        var accuracySpread: Spread
        var differenceToANNSpread: Spread
        var meanSpikeRateSpread: Spread?
        var nearThresholdFractionSpread: Spread?
    }
    /// Seeds of weight initialisation (batch order from seed + 1); the first is the run's own.
    var trainingSeeds: [UInt64]
    var rows: [Row]

    func row(_ key: String) -> Row? { rows.first { $0.key == key } }

    /// Builds the rows from `results[s][v]`: seed s (in `trainingSeeds` order), variant v
    /// (the ANN first, as in `Config.variants`).
    init(trainingSeeds: [UInt64], results: [[Metrics.VariantResult]]) {
        precondition(results.count == trainingSeeds.count && !results.isEmpty)
        precondition(results.allSatisfy { $0.first?.thresholdMode == nil })
        self.trainingSeeds = trainingSeeds
        rows = results[0].indices.map { v in
            let perSeed = results.map { $0[v] }
            let accuracy = perSeed.map(\.accuracy)
            let difference = zip(perSeed, results).map { $0.accuracy - $1[0].accuracy }
            let rates = perSeed.compactMap(\.meanSpikeRate)
            let near = perSeed.compactMap(\.nearThresholdFraction)
            return Row(
                key: perSeed[0].key, label: perSeed[0].label, accuracy: accuracy,
                differenceToANN: difference, meanSpikeRate: rates, nearThresholdFraction: near,
                accuracySpread: Spread(accuracy), differenceToANNSpread: Spread(difference),
                meanSpikeRateSpread: rates.isEmpty ? nil : Spread(rates),
                nearThresholdFractionSpread: near.isEmpty ? nil : Spread(near))
        }
    }
}

// MARK: - Console and README

/// `mean ± sd` in points (fractions × 100).
func pointsWithSpread(_ s: Spread, signed isSigned: Bool = false) -> String {
    let mean = isSigned ? signed(100 * s.mean) : fixed(100 * s.mean, digits: 2)
    return "\(mean) ± \(fixed(100 * s.standardDeviation, digits: 2))"
}

func printReplication(_ r: SeedReplication) {
    print("\nSeed replicates: training seeds \(r.trainingSeeds.map(String.init).joined(separator: ", ")) "
          + "(same training and test images); mean ± sample sd over seeds:")
    printTable(
        headers: ["variant", "acc (%)", "min–max", "Δ vs ANN (pp)", "s.e. of Δ",
                  "spike rate (%)", "|z/E−1|<0.1 (%)"],
        rows: r.rows.map(replicationCells))
}

private func replicationCells(_ row: SeedReplication.Row) -> [String] {
    [row.label, pointsWithSpread(row.accuracySpread),
     "\(fixed(100 * row.accuracySpread.minimum, digits: 2))–"
        + fixed(100 * row.accuracySpread.maximum, digits: 2),
     row.key == "ann" ? "—" : pointsWithSpread(row.differenceToANNSpread, signed: true),
     row.key == "ann" ? "—" : fixed(100 * row.differenceToANNSpread.standardError, digits: 2),
     row.meanSpikeRateSpread.map { pointsWithSpread($0) } ?? "—",
     row.nearThresholdFractionSpread.map { pointsWithSpread($0) } ?? "—"]
}

/// The README's `seeds` block: the table, and the accuracy checks read on the means.
func replicationReadmeLines(_ r: SeedReplication, record: RunRecord, folder: String) -> [String] {
    var lines = [
        "",
        "Generated by `chapter-hoyer --profile \(record.profile.rawValue) --seed-replicates "
            + "\(r.trainingSeeds.count - 1)` from `\(folder)/results.json`. Training seeds "
            + "\(r.trainingSeeds.map(String.init).joined(separator: ", ")): each seed sets the "
            + "initial weights and the batch order; training and test images are the same for all. "
            + "Mean ± sample standard deviation over the \(r.trainingSeeds.count) seeds; Δ is "
            + "paired (each seed's SNN minus the same seed's ANN), s.e. = sd/√n.",
        "",
        "| variant | test acc (%) | min–max | Δ vs ANN (pp) | s.e. of Δ | spike rate (%) "
            + "| \\|z/E−1\\|<0.1 (%) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += r.rows.map { "| " + replicationCells($0).joined(separator: " | ") + " |" }
    let spiking = r.rows.filter { $0.key != "ann" && $0.key != "fixed" }
    if let best = spiking.max(by: { $0.differenceToANNSpread.mean < $1.differenceToANNSpread.mean }) {
        let gap = -100 * best.differenceToANNSpread.mean
        let se = 100 * best.differenceToANNSpread.standardError
        lines += ["", "Within 2 points of the ANN on the mean over seeds: "
            + (gap <= 2 ? "**holds**" : "**does not hold**") + " — the best Hoyer variant on "
            + "the mean (\(best.label)) is \(fixed(gap, digits: 2)) ± \(fixed(se, digits: 2)) "
            + "(s.e.) points below the ANN. Picking the best of three variants favours it "
            + "slightly; every variant's mean is in the table."]
    }
    if let plain = r.row("hoyer-sum"), let reg = r.row("hoyer-sum-reg"),
       let a = plain.meanSpikeRateSpread, let b = reg.meanSpikeRateSpread,
       let na = plain.nearThresholdFractionSpread, let nb = reg.nearThresholdFractionSpread {
        let lower = zip(plain.meanSpikeRate, reg.meanSpikeRate).filter { $1 < $0 }.count
        let wider = zip(plain.nearThresholdFraction, reg.nearThresholdFraction)
            .filter { $1 < $0 }.count
        lines += ["", "The regulariser (Hoyer sum → + reg), seed by seed: spike rate lower at "
            + "\(lower) of \(r.trainingSeeds.count) seeds (mean \(fixed(100 * a.mean, digits: 1)) → "
            + "\(fixed(100 * b.mean, digits: 1)) %); potentials near E fewer at \(wider) of "
            + "\(r.trainingSeeds.count) (mean \(fixed(100 * na.mean, digits: 2)) → "
            + "\(fixed(100 * nb.mean, digits: 2)) %)."]
    }
    return lines + [""]
}
