/// A counter tasks decrement, waiting while it is zero, fairly (FIFO): CPython's `asyncio.Semaphore`.
///
/// Flavor: asyncio (``acquire()``); the rest is sync. Write `Asyncio.Semaphore` in files that also import Trio.
public class Semaphore: AsyncAcquirable {
    /// The current count.
    public private(set) var value: Int
    private let waiters = WaiterList()

    /// Creates a semaphore with `value`, which must not be negative (CPython's `ValueError`; here a
    /// precondition, so that creating one needs no `try`).
    public init(_ value: Int = 1) {
        precondition(value >= 0, "Semaphore initial value must be >= 0")
        self.value = value
    }

    /// Whether ``acquire()`` would wait: zero, or earlier tasks still waiting.
    public var locked: Bool {
        value == 0 || waiters.futures.contains { !$0.cancelled }
    }

    /// Decrements the count, waiting first while it cannot.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func acquire() async throws {
        _ = try TaskContext.require("Asyncio.Semaphore.acquire")
        if !locked {
            value -= 1
            return
        }
        defer {
            // Tasks that arrived meanwhile had to queue behind us; let in as many as the count allows.
            while value > 0 && wakeUpNext() {}
        }
        try await waiters.wait(.semaphoreAcquire) { future in
            // Woken but cancelled before running: give the unit back.
            if future.done && !future.cancelled { value += 1 }
        }
    }

    /// Increments the count and wakes the first waiter.
    ///
    /// Flavor: sync. - Throws: `ValueError` from ``BoundedSemaphore`` when released too often.
    public func release() throws {
        value += 1
        _ = wakeUpNext()
    }

    private func wakeUpNext() -> Bool {
        guard waiters.wakeNextPending() else { return false }
        value -= 1
        return true
    }
}

/// A ``Semaphore`` that refuses to be released above its initial value: CPython's `asyncio.BoundedSemaphore`.
///
/// Flavor: as ``Semaphore``.
public final class BoundedSemaphore: Semaphore {
    /// The initial value, which the count may not exceed.
    public let bound: Int

    /// Creates a bounded semaphore with `value`, which must not be negative.
    public override init(_ value: Int = 1) {
        bound = value
        super.init(value)
    }

    /// Increments the count and wakes the first waiter.
    ///
    /// Flavor: sync. - Throws: `ValueError` "BoundedSemaphore released too many times".
    public override func release() throws {
        guard value < bound else { throw ValueError("BoundedSemaphore released too many times") }
        try super.release()
    }
}
