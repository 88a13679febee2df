/// A classic mutual-exclusion lock. Flavor: Trio.
///
/// Only one task holds it at a time; only the holder may release it; it is not re-entrant.
/// Waiters get it in FIFO order, handed over directly on release, so the lock is fair. If the
/// holder exits without releasing, every task waiting for the lock (now or later) gets
/// ``BrokenResourceError``.
///
/// ```swift
/// let lock = Lock()
/// try await lock.withLock { try await update(shared) }
/// ```
public final class Lock: CustomStringConvertible {
    let core = LockCore(typeName: "Lock")

    /// Creates an unlocked lock. Flavor: sync.
    public init() {}

    /// Whether some task holds the lock. Flavor: sync.
    public var locked: Bool { core.locked }

    /// Takes the lock, waiting for it if needed. Flavor: Trio; a checkpoint (even when the lock
    /// is free).
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` if the current task already holds it, or outside
    ///   a Trio task; ``BrokenResourceError`` if the holder exited without releasing.
    public func acquire() async throws {
        try await core.acquire(try currentTrioTask("Lock.acquire"))
    }

    /// Takes the lock if that needs no waiting. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock`` when another task holds it or others wait for it;
    ///   `RuntimeError` if the current task already holds it, or outside a Trio task.
    public func acquireNowait() throws {
        try core.acquireNowait(try currentTrioTask("Lock.acquireNowait"))
    }

    /// Releases the lock, handing it to the oldest waiter if any. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if the current task does not hold it.
    public func release() throws {
        try core.release(try currentTrioTask("Lock.release"))
    }

    /// Runs `body` holding the lock, and releases it afterwards, also when `body` throws.
    /// Flavor: Trio; a checkpoint on entry.
    ///
    /// - Throws: what ``acquire()`` throws, and the body's errors.
    public func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try await withAcquired(acquire, release, body)
    }

    /// The holder and the number of waiters. Flavor: sync.
    public func statistics() -> LockStatistics { core.statistics() }

    /// `<locked Lock with N waiters>` or `<unlocked Lock>`.
    public var description: String {
        locked ? "<locked Lock with \(core.lot.count) waiters>" : "<unlocked Lock>"
    }
}
