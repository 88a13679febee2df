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
        do {
            try state.start()
        } catch let error as LoopStateError {
            throw RuntimeError(error.message)
        }
        try driver.bindLoopTask()
        stoppedEvent = Trio.Event()
        // Announces the loop on its thread for every batch without allocating; it holds the loop, so it
        // lives only while the loop task runs.
        let marker = RunningLoopMarker(self)
        defer {
            driver.unbindLoopTask()
            idleDeadline = .infinity
            state.loopTaskReturned()
            stoppedEvent.set()
            if !isSyncLoop { failBridgeWaiters(Self.stoppedBeforeCompletion()) }
        }
        try started()
        while state.phase == .running {
            if ready.isEmpty {
                let next = timers.nextDeadline() ?? .infinity
                if next > clock.currentTime() {
                    idleDeadline = next
                    defer { idleDeadline = .infinity }
                    try await driver.waitForWork(until: next)
                }
            }
            collectDueTimers()
            runBatch(driver, marker)
            if state.phase != .running { break }
            try await driver.schedulePoint()
        }
    }

    /// Moves every timer that is due to the ready queue, in due order.
    private func collectDueTimers() {
        guard !timers.isEmpty else { return }
        // The clock may be a mock that only moves when the run jumps it: due means `<= now`.
        timers.popDue(now: clock.currentTime()) { ready.append(.handle($0)) }
    }

    /// Runs what was ready when the batch began; what it schedules waits for the next one.
    private func runBatch(_ driver: HostedLoopDriver, _ marker: RunningLoopMarker) {
        guard !ready.isEmpty else { return }
        var batch: [ReadyItem] = []
        swap(&batch, &spareReady)
        swap(&batch, &ready)
        let executor = asUnownedTaskExecutor()
        driver.runNested {
            marker.withRunning {
                AsyncLibrary.withThreadLibrary("asyncio") {
                    runReadyBatch(
                        batch, on: executor, debug: debug, slowCallbackDuration: slowCallbackDuration, time: time)
                }
            }
        }
        batch.removeAll(keepingCapacity: true)
        swap(&batch, &spareReady)
    }

    // MARK: Running and stopping

    /// Not available on a loop that runs inside Trio: a Trio task awaits asyncio work with
    /// ``runAioFuture(_:)``; code that needs a blocking loop uses ``SyncTrioEventLoop``, where this
    /// runs the loop until `future` is done.
    ///
    /// Flavor: sync (blocking on a ``SyncTrioEventLoop``). - Throws: `RuntimeError` always, except
    /// on a ``SyncTrioEventLoop`` (closed or running loop, inside another run, a future of another loop).
    public func runUntilComplete<T>(_ future: Future<T>) throws -> T {
        if isSyncLoop { return try syncLoop.syncRunUntilComplete(future) }
        throw RuntimeError(
            "runUntilComplete cannot run a TrioEventLoop, which runs inside Trio: await the future with "
                + "runAioFuture(_:) (or aioAsTrio) from a Trio task, or use SyncTrioEventLoop for a blocking loop")
    }

    /// Not available on a loop that runs inside Trio (see ``runUntilComplete(_:)``); on a
    /// ``SyncTrioEventLoop`` it runs the loop until ``stop()``.
    ///
    /// Flavor: sync (blocking on a ``SyncTrioEventLoop``). - Throws: `RuntimeError` always, except on a
    /// ``SyncTrioEventLoop``.
    public func runForever() throws {
        if isSyncLoop { return try syncLoop.syncRunForever() }
        throw RuntimeError(
            "runForever cannot run a TrioEventLoop, which runs inside Trio: it runs for as long as its openLoop "
                + "block; await asyncio work with runAioFuture(_:), or use SyncTrioEventLoop for a blocking loop")
    }

    /// Stops the loop task after the batch it is running (or right away when it is idle). The
    /// callbacks still queued wait for the next start; ``waitStopped()`` returns once it has stopped.
    ///
    /// Flavor: sync.
    public func stop() {
        if isSyncLoop, !state.isRunning { return syncLoop.stopWhileNotRunning() }
        if state.stop() == .wakeLoopTask { wakeIfIdle() }
    }

    /// Closes the loop: pending callbacks and timers are dropped, fd watches and signal handlers
    /// removed, fds given to ``autoclose(_:)`` closed.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    public func close() throws {
        if isSyncLoop, try syncLoop.syncClose() { return }
        do {
            guard try state.close() else { return }
        } catch let error as LoopStateError {
            throw RuntimeError(error.message)
        }
        closedFlag.store(true, ordering: .relaxed)
        failBridgeWaiters(RuntimeError("Event loop is closed"))
        for item in ready { item.discard(cancellingHandles: true) }
        ready.removeAll()
        timers.removeAll()
        for fd in Array(readers.keys) { _ = removeReader(fd) }
        for fd in Array(writers.keys) { _ = removeWriter(fd) }
        signalHandlers.removeAll(on: self)
        for fd in autocloseFDs { _ = Glibc.close(fd) }
        autocloseFDs.removeAll()
        defaultExecutor.shutdown(wait: false)
        inbox.withLock { $0.removeAll() }
        TaskRegistry.forget(loop: self)
    }
}
