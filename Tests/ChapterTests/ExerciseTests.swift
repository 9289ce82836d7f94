import ChapterSupport
import Foundation
import Statistics
import Testing

// Every chapter's exercises at the smoke profile: after the plain run, `--exercise N`, and the
// outcome's numbers and verdicts recomputed here from the two results.json files with the
// test's own decoding (a rule that quotes the wrong number, or states a check the numbers do
// not bear out, fails). Each chapter's smoke test calls its function below on its own plain
// run, so no plain run is repeated. A representative set runs, one rule of each kind, to keep
// `swift test` short: classic 1, rnl 2, ultralow 1, hybrid 2, attention 2, hoyer 1 (its own
// plain run: the chapter test's run is a seed-replicate run), compare 2 and 5. Not run here:
// classic 2, rnl 1, ultralow 2, hybrid 1, attention 1, hoyer 2, compare 1, 3 and 4.

/// classic 1 (`--reset zero`) against the plain smoke run in `plain`.
func checkClassicExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Method: Decodable {
            struct Kind: Decodable { var reset: String; var balancing: [String: [String: Double]] }
            var method: Kind
            var accuracy: [Double]
            var fullTestAccuracy: [Double]
            var firstTimestepStayingWithinOnePoint: Int?
            /// "max-norm", "percentile-99.9" (the rule's key fragment).
            var rule: String {
                method.balancing["percentile"].map { "percentile-\($0["_0"]!)" } ?? "max-norm"
            }
        }
        var annAccuracyOnSimulatedSubset: Double
        var fullTestTimesteps: Int
        var maxTimesteps: Int
        var methods: [Method]
        func method(_ rule: String, _ reset: String) -> Method? {
            methods.first { $0.rule == rule && $0.method.reset == reset }
        }
    }
    let zero = try runSmokeExercise("classic", 1, plain: plain)
    let (r1, e1) = try zero.metrics(as: Run.self)
    #expect(e1.methods.allSatisfy { $0.method.reset == "zero" } && e1.methods.count == 3)
    for m in e1.methods {
        zero.expectValue("\(m.rule)-zero.accuracy.Tmax", reference: r1.method(m.rule, "zero")?.accuracy.last,
                         exercise: m.accuracy.last)
    }
    let short = e1.methods.map { $0.fullTestAccuracy[e1.fullTestTimesteps - 1] }
    let end = e1.methods.map { $0.accuracy.last! }
    zero.expectCheck("none-within-one-point", holds: e1.methods.allSatisfy { $0.firstTimestepStayingWithinOnePoint == nil })
    zero.expectCheck("percentile-ahead-at-short-T", holds: short.dropFirst().allSatisfy { $0 > short[0] })
    zero.expectCheck("percentile-not-ahead-at-T-max", holds: end.dropFirst().allSatisfy { $0 <= end[0] })
}

/// rnl 2 (`--lambda 5`) against the plain smoke run in `plain`.
func checkRNLExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Checkpoint: Decodable { var iteration: Int; var p: Double; var omegaBar: Double; var selected: Bool }
        struct Method: Decodable { var method: String; var firstTimestepStayingWithinOnePoint: Int? }
        var rilTrajectory: [Checkpoint]
        var methods: [Method]
        var kept: Checkpoint { rilTrajectory.last { $0.selected }! }
        var ril: Int? { methods.first { $0.method == "rnlRIL" }!.firstTimestepStayingWithinOnePoint }
    }
    let exercise = try runSmokeExercise("rnl", 2, plain: plain)
    let (r, e) = try exercise.metrics(as: Run.self)
    exercise.expectValue("ril.kept-p", reference: r.kept.p, exercise: e.kept.p)
    exercise.expectValue("ril.kept-omega-bar", reference: r.kept.omegaBar, exercise: e.kept.omegaBar)
    exercise.expectValue("rnl-ril.first-T-within-one-point", reference: r.ril.map(Double.init), exercise: e.ril.map(Double.init))
    exercise.expectCheck("lower-p", holds: e.kept.p < r.kept.p)
    exercise.expectCheck("lower-omega-bar", holds: e.kept.omegaBar < r.kept.omegaBar)
    exercise.expectCheck("sooner-within-one-point", holds: (e.ril ?? .max) < (r.ril ?? .max))
    let fall = { (m: Run) in m.rilTrajectory[0].p - m.rilTrajectory[1].p }
    exercise.expectValue("ril.p-fall-first-interval", reference: fall(r), exercise: fall(e))
    exercise.expectCheck("search-stops-below-tolerance", holds: !e.rilTrajectory.last!.selected)
}

/// ultralow 1 (`--epochs 8`) against the plain smoke run in `plain`.
func checkUltralowExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Evaluation: Decodable { var timesteps: Int; var accuracy: Double }
        struct Rule: Decodable { var kind: String }
        struct Converted: Decodable { var rule: Rule; var evaluations: [Evaluation] }
        struct Tuned: Decodable {
            struct After: Decodable { var accuracy: Double }
            var rule: Rule; var after: After; var losses: [Double]
        }
        var dnnAccuracy: Double
        var clips: [Double]
        var converted: [Converted]
        var fineTuned: [Tuned]
        var meanClip: Double { clips.reduce(0, +) / Double(clips.count) }
        func accuracy(_ kind: String, _ t: Int) -> [Double] {
            converted.filter { $0.rule.kind == kind }.compactMap { $0.evaluations.first { $0.timesteps == t }?.accuracy }
        }
        func tuned(_ kind: String) -> Tuned? { fineTuned.first { $0.rule.kind == kind } }
    }
    let longer = try runSmokeExercise("ultralow", 1, plain: plain)
    let (r1, e1) = try longer.metrics(as: Run.self)
    longer.expectValue("dnn.accuracy", reference: r1.dnnAccuracy, exercise: e1.dnnAccuracy)
    longer.expectValue("clips.mean", reference: r1.meanClip, exercise: e1.meanClip)
    longer.expectCheck("dnn-gains", holds: e1.dnnAccuracy > r1.dnnAccuracy)
    longer.expectCheck("clips-stay", holds: abs(e1.meanClip - r1.meanClip) <= 0.1 * r1.meanClip)
    longer.expectCheck("naive-collapses", holds: (e1.accuracy("naive", 1) + e1.accuracy("naive", 2)).allSatisfy { $0 <= 0.15 })
    let fitted = e1.accuracy("fitted", 1), others = e1.accuracy("naive", 1) + e1.accuracy("shift", 1)
    longer.expectCheck("fitted-lead-at-T1", holds: fitted.min()! > others.max()!)
}

/// hybrid 2 (`--finetune-epochs 3`) against the plain smoke run in `plain`.
func checkHybridExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Arm: Decodable { var key: String; var accuracy: Double; var accuracyStandardError: Double }
        var arms: [Arm]
        func arm(_ key: String) -> Arm { arms.first { $0.key == key }! }
    }
    let longer = try runSmokeExercise("hybrid", 2, plain: plain)
    let (r, e) = try longer.metrics(as: Run.self)
    for key in ["A", "B", "C", "D"] {
        longer.expectValue("\(key).accuracy", reference: r.arm(key).accuracy, exercise: e.arm(key).accuracy)
    }
    let gap = { (m: Run) in m.arm("A").accuracy - m.arm("C").accuracy }
    longer.expectValue("A-minus-C", reference: gap(r), exercise: gap(e))
    let noise = (pow(e.arm("A").accuracyStandardError, 2) + pow(e.arm("C").accuracyStandardError, 2)).squareRoot()
    longer.expectCheck("gap-stays", holds: abs(gap(e) - gap(r)) < 2 * noise)
    longer.expectCheck("every-arm-gains", holds: ["A", "B", "C", "D"].allSatisfy { e.arm($0).accuracy > r.arm($0).accuracy })
}

/// attention 2 (`--beta 10000`) against the plain smoke run in `plain`.
func checkAttentionExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Trace: Decodable { var epochLosses: [Double]; var epochAttentionLosses: [Double] }
        struct Student: Decodable { var arm: String; var density: Double; var annAccuracy: Double
            var outcomes: ImageOutcomes; var trace: Trace }
        var students: [Student]
        func student(_ arm: String, _ d: Double) -> Student { students.first { $0.arm == arm && $0.density == d }! }
        func gap(_ d: Double) -> Difference { .paired(student("sparseMomentumAT", d).outcomes, student("sparseMomentum", d).outcomes) }
    }
    struct Settings: Decodable { struct Student: Decodable { var beta: Double }; var student: Student }
    let heavy = try runSmokeExercise("attention", 2, plain: plain)
    let (r2, e2) = try heavy.metrics(as: Run.self)
    let sparsest = e2.students.last!.density
    let beta = (try heavy.reference.config(as: Settings.self).student.beta, try heavy.run.config(as: Settings.self).student.beta)
    #expect(beta.1 == 10_000)
    let share = { (m: Run, b: Double) in
        let trace = m.student("sparseMomentumAT", sparsest).trace
        return b * trace.epochAttentionLosses.last! / trace.epochLosses.last!
    }
    heavy.expectValue("attention-share", reference: share(r2, beta.0), exercise: share(e2, beta.1))
    heavy.expectCheck("term-grows", holds: share(e2, beta.1) > share(r2, beta.0))
    let at = e2.student("sparseMomentumAT", sparsest).annAccuracy
    heavy.expectCheck("at-below-others", holds: at < min(e2.student("sparseMomentum", sparsest).annAccuracy,
                                                          e2.student("oneShot", sparsest).annAccuracy))
}

@Suite struct HoyerExerciseTests {
    /// hoyer 1 (`--regularisation-weight 1e-6`) against a plain smoke run of its own.
    @Test func theRegularisationExerciseQuotesItsRunsNumbers() throws {
        struct Run: Decodable {
            struct Variant: Decodable { var key: String; var accuracy: Double; var meanSpikeRate: Double?
                var nearThresholdFraction: Double?; var outcomes: ImageOutcomes }
            struct Point: Decodable { var regularisationWeight: Double; var accuracy: Double; var meanSpikeRate: Double }
            var variants: [Variant]
            var regulariserSweep: [Point]
            var regularised: Variant { variants.first { $0.key == "hoyer-sum-reg" }! }
        }
        let plain = temporaryRunFolder("hoyer")
        _ = try runSmoke("hoyer", output: plain)
        let heavier = try runSmokeExercise("hoyer", 1, plain: plain)
        let (r, e) = try heavier.metrics(as: Run.self)
        heavier.expectValue("hoyer-sum-reg.spike-rate", reference: r.regularised.meanSpikeRate, exercise: e.regularised.meanSpikeRate)
        heavier.expectValue("hoyer-sum-reg.accuracy", reference: r.regularised.accuracy, exercise: e.regularised.accuracy)
        heavier.expectCheck("fires-less", holds: e.regularised.meanSpikeRate! < r.regularised.meanSpikeRate!)
        let drop = Difference.paired(r.regularised.outcomes, e.regularised.outcomes)
        heavier.expectValue("hoyer-sum-reg.accuracy-drop-se", reference: nil, exercise: drop.standardError)
        heavier.expectCheck("costs-accuracy", holds: drop.mean > 2 * drop.standardError)
        let sweep = e.regulariserSweep.sorted { $0.regularisationWeight < $1.regularisationWeight }
        for (i, point) in sweep.enumerated() {
            heavier.expectValue("sweep.\(i).spike-rate", reference: nil, exercise: point.meanSpikeRate)
        }
        heavier.expectCheck("sweep-rate-falls", holds: zip(sweep, sweep.dropFirst()).allSatisfy { $0.meanSpikeRate > $1.meanSpikeRate })
        heavier.expectCheck("largest-weight-collapses", holds: sweep.first!.accuracy - sweep.last!.accuracy > 0.15)
    }
}

/// compare 2 (`--percentile 99`) and 5 (`--seed 7`) against the plain smoke run in `plain`.
func checkCompareExercises(plain: URL) throws {
    struct Run: Decodable {
        struct Point: Decodable { var timesteps: Int; var accuracy: Double; var outcomes: ImageOutcomes }
        struct Method: Decodable { var key: String; var points: [Point]
            func point(_ t: Int) -> Point? { points.first { $0.timesteps == t } } }
        struct FrontPoint: Decodable { var method: String }
        var maxTimesteps: Int
        var methods: [Method]
        var paretoFront: [FrontPoint]
        func method(_ key: String) -> Method? { methods.first { $0.key == key } }
    }
    let lower = try runSmokeExercise("compare", 2, plain: plain)
    let (r2, e2) = try lower.metrics(as: Run.self)
    let old = r2.method("percentile-99.9")!, new = e2.method("percentile-99.0")!
    for p in new.points {
        lower.expectValue("percentile.accuracy.T\(p.timesteps)", reference: old.point(p.timesteps)?.accuracy, exercise: p.accuracy)
    }
    lower.expectCheck("gains-at-16", holds: new.point(16)!.accuracy > old.point(16)!.accuracy)

    // A new seed: the rule's surviving differences, recounted here.
    let seeded = try runSmokeExercise("compare", 5, plain: plain)
    let (r5, e5) = try seeded.metrics(as: Run.self)
    #expect(seeded.run.seed == 7)
    var survivors = 0, contested = 0
    for t in [1, 2] {
        let keys = e5.methods.filter { $0.point(t) != nil }.map(\.key)
        for (i, a) in keys.enumerated() {
            seeded.expectValue("\(a).accuracy.T\(t)", reference: r5.method(a)?.point(t)?.accuracy, exercise: e5.method(a)!.point(t)!.accuracy)
            for b in keys[(i + 1)...] {
                guard let pa = r5.method(a)?.point(t), let pb = r5.method(b)?.point(t) else { continue }
                let d0 = Difference.paired(pa.outcomes, pb.outcomes)
                let d1 = Difference.paired(e5.method(a)!.point(t)!.outcomes, e5.method(b)!.point(t)!.outcomes)
                guard abs(d0.mean) > 2 * d0.standardError else { continue }
                if d0.mean.sign == d1.mean.sign && abs(d1.mean) > 2 * d1.standardError { survivors += 1 } else { contested += 1 }
            }
        }
    }
    seeded.expectCheck("differences-survive", holds: contested == 0 && survivors > 0)
}
