/// The cancellation state of one asyncio task, in a non-generic object so that code awaiting any future can
/// reach it through ``TaskContext``.
///
/// CPython's edge-triggered model: `cancel()` cancels the future the task waits on, or, when there is none,
/// leaves `mustCancel` for the task's next suspension to turn into one ``CancelledError``.
final class TaskCore {
    let loop: any AbstractEventLoop
    var mustCancel = false
    var cancelMessage: String?
    var cancelRequests = 0
    var waiter: (any AnyFuture)?
    /// The task's slot in its loop's ``LoopTaskRegistry`` (set together with `registry`; -1: none).
    var registryIndex = -1
    var registry: LoopTaskRegistry?
    /// Set for the context of a task of another runtime that calls asyncio code directly
    /// (``withForeignTaskContext(loop:bridge:name:_:)``): its waits go through the bridge.
    var bridge: (any ForeignTaskBridge)?

    init(loop: any AbstractEventLoop) {
        self.loop = loop
    }

    /// Records a cancellation request; `false` when the task is already done.
    func requestCancel(message: String?) -> Bool {
        cancelRequests += 1
        if let waiter, waiter.cancel(message: message) { return true }
        mustCancel = true
        cancelMessage = message
        return true
    }

    /// Undoes one request; at zero a request not yet delivered is dropped (CPython 3.13).
    func uncancel() -> Int {
        if cancelRequests > 0 {
            cancelRequests -= 1
            if cancelRequests == 0 { mustCancel = false }
        }
        return cancelRequests
    }

    /// Takes a pending cancellation, if any.
    func consumeCancel() -> CancelledError? {
        guard mustCancel else { return nil }
        mustCancel = false
        return CancelledError(message: cancelMessage)
    }

    /// Suspends the task until `future` is done. A cancellation requested meanwhile (or before) is delivered
    /// here, once.
    func park<T>(on future: Future<T>) async throws {
        guard future.loop === loop else {
            throw RuntimeError("Task got a Future attached to a different loop")
        }
        if mustCancel, future.cancel(message: cancelMessage) {
            mustCancel = false
            if future.done {
                // Take the one hop its wake-up callback would have taken.
                try await yield()
                return
            }
            // A task (or gather) only got a request: wait for it to wind down.
        }
        waiter = future
        if let bridge {
            do {
                try await bridge.waitDone(future)
            } catch {
                waiter = nil
                throw error
            }
        } else {
            await withUnsafeContinuation { future.addWaker($0) }
        }
        waiter = nil
        if let cancel = consumeCancel() {
            _ = try? future.exception()
            throw cancel
        }
    }

    /// Gives the other ready callbacks and tasks a turn: `await asyncio.sleep(0)`.
    func yield() async throws {
        if let bridge {
            try await bridge.yieldTurn()
        } else {
            await LoopYieldSpot.current.hop()
        }
        if let cancel = consumeCancel() { throw cancel }
    }
}

/// The asyncio task running the current Swift task, if any.
enum TaskContext {
    struct Current: @unchecked Sendable {
        let core: TaskCore
        let task: any AnyAsyncioTask
    }

    @TaskLocal static var current: Current?

    /// The current task's core, or a ``FlavorError`` naming `what`.
    static func require(_ what: String) throws -> Current {
        guard let current else { throw FlavorError.outsideTask(what) }
        return current
    }
}
