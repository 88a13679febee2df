import Trio

/// A stream conformance check found a stream that does not behave like a Trio stream.
public struct StreamCheckFailure: Error, CustomStringConvertible {
    /// What was expected and what happened.
    public let message: String
    /// Where in the checks it was detected.
    public let line: UInt

    init(_ message: String, line: UInt = #line) {
        self.message = message
        self.line = line
    }

    /// The message and the check's source line.
    public var description: String { "StreamCheckFailure (check_streams line \(line)): \(message)" }
}

func require(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
    if !condition { throw StreamCheckFailure(message(), line: line) }
}

/// Counts the schedule points of one task (Trio's `assert_checkpoints` looks at the task's
/// own counters; an instrument is what the public API offers).
private final class SchedulePointCounter: Instrument {
    let task: TrioTask
    var count = 0

    init(task: TrioTask) { self.task = task }

    func afterTaskStep(_ task: TrioTask) throws {
        if task === self.task { count += 1 }
    }
}

/// Runs `body` and fails the check if it returned without yielding to the scheduler.
func assertCheckpoints<T>(
    _ what: String, line: UInt = #line, _ body: () async throws -> T
) async throws -> T {
    let counter = SchedulePointCounter(task: try Lowlevel.currentTask())
    try Lowlevel.addInstrument(counter)
    defer { try? Lowlevel.removeInstrument(counter) }
    let result = try await body()
    try require(counter.count > 0, "\(what) returned without a checkpoint", line: line)
    return result
}

/// Runs `body` and fails the check unless it throws `E` (bare, or as every leaf of a nursery's
/// `Trio.ExceptionGroup`).
func expectRaises<E: Error>(
    _ type: E.Type, _ what: String, line: UInt = #line, _ body: () async throws -> Void
) async throws {
    do {
        try await body()
    } catch is E {
        return
    } catch let group as ExceptionGroup where !group.leaves.isEmpty && group.leaves.allSatisfy({ $0 is E }) {
        return
    } catch {
        throw StreamCheckFailure("\(what): expected \(E.self), got \(error)", line: line)
    }
    throw StreamCheckFailure("\(what): expected \(E.self), nothing was thrown", line: line)
}

/// Runs `body` with a freshly made pair and closes both ends forcefully afterwards (Trio's
/// `_ForceCloseBoth`). Generic over any pair of stream existentials, all of which are
/// `Trio.AsyncResource`s.
func withBoth<A, B>(_ maker: () async throws -> (A, B), _ body: (A, B) async throws -> Void) async throws {
    let (first, second) = try await maker()
    func closeBoth() async throws {
        if let first = first as? any AsyncResource { try await acloseForcefully(first) }
        if let second = second as? any AsyncResource { try await acloseForcefully(second) }
    }
    do {
        try await body(first, second)
    } catch {
        try? await closeBoth()
        throw error
    }
    try await closeBoth()
}

/// A small deterministic generator (xorshift64*), so the duplex test is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
