import Asyncio

/// One thing a ``Scope`` supervises: a spawned task, or a child scope made by ``Scope/fork(name:timeout:)``
/// (traio wraps both in its `TaskWrapper`).
///
/// Invariants: an entry is in its scope's `entries` from spawn until the scope handles its end
/// (`Scope.entryDone`); `joinTimer` is set only while the scope, cancelling, waits for it to stop.
/// Loop thread only.
final class ScopeEntry: CustomStringConvertible {
    enum Kind {
        case task(any AnyAsyncioTask)
        case scope(Scope)
    }

    /// How the supervised thing ended.
    enum Outcome {
        case succeeded
        case cancelled
        case failed(any Error)
    }

    /// The scope's spawn counter: orders entries as traio's list does.
    let serial: Int
    let kind: Kind
    let master: Bool
    let awaited: Bool
    let cancelTimeout: Double
    /// On the loop's clock.
    let startTime: Double
    /// Turned off for good by awaiting the task or adding a done-callback to it.
    var bubble: Bool
    var joinTimer: TimerHandle?

    init(serial: Int, kind: Kind, master: Bool, bubble: Bool, awaited: Bool, cancelTimeout: Double, startTime: Double) {
        self.serial = serial
        self.kind = kind
        self.master = master
        self.bubble = bubble
        self.awaited = awaited
        self.cancelTimeout = cancelTimeout
        self.startTime = startTime
    }

    var isDone: Bool {
        switch kind {
        case .task(let task): task.done
        case .scope(let scope): scope.done
        }
    }

    /// Asks the task (or child scope, silently) to stop.
    func cancel() {
        switch kind {
        case .task(let task): task.cancel()
        case .scope(let scope): scope.cancel()
        }
    }

    /// How it ended; call once it is done. Reading a task's error marks it retrieved, as traio's `result()` does.
    var outcome: Outcome {
        switch kind {
        case .task(let task):
            if task.cancelled { return .cancelled }
            do {
                guard let error = try task.exception() else { return .succeeded }
                return error is CancelledError ? .cancelled : .failed(error)
            } catch {
                return .cancelled
            }
        case .scope(let scope):
            guard let error = scope.lifecycle.finishedError else { return .succeeded }
            return error is CancelledError ? .cancelled : .failed(error)
        }
    }

    /// `Task(serial, name)`, or the child scope's own description.
    var description: String {
        switch kind {
        case .task(let task): "Task(\(serial), \(task.name))"
        case .scope(let scope): scope.description
        }
    }
}
