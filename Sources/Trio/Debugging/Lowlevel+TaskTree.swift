extension Lowlevel {
    /// A snapshot of the current run's task tree: every task, nursery and cancel scope, and what
    /// each parked task waits for. Flavor: sync; not a checkpoint. The calling task shows as
    /// running.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func taskTree() throws -> TaskTreeSnapshot {
        let runner = try currentRunner("Lowlevel.taskTree")
        return try runner.taskTreeSnapshot(current: TrioTask.current)
    }

    /// Turns the current run's deadlock reports on or off (on by default). Flavor: sync.
    ///
    /// A run is deadlocked when its loop is about to wait with every task parked in a Trio
    /// blocking call that only another task of the run could end (an ``Event``, a lock, a
    /// channel, ``sleepForever()``, a nursery's children, ``Lowlevel/waitTaskRescheduled(_:)``),
    /// and nothing else can happen: no deadline or timer (sleeps and cancel-scope deadlines
    /// included, on any clock; a `MockClock` with autojump and no timer is stuck too), no fd being
    /// watched (sockets, signal receivers, child processes, hosted event loops), no worker thread
    /// or ``swiftAsTrio(_:)`` call in flight, no task awaiting plain Swift code elsewhere, no
    /// ``Lowlevel/waitAllTasksBlocked(cushion:)`` waiter, no instrument, nothing queued by other
    /// threads, and no ``TrioToken`` of the run held anywhere but in the run itself (a
    /// ``TrioThread``, ``FromThread`` or a thread given the token could still call in). A task in
    /// ``sleepForever()`` of a run that owns Ctrl-C waits for the user's interrupt, which is not a
    /// deadlock. The run then throws ``DeadlockError`` (see there) instead of hanging.
    ///
    /// It is on by default because it cannot fire by mistake: every one of those conditions is
    /// exact, not a timeout, so a run that could still make progress is never reported; a run
    /// that is reported would otherwise hang forever, and its error names every task and what
    /// it waits for. Guest runs and runs hosted by another loop never report (their host may
    /// still call in). Turn it off for a program that deliberately parks every task until an
    /// outside signal kills it (a process that handles `SIGTERM` with a receiver is not one: its
    /// receiver watches an fd).
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func setDeadlockDetection(_ enabled: Bool) throws {
        try currentRunner("Lowlevel.setDeadlockDetection").deadlockDetection = enabled
    }
}

extension TrioToken {
    /// A snapshot of this token's run, taken on the run's thread (so it is consistent) and
    /// handed back to the calling thread. Flavor: sync; blocks the calling thread until the
    /// run's thread has taken it (on the run's own thread it is taken at once).
    ///
    /// The run takes it between two task steps: a task that never reaches a checkpoint delays
    /// the answer until it does.
    ///
    /// - Throws: ``RunFinishedError`` once the run has ended.
    public func taskTree() throws -> TaskTreeSnapshot {
        if let runner = Runner.currentOnThread.value, runner.token == self {
            return try runner.taskTreeSnapshot(current: TrioTask.current)
        }
        let mailbox = ThreadMailbox<Result<TaskTreeSnapshot, any Error>>()
        try runSyncSoon {
            mailbox.put(Result {
                guard let runner = Runner.currentOnThread.value else { throw RunFinishedError() }
                return try runner.taskTreeSnapshot(current: runner.currentTask)
            })
        }
        return try mailbox.take().get()
    }
}
