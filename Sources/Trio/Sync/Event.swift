/// A one-shot flag that tasks can wait for. Flavor: Trio.
///
/// Once set it stays set; every waiter, present and future, proceeds.
public final class Event: CustomStringConvertible {
    /// One blocked waiter (a record per wait, so that a cancelled wait is removed in O(1)).
    private final class Waiter: QueuedWaiter {
        let task: TrioTask
        var isQueued = false
        init(task: TrioTask) { self.task = task }
    }

    // Loop thread only; touched by every wait and set, so no dynamic exclusivity check (one
    // owner thread, no re-entrant access).
    @exclusivity(unchecked) private var waiters = WaiterQueue<Waiter>()
    /// Whether ``set()`` has been called. Flavor: sync.
    @exclusivity(unchecked) public private(set) var isSet = false

    /// Creates an unset event.
    public init() {}

    /// Sets the event and wakes every waiter, oldest first. Idempotent. Flavor: sync; not a
    /// checkpoint.
    public func set() {
        guard !isSet else { return }
        isSet = true
        while let waiter = waiters.popFirst() {
            waiter.task.runner.reschedule(waiter.task)
        }
    }

    /// Waits until the event is set. Flavor: Trio; a checkpoint even when already set.
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task.
    public nonisolated(nonsending) func wait() async throws {
        if isActorIsolated(#isolation) { return try await onRunThread(self) { try await $0.wait() } }
        if isSet {
            try await checkpoint()
            return
        }
        let task = try currentTrioTask("Event.wait")
        let waiter = Waiter(task: task)
        waiters.append(waiter)
        // A strong capture: a waiting task keeps the event alive until it is woken.
        if let error = await task.runner.park(task, for: .event(.passUnretained(self)), abort: { _ in
            self.waiters.remove(waiter)
            return .succeeded
        }) {
            throw error
        }
    }

    /// How many tasks are waiting. Flavor: sync.
    public func statistics() -> EventStatistics { EventStatistics(tasksWaiting: waiters.count) }

    /// `<Event set>` or `<Event unset with N waiters>`.
    public var description: String {
        isSet ? "<Event set>" : "<Event unset with \(waiters.count) waiters>"
    }
}

/// What ``Event/statistics()`` reports.
public struct EventStatistics: Sendable, Equatable {
    /// Tasks blocked in ``Event/wait()``.
    public let tasksWaiting: Int
}
