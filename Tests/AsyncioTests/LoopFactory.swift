import Asyncio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// Records events in order, for assertions on callback ordering.
final class Log<Element> {
    var items: [Element] = []
    func callAsFunction(_ item: Element) { items.append(item) }
}

struct TestError: Error, Equatable {
    var tag = 0
}

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
