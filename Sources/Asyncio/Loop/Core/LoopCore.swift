import Synchronization
import TrioPlatform

/// What every asyncio loop of the package has, whatever drives it: the ready queue, the timers, the fd
/// watch tables, the cross-thread inbox, the lifecycle, the debug settings and the exception handler.
///
/// A loop is this core plus a driver: ``SelectorEventLoop`` waits in epoll on its own thread, TrioAsyncio's
/// `TrioEventLoop` is a task of a Trio run, and its `SyncTrioEventLoop` drives a paused Trio run from the
/// caller's thread. The driver decides when a batch runs and how an idle loop is woken; the core decides
/// what a batch is and what each lifecycle call may do, so the three loops agree on asyncio's rules.
///
/// Invariants.
/// - Loop thread only: everything but ``inbox`` and the closed flag. The loop's owner thread is the thread
///   that runs it (or, before its first run, the one that created it).
/// - `ready` and `spareReady` are two buffers of one queue: each batch swaps `ready` out and runs it, so a
///   callback scheduled while a batch runs waits for the next batch (CPython's `ntodo`); the batch's buffer,
///   emptied, becomes `spareReady`, so that the steady state allocates nothing.
/// - The closed flag mirrors `state.isClosed` for other threads: both change in ``close(cancellingHandles:)``
///   and nowhere else. Once closed, `ready`, `timers`, `readers`, `writers` and `inbox` are empty and stay
///   empty (``enqueueReady(_:)`` and ``takeInbox()`` refuse).
/// - `readers[fd]` / `writers[fd]` is the handle the driver's registration of `fd` queues; a replaced or
///   removed handle is cancelled, so a registration that fires late queues nothing.
///
/// Unchecked exclusivity on `ready` and `debug`: every `callSoon` appends to the one and reads the other,
/// and a dynamic exclusivity check there costs a fifth of `callSoon`. Each is touched by the loop thread
/// only, and no access to either calls out to code that could reach the other access.
package final class LoopCore: @unchecked Sendable {
    // MARK: Loop-thread state
    @exclusivity(unchecked) package var ready: [ReadyItem] = []
    private var spareReady: [ReadyItem] = []
    package var timers = TimerQueue()
    package var state: LoopState
    package var readers: [Int32: Handle] = [:]
    package var writers: [Int32: Handle] = [:]
    package var exceptionHandler: ExceptionHandler?
    /// Debug mode: wrong-thread checks, slow-callback reports.
    @exclusivity(unchecked) package var debug = false
    /// The duration (seconds of the loop's time) above which a callback counts as slow in debug mode.
    package var slowCallbackDuration = 0.1

    // MARK: Cross-thread state
    // A pthread lock rather than `Mutex`, so that ThreadSanitizer can check the hand-over.
    private let inbox = ThreadLock<[ReadyItem]>([])
    // Read by `callSoonThreadsafe` from any thread; relaxed loads cost a plain load on the hot path.
    private let closedFlag = Atomic<Bool>(false)

    package init(stopWhileIdle: LoopState.StopWhileIdle) {
        state = LoopState(stopWhileIdle: stopWhileIdle)
    }

    /// Whether the loop is closed, from any thread.
    @inline(__always)
    package var isClosedFromAnyThread: Bool { closedFlag.load(ordering: .relaxed) }

    /// Throws asyncio's "Event loop is closed" once closed (loop thread).
    @inline(__always)
    package func checkOpen() throws {
        if state.isClosed { throw RuntimeError("Event loop is closed") }
    }

    /// Appends `item` to the ready queue; `false` when closed (loop thread).
    @inline(__always)
    package func enqueueReady(_ item: ReadyItem) -> Bool {
        if state.isClosed { return false }
        ready.append(item)
        return true
    }

    // MARK: Inbox

    /// Adds `item` to the inbox from any thread; `true` when the inbox was empty, and the driver must then
    /// wake the loop thread so that it calls ``takeInbox()``.
    package func post(_ item: ReadyItem) -> Bool {
        inbox.withLock { items in
            items.append(item)
            return items.count == 1
        }
    }

    /// Moves the inbox to the ready queue (loop thread); a closed loop drops it.
    package func takeInbox() {
        // Moved under the lock rather than copied out: a copy would share the inbox's buffer, and emptying the
        // inbox would then allocate a fresh one on every wake-up.
        inbox.withLock { items in
            if !state.isClosed { ready.append(contentsOf: items) }
            items.removeAll(keepingCapacity: true)
        }
    }

    /// Drops what the inbox holds (a post that could not wake the loop).
    package func clearInbox() {
        inbox.withLock { $0.removeAll() }
    }

    // MARK: Batches

    /// Runs what was ready when the batch began through `run`; what the batch schedules waits for the next.
    @inline(__always)
    package func runBatch(_ run: ([ReadyItem]) -> Void) {
        guard !ready.isEmpty else { return }
        // Two swaps, not a copy: `ready` must get the spare buffer as its only owner, or its next append would
        // copy it into a new allocation.
        var batch: [ReadyItem] = []
        swap(&batch, &spareReady)
        swap(&batch, &ready)
        run(batch)
        batch.removeAll(keepingCapacity: true)
        swap(&batch, &spareReady)
    }

    /// Moves every timer due at `now` to the ready queue, in due order.
    @inline(__always)
    package func collectDueTimers(now: Double) {
        guard !timers.isEmpty else { return }
        timers.popDue(now: now) { ready.append(.handle($0)) }
    }

    // MARK: Lifecycle

    /// The lifecycle part of `run_forever`/`run_until_complete`: refused when closed, running, or while
    /// another loop runs on this thread.
    package func checkRunnable() throws {
        if state.isClosed { throw RuntimeError("Event loop is closed") }
        if state.isRunning { throw RuntimeError("This event loop is already running") }
        if runningLoopIfAny() != nil {
            throw RuntimeError("Cannot run the event loop while another loop is running")
        }
    }

    /// The loop starts running.
    package func start() throws {
        do { try state.start() } catch { throw error.runtimeError }
    }

    /// Closes the core: the state moves to closed, and the queue, the timers, the watch tables and the inbox
    /// are emptied (watched handles cancelled; queued handles too when `cancellingHandles`). `false` when it was
    /// closed already; the caller then has nothing to release. The driver drops its fd registrations first.
    package func close(cancellingHandles: Bool) throws -> Bool {
        do {
            guard try state.close() else { return false }
        } catch {
            throw error.runtimeError
        }
        closedFlag.store(true, ordering: .relaxed)
        for item in ready { item.discard(cancellingHandles: cancellingHandles) }
        ready.removeAll()
        timers.removeAll()
        for handle in readers.values { handle.cancel() }
        for handle in writers.values { handle.cancel() }
        readers.removeAll()
        writers.removeAll()
        clearInbox()
        return true
    }

    /// `run_until_complete` on top of the driver's `runForever`: stops the loop when `future` is done, and
    /// fails when the loop stopped first.
    package func runUntilComplete<T>(
        _ future: Future<T>, of loop: some AbstractEventLoop, runForever: () throws -> Void
    ) throws -> T {
        try checkRunnable()
        guard future.loop === loop else {
            throw ValueError("The future belongs to a different loop than the one specified as the loop argument")
        }
        let id = future.addAnyDoneCallback { [unowned loop] _ in loop.stop() }
        defer { future.removeDoneCallback(id) }
        try runForever()
        guard future.done else { throw RuntimeError("Event loop stopped before Future completed.") }
        return try future.result()
    }

    /// Reports `context` to `handler`, or logs it when there is none.
    package func report(_ context: ExceptionContext, to loop: some AbstractEventLoop, handler: ExceptionHandler?) {
        if let handler {
            handler(loop, context)
        } else {
            logExceptionContext(context)
        }
    }
}
