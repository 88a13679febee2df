import Asyncio
import HeapModule
import Synchronization
import Trio
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// An asyncio event loop that runs on the Trio runtime: trio-asyncio's `TrioEventLoop`.
///
/// Flavor: sync methods (the `AbstractEventLoop` surface); ``runAioFuture(_:)``,
/// ``runAioCoroutine(_:)``, ``synchronize()`` and ``waitStopped()`` are Trio-flavored. Get one from
/// ``openLoop(queueLen:_:)`` or `run(queueLen:_:)`.
///
/// The whole loop is one Trio task, the *loop task*. Each of its steps runs every callback that
/// was ready when the step began (asyncio's `_run_once` rule), then takes one Trio schedule point.
/// Steps of `AsyncioTask`s are callbacks in that queue, FIFO with the plain ones: the loop is
/// their task executor, and their jobs run nested inside the loop task's step, where the run has
/// no current Trio task and Sniffio answers "asyncio". Timers use the run's clock, so a
/// `MockClock` drives asyncio code too; fd watches are callbacks in the run's I/O manager, not a
/// Trio task per fd.
///
/// Invariants. `core` keeps Asyncio's `LoopCore` invariants, its loop thread being the run's thread;
/// every other field is touched only on that thread. A loop task is bound to `driver` exactly while
/// `core.state.isRunning`. What differs between a loop of ``openLoop(queueLen:_:)`` and a
/// ``SyncTrioEventLoop`` is in `host`, never in a test of the loop's class.
public class TrioEventLoop: AbstractEventLoop, TimerHandleScheduler, AsyncioTaskHost, SignalHandlingLoop,
    @unchecked Sendable
{
    // MARK: Loop-thread state
    /// The queue, timers, watch tables, inbox, lifecycle, debug settings and exception handler every
    /// loop of the package has (see Asyncio's `LoopCore`). Unchecked exclusivity: every `callSoon` and
    /// task step reaches the queue through it, on the run's thread only, and no access to it runs a
    /// callback; a dynamic check per access showed in the instruction counts of `call_soon_batch`.
    @exclusivity(unchecked) var core: LoopCore
    /// The core's inbox, for other threads (see ``LoopCore/inbox``).
    let inbox = LoopInbox()
    /// Who runs the loop task: the caller's Trio run (``openLoop(queueLen:_:)``), or for a
    /// ``SyncTrioEventLoop`` a paused run of its own, driven from the caller's thread.
    let host: any TrioLoopHost
    /// At most this many callbacks wait in the queue (`Int.max`: unbounded).
    let queueLen: Int
    /// Signal handlers and their self-pipe (the same machinery as the standalone loop's).
    /// SIGINT is claimed as Trio's own signal receivers claim it, over the run's Ctrl-C guard (see
    /// ``addSignalHandler(_:_:)``).
    package let signalHandlers = LoopSignalHandlers(interruptPrecedence: .exclusive(level: 1))
    var autocloseFDs: Set<Int32> = []
    /// The run's hooks for this loop; its loop task binds itself to it while it runs.
    let driver: HostedLoopDriver
    /// How many of the queued callbacks were scheduled before ``stop()``: the loop task runs those, and
    /// no more, before it stops. Invariant (loop thread): set only by `stop()`, when the phase becomes
    /// `.stopping` or a stop for the next run is requested; cleared when the loop task returns or the
    /// loop closes; `ready` only grows while it is set (the batch taken out before it was set is not
    /// counted in it).
    var stopMark: Int?
    /// The deadline the idle loop task waits for, so that an earlier new timer wakes it.
    var idleDeadline = Double.infinity
    /// Set while the loop task does not run (trio-asyncio's `_stopped`).
    var stoppedEvent = Trio.Event()
    /// Where Trio tasks started from asyncio run (``trioAsFuture(_:)``, ``runTrioTask(_:)``,
    /// executor jobs); set by ``openLoop(queueLen:_:)``.
    var tasksNursery: Nursery?
    /// Set when the tasks nursery has closed (its host task returned).
    var tasksNurseryClosed: Trio.Event?
    /// The nursery of ``openLoop(queueLen:_:)`` that holds the loop task.
    var loopNursery: Nursery?
    /// The loop task's own shielded scope.
    var loopTaskScope: CancelScope?
    /// The scope around the body of ``openLoop(queueLen:_:)``: an error the default exception
    /// handler raises cancels it, so that `openLoop` shuts down and fails with the error.
    var bodyScope: CancelScope?
    /// Errors the default exception handler raised out of the loop (trio-asyncio's default handler
    /// re-raises into the loop's nursery): `openLoop` throws them, with any others, once it has shut down.
    var raisedErrors: [any Error] = []
    let defaultExecutor: TrioExecutor
    /// Trio tasks parked until a future of this loop is done (see `TrioEventLoop+Waiters.swift`); loop
    /// thread only. Unchecked exclusivity, as for `core`: every call through the bridge reaches the list
    /// several times, on the run's thread only, and no access to it runs other code; the dynamic checks
    /// showed in the instruction counts of `cross_aio_as_trio`.
    @exclusivity(unchecked) var bridgeWaiters = BridgeWaiterList()
    /// How Trio tasks inside ``allowAsyncio(loop:_:)`` wait for this loop's futures.
    lazy var trioTaskBridge = TrioTaskBridge(loop: self)
    /// The loop's unfinished tasks.
    package let taskRegistry = LoopTaskRegistry()
    let clock: any TrioClock
    let token: TrioToken
    let ownerThread: pthread_t

    /// Debug mode: slow callbacks (over `slowCallbackDuration`) are reported to standard error. Flavor: sync.
    public var debug: Bool { get { core.debug } set { core.debug = newValue } }
    /// The duration (seconds, on the run's clock) above which a callback counts as slow in debug mode. Flavor: sync.
    public var slowCallbackDuration: Double {
        get { core.slowCallbackDuration } set { core.slowCallbackDuration = newValue }
    }

    /// Creates a loop on the run of the calling thread; ``openLoop(queueLen:_:)`` is the usual way.
    ///
    /// - Throws: `RuntimeError` outside a Trio run; `ValueError` when `queueLen` is not positive.
    convenience init(queueLen: Int?) throws {
        if let queueLen, queueLen <= 0 {
            throw ValueError("queueLen must be positive (nil: unbounded), got \(queueLen)")
        }
        guard HostedLoopDriver.currentRunClock != nil else {
            throw RuntimeError("a TrioEventLoop lives inside a Trio run: use openLoop or TrioAsyncio.run")
        }
        self.init(queueLen: queueLen, driver: try HostedLoopDriver(), host: EnclosingRunHost())
    }

    /// Creates a loop on the run behind `driver` (a positive `queueLen`, or `nil`), run by `host`.
    init(queueLen: Int?, driver: HostedLoopDriver, host: any TrioLoopHost) {
        self.core = LoopCore(stopWhileIdle: host.stopWhileIdle, inbox: inbox)
        self.host = host
        self.queueLen = queueLen ?? Int.max
        self.clock = driver.clock
        self.driver = driver
        self.token = driver.token
        self.ownerThread = pthread_self()
        self.defaultExecutor = TrioExecutor()
        stoppedEvent.set()
        driver.describeHostedTasks = { [unowned self] in hostedTaskNodes() }
    }

    var isOwnerThread: Bool { pthread_equal(ownerThread, pthread_self()) != 0 }

    // MARK: Scheduling

    /// Schedules `callback` for the next step of the loop task (see `AbstractEventLoop/callSoon(_:)`).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; Trio's `WouldBlock` when
    /// `queueLen` callbacks already wait (nothing is scheduled then).
    @discardableResult
    public func callSoon(_ callback: @escaping () -> Void) throws -> Handle {
        try checkSchedulable()
        let handle = Handle(callback)
        core.ready.append(.handle(handle))
        wakeIfIdle()
        return handle
    }

    /// Schedules `callback` from any thread, through the run's `TrioToken`.
    ///
    /// Flavor: sync, thread-safe. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    public func callSoonThreadsafe(_ callback: @escaping @Sendable () -> Void) throws -> Handle {
        // The inbox refuses the post once the loop is closed (checked under its lock).
        let handle = Handle(callback)
        try post(.handle(handle))
        return handle
    }

    /// Schedules `callback` at `when` on the run's clock (see `AbstractEventLoop/callAt(_:_:)`).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `ValueError` when `when` is NaN.
    @discardableResult
    public func callAt(_ when: Double, _ callback: @escaping () -> Void) throws -> TimerHandle {
        try core.checkTimerDeadline(when)
        let handle = TimerHandle(when: when, scheduler: self, callback)
        core.timers.insert(handle)
        if when < idleDeadline { wakeIfIdle() }
        return handle
    }

    /// The run's clock (`MockClock` included), in seconds. Flavor: sync.
    public func time() -> Double { clock.currentTime() }

    /// Counts a cancelled timer, so that the heap is pruned once they are many. Flavor: sync.
    public func timerHandleCancelled(_ handle: TimerHandle) {
        core.timers.handleCancelled()
    }

    /// Starts `body` as an `AsyncioTask` on this loop; its first step is a callback in the queue.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `WouldBlock` past `queueLen`.
    public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
        try checkSchedulable()
        return AsyncioTask(loop: self, host: self, name: name, body)
    }

    /// Appends `item` to the ready queue (loop thread; `queueLen` does not apply); `false` when closed.
    package func enqueueReady(_ item: ReadyItem) -> Bool {
        guard core.enqueueReady(item) else { return false }
        wakeIfIdle()
        return true
    }

    func checkSchedulable() throws {
        if case .closed = core.state.phase { throw RuntimeError.loopClosed }
        if core.debug, !isOwnerThread {
            throw RuntimeError("Non-thread-safe operation invoked on an event loop other than the current one")
        }
        if core.ready.count >= queueLen { throw WouldBlock() }
    }

    // MARK: TaskExecutor

    /// Runs a step of a Swift task that prefers this loop: one entry in the ready queue. From another
    /// thread (a continuation resumed there) the job goes through the run's token. Flavor: sync, thread-safe.
    public func enqueue(_ job: consuming ExecutorJob) {
        let item = ReadyItem.job(UnownedJob(job))
        if isOwnerThread {
            core.ready.append(item)
            wakeIfIdle()
        } else {
            // A task step cannot be refused: after the run ends nobody would run it anyway.
            try? post(item)
        }
    }

    @inline(__always)
    func wakeIfIdle() {
        if driver.isIdle { driver.wake() }
    }

    /// Hands `item` to the loop thread: the first item of an empty inbox asks the run to drain it.
    private func post(_ item: ReadyItem) throws {
        switch inbox.post(item) {
        case .queued: return
        case .refused: throw RuntimeError.loopClosed
        case .wake: break
        }
        let loop = UncheckedSendable(self)
        do {
            try token.runSyncSoon { loop.value.takeInbox() }
        } catch {
            // The run has finished: nothing will ever take the inbox. Closing it refuses later posts
            // instead of queueing them where nobody looks.
            inbox.close()
            throw RuntimeError("Event loop is closed (its Trio run has finished)")
        }
    }

    func takeInbox() {
        core.takeInbox()
        wakeIfIdle()
    }

    // MARK: Errors

    /// Installs `handler` (`nil`: log to standard error). Flavor: sync.
    public func setExceptionHandler(_ handler: ExceptionHandler?) { core.exceptionHandler = handler }
    /// The custom handler, if any. Flavor: sync.
    public func getExceptionHandler() -> ExceptionHandler? { core.exceptionHandler }

    /// Reports `context` to the custom handler, or logs it. After ``close()`` it only logs
    /// (trio-asyncio #134): the handler may expect a live loop. A ``SyncTrioEventLoop`` is a
    /// standalone asyncio loop in this respect and keeps calling its handler, as asyncio does. Flavor: sync.
    public func callExceptionHandler(_ context: ExceptionContext) {
        let handler = core.state.isClosed && !host.handlerOutlivesClose ? nil : core.exceptionHandler
        LoopCore.report(context, to: self, handler: handler)
    }

    // MARK: State

    /// Whether the loop task is draining the queue. Flavor: sync.
    public var isRunning: Bool { core.state.isRunning }
    /// Whether ``close()`` was called. Flavor: sync, thread-safe.
    public var isClosed: Bool { inbox.isClosed }

    /// `<TrioEventLoop running=yes|no|closed>`. Flavor: sync.
    public var description: String {
        "<TrioEventLoop running=\(isClosed ? "closed" : isRunning ? "yes" : "no")>"
    }
}
