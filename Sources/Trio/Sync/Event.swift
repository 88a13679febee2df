/// A one-shot flag that tasks can wait for. Flavor: Trio.
///
/// Once set it stays set; every waiter, present and future, proceeds.
public final class Event {
    private var waiters: [TrioTask] = []
    /// Whether ``set()`` has been called. Flavor: sync.
    public private(set) var isSet = false

    /// Creates an unset event.
    public init() {}

    /// Sets the event and wakes every waiter. Idempotent. Flavor: sync; not a checkpoint.
    public func set() {
        guard !isSet else { return }
        isSet = true
        let woken = waiters
        waiters = []
        for task in woken { task.runner.reschedule(task) }
    }

    /// Waits until the event is set. Flavor: Trio; a checkpoint even when already set.
    ///
    /// - Throws: ``Cancelled``; ``RuntimeError`` outside a Trio task.
    public func wait() async throws {
        if isSet {
            try await checkpoint()
            return
        }
        let task = try currentTrioTask("Event.wait")
        waiters.append(task)
        if let error = await task.runner.park(task, abort: { [unowned self] _ in
            if let index = self.waiters.firstIndex(where: { $0 === task }) { self.waiters.remove(at: index) }
            return .succeeded
        }) {
            throw error
        }
    }

    /// How many tasks are waiting. Flavor: sync.
    public func statistics() -> EventStatistics { EventStatistics(tasksWaiting: waiters.count) }
}

/// What ``Event/statistics()`` reports.
public struct EventStatistics: Sendable, Equatable {
    /// Tasks blocked in ``Event/wait()``.
    public let tasksWaiting: Int
}
