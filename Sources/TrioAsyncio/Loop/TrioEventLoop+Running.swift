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
            stopMark = nil
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
                    // Stopped while idle: only what came before the stop runs (below).
                    guard case .running = core.state.phase else { break }
                }
            }
            // The clock may be a mock that only moves when the run jumps it: due means `<= now`.
            core.collectDueTimers(now: clock.currentTime())
            runBatch(driver, marker)
            guard case .running = core.state.phase else { break }
            try await driver.schedulePoint()
        }
        // trio-asyncio's stop marker: what was scheduled before `stop()` runs before the loop stops,
        // what came after waits for the next start.
        if let mark = stopMark, mark > 0 { runBatch(driver, marker, first: mark) }
    }

    /// Runs what was ready when the batch began, nested in the loop task's step, with the loop
    /// announced as the running loop and Sniffio answering "asyncio".
    /// - Parameter count: run only the first `count` ready items (the last batch before a stop), not all.
    private func runBatch(_ driver: HostedLoopDriver, _ marker: RunningLoopMarker, first count: Int? = nil) {
        guard !core.ready.isEmpty else { return }
        let batch = if let count { core.takeBatch(first: count) } else { core.takeBatch() }
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

    /// Stops the loop task once every callback scheduled before the call has run, as trio-asyncio's
    /// stop marker does: the rest of the batch it is running, then what was queued before the call
    /// (asyncio task steps and timers due by then included). Callbacks scheduled after the call, even
    /// by those, wait for the next start (``openLoop(queueLen:_:)``'s shutdown runs them).
    /// ``waitStopped()`` returns once it has stopped. On a ``SyncTrioEventLoop`` that is not running,
    /// the next run does the same with what was queued at the call, then stops.
    ///
    /// Flavor: sync. Called from another thread, it is scheduled through `callSoonThreadsafe` and
    /// takes effect when the loop runs it (a closed loop ignores it); asyncio leaves that case undefined.
    public func stop() {
        // From another thread (code in a `swiftAsAio` child, say) the stop goes through the inbox, as
        // `callSoonThreadsafe(loop.stop)` would: the queue and the lifecycle are the loop thread's alone.
        guard isOwnerThread else {
            _ = try? callSoonThreadsafe { [self] in stop() }
            return
        }
        let action = core.state.stop()
        // A second stop before the first took effect changes nothing (trio-asyncio queues one marker).
        guard action == .wakeLoop || (core.state.stopRequested && stopMark == nil) else { return }
        // Posts from other threads that arrived before the call, and timers due by now, count as
        // scheduled before it.
        core.takeInbox()
        core.collectDueTimers(now: clock.currentTime())
        stopMark = core.ready.count
        if action == .wakeLoop { wakeIfIdle() }
    }

    /// Closes the loop: pending callbacks and timers are dropped, fd watches and signal handlers
    /// removed, fds given to ``autoclose(_:)`` closed.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    public func close() throws {
        if try host.close(self) { return }
        guard let dropped = try core.close() else { return }
        stopMark = nil
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
