import Asyncio
import Trio

extension TrioEventLoop {
    // MARK: Trio awaits asyncio

    /// Waits, from a Trio task, for an asyncio future of this loop: trio-asyncio's `run_aio_future`.
    ///
    /// Flavor: Trio; a checkpoint. Cancellation follows trio-asyncio: a Trio cancel cancels the
    /// future (asyncio code sees `CancelledError` only, with the cancel's reason as its message) and
    /// waits until it is done; then the caller gets `Cancelled` if the future ended cancelled, or
    /// its value if the asyncio side swallowed the cancel. A future that asyncio cancelled on its own
    /// raises `CancelledError` unchanged.
    ///
    /// A loop that stops (``stop()``) before the future is done makes the call fail with
    /// `RuntimeError` "Event loop stopped before Future completed." (as asyncio's
    /// `run_until_complete` does) instead of waiting for ever, and so does a call made while the loop
    /// is stopped; a loop that closes first makes it fail with "Event loop is closed". trio-asyncio
    /// 0.16 waits for ever there (its #118).
    ///
    /// - Throws: the future's error; `Cancelled`; `CancelledError`; `RuntimeError` when the loop is
    ///   closed, or stops first; `FlavorError` outside a Trio task.
    public func runAioFuture<T>(_ future: Future<T>) async throws -> T {
        try await awaitFuture(future)
    }

    /// Runs `body` as an asyncio task of this loop and waits for it from a Trio task:
    /// trio-asyncio's `run_aio_coroutine`.
    ///
    /// Flavor: Trio; a checkpoint. Cancellation, and a loop that stops first, as ``runAioFuture(_:)``.
    /// - Throws: what `body` throws; `Cancelled`; `RuntimeError` when the loop is closed or stopped.
    public func runAioCoroutine<T>(_ body: @escaping () async throws -> T) async throws -> T {
        try await runAioCoroutine(name: nil, body)
    }

    /// ``runAioCoroutine(_:)`` with a name for the asyncio task.
    ///
    /// Flavor: Trio; a checkpoint. - Throws: as ``runAioCoroutine(_:)``.
    /// - Parameters:
    ///   - name: the asyncio task's name.
    ///   - body: the asyncio-flavored code to run.
    public func runAioCoroutine<T>(name: String?, _ body: @escaping () async throws -> T) async throws -> T {
        try requireTrioTask("runAioCoroutine")
        // A stopped loop would never run the task: refuse before creating it.
        try checkWaitable()
        let task = try createTask(name: name, body)
        // The task is this loop's and pending, and the loop was checked: no `makeWaiter` needed.
        try await waitDone(task, bridgeWaiters.take(for: try Lowlevel.currentTask(), loop: self))
        return try task.result()
    }

    func requireTrioTask(_ what: String) throws {
        try TrioAsyncio.requireTrioTask(what)
    }

    private func awaitFuture<T>(_ future: Future<T>) async throws -> T {
        try await waitDone(future, caller: "runAioFuture")
        return try future.result()
    }

    /// Waits, from a Trio task, until `future` is done (see ``runAioFuture(_:)``); throws
    /// `Cancelled` when it ended cancelled because of a Trio cancel, never the future's own error.
    func waitDone<T>(_ future: Future<T>, caller: String) async throws {
        if let waiter = try makeWaiter(for: future, caller: caller) {
            try await waitDone(future, waiter)
        }
    }

    /// ``waitDone(_:caller:)`` once the checks are done and `waiter` is taken.
    private func waitDone<T>(_ future: Future<T>, _ waiter: BridgeWaiter) async throws {
        // Completion wakes this task directly (no queued done-callback): the task runs at the
        // runner's next pass, after the loop task's step that completed the future.
        // Once the wait is over the hook has run or is removed: nothing reaches the node.
        defer { bridgeWaiters.recycle(waiter) }
        // No id: the future was done already and the hook has run (the node is not linked yet).
        guard let hook = future.addCompletionHook({ waiter.wake() }) else { return }
        try await waitForCompletion(of: future, waiter) { future.removeDoneCallback(hook) }
    }

    /// Waits for `future` from a Trio task with trio-asyncio's cancellation rules (see
    /// ``runAioFuture(_:)``); returns once it is done, throwing `Cancelled` when it ended cancelled
    /// because of a Trio cancel, and its error when it failed.
    func awaitAnyFuture(_ future: any AnyFuture) async throws {
        if let waiter = try makeWaiter(for: future, caller: "runAioFuture", pooled: false) {
            // Not recycled: the done-callback goes through the loop's queue, and may still run after
            // the wait ended (its node then finds itself unlinked).
            let id = future.addAnyDoneCallback { _ in waiter.wake() }
            try await waitForCompletion(of: future, waiter) { future.removeDoneCallback(id) }
        }
        if let error = try future.exception() { throw error }
    }

    /// The waiter for the current Trio task, or `nil` when `future` is done already; a node the loop
    /// recycles after the wait unless `pooled` is false.
    ///
    /// - Throws: `FlavorError` outside a Trio task; `ValueError` for a future of another loop;
    ///   `RuntimeError` when the loop is closed, or stopped (see ``checkWaitable()``).
    private func makeWaiter(for future: any AnyFuture, caller: String, pooled: Bool = true) throws -> BridgeWaiter? {
        try requireTrioTask(caller)
        guard future.loop === self else {
            throw ValueError("the future belongs to a different loop than \(self)")
        }
        if future.done { return nil }
        try checkWaitable()
        let task = try Lowlevel.currentTask()
        return pooled ? bridgeWaiters.take(for: task, loop: self) : bridgeWaiters.unpooled(for: task, loop: self)
    }

    /// Parks the current Trio task until whoever watches `future` wakes `waiter`. A Trio cancel
    /// only asks the future to end (asyncio sees `CancelledError`, with the cancel's reason), and
    /// the task keeps waiting until it has; then `Cancelled` if the future ended cancelled. When
    /// the loop stops or closes first, the task gets its error (`Cancelled` if a Trio cancel came
    /// before), unless the future is done by then.
    private func waitForCompletion(of future: any AnyFuture, _ waiter: BridgeWaiter, unwatch: () -> Void)
        async throws
    {
        var trioCancel: (any Error)?
        bridgeWaiters.link(waiter)
        do {
            _ = try await Lowlevel.waitTaskRescheduled { raise in
                trioCancel = raise.error
                // Done already: its wake-up is on its way, and it wins.
                future.cancel(message: (raise.error as? Cancelled)?.reason)
                return .failed
            }
        } catch {
            // Only the loop's stop or close wakes a waiter with an error (it has unlinked it); the
            // unlink here covers a wait that failed before it parked.
            bridgeWaiters.unlink(waiter)
            unwatch()
            if !future.done { throw trioCancel ?? error }
        }
        if future.cancelled, let trioCancel { throw trioCancel }
    }

    // MARK: asyncio awaits Trio

    /// Starts `proc` as a Trio task of the loop and returns a future of its outcome:
    /// trio-asyncio's `trio_as_future`.
    ///
    /// The call puts the task's start in the loop's queue, as trio-asyncio does: `proc` starts when
    /// the loop reaches it, after the callbacks (and asyncio task steps) queued before the call. The
    /// task is created here, though, so that it inherits the caller's task-locals (trio-asyncio
    /// copies the caller's context): values bound in the asyncio task that calls this are seen by
    /// the Trio task, and what the Trio task binds never leaks back. It is not an asyncio task
    /// (asyncio primitives in it throw `FlavorError`). A closed loop or a full queue refuses the
    /// call and leaves nothing behind.
    ///
    /// Cancelling the future cancels the Trio task, or keeps `proc` from starting (#161); either way
    /// the future stays pending (a second `cancel()` returns `true` again, as for an asyncio task)
    /// until the Trio side has gone through the cancel: then it ends cancelled, or with the task's
    /// value or error if the cancel came too late. `Cancelled` never becomes the future's error:
    /// when a cancel from outside (the loop's shutdown) ends the task, even with an
    /// `ExceptionGroup` of its nursery, the `Cancelled` part goes on to the scope that was cancelled,
    /// and the future keeps the other errors, or ends cancelled when there are none.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `WouldBlock` past `queueLen`.
    public func trioAsFuture<T>(_ proc: @escaping () async throws -> T) throws -> Future<T> {
        try checkSchedulable()
        if !core.state.isRunning, let future = try host.trioAsFutureWhileNotRunning(proc, on: self) {
            return future
        }
        return spawnTrioTask(proc)
    }

    /// The Trio task and future of ``trioAsFuture(_:)``, once the call is accepted.
    func spawnTrioTask<T>(_ proc: @escaping () async throws -> T) -> Future<T> {
        let future = createFuture(of: T.self)
        future.role = .trioCall
        let starter = TrioTaskStarter(future: future, proc: proc)
        do {
            try queueTrioTask(name: "trioAsFuture", starter, needsHandle: false) {
                try await withoutAsyncioTask { try await starter.run() }
            }
        } catch {
            refuse(future, error)
        }
        return future
    }

    /// Fails the future of a refused ``trioAsFuture(_:)`` call. Out of line: in the generic caller,
    /// the `Result` of this rare path would cost a metadata look-up on every call.
    @inline(never)
    private func refuse<T>(_ future: Future<T>, _ error: any Error) {
        future.setOutcomeUnlessDone(.failure(error))
    }

    /// Starts `proc` as a Trio task of the loop: trio-asyncio's `run_trio_task`. The task starts
    /// from the loop's queue with the caller's task-locals, as for ``trioAsFuture(_:)``. An error
    /// it raises goes to the loop's exception handler; without a custom handler,
    /// ``openLoop(queueLen:_:)`` then shuts down and throws it (with any other errors), as
    /// trio-asyncio's default handler makes it, and a custom handler decides alone (the loop keeps
    /// running). `Cancelled` is not an error here: a task cancelled at shutdown, even one whose
    /// nursery ends with a group of `Cancelled`, reports nothing. Cancelling the returned handle
    /// cancels the task, or keeps `proc` from starting.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed", or when the loop's Trio tasks
    /// can no longer start (its shutdown is over); `WouldBlock` past `queueLen`.
    @discardableResult
    public func runTrioTask(_ proc: @escaping () async throws -> Void) throws -> Handle {
        try checkSchedulable()
        let start = QueuedTrioStart()
        let handle = try queueTrioTask(name: "runTrioTask", start, needsHandle: true) { [unowned self] in
            // A handle cancelled before the loop reached it keeps `proc` from running at all.
            if start.cancelCalled { return }
            do {
                try await start.scope.run { try await proc() }
            } catch {
                // `Cancelled` (alone or out of a group) goes on to the scope that was cancelled.
                let (cancelled, rest) = splitCancelled(error)
                if let rest { self.reportTrioTaskError(rest) }
                if let cancelled { throw cancelled }
            }
        }
        return handle!
    }

    /// The error of a ``runTrioTask(_:)`` task goes to the loop's exception handler. Without a
    /// custom handler, a loop of ``openLoop(queueLen:_:)`` does what trio-asyncio's default handler
    /// does: it logs the error and raises it out of the loop, so that `openLoop` shuts down and
    /// throws it. A custom handler decides alone, and the loop keeps running.
    func reportTrioTaskError(_ error: any Error) {
        let context = ExceptionContext(message: "Trio task started by runTrioTask raised an error", error: error)
        guard core.exceptionHandler == nil, host.raisesIntoOpenLoop, !core.state.isClosed, let bodyScope else {
            return callExceptionHandler(context)
        }
        logExceptionContext(context)
        raisedErrors.append(error)
        bodyScope.cancel()
    }

    /// Creates `body`'s Trio task in the loop's tasks nursery, with the caller's task-locals, and
    /// queues the handle that starts it: the task runs once the loop reaches the handle. Cancelling
    /// the handle (by hand, or when a closing loop drops it) cancels `start`'s scope and starts
    /// the task too, so that it can end and its nursery never waits for it.
    ///
    /// When nothing waits in the queue and no timer is due, the loop reaches the call as soon as
    /// the batch it runs (if any) is over, before anything queued later: the task is started at
    /// once then, without a handle, and its first step still comes after the rest of that batch.
    ///
    /// - Parameter needsHandle: whether the caller wants a handle even on that direct path.
    /// - Returns: the handle, or `nil` on the direct path when `needsHandle` is false.
    /// - Throws: why the task cannot be created (no tasks nursery, or it has closed).
    @discardableResult
    func queueTrioTask(
        name: String, _ start: QueuedTrioStart, needsHandle: Bool, _ body: @escaping () async throws -> Void
    ) throws -> Handle? {
        guard let nursery = tasksNursery else {
            throw RuntimeError("the loop has no Trio nursery: it was not opened by openLoop")
        }
        start.task = try nursery.startParked(name: name, body)
        if core.ready.isEmpty, case .running = core.state.phase, !hasDueTimer {
            start.release()
            guard needsHandle else { return nil }
            let handle = Handle {}
            handle.onCancel = { start.cancel() }
            return handle
        }
        let handle = Handle { start.release() }
        handle.onCancel = {
            start.cancel()
            start.release()
        }
        core.ready.append(.handle(handle))
        wakeIfIdle()
        return handle
    }

    /// Whether a timer is due: the loop's next batch runs it before anything queued from now on.
    private var hasDueTimer: Bool {
        guard let next = core.timers.nextDeadline() else { return false }
        return next <= clock.currentTime()
    }

    // MARK: Synchronisation

    /// Waits until every callback scheduled before this call has run.
    ///
    /// Flavor: Trio; a checkpoint. - Throws: `Cancelled`; `RuntimeError` when the loop is closed.
    public func synchronize() async throws {
        let done = Trio.Event()
        try callSoon { done.set() }
        try await done.wait()
    }

    /// Waits until the loop task is not running (after ``stop()``, or before it started).
    ///
    /// Flavor: Trio; a checkpoint. - Throws: `Cancelled`.
    public func waitStopped() async throws {
        try await stoppedEvent.wait()
    }
}

/// The start of a Trio task that waits, parked, for the loop's queue to reach it, and the scope a
/// cancel before (or after) that start goes to.
class QueuedTrioStart {
    /// The parked task, until it is started.
    var task: TrioTask?
    let scope = CancelScope()
    /// Whether ``cancel(reason:)`` was called (read on every start, without a call into Trio).
    private(set) var cancelCalled = false

    /// Cancels the task: before its start, its function never runs.
    final func cancel(reason: String? = nil) {
        cancelCalled = true
        scope.cancel(reason: reason)
    }

    /// Starts the task (once).
    final func release() {
        guard let task else { return }
        self.task = nil
        task.startParked()
    }
}

/// Starts one `trioAsFuture` task from the loop's queue and resolves its future (the future's
/// cancel hook and the task share the scope and the cancel message).
final class TrioTaskStarter<T>: QueuedTrioStart {
    let future: Future<T>
    var proc: (() async throws -> T)?
    var cancelMessage: String?

    init(future: Future<T>, proc: @escaping () async throws -> T) {
        self.future = future
        self.proc = proc
        super.init()
        // A cancel of the future is a cancel of the task, before or after it starts; the future
        // resolves when the task ends (trio-asyncio's wrapped `cancel`).
        future.hooks.cancelRequested = { message in
            if self.cancelMessage == nil { self.cancelMessage = message }
            self.cancel(reason: message)
            return true
        }
    }

    /// The Trio task's body: a future cancelled before the task started ends cancelled now, and
    /// `proc` never runs then (#161).
    func run() async throws {
        guard let proc, !future.done else { return }
        self.proc = nil
        if cancelCalled {
            future.finishCancelled(message: cancelMessage)
            return
        }
        try await runTask(proc)
    }

    private func runTask(_ proc: @escaping () async throws -> T) async throws {
        // A flag rather than an optional result: `T?` and `Result` of a generic `T` each cost a
        // runtime metadata look-up per call on this path.
        var returned = false
        do {
            try await scope.run {
                let value = try await proc()
                returned = true
                future.setOutcomeUnlessDone(.success(value))
            }
        } catch let cancelled as Cancelled {
            // Cancelled from outside (the loop is shutting down): the future ends cancelled too.
            future.finishCancelled(message: cancelled.reason ?? cancelMessage)
            throw cancelled
        } catch {
            // Raised while unwinding from the future's cancel, or on its own: the future's error.
            // Trio's `Cancelled` never reaches asyncio code: out of a group, it goes on to the scope
            // that was cancelled, and the future keeps the rest (or ends cancelled without it).
            let (cancelled, rest) = splitCancelled(error)
            if let rest {
                future.setOutcomeUnlessDone(.failure(rest))
            } else {
                future.finishCancelled(message: cancelMessage)
            }
            if let cancelled { throw cancelled }
            return
        }
        if !returned { future.finishCancelled(message: cancelMessage) }
    }
}

/// Separates Trio's `Cancelled` from the other errors of `error`, as trio-asyncio's
/// `collapse_aware_exception_split` does: each side keeps the group's nesting and collapses when
/// the group is a non-strict one left with a single error; `nil` when empty.
func splitCancelled(_ error: any Error) -> (cancelled: (any Error)?, rest: (any Error)?) {
    guard let group = error as? ExceptionGroup else {
        return error is Cancelled ? (error, nil) : (nil, error)
    }
    let (matched, rest) = group.split { $0 is Cancelled }
    return (matched?.collapsed(), rest?.collapsed())
}
