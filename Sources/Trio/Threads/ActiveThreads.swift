/// The worker threads one run has started through ``ToThread`` that have not finished yet,
/// abandoned ones included (Trio's active-threads run variable, behind
/// `trio.testing.active_thread_count` and `wait_all_threads_completed`). Flavor: internal; the
/// run's thread only.
final class ActiveThreads {
    static let key = ObjectIdentifier(ActiveThreads.self)

    private(set) var count = 0
    /// Set whenever ``count`` is 0; replaced by a fresh event when it leaves 0.
    private(set) var allCompleted = Event()

    private init() { allCompleted.set() }

    /// The run's tracker, created on first use.
    static func of(_ runner: Runner) -> ActiveThreads {
        if let tracker = runner.runLocals[key] as? ActiveThreads { return tracker }
        let tracker = ActiveThreads()
        runner.runLocals[key] = tracker
        return tracker
    }

    func threadStarted() {
        if count == 0 { allCompleted = Event() }
        count += 1
    }

    func threadFinished() {
        count -= 1
        if count == 0 { allCompleted.set() }
    }
}

extension Lowlevel {
    /// How many ``ToThread`` calls of the current run still have a thread running, abandoned
    /// ones included (Trio's `trio.testing.active_thread_count`). Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func activeThreadCount() throws -> Int {
        ActiveThreads.of(try currentRunner("activeThreadCount")).count
    }

    /// Waits until every thread started by ``ToThread`` in the current run has finished,
    /// abandoned ones included (Trio's `trio.testing.wait_all_threads_completed`): tests use it
    /// to be sure that no thread is still making progress. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task.
    public static func waitAllThreadsCompleted() async throws {
        let task = try currentTrioTask("waitAllThreadsCompleted")
        // Waiting on a set event is still a checkpoint.
        try await ActiveThreads.of(task.runner).allCompleted.wait()
    }
}
