/// A result that will exist later, completed by callbacks on its loop: CPython's `asyncio.Future`.
///
/// Flavor: sync methods, an asyncio-flavored ``value``. Not thread-safe: use it on its loop's thread
/// (from another thread, go through ``AbstractEventLoop/callSoonThreadsafe(_:)``). Done-callbacks run through
/// the loop's ready queue, never inline; one that a closed loop refuses is reported to the loop's exception
/// handler instead of being dropped without a word. A future that ends with an error nobody retrieved reports
/// "Future exception was never retrieved" to the loop's exception handler when it is deallocated.
///
/// Storage is deliberately not generic but for the value itself: a generic enum nested in `Future<T>` (its
/// state, its callbacks) needs a runtime metadata look-up each time unspecialized code touches it, a cost
/// paid several times per task and per cross-flavor call. Invariants: `phase` says which of `valueBox` (`.succeeded`), `failure` (`.failed`) and
/// `cancelMessage` (`.cancelled`, may be nil) is meaningful; `callbacks` is empty once `phase` is not
/// `.pending`.
public class Future<T>: AnyFuture, CustomStringConvertible {
    /// The loop the future belongs to.
    public let loop: any AbstractEventLoop
    @exclusivity(unchecked) private(set) var phase: FuturePhase = .pending
    private var valueBox: FutureValueBox<T>?
    private var failure: (any Error)?
    private var cancelMessage: String?
    // Unchecked exclusivity: read and reset on every completion, on the loop thread only; its dynamic checks
    // showed in the instruction counts of `aio_spawn` (Benchmarks).
    @exclusivity(unchecked) private var callbacks: [FutureCallback] = []
    private var nextCallbackID: UInt64 = 0
    private var errorRetrieved = false
    var unretrievedMessage: String { "Future exception was never retrieved" }
    private var reportsUnretrieved = true
    /// The future's extension points for code built on Asyncio (see ``FutureHooks``). Unchecked exclusivity:
    /// `cancelRequested` is cleared on every completion, loop thread only (see `callbacks`).
    @exclusivity(unchecked) package var hooks = FutureHooks()

    /// What the future stands for, for task-tree snapshots (see ``FutureRole``); set by its creator.
    package var role: FutureRole = .plain

    /// Creates a pending future on `loop`. ``AbstractEventLoop/createFuture(of:)`` is the usual spelling.
    public init(loop: any AbstractEventLoop) {
        self.loop = loop
    }

    deinit {
        guard reportsUnretrieved, !errorRetrieved, phase == .failed, let error = failure else { return }
        loop.callExceptionHandler(ExceptionContext(
            message: unretrievedMessage, error: error, extra: ["future": baseDescription]
        ))
    }

    // MARK: State

    /// Whether the future is done (result, error or cancelled).
    public var done: Bool { phase != .pending }

    /// Whether the future was cancelled.
    public var cancelled: Bool { phase == .cancelled }

    /// The result.
    ///
    /// Flavor: sync. - Throws: the future's error, ``CancelledError`` when cancelled, ``InvalidStateError``
    /// "Result is not set." when pending.
    public func result() throws -> T {
        switch phase {
        case .pending: throw InvalidStateError("Result is not set.")
        case .cancelled: throw CancelledError(message: cancelMessage)
        case .succeeded:
            // `if let` on the box (a class reference) rather than `valueBox?.value ?? …`: `T?` would cost a
            // metadata look-up.
            if let box = valueBox { return box.value }
            return Self.emptyValue
        case .failed:
            errorRetrieved = true
            throw failure!
        }
    }

    /// The error, or `nil` when the future has a result; marks the error as retrieved.
    ///
    /// Flavor: sync. - Throws: ``CancelledError`` when cancelled, ``InvalidStateError`` "Exception is not set."
    /// when pending.
    public func exception() throws -> (any Error)? {
        switch phase {
        case .pending: throw InvalidStateError("Exception is not set.")
        case .cancelled: throw CancelledError(message: cancelMessage)
        case .succeeded: return nil
        case .failed:
            errorRetrieved = true
            return failure
        }
    }

    // MARK: Completing

    /// Cancels the future and schedules its callbacks; `false` when it was already done.
    ///
    /// Flavor: sync.
    @discardableResult
    public func cancel(message: String? = nil) -> Bool {
        if phase == .pending, let cancelRequested = hooks.cancelRequested { return cancelRequested(message) }
        return finishCancelled(message: message)
    }

    /// Completes the future with `value` and schedules its callbacks.
    ///
    /// Flavor: sync. - Throws: ``InvalidStateError`` when already done.
    public func setResult(_ value: T) throws {
        guard finishSuccess(value) else { throw InvalidStateError("invalid state: \(stateName)") }
    }

    /// Completes the future with `error` and schedules its callbacks.
    ///
    /// Flavor: sync. - Throws: ``InvalidStateError`` when already done.
    public func setException(_ error: any Error) throws {
        guard finishFailure(error) else { throw InvalidStateError("invalid state: \(stateName)") }
    }

    /// Completes with `outcome` unless already done (CPython's `_set_result_unless_cancelled`).
    package func setOutcomeUnlessDone(_ outcome: Result<T, any Error>) {
        switch outcome {
        case .success(let value): finishSuccess(value)
        case .failure(let error): finishFailure(error)
        }
    }

    /// Completes a pending future with `value`; `false` when it was not pending.
    @discardableResult
    func finishSuccess(_ value: T) -> Bool {
        guard phase == .pending else { return false }
        // An empty type (`Void`, the usual task result) has nothing to keep: no box to allocate.
        if MemoryLayout<T>.size != 0 { valueBox = FutureValueBox(value) }
        return complete(.succeeded)
    }

    /// Completes a pending future with `error`; `false` when it was not pending.
    @discardableResult
    func finishFailure(_ error: any Error) -> Bool {
        guard phase == .pending else { return false }
        failure = error
        return complete(.failed)
    }

    /// Moves a pending future (its outcome stored) to `newPhase` and runs or schedules the callbacks.
    private func complete(_ newPhase: FuturePhase) -> Bool {
        hooks.cancelRequested = nil
        phase = newPhase
        didComplete()
        let pending = callbacks
        callbacks = []
        for callback in pending {
            switch callback {
            case .user(_, let function): schedule(function)
            case .waker(let continuation): continuation.resume()
            case .hook(_, let hook): hook()
            }
        }
        return true
    }

    /// Called on completion before the callbacks are scheduled: a task queues its group's done-callback here.
    func didComplete() {}

    /// Puts `callback` in the loop's ready queue. CPython's `call_soon` raises "Event loop is closed" out of
    /// `add_done_callback` or `set_result` then; the methods here do not throw (and the future is done by then
    /// anyway), so the loop's exception handler hears of the callback that will never run.
    private func schedule(_ callback: @escaping () -> Void) {
        do {
            // Keeps the future alive until its callback has run: stored callbacks hold it unowned.
            try loop.callSoon { [self] in
                callback()
                _ = self
            }
        } catch {
            loop.callExceptionHandler(ExceptionContext(
                message: "Future done-callback could not be scheduled", error: error, future: self
            ))
        }
    }

    /// Resolves a pending future as cancelled, bypassing ``FutureHooks/cancelRequested`` (its owner calls this
    /// once the work behind the future has ended); `false` when it was already done.
    @discardableResult
    package func finishCancelled(message: String?) -> Bool {
        guard phase == .pending else { return false }
        cancelMessage = message
        return complete(.cancelled)
    }

    /// Stops the deallocation report (for futures whose errors are delivered elsewhere).
    func silenceUnretrievedReport() { reportsUnretrieved = false }

    // MARK: Callbacks

    /// Calls `callback` with the future, through the loop's ready queue, once it is done (next iteration if it
    /// already is).
    ///
    /// Flavor: sync. When the loop cannot take the callback (it is closed), the callback never runs and the
    /// loop's exception handler gets a context whose error is that of ``AbstractEventLoop/callSoon(_:)``
    /// (`RuntimeError` "Event loop is closed"), where CPython raises it.
    @discardableResult
    public func addDoneCallback(_ callback: @escaping (Future<T>) -> Void) -> CallbackID {
        addCallback { [unowned self] in callback(self) }
    }

    /// ``addDoneCallback(_:)`` with a type-erased callback.
    @discardableResult
    public func addAnyDoneCallback(_ callback: @escaping (any AnyFuture) -> Void) -> CallbackID {
        addCallback { [unowned self] in callback(self) }
    }

    private func addCallback(_ function: @escaping () -> Void) -> CallbackID {
        notifyObserver()
        nextCallbackID += 1
        if done {
            schedule(function)
        } else {
            callbacks.append(.user(nextCallbackID, function))
        }
        return CallbackID(raw: nextCallbackID)
    }

    /// Removes the callbacks registered under `id`; returns how many were removed. A completion hook's
    /// id (see `addCompletionHook(_:)`) removes that hook: ids of both come from one counter.
    ///
    /// Flavor: sync.
    @discardableResult
    public func removeDoneCallback(_ id: CallbackID) -> Int {
        let before = callbacks.count
        callbacks.removeAll { callback in
            switch callback {
            case .user(let raw, _), .hook(let raw, _): raw == id.raw
            case .waker: false
            }
        }
        return before - callbacks.count
    }

    /// The completion slot of ``FutureHooks``: calls `hook` synchronously when the future completes (at once
    /// when it is done already), in order with the future's other callbacks but not through the loop's queue as
    /// done-callbacks are: for a waiter of another runtime that only needs waking, where a queued callback would
    /// cost a loop iteration and two allocations per await. Counts as an observation. The hook must not call
    /// back into the future. Returns the id that ``removeDoneCallback(_:)`` takes (`nil`: it ran already).
    @discardableResult
    package func addCompletionHook(_ hook: @escaping () -> Void) -> CallbackID? {
        // A waiter of another runtime observes the future as an asyncio awaiter would.
        notifyObserver()
        guard phase == .pending else {
            hook()
            return nil
        }
        nextCallbackID += 1
        callbacks.append(.hook(nextCallbackID, hook))
        return CallbackID(raw: nextCallbackID)
    }

    private func notifyObserver() {
        guard let observer = hooks.firstObserved else { return }
        hooks.firstObserved = nil
        observer()
    }

    func addWaker(_ continuation: UnsafeContinuation<Void, Never>) {
        guard phase == .pending else { return continuation.resume() }
        callbacks.append(.waker(continuation))
    }

    // MARK: Awaiting

    /// Waits for the future and returns its result: `await fut` in Python.
    ///
    /// Flavor: asyncio (only from an ``AsyncioTask``). Returns at once, without yielding, when the future is
    /// already done. - Throws: the future's error; ``CancelledError`` when the future or the awaiting task
    /// is cancelled; `FlavorError` outside an asyncio task; `RuntimeError` when the future belongs to another
    /// loop, or when a task awaits itself.
    public var value: T {
        get async throws {
            guard let current = TaskContext.current else { throw FlavorError.outsideTask("Awaiting a Future") }
            notifyObserver()
            if phase == .pending {
                // A task waiting for its own end would wait forever (and a cancel would recurse): refuse it.
                if current.task === self { throw RuntimeError("Task cannot await on itself: \(self)") }
                try await current.core.park(on: self)
            }
            return try result()
        }
    }

    /// The one value of an empty type (read from an aligned address: a zero-size load reads no memory).
    private static var emptyValue: T {
        precondition(MemoryLayout<T>.size == 0, "Future: a non-empty result was not stored")
        return UnsafeRawPointer(bitPattern: MemoryLayout<T>.alignment)!.load(as: T.self)
    }

    // MARK: Description

    var stateName: String {
        switch phase {
        case .pending: "PENDING"
        case .cancelled: "CANCELLED"
        case .succeeded, .failed: "FINISHED"
        }
    }

    var kindName: String { "Future" }

    /// `<Future pending>`, `<Future finished result=…>`, … as CPython prints futures.
    public var description: String { baseDescription }

    // Final, so that `deinit` may use it.
    final var baseDescription: String {
        switch phase {
        case .pending: "<\(kindName) pending>"
        case .cancelled: "<\(kindName) cancelled>"
        case .succeeded: "<\(kindName) finished result=\(valueBox.map { "\($0.value)" } ?? "\(Self.emptyValue)")>"
        case .failed: "<\(kindName) finished exception=\(failure!)>"
        }
    }
}

/// What a ``Future`` is, without its value (not generic: see the note on ``Future``).
enum FuturePhase: UInt8 {
    case pending, succeeded, failed, cancelled
}

/// One callback registered on a ``Future`` (not generic: see the note on ``Future``).
enum FutureCallback {
    /// A done-callback, already bound to its future; scheduled through the loop's queue.
    case user(UInt64, () -> Void)
    /// An awaiting task: resuming it enqueues its next step on the loop, which is the queue slot CPython gives
    /// the task's wake-up callback.
    case waker(UnsafeContinuation<Void, Never>)
    /// A synchronous completion hook (see `Future.addCompletionHook`), with its id.
    case hook(UInt64, () -> Void)
}

/// A successful future's value, boxed once on completion so that the future's own storage is not generic.
final class FutureValueBox<T> {
    let value: T
    init(_ value: T) { self.value = value }
}
