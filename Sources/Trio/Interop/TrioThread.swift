import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// A long-lived Trio run on a thread of its own, which any Swift async code can hand work to.
/// Flavor: plain Swift async (every method may be called from any thread or Swift task);
/// `Sendable`.
///
/// For a Swift-concurrency program (a Hummingbird or Vapor handler, a service-lifecycle service)
/// that calls Trio code often: each ``run(_:)`` starts a Trio task in the run's nursery and
/// suspends the caller, without blocking any cooperative-pool thread, until the task has finished.
/// Tasks submitted by different callers run concurrently in the one run and may share Trio
/// objects (events, channels, locks) created inside it. An error in one of them reaches only its
/// caller: the others and the run go on.
///
/// ```swift
/// let trio = try TrioThread(name: "trio-io")
/// let reply = try await trio.run { try await failAfter(2) { try await askTheServer() } }
/// try await trio.shutdown()
/// ```
///
/// Call ``shutdown()`` when done: it cancels what still runs, waits for it, ends the run and
/// joins the thread. A `TrioThread` released without it asks its run to end and leaves the thread
/// to finish on its own. Like ``runAsync(clock:instruments:strictExceptionGroups:_:)``, the run
/// leaves `SIGINT` to the program.
public final class TrioThread: Sendable {
    /// The run's token: reach the run from other threads with
    /// ``TrioToken/runSyncSoon(idempotencyKey:_:)`` or ``FromThread``.
    public let token: TrioToken
    private let core: TrioThreadCore

    /// Starts the thread and its run, and returns once the run is ready to take work (the calling
    /// thread waits only for the new thread to set the run up). Flavor: sync.
    ///
    /// - Parameters:
    ///   - name: the thread's name (as `ps -L` and debuggers show it; the kernel keeps 15 bytes)
    ///     and the name of the run's main task.
    ///   - clock: the run's clock (default: the system's monotonic clock).
    /// - Throws: `OSError` when the thread or the run's event loop cannot be created.
    public init(name: String = "trio", clock: sending (any TrioClock)? = nil) throws {
        let core = TrioThreadCore()
        let clockBox = UncheckedSendable(clock)
        let thread = try DedicatedThread.start(name: name, joinable: true) {
            let outcome = Result {
                try Runner.runOnDedicatedThread(
                    clock: clockBox.value, instruments: [], strictExceptionGroups: true, name: name
                ) { try await core.serve() }
            }
            core.runEnded(outcome)
        }
        switch core.waitUntilServing(thread: thread) {
        case .success(let token):
            self.token = token
            self.core = core
        case .failure(let error):
            pthread_join(thread, nil)
            throw error
        }
    }

    deinit {
        core.abandon()
    }

    /// Runs `body` as a new Trio task of this run and returns its result. Flavor: plain Swift
    /// async; not a Trio checkpoint (the caller is not a Trio task).
    ///
    /// Cancelling the calling Swift task cancels a ``CancelScope`` around `body`; once the Trio
    /// task has unwound, this throws `CancellationError` (or returns the value if `body` finished
    /// anyway).
    ///
    /// - Parameter body: the task's body; it runs on the run's thread, as a Trio task.
    /// - Returns: what `body` returned.
    /// - Throws: what `body` threw, unchanged; `CancellationError` as above; ``RunFinishedError``
    ///   after ``shutdown()`` (or when a shutdown cancelled `body`); `RuntimeError` when called
    ///   from inside this run itself (awaiting its own run's work from a task of that run would
    ///   deadlock: start the work in a nursery instead).
    public func run<T: Sendable>(_ body: sending @escaping () async throws -> T) async throws -> T {
        if let runner = Runner.currentOnThread.value, runner.token == token {
            throw RuntimeError(
                "TrioThread.run was called from inside that TrioThread's own run, where awaiting it would "
                    + "deadlock: call the code directly, or start it with nursery.startSoon")
        }
        guard core.acceptsWork else { throw RunFinishedError() }
        let link = SwiftCancelLink()
        let work = UncheckedSendable(body)
        let core = self.core
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
                do {
                    try token.runSyncSoon {
                        core.start(link: link, continuation: continuation, work.value)
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            link.cancel()
        }
    }

    /// Cancels every task still running, waits for them to finish, ends the run and joins the
    /// thread. Flavor: plain Swift async; idempotent (a later call returns at once, or waits for
    /// the shutdown in progress). Not cancellable: the tasks' unwinding always runs to its end.
    ///
    /// - Throws: ``TrioInternalError`` when the run itself failed (a system task raised).
    public func shutdown() async throws {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            if core.beginShutdown(continuation) {
                // RunFinishedError: the run ended on its own just now; its end resumes us.
                try? token.runSyncSoon { [core] in core.closeOnRunThread() }
            }
        }
        core.joinThread()
    }
}

/// The state a ``TrioThread`` shares with its run's thread.
///
/// Invariants: `state` is guarded by its lock (any thread). `nursery` and `closing` belong to the
/// run's thread: the nursery is set while ``serve()`` runs, `closing` once a shutdown reached the
/// run; work that arrives after that is refused with ``RunFinishedError``.
final class TrioThreadCore: @unchecked Sendable {
    private enum Phase {
        case starting
        case serving(TrioToken)
        case shuttingDown
        case finished(Result<Void, any Error>)
    }

    private struct State {
        var phase = Phase.starting
        var thread: pthread_t?
        var shutdownWaiters: [UnsafeContinuation<Void, any Error>] = []
    }

    private let state = ThreadLock(State())
    private let started = ThreadMailbox<Result<TrioToken, any Error>>()
    private var nursery: Nursery?
    private var closing = false

    init() {}

    // MARK: Any thread

    func waitUntilServing(thread: pthread_t) -> Result<TrioToken, any Error> {
        let outcome = started.take()
        state.withLock { $0.thread = thread }
        return outcome
    }

    var acceptsWork: Bool {
        state.withLock { state in
            if case .serving = state.phase { return true }
            return false
        }
    }

    /// Registers a shutdown waiter; true for the first caller, who must ask the run to close.
    func beginShutdown(_ continuation: UnsafeContinuation<Void, any Error>) -> Bool {
        let (first, finished) = state.withLock { state -> (Bool, Result<Void, any Error>?) in
            switch state.phase {
            case .starting, .serving:
                state.phase = .shuttingDown
                state.shutdownWaiters.append(continuation)
                return (true, nil)
            case .shuttingDown:
                state.shutdownWaiters.append(continuation)
                return (false, nil)
            case .finished(let outcome):
                return (false, outcome)
            }
        }
        if let finished { continuation.resume(with: finished) }
        return first
    }

    /// Joins the thread once the run has ended; later calls do nothing.
    func joinThread() {
        // Only the run's end resumes a shutdown waiter, so the thread is returning by now.
        guard let thread = state.withLock({ state -> pthread_t? in
            defer { state.thread = nil }
            return state.thread
        }) else { return }
        pthread_join(thread, nil)
    }

    /// The ``TrioThread`` went away: end the run if nobody did, and let the thread finish alone.
    func abandon() {
        let (thread, token) = state.withLock { state -> (pthread_t?, TrioToken?) in
            var token: TrioToken?
            if case .serving(let serving) = state.phase {
                token = serving
                state.phase = .shuttingDown
            }
            defer { state.thread = nil }
            return (state.thread, token)
        }
        if let token { try? token.runSyncSoon { [self] in closeOnRunThread() } }
        if let thread { pthread_detach(thread) }
    }

    // MARK: The run's thread

    /// The run's main task: a nursery that hosts the submitted tasks until shutdown.
    func serve() async throws {
        let token = try Lowlevel.currentTrioToken()
        try await withNursery { nursery in
            self.nursery = nursery
            state.withLock { state in
                if case .starting = state.phase { state.phase = .serving(token) }
            }
            started.put(.success(token))
            try await sleepForever()
        }
        nursery = nil
    }

    /// Starts a submitted task, or refuses it once the run is closing.
    func start<T: Sendable>(
        link: SwiftCancelLink, continuation: UnsafeContinuation<T, any Error>,
        _ body: @escaping () async throws -> T
    ) {
        guard let nursery, !closing else { return continuation.resume(throwing: RunFinishedError()) }
        do {
            try nursery.startSoon(name: "TrioThread.run") {
                let outcome: Result<T, any Error>
                do {
                    outcome = .success(try await runCancellable(link: link, body))
                } catch is Cancelled {
                    // Only the shutdown cancels the nursery: the work was cut short by it.
                    outcome = .failure(RunFinishedError())
                } catch {
                    outcome = .failure(error)
                }
                continuation.resume(with: outcome)
            }
        } catch {
            continuation.resume(throwing: error)
        }
    }

    func closeOnRunThread() {
        closing = true
        nursery?.cancelScope.cancel(reason: "TrioThread.shutdown")
    }

    /// After the run: records how it ended and wakes every shutdown waiter.
    func runEnded(_ outcome: Result<Void, any Error>) {
        // A run that failed before serving still owes `init` its answer.
        if case .failure(let error) = outcome {
            let neverServed = state.withLock { state -> Bool in
                if case .starting = state.phase { return true }
                return false
            }
            if neverServed { started.put(.failure(error)) }
        }
        let waiters = state.withLock { state -> [UnsafeContinuation<Void, any Error>] in
            state.phase = .finished(outcome)
            defer { state.shutdownWaiters = [] }
            return state.shutdownWaiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }
}
