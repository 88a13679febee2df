/// A lock that guarantees strict first-come first-served hand-off. Flavor: Trio.
///
/// Today ``Lock`` behaves the same way; this type states the guarantee, for code that depends on
/// it (for example, to keep a stream's writers in order), so that ``Lock`` remains free to trade
/// fairness for speed later. Same surface and errors as ``Lock``.
public final class StrictFIFOLock: CustomStringConvertible {
    let core = LockCore(typeName: "StrictFIFOLock")

    /// Creates an unlocked lock. Flavor: sync.
    public init() {}

    /// Whether some task holds the lock. Flavor: sync.
    public var locked: Bool { core.locked }

    /// Takes the lock, waiting in strict FIFO order if needed. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` on re-acquisition or outside a Trio task;
    ///   ``BrokenResourceError`` if the holder exited without releasing.
    public func acquire() async throws {
        try await core.acquire(try currentTrioTask("StrictFIFOLock.acquire"))
    }

    /// Takes the lock if that needs no waiting. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock``; `RuntimeError` on re-acquisition or outside a Trio task.
    public func acquireNowait() throws {
        try core.acquireNowait(try currentTrioTask("StrictFIFOLock.acquireNowait"))
    }

    /// Releases the lock to the oldest waiter, if any. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if the current task does not hold it.
    public func release() throws {
        try core.release(try currentTrioTask("StrictFIFOLock.release"))
    }

    /// Runs `body` holding the lock and releases it afterwards. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what ``acquire()`` throws, and the body's errors.
    public func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try await withAcquired(acquire, release, body)
    }

    /// The holder and the number of waiters. Flavor: sync.
    public func statistics() -> LockStatistics { core.statistics() }

    /// `<locked StrictFIFOLock with N waiters>` or `<unlocked StrictFIFOLock>`.
    public var description: String {
        locked ? "<locked StrictFIFOLock with \(core.lot.count) waiters>" : "<unlocked StrictFIFOLock>"
    }
}
