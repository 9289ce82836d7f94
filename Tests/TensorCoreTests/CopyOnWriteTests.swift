import Testing
import TensorCore

/// `Tensor` is a value type backed by a shared buffer: a copy must behave like an
/// independent value the moment either side is written, whichever write path is used.
@Suite("Copy-on-write value semantics")
struct CopyOnWriteTests {
    let original = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])

    @Test func flatSubscriptWriteLeavesOriginal() {
        var copy = original
        copy[flat: 4] = 50
        #expect(original.scalars == [1, 2, 3, 4, 5, 6])
        #expect(copy.scalars == [1, 2, 3, 4, 50, 6])
    }

    @Test func multiIndexWriteLeavesOriginal() {
        var copy = original
        copy[1, 2] = -6
        #expect(original[1, 2] == 6)
        #expect(copy[1, 2] == -6)
        #expect(copy[0, 0] == 1)
    }

    @Test func mutableBufferWriteLeavesOriginal() {
        var copy = original
        copy.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = 0 }
        }
        #expect(original.scalars == [1, 2, 3, 4, 5, 6])
        #expect(copy.scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func inPlaceAddAndScaleLeaveOriginal() {
        var copy = original
        copy.add(original, scaledBy: 2)   // 3·original
        var scaled = original
        scaled.scale(by: -1)
        #expect(original.scalars == [1, 2, 3, 4, 5, 6])
        #expect(copy.scalars == [3, 6, 9, 12, 15, 18])
        #expect(scaled.scalars == [-1, -2, -3, -4, -5, -6])
    }

    @Test func writingAReshapedViewLeavesOriginal() {
        var view = original.reshaped([3, 2])
        view[2, 1] = 0
        #expect(original.scalars == [1, 2, 3, 4, 5, 6])
        #expect(view.scalars == [1, 2, 3, 4, 5, 0])
    }

    @Test func writingTheOriginalLeavesEarlierCopies() {
        var source = original
        let snapshot = source
        source[flat: 0] = 100
        #expect(snapshot[flat: 0] == 1)
        #expect(source[flat: 0] == 100)
    }

    /// A uniquely referenced tensor is written in place: the buffer is not copied, so a write
    /// through the pointer is visible on the next read (and costs no allocation).
    @Test func uniqueValueIsWrittenInPlace() {
        var t = Tensor(shape: [4], repeating: 1)
        let before = t.withUnsafeBufferPointer { $0.baseAddress! }
        t[flat: 2] = 7
        let after = t.withUnsafeBufferPointer { $0.baseAddress! }
        #expect(before == after)
        #expect(t.scalars == [1, 1, 7, 1])
    }

    @Test func equalityComparesShapeAndElements() {
        #expect(original == Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(original != original.reshaped([3, 2]))
        var changed = original
        changed[flat: 5] = 6.0001
        #expect(original != changed)
    }
}
