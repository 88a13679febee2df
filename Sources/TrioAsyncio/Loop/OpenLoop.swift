import Asyncio
import Trio
import TrioPlatform

/// The ``TrioEventLoop`` of the innermost ``openLoop(queueLen:_:)`` around the current task.
///
/// Flavor: sync. Trio tasks started inside `openLoop` (and asyncio tasks of the loop) inherit it,
/// and `Asyncio/getRunningLoop()` / `Asyncio/getEventLoop()` return it in Trio tasks under the
/// loop, as trio-asyncio's `current_loop` context variable makes `asyncio.get_event_loop()` do.
public enum CurrentLoop {
    /// The loop, or `nil` outside every `openLoop`.
    @TaskLocal public static var value: TrioEventLoop?
}

/// Makes Asyncio's running-loop look-ups see ``CurrentLoop`` (once per process).
enum LoopLookup {
    static let installed: Void = {
        LoopProviders.register {
            guard let loop = CurrentLoop.value, !loop.isClosed else { return nil }
            return loop
        }
    }()
}

/// Opens an asyncio event loop that runs on the current Trio run, for the duration of `body`:
/// trio-asyncio's `open_loop`.
///
/// Flavor: Trio (call it from a Trio task). Inside `body`, reach asyncio code through
/// ``aioAsTrio(loop:_:)-4x5ni`` or ``TrioEventLoop/runAioCoroutine(_:)``.
///
/// Shutdown, when `body` returns or throws, is trio-asyncio 0.16's: the callbacks queued before
/// then run; then the loop's asyncio tasks and the Trio tasks started from asyncio are cancelled
/// together and awaited (each side may still call the other while unwinding; asyncio tasks started
/// during this teardown are abandoned); then the loop stops and closes. An error an asyncio task
/// raises while being cancelled here propagates out of `openLoop`. A loop stopped by hand with
/// ``TrioEventLoop/stop()`` is restarted for the teardown, so that its tasks can unwind. Shutdown is
/// shielded: cancelling `openLoop` from outside cancels `body`, then shuts down in order, then
/// raises `Cancelled`.
///
/// Nothing is lost: the errors of the shutdown, those of ``TrioEventLoop/runTrioTask(_:)`` tasks
/// that the default exception handler raises out of the loop (each one cancels `body` and so ends
/// the loop, as in trio-asyncio), and the error of `body` come out together, as one
/// `ExceptionGroup` (in that order) when there are several.
///
/// - Parameters:
///   - queueLen: at most this many callbacks wait in the loop's queue; the scheduling call that
///     would exceed it throws Trio's `WouldBlock` (`nil`: unbounded).
///   - body: Trio-flavored code that may use the loop.
/// - Throws: what `body` throws; errors of the asyncio tasks cancelled at shutdown; errors of
///   ``TrioEventLoop/runTrioTask(_:)`` tasks under the default exception handler; `ValueError`
///   for a `queueLen` that is not positive; `FlavorError` outside a Trio task.
public func openLoop<T>(queueLen: Int? = nil, _ body: (TrioEventLoop) async throws -> T) async throws -> T {
    _ = LoopLookup.installed
    guard HostedLoopDriver.inTrioTask else {
        throw trioFlavorError("openLoop")
    }
    let loop = try TrioEventLoop(queueLen: queueLen)
    return try await CurrentLoop.$value.withValue(loop) {
        var value: T?
        var bodyError: (any Error)?
        var nurseryError: (any Error)?
        let bodyScope = CancelScope()
        loop.bodyScope = bodyScope
        var loopNurseryScope: CancelScope?
        do {
            try await withNursery(strictExceptionGroups: false) { loopNursery in
                loop.loopNursery = loopNursery
                loopNurseryScope = loopNursery.cancelScope
                do {
                    // Shielded: `Nursery.start` called under a cancelled scope waits for the task to
                    // exit instead of returning (Trio's rule), and these tasks only exit at shutdown
                    // (trio-asyncio #115).
                    try await CancelScope(shield: true).run {
                        try await loop.startTasksNursery(in: loopNursery)
                        try await loop.startLoopTask(in: loopNursery)
                    }
                    value = try await bodyScope.run { try await body(loop) }
                } catch {
                    bodyError = error
                }
                try await CancelScope(shield: true).run {
                    try await loop.shutDown()
                }
            }
        } catch {
            nurseryError = error
            // The nursery's own cancel (a failing child) is not an error of the body.
            if let error = bodyError, loopNurseryScope?.cancelCalled == true, splitCancelled(error).rest == nil {
                bodyError = nil
            }
        }
        // Nothing is lost: the errors of the shutdown, those the loop raised, and the body's.
        var errors: [any Error] = []
        if let nurseryError { errors.append(nurseryError) }
        errors.append(contentsOf: loop.raisedErrors)
        loop.raisedErrors.removeAll()
        if let bodyError { errors.append(bodyError) }
        switch errors.count {
        case 0:
            guard let value else { throw RuntimeError("openLoop's body did not finish") }
            return value
        case 1: throw errors[0]
        default: throw ExceptionGroup("Exceptions from openLoop", errors)
        }
    }
}

/// Runs `main` in a new Trio run with an asyncio loop open around it: `Trio.run` plus
/// ``openLoop(queueLen:_:)`` (trio-asyncio's `run`).
///
/// Flavor: sync, blocking. `main` is Trio-flavored.
/// - Throws: what `main` or ``openLoop(queueLen:_:)`` throws.
public func run<T>(
    clock: (any TrioClock)? = nil, queueLen: Int? = nil, _ main: sending @escaping () async throws -> T
) throws -> T {
    let body = UncheckedSendable(main)
    return try Trio.run(clock: clock) {
        try await openLoop(queueLen: queueLen) { _ in try await body.value() }
    }
}

extension TrioEventLoop {
    /// Starts the task that holds the tasks nursery (shielded: Trio tasks started from asyncio are
    /// cancelled by the asyncio side or by shutdown, never directly by a cancel of `openLoop`).
    func startTasksNursery(in loopNursery: Nursery) async throws {
        let closed = Trio.Event()
        tasksNurseryClosed = closed
        tasksNursery = try await loopNursery.start(name: "trio-asyncio tasks") { (status: TaskStatus<Nursery>) in
            defer { closed.set() }
            try await withNursery(strictExceptionGroups: false) { tasks in
                tasks.cancelScope.shield = true
                try status.started(tasks)
                try await Trio.sleepForever()
            }
        }
    }

    /// Starts the loop task in `loopNursery`, shielded from cancels of `openLoop` (it ends when the
    /// loop stops); returns once it runs.
    func startLoopTask(in loopNursery: Nursery) async throws {
        try await loopNursery.start(name: "trio-asyncio loop") { (status: TaskStatus<Void>) in
            let scope = CancelScope(shield: true)
            self.loopTaskScope = scope
            try await scope.run {
                try await self.runLoopTask(started: { try status.started() })
            }
        }
    }

    /// trio-asyncio's teardown; runs shielded, from `openLoop`'s task.
    func shutDown() async throws {
        guard !core.state.isClosed else { return }
        // 1. Callbacks queued before exit run (unless the loop was stopped meanwhile).
        if core.state.phase == .running {
            try await withNursery { race in
                try race.startSoon {
                    if !self.core.state.isClosed { try? await self.synchronize() }
                    race.cancelScope.cancel()
                }
                try await self.waitStopped()
                race.cancelScope.cancel()
            }
        }
        // A loop stopped by hand runs again so that its tasks can unwind (trio-asyncio #58).
        if core.state.phase == .stopped, let loopNursery {
            try await startLoopTask(in: loopNursery)
        }
        // 2. asyncio tasks and Trio tasks started from asyncio are cancelled together.
        if let tasksNursery {
            for task in allTasks(loop: self) {
                try? tasksNursery.startSoon(name: "cancel \(task.name)") {
                    try await self.awaitAnyFuture(task)
                }
            }
            tasksNursery.cancelScope.cancel()
            try await tasksNurseryClosed?.wait()
        }
        // 3. The callbacks submitted meanwhile run; then the loop stops and closes.
        if core.state.phase == .running {
            try? await synchronize()
            stop()
        }
        try await waitStopped()
        try close()
    }
}
