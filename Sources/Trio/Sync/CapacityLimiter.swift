/// Limits how many tasks (or other borrowers) may do something at once. Flavor: Trio.
///
/// Like a semaphore whose units ("tokens") remember who borrowed them: each borrower holds at
/// most one token, and only the borrower may give it back. ``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)``
/// uses one to bound the number of worker threads. Tokens go to waiters in FIFO order, handed over
/// directly when released.
public final class CapacityLimiter: CustomStringConvertible {
    private let lot = ParkingLot()
    // Loop thread only; read by every acquire and release, so no dynamic exclusivity check (one
    // owner thread, no re-entrant access).
    @exclusivity(unchecked) private var borrowers: [ObjectIdentifier: AnyObject] = [:]
    @exclusivity(unchecked) private var storedTotalTokens: Int

    /// Creates a limiter with `totalTokens` tokens (`Int.max`: unlimited). Flavor: sync.
    /// A negative count traps with a message (see ``setTotalTokens(_:)`` for a throwing check).
    public init(_ totalTokens: Int) {
        precondition(totalTokens >= 0, "CapacityLimiter: total_tokens must be >= 0")
        storedTotalTokens = totalTokens
    }

    /// The number of tokens (`Int.max`: unlimited). Flavor: sync.
    ///
    /// Raising it wakes waiters, oldest first; lowering it never takes tokens back from borrowers
    /// (new acquisitions wait until enough are released). Setting a negative value traps.
    public var totalTokens: Int {
        get { storedTotalTokens }
        set {
            precondition(newValue >= 0, "CapacityLimiter: total_tokens must be >= 0")
            storedTotalTokens = newValue
            wakeWaiters()
        }
    }

    /// Sets ``totalTokens``. Flavor: sync. - Throws: `ValueError` for a negative count.
    public func setTotalTokens(_ newValue: Int) throws {
        guard newValue >= 0 else { throw ValueError("total_tokens must be >= 0") }
        totalTokens = newValue
    }

    /// Tokens currently held. Flavor: sync.
    public var borrowedTokens: Int { borrowers.count }

    /// Tokens free now (may be negative after ``totalTokens`` was lowered). Flavor: sync.
    public var availableTokens: Int {
        storedTotalTokens == Int.max ? Int.max : storedTotalTokens - borrowers.count
    }

    private func wakeWaiters() {
        let available = availableTokens
        guard available > 0 else { return }
        for ticket in lot.unparkTickets(count: available) {
            if let borrower = ticket.payload { borrowers[ObjectIdentifier(borrower)] = borrower }
        }
    }

    /// Borrows a token for the current task, waiting if none is free. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled`` (leaving nothing borrowed); `RuntimeError` if the task already
    ///   holds a token of this limiter, or outside a Trio task.
    public func acquire() async throws {
        let task = try currentTrioTask("CapacityLimiter.acquire")
        try await acquireOnBehalfOf(task, task: task)
    }

    /// Borrows a token for the current task if one is free. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock``; `RuntimeError` if the task already holds a token.
    public func acquireNowait() throws {
        try acquireOnBehalfOfNowait(try currentTrioTask("CapacityLimiter.acquireNowait"))
    }

    /// Borrows a token on behalf of `borrower` (any object, e.g. a thread placeholder), waiting if
    /// none is free. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled`` (leaving nothing borrowed); `RuntimeError` if `borrower` already
    ///   holds a token, or outside a Trio task.
    public func acquireOnBehalfOf(_ borrower: AnyObject) async throws {
        try await acquireOnBehalfOf(borrower, task: try currentTrioTask("CapacityLimiter.acquireOnBehalfOf"))
    }

    private func acquireOnBehalfOf(_ borrower: AnyObject, task: TrioTask) async throws {
        try await checkpointIfCancelled()
        do {
            try acquireOnBehalfOfNowait(borrower)
        } catch is WouldBlock {
            // Whoever frees a token records `borrower` as its holder before waking us.
            try await lot.park(task, payload: borrower, reason: .capacityLimiter(.passUnretained(self)))
            return
        }
        await task.runner.yieldShielded(task)
    }

    /// Borrows a token on behalf of `borrower` if one is free. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock`` when no token is free or tasks already wait for one (they come
    ///   first); `RuntimeError` if `borrower` already holds a token.
    public func acquireOnBehalfOfNowait(_ borrower: AnyObject) throws {
        if borrowers[ObjectIdentifier(borrower)] != nil {
            throw RuntimeError("this borrower is already holding one of this CapacityLimiter's tokens")
        }
        guard availableTokens > 0, lot.isEmpty else { throw WouldBlock() }
        borrowers[ObjectIdentifier(borrower)] = borrower
    }

    /// Gives back the current task's token. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if the task holds no token of this limiter.
    public func release() throws {
        try releaseOnBehalfOf(try currentTrioTask("CapacityLimiter.release"))
    }

    /// Gives back `borrower`'s token; the oldest waiter gets it at once. Flavor: sync; not a
    /// checkpoint.
    ///
    /// - Throws: `RuntimeError` if `borrower` holds no token of this limiter.
    public func releaseOnBehalfOf(_ borrower: AnyObject) throws {
        guard borrowers.removeValue(forKey: ObjectIdentifier(borrower)) != nil else {
            throw RuntimeError("this borrower isn't holding any of this CapacityLimiter's tokens")
        }
        wakeWaiters()
    }

    /// Runs `body` holding a token for the current task, and gives it back afterwards.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what ``acquire()`` throws, and the body's errors.
    public func withToken<T>(_ body: () async throws -> T) async throws -> T {
        try await withAcquired(acquire, release, body)
    }

    /// Tokens, borrowers and waiters. Flavor: sync.
    public func statistics() -> CapacityLimiterStatistics {
        CapacityLimiterStatistics(
            borrowedTokens: borrowers.count, totalTokens: storedTotalTokens,
            borrowers: Array(borrowers.values), tasksWaiting: lot.count)
    }

    /// `<CapacityLimiter borrowed/total with N waiting>`.
    public var description: String {
        "<CapacityLimiter \(borrowers.count)/\(storedTotalTokens) with \(lot.count) waiting>"
    }
}

/// What ``CapacityLimiter/statistics()`` reports.
public struct CapacityLimiterStatistics: @unchecked Sendable {
    /// Tokens currently held.
    public let borrowedTokens: Int
    /// The limiter's ``CapacityLimiter/totalTokens``.
    public let totalTokens: Int
    /// Who holds the tokens (tasks, or the objects passed to `acquireOnBehalfOf`).
    public let borrowers: [AnyObject]
    /// Tasks blocked waiting for a token.
    public let tasksWaiting: Int
}
