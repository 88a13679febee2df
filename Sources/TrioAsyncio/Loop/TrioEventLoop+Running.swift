import Asyncio
import Sniffio
import Trio
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

extension TrioEventLoop {
    // MARK: The loop task

    /// The body of the loop task: drain, run, take a schedule point, until ``stop()`` or cancellation.
    ///
    /// Must run in a Trio task of the loop's run (``openLoop(queueLen:_:)`` starts it); `started`
    /// is called once the loop counts as running.
    func runLoopTask(started: () throws -> Void) async throws {
        try core.start()
        do {
            try driver.bindLoopTask()
        } catch {
            core.state.runReturned()
            throw error
        }
        stoppedEvent = Trio.Event()
        // Announces the loop on its thread for every batch without allocating; it holds the loop, so it
        // lives only while the loop task runs.
        let marker = RunningLoopMarker(self)
        defer {
            driver.unbindLoopTask()
            idleDeadline = .infinity
            core.state.runReturned()
            stoppedEvent.set()
            if host.stopFailsBridgeWaiters { failBridgeWaiters(Self.stoppedBeforeCompletion()) }
        }
        try started()
        while case .running = core.state.phase {
            if core.ready.isEmpty {
                let next = core.timers.nextDeadline() ?? .infinity
                if next > clock.currentTime() {
                    idleDeadline = next
                    defer { idleDeadline = .infinity }
                    try await driver.waitForWork(until: next)
                }
            }
            // The clock may be a mock that only moves when the run jumps it: due means `<= now`.
            core.collectDueTimers(now: clock.currentTime())
            runBatch(driver, marker)
            guard case .running = core.state.phase else { break }
            try await driver.schedulePoint()
        }
    }

    /// Runs what was ready when the batch began, nested in the loop task's step, with the loop
    /// announced as the running loop and Sniffio answering "asyncio".
    private func runBatch(_ driver: HostedLoopDriver, _ marker: RunningLoopMarker) {
        guard !core.ready.isEmpty else { return }
        let batch = core.takeBatch()
        let executor = asUnownedTaskExecutor()
        let debug = core.debug, slowCallbackDuration = core.slowCallbackDuration
        driver.runNested {
            marker.withRunning {
                AsyncLibrary.withThreadLibrary("asyncio") {
                    runReadyBatch(
                        batch, on: executor, debug: debug, slowCallbackDuration: slowCallbackDuration, time: time)
                }
            }
        }
        core.recycleBatch(batch)
    }

    // MARK: Running and stopping

    /// Not available on a loop that runs inside Trio: a Trio task awaits asyncio work with
    /// ``runAioFuture(_:)``; code that needs a blocking loop uses ``SyncTrioEventLoop``, where this
    /// runs the loop until `future` is done.
    ///
    /// Flavor: sync (blocking on a ``SyncTrioEventLoop``). - Throws: `RuntimeError` always, except
    /// on a ``SyncTrioEventLoop`` (closed or running loop, inside another run, a future of another loop).
    public func runUntilComplete<T>(_ future: Future<T>) throws -> T {
        try host.runUntilComplete(future, of: self)
    }

    /// Not available on a loop that runs inside Trio (see ``runUntilComplete(_:)``); on a
    /// ``SyncTrioEventLoop`` it runs the loop until ``stop()``.
    ///
    /// Flavor: sync (blocking on a ``SyncTrioEventLoop``). - Throws: `RuntimeError` always, except on a
    /// ``SyncTrioEventLoop``.
    public func runForever() throws {
        try host.runForever(self)
    }

    /// Stops the loop task after the batch it is running (or right away when it is idle). The
    /// callbacks still queued wait for the next start; ``waitStopped()`` returns once it has stopped.
    ///
    /// Flavor: sync.
    public func stop() {
        if core.state.stop() == .wakeLoop { wakeIfIdle() }
    }

    /// Closes the loop: pending callbacks and timers are dropped, fd watches and signal handlers
    /// removed, fds given to ``autoclose(_:)`` closed.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    public func close() throws {
        if try host.close(self) { return }
        guard let dropped = try core.close() else { return }
        failBridgeWaiters(RuntimeError.loopClosed)
        // A bridge hears of a dropped callback through its handle's cancellation.
        dropped.release(cancellingHandles: true)
        for fd in dropped.readerFDs { unregister(fd, readable: true) }
        for fd in dropped.writerFDs { unregister(fd, readable: false) }
        signalHandlers.removeAll(on: self)
        for fd in autocloseFDs { _ = Glibc.close(fd) }
        autocloseFDs.removeAll()
        defaultExecutor.shutdown(wait: false)
        TaskRegistry.forget(loop: self)
    }
}
