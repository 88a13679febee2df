import Trio

/// Blocks until every other task of the run is blocked, and has been for `cushion` real
/// seconds. Flavor: Trio; a checkpoint. Takes priority over `MockClock` autojumps.
///
/// - Throws: `Trio.Cancelled`; `Trio.ValueError` for a negative cushion.
public func waitAllTasksBlocked(cushion: Double = 0) async throws {
    try await Lowlevel.waitAllTasksBlocked(cushion: cushion)
}

/// Waits until every worker thread that `ToThread.runSync` started in this run has finished,
/// abandoned ones included, so that no thread is still making progress behind the test's back
/// (Trio's `trio.testing.wait_all_threads_completed`). Flavor: Trio; a checkpoint.
///
/// - Throws: `Trio.Cancelled`; `Trio.RuntimeError` outside a Trio task.
public func waitAllThreadsCompleted() async throws {
    try await Lowlevel.waitAllThreadsCompleted()
}

/// How many `ToThread.runSync` calls of this run still have a thread running, abandoned ones
/// included (Trio's `trio.testing.active_thread_count`). Flavor: sync.
///
/// - Throws: `Trio.RuntimeError` outside a run.
public func activeThreadCount() throws -> Int {
    try Lowlevel.activeThreadCount()
}

/// Forces tasks to run pieces of code in a chosen order, for tests. Flavor: Trio.
///
/// ```swift
/// let seq = Sequencer()
/// // task A:                           // task B:
/// try await seq.callAt(1) { … }        try await seq.callAt(0) { … }   // B's block runs first
/// ```
///
/// Each position may be used once; position `n` waits until position `n - 1` has finished.
public final class Sequencer {
    private var points: [Int: Trio.Event] = [:]
    private var claimed: Set<Int> = []
    private var broken = false

    /// Creates an empty sequencer.
    public init() {}

    private func point(_ position: Int) -> Trio.Event {
        if let event = points[position] { return event }
        let event = Trio.Event()
        points[position] = event
        return event
    }

    /// Waits for position `position - 1` to finish, runs `body`, then lets `position + 1` go.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Trio.RuntimeError` for a reused position, or once a cancelled wait broke the
    ///   sequence; the body's errors.
    public func callAt(_ position: Int, _ body: () async throws -> Void) async throws {
        if claimed.contains(position) { throw RuntimeError("Attempted to reuse sequence point \(position)") }
        if broken { throw RuntimeError("sequence broken!") }
        claimed.insert(position)
        if position != 0 {
            do {
                try await point(position).wait()
            } catch is Cancelled {
                broken = true
                for event in points.values { event.set() }
                throw RuntimeError("Sequencer wait cancelled -- sequence broken")
            }
            if broken { throw RuntimeError("sequence broken!") }
        }
        defer { point(position + 1).set() }
        try await body()
    }
}
