import Asyncio
import Trio
import TrioAsyncio
import TrioTesting

/// A run with a loop open and a mock clock that jumps as soon as everything blocks, so timers are
/// exact and instant.
func runWithLoop<T>(
    autojump: Bool = true, queueLen: Int? = nil, _ body: sending @escaping (TrioEventLoop) async throws -> T
) throws -> T {
    let clock: MockClock? = autojump ? MockClock(autojumpThreshold: 0) : nil
    return try Trio.run(clock: clock) {
        try await openLoop(queueLen: queueLen) { loop in try await body(loop) }
    }
}

/// Records events in order.
final class Log<Element> {
    var items: [Element] = []
    func callAsFunction(_ item: Element) { items.append(item) }
}

struct TestError: Error, Equatable {
    var tag = 0
}
