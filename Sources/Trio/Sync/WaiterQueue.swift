import DequeModule

/// A record that can sit in a ``WaiterQueue``: one blocked task (and whatever it carries).
@usableFromInline
protocol QueuedWaiter: AnyObject {
    /// True while the record is in a queue and has been neither popped nor removed.
    var isQueued: Bool { get set }
}

/// A FIFO of blocked tasks' records, shared by every blocking primitive of the library.
///
/// Removal (a cancelled wait) is O(1): the record is only marked, and skipped when it reaches the
/// front. Marked records are swept out once they outnumber the live ones, so a loop of timed-out
/// waits with nobody ever popping cannot grow the queue without bound. A record must not be
/// queued again once removed (allocate a fresh one per wait).
@usableFromInline
struct WaiterQueue<Waiter: QueuedWaiter> {
    @usableFromInline var entries = Deque<Waiter>()
    /// Live (queued, not removed) records.
    @usableFromInline var count = 0

    @inlinable init() {}

    @inlinable var isEmpty: Bool { count == 0 }

    @inlinable mutating func append(_ waiter: Waiter) {
        waiter.isQueued = true
        entries.append(waiter)
        count += 1
    }

    /// The oldest live record, without removing it.
    @inlinable mutating func first() -> Waiter? {
        while let waiter = entries.first {
            if waiter.isQueued { return waiter }
            entries.removeFirst()
        }
        return nil
    }

    /// Removes and returns the oldest live record.
    @inlinable mutating func popFirst() -> Waiter? {
        while let waiter = entries.popFirst() {
            if waiter.isQueued {
                waiter.isQueued = false
                count -= 1
                return waiter
            }
        }
        return nil
    }

    /// Takes `waiter` out of the queue; false if it was not queued.
    @inlinable @discardableResult
    mutating func remove(_ waiter: Waiter) -> Bool {
        guard waiter.isQueued else { return false }
        waiter.isQueued = false
        count -= 1
        let dead = entries.count - count
        if dead > 16 && dead > count {
            entries.removeAll { !$0.isQueued }
        }
        return true
    }

    /// Removes and returns every live record that matches, oldest first.
    @inlinable mutating func removeAll(where matches: (Waiter) -> Bool) -> [Waiter] {
        var removed: [Waiter] = []
        var kept = Deque<Waiter>()
        for waiter in entries where waiter.isQueued {
            if matches(waiter) {
                waiter.isQueued = false
                removed.append(waiter)
            } else {
                kept.append(waiter)
            }
        }
        entries = kept
        count = kept.count
        return removed
    }

    /// Every live record, oldest first.
    @inlinable func forEach(_ body: (Waiter) throws -> Void) rethrows {
        for waiter in entries where waiter.isQueued { try body(waiter) }
    }
}
