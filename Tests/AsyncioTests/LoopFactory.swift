import Asyncio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// A way to make an event loop; the conformance suite runs once per factory.
struct LoopFactory: CustomTestStringConvertible, Sendable {
    enum Kind: Sendable {
        /// A loop with blocking `runUntilComplete` / `runForever`.
        case blocking(@Sendable () throws -> any AbstractEventLoop)
        /// A `TrioEventLoop` inside `Trio.run` + `openLoop`, with a mock clock that jumps as soon as
        /// every task blocks when `mockClock` is set.
        case trio(mockClock: Bool)
    }

    let name: String
    let kind: Kind

    var testDescription: String { name }

    static let selector = LoopFactory(name: "SelectorEventLoop", kind: .blocking { try SelectorEventLoop() })
    static let trio = LoopFactory(name: "TrioEventLoop", kind: .trio(mockClock: false))
    static let trioMockClock = LoopFactory(name: "TrioEventLoop+MockClock", kind: .trio(mockClock: true))
    static let syncTrio = LoopFactory(name: "SyncTrioEventLoop", kind: .blocking { try SyncTrioEventLoop() })

    /// Every loop implementation under test, for tests that run a main task.
    static let all: [LoopFactory] = [.selector, .trio, .trioMockClock, .syncTrio]
    /// The same without the mock clock, for tests that wait for real I/O (sockets, processes) under
    /// a timeout: with autojump, the timeout would expire at once while the kernel works.
    static let realTime: [LoopFactory] = [.selector, .trio, .syncTrio]
    /// The loops that support blocking runs (`withLoop` tests).
    static let blocking: [LoopFactory] = [.selector, .syncTrio]

    /// Runs `main` as a task on a fresh loop until it completes; then, as `Asyncio.run`, cancels the tasks left
    /// and runs the loop until they are done, so that nothing outlives the loop.
    @discardableResult
    func run<T>(_ main: @escaping (any AbstractEventLoop) async throws -> T) throws -> T {
        let make: @Sendable () throws -> any AbstractEventLoop
        switch kind {
        case .blocking(let maker):
            make = maker
        case .trio(let mockClock):
            // openLoop's shutdown cancels and awaits the tasks left, as Asyncio.run does.
            let body = UncheckedBox(main)
            return try Trio.run(clock: mockClock ? MockClock(autojumpThreshold: 0) : nil) {
                try await openLoop { loop in
                    try await loop.runAioCoroutine(name: "main") { try await body.value(loop) }
                }
            }
        }
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

    /// A new blocking loop (blocking factories only).
    func make() throws -> any AbstractEventLoop {
        guard case .blocking(let make) = kind else {
            Issue.record("\(name) makes no standalone loop")
            return try SelectorEventLoop()
        }
        return try make()
    }

    /// Makes a loop, hands it to `body`, closes it afterwards (blocking loops only).
    func withLoop<T>(_ body: (any AbstractEventLoop) throws -> T) throws -> T {
        guard case .blocking(let make) = kind else {
            Issue.record("\(name) cannot run blocking loop tests")
            return try body(try SelectorEventLoop())
        }
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

struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
