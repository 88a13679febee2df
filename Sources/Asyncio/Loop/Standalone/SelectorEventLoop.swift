import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif
import HeapModule
import Sniffio
import Synchronization

/// The standalone asyncio event loop: a ready queue, a timer heap and epoll, run on the calling thread.
///
/// Flavor: sync (its `run…` methods block the calling thread). Nothing here uses Swift's global
/// concurrent pool: the loop is itself the `TaskExecutor` of its ``AsyncioTask``s, and its timers are its
/// own. Other threads reach it through ``callSoonThreadsafe(_:)`` (an eventfd wakes `epoll_wait`).
public final class SelectorEventLoop: AbstractEventLoop, TimerHandleScheduler, AsyncioTaskHost, @unchecked Sendable {
    /// The queue, timers, watch tables, inbox and lifecycle every loop of the package has (see ``LoopCore``).
    /// Unchecked exclusivity: every `callSoon` and task step reaches the queue through it, on the loop thread
    /// only, and no access to it runs a callback (see ``LoopCore``).
    @exclusivity(unchecked) var core: LoopCore
    /// The core's inbox, for other threads (see ``LoopCore/inbox``).
    let inbox = LoopInbox()
    /// epoll, the eventfd and the clock.
    private let driver: EpollDriver
    /// Signal handlers and their self-pipe.
    package let signalHandlers = LoopSignalHandlers()
    var defaultExecutor: ThreadPoolExecutor?
    /// The loop's unfinished tasks.
    package let taskRegistry = LoopTaskRegistry()
    /// The thread that runs the loop (before its first run: the one that created it); read from any thread.
    private let ownerThread: Atomic<UInt>

    /// Debug mode: ``callSoon(_:)`` and friends check they are called on the loop's thread, and callbacks
    /// slower than ``slowCallbackDuration`` are reported to stderr. Flavor: sync.
    public var debug: Bool { get { core.debug } set { core.debug = newValue } }
    /// The duration (seconds) above which a callback counts as slow in debug mode. Flavor: sync.
    public var slowCallbackDuration: Double {
        get { core.slowCallbackDuration } set { core.slowCallbackDuration = newValue }
    }

    /// Where ``time()`` comes from; set at creation. Flavor: sync.
    public var clock: LoopClock { driver.clock }

    /// Creates a loop owned by the calling thread.
    ///
    /// Flavor: sync.
    /// - Parameter clock: where ``time()`` comes from: the monotonic clock, or virtual time for tests.
    /// - Throws: `OSError` when the OS refuses an epoll instance or an eventfd.
    public init(clock: LoopClock = .monotonic) throws {
        driver = try EpollDriver(clock: clock)
        core = LoopCore(stopWhileIdle: .nextRunRunsOnce, inbox: inbox)
        ownerThread = Atomic(UInt(pthread_self()))
    }

    deinit {
        // Dropped without close() (CPython's loop __del__ closes it): give back what would outlive the loop,
        // the process-wide signal handling and the default executor's idle threads.
        if !core.state.isClosed {
            closeSignalHandling()
            defaultExecutor?.shutdown(wait: false)
        }
    }

    // MARK: Scheduling

    /// Schedules `callback` for the next iteration (see ``AbstractEventLoop/callSoon(_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    public func callSoon(_ callback: @escaping () -> Void) throws -> Handle {
        // The loop thread's own flag: no atomic load on the hot path (other threads use the inbox's).
        if core.state.isClosed { throw RuntimeError.loopClosed }
        if core.debug { try checkThread("callSoon") }
        let handle = Handle(callback)
        core.ready.append(.handle(handle))
        return handle
    }

    /// Starts `body` as an ``AsyncioTask`` (see ``AbstractEventLoop/createTask(name:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
        try core.checkOpen()
        return AsyncioTask(loop: self, host: self, name: name, body)
    }

    /// Appends `item` to the ready queue (loop thread); `false` when closed.
    package func enqueueReady(_ item: ReadyItem) -> Bool {
        core.enqueueReady(item)
    }

    /// Schedules `callback` from any thread and wakes the loop (see ``AbstractEventLoop/callSoonThreadsafe(_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    public func callSoonThreadsafe(_ callback: @escaping @Sendable () -> Void) throws -> Handle {
        // The inbox refuses the post once the loop is closed (checked under its lock).
        let handle = Handle(callback)
        guard post(.handle(handle)) else { throw RuntimeError.loopClosed }
        return handle
    }

    /// Schedules `callback` at loop time `when` (see ``AbstractEventLoop/callAt(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `ValueError` when `when` is NaN.
    @discardableResult
    public func callAt(_ when: Double, _ callback: @escaping () -> Void) throws -> TimerHandle {
        try core.checkTimerDeadline(when)
        if core.debug { try checkThread("callAt") }
        let handle = TimerHandle(when: when, scheduler: self, callback)
        core.timers.insert(handle)
        return handle
    }

    /// Seconds on the loop's ``clock``: the monotonic clock, or virtual time. Flavor: sync.
    public func time() -> Double { driver.time() }

    /// Counts a cancelled timer, so that the heap is pruned once they are many. Flavor: sync.
    public func timerHandleCancelled(_ handle: TimerHandle) {
        core.timers.handleCancelled()
    }

    // MARK: TaskExecutor

    /// Runs a step of a Swift task: one entry in the ready queue, FIFO with the callbacks. From another thread
    /// (a continuation resumed there) the job takes the thread-safe path. Flavor: sync, thread-safe.
    public func enqueue(_ job: consuming ExecutorJob) {
        let item = ReadyItem.job(UnownedJob(job))
        if pthread_equal(pthread_t(ownerThread.load(ordering: .relaxed)), pthread_self()) != 0 {
            core.ready.append(item)
        } else {
            post(item)
        }
    }

    /// Hands `item` to the loop thread; `false` when the loop is closed.
    @discardableResult
    private func post(_ item: ReadyItem) -> Bool {
        switch inbox.post(item) {
        case .wake: driver.wake()
        case .queued: break
        case .refused: return false
        }
        return true
    }

    private func checkThread(_ what: String) throws {
        if core.state.isRunning && pthread_equal(pthread_t(ownerThread.load(ordering: .relaxed)), pthread_self()) == 0 {
            throw RuntimeError("Non-thread-safe operation \(what) invoked on an event loop other than the current one")
        }
    }

    // MARK: File descriptors

    /// Watches `fd` for reading (see ``AbstractEventLoop/addReader(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed, `OSError` from epoll.
    public func addReader(_ fd: Int32, _ callback: @escaping () -> Void) throws {
        try watch(fd, in: \.readers, callback)
    }

    /// Stops watching `fd` for reading. Flavor: sync.
    public func removeReader(_ fd: Int32) -> Bool {
        unwatch(fd, in: \.readers)
    }

    /// Watches `fd` for writing (see ``AbstractEventLoop/addWriter(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed, `OSError` from epoll.
    public func addWriter(_ fd: Int32, _ callback: @escaping () -> Void) throws {
        try watch(fd, in: \.writers, callback)
    }

    /// Stops watching `fd` for writing. Flavor: sync.
    public func removeWriter(_ fd: Int32) -> Bool {
        unwatch(fd, in: \.writers)
    }

    private func watch(
        _ fd: Int32, in table: WritableKeyPath<LoopCore, [Int32: Handle]>,
        _ callback: @escaping () -> Void
    ) throws {
        try core.checkOpen()
        let previous = core[keyPath: table][fd]
        core[keyPath: table][fd] = Handle(callback)
        do {
            try updateInterest(fd)
        } catch {
            core[keyPath: table][fd] = previous
            throw error
        }
        previous?.cancel()
    }

    private func unwatch(_ fd: Int32, in table: WritableKeyPath<LoopCore, [Int32: Handle]>) -> Bool {
        guard let handle = core[keyPath: table].removeValue(forKey: fd) else { return false }
        handle.cancel()
        try? updateInterest(fd)
        return true
    }

    private func updateInterest(_ fd: Int32) throws {
        try driver.updateInterest(fd, readable: core.readers[fd] != nil, writable: core.writers[fd] != nil)
    }

    // MARK: Errors

    /// Installs `handler` (`nil`: log to stderr). Flavor: sync.
    public func setExceptionHandler(_ handler: ExceptionHandler?) { core.exceptionHandler = handler }
    /// The custom handler, if any. Flavor: sync.
    public func getExceptionHandler() -> ExceptionHandler? { core.exceptionHandler }

    // MARK: Running

    /// Whether the loop is running. Flavor: sync.
    public var isRunning: Bool { core.state.isRunning }
    /// Whether ``close()`` was called. Flavor: sync, thread-safe.
    public var isClosed: Bool { inbox.isClosed }

    /// Runs the loop until `future` is done (see ``AbstractEventLoop/runUntilComplete(_:)``).
    ///
    /// Flavor: sync, blocking. - Throws: the future's error or ``CancelledError``; `RuntimeError` when the
    /// loop is closed, already running, or stopped before the future completed; `ValueError` when the
    /// future belongs to another loop.
    public func runUntilComplete<T>(_ future: Future<T>) throws -> T {
        try runLoopUntilComplete(future, on: self, checkRunnable: core.checkRunnable, runForever: runForever)
    }

    /// Runs the loop until ``stop()`` (see ``AbstractEventLoop/runForever()``).
    ///
    /// Flavor: sync, blocking. - Throws: `RuntimeError` when closed or already running, or when another loop
    /// runs on this thread.
    public func runForever() throws {
        try core.checkRunnable()
        try core.start()
        ownerThread.store(UInt(pthread_self()), ordering: .relaxed)
        let previous = setRunningLoop(self)
        defer {
            core.state.runReturned()
            setRunningLoop(previous)
        }
        AsyncLibrary.withThreadLibrary("asyncio") {
            repeat {
                runOnce()
            } while core.state.phase == .running
        }
    }

    /// Stops the loop after the current iteration; a loop that does not run does one iteration on its next run.
    /// Flavor: sync.
    public func stop() { _ = core.state.stop() }

    /// Closes the loop (see ``AbstractEventLoop/close()``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    public func close() throws {
        guard let dropped = try core.close() else { return }
        // CPython's own loop drops queued callbacks without cancelling them.
        dropped.release(cancellingHandles: false)
        closeSignalHandling()
        defaultExecutor?.shutdown(wait: false)
        defaultExecutor = nil
        TaskRegistry.forget(loop: self)
        driver.close()
    }

    /// One iteration: wait for I/O or the next timer, collect due timers, run what was ready at the start.
    private func runOnce() {
        driver.poll(&core, mayBlock: core.ready.isEmpty && core.state.phase == .running)
        core.collectDueTimers(now: time() + 1e-9)
        guard !core.ready.isEmpty else { return }
        let batch = core.takeBatch()
        runReadyBatch(
            batch, on: asUnownedTaskExecutor(), debug: core.debug, slowCallbackDuration: core.slowCallbackDuration,
            time: time)
        core.recycleBatch(batch)
    }
}
