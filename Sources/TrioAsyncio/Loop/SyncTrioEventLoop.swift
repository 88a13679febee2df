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
    /// A loop with a paused Trio run of its own.
    ///
    /// Flavor: sync. Creating one inside a Trio run works (running it there does not).
    /// - Parameter clock: the clock of the loop's Trio run, which `time()` reads (default: the system's
    ///   monotonic clock; TrioTesting's `MockClock` for virtual time in tests).
    /// - Throws: `OSError` when the OS refuses the run an epoll instance or an eventfd (as
    ///   `SelectorEventLoop()` does).
    public init(clock: (any TrioClock)? = nil) throws {
        _ = LoopLookup.installed
        let host = try PausedRunHost(clock: clock)
        super.init(queueLen: nil, driver: HostedLoopDriver(run: host.run), host: host)
        host.loop = self
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

    /// `<SyncTrioEventLoop running=yes|no|closed>`. Flavor: sync.
    public override var description: String {
        "<SyncTrioEventLoop running=\(isClosed ? "closed" : isRunning ? "yes" : "no")>"
    }
}
