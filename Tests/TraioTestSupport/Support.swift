import Asyncio
import AsyncioTestSupport
import Logging
import Synchronization
import Testing
import Traio

// The helpers of traio's conformance bodies (`Conformance/`), which run on every asyncio loop kind through
// AsyncioTestSupport's `ConformanceLoop`: TraioTests on the standalone loop, TraioHostedTests on the loops
// hosted in a Trio run.

/// How far a time assertion lets a loop on virtual time be off: its clock jumps to each deadline exactly.
public let virtualTimeSlack = 1e-6

extension ConformanceLoop {
    /// Expects `loop.time() - start` to be `expected`: exactly on virtual time, up to `slack` late (never early)
    /// on the real clock, where a loaded machine may run the loop late.
    public func expectElapsed(
        _ loop: any AbstractEventLoop, since start: Double, _ expected: Double, slack: Double = virtualTimeSlack,
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

/// A flag threads may set.
public final class Flag: Sendable {
    private let state = Atomic<Bool>(false)

    public init() {}
    public var isSet: Bool { state.load(ordering: .acquiring) }
    public func set() { state.store(true, ordering: .releasing) }
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
public enum ScopeWait: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case wait, waitFor, shieldedWaitFor

    public var testDescription: String { rawValue }

    public func callAsFunction(_ scope: Scope, timeout: Double = 1) async throws {
        switch self {
        case .wait: try await scope.wait()
        case .waitFor: try await Asyncio.waitFor(scope.asFuture(), timeout: timeout)
        case .shieldedWaitFor: try await Asyncio.waitFor(shield(scope.asFuture()), timeout: timeout)
        }
    }
}

