import Synchronization
import Testing
import Trio
import TrioAsyncio
import TrioPlatform

/// Runs a Swift Testing test's `async` body as the main task of a fresh Trio run: pytest-trio's
/// `trio_mode`. Flavor: the test's body is Trio-flavored.
///
/// ```swift
/// @Test(.trio) func timesOut() async throws {
///     let start = try Trio.currentTime()
///     try await Trio.sleep(3600)                                // virtual: takes no time
///     #expect(try Trio.currentTime() - start == 3600)
/// }
///
/// @Suite(.trio(clock: .system)) struct RealTimeTests { … }     // every test of the suite
/// @Test(.trioAsyncio) func bridge() async throws { … }        // inside openLoop, as trio-asyncio's tests
/// ```
///
/// What a test gets:
/// - the clock it asks for (``TestClock``; default ``TestClock/autojump``), reachable as
///   ``TrioTestScope/clock``; `waitAllTasksBlocked()` works as in any run;
/// - a nursery for background tasks, ``TrioTestScope/nursery``, cancelled when the body returns
///   (pytest-trio's `nursery` fixture);
/// - with ``trioAsyncio(clock:)``, an open `TrioEventLoop` around the body, ``TrioTestScope/loop``.
///
/// How it fails:
/// - an error thrown by the body fails the test; an `ExceptionGroup` (a nursery's) is recorded leaf by
///   leaf, one issue per error;
/// - `#expect` and `#require` inside any task of the run record against the test (the run's tasks
///   inherit the test's task-local context);
/// - a test that leaves something of its run behind — a worker-thread job still running, a file
///   descriptor still watched by the run — fails with an issue naming it;
/// - when Swift Testing cancels the test (`.timeLimit`), the run is cancelled: the test ends with an
///   issue instead of hanging.
///
/// The body must not be isolated to an actor (`@MainActor`): it runs on the run's thread. The run
/// blocks the thread Swift Testing runs the test on, as `Trio.run` does from a synchronous test.
public struct TrioTrait: TestTrait, SuiteTrait, TestScoping {
    /// The run's clock.
    public let clock: TestClock
    /// Whether the body runs inside `openLoop`.
    public let opensAsyncioLoop: Bool
    /// The run's `strictExceptionGroups` (Trio's default: true).
    public var strictExceptionGroups = true

    /// On a suite, every test of the suite (and of its nested suites) gets its own run.
    public var isRecursive: Bool { true }

    /// Only test functions get a run, never the suite around them.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> TrioTrait? {
        testCase == nil ? nil : self
    }

    /// Runs `function` (the test's body) in a Trio run as described on the type.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let canceller = RunCanceller()
        let outcome = await withTaskCancellationHandler {
            Result { try run(function, canceller) }
        } onCancel: {
            canceller.cancel()
        }
        do {
            try outcome.get()
        } catch let group as ExceptionGroup {
            for leaf in group.leaves { Issue.record(leaf) }
        }
    }

    private func run(_ function: @Sendable () async throws -> Void, _ canceller: RunCanceller) throws {
        let (runClock, mock) = clock.make()
        let context = TrioTestScope.Context(clock: mock)
        let opensLoop = opensAsyncioLoop
        let strict = strictExceptionGroups
        // `function` is only called while `run` blocks this thread, so it never escapes the call.
        try withoutActuallyEscaping(function) { function in
            try Trio.run(clock: runClock, strictExceptionGroups: strict) {
                try await TrioTestScope.$current.withValue(context) {
                    let scope = CancelScope()
                    canceller.attach(token: try Lowlevel.currentTrioToken(), scope: scope)
                    try await scope.run {
                        if opensLoop {
                            try await openLoop { loop in
                                context.loop = loop
                                try await Self.body(function, context)
                            }
                        } else {
                            try await Self.body(function, context)
                        }
                    }
                    if scope.cancelledCaught {
                        Issue.record("the test was cancelled (a time limit?): its Trio run was cancelled and ended")
                    }
                    try Self.checkLeftovers()
                }
            }
        }
    }

    /// The body with the background nursery around it; non-strict, so that one error comes out as itself.
    private static func body(_ function: () async throws -> Void, _ context: TrioTestScope.Context) async throws {
        try await withNursery(strictExceptionGroups: false) { nursery in
            context.nursery = nursery
            defer { context.nursery = nil }
            try await function()
            nursery.cancelScope.cancel()
        }
    }

    /// Fails the test for what its run still holds: worker threads, watched descriptors.
    private static func checkLeftovers() throws {
        let threads = try activeThreadCount()
        if threads > 0 {
            let message = "the test left \(threads) worker-thread job(s) of ToThread.runSync running; wait for "
                + "them (waitAllThreadsCompleted()) before the test ends"
            Issue.record(Comment(rawValue: message))
        }
        let descriptors = try Lowlevel.watchedDescriptors()
        if !descriptors.isEmpty {
            let message = "the test left file descriptor(s) \(descriptors) watched by its run (an open socket or "
                + "stream, an fd wait, an asyncio reader or writer); close them before the test ends"
            Issue.record(Comment(rawValue: message))
        }
    }
}

extension Trait where Self == TrioTrait {
    /// Runs the test's body in a Trio run on an autojump ``MockClock``. See ``TrioTrait``.
    public static var trio: TrioTrait { .trio() }

    /// Runs the test's body in a Trio run on `clock`, with the run's `strictExceptionGroups` setting.
    /// See ``TrioTrait``.
    public static func trio(clock: TestClock = .autojump, strictExceptionGroups: Bool = true) -> TrioTrait {
        TrioTrait(clock: clock, opensAsyncioLoop: false, strictExceptionGroups: strictExceptionGroups)
    }

    /// Runs the test's body in a Trio run, inside `openLoop` (trio-asyncio's test mode): asyncio code
    /// is reached through `aioAsTrio`, `allowAsyncio` or ``TrioTestScope/loop``. See ``TrioTrait``.
    public static var trioAsyncio: TrioTrait { .trioAsyncio() }

    /// ``trioAsyncio`` on `clock`.
    public static func trioAsyncio(clock: TestClock = .autojump) -> TrioTrait {
        TrioTrait(clock: clock, opensAsyncioLoop: true)
    }
}

/// Cancels a test's run from whichever thread Swift Testing cancels the test on.
final class RunCanceller: Sendable {
    private struct State: @unchecked Sendable {
        var token: TrioToken?
        /// The scope around the body; touched on the run's thread only (inside `runSyncSoon`).
        var scope: CancelScope?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Called on the run's thread once the run started; cancels at once if the test already was.
    func attach(token: TrioToken, scope: CancelScope) {
        let cancelled = state.withLock { state -> Bool in
            state.token = token
            state.scope = scope
            return state.cancelled
        }
        if cancelled { scope.cancel(reason: "the test was cancelled") }
    }

    /// Called on any thread: cancels the run's scope through its token.
    func cancel() {
        let target = state.withLock { state -> (TrioToken, UncheckedSendable<CancelScope>)? in
            state.cancelled = true
            guard let token = state.token, let scope = state.scope else { return nil }
            // The scope is carried to the run's thread, where alone it is used.
            return (token, UncheckedSendable(scope))
        }
        guard let (token, scope) = target else { return }
        // Fails only once the run has ended, when there is nothing left to cancel.
        try? token.runSyncSoon { scope.value.cancel(reason: "the test was cancelled") }
    }
}
