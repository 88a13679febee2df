extension Runner {
    /// A cancellation reached `task`, or `task` suspended while cancelled, and the task is not
    /// parked in a Trio wait: it is suspended in plain Swift concurrency code (or runs on an actor),
    /// where no cancel scope can reach it. Trio cannot interrupt it; the least it can do is say so,
    /// once per task, instead of leaving the program hanging without a word until that code ends.
    ///
    /// Called on the run's thread from cancel delivery (``TrioTask/attemptDeliveryOfPendingCancel()``)
    /// and from ``stepEnded(_:)``; cheap checks come first because both are hot.
    @inline(__always)
    func noteCancelledOutsideTrio(_ task: TrioTask, justSuspended: Bool) {
        guard task.inTaskTable, !task.warnedOutsideTrio else { return }
        warnCancelledOutsideTrio(task, justSuspended: justSuspended)
    }

    @inline(never)
    private func warnCancelledOutsideTrio(_ task: TrioTask, justSuspended: Bool) {
        // A task in the table runs its steps as untagged jobs: it is away only when it is neither
        // parked (blocked, or runnable with its job kept) nor the task whose step runs now.
        guard !task.blocked, task.parkedJob == nil, !task.hasExited, task.cancelStatus.effectivelyCancelled,
            justSuspended || currentTask !== task
        else { return }
        task.warnedOutsideTrio = true
        writeToStandardError(
            "trio: \(task) was cancelled while suspended outside Trio (in plain Swift concurrency code, or on an "
                + "actor); no cancel scope can interrupt such code, so the task sees Cancelled only when it reaches "
                + "its next Trio checkpoint. Run plain Swift async code inside swiftAsTrio { ... } so that Trio's "
                + "cancellation reaches it.\n")
    }
}
