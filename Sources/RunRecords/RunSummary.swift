// The few lines a reader sees first about a run: its paper, one headline number set against
// the paper's claim, and a one-line caption per figure. Stored in results.json as `summary`.

/// What a chapter run shows a reader at a glance: `regenerate` prints the headline in its
/// closing table and the figure index (`figures/README.md`) embeds every captioned figure.
///
/// A chapter builds it from its own metrics at the end of `main.swift`; the summary holds
/// strings only, so every chapter fills the same shape however different its metrics are.
///
/// ```swift
/// let summary = RunSummary(
///     paper: "Diehl et al., IJCNN 2015",
///     headline: Headline(
///         label: "T to within 1 point of the ANN", ours: "T = 24 (percentile 99.99)",
///         paperClaim: "percentile thresholds converge faster than max-norm"),
///     figures: [FigureCaption(id: "fig-accuracy-vs-timesteps", caption: "Accuracy vs T.")])
/// ```
public struct RunSummary: Codable, Sendable, Equatable {
    /// The paper reproduced, as a short citation (authors, venue, year).
    public var paper: String
    /// The run's headline number next to the paper's.
    public var headline: Headline
    /// Every figure the run wrote, in the order a reader should look at them.
    public var figures: [FigureCaption]

    /// Creates a summary.
    public init(paper: String, headline: Headline, figures: [FigureCaption]) {
        self.paper = paper
        self.headline = headline
        self.figures = figures
    }
}

/// One measured value set against the paper's claim.
///
/// `ours` is produced by code from the run's metrics; `paperClaim` is copied by hand from the
/// paper and shown labelled as such (docs/conventions.md C1.4), never as a measurement.
public struct Headline: Codable, Sendable, Equatable {
    /// What is measured, e.g. `CIFAR-100 accuracy at T = 2`.
    public var label: String
    /// This run's value with its unit, e.g. `87.12 % (Fashion-MNIST)`.
    public var ours: String
    /// The paper's value or claim, copied by hand, e.g. `64.19 % on CIFAR-100`.
    public var paperClaim: String

    /// Creates a headline.
    public init(label: String, ours: String, paperClaim: String) {
        self.label = label
        self.ours = ours
        self.paperClaim = paperClaim
    }

    /// `label: ours (paper, copied by hand: paperClaim)`, one line.
    public var line: String {
        "\(label): \(ours) (paper, copied by hand: \(paperClaim))"
    }
}

/// A figure file and its one-line caption.
public struct FigureCaption: Codable, Sendable, Equatable {
    /// The figure id: the files are `<id>.png` (and `<id>.dat` / `<id>.gp` for gnuplot figures).
    public var id: String
    /// One line saying what the figure shows and what to look for.
    public var caption: String

    /// Creates a caption; line breaks in `caption` become spaces, so it stays one line.
    public init(id: String, caption: String) {
        self.id = id
        self.caption = caption.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// `<id>.png`.
    public var imageFileName: String { id + ".png" }
}
