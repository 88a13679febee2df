/// One Trio task: a Swift task started by the runner plus the bookkeeping Trio needs.
///
/// Flavor: Trio. Get the current one with ``Lowlevel/currentTask()``. A task record is only
/// touched from its run's thread; it is `Sendable` so that it can be a task-local value.
public final class TrioTask: @unchecked Sendable, CustomStringConvertible {
    /// The task's name, for instruments and debugging. Defaults to where it was spawned.
    public var name: String
    /// The nursery this task runs in; `nil` for the root (init) task.
    public internal(set) var parentNursery: Nursery?
    /// While a task started with ``Nursery/start(name:fileID:line:_:)`` has not called `started()`: the nursery
    /// it will move to. `nil` otherwise.
    public internal(set) var eventualParentNursery: Nursery?
    /// The nurseries currently open inside this task, outermost first.
    public internal(set) var childNurseries: [Nursery] = []

    // The runner outlives every task of its run, so no reference counting is needed. Code that
    // may hold a task record after its run (a stray Swift task that copied the task-local) must
    // compare `runnerID` with the thread's current runner before touching `runner`.
    unowned(unsafe) let runner: Runner
    let runnerID: ObjectIdentifier
    let isSystem: Bool

    // Cancellation: the innermost cancel status this task is running under.
    var cancelStatus: CancelStatus!
    var statusSlot = -1
    var nurserySlot = -1

    // Parking (Trio's wait_task_rescheduled): see Runner+Parking.swift.
    var continuation: UnsafeContinuation<Void, Never>?
    var blocked = false
    var abortFn: ((RaiseCancel) -> Abort)?
    var wakeError: (any Error)?
    var wakeValue: Any?
    var sleepGeneration: UInt32 = 0
    /// Told when this task exits (Trio's parking-lot breakers): e.g. a lock it still holds.
    var exitObservers: [any TaskExitObserver] = []

    init(name: String, runner: Runner, parentNursery: Nursery?, isSystem: Bool) {
        self.name = name
        self.runner = runner
        self.runnerID = ObjectIdentifier(runner)
        self.parentNursery = parentNursery
        self.isSystem = isSystem
    }

    /// `<TrioTask name>`.
    public var description: String { "<TrioTask \(name)>" }

    /// True when this record's run is the one running on the calling thread; safe to ask of a
    /// record whose run has ended.
    var belongsToThisThread: Bool {
        guard let runner = Runner.currentOnThread.value else { return false }
        return ObjectIdentifier(runner) == runnerID
    }

    /// The Trio task running the current Swift task, if any.
    @TaskLocal static var current: TrioTask?

    /// Moves this task under `status` (or out of every status when `nil`), delivering a pending
    /// cancellation if the new status is cancelled.
    func activate(_ status: CancelStatus?) {
        if let old = cancelStatus { old.removeTask(self) }
        cancelStatus = status
        if let status {
            status.addTask(self)
            if status.effectivelyCancelled { attemptDeliveryOfPendingCancel() }
        }
    }

    /// Trio's `_attempt_delivery_of_any_pending_cancel`: abort a blocking call if cancelled.
    func attemptDeliveryOfPendingCancel() {
        guard blocked, let abort = abortFn, cancelStatus.effectivelyCancelled else { return }
        // One abort attempt per blocking call, whatever its answer.
        abortFn = nil
        let raise = RaiseCancel(reason: cancelStatus.cancelReason)
        if abort(raise) == .succeeded {
            runner.reschedule(self, error: raise.error)
        }
    }
}

/// Finds the current Trio task, or explains why there is none.
@inline(__always)
func currentTrioTask(_ api: @autoclosure () -> String = "this Trio API") throws -> TrioTask {
    guard let task = TrioTask.current, task.belongsToThisThread else {
        throw notInTrioTask(api(), copiedLocal: TrioTask.current != nil)
    }
    return task
}

@inline(never)
func notInTrioTask(_ api: String, copiedLocal: Bool) -> RuntimeError {
    if copiedLocal {
        return RuntimeError(
            "\(api) was called from a Swift task that is not a Trio task (an unstructured or detached Swift task "
                + "created inside a run copies Trio's task-locals but runs elsewhere); start Trio tasks with "
                + "nursery.startSoon, and reach the run from other threads with FromThread")
    }
    return RuntimeError("\(api) must be called from inside a Trio task (inside Trio.run)")
}

/// Something that must learn when a task exits, such as a lock the task still owns.
protocol TaskExitObserver: AnyObject {
    func taskExited(_ task: TrioTask)
}
