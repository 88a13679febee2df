import Asyncio
import Trio

/// A ``TrioEventLoop`` for asyncio programs that run their loop themselves: trio-asyncio's
/// `SyncTrioEventLoop`.
///
/// Flavor: sync, blocking (``TrioEventLoop/runUntilComplete(_:)``, ``TrioEventLoop/runForever()``,
/// ``TrioEventLoop/close()``); call it outside any Trio run or running loop. Behind it is a Trio run
/// of its own that is *paused* between two calls: nothing of it runs, and it is not the run of the
/// thread. Each call drives that run on the calling thread, pass by pass as a guest run is driven,
/// until the loop stops; no helper thread, no greenlet. So the loop is reusable — repeated
/// ``TrioEventLoop/runUntilComplete(_:)``, ``TrioEventLoop/runForever()`` / ``TrioEventLoop/stop()``
/// — and inside it ``trioAsAio(loop:_:)-922h5``, ``runTrio(_:)`` and every Trio primitive reached through
/// them work: their Trio tasks belong to the loop's run, and advance only while the loop runs.
///
/// While it runs, ``CurrentLoop`` is this loop in its callbacks, in its asyncio tasks and in the
/// Trio tasks they start, and `Asyncio.getRunningLoop()` returns it. ``TrioEventLoop/close()`` shuts
/// it down as ``openLoop(queueLen:_:)`` does (asyncio tasks and Trio tasks started from asyncio are cancelled
/// and awaited) and ends its Trio run; afterwards every scheduling call throws
/// `RuntimeError` "Event loop is closed".
///
/// `Asyncio.run(loopFactory: { try SyncTrioEventLoop() }) { … }` runs an asyncio program on it, and
/// `setNewEventLoopFactory { try SyncTrioEventLoop() }` makes `newEventLoop()` and `getEventLoop()` produce it.
public final class SyncTrioEventLoop: TrioEventLoop, @unchecked Sendable {
    private let run: PausedRun
    /// Set to ask the host task for the next start of the loop task (or for the shutdown).
    private var request = Trio.Event()
    private var closing = false
    private var shuttingDown = false
    /// How many times the host task saw the loop task return: a drive ends when it grows.
    private var stops = 0
    /// `stop()` while not running: the next run does one iteration (asyncio's rule).
    private var stopPending = false

    /// A loop with a paused Trio run of its own.
    ///
    /// Flavor: sync. Creating one inside a Trio run works (running it there does not).
    /// - Parameter clock: the clock of the loop's Trio run, which `time()` reads (default: the system's
    ///   monotonic clock; TrioTesting's `MockClock` for virtual time in tests).
    /// - Throws: `OSError` when the OS refuses the run an epoll instance or an eventfd (as
    ///   `SelectorEventLoop()` does).
    public init(clock: (any TrioClock)? = nil) throws {
        _ = LoopLookup.installed
        let box = HostBox()
        let run = try PausedRun(name: "SyncTrioEventLoop", clock: clock) { try await box.loop?.hostRun() }
        let driver = HostedLoopDriver(run: run)
        self.run = run
        super.init(queueLen: nil, driver: driver, isSyncLoop: true)
        box.loop = self
    }

    /// Where the run's main task finds its loop, which does not exist yet when the run is made.
    private final class HostBox: @unchecked Sendable {
        weak var loop: SyncTrioEventLoop?
    }

    // MARK: The run's main task

    /// The main task of the loop's run: holds the loop's nurseries, starts the loop task on each
    /// request, and shuts down on close.
    private func hostRun() async throws {
        try await CurrentLoop.$value.withValue(self) {
            try await withNursery(strictExceptionGroups: false) { loopNursery in
                self.loopNursery = loopNursery
                try await self.startTasksNursery(in: loopNursery)
                while true {
                    try await self.request.wait()
                    self.request = Trio.Event()
                    if self.closing { break }
                    try await self.startLoopTask(in: loopNursery)
                    try await self.waitStopped()
                    self.stops += 1
                }
                self.shuttingDown = true
                defer { self.shuttingDown = false }
                try await CancelScope(shield: true).run {
                    // Its tasks unwind on a running loop, even if it never ran.
                    if !self.isRunning, !self.isClosed { try await self.startLoopTask(in: loopNursery) }
                    try await self.shutDown()
                }
            }
        }
    }

    // MARK: Running

    /// Runs the loop until `future` is done and returns its result (asyncio's `run_until_complete`).
    ///
    /// Flavor: sync, blocking. - Throws: the future's error; `CancelledError`; `RuntimeError` when the loop is
    /// closed or already running, when called inside a Trio run or a running loop, or when the loop stopped before
    /// the future completed; `ValueError` for a future of another loop.
    func syncRunUntilComplete<T>(_ future: Future<T>) throws -> T {
        try checkRunnable()
        guard future.loop === self else {
            throw ValueError("The future belongs to a different loop than the one specified as the loop argument")
        }
        let id = future.addAnyDoneCallback { [unowned self] _ in self.stop() }
        defer { future.removeDoneCallback(id) }
        try runUntilStopped()
        guard future.done else { throw RuntimeError("Event loop stopped before Future completed.") }
        return try future.result()
    }

    /// Runs the loop until ``TrioEventLoop/stop()`` (asyncio's `run_forever`).
    ///
    /// Flavor: sync, blocking. - Throws: `RuntimeError` when the loop is closed or already running, or when
    /// called inside a Trio run or a running loop.
    func syncRunForever() throws {
        try checkRunnable()
        try runUntilStopped()
    }

    /// ``TrioEventLoop/stop()`` while the loop does not run: its next run does one iteration and stops
    /// (asyncio's rule).
    func stopWhileNotRunning() {
        if !isClosed { stopPending = true }
    }

    private func checkRunnable() throws {
        if isClosed { throw RuntimeError("Event loop is closed") }
        if isRunning { throw RuntimeError("This event loop is already running") }
        if runningLoopIfAny() != nil { throw RuntimeError("Cannot run the event loop while another loop is running") }
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError(
                "Cannot run a SyncTrioEventLoop inside a Trio run: inside Trio, use openLoop and runAioFuture")
        }
    }

    private func runUntilStopped() throws {
        let before = stops
        try run.drive(start: {
            if stopPending {
                stopPending = false
                try callSoon { [unowned self] in self.stop() }
            }
            request.set()
        }, until: { stops != before })
    }

    // MARK: Closing

    /// ``TrioEventLoop/close()`` of this loop: cancels and awaits its asyncio tasks and the Trio tasks
    /// they started, as ``openLoop(queueLen:_:)`` does at exit, then ends the loop's Trio run; true when
    /// that is done (the shutdown itself closes the loop's state through the plain `close`).
    func syncClose() throws -> Bool {
        if shuttingDown { return false }
        if isRunning { throw RuntimeError("Cannot close a running event loop") }
        guard !isClosed, !run.isFinished else { return true }
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError("Cannot close a SyncTrioEventLoop inside a Trio run: close it where it runs")
        }
        closing = true
        try run.drive(start: { request.set() }, until: { false })
        return true
    }

    /// Creates an asyncio task of this loop; it sees ``CurrentLoop`` as this loop even when created
    /// from outside the loop.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    public override func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws
        -> AsyncioTask<T>
    {
        if CurrentLoop.value === self { return try super.createTask(name: name, body) }
        return try CurrentLoop.$value.withValue(self) { try super.createTask(name: name, body) }
    }

    /// ``TrioEventLoop/trioAsFuture(_:)`` while the loop does not run: the task joins the paused run
    /// and starts with the loop's next run.
    func trioAsFutureWhileNotRunning<T>(_ proc: @escaping () async throws -> T) throws -> Future<T> {
        if tasksNursery == nil {
            // Not run yet: let the run set up its nurseries first.
            try run.drive(start: {}, until: { tasksNursery != nil })
        }
        return run.withInstalled { spawnTrioTask(proc) }
    }

    /// Runs `body` with the loop's paused run installed on this thread (registrations with the run's
    /// I/O manager and signal table while the loop does not run).
    func withPausedRun<R>(_ body: () throws -> R) throws -> R {
        if run.isFinished { throw RuntimeError("Event loop is closed") }
        if HostedLoopDriver.currentRunClock != nil {
            throw RuntimeError("a SyncTrioEventLoop cannot be used inside another Trio run")
        }
        return try run.withInstalled(body)
    }

    /// `<SyncTrioEventLoop running=yes|no|closed>`. Flavor: sync.
    public override var description: String {
        "<SyncTrioEventLoop running=\(isClosed ? "closed" : isRunning ? "yes" : "no")>"
    }
}
