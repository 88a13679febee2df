import Asyncio
import Testing
import Trio
import TrioAsyncio
import TrioPlatform

/// The asyncio loops of the package, for running one test on each (anyio's backend parametrization):
///
/// ```swift
/// @Test(arguments: AsyncioLoopKind.allCases)
/// func gatherKeepsOrder(on kind: AsyncioLoopKind) throws {
///     let values = try kind.run { loop in try await gather([…]) }
///     #expect(values == […])
/// }
/// ```
///
/// Swift Testing reports each kind as its own case. Every kind runs on virtual time by default (the
/// standalone loop with `LoopClock.autojump`, the others on an autojump ``MockClock``): timers fire in
/// order, at exact times, without waiting. Tests of real I/O under real timeouts pass
/// `virtualTime: false`. Flavor: sync; ``run(virtualTime:_:)`` blocks the calling thread, and
/// ``runAsync(virtualTime:_:)`` runs it on a thread of its own for async tests.
public enum AsyncioLoopKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The standalone epoll loop, `SelectorEventLoop`, run as `Asyncio.run` runs it.
    case selector = "SelectorEventLoop"
    /// trio-asyncio's `TrioEventLoop` inside `Trio.run` and `openLoop`.
    case trio = "TrioEventLoop"
    /// `SyncTrioEventLoop`, a Trio run paused between blocking `runUntilComplete` calls.
    case syncTrio = "SyncTrioEventLoop"

    /// The kinds whose loops run with blocking `runUntilComplete` / `runForever` (``makeLoop(virtualTime:)``).
    public static let blocking: [AsyncioLoopKind] = [.selector, .syncTrio]

    /// The loop's type name.
    public var testDescription: String { rawValue }

    /// Runs `main` as an asyncio task named "main" on a fresh loop of this kind until it completes; then,
    /// as `Asyncio.run` does, cancels and awaits the tasks left and closes the loop (the
    /// `TrioEventLoop`'s `openLoop` does the same at its shutdown). Returns what `main` returned.
    ///
    /// - Throws: what `main` throws.
    @discardableResult
    public func run<T>(virtualTime: Bool = true, _ main: @escaping (any AbstractEventLoop) async throws -> T) throws -> T {
        let body = UncheckedSendable(main)
        switch self {
        case .trio:
            return try Trio.run(clock: virtualTime ? MockClock(autojumpThreshold: 0) : nil) {
                try await Self.runOnOpenLoop(body.value)
            }
        case .selector, .syncTrio:
            let loop = try makeLoop(virtualTime: virtualTime)
            defer { try? loop.close() }
            let task = try loop.createTask(name: "main") { try await body.value(loop) }
            let outcome = Result { try loop.runUntilComplete(task) }
            cancelRemainingTasks(of: loop)
            return try outcome.get()
        }
    }

    /// ``run(virtualTime:_:)`` on a thread of its own, awaited without blocking a thread of Swift's
    /// cooperative pool: for async tests, and for code in the loop that waits for Swift tasks (which
    /// need a thread of that pool while the loop blocks its own), as `Trio.runAsync` does for a Trio run.
    ///
    /// Flavor: plain Swift async. Like `Trio.runAsync`, such a run leaves Ctrl-C to the test process.
    /// Cancelling the calling task cancels ``trio``'s run (it throws `CancellationError` once `main`
    /// unwound); the other kinds do not hear of it: `main` ends on its own, or by the loop's timeouts.
    ///
    /// - Throws: what `main` throws; `OSError` when no thread can be started; `CancellationError` as
    ///   said above.
    @discardableResult
    public func runAsync<T: Sendable>(
        virtualTime: Bool = true, _ main: @escaping @Sendable (any AbstractEventLoop) async throws -> T
    ) async throws -> T {
        if self == .trio {
            // A run of its own thread that leaves Ctrl-C to the test process, as any `Trio.runAsync`.
            return try await Trio.runAsync(clock: virtualTime ? MockClock(autojumpThreshold: 0) : nil) {
                try await Self.runOnOpenLoop(main)
            }
        }
        return try await DedicatedThread.run(name: "aio-runAsync") { try self.run(virtualTime: virtualTime, main) }
    }

    /// `main` as the asyncio task "main" of a loop of ``openLoop(queueLen:_:)`` in the current Trio run.
    private static func runOnOpenLoop<T>(_ main: @escaping (any AbstractEventLoop) async throws -> T) async throws -> T {
        try await openLoop { loop in
            try await loop.runAioCoroutine(name: "main") { try await main(loop) }
        }
    }

    /// A new, not running loop of a ``blocking`` kind, on virtual time unless `virtualTime` is false.
    ///
    /// - Throws: `OSError` when the OS refuses the loop its descriptors; `ValueError` for
    ///   ``trio``, whose loop only exists inside `openLoop`.
    public func makeLoop(virtualTime: Bool = true) throws -> any AbstractEventLoop {
        switch self {
        case .selector: return try SelectorEventLoop(clock: virtualTime ? .autojump : .monotonic)
        case .syncTrio: return try SyncTrioEventLoop(clock: virtualTime ? MockClock(autojumpThreshold: 0) : nil)
        case .trio: throw ValueError("a TrioEventLoop only exists inside openLoop: use run(virtualTime:_:)")
        }
    }

    /// Hands a new loop of a ``blocking`` kind to `body` and closes it afterwards.
    ///
    /// - Throws: what ``makeLoop(virtualTime:)`` and `body` throw.
    public func withLoop<T>(virtualTime: Bool = true, _ body: (any AbstractEventLoop) throws -> T) throws -> T {
        let loop = try makeLoop(virtualTime: virtualTime)
        defer { try? loop.close() }
        return try body(loop)
    }
}
