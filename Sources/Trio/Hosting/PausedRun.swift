/// A Trio run driven in slices by its owner (TrioAsyncio's `SyncTrioEventLoop`): between two
/// ``drive(start:until:)`` calls it is paused — nothing of it runs, it is not the run of its
/// thread, and work handed to it meanwhile (a job, a token callback) waits in its entry queue.
/// Like a guest run it reuses the runner's passes one by one, but on the owner's own thread and
/// blocking in the poll: no helper thread, no greenlet.
///
/// Package API. Invariants: every method runs on the thread that created the run. The runner is
/// installed as the thread's run (and `driving`) exactly inside ``withInstalled(_:)`` and
/// ``drive(start:until:)``; `outcome` is set once, when the last task has exited.
package final class PausedRun {
    let runner: Runner
    private let result: ResultBox<Void>
    private var outcome: Result<Void, any Error>?

    /// Starts a run whose main task is `main`; it does not run until driven.
    ///
    /// - Throws: `RuntimeError` when the OS refuses an epoll instance or an eventfd.
    package init(
        name: String, clock: (any TrioClock)? = nil, _ main: sending @escaping () async throws -> Void
    ) throws {
        // A run of its own even when created inside another one: only driving it there is refused.
        let outer = Runner.currentOnThread.value
        Runner.currentOnThread.set(nil)
        defer { Runner.currentOnThread.set(outer) }
        (runner, result) = try Runner.start(
            clock: clock, instruments: [], strictExceptionGroups: true, name: name, main)
        runner.driving = false
    }

    /// Whether every task of the run has exited.
    package var isFinished: Bool { outcome != nil }

    /// Runs `body` with the run installed as the thread's run (for set-up that needs it), then
    /// pauses it again.
    package func withInstalled<R>(_ body: () throws -> R) rethrows -> R {
        let outer = Runner.currentOnThread.value
        let wasDriving = runner.driving
        Runner.currentOnThread.set(runner)
        runner.driving = true
        defer {
            runner.driving = wasDriving
            Runner.currentOnThread.set(outer)
        }
        return try body()
    }

    /// Installs the run, calls `start`, then runs passes of the run (blocking in its poll when
    /// nothing is runnable) until `until()` holds after a pass or every task has exited; then
    /// pauses it.
    ///
    /// - Throws: `RuntimeError` when another run is the thread's run, or when this one has
    ///   finished; once the last task exits, what the main task threw.
    package func drive(start: () throws -> Void, until: () -> Bool) throws {
        if Runner.currentOnThread.value != nil {
            throw RuntimeError("Cannot run the event loop while another loop is running (inside a Trio run)")
        }
        guard outcome == nil else { throw RuntimeError("the Trio run behind this loop has finished") }
        try withInstalled {
            try start()
            while runner.livingTasks > 0, !until() {
                let plan = runner.planIteration()
                var events = 0
                if plan.mustPoll {
                    events = runner.io.poll(timeout: plan.timeout, entryQueue: runner.entryQueue, into: &runner.readyIO)
                    events += runner.afterIOWait(plan)
                }
                runner.finishIteration(plan, events: events)
            }
            if runner.livingTasks == 0 {
                outcome = Result { try runner.finishRun(result) }
            }
        }
        if case .failure(let error) = outcome { throw error }
    }
}
