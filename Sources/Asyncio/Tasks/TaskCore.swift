/// The cancellation state of one asyncio task, in a non-generic object so that code awaiting any future can
/// reach it through ``TaskContext``; also the task's place in its loop's registry and in its task group.
///
/// CPython's edge-triggered model: `cancel()` cancels the future the task waits on, or, when there is none,
/// leaves `mustCancel` for the task's next suspension to turn into one ``CancelledError``.
///
/// Invariants (loop thread only, like the task): `task` is set once, right after the task's own `init`, and
/// the task owns the core, so `task` is valid for as long as anyone reaches the core through the task, a
/// registry entry, a ``TaskContext`` or a group (each of which also holds the task). `registryIndex` and
/// `registry` are set and cleared together. `group` is set by `AsyncioTaskGroup.createTask` and cleared when
/// the group's done-callback is delivered (or could not be scheduled): while set, the group holds the task
/// and the core holds the group, a cycle that the delivery breaks.
package final class TaskCore {
    let loop: any AbstractEventLoop
    /// The same loop when it keeps its own task registry and ready queue (every loop of this package), so that
    /// creating and finishing a task needs no dynamic cast; `nil` for another loop. Unowned: `loop` keeps it.
    unowned(unsafe) let host: (any AsyncioTaskHost)?
    // Unchecked exclusivity on the fields set or read once or twice in every task's life (loop thread only):
    // their dynamic checks showed in the instruction counts of `aio_spawn` (Benchmarks).

    /// The task (or stand-in) this core belongs to. Unowned: the task owns the core (see the invariants).
    @exclusivity(unchecked) unowned(unsafe) var task: (any AnyAsyncioTask)?
    var mustCancel = false
    var cancelMessage: String?
    var cancelRequests = 0
    var waiter: (any AnyFuture)?
    /// The task's slot in its loop's ``LoopTaskRegistry`` (set together with `registry`; -1: none).
    @exclusivity(unchecked) var registryIndex = -1
    @exclusivity(unchecked) var registry: LoopTaskRegistry?
    /// The task group waiting for this task's end (see the invariants).
    @exclusivity(unchecked) var group: AsyncioTaskGroup?
    /// Set for the context of a task of another runtime that calls asyncio code directly
    /// (``withForeignTaskContext(loop:bridge:name:_:)``): its waits go through the bridge.
    var bridge: (any ForeignTaskBridge)?

    init(loop: any AbstractEventLoop, host: (any AsyncioTaskHost)?) {
        self.loop = loop
        self.host = host
    }

    // MARK: Task group

    /// The task has just completed: queue its group's done-callback, first among its callbacks as CPython's
    /// `TaskGroup` registers it first. On a loop of this package that is one ``ReadyItem/taskDone(_:)`` entry.
    func taskDidComplete() {
        guard group != nil else { return }
        if let host, host.enqueueReady(.taskDone(self)) { return }
        do {
            try loop.callSoon { self.notifyGroup() }
        } catch {
            group = nil
            loop.callExceptionHandler(ExceptionContext(
                message: "Task group done-callback could not be scheduled", error: error, future: task
            ))
        }
    }

    /// Runs the group's done-callback (once).
    func notifyGroup() {
        guard let group else { return }
        self.group = nil
        group.childDone(self)
    }

    // MARK: Cancellation

    /// Records a cancellation request; `false` when the task is already done.
    func requestCancel(message: String?) -> Bool {
        cancelRequests += 1
        if let waiter, waiter.cancel(message: message) { return true }
        mustCancel = true
        cancelMessage = message
        return true
    }

    /// Undoes one request; at zero a request not yet delivered is dropped (CPython 3.13).
    func uncancel() -> Int {
        if cancelRequests > 0 {
            cancelRequests -= 1
            if cancelRequests == 0 { mustCancel = false }
        }
        return cancelRequests
    }

    /// Takes a pending cancellation, if any.
    func consumeCancel() -> CancelledError? {
        guard mustCancel else { return nil }
        mustCancel = false
        return CancelledError(message: cancelMessage)
    }

    /// Suspends the task until `future` is done. A cancellation requested meanwhile (or before) is delivered
    /// here, once.
    func park<T>(on future: Future<T>) async throws {
        guard future.loop === loop else {
            throw RuntimeError("Task got a Future attached to a different loop")
        }
        if mustCancel, future.cancel(message: cancelMessage) {
            mustCancel = false
            if future.done {
                // Take the one hop its wake-up callback would have taken.
                try await yield()
                return
            }
            // A task (or gather) only got a request: wait for it to wind down.
        }
        waiter = future
        if let bridge {
            do {
                try await bridge.waitDone(future)
            } catch {
                waiter = nil
                throw error
            }
        } else {
            await withUnsafeContinuation { future.addWaker($0) }
        }
        waiter = nil
        if let cancel = consumeCancel() {
            _ = try? future.exception()
            throw cancel
        }
    }

    /// Gives the other ready callbacks and tasks a turn: `await asyncio.sleep(0)`.
    @inline(__always)
    func yield() async throws {
        if let bridge {
            try await bridge.yieldTurn()
        } else {
            await LoopYieldSpot.current.hop()
        }
        if let cancel = consumeCancel() { throw cancel }
    }
}

/// A task held strongly with its core (its existential taken from the core: see `AsyncioTask.init`), for the
/// loop's registry and a task group's children.
struct HeldTask {
    let task: any AnyAsyncioTask
    let core: TaskCore

    /// Holds the task that owns `core` (which must be alive: the caller holds it).
    init(_ core: TaskCore) {
        self.task = core.task!
        self.core = core
    }
}

/// The asyncio task running the current Swift task, if any.
enum TaskContext {
    struct Current: @unchecked Sendable {
        let core: TaskCore
        let task: any AnyAsyncioTask

        /// The context of the task that owns `core` (which must be alive: the caller holds it).
        init(core: TaskCore) {
            self.core = core
            self.task = core.task!
        }

        init(core: TaskCore, task: any AnyAsyncioTask) {
            self.core = core
            self.task = task
        }
    }

    @TaskLocal static var current: Current?

    /// The current task's core, or a `FlavorError` naming `what`.
    static func require(_ what: String) throws -> Current {
        guard let current else { throw FlavorError.outsideTask(what) }
        return current
    }
}
