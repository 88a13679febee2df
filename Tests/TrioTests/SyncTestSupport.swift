import Testing
import Trio
import TrioTesting

/// What `body` did, in one word: "ok", or the name of the error type it threw (plus the message
/// for the library's message-carrying errors when `messages` is set).
func outcome(messages: Bool = false, _ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "ok"
    } catch let error as RuntimeError {
        return messages ? "RuntimeError: \(error.message)" : "RuntimeError"
    } catch let error as ValueError {
        return messages ? "ValueError: \(error.message)" : "ValueError"
    } catch let error as BrokenResourceError {
        return messages ? "BrokenResourceError: \(error.message)" : "BrokenResourceError"
    } catch {
        return "\(type(of: error))"
    }
}

/// The synchronous twin of ``outcome(messages:_:)``.
func outcomeSync(messages: Bool = false, _ body: () throws -> Void) -> String {
    do {
        try body()
        return "ok"
    } catch let error as RuntimeError {
        return messages ? "RuntimeError: \(error.message)" : "RuntimeError"
    } catch let error as ValueError {
        return messages ? "ValueError: \(error.message)" : "ValueError"
    } catch {
        return "\(type(of: error))"
    }
}

/// Counts the steps the current task ends, to tell whether an operation was a schedule point.
final class StepCounter: Instrument {
    let task: TrioTask
    var steps = 0
    init(task: TrioTask) { self.task = task }
    func afterTaskStep(_ task: TrioTask) throws {
        if task === self.task { steps += 1 }
    }
}

/// Whether `op` was a Trio checkpoint: it let other tasks run (a schedule point), and it threw
/// `Cancelled` when run again inside a cancelled scope (a cancel point). `again` must be an
/// operation that may legitimately be repeated (the caller sets the state up for it).
func isCheckpoint(_ op: () async throws -> Void, again: () async throws -> Void) async throws -> Bool {
    let counter = StepCounter(task: try Lowlevel.currentTask())
    try Lowlevel.addInstrument(counter)
    try await op()
    try Lowlevel.removeInstrument(counter)
    let scheduled = counter.steps > 0
    var cancelled = false
    let scope = CancelScope()
    try await scope.run {
        scope.cancel()
        do {
            try await again()
        } catch is Cancelled {
            cancelled = true
        }
    }
    return scheduled && cancelled
}
