/// The queue of blocked tasks under a lock, semaphore, condition or capacity limiter (Trio's
/// `ParkingLot`). Flavor: internal; every method runs on the run's thread.
///
/// Tasks wait in FIFO order. A lot can move its waiters into another lot (``repark(into:count:)``,
/// which is how a condition hands a notified task to its lock without waking it), and can be
/// *broken* (``breakLot(by:)``): every waiter, present and future, then fails with
/// ``BrokenResourceError``.
final class ParkingLot {
    /// One parked task. It knows which lot it currently sits in, so that cancelling it after a
    /// ``ParkingLot/repark(into:count:)`` removes it from the right queue.
    final class Ticket: QueuedWaiter {
        unowned let task: TrioTask
        unowned var lot: ParkingLot
        var isQueued = false
        /// What the waiter brings along: a capacity limiter's borrower.
        var payload: AnyObject?

        init(task: TrioTask, lot: ParkingLot, payload: AnyObject?) {
            self.task = task
            self.lot = lot
            self.payload = payload
        }
    }

    private var waiters = WaiterQueue<Ticket>()
    /// The tasks whose exit broke this lot; empty while it works.
    private(set) var brokenBy: [TrioTask] = []

    /// Tasks parked here.
    var count: Int { waiters.count }
    var isEmpty: Bool { waiters.isEmpty }

    /// Blocks `task` until it is unparked. A Trio blocking call; cancellable.
    ///
    /// - Throws: ``Cancelled``; ``BrokenResourceError`` when the lot is (or becomes) broken; what
    ///   the waker passed.
    func park(_ task: TrioTask, payload: AnyObject? = nil) async throws {
        if !brokenBy.isEmpty {
            throw BrokenResourceError("Attempted to park in parking lot broken by \(brokenBy)")
        }
        let ticket = Ticket(task: task, lot: self, payload: payload)
        waiters.append(ticket)
        if let error = await task.runner.park(task, abort: { _ in
            ticket.lot.waiters.remove(ticket)
            return .succeeded
        }) {
            throw error
        }
    }

    /// Wakes up to `count` tasks, oldest first, and returns their tickets.
    @discardableResult
    func unpark(count: Int = 1) -> [Ticket] {
        var woken: [Ticket] = []
        while woken.count < count, let ticket = waiters.popFirst() {
            woken.append(ticket)
            ticket.task.runner.reschedule(ticket.task)
        }
        return woken
    }

    /// Wakes the oldest task, if any, and returns its ticket.
    func unparkOne() -> Ticket? {
        guard let ticket = waiters.popFirst() else { return nil }
        ticket.task.runner.reschedule(ticket.task)
        return ticket
    }

    /// Wakes every task.
    @discardableResult
    func unparkAll() -> [Ticket] { unpark(count: Int.max) }

    /// Moves up to `count` of the oldest tasks, still blocked, to the back of `other`.
    func repark(into other: ParkingLot, count: Int = 1) {
        var moved = 0
        while moved < count, let ticket = waiters.popFirst() {
            ticket.lot = other
            other.waiters.append(ticket)
            moved += 1
        }
    }

    /// Breaks the lot because `task` exited: every waiter is woken with ``BrokenResourceError``,
    /// and later ``park(_:payload:)`` calls fail at once.
    func breakLot(by task: TrioTask) {
        brokenBy.append(task)
        guard brokenBy.count == 1 else { return }
        while let ticket = waiters.popFirst() {
            ticket.task.runner.reschedule(ticket.task, error: BrokenResourceError("Parking lot broken by \(task)"))
        }
    }
}
