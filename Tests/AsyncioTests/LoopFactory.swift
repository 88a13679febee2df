import Asyncio
import Testing

/// A way to make an event loop; the conformance suite runs once per factory.
struct LoopFactory: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable () throws -> any AbstractEventLoop

    var testDescription: String { name }

    static let selector = LoopFactory(name: "SelectorEventLoop") { try SelectorEventLoop() }

    /// Every loop implementation under test.
    static let all: [LoopFactory] = [.selector]

    /// Runs `main` as a task on a fresh loop until it completes; then, as `Asyncio.run`, cancels the tasks left
    /// and runs the loop until they are done, so that nothing outlives the loop.
    @discardableResult
    func run<T>(_ main: @escaping (any AbstractEventLoop) async throws -> T) throws -> T {
        let loop = try make()
        defer { try? loop.close() }
        let task = try loop.createTask(name: "main") { try await main(loop) }
        let outcome = Result { try loop.runUntilComplete(task) }
        let leftovers = allTasks(loop: loop)
        if !leftovers.isEmpty {
            for leftover in leftovers { leftover.cancel() }
            let cleanup = try loop.createTask(name: "cleanup") { _ = try await wait(leftovers) }
            try loop.runUntilComplete(cleanup)
        }
        return try outcome.get()
    }

    /// Makes a loop, hands it to `body`, closes it afterwards.
    func withLoop<T>(_ body: (any AbstractEventLoop) throws -> T) throws -> T {
        let loop = try make()
        defer { try? loop.close() }
        return try body(loop)
    }
}

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
