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
    /// - Throws: the future's error; `Cancelled`; `CancelledError`; `RuntimeError` when the loop is
    ///   closed; `FlavorError` outside a Trio task.
    public func runAioFuture<T>(_ future: Future<T>) async throws -> T {
        try await awaitFuture(future)
    }

    /// Runs `body` as an asyncio task of this loop and waits for it from a Trio task:
    /// trio-asyncio's `run_aio_coroutine`.
    ///
    /// Flavor: Trio; a checkpoint. Cancellation as ``runAioFuture(_:)``.
    /// - Throws: what `body` throws; `Cancelled`; `RuntimeError` when the loop is closed.
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
        let task = try createTask(name: name, body)
        return try await awaitFuture(task)
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
        if let task = try waiterTask(for: future, caller: caller) {
            // Completion wakes this task directly (no queued done-callback): the task runs at the
            // runner's next pass, after the loop task's step that completed the future.
            future.addCompletionHook { Lowlevel.reschedule(task) }
            try await waitForCompletion(of: future) { future.removeCompletionHooks() }
        }
    }

    /// Waits for `future` from a Trio task with trio-asyncio's cancellation rules (see
    /// ``runAioFuture(_:)``); returns once it is done, throwing `Cancelled` when it ended cancelled
    /// because of a Trio cancel, and its error when it failed.
    func awaitAnyFuture(_ future: any AnyFuture) async throws {
        if let task = try waiterTask(for: future, caller: "runAioFuture") {
            let id = future.addAnyDoneCallback { _ in Lowlevel.reschedule(task) }
            try await waitForCompletion(of: future) { future.removeDoneCallback(id) }
        }
        if let error = try future.exception() { throw error }
    }

    /// The Trio task that will wait for `future`, or `nil` when it is done already.
    ///
    /// - Throws: `FlavorError` outside a Trio task; `ValueError` for a future of another loop;
    ///   `RuntimeError` when the loop is closed.
    private func waiterTask(for future: any AnyFuture, caller: String) throws -> TrioTask? {
        try requireTrioTask(caller)
        guard future.loop === self else {
            throw ValueError("the future belongs to a different loop than \(self)")
        }
        if future.done { return nil }
        if state.isClosed { throw RuntimeError("Event loop is closed") }
        return try Lowlevel.currentTask()
    }

    /// Parks the current Trio task until whoever watches `future` reschedules it. A Trio cancel
    /// only asks the future to end (asyncio sees `CancelledError`, with the cancel's reason), and
    /// the task keeps waiting until it has; then `Cancelled` if the future ended cancelled.
    private func waitForCompletion(of future: any AnyFuture, unwatch: () -> Void) async throws {
        var trioCancel: (any Error)?
        do {
            _ = try await Lowlevel.waitTaskRescheduled { raise in
                trioCancel = raise.error
                // Done already: its wake-up is on its way, and it wins.
                future.cancel(message: (raise.error as? Cancelled)?.reason)
                return .failed
            }
        } catch {
            unwatch()
            throw error
        }
        if future.cancelled, let trioCancel { throw trioCancel }
    }

    // MARK: asyncio awaits Trio

    /// Starts `proc` as a Trio task of the loop and returns a future of its outcome:
    /// trio-asyncio's `trio_as_future`.
    ///
    /// The task is spawned right here, from the caller, so that it inherits the caller's task-locals
    /// (trio-asyncio copies the caller's context): values bound in the asyncio task that calls this
    /// are seen by the Trio task, and what the Trio task binds never leaks back. It is not an asyncio
    /// task (asyncio primitives in it throw `FlavorError`). A closed loop or a full queue refuses
    /// the call and leaves nothing behind.
    ///
    /// Cancelling the future cancels the Trio task (or keeps `proc` from starting, #161); the future
    /// then resolves once the task has really ended: cancelled, or with its value or error if the
    /// cancel came too late.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `WouldBlock` past `queueLen`.
    public func trioAsFuture<T>(_ proc: @escaping () async throws -> T) throws -> Future<T> {
        try checkSchedulable()
        if isSyncLoop, !state.isRunning { return try syncLoop.trioAsFutureWhileNotRunning(proc) }
        return spawnTrioTask(proc)
    }

    /// The Trio task and future of ``trioAsFuture(_:)``, once the call is accepted.
    func spawnTrioTask<T>(_ proc: @escaping () async throws -> T) -> Future<T> {
        let future = createFuture(of: T.self)
        let starter = TrioTaskStarter(future: future, proc: proc)
        spawnInTasksNursery(name: "trioAsFuture") {
            try await withoutAsyncioTask { try await starter.run() }
        } onRefused: { error in
            future.setOutcomeUnlessDone(.failure(error))
        }
        return future
    }

    /// Starts `proc` as a Trio task of the loop: trio-asyncio's `run_trio_task`. An error it raises
    /// goes to the loop's exception handler and stops the loop. Cancelling the returned handle
    /// cancels the task (or keeps it from starting).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `WouldBlock` past `queueLen`.
    @discardableResult
    public func runTrioTask(_ proc: @escaping () async throws -> Void) throws -> Handle {
        try checkSchedulable()
        let scope = CancelScope()
        var handle: Handle?
        handle = try callSoon { [unowned self] in
            self.spawnInTasksNursery(name: "runTrioTask") {
                do {
                    try await scope.run { try await proc() }
                } catch let cancelled as Cancelled {
                    throw cancelled
                } catch {
                    self.callExceptionHandler(ExceptionContext(
                        message: "Trio task started by runTrioTask raised an error", error: error))
                    self.stop()
                }
            } onRefused: { error in
                self.callExceptionHandler(ExceptionContext(message: "runTrioTask could not start", error: error))
            }
            // From now on the handle stands for the running task.
            handle?.onCancel = { scope.cancel() }
        }
        return handle!
    }

    /// Starts a Trio task in the loop's tasks nursery; `onRefused` hears why it could not.
    func spawnInTasksNursery(
        name: String, _ body: @escaping () async throws -> Void, onRefused: (any Error) -> Void
    ) {
        guard let nursery = tasksNursery else {
            onRefused(RuntimeError("the loop has no Trio nursery: it was not opened by openLoop"))
            return
        }
        do {
            try nursery.startSoon(name: name, body)
        } catch {
            onRefused(error)
        }
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

/// Starts one `trioAsFuture` task from the loop's queue and resolves its future (a class, so that
/// the future's cancel hook and the task share the scope and the cancel message).
final class TrioTaskStarter<T> {
    let future: Future<T>
    var proc: (() async throws -> T)?
    let scope = CancelScope()
    var cancelMessage: String?

    init(future: Future<T>, proc: @escaping () async throws -> T) {
        self.future = future
        self.proc = proc
    }

    /// The Trio task's body: a future cancelled before its first step resolved cancelled already,
    /// and `proc` never runs then (#161).
    func run() async throws {
        guard !future.done, let proc else { return }
        self.proc = nil
        // From now on a cancel of the future is a cancel of the task, resolved when it ends.
        future.cancelInterceptor = { [unowned self] message in
            if self.cancelMessage == nil { self.cancelMessage = message }
            self.scope.cancel(reason: message)
            return true
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
            future.setOutcomeUnlessDone(.failure(error))
            return
        }
        if !returned { future.finishCancelled(message: cancelMessage) }
    }
}
