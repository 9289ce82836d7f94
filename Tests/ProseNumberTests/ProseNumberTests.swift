import Foundation
import Testing

/// No result number in prose that nothing checks (docs/conventions.md C1.4): a number a reader
/// sees in a chapter README, a chapter's header comment or a figure caption is produced by code
/// (inside a generated block, or interpolated into a caption) or is the paper's own.
///
/// The rule, made practical:
/// - **Where**: every `chapters/*/README.md` outside its generated blocks
///   (`<!-- NAME:begin -->` … `<!-- NAME:end -->`); the header comment of every
///   `chapters/*/main.swift` (the `//` lines before the first line of code); and the string
///   literals of every figure caption (`FigureCaption(…)`) and plot title (`title: "…"`) in
///   `chapters/*/*.swift` (interpolations `\(…)` are computed, so only the literal text counts).
/// - **Unit**: a sentence of prose, a table row, a code-block line or a comment line; text in
///   backticks (options, identifiers, commands) is left out.
/// - **What looks like a result**: a percentage (`85.1 %`; not a band `±10 %`), a speed-up or
///   ratio (`5.4×`, `8.6x`), a duration (`13.4 min`, `20 s`; not a budget `≤ 10 min`), an
///   accuracy-like decimal (`85.13`, `81.4`; not a percentile `99.9`) and a difference in
///   decimal points (`2.9 points`).
/// - **Allowed**: a unit that marks its numbers as the paper's (it says "paper", "paper's" or
///   "abstract"; "paper profile" and "paper preset" are this project's settings and do not
///   count). Settings (T = 1, epochs, option values, the 99.9th percentile) and equation
///   constants do not match the patterns above.
@Suite struct ProseNumberTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let chapters: [URL] = {
        let folder = root.appendingPathComponent("chapters")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            .map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("main.swift").path) }
    }()

    @Test func everyChapterIsScanned() {
        #expect(Self.chapters.count >= 7, "found \(Self.chapters.map(\.lastPathComponent))")
    }

    @Test func chapterReadmesCarryNoResultNumberOutsideGeneratedBlocks() throws {
        for chapter in Self.chapters {
            let url = chapter.appendingPathComponent("README.md")
            let text = try String(contentsOf: url, encoding: .utf8)
            for unit in ProseUnits.markdown(ProseUnits.removingGeneratedBlocks(text)) {
                for hit in ResultNumbers.find(in: unit) {
                    Issue.record("chapters/\(chapter.lastPathComponent)/README.md: \"\(hit)\" in: \(unit.prefix(240))")
                }
            }
        }
    }

    @Test func chapterHeadersCarryNoResultNumber() throws {
        for chapter in Self.chapters {
            let text = try String(contentsOf: chapter.appendingPathComponent("main.swift"), encoding: .utf8)
            let header = text.split(separator: "\n", omittingEmptySubsequences: false)
                .prefix { $0.hasPrefix("//") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
            for line in header {
                for hit in ResultNumbers.find(in: ProseUnits.withoutCode(String(line))) {
                    Issue.record("chapters/\(chapter.lastPathComponent)/main.swift header: \"\(hit)\" in: \(line)")
                }
            }
        }
    }

    @Test func figureCaptionsAndTitlesCarryNoResultNumber() throws {
        for chapter in Self.chapters {
            let files = try FileManager.default.contentsOfDirectory(atPath: chapter.path).filter { $0.hasSuffix(".swift") }
            for file in files.sorted() {
                let source = try String(contentsOf: chapter.appendingPathComponent(file), encoding: .utf8)
                for literal in SwiftLiterals.captionsAndTitles(in: source) {
                    for hit in ResultNumbers.find(in: literal) {
                        let place = "chapters/\(chapter.lastPathComponent)/\(file)"
                        Issue.record("\(place): caption or title \"\(hit)\" in: \(literal)")
                    }
                }
            }
        }
    }

    /// One notation (docs/notation.md): README prose writes the threshold θ (θ_out for the
    /// output layer) and the regulariser weight α_H. The papers' v_th, v_out and λ_H appear only
    /// in a sentence that says they are the paper's ("the paper's v_th is our θ").
    @Test func chapterReadmesWriteThePapersSymbolsOnlyAsThePapers() throws {
        for chapter in Self.chapters {
            let text = try String(contentsOf: chapter.appendingPathComponent("README.md"), encoding: .utf8)
            for unit in ProseUnits.markdown(ProseUnits.removingGeneratedBlocks(text)) {
                for symbol in PaperSymbols.find(in: unit) {
                    let place = "chapters/\(chapter.lastPathComponent)/README.md"
                    Issue.record("\(place): the paper's \"\(symbol)\" in a sentence that does not say so: \(unit.prefix(240))")
                }
            }
        }
    }

    @Test func paperSymbolsAreFoundOutsideAPaperSentence() {
        #expect(PaperSymbols.find(in: "the output threshold v_out the same way") == ["v_out"])
        #expect(PaperSymbols.find(in: "add λ_H·Σ_l H(z_c,l) to the loss, v_th trained") == ["v_th", "λ_H"])
        #expect(PaperSymbols.find(in: "The paper's trainable threshold v_th is our θ.").isEmpty)
        #expect(PaperSymbols.find(in: "the paper profile trains v_th") == ["v_th"])
        #expect(PaperSymbols.find(in: "L = CE + α_H·Σ_l H(z_c,l), θ trained").isEmpty)
    }

    // MARK: - The rule on examples (each pattern flags, each exemption passes)

    @Test(arguments: [
        "The SNN reaches 86.80 % at T = 32.",
        "RNL + RIL is 5.36× faster.",
        "swift run chapter-classic   # quick: 13.4 min measured",
        "| v0 | none | 81.4 | 80.6 |",
        "C comes within 2.9 points of A.",
        "a run of 283 s",
        "8.6x fewer steps",
        "the paper preset changed A by 0.6 points",
    ])
    func resultNumbersAreFound(_ text: String) {
        #expect(!ResultNumbers.find(in: ProseUnits.withoutCode(text)).isEmpty, "\(text)")
    }

    @Test(arguments: [
        "paper: 64.19 % on CIFAR-100 at T = 2",
        "(the paper's 8.6× on CIFAR-10)",
        "Paper (copied by hand from the abstract): 66.46 % top-1",
        "thresholds at the 99.9th and 99.99th percentile, T = 1, 2 epochs",
        "the share of potentials within ±10 % of E",
        "quick: ≤ 10 min on two cores",
        "run `--percentile 99.5 --density 0.03 --max-timesteps 512`",
        "Ω̄ is averaged over 2 × (RNL layers) + 1 terms; a 3 × 3 kernel",
        "within 1 point of the ANN, or within 3 points of the DNN",
        "at ≥ 20× compression",
    ])
    func settingsAndThePapersNumbersPass(_ text: String) {
        #expect(ResultNumbers.find(in: ProseUnits.withoutCode(text)).isEmpty, "\(text)")
    }

    @Test func generatedBlocksAreLeftOut() {
        let text = "before 12.5 %\n<!-- results:begin -->\n85.13 %\n<!-- results:end -->\nafter"
        #expect(ProseUnits.removingGeneratedBlocks(text) == "before 12.5 %\nafter")
    }

    @Test func captionLiteralsSkipInterpolations() {
        let source = #"""
            FigureCaption(id: "fig1", caption: "Accuracy \(fmt(x, 2)) % at T = "
                + "\(t); the 85.1 % line")
            _ = LinePlot(title: "Energy (45 nm)" + "ratio \(r)×", x: a)
            """#
        #expect(SwiftLiterals.captionsAndTitles(in: source) == ["fig1Accuracy  % at T = ; the 85.1 % line",
                                                                "Energy (45 nm)ratio ×"])
    }
}

/// The patterns that look like measured results, and the units of text they are looked for in.
enum ResultNumbers {
    static let patterns: [NSRegularExpression] = [
        #"(?<![±\d.,])\d+(?:\.\d+)?\s?%"#,                                 // 85.1 %, not ±10 %
        #"(?<!≥\s)(?<!≥)(?<!≤\s)(?<!≤)(?<![\w.])\d+(?:\.\d+)?(?:×|x\b)(?!\s?\d)"#,  // 5.4×, 8.6x; not ≥ 20×, 1×1
        #"(?<!≤\s)(?<!≤)(?<!<\s)(?<!<)(?<![\w.])\d+(?:\.\d+)?\s?(?:min|minutes?|s|seconds?|h|hours?)\b(?!-)"#,  // 13.4 min, 20 s
        #"(?<![\w.])(?!99\.)\d{2,3}\.\d{1,2}(?![\d.]*\d)"#,               // 85.13, 81.4; not 99.9
        #"(?<![\w.])\d+\.\d+\s?points?\b"#,                                // 2.9 points
    ].map { try! NSRegularExpression(pattern: $0) }

    /// Words that mark a unit's numbers as the paper's own.
    /// "paper profile" and "paper preset" name a setting of this project, not the paper's numbers.
    static let paperMarker = try! NSRegularExpression(
        pattern: #"\b(paper|paper's|papers'|abstract)\b(?!\s+(profile|preset))"#, options: .caseInsensitive)

    /// The result-like numbers of `unit`, none when it is marked as the paper's.
    static func find(in unit: String) -> [String] {
        let range = NSRange(unit.startIndex..., in: unit)
        if paperMarker.firstMatch(in: unit, range: range) != nil { return [] }
        return patterns.flatMap { pattern in
            pattern.matches(in: unit, range: range).compactMap { Range($0.range, in: unit).map { String(unit[$0]) } }
        }
    }
}

/// The papers' symbols that docs/notation.md maps to ours (v_th, v_out → θ, θ_out; λ_H → α_H).
enum PaperSymbols {
    static let symbols = ["v_th", "v_out", "λ_H"]
    /// "paper", "paper's" or "papers'", but not this project's "paper profile" or "paper preset".
    static let paperWord = try! NSRegularExpression(
        pattern: #"\bpapers?'?s?\b(?!\s+(profile|preset))"#, options: .caseInsensitive)

    /// The symbols `unit` uses without saying they are the paper's.
    static func find(in unit: String) -> [String] {
        if paperWord.firstMatch(in: unit, range: NSRange(unit.startIndex..., in: unit)) != nil { return [] }
        return symbols.filter { unit.contains($0) }
    }
}

/// Splitting README text into the units the rule reads.
enum ProseUnits {
    /// `text` without the generated blocks (markers included).
    static func removingGeneratedBlocks(_ text: String) -> String {
        let block = try! NSRegularExpression(pattern: #"<!-- ([\w-]+):begin -->.*?<!-- \1:end -->\n?"#,
                                             options: .dotMatchesLineSeparators)
        return block.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                              withTemplate: "")
    }

    /// `text` without inline code spans (`…`).
    static func withoutCode(_ text: String) -> String {
        text.replacingOccurrences(of: #"`[^`]*`"#, with: "", options: .regularExpression)
    }

    /// Sentences of prose paragraphs and list items, table rows and code-block lines.
    static func markdown(_ text: String) -> [String] {
        var units: [String] = [], paragraph: [String] = [], inCode = false
        func flush() {
            let joined = withoutCode(paragraph.joined(separator: " "))
            paragraph = []
            units += sentences(joined)
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") { flush(); inCode.toggle(); continue }
            if inCode { units.append(line); continue }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("|") {
                flush()
                if !line.isEmpty { units.append(withoutCode(line)) }
                continue
            }
            let listItem = line.hasPrefix("- ") || line.hasPrefix("* ")
                || line.range(of: #"^\d+\. "#, options: .regularExpression) != nil
            if listItem {
                flush()
            }
            paragraph.append(line)
        }
        flush()
        return units
    }

    /// The sentences of `paragraph`: it breaks after ".", "?" or "!" followed by a space and a
    /// capital letter, a bracket or an emphasis mark.
    static func sentences(_ paragraph: String) -> [String] {
        let end = try! NSRegularExpression(pattern: #"(?<=[.?!])\s+(?=[A-Z(\[*])"#)
        let marked = end.stringByReplacingMatches(in: paragraph, range: NSRange(paragraph.startIndex..., in: paragraph),
                                                  withTemplate: "\u{1}")
        return marked.split(separator: "\u{1}").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// String literals of figure captions and plot titles in Swift source.
enum SwiftLiterals {
    /// The literal text (interpolations removed) of every `FigureCaption(…)` call and every
    /// `title:` argument, one string per call or argument, concatenations joined.
    static func captionsAndTitles(in source: String) -> [String] {
        let chars = Array(source)
        var found: [String] = []
        var i = 0
        func matches(_ word: String, at k: Int) -> Bool {
            let w = Array(word)
            return k + w.count <= chars.count && Array(chars[k..<(k + w.count)]) == w
        }
        /// Reads the literal starting at `k` (a `"`), returns its text and the index after it.
        func literal(at k: Int) -> (String, Int) {
            var text = "", j = k + 1
            while j < chars.count && chars[j] != "\"" {
                if chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "(" {
                    var depth = 1
                    j += 2
                    while j < chars.count && depth > 0 {
                        if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                        j += 1
                    }
                    continue
                }
                if chars[j] == "\\" { j += 2; continue }
                text.append(chars[j])
                j += 1
            }
            return (text, j + 1)
        }
        func skipSpaces(_ k: Int) -> Int {
            var k = k
            while k < chars.count && chars[k].isWhitespace { k += 1 }
            return k
        }
        while i < chars.count {
            if matches("FigureCaption(", at: i) {
                var depth = 1, j = i + "FigureCaption(".count, texts: [String] = []
                while j < chars.count && depth > 0 {
                    if chars[j] == "\"" {
                        let (text, next) = literal(at: j)
                        texts.append(text)
                        j = next
                        continue
                    }
                    if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                    j += 1
                }
                found.append(texts.joined())
                i = j
            } else if matches("title:", at: i) {
                var j = skipSpaces(i + "title:".count), text = ""
                while j < chars.count && chars[j] == "\"" {
                    let (part, next) = literal(at: j)
                    text += part
                    j = skipSpaces(next)
                    guard j < chars.count && chars[j] == "+" else { break }
                    j = skipSpaces(j + 1)
                }
                if !text.isEmpty { found.append(text) }
                i = j + 1
            } else {
                i += 1
            }
        }
        return found
    }
}
