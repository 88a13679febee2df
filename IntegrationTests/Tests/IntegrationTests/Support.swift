import Foundation
import Synchronization
import Testing

/// A condition the test waits for, with a generous bound: the wait ends as soon as it holds, and a
/// failure names what never happened instead of hanging the suite.
struct NeverHappened: Error, CustomStringConvertible {
    let what: String
    var description: String { "never happened within the bound: \(what)" }
}

/// Waits (polling every 10 ms, at most `bound` seconds) until `condition` holds.
func waitUntil(
    _ what: String, bound: Double = 10, _ condition: @Sendable () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let end = clock.now + .seconds(bound)
    while try await !condition() {
        if clock.now >= end { throw NeverHappened(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Seconds since `start` on the monotonic clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// A value shared between a test and the servers or tasks it watches.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func get() -> Value { value.withLock { $0 } }
    @discardableResult
    func update<R: Sendable>(_ change: @Sendable (inout Value) -> R) -> R { value.withLock { change(&$0) } }
}

/// An HTTP answer the test did not want.
struct HTTPStatusError: Error, Equatable, CustomStringConvertible {
    let path: String
    let status: UInt
    var description: String { "\(path) answered \(status)" }
}
