/// A mutual-exclusion lock for tasks, fair (FIFO): CPython's `asyncio.Lock`.
///
/// Flavor: asyncio (``acquire()``); the rest is sync. Not reentrant. Write `Asyncio.Lock` in files that also
/// import Trio.
public final class Lock: AsyncAcquirable {
    private var held = false
    private let waiters = WaiterList()

    /// Creates an unlocked lock.
    public init() {}

    /// Whether some task holds the lock.
    public var locked: Bool { held }

    /// Waits for the lock and takes it. Takes it at once (no yield) when it is free and nobody waits.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside an asyncio task.
    public func acquire() async throws {
        _ = try TaskContext.require("Asyncio.Lock.acquire")
        if !held && waiters.allCancelled {
            held = true
            return
        }
        do {
            try await waiters.wait(.lockAcquire)
        } catch {
            // Whoever was woken for us must not be lost: pass the turn on.
            if !held { waiters.wakeFirst() }
            throw error
        }
        held = true
    }

    /// Releases the lock and wakes the first waiter.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Lock is not acquired." when it is not held.
    public func release() throws {
        guard held else { throw RuntimeError("Lock is not acquired.") }
        held = false
        waiters.wakeFirst()
    }
}
