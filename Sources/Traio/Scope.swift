import Asyncio
import Logging
import Synchronization

/// traio's `Scope`: Trio-like supervision (a nursery, with a timeout) for asyncio-flavored code.
///
/// A scope owns the tasks spawned on it. It ends when it is cancelled: by ``cancel(_:)``, by its timeout
/// (then it raises `TimeoutError`), by a spawned task's error (the error bubbles and is raised),
/// by the end of a `master` task, or, once finalized, by the end of its last awaited task. Cancelling
/// cancels every task still running and joins each for up to its `cancelTimeout`; only then do ``run(_:)->_``
/// and ``wait()`` return or throw. The first cancel wins: its error, unwrapped, is the one raised.
///
/// ```swift
/// try await Scope(timeout: 10).run { scope in
///     for i in 0..<10 { try scope << { try await fetchURL(i) } }
/// }
/// ```
///
/// Flavor: asyncio. Create and use a scope inside an asyncio task (of a `SelectorEventLoop`, or any other
/// `AbstractEventLoop`); it is not thread-safe, like the loop's futures. A scope created outside
/// a task is unusable: every later operation throws the error that says so.
///
/// Invariants (loop thread only): `entries` holds what is neither finished nor handled yet; `awaitedCount`
/// counts its awaited entries; `joining` holds the serials a cancelling scope still waits for, and is empty
/// outside `cancelling`; `onFinish` is emptied when the lifecycle becomes `finished`; `host` is `inBody` exactly
/// while ``run(_:)->_`` runs its block. An unusable scope (`initError` set) starts `finished` with that error.
public final class Scope: CustomStringConvertible {
    /// The scope's name (`Scope-N` unless one was given), used in its description and log messages.
    ///
    /// Flavor: sync.
    public let name: String
    /// Where the scope's messages go: traio's life-cycle messages (creating, adding, cancelling, a task done,
    /// cancelled or failed, timeout, finished) at debug level; a task that outlives its `cancelTimeout` at error
    /// level, and an error a task throws while being cancelled (which nobody else sees) at warning level.
    /// Unless one is given, a logger labelled with the scope's ``name``; forks share their parent's.
    ///
    /// Flavor: sync.
    public let logger: Logger

    let loop: (any AbstractEventLoop)?
    /// Why the scope cannot be used (no loop, a bad timeout); thrown by every operation that needs one.
    let initError: (any Error)?
    var lifecycle: ScopeLifecycle
    var host: Host = .notEntered
    var entries: [Int: ScopeEntry] = [:]
    var awaitedCount = 0
    var joining: Set<Int> = []
    var nextSerial = 0
    var timeoutSeconds: Double
    var timeoutHandle: TimerHandle?
    /// Run once when the lifecycle becomes `finished`: waking waiters, telling a parent scope.
    var onFinish: [() -> Void] = []
    private let number: Int

    /// Whether the scope runs the body of ``run(_:)->_`` (traio's `async with`), entered at most once.
    enum Host {
        case notEntered
        /// `cancelRequested`: the scope cancelled `task` to get it out of the body; withdrawn on exit.
        case inBody(task: any AnyAsyncioTask, cancelRequested: Bool)
        case exited
    }

    /// Creates a scope on the running loop; its timeout timer starts now.
    ///
    /// Flavor: sync (call it from an asyncio task). Errors are not thrown here but by the first operation that
    /// needs the scope (``spawn(name:master:bubble:awaited:cancelTimeout:_:)``, ``run(_:)->_``, ``wait()``, …):
    /// `FlavorError` when no asyncio task runs, `ValueError` for a negative or NaN `timeout`.
    ///
    /// - Parameters:
    ///   - timeout: Seconds on the loop's clock after which the scope is cancelled with
    ///     `TimeoutError`; `0` (or `.infinity`) means no timeout.
    ///   - name: A name for descriptions and log messages.
    ///   - logger: Where to log; by default a `Logger` labelled with the scope's name.
    public convenience init(timeout: Double = 0, name: String? = nil, logger: Logger? = nil) {
        let loop = Asyncio.currentTask()?.loop
        self.init(loop: loop, timeout: timeout, name: name, logger: logger)
    }

    init(loop: (any AbstractEventLoop)?, timeout: Double, name: String?, logger: Logger?) {
        number = scopeCounter.add(1, ordering: .relaxed).newValue
        let name = name ?? "Scope-\(number)"
        self.name = name
        self.logger = logger ?? Logger(label: name)
        self.loop = loop
        timeoutSeconds = timeout
        if loop == nil {
            initError = FlavorError(
                "Scope created outside an asyncio task: create it in a task of a running loop (Asyncio.run)"
            )
        } else if !(timeout >= 0) {
            initError = ValueError("Scope timeout must be a non-negative number of seconds, not \(timeout)")
        } else {
            initError = nil
        }
        lifecycle = initError.map { .finished(reason: $0) } ?? .open
        self.logger.debug("creating \(self.description)")
        if initError == nil { startTimer() }
    }

    /// `Scope(N, name)`.
    ///
    /// Flavor: sync.
    public var description: String { "Scope(\(number), \(name))" }

    // MARK: Timeout

    /// The timeout in seconds (`0`: none). Setting it restarts the timer from now with the new value (traio).
    ///
    /// Flavor: sync. A setter cannot throw: on a cancelled or finished scope, or with a negative or NaN value,
    /// it changes nothing and logs the error at error level; ``setTimeout(_:)`` throws it instead.
    public var timeout: Double {
        get { timeoutSeconds }
        set {
            do {
                try setTimeout(newValue)
            } catch {
                logger.error("\(description): timeout not set: \(error)")
            }
        }
    }

    /// Restarts the timeout timer from now with `seconds` (`0`: no timeout): the ``timeout`` setter, with errors.
    ///
    /// Flavor: sync. - Throws: the scope's creation error; `RuntimeError` when the scope is cancelled or
    /// finished; `ValueError` when `seconds` is negative or NaN.
    public func setTimeout(_ seconds: Double) throws {
        if let initError { throw initError }
        guard lifecycle.acceptsTasks else { throw RuntimeError("cannot set the timeout of dead or dying \(self)") }
        guard seconds >= 0 else { throw ValueError("Scope timeout must be non-negative, not \(seconds)") }
        timeoutSeconds = seconds
        timeoutHandle?.cancel()
        timeoutHandle = nil
        startTimer()
    }

    private func startTimer() {
        // `.infinity` is no timeout too: no timer that never fires.
        guard timeoutSeconds > 0, timeoutSeconds.isFinite, let loop else { return }
        do {
            timeoutHandle = try loop.callLater(timeoutSeconds) { [weak self] in
                guard let self else { return }
                timeoutHandle = nil
                logger.debug("timeout on \(description)")
                cancel(TimeoutError())
            }
        } catch {
            // Only a closed loop refuses a timer; nothing of this scope can run on it any more.
            logger.error("\(description): cannot start the timeout timer: \(error)")
        }
    }

    // MARK: State

    /// Whether the scope is over: cancelled and every task joined (traio's `done()` of the scope future).
    ///
    /// Flavor: sync.
    public var done: Bool { lifecycle.isFinished }

    /// The error the finished scope raises, `nil` when it ended silently.
    ///
    /// Flavor: sync. - Throws: `InvalidStateError` while the scope is not finished.
    public func exception() throws -> (any Error)? {
        guard case .finished(let reason) = lifecycle else { throw InvalidStateError("Scope is not finished.") }
        return reason
    }

    /// The running time, in seconds on the loop's clock, of each task still supervised, keyed by its
    /// description (`Task(serial, name)`); a fork appears under its own description with its own `tasks()`
    /// as the value. For spotting tasks that stay alive too long (traio's `get_tasks`).
    ///
    /// Flavor: sync.
    public func tasks() -> [String: Any] {
        guard let loop else { return [:] }
        let now = loop.time()
        var listing: [String: Any] = [:]
        for entry in entries.values {
            switch entry.kind {
            case .task: listing[entry.description] = now - entry.startTime
            case .scope(let child): listing[child.description] = child.tasks()
            }
        }
        return listing
    }
}

private let scopeCounter = Atomic<Int>(0)

extension Scope {
    /// The traio release whose behaviour this module reproduces.
    ///
    /// Flavor: sync.
    public static let traioVersion = "0.5.2"
}
