/// The implementation shared by ``Lock`` and ``StrictFIFOLock`` (Trio's `_LockImpl`).
///
/// Ownership passes straight from the releasing task to the oldest waiter, so the lock is fair
/// and strictly FIFO. The owner is registered as an exit observer: if it exits while holding the
/// lock, the waiting lot is broken and every present and future acquirer fails with
/// ``BrokenResourceError`` instead of waiting forever.
final class LockCore: TaskExitObserver {
    let lot = ParkingLot()
    // Loop thread only; read and written by every acquire and release, so no dynamic
    // exclusivity check (one owner thread, no re-entrant access).
    @exclusivity(unchecked) private(set) var owner: TrioTask?
    let typeName: String

    init(typeName: String) { self.typeName = typeName }

    var locked: Bool { owner != nil }

    func acquireNowait(_ task: TrioTask) throws {
        if owner === task {
            throw RuntimeError("attempt to re-acquire an already held \(typeName)")
        }
        guard owner == nil, lot.isEmpty else { throw WouldBlock() }
        take(for: task)
    }

    func acquire(_ task: TrioTask) async throws {
        try await checkpointIfCancelled()
        do {
            try acquireNowait(task)
        } catch is WouldBlock {
            do {
                // The releaser makes us the owner before waking us.
                try await lot.park(task, reason: .lock(.passUnretained(self)))
            } catch is BrokenResourceError {
                throw BrokenResourceError(
                    "Owner of this \(typeName) exited without releasing: \(owner.map { "\($0)" } ?? "nil")")
            }
            return
        }
        await task.runner.yieldShielded(task)
    }

    func release(_ task: TrioTask) throws {
        guard let current = owner, current === task else {
            throw RuntimeError("can't release a \(typeName) you don't own")
        }
        if let index = current.exitObservers.lastIndex(where: { $0 === self }) {
            current.exitObservers.remove(at: index)
        }
        owner = nil
        if let next = lot.unparkOne() {
            take(for: next.task)
        }
    }

    private func take(for task: TrioTask) {
        owner = task
        task.exitObservers.append(self)
    }

    func taskExited(_ task: TrioTask) {
        guard owner === task else { return }
        lot.breakLot(by: task)
    }

    func statistics() -> LockStatistics {
        LockStatistics(locked: locked, owner: owner, tasksWaiting: lot.count)
    }
}

/// What ``Lock/statistics()`` and ``StrictFIFOLock/statistics()`` report.
public struct LockStatistics: @unchecked Sendable {
    /// Whether some task holds the lock.
    public let locked: Bool
    /// The task holding the lock, if any.
    public let owner: TrioTask?
    /// Tasks blocked in `acquire`.
    public let tasksWaiting: Int
}

/// How a `withLock` body runs: acquire, run, release even when the body throws.
@inline(__always)
func withAcquired<T>(
    _ acquire: () async throws -> Void, _ release: () throws -> Void, _ body: () async throws -> T
) async throws -> T {
    try await acquire()
    let value: T
    do {
        value = try await body()
    } catch {
        // The body's error is the interesting one; a failing release (the body released the
        // lock itself) must not hide it.
        try? release()
        throw error
    }
    try release()
    return value
}
