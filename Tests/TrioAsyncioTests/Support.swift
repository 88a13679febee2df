import Asyncio
import Trio
import TrioAsyncio
import TrioTesting

/// Records events in order.
final class Log<Element> {
    var items: [Element] = []
    func callAsFunction(_ item: Element) { items.append(item) }
}

struct TestError: Error, Equatable {
    var tag = 0
}
