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
/// - Loop thread only: everything but ``inbox`` (the inbox and the closed flag, ``LoopInbox``). The loop's
///   owner thread is the thread that runs it (or, before its first run, the one that created it).
/// - `ready` and `spareReady` are two buffers of one queue: each batch swaps `ready` out and runs it, so a
///   callback scheduled while a batch runs waits for the next batch (CPython's `ntodo`); the batch's buffer,
///   emptied, becomes `spareReady`, so that the steady state allocates nothing.
/// - The closed flag mirrors `state.isClosed` for other threads: both change in ``close()`` and nowhere
///   else. Once closed, `ready`, `timers`, `readers`, `writers` and `inbox` are empty and stay
///   empty (``enqueueReady(_:)`` and ``takeInbox()`` refuse).
/// - `readers[fd]` / `writers[fd]` is the handle the driver's registration of `fd` queues; a replaced or
///   removed handle is cancelled, so a registration that fires late queues nothing.
///
/// A value type stored inline in its loop (`@exclusivity(unchecked) var core`): the loop's hot paths reach
/// `ready`, `state` and `debug` as fields of its own storage, with no call and no dynamic exclusivity check
/// (a class core in Asyncio cost the hosted loop a dynamic check on every cross-module field access, which
/// showed in the instruction counts of `call_soon_batch` on `TrioEventLoop`; Benchmarks). No method of the core
/// runs user code: batches are taken out (``takeBatch()``) and run by the loop, and what `close` drops is
/// handed back to the loop to cancel, so that no callback runs inside an access to the core.
package struct LoopCore {
    // MARK: Loop-thread state
    package var ready: [ReadyItem] = []
    private var spareReady: [ReadyItem] = []
    package var timers = TimerQueue()
    package var state: LoopState
    package var readers: [Int32: Handle] = [:]
    package var writers: [Int32: Handle] = [:]
    package var exceptionHandler: ExceptionHandler?
    /// Debug mode: wrong-thread checks, slow-callback reports.
    package var debug = false
    /// The duration (seconds of the loop's time) above which a callback counts as slow in debug mode.
    package var slowCallbackDuration = 0.1

    // MARK: Cross-thread state
    /// The inbox other threads post to. Each loop class also keeps this reference in a `let` of its
    /// own and other threads reach it only through that field: reading it through the core would read
    /// the core, whose other fields the loop thread is changing.
    package let inbox: LoopInbox

    package init(stopWhileIdle: LoopState.StopWhileIdle, inbox: LoopInbox) {
        state = LoopState(stopWhileIdle: stopWhileIdle)
        self.inbox = inbox
    }

    /// Throws asyncio's "Event loop is closed" once closed (loop thread).
    package func checkOpen() throws {
        if state.isClosed { throw RuntimeError.loopClosed }
    }

    /// `callAt`'s checks: the loop is open and `when` is a time. NaN compares false with every deadline:
    /// at the top of the heap it would block all other timers.
    ///
    /// - Throws: `RuntimeError` "Event loop is closed"; `ValueError` for NaN.
    package func checkTimerDeadline(_ when: Double) throws {
        try checkOpen()
        if when.isNaN { throw ValueError("Invalid time: NaN (not a number)") }
    }

    /// Appends `item` to the ready queue; `false` when closed (loop thread).
    @inline(__always)
    package mutating func enqueueReady(_ item: ReadyItem) -> Bool {
        if state.isClosed { return false }
        ready.append(item)
        return true
    }

    // MARK: Inbox

    /// Moves the inbox to the ready queue (loop thread); a closed loop drops it.
    package mutating func takeInbox() {
        inbox.drain(into: &ready, accepting: !state.isClosed)
    }

    // MARK: Batches

    /// Takes what is ready now as the next batch; what the batch schedules waits for the one after. Give the
    /// batch back with ``recycleBatch(_:)`` once it has run.
    @inline(__always)
    package mutating func takeBatch() -> [ReadyItem] {
        // Two swaps, not a copy: `ready` must get the spare buffer as its only owner, or its next append would
        // copy it into a new allocation.
        var batch: [ReadyItem] = []
        swap(&batch, &spareReady)
        swap(&batch, &ready)
        return batch
    }

    /// Takes the first `count` ready items as a batch, leaving the rest queued: the last batch of a loop
    /// that stops once what was scheduled before `stop()` has run (trio-asyncio's stop marker).
    package mutating func takeBatch(first count: Int) -> [ReadyItem] {
        guard count < ready.count else { return takeBatch() }
        var batch: [ReadyItem] = []
        swap(&batch, &spareReady)
        batch.append(contentsOf: ready[..<count])
        ready.removeFirst(count)
        return batch
    }

    /// Keeps a batch's buffer, emptied, for the batch after next.
    @inline(__always)
    package mutating func recycleBatch(_ batch: consuming [ReadyItem]) {
        var batch = batch
        batch.removeAll(keepingCapacity: true)
        swap(&batch, &spareReady)
    }

    /// Moves every timer due at `now` to the ready queue, in due order.
    package mutating func collectDueTimers(now: Double) {
        guard !timers.isEmpty else { return }
        var queue: [ReadyItem] = []
        swap(&queue, &ready)
        timers.popDue(now: now) { queue.append(.handle($0)) }
        swap(&queue, &ready)
    }

    // MARK: Lifecycle

    /// The lifecycle part of `run_forever`/`run_until_complete`: refused when closed, running, or while
    /// another loop runs on this thread.
    package func checkRunnable() throws {
        if state.isClosed { throw RuntimeError.loopClosed }
        if state.isRunning { throw RuntimeError("This event loop is already running") }
        if runningLoopIfAny() != nil {
            throw RuntimeError("Cannot run the event loop while another loop is running")
        }
    }

    /// The loop starts running.
    package mutating func start() throws {
        do { try state.start() } catch { throw error.runtimeError }
    }

    /// Closes the core: the state moves to closed, and the queue, the timers, the watch tables and the inbox
    /// are emptied. Returns what was dropped, for the loop to release once out of its access to the core
    /// (``DroppedWork/release(cancellingHandles:)``); `nil` when it was closed already.
    package mutating func close() throws -> DroppedWork? {
        do {
            guard try state.close() else { return nil }
        } catch {
            throw error.runtimeError
        }
        inbox.close()
        var dropped = DroppedWork()
        swap(&dropped.items, &ready)
        swap(&dropped.readers, &readers)
        swap(&dropped.writers, &writers)
        timers.removeAll()
        return dropped
    }

    /// Reports `context` to `handler`, or logs it when there is none.
    package static func report(
        _ context: ExceptionContext, to loop: some AbstractEventLoop, handler: ExceptionHandler?
    ) {
        if let handler {
            handler(loop, context)
        } else {
            logExceptionContext(context)
        }
    }
}

/// What a closing loop dropped: its queued items and its fd watches.
package struct DroppedWork {
    package var items: [ReadyItem] = []
    package var readers: [Int32: Handle] = [:]
    package var writers: [Int32: Handle] = [:]

    /// The fds that were watched, for the driver to unregister.
    package var readerFDs: [Int32] { Array(readers.keys) }
    package var writerFDs: [Int32] { Array(writers.keys) }

    /// Drops the queued items (cancelling their handles when `cancellingHandles`) and cancels the watches.
    package func release(cancellingHandles: Bool) {
        for item in items { item.discard(cancellingHandles: cancellingHandles) }
        for handle in readers.values { handle.cancel() }
        for handle in writers.values { handle.cancel() }
    }
}

/// The cross-thread half of a loop core: the inbox other threads post to, and the closed flag they read.
package final class LoopInbox: @unchecked Sendable {
    // A pthread lock rather than `Mutex`, so that ThreadSanitizer can check the hand-over.
    private let items = ThreadLock<[ReadyItem]>([])
    // Read by `callSoonThreadsafe` from any thread; relaxed loads cost a plain load on the hot path.
    private let closedFlag = Atomic<Bool>(false)

    package init() {}

    @inline(__always)
    package var isClosed: Bool { closedFlag.load(ordering: .relaxed) }

    /// Refuses every later post and drops what the inbox holds. The flag changes under the inbox's lock, so
    /// a post either lands before the close (and is dropped with the rest) or is refused: none is left
    /// behind in a closed inbox.
    package func close() {
        items.withLock { items in
            closedFlag.store(true, ordering: .relaxed)
            items.removeAll()
        }
    }

    /// What ``post(_:)`` did with an item.
    package enum PostOutcome {
        /// Queued into an empty inbox: the driver must wake the loop thread so that it takes the inbox.
        case wake
        /// Queued behind items whose wake-up is on its way.
        case queued
        /// Refused: the loop is closed.
        case refused
    }

    /// Adds `item` to the inbox, from any thread.
    package func post(_ item: ReadyItem) -> PostOutcome {
        items.withLock { items in
            if closedFlag.load(ordering: .relaxed) { return .refused }
            items.append(item)
            return items.count == 1 ? .wake : .queued
        }
    }

    func drain(into ready: inout [ReadyItem], accepting: Bool) {
        // Moved under the lock rather than copied out: a copy would share the inbox's buffer, and emptying the
        // inbox would then allocate a fresh one on every wake-up.
        items.withLock { items in
            if accepting { ready.append(contentsOf: items) }
            items.removeAll(keepingCapacity: true)
        }
    }

}

/// `run_until_complete` on top of a loop's `runForever`: stops the loop when `future` is done, and fails when
/// the loop stopped first. `checkRunnable` runs first, so that a closed or running loop says so before a
/// future of another loop is refused.
package func runLoopUntilComplete<T>(
    _ future: Future<T>, on loop: some AbstractEventLoop, checkRunnable: () throws -> Void,
    runForever: () throws -> Void
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
