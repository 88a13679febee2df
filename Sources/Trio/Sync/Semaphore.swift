/// A counting semaphore. Flavor: Trio.
///
/// ``acquire()`` takes one unit of ``value``, waiting while it is 0; ``release()`` gives one back,
/// or hands it straight to the oldest waiter. Any task may release. With a ``maxValue`` (a bounded
/// semaphore) releasing past the bound is an error.
public final class Semaphore: CustomStringConvertible {
    private let lot = ParkingLot()
    // Loop thread only; read and written by every acquire and release, so no dynamic
    // exclusivity check (one owner thread, no re-entrant access).
    /// The units available now. Flavor: sync.
    @exclusivity(unchecked) public private(set) var value: Int
    /// The bound of ``value``, if any. Flavor: sync.
    public let maxValue: Int?

    /// Creates a semaphore. Flavor: sync.
    ///
    /// A negative `initialValue`, or a `maxValue` below it, is a programming error and traps
    /// with a message (Trio raises `ValueError`).
    public init(_ initialValue: Int, maxValue: Int? = nil) {
        precondition(initialValue >= 0, "Semaphore: initial value must be >= 0")
        if let maxValue {
            precondition(maxValue >= initialValue, "Semaphore: max_value must be >= initial_value")
        }
        self.value = initialValue
        self.maxValue = maxValue
    }

    /// Takes one unit, waiting while none is available. Flavor: Trio; a checkpoint (even when a
    /// unit is free).
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task.
    public func acquire() async throws {
        let task = try currentTrioTask("Semaphore.acquire")
        try await checkpointIfCancelled()
        if value > 0 {
            value -= 1
            await task.runner.yieldShielded(task)
        } else {
            // The releaser hands its unit to us directly: `value` stays 0.
            try await lot.park(task, reason: .semaphore(.passUnretained(self)))
        }
    }

    /// Takes one unit if one is free. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock`` when ``value`` is 0.
    public func acquireNowait() throws {
        guard value > 0 else { throw WouldBlock() }
        value -= 1
    }

    /// Gives one unit back, to the oldest waiter if there is one. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `ValueError` ("semaphore released too many times") when ``value`` would pass
    ///   ``maxValue``.
    public func release() throws {
        if lot.unparkOne() != nil { return }
        if let maxValue, value == maxValue { throw ValueError("semaphore released too many times") }
        value += 1
    }

    /// Runs `body` holding one unit, and releases it afterwards. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what ``acquire()`` throws, and the body's errors.
    public func withAcquired<T>(_ body: () async throws -> T) async throws -> T {
        try await Trio.withAcquired(acquire, release, body)
    }

    /// How many tasks wait. Flavor: sync.
    public func statistics() -> ParkingLotStatistics { ParkingLotStatistics(tasksWaiting: lot.count) }

    /// `<Semaphore(value, maxValue: m)>`.
    public var description: String {
        "<Semaphore(\(value)\(maxValue.map { ", maxValue: \($0)" } ?? ""))>"
    }
}

/// How many tasks wait in a primitive with no other state to report (``Semaphore``, ``ParkingLot``).
public struct ParkingLotStatistics: Sendable, Equatable {
    /// Tasks blocked.
    public let tasksWaiting: Int
}
