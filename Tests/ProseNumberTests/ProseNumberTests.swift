import Testing
@Suite struct ProseNumberTests { @Test func placeholder() {} }
