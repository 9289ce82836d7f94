import Foundation
import Testing

@testable import Regeneration

/// Children's lines get a prefix; `\r` progress lines stay readable in both destinations.
@Suite struct OutputPrefixerTests {
    func feed(_ chunks: [String], _ destination: OutputPrefixer.Destination)
        -> (text: String, last: String?)
    {
        var prefixer = OutputPrefixer(prefix: "k │ ", destination: destination)
        var out = Data()
        for chunk in chunks { out += prefixer.feed(Data(chunk.utf8)) }
        out += prefixer.finish()
        return (String(decoding: out, as: UTF8.self), prefixer.lastLine)
    }

    @Test func everyLineIsPrefixedEvenWhenSplitAcrossReads() {
        let (text, last) = feed(["first li", "ne\nsecond\n\nthi", "rd"], .log)
        #expect(text == "k │ first line\nk │ second\nk │ \nk │ third\n")
        #expect(last == "third")
    }

    @Test func aLogKeepsOnlyTheFinalStateOfAProgressLine() {
        let progress = "\rsim 1/3\u{1B}[K\rsim 2/3\u{1B}[K\rsim 3/3\u{1B}[K\ndone\n"
        #expect(feed([progress], .log).text == "k │ sim 3/3\nk │ done\n")
    }

    @Test func aTerminalRedrawsTheProgressLineWithItsPrefix() {
        let progress = "\rsim 1/3\u{1B}[K\rsim 2/3\u{1B}[K\n"
        #expect(feed([progress], .terminal).text
            == "\rk │ sim 1/3\u{1B}[K\rk │ sim 2/3\u{1B}[K\n")
    }

    @Test func anUnterminatedLastLineIsEndedAndRemembered() {
        #expect(feed(["error: boom"], .terminal) == ("k │ error: boom\n", "error: boom"))
        #expect(feed(["ok\n", "   \n"], .log).last == "ok")
    }

    @Test func theFailureLineIsTheLastErrorLine() {
        var prefixer = OutputPrefixer(prefix: "", destination: .log)
        _ = prefixer.feed(Data("error: CIFAR-10 not found\nTo obtain it, run …\n".utf8))
        #expect(prefixer.lastLine == "To obtain it, run …")
        #expect(prefixer.failureLine == "error: CIFAR-10 not found")
        var plain = OutputPrefixer(prefix: "", destination: .log)
        _ = plain.feed(Data("Fatal error: index out of range\n".utf8))
        #expect(plain.failureLine == "Fatal error: index out of range")
    }

    @Test func multiByteCharactersSplitAcrossReadsSurvive() {
        let bytes = Array("θ → T\n".utf8)
        var prefixer = OutputPrefixer(prefix: "", destination: .log)
        var out = Data()
        for byte in bytes { out += prefixer.feed(Data([byte])) }
        #expect(String(decoding: out, as: UTF8.self) == "θ → T\n")
    }
}
