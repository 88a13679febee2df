/// A condition variable: tasks holding the lock wait until another task notifies them.
/// Flavor: Trio.
///
/// ```swift
/// try await condition.withLock {
///     while !ready { try await condition.wait() }
/// }
/// ```
///
/// A notified task is moved straight into the lock's queue without waking, so it runs again only
/// once it holds the lock.
public final class Condition {
    /// The lock this condition uses.
    public let lock: Lock
    private let lot = ParkingLot()

    /// Creates a condition over `lock` (a fresh one by default). Flavor: sync.
    public init(lock: Lock = Lock()) { self.lock = lock }

    /// Whether some task holds the lock. Flavor: sync.
    public var locked: Bool { lock.locked }

    /// Takes the lock. Flavor: Trio; a checkpoint. - Throws: as ``Lock/acquire()``.
    public func acquire() async throws { try await lock.acquire() }

    /// Takes the lock without waiting. Flavor: sync. - Throws: as ``Lock/acquireNowait()``.
    public func acquireNowait() throws { try lock.acquireNowait() }

    /// Releases the lock. Flavor: sync. - Throws: as ``Lock/release()``.
    public func release() throws { try lock.release() }

    /// Runs `body` holding the lock. Flavor: Trio; a checkpoint. - Throws: as ``Lock/withLock(_:)``.
    public func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try await lock.withLock(body)
    }

    /// Releases the lock, waits to be notified, then takes the lock back before returning.
    /// Flavor: Trio; a checkpoint.
    ///
    /// The lock is held again when this returns *or throws*: a cancelled wait re-acquires it
    /// (shielded from the cancellation) before throwing ``Cancelled``.
    ///
    /// - Throws: `RuntimeError` if the current task does not hold the lock; ``Cancelled``.
    public func wait() async throws {
        let task = try currentTrioTask("Condition.wait")
        guard lock.core.owner === task else { throw RuntimeError("must hold the lock to wait") }
        try lock.core.release(task)
        do {
            // Notify moves our ticket into the lock's lot; its release then makes us the owner.
            try await lot.park(task, reason: .condition(.passUnretained(lot)))
        } catch {
            try await CancelScope(shield: true).run { try await self.lock.core.acquire(task) }
            throw error
        }
    }

    /// Wakes up to `n` waiting tasks (each will return from ``wait()`` once it gets the lock).
    /// Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if the current task does not hold the lock.
    public func notify(_ n: Int = 1) throws {
        try checkOwner("notify")
        lot.repark(to: lock.core.lot, count: n)
    }

    /// Wakes every waiting task. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if the current task does not hold the lock.
    public func notifyAll() throws {
        try checkOwner("notifyAll")
        lot.reparkAll(to: lock.core.lot)
    }

    private func checkOwner(_ api: String) throws {
        let task = try currentTrioTask("Condition.\(api)")
        guard lock.core.owner === task else { throw RuntimeError("must hold the lock to notify") }
    }

    /// Waiters of the condition, and the lock's statistics. Flavor: sync.
    public func statistics() -> ConditionStatistics {
        ConditionStatistics(tasksWaiting: lot.count, lockStatistics: lock.statistics())
    }
}

/// What ``Condition/statistics()`` reports.
public struct ConditionStatistics: @unchecked Sendable {
    /// Tasks blocked in ``Condition/wait()`` and not yet notified.
    public let tasksWaiting: Int
    /// The statistics of the condition's lock.
    public let lockStatistics: LockStatistics
}
