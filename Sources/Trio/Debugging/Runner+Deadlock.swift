/// Thrown by a run in which every task is blocked and nothing can ever wake one of them, instead
/// of hanging forever. Flavor: sync value; `Sendable`.
///
/// The run reports the deadlock, cancels every task (the way a failing system task does), lets
/// them unwind, and `Trio.run` throws this error whatever the main task returned; if the
/// cancellation cannot move anything either (every task waits without a cancel point), the run
/// ends at once, leaving those tasks suspended. ``snapshot`` shows who waited for what.
/// See ``Lowlevel/setDeadlockDetection(_:)`` for when a run counts as deadlocked.
public struct DeadlockError: Error, Sendable, CustomStringConvertible {
    /// The run's tasks when the deadlock was seen.
    public let snapshot: TaskTreeSnapshot

    /// The explanation and the rendered tree.
    public var description: String {
        "DeadlockError: every task of the Trio run is blocked, and nothing (no deadline, fd, thread, "
            + "Swift child task, or other thread holding the run's token) can wake any of them.\n"
            + snapshot.render()
    }
}

extension Runner {
    /// What the loop does about a deadlock it has seen (see ``deadlockCheck()``).
    enum DeadlockOutcome {
        /// The deadlock was reported and the run cancelled: plan the next pass again.
        case reported
        /// The run is still deadlocked after being cancelled for it: leave the loop.
        case stop
    }

    /// Called when the loop is about to block with no deadline at all; `nil` when the run is not
    /// deadlocked (the loop then blocks as planned).
    @inline(never)
    func deadlockCheck() -> DeadlockOutcome? {
        guard isDeadlocked() else { return nil }
        if deadlockReported { return .stop }
        deadlockReported = true
        guard let snapshot = try? taskTreeSnapshot(current: nil) else { return .stop }
        if internalError == nil { internalError = DeadlockError(snapshot: snapshot) }
        initTask?.childNurseries.first?.cancelScope.cancel(reason: "deadlock")
        return .reported
    }

    /// Whether no task can ever run again. Conservative: any way a wake-up could still come
    /// (from the kernel, the clock, another thread or a hook) answers false.
    func isDeadlocked() -> Bool {
        guard runQueue.isEmpty, !entryQueue.hasPending, pendingCallbacks.isEmpty, idleWaiters.isEmpty,
            deadlines.nextDeadline() == .infinity, !io.hasWaiters, io.firedCallbacks.isEmpty,
            !instrumented, !keyboardInterruptRequested, driving
        else { return false }
        // Another thread holding the token (FromThread, a TrioThread, a worker thread, a user's
        // thread) may still call in; the runner's own reference is the only one otherwise.
        if cachedToken != nil, !isKnownUniquelyReferenced(&cachedToken) { return false }
        if let threads = runLocals[ActiveThreads.key] as? ActiveThreads, threads.count > 0 { return false }
        guard let root = initTask else { return false }
        // Every living task must be parked in the parking spot on something only the run's own
        // tasks can end.
        var seen = 0
        var sleepsForever = false
        var todo = [root]
        while let task = todo.popLast() {
            seen += 1
            guard task.blocked, task.parkedJob != nil, Self.onlyTasksCanEnd(task.waitReason) else { return false }
            if case .sleepForever = task.waitReason { sleepsForever = true }
            for nursery in task.childNurseries { todo.append(contentsOf: nursery.childTasks) }
        }
        guard seen == livingTasks else { return false }
        // `sleepForever` waits for a cancellation by design: in a run that owns Ctrl-C, that is
        // the user's interrupt (a program that serves until Ctrl-C), not a deadlock.
        return !sleepsForever || !KeyboardInterruptGuard.isOwned(by: self)
    }

    private static func onlyTasksCanEnd(_ reason: WaitReason) -> Bool {
        switch reason {
        case .thread, .swiftAsTrio, .hostedLoop, .readable, .writable, .process, .sleep, .allTasksBlocked:
            return false
        case .unspecified, .sleepForever, .event, .lock, .semaphore, .condition, .capacityLimiter, .parkingLot,
            .channelSend, .channelReceive, .nurseryChildren, .runSyncSoonQueue:
            return true
        }
    }
}
