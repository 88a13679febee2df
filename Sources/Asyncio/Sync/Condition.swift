/// Lets tasks holding a lock wait for a notification: CPython's `asyncio.Condition`.
///
/// Flavor: asyncio (``wait()``, ``acquire()``); `notify` is sync. Write `Asyncio.Condition` in files that also
/// import Trio.
public final class Condition: AsyncAcquirable {
    /// The underlying lock.
    public let lock: Lock
    private let waiters = WaiterList()

    /// Creates a condition over `lock` (a new one by default).
    public init(lock: Lock = Lock()) {
        self.lock = lock
    }

    /// Whether the lock is held.
    public var locked: Bool { lock.locked }

    /// Acquires the lock. Flavor: asyncio. - Throws: as ``Lock/acquire()``.
    public func acquire() async throws { try await lock.acquire() }

    /// Releases the lock. Flavor: sync. - Throws: as ``Lock/release()``.
    public func release() throws { try lock.release() }

    /// Releases the lock, waits for a notification, and re-acquires the lock — even when cancelled. A wait that
    /// ends with an error wakes another waiter, so that a notification it may have received is not lost.
    ///
    /// Flavor: asyncio. - Throws: `RuntimeError` "cannot wait on un-acquired lock"; ``CancelledError`` (with the
    /// lock held again).
    public func wait() async throws {
        _ = try TaskContext.require("Asyncio.Condition.wait")
        guard lock.locked else { throw RuntimeError("cannot wait on un-acquired lock") }
        try lock.release()
        var failure: (any Error)?
        do {
            try await waiters.wait(.conditionWait)
        } catch {
            failure = error
        }
        while true {
            do {
                try await lock.acquire()
                break
            } catch {
                failure = error
            }
        }
        if let failure {
            // The error may have come after our notification (while waiting, or while taking the lock back):
            // pass one on so that it is not lost, as CPython 3.13 does (a spurious wake-up at worst).
            waiters.wake(upTo: 1)
            throw failure
        }
    }

    /// Waits until `predicate` holds (checked first, then after every notification) and returns its value.
    ///
    /// Flavor: asyncio. - Throws: as ``wait()``.
    @discardableResult
    public func waitFor(_ predicate: () -> Bool) async throws -> Bool {
        while !predicate() { try await wait() }
        return true
    }

    /// Wakes up to `count` waiting tasks.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "cannot notify on un-acquired lock".
    public func notify(_ count: Int = 1) throws {
        guard lock.locked else { throw RuntimeError("cannot notify on un-acquired lock") }
        waiters.wake(upTo: count)
    }

    /// Wakes every waiting task.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "cannot notify on un-acquired lock".
    public func notifyAll() throws { try notify(Int.max) }
}
