import Asyncio
import Trio

/// The host of a ``SyncTrioEventLoop``: a Trio run of the loop's own, *paused* between two calls
/// (nothing of it runs, and it is not the run of the thread). `runUntilComplete`, `runForever` and
/// `close` drive it on the calling thread, pass by pass as a guest run is driven, until the loop
/// stops; no helper thread.
///
/// The run's main task (``hostRun(_:)``) holds the loop's nurseries and starts the loop task on each
/// ``request``; every field here is touched on the thread that drives the run.
final class PausedRunHost: TrioLoopHost {
    let run: PausedRun
    /// The loop; set right after the loop's creation, and the loop owns this host.
    weak var loop: TrioEventLoop?
    /// Set to ask the main task for the next start of the loop task (or for the shutdown).
    private var request = Trio.Event()
    private var closing = false
    private var shuttingDown = false
    /// How many times the main task saw the loop task return: a drive ends when it grows.
    private var stops = 0

    var stopWhileIdle: LoopState.StopWhileIdle { .nextRunRunsOnce }
    // A standalone asyncio loop in these respects.
    var handlerOutlivesClose: Bool { true }
    var raisesIntoOpenLoop: Bool { false }
    var stopFailsBridgeWaiters: Bool { false }

    init(clock: (any TrioClock)?) throws {
        let box = WeakHost()
        run = try PausedRun(name: "SyncTrioEventLoop", clock: clock) {
            guard let host = box.host, let loop = host.loop else { return }
            try await host.hostRun(loop)
        }
        box.host = self
    }

    /// Where the run's main task finds its host, which does not exist yet when the run is made.
    private final class WeakHost: @unchecked Sendable {
        weak var host: PausedRunHost?
    }

    // MARK: The run's main task

    /// The main task of the loop's run: holds the loop's nurseries, starts the loop task on each
    /// request, and shuts down on close.
    private func hostRun(_ loop: TrioEventLoop) async throws {
        try await CurrentLoop.$value.withValue(loop) {
            try await withNursery(strictExceptionGroups: false) { loopNursery in
                loop.loopNursery = loopNursery
                try await loop.startTasksNursery(in: loopNursery)
                while true {
                    try await self.request.wait()
                    self.request = Trio.Event()
                    if self.closing { break }
                    try await loop.startLoopTask(in: loopNursery)
                    try await loop.waitStopped()
                    self.stops += 1
                }
                self.shuttingDown = true
                defer { self.shuttingDown = false }
                try await CancelScope(shield: true).run {
                    // Its tasks unwind on a running loop, even if it never ran.
                    if !loop.isRunning, !loop.isClosed { try await loop.startLoopTask(in: loopNursery) }
                    try await loop.shutDown()
                }
            }
        }
    }

    // MARK: Running

    func runUntilComplete<T>(_ future: Future<T>, of loop: TrioEventLoop) throws -> T {
        try runLoopUntilComplete(
            future, on: loop, checkRunnable: { try checkRunnable(loop) }, runForever: { try runUntilStopped(loop) })
    }

    func runForever(_ loop: TrioEventLoop) throws {
        try checkRunnable(loop)
        try runUntilStopped(loop)
    }

    private func checkRunnable(_ loop: TrioEventLoop) throws {
        try loop.core.checkRunnable()
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError(
                "Cannot run a SyncTrioEventLoop inside a Trio run: inside Trio, use openLoop and runAioFuture")
        }
    }

    private func runUntilStopped(_ loop: TrioEventLoop) throws {
        let before = stops
        // A `stop()` while not running makes this run start as `.stopping`: it runs what was queued
        // at the call (the loop's stop mark), then stops.
        try run.drive(start: { request.set() }, until: { stops != before })
    }

    // MARK: Closing

    /// Cancels and awaits the loop's asyncio tasks and the Trio tasks they started, as
    /// ``openLoop(queueLen:_:)`` does at exit, then ends the run; `true` when that is done (the
    /// shutdown itself closes the loop's state through the loop's plain `close`).
    func close(_ loop: TrioEventLoop) throws -> Bool {
        if shuttingDown { return false }
        if loop.isRunning { throw RuntimeError("Cannot close a running event loop") }
        if loop.core.state.isClosed { return true }
        // A run that ended without its shutdown (its host threw) leaves the plain close to the loop.
        if run.isFinished { return false }
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError("Cannot close a SyncTrioEventLoop inside a Trio run: close it where it runs")
        }
        // A stop that waited for a next run that never comes.
        _ = loop.core.state.takeStopRequest()
        loop.stopMark = nil
        closing = true
        try run.drive(start: { request.set() }, until: { false })
        return true
    }

    // MARK: While not running

    func trioAsFutureWhileNotRunning<T>(_ proc: @escaping () async throws -> T, on loop: TrioEventLoop) throws
        -> Future<T>?
    {
        if loop.tasksNursery == nil {
            // Not run yet: let the run set up its nurseries first.
            try run.drive(start: {}, until: { loop.tasksNursery != nil })
        }
        return run.withInstalled { loop.spawnTrioTask(proc) }
    }

    func withRunInstalled<R>(_ body: () throws -> R) throws -> R {
        if run.isFinished { throw RuntimeError.loopClosed }
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError("a SyncTrioEventLoop cannot be used inside another Trio run")
        }
        return try run.withInstalled(body)
    }
}
