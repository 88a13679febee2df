/// A deadline for the enclosing task: CPython's `asyncio.Timeout` (from `asyncio.timeout`).
///
/// When the deadline passes, the task is cancelled; when that cancellation comes out of the body, it is turned
/// into ``TimeoutError``. Cancellations from elsewhere pass through unchanged (told apart with
/// ``AnyAsyncioTask/cancelling()``).
///
/// Flavor: asyncio (enter it in an asyncio task, with ``run(_:)`` or as an ``AsyncContextManager``).
public final class Timeout: AsyncContextManager {
    private enum State: String {
        case created, entered, expiring, expired, exited
    }

    private var state = State.created
    private var deadline: Double?
    private var handle: Handle?
    private var current: TaskContext.Current?
    private var cancellingOnEntry = 0

    /// Creates a timeout for loop time `when` (`nil`: none yet; see ``reschedule(_:)``).
    public init(when: Double?) {
        deadline = when
    }

    /// The deadline, in loop time, or `nil`.
    public func when() -> Double? { deadline }

    /// Whether the deadline passed and cancelled the task.
    public func expired() -> Bool { state == .expiring || state == .expired }

    /// Moves the deadline to `when` (`nil`: none); a past deadline fires on the next iteration.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when the timeout is not entered or already finished.
    public func reschedule(_ when: Double?) throws {
        guard state == .entered else {
            throw RuntimeError(state == .created
                ? "Timeout has not been entered" : "Cannot change state of \(state.rawValue) Timeout")
        }
        deadline = when
        handle?.cancel()
        handle = nil
        guard let when, let loop = current?.core.loop else { return }
        if when <= loop.time() {
            handle = try loop.callSoon { [weak self] in self?.fire() }
        } else {
            handle = try loop.callAt(when) { [weak self] in self?.fire() }
        }
    }

    private func fire() {
        current?.task.cancel()
        state = .expiring
        handle = nil
    }

    /// Starts the timeout in the current task.
    ///
    /// Flavor: asyncio. - Throws: `RuntimeError` when already entered; `FlavorError` outside a task.
    public func aenter() async throws -> Timeout {
        try enter()
        return self
    }

    func enter() throws {
        guard state == .created else { throw RuntimeError("Timeout has already been entered") }
        let current = try TaskContext.require("Asyncio.timeout")
        self.current = current
        state = .entered
        cancellingOnEntry = current.task.cancelling()
        try reschedule(deadline)
    }

    /// Ends the timeout. Throws ``TimeoutError`` when the deadline's cancellation is what ended the body;
    /// returns `false` (do not swallow `error`) otherwise.
    ///
    /// Flavor: asyncio. - Throws: ``TimeoutError``.
    public func aexit(_ error: (any Error)?) async throws -> Bool {
        try exit(error)
        return false
    }

    func exit(_ error: (any Error)?) throws {
        handle?.cancel()
        handle = nil
        if state == .expiring {
            state = .expired
            if let task = current?.task, task.uncancel() <= cancellingOnEntry, error is CancelledError {
                throw TimeoutError()
            }
        } else if state == .entered {
            state = .exited
        }
    }

    /// Runs `body` under this timeout: `async with timeout:`.
    ///
    /// Flavor: asyncio. - Throws: what `body` throws, or ``TimeoutError`` in its place.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        try enter()
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        try exit(outcome.failure)
        return try outcome.get()
    }
}

/// Runs `body` with a deadline `delay` seconds from now (`nil`: none): `async with asyncio.timeout(delay):`.
///
/// Flavor: asyncio. - Throws: what `body` throws; ``TimeoutError`` when the deadline cut it short;
/// `FlavorError` outside a task.
public func timeout<T>(_ delay: Double?, _ body: () async throws -> T) async throws -> T {
    let loop = try TaskContext.require("Asyncio.timeout").core.loop
    // Keep the context manager alive explicitly: its timer holds it only weakly.
    let manager = Timeout(when: delay.map { loop.time() + $0 })
    defer { withExtendedLifetime(manager) {} }
    return try await manager.run(body)
}

/// Runs `body` with a deadline at loop time `when` (`nil`: none): `async with asyncio.timeout_at(when):`.
///
/// Flavor: asyncio. - Throws: as ``timeout(_:_:)``.
public func timeoutAt<T>(_ when: Double?, _ body: () async throws -> T) async throws -> T {
    let manager = Timeout(when: when)
    defer { withExtendedLifetime(manager) {} }
    return try await manager.run(body)
}
