import Sniffio
#if canImport(Glibc)
import Glibc
#endif

/// What an event loop hosted inside a Trio run (TrioAsyncio's `TrioEventLoop`) needs from the
/// runner: one Trio task that drains the loop's ready queue, parked while there is nothing to do;
/// a way to run another executor's jobs nested in that task's step without being mistaken for
/// it; fd callbacks registered once per fd in the run's I/O manager; the run's clock.
///
/// Package API: created by the hosted loop inside a run; the Trio task that drains the loop (the
/// "loop task") binds itself with ``bindLoopTask()`` while it runs. Every method runs on the
/// run's thread.
///
/// Invariants (loop thread only):
/// - `task` is set exactly between ``bindLoopTask()`` and ``unbindLoopTask()``.
/// - `idle` is true exactly while the loop task is parked in ``waitForWork(until:)``; only then
///   does ``wake()`` reschedule it, so a wake-up costs nothing while the task is busy.
/// - `timerArmed` is true while a sleeper entry of the loop task's current park is live in the
///   run's deadline heap; whoever ends the park first (timer, wake-up, cancel) retires it.
package final class HostedLoopDriver {
    // Strong: a hosted loop may be dropped after its run, and must not touch a freed runner; the
    // runner does not reference the driver, so there is no cycle.
    let runner: Runner
    private var task: TrioTask?
    private var idle = false
    private var timerArmed = false
    private var elidedYields = 0
    package static let maxElidedYields = 31
    /// Lists the hosted loop's own tasks for task-tree snapshots, under the loop task while one
    /// is bound (set once by the loop).
    package var describeHostedTasks: HostedTaskDescriber?

    /// A driver for the run on this thread.
    ///
    /// - Throws: `RuntimeError` outside a run.
    package init() throws {
        runner = try currentRunner("openLoop")
    }

    /// A driver for the paused run `run` (a loop that drives its own run).
    package init(run: PausedRun) {
        runner = run.runner
    }

    /// Makes the current Trio task the loop task.
    ///
    /// - Throws: `RuntimeError` outside a Trio task of this run, or when a loop task is bound.
    package func bindLoopTask() throws {
        let current = try currentTrioTask("the loop task")
        guard current.runner === runner else { throw RuntimeError("the loop task must belong to the loop's run") }
        guard task == nil else { throw RuntimeError("this event loop is already running") }
        task = current
        if let describeHostedTasks { runner.setHostedTaskDescriber(for: current, describeHostedTasks) }
    }

    /// Forgets the loop task (it is returning).
    package func unbindLoopTask() {
        if let task, describeHostedTasks != nil { runner.setHostedTaskDescriber(for: task, nil) }
        task = nil
        idle = false
        timerArmed = false
    }

    /// Whether the run is still going (a loop may outlive its run).
    package var runIsCurrent: Bool { Runner.currentOnThread.value === runner }

    /// The run's clock (a `MockClock` drives the hosted loop's timers too).
    package var clock: any TrioClock { runner.clock }

    /// Whether the caller is on the run's thread.
    package var isLoopThread: Bool { runner.isLoopThread }

    /// The run's token, for other threads.
    package var token: TrioToken { runner.token }

    /// Whether the loop task is parked waiting for work.
    package var isIdle: Bool { idle }

    /// Parks the loop task until ``wake()``, until the run's clock reaches `deadline`
    /// (`.infinity`: no timer), or until it is cancelled.
    ///
    /// - Throws: ``Cancelled`` when the loop task's scope is cancelled.
    package func waitForWork(until deadline: Double) async throws {
        guard let task else { throw RuntimeError("no loop task is bound") }
        if deadline < .infinity {
            task.sleepGeneration &+= 1
            runner.deadlines.add(deadline, .sleeper(task, task.sleepGeneration))
            timerArmed = true
        }
        idle = true
        let error = await runner.park(task, for: .hostedLoop) { [unowned self] _ in
            self.retireTimer()
            self.idle = false
            return .succeeded
        }
        // A timer that fired bumped the generation itself (the heap forgot the entry).
        timerArmed = false
        idle = false
        if let error { throw error }
    }

    /// Makes the parked loop task runnable (nothing when it is busy or already woken).
    package func wake() {
        guard idle, let task, task.blocked else { return }
        idle = false
        retireTimer()
        runner.reschedule(task)
    }

    private func retireTimer() {
        guard timerArmed, let task else { return }
        timerArmed = false
        // Only a live entry is counted; one that fired has been popped already.
        if task.blocked {
            task.sleepGeneration &+= 1
            runner.deadlines.didInvalidate()
        }
    }

    /// Runs `body` (which runs other executors' jobs and callbacks) with no current Trio task,
    /// so that Trio code reached from it without an adapter is not mistaken for the loop task.
    @inline(__always)
    package func runNested<R>(_ body: () throws -> R) rethrows -> R {
        let saved = runner.currentTask
        runner.currentTask = nil
        defer { runner.currentTask = saved }
        return try body()
    }

    /// A schedule point of the loop task, cancellable (Trio's `checkpoint`): a loop task found
    /// cancelled after its yield blocks and gets ``Cancelled`` one round later, as every Trio
    /// checkpoint does (trio-asyncio's loop task takes Trio's own checkpoints). A loop task of
    /// TrioAsyncio runs shielded and is never cancelled there, so this only keeps the contract.
    ///
    /// When yielding could change nothing — no other task is runnable, nothing waits in the entry
    /// queue, no fd is watched, no deadline is due, no instrument or `waitAllTasksBlocked` observes
    /// steps, no Ctrl-C is pending — the loop task goes on without the round trip through the run
    /// queue, for at most ``maxElidedYields`` steps in a row. A yield then would only put the task
    /// back at the head of an otherwise empty run queue, after the runner had checked exactly what
    /// is checked here; the bound keeps the runner's own periodic work (its poll every 32 passes)
    /// on schedule.
    ///
    /// - Throws: ``Cancelled``.
    package func schedulePoint() async throws {
        guard let task else { throw RuntimeError("no loop task is bound") }
        if elidedYields < Self.maxElidedYields, !task.cancelStatus.effectivelyCancelled, yieldWouldBeIdle {
            elidedYields += 1
            return
        }
        elidedYields = 0
        await runner.yieldShielded(task)
        if task.cancelStatus.effectivelyCancelled { try await blockForPendingCancel(task) }
    }

    /// Whether a yield now would find nothing else to run and nothing to notice (see ``schedulePoint()``).
    private var yieldWouldBeIdle: Bool {
        guard runner.runQueue.isEmpty, !runner.instrumented, runner.idleWaiters.isEmpty, !runner.io.hasWaiters,
            !runner.entryQueue.hasPending, !runner.keyboardInterruptRequested
        else { return false }
        return runner.deadlines.isEmpty || runner.deadlines.nextDeadline() > runner.clock.currentTime()
    }

    // MARK: fd callbacks

    /// Calls `callback` after every poll in which `fd` is ready in that direction (level-triggered,
    /// as asyncio's `add_reader`), until ``unwatch(fd:readable:)``. Replaces an earlier callback.
    ///
    /// - Throws: `OSError` when the fd cannot be watched (not open); `ValueError` when negative.
    package func watch(fd: Int32, readable: Bool, _ callback: @escaping () -> Void) throws {
        try runner.io.setCallback(fd: fd, readable: readable, callback)
    }

    /// Stops calling the callback of `fd` in that direction; false when there was none.
    @discardableResult
    package func unwatch(fd: Int32, readable: Bool) -> Bool {
        runner.io.removeCallback(fd: fd, readable: readable)
    }
}

extension HostedLoopDriver {
    /// The clock of the run on this thread, if any (for loops created outside their loop task).
    package static var currentRunClock: (any TrioClock)? { Runner.currentOnThread.value?.clock }

    /// Whether the caller is a Trio task of the run on this thread.
    package static var inTrioTask: Bool { TrioTask.current != nil }
}
