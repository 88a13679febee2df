import Trio

/// Tasks parked until something changes (a minimal Trio `ParkingLot`): `park` blocks the
/// current task, `unparkAll` wakes every parked one. Flavor: Trio.
final class ParkingSpot {
    private var order: [TrioTask] = []

    /// Blocks until ``unparkAll()``. A checkpoint.
    func park() async throws {
        let task = try Lowlevel.currentTask()
        order.append(task)
        _ = try await Lowlevel.waitTaskRescheduled { [weak self] _ in
            self?.order.removeAll { $0 === task }
            return .succeeded
        }
    }

    /// Wakes every parked task, in the order they parked.
    func unparkAll() {
        let woken = order
        order = []
        for task in woken { Lowlevel.reschedule(task) }
    }
}

/// Raises `Trio.BusyResourceError` when two tasks use a one-at-a-time operation concurrently.
struct BusyFlag {
    private var busy = false
    let message: String

    init(_ message: String) { self.message = message }

    mutating func enter() throws {
        if busy { throw BusyResourceError(message) }
        busy = true
    }

    mutating func exit() { busy = false }
}

/// `maxBytes` must be positive when given, as in Trio's streams.
func validateMaxBytes(_ maxBytes: Int?) throws {
    if let maxBytes, maxBytes < 1 { throw ValueError("max_bytes must be >= 1") }
}
