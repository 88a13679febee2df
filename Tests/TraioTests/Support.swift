import Asyncio
import Logging
import Synchronization
import Testing
import Traio
import Trio
import TrioAsyncio
import TrioTesting

/// A loop kind and clock for the suite (TrioTesting's `AsyncioLoopKind`); the whole suite runs once per
/// factory in `all`, on virtual time, so every time assertion is exact.
///
/// The suite is written against `any AbstractEventLoop` only. Tests of executor threads, which a
/// virtual clock would outrun, run on `realClocks` instead.
struct LoopFactory: CustomTestStringConvertible, Sendable {
    let kind: AsyncioLoopKind
    /// Whether the loop's clock is the real one: time assertions then allow `slack` above the expected value
    /// (the loop may run late on a loaded machine, never early), and tests of threads run.
    let realClock: Bool

    var testDescription: String { realClock ? "\(kind.rawValue) (real clock)" : kind.rawValue }

    /// How late a real-clock loop may be on this shared 2-core machine; exact on a virtual clock.
    var slack: Double { realClock ? 0.25 : 1e-6 }

    /// Every loop implementation under test, on virtual time.
    static let all: [LoopFactory] = [
        LoopFactory(kind: .selector, realClock: false), LoopFactory(kind: .trio, realClock: false),
    ]
    /// The standalone loop on the real clock (tests of executor threads).
    static let realClocks: [LoopFactory] = [LoopFactory(kind: .selector, realClock: true)]

    /// Runs `main` as an asyncio task on a fresh loop until it completes, then cancels and awaits the tasks
    /// left over, and rethrows `main`'s error.
    func run(_ main: @escaping (any AbstractEventLoop) async throws -> Void) throws {
        try kind.run(virtualTime: !realClock, main)
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

