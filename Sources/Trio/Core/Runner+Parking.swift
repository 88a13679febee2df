/// What an abort callback answers (see ``Lowlevel/waitTaskRescheduled(_:)``).
public enum Abort: Sendable {
    /// The blocking operation was undone: the task may be woken with `Cancelled` now.
    case succeeded
    /// The operation cannot be undone now; whoever completes it will reschedule the task.
    case failed
}

/// Handed to an abort callback: produces the `Cancelled` error to deliver.
///
/// An abort callback that returns ``Abort/failed`` may keep it and later pass ``error`` to
/// ``Lowlevel/reschedule(_:_:)``, which is how an operation finishes cancelling asynchronously.
public struct RaiseCancel: Sendable {
    let reason: String?

    /// The `Cancelled` error for this cancellation.
    public var error: any Error { Cancelled(reason: reason) }

    /// Throws the `Cancelled` error.
    public func callAsFunction() throws -> Never { throw Cancelled(reason: reason) }
}

extension Runner {
    /// Blocks `task` until someone calls ``reschedule(_:error:)`` (Trio's `wait_task_rescheduled`).
    ///
    /// `abort` is offered the chance to undo the operation when the task is cancelled; `nil` makes
    /// the wait uncancellable (a shielded schedule point). `reason` is what a task-tree snapshot
    /// shows the task waiting for. Returns the error the waker supplied.
    @inline(__always)
    nonisolated(nonsending) func park(
        _ task: TrioTask, for reason: WaitReason = .unspecified, abort: ((RaiseCancel) -> Abort)?
    ) async -> (any Error)? {
        if task.blocked { return misuseOfBlockedTask(task) }
        // A running task's job is not parked.
        assert(task.parkedJob == nil, "Trio: \(task) parks while not running")
        task.blocked = true
        task.waitReason = reason
        task.parkedSince = loopTime
        task.abortFn = abort
        if abort != nil, task.cancelStatus.effectivelyCancelled {
            // Already cancelled: offer the abort now. A successful abort queues the wake-up, which
            // is delivered after this task has suspended, so the call is still a schedule point.
            task.attemptDeliveryOfPendingCancel()
        }
        await suspend(task)
        let error = task.wakeError
        task.wakeError = nil
        return error
    }

    /// Makes a blocked task runnable; it will see `error` (if any) thrown from its blocking call.
    func reschedule(_ task: TrioTask, error: (any Error)? = nil) {
        precondition(
            task.blocked,
            "Trio: reschedule() of \(task), which is not blocked in waitTaskRescheduled (each block may be "
                + "rescheduled exactly once)")
        task.blocked = false
        task.abortFn = nil
        task.wakeError = error
        runQueue.append(.wake(task))
        if instrumented { instrument("task_scheduled") { try $0.taskScheduled(task) } }
    }

    /// A schedule point that cannot be cancelled: the task goes to the back of the run queue.
    @inline(__always)
    nonisolated(nonsending) func yieldShielded(_ task: TrioTask) async {
        if task.blocked { _ = misuseOfBlockedTask(task); return }
        assert(task.parkedJob == nil, "Trio: \(task) yields while not running")
        task.blocked = true
        task.abortFn = nil
        reschedule(task)
        await suspend(task)
    }

    /// Ends the task's step and suspends it until the runner runs its job again (a wake-up in the
    /// run queue), reporting the step boundary to instruments on both sides.
    @inline(__always)
    private nonisolated(nonsending) func suspend(_ task: TrioTask) async {
        if instrumented { instrument("after_task_step") { try $0.afterTaskStep(task) } }
        parkingTask = task
        await parkingSpot.handoff.hop()
        // The hop must have suspended the task (the parking executor took its job): a runtime
        // that ran it inline instead would leave the task running while Trio thinks it waits.
        if parkingTask != nil { parkingHopDidNotSuspend() }
        if instrumented { instrument("before_task_step") { try $0.beforeTaskStep(task) } }
    }

    /// The job of the task that is suspending in ``suspend(_:)``: called by the parking
    /// executor, synchronously inside the hop, on the loop thread.
    func taskParked(_ job: UnownedJob) {
        guard let task = parkingTask, isLoopThread else {
            fatalError("Trio runner: a job reached the parking executor outside suspend (TrioInternalError)")
        }
        parkingTask = nil
        assert(task.parkedJob == nil, "Trio runner: \(task) parked twice (TrioInternalError)")
        task.parkedJob = job
    }

    @inline(never)
    private func parkingHopDidNotSuspend() -> Never {
        fatalError("Trio runner: hopping onto the parking spot did not suspend the task (TrioInternalError)")
    }

    @inline(never)
    private func misuseOfBlockedTask(_ task: TrioTask) -> any Error {
        RuntimeError(
            "\(task) is already blocked: a Trio blocking call was made from a Swift child task "
                + "(async let / withTaskGroup) that shares its Trio task; start concurrent work with a nursery")
    }
}
