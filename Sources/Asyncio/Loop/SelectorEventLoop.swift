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
    // Loop-thread state. Each iteration swaps `ready` out and runs it, so callbacks scheduled while it runs
    // wait for the next iteration (CPython's `ntodo`); `spareReady` keeps the other buffer's capacity.
    // Unchecked: a dynamic exclusivity check on every append was a fifth of the cost of `callSoon`.
    @exclusivity(unchecked) private var ready: [ReadyItem] = []
    private var spareReady: [ReadyItem] = []
    private var timers = TimerQueue()
    private var running = false
    private var stopping = false
    private var exceptionHandler: ExceptionHandler?
    // A `var` only so that close() can release the descriptor early; loop thread only. Unchecked: the
    // dynamic exclusivity check on each poll showed in profiles of the echo server (Benchmarks).
    @exclusivity(unchecked) private var epoll: Epoll
    /// `epoll_wait`'s output, owned by the loop thread.
    private let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 256)
    private var readers: [Int32: Handle] = [:]
    private var writers: [Int32: Handle] = [:]
    private var watched: Set<Int32> = []
    /// Signal handlers and their self-pipe.
    package let signalHandlers = LoopSignalHandlers()
    var defaultExecutor: ThreadPoolExecutor?
    /// The loop's unfinished tasks.
    package let taskRegistry = LoopTaskRegistry()

    // Cross-thread state.
    private let wakeup: WakeupFD
    // A pthread lock rather than `Mutex`, so that ThreadSanitizer can check the hand-over.
    private let inbox = ThreadLock<[ReadyItem]>([])
    private let ownerThread: Atomic<UInt>
    // Read by `callSoonThreadsafe` from any thread; relaxed loads cost a plain load on the hot path.
    private let closedFlag = Atomic<Bool>(false)
    private var closed: Bool { closedFlag.load(ordering: .relaxed) }

    /// Debug mode: ``callSoon(_:)`` and friends check they are called on the loop's thread, and callbacks
    /// slower than ``slowCallbackDuration`` are reported to stderr.
    @exclusivity(unchecked) public var debug = false
    /// The duration (seconds) above which a callback counts as slow in debug mode.
    public var slowCallbackDuration = 0.1

    /// Where ``time()`` comes from; set at creation.
    public let clock: LoopClock
    /// ``LoopClock/autojump``'s current time (loop thread only).
    private var virtualNow = 0.0

    /// Creates a loop owned by the calling thread.
    ///
    /// - Parameter clock: where ``time()`` comes from: the monotonic clock, or virtual time for tests.
    /// - Throws: `OSError` when the OS refuses an epoll instance or an eventfd.
    public init(clock: LoopClock = .monotonic) throws {
        self.clock = clock
        epoll = try Epoll()
        wakeup = try WakeupFD()
        ownerThread = Atomic(UInt(pthread_self()))
        try epoll.control(EPOLL_CTL_ADD, wakeup.fd, events: EPOLLIN.rawValue)
    }

    deinit {
        // Dropped without close() (CPython's loop __del__ closes it): give back what would outlive the loop,
        // the process-wide signal handling and the default executor's idle threads.
        if !closed {
            closeSignalHandling()
            defaultExecutor?.shutdown(wait: false)
        }
        epoll.close()
        wakeup.close()
        events.deallocate()
    }

    // MARK: Scheduling

    /// Schedules `callback` for the next iteration (see ``AbstractEventLoop/callSoon(_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    public func callSoon(_ callback: @escaping () -> Void) throws -> Handle {
        if closed { throw RuntimeError("Event loop is closed") }
        if debug { try checkThread("callSoon") }
        let handle = Handle(callback)
        ready.append(.handle(handle))
        return handle
    }

    /// Starts `body` as an ``AsyncioTask`` (see ``AbstractEventLoop/createTask(name:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
        if closed { throw RuntimeError("Event loop is closed") }
        return AsyncioTask(loop: self, host: self, name: name, body)
    }

    /// Appends `item` to the ready queue (loop thread); `false` when closed.
    package func enqueueReady(_ item: ReadyItem) -> Bool {
        if closed { return false }
        ready.append(item)
        return true
    }

    /// Schedules `callback` from any thread and wakes the loop (see ``AbstractEventLoop/callSoonThreadsafe(_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    public func callSoonThreadsafe(_ callback: @escaping @Sendable () -> Void) throws -> Handle {
        if closed { throw RuntimeError("Event loop is closed") }
        let handle = Handle(callback)
        post(.handle(handle))
        return handle
    }

    /// Schedules `callback` at loop time `when` (see ``AbstractEventLoop/callAt(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `ValueError` when `when` is NaN.
    @discardableResult
    public func callAt(_ when: Double, _ callback: @escaping () -> Void) throws -> TimerHandle {
        if closed { throw RuntimeError("Event loop is closed") }
        // NaN compares false with every deadline: at the top of the heap it would block all other timers.
        if when.isNaN { throw ValueError("Invalid time: NaN (not a number)") }
        if debug { try checkThread("callAt") }
        let handle = TimerHandle(when: when, scheduler: self, callback)
        timers.insert(handle)
        return handle
    }

    /// Seconds on the loop's ``clock``: the monotonic clock, or virtual time.
    public func time() -> Double { clock == .monotonic ? monotonicSeconds() : virtualNow }

    /// Counts a cancelled timer, so that the heap is pruned once they are many.
    public func timerHandleCancelled(_ handle: TimerHandle) {
        timers.handleCancelled()
    }

    // MARK: TaskExecutor

    /// Runs a step of a Swift task: one entry in the ready queue, FIFO with the callbacks. From another thread
    /// (a continuation resumed there) the job takes the thread-safe path.
    public func enqueue(_ job: consuming ExecutorJob) {
        let item = ReadyItem.job(UnownedJob(job))
        if pthread_equal(pthread_t(ownerThread.load(ordering: .relaxed)), pthread_self()) != 0 {
            ready.append(item)
        } else {
            post(item)
        }
    }

    private func post(_ item: ReadyItem) {
        let wasEmpty = inbox.withLock { items in
            items.append(item)
            return items.count == 1
        }
        if wasEmpty { wakeup.signal() }
    }

    private func checkThread(_ what: String) throws {
        if running && pthread_equal(pthread_t(ownerThread.load(ordering: .relaxed)), pthread_self()) == 0 {
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

    /// Stops watching `fd` for reading.
    public func removeReader(_ fd: Int32) -> Bool {
        unwatch(fd, in: \.readers)
    }

    /// Watches `fd` for writing (see ``AbstractEventLoop/addWriter(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed, `OSError` from epoll.
    public func addWriter(_ fd: Int32, _ callback: @escaping () -> Void) throws {
        try watch(fd, in: \.writers, callback)
    }

    /// Stops watching `fd` for writing.
    public func removeWriter(_ fd: Int32) -> Bool {
        unwatch(fd, in: \.writers)
    }

    private func watch(
        _ fd: Int32, in table: ReferenceWritableKeyPath<SelectorEventLoop, [Int32: Handle]>,
        _ callback: @escaping () -> Void
    ) throws {
        if closed { throw RuntimeError("Event loop is closed") }
        let previous = self[keyPath: table][fd]
        self[keyPath: table][fd] = Handle(callback)
        do {
            try updateInterest(fd)
        } catch {
            self[keyPath: table][fd] = previous
            throw error
        }
        previous?.cancel()
    }

    private func unwatch(_ fd: Int32, in table: ReferenceWritableKeyPath<SelectorEventLoop, [Int32: Handle]>) -> Bool {
        guard let handle = self[keyPath: table].removeValue(forKey: fd) else { return false }
        handle.cancel()
        try? updateInterest(fd)
        return true
    }

    private func updateInterest(_ fd: Int32) throws {
        let readable = readers[fd] != nil, writable = writers[fd] != nil
        let isNew = !watched.contains(fd)
        if !readable && !writable {
            if !isNew {
                watched.remove(fd)
                epoll.remove(fd)
            }
            return
        }
        var interest: UInt32 = 0
        if readable { interest |= EPOLLIN.rawValue }
        if writable { interest |= EPOLLOUT.rawValue }
        try epoll.set(fd, events: interest, registered: !isNew)
        watched.insert(fd)
    }

    // MARK: Errors

    /// Installs `handler` (`nil`: log to stderr).
    public func setExceptionHandler(_ handler: ExceptionHandler?) { exceptionHandler = handler }
    /// The custom handler, if any.
    public func getExceptionHandler() -> ExceptionHandler? { exceptionHandler }

    // MARK: Running

    /// Whether the loop is running.
    public var isRunning: Bool { running }
    /// Whether ``close()`` was called.
    public var isClosed: Bool { closed }

    /// Runs the loop until `future` is done (see ``AbstractEventLoop/runUntilComplete(_:)``).
    ///
    /// Flavor: sync, blocking. - Throws: the future's error or ``CancelledError``; `RuntimeError` when the
    /// loop is closed, already running, or stopped before the future completed; `ValueError` when the
    /// future belongs to another loop.
    public func runUntilComplete<T>(_ future: Future<T>) throws -> T {
        try checkRunnable()
        guard future.loop === self else {
            throw ValueError("The future belongs to a different loop than the one running it")
        }
        let id = future.addAnyDoneCallback { [unowned self] _ in self.stop() }
        defer { future.removeDoneCallback(id) }
        try runForever()
        guard future.done else { throw RuntimeError("Event loop stopped before Future completed.") }
        return try future.result()
    }

    /// Runs the loop until ``stop()`` (see ``AbstractEventLoop/runForever()``).
    ///
    /// Flavor: sync, blocking. - Throws: `RuntimeError` when closed or already running, or when another loop
    /// runs on this thread.
    public func runForever() throws {
        try checkRunnable()
        running = true
        ownerThread.store(UInt(pthread_self()), ordering: .relaxed)
        let previous = setRunningLoop(self)
        defer {
            stopping = false
            running = false
            setRunningLoop(previous)
        }
        AsyncLibrary.withThreadLibrary("asyncio") {
            while true {
                runOnce()
                if stopping { break }
            }
        }
    }

    private func checkRunnable() throws {
        if closed { throw RuntimeError("Event loop is closed") }
        if running { throw RuntimeError("This event loop is already running") }
        if runningLoopIfAny() != nil {
            throw RuntimeError("Cannot run the event loop while another loop is running")
        }
    }

    /// Stops the loop after the current iteration.
    public func stop() { stopping = true }

    /// Closes the loop (see ``AbstractEventLoop/close()``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    public func close() throws {
        if running { throw RuntimeError("Cannot close a running event loop") }
        if closed { return }
        closedFlag.store(true, ordering: .relaxed)
        for item in ready { item.discard(cancellingHandles: false) }
        ready.removeAll()
        timers.removeAll()
        for fd in Array(readers.keys) { _ = removeReader(fd) }
        for fd in Array(writers.keys) { _ = removeWriter(fd) }
        closeSignalHandling()
        defaultExecutor?.shutdown(wait: false)
        defaultExecutor = nil
        inbox.withLock { $0.removeAll() }
        TaskRegistry.forget(loop: self)
        epoll.close()
        wakeup.close()
    }

    /// One iteration: wait for I/O or the next timer, collect due timers, run what was ready at the start.
    private func runOnce() {
        let timeout: Int32
        let nextDeadline = timers.nextDeadline()
        if !ready.isEmpty || stopping {
            timeout = 0
        } else if let next = nextDeadline {
            // Virtual time only looks for I/O before jumping to the timer.
            let delay = clock == .autojump ? 0 : max(0, next - time()) * 1000
            timeout = delay >= Double(Int32.max) ? Int32.max : Int32(delay.rounded(.up))
        } else {
            timeout = -1
        }
        let count = epoll.wait(into: events, timeoutMilliseconds: timeout)
        if clock == .autojump, count == 0, ready.isEmpty, !stopping, let next = nextDeadline, next > virtualNow {
            virtualNow = next
        }
        // A hang-up or an error wakes both directions: the callbacks' next system call reports it.
        let failed = EPOLLHUP.rawValue | EPOLLERR.rawValue
        for event in events[..<count] {
            let fd = event.data.fd
            if fd == wakeup.fd {
                takeInbox()
                continue
            }
            if event.events & (EPOLLIN.rawValue | failed) != 0, let handle = readers[fd] {
                ready.append(.handle(handle))
            }
            if event.events & (EPOLLOUT.rawValue | failed) != 0, let handle = writers[fd] {
                ready.append(.handle(handle))
            }
        }
        if !timers.isEmpty { timers.popDue(now: time() + 1e-9) { ready.append(.handle($0)) } }
        runReady()
    }

    private func takeInbox() {
        wakeup.drain()
        // Moved under the lock rather than copied out: a copy would share the inbox's buffer, and
        // emptying the inbox would then allocate a fresh one on every wake-up.
        inbox.withLock { items in
            ready.append(contentsOf: items)
            items.removeAll(keepingCapacity: true)
        }
    }

    private func runReady() {
        guard !ready.isEmpty else { return }
        let executor = asUnownedTaskExecutor()
        // Two swaps, not a copy: `ready` must get the spare buffer as its only owner, or its next
        // append would copy it into a new allocation.
        var batch: [ReadyItem] = []
        swap(&batch, &spareReady)
        swap(&batch, &ready)
        runReadyBatch(batch, on: executor, debug: debug, slowCallbackDuration: slowCallbackDuration, time: time)
        batch.removeAll(keepingCapacity: true)
        swap(&batch, &spareReady)
    }
}
