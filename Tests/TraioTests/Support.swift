import Asyncio
import Logging
import Synchronization
import Testing
import Traio
import Trio
import TrioAsyncio
import TrioTesting

/// A way to run an asyncio main task on some loop; the whole suite runs once per factory.
///
/// The suite is written against `any AbstractEventLoop` only: a factory for `TrioEventLoop` under
/// `MockClock(autojumpThreshold: 0)` joins `all` with `realClock: false`, and every time assertion then
/// becomes exact.
struct LoopFactory: CustomTestStringConvertible, Sendable {
    let name: String
    /// Whether the loop's clock is the real one: time assertions then allow `slack` above the expected value
    /// (the loop may run late on a loaded machine, never early), and tests of threads run.
    let realClock: Bool
    /// Runs `main` as an asyncio task on a fresh loop until it completes, then cancels and awaits the tasks left
    /// over (`Asyncio.run`), and rethrows `main`'s error.
    let runMain: @Sendable (_ main: sending @escaping (any AbstractEventLoop) async throws -> Void) throws -> Void

    var testDescription: String { name }

    /// How late a real-clock loop may be on this shared 2-core machine; exact on a virtual clock.
    var slack: Double { realClock ? 0.25 : 1e-6 }

    static let selector = LoopFactory(name: "SelectorEventLoop", realClock: true) { main in
        try Asyncio.run(loopFactory: { try SelectorEventLoop() }) { try await main(getRunningLoop()) }
    }

    /// `TrioEventLoop` inside a Trio run whose `MockClock` jumps as soon as every task blocks: exact times.
    static let trioMockClock = LoopFactory(name: "TrioEventLoop+MockClock", realClock: false) { main in
        let body = UncheckedMain(main)
        try TrioAsyncio.run(clock: MockClock(autojumpThreshold: 0)) {
            let loop = try #require(CurrentLoop.value)
            try await loop.runAioCoroutine(name: "main") { try await body.main(loop) }
        }
    }

    /// Every loop implementation under test.
    static let all: [LoopFactory] = [.selector, .trioMockClock]
    /// The loops whose clock is real (tests of executor threads, which a virtual clock would outrun).
    static var realClocks: [LoopFactory] { all.filter(\.realClock) }

    func run(_ main: sending @escaping (any AbstractEventLoop) async throws -> Void) throws {
        try runMain(main)
    }

    /// Expects `loop.time() - start` to be `expected`: exactly on a virtual clock, up to `slack` late on a real one.
    func expectElapsed(
        _ loop: any AbstractEventLoop, since start: Double, _ expected: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let elapsed = loop.time() - start
        #expect(
            elapsed >= expected - 1e-6 && elapsed <= expected + slack,
            "elapsed \(elapsed) s, expected \(expected) s (+\(slack))", sourceLocation: sourceLocation
        )
    }
}

/// traio's test helper: a task that would run for ten seconds.
func run10() async throws {
    try await Asyncio.sleep(10)
}

struct TestError: Error, Equatable {
    var tag = 0
}

/// A flag threads may set.
final class Flag: Sendable {
    private let state = Atomic<Bool>(false)
    var isSet: Bool { state.load(ordering: .acquiring) }
    func set() { state.store(true, ordering: .releasing) }
}

/// A counter shared by the tasks of one loop.
final class Counter {
    var value = 0
}

/// Records what a logger receives.
final class LogRecords: Sendable {
    struct Record: Sendable {
        let label: String
        let level: Logger.Level
        let message: String
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// The messages logged at `level` that contain `text`.
    func messages(at level: Logger.Level, containing text: String) -> [String] {
        all.filter { $0.level == level && $0.message.contains(text) }.map(\.message)
    }

    /// A logger writing here, at `level` and above.
    func logger(label: String = "test", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, records: self) }
        logger.logLevel = level
        return logger
    }
}

private struct CapturingHandler: LogHandler {
    let label: String
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    func log(event: LogEvent) {
        records.append(.init(label: label, level: event.level, message: event.message.description))
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}

/// What `body` returns or throws (for expectations about an outer call whose body holds expectations too).
func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

/// The ways a test waits for a scope: traio's `await scope`, `wait_for(scope, t)`, `wait_for(shield(scope), t)`.
enum ScopeWait: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case wait, waitFor, shieldedWaitFor

    var testDescription: String { rawValue }

    func callAsFunction(_ scope: Scope, timeout: Double = 1) async throws {
        switch self {
        case .wait: try await scope.wait()
        case .waitFor: try await Asyncio.waitFor(scope.asFuture(), timeout: timeout)
        case .shieldedWaitFor: try await Asyncio.waitFor(shield(scope.asFuture()), timeout: timeout)
        }
    }
}

private struct UncheckedMain: @unchecked Sendable {
    let main: (any AbstractEventLoop) async throws -> Void
    init(_ main: @escaping (any AbstractEventLoop) async throws -> Void) { self.main = main }
}
