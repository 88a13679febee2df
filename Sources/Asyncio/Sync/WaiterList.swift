import DequeModule

/// The FIFO of futures that tasks blocked on a primitive wait on (the `_waiters` deque of CPython's locks
/// and queues). A waiter removes its own future when its wait ends, however it ends.
final class WaiterList {
    private(set) var futures = Deque<Future<Void>>()

    /// Whether every waiter was cancelled (or there are none).
    var allCancelled: Bool { futures.allSatisfy(\.cancelled) }

    /// Parks the current task on a new future at the back of the list until someone completes it.
    /// The future leaves the list however the wait ends; a cancelled wait hands it to `onCancel`
    /// first, for primitives that must inspect it (semaphores, queues).
    ///
    /// - Throws: ``CancelledError``; `FlavorError` (naming `what`) outside an asyncio task.
    func wait(_ what: PrimitiveWait, onCancel: (Future<Void>) -> Void = { _ in }) async throws {
        let loop = try TaskContext.require(what.call).core.loop
        let future = loop.createFuture(of: Void.self)
        future.role = .primitive(what)
        futures.append(future)
        do {
            try await future.value
            remove(future)
        } catch {
            remove(future)
            onCancel(future)
            throw error
        }
    }

    func remove(_ future: Future<Void>) {
        if let index = futures.firstIndex(where: { $0 === future }) { futures.remove(at: index) }
    }

    /// Completes the first waiter if it is still pending (CPython `Lock._wake_up_first`).
    func wakeFirst() {
        if let first = futures.first, !first.done { first.setOutcomeUnlessDone(.success(())) }
    }

    /// Completes the first pending waiter; `false` when there is none (CPython `Semaphore._wake_up_next`).
    func wakeNextPending() -> Bool {
        guard let future = futures.first(where: { !$0.done }) else { return false }
        future.setOutcomeUnlessDone(.success(()))
        return true
    }

    /// Pops waiters until one is completed (CPython `Queue._wakeup_next`).
    func popAndWakeNext() {
        while let future = futures.popFirst() {
            if !future.done {
                future.setOutcomeUnlessDone(.success(()))
                return
            }
        }
    }

    /// Completes up to `count` pending waiters, in order; returns how many.
    @discardableResult
    func wake(upTo count: Int) -> Int {
        var woken = 0
        for future in futures where woken < count && !future.done {
            future.setOutcomeUnlessDone(.success(()))
            woken += 1
        }
        return woken
    }
}
