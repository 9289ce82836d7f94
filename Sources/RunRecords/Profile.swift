// How much compute a chapter run spends: seconds, minutes, or the paper's full budget.

import ArgumentParser

/// The scale of a chapter run, chosen with `--profile`.
///
/// Each chapter's `Config.preset(_:)` maps a profile to concrete hyperparameters; the profile
/// also names the output folder (`figures/<chapter>/<profile>`) and the cache folder, so runs
/// at different scales never overwrite each other.
public enum Profile: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Seconds. Plumbing plus coarse claims (above chance, monotone trends); used by ChapterTests.
    /// Some networks train too briefly here to leave chance (chapter-hoyer's fixed-threshold
    /// SNN, chapter-ultralow's naive fine-tune at T = 2), so the sanity gate's chance test only
    /// warns at this profile and results.json lists them under `degenerate`; its loss test
    /// stops the run at every profile.
    case smoke
    /// Minutes on a two-core laptop; shows the paper's qualitative claim. The default.
    case quick
    /// The paper's hyperparameters; may take hours or a GPU.
    case paper
}
