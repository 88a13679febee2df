/// A FIFO queue of blocked tasks, the building block under Trio's locks, semaphores, conditions
/// and capacity limiters (Trio's `trio.lowlevel.ParkingLot`; also reachable as
/// ``Lowlevel/ParkingLot``). Flavor: Trio; every method must be called on the run's thread.
///
/// A task calls ``park()`` to sleep in the lot until another task wakes it with
/// ``unpark(count:)`` or ``unparkAll()``. The lot only queues: it has no idea what the waiters
/// wait for, so the primitive built on it keeps its own state and decides whom to wake. A lot
/// can move its waiters into another lot without waking them (``repark(to:count:)``: this is how
/// a condition hands a notified task to its lock), and can be *broken* (``breakLot(task:)``),
/// after which every waiter, present and future, fails with ``BrokenResourceError``.
public final class ParkingLot: TaskExitObserver, CustomStringConvertible {
    /// One parked task. It knows which lot it currently sits in, so that cancelling it after a
    /// ``ParkingLot/repark(to:count:)`` removes it from the right queue.
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

    // Loop thread only, like every Trio primitive; both fields are read by every park and
    // unpark, so they skip the dynamic exclusivity check (one owner thread, no re-entrant access).
    @exclusivity(unchecked) private var waiters = WaiterQueue<Ticket>()
    /// The tasks that broke this lot (``breakLot(task:)``, or a breaker task's exit), in order;
    /// empty while the lot works. Flavor: sync.
    @exclusivity(unchecked) public private(set) var brokenBy: [TrioTask] = []

    /// Creates an empty lot. Flavor: sync.
    public init() {}

    /// How many tasks are parked here (Python's `len(lot)`). Flavor: sync.
    public var count: Int { waiters.count }
    /// Whether no task is parked here (Python's `not lot`). Flavor: sync.
    public var isEmpty: Bool { waiters.isEmpty }

    /// Blocks the current task until another task unparks it. Flavor: Trio; a checkpoint when it
    /// blocks (not when the lot is already broken).
    ///
    /// - Throws: ``BrokenResourceError`` at once if the lot is broken, or when it breaks while
    ///   the task is parked; ``Cancelled`` (the task leaves the lot); `RuntimeError` outside a
    ///   Trio task.
    public func park() async throws {
        try await park(try currentTrioTask("ParkingLot.park"))
    }

    /// Blocks `task` until it is unparked. A Trio blocking call; cancellable.
    ///
    /// - Throws: ``Cancelled``; ``BrokenResourceError`` when the lot is (or becomes) broken; what
    ///   the waker passed.
    /// `reason` is what a task-tree snapshot shows (the primitive built on the lot); `nil`: the lot.
    func park(_ task: TrioTask, payload: AnyObject? = nil, reason: WaitReason? = nil) async throws {
        if !brokenBy.isEmpty {
            throw BrokenResourceError("Attempted to park in parking lot broken by \(brokenBy)")
        }
        let ticket = Ticket(task: task, lot: self, payload: payload)
        waiters.append(ticket)
        if let error = await task.runner.park(task, for: reason ?? .parkingLot(.passUnretained(self)), abort: { _ in
            ticket.lot.waiters.remove(ticket)
            return .succeeded
        }) {
            throw error
        }
    }

    /// Wakes up to `count` parked tasks, longest-waiting first, and returns them; fewer (or none)
    /// when fewer are parked. Flavor: sync; not a checkpoint (the woken tasks run later).
    @discardableResult
    public func unpark(count: Int = 1) -> [TrioTask] {
        unparkTickets(count: count).map(\.task)
    }

    /// Wakes every parked task and returns them, longest-waiting first. Flavor: sync; not a
    /// checkpoint.
    @discardableResult
    public func unparkAll() -> [TrioTask] { unpark(count: count) }

    /// Wakes up to `count` tasks, oldest first, and returns their tickets.
    func unparkTickets(count: Int) -> [Ticket] {
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

    /// Moves up to `count` of the longest-waiting tasks, still blocked, to the back of `other`:
    /// they wake when `other` unparks them, and a cancelled one leaves `other`. Flavor: sync;
    /// not a checkpoint.
    public func repark(to other: ParkingLot, count: Int = 1) {
        // Counted up front: reparking into this same lot must move each task once, not forever.
        for _ in 0..<max(0, min(count, self.count)) {
            guard let ticket = waiters.popFirst() else { break }
            ticket.lot = other
            other.waiters.append(ticket)
        }
    }

    /// Moves every parked task, still blocked, to the back of `other`. Flavor: sync; not a
    /// checkpoint.
    public func reparkAll(to other: ParkingLot) { repark(to: other, count: count) }

    /// Breaks the lot, noting `task` (default: the current task) as the breaker: every parked
    /// task wakes with ``BrokenResourceError`` naming it, and later ``park()`` calls fail at
    /// once. Breaking a broken lot only adds to ``brokenBy``. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` when `task` is `nil` outside a Trio task.
    public func breakLot(task: TrioTask? = nil) throws {
        breakLot(by: try task ?? currentTrioTask("ParkingLot.breakLot"))
    }

    /// Breaks the lot because of `task` (see ``breakLot(task:)``).
    func breakLot(by task: TrioTask) {
        brokenBy.append(task)
        guard brokenBy.count == 1 else { return }
        while let ticket = waiters.popFirst() {
            ticket.task.runner.reschedule(ticket.task, error: BrokenResourceError("Parking lot broken by \(task)"))
        }
    }

    /// A breaker task (``Lowlevel/addParkingLotBreaker(_:_:)``) exited.
    func taskExited(_ task: TrioTask) { breakLot(by: task) }

    /// How many tasks are parked. Flavor: sync.
    public func statistics() -> ParkingLotStatistics { ParkingLotStatistics(tasksWaiting: count) }

    /// `<ParkingLot with n waiting>`, or `<broken ParkingLot …>`.
    public var description: String {
        "<\(brokenBy.isEmpty ? "" : "broken ")ParkingLot with \(count) waiting>"
    }
}

extension Lowlevel {
    /// Trio's `trio.lowlevel.ParkingLot`.
    public typealias ParkingLot = Trio.ParkingLot

    /// Makes `task` a breaker of `lot`: when `task` exits, `lot` breaks as if
    /// ``ParkingLot/breakLot(task:)`` had been called with it (Trio's `add_parking_lot_breaker`;
    /// a lock uses this so that its owner's death wakes the waiters). Registering twice needs two
    /// removals. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``BrokenResourceError`` if `task` has already exited.
    public static func addParkingLotBreaker(_ task: TrioTask, _ lot: ParkingLot) throws {
        // A task leaves every cancel status when it exits, and only then (see Runner.taskExited).
        guard task.cancelStatus != nil else {
            throw BrokenResourceError("Attempted to add already exited task as lot breaker.")
        }
        task.exitObservers.append(lot)
    }

    /// Undoes one ``addParkingLotBreaker(_:_:)`` of `task` for `lot` (Trio's
    /// `remove_parking_lot_breaker`). Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if `task` is not registered as a breaker of `lot`.
    public static func removeParkingLotBreaker(_ task: TrioTask, _ lot: ParkingLot) throws {
        guard let index = task.exitObservers.lastIndex(where: { $0 === lot }) else {
            throw RuntimeError("Attempted to remove task as breaker for a lot it is not registered for")
        }
        task.exitObservers.remove(at: index)
    }
}
