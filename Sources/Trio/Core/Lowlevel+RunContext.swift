extension Lowlevel {
    /// Whether the caller is inside a Trio run: in one of its tasks (callbacks queued with
    /// ``TrioToken/runSyncSoon(idempotencyKey:_:)`` run in a system task, as in Trio), or in code
    /// the run calls on its own thread outside any task (instrument hooks such as `beforeRun` and
    /// `beforeIOWait`). Flavor: sync; never throws.
    ///
    /// True exactly when ``Trio/currentTime()`` would succeed (Trio's `lowlevel.in_trio_run`).
    /// Code on a worker thread of ``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)`` is
    /// not in the run.
    public static func inTrioRun() -> Bool { Runner.currentOnThread.value != nil }

    /// Whether the caller is running in a Trio task. Flavor: sync; never throws.
    ///
    /// True exactly when ``currentTask()`` would succeed (Trio's `lowlevel.in_trio_task`): in a
    /// task's body, in abort callbacks and in the instrument hooks about a task's steps and exit
    /// (`beforeTaskStep`, `afterTaskStep`, `taskExited`).
    /// A Swift child task (`async let`, a task group) or an unstructured `Task` started from a
    /// Trio task is not itself a Trio task.
    public static func inTrioTask() -> Bool { TrioTask.current != nil }
}
