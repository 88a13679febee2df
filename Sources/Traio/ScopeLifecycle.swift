/// Where a ``Scope`` is in its life, as a value: the transitions return whether the caller has work to do, so
/// that the scope's bookkeeping (tasks, timers, waiters) acts on one decision and the rules can be tested alone.
///
/// ```
/// open ──finalize──▶ finalized
///   │                   │
///   └──────cancel───────┴──▶ cancelling(reason) ──resolve──▶ finished(reason)
/// ```
///
/// `reason` is `nil` for a silent cancel (a master task ended, the last awaited task ended after
/// `finalize()`, `cancel()` without an error) and the error to raise otherwise. traio calls the
/// cancelling and finished states "dying" and "dead": neither accepts new tasks.
enum ScopeLifecycle {
    /// Accepting tasks; ends only when cancelled.
    case open
    /// Accepting tasks; cancels itself (silently) once no awaited task is left.
    case finalized
    /// Cancelled: its tasks were told to stop and are being joined.
    case cancelling(reason: (any Error)?)
    /// Every task joined (or given up on after its `cancelTimeout`); `wait()` returns or throws `reason`.
    case finished(reason: (any Error)?)

    /// Whether new tasks and forks are accepted.
    var acceptsTasks: Bool {
        switch self {
        case .open, .finalized: true
        case .cancelling, .finished: false
        }
    }

    /// Whether the scope has been cancelled without an error (traio's `_done is True`), in either later state.
    var isSilentlyCancelled: Bool {
        switch self {
        case .open, .finalized: false
        case .cancelling(let reason), .finished(let reason): reason == nil
        }
    }

    /// Whether every task has been joined.
    var isFinished: Bool {
        if case .finished = self { return true }
        return false
    }

    /// The error the scope ends with, once finished (`nil`: none, or not finished).
    var finishedError: (any Error)? {
        if case .finished(let reason) = self { return reason }
        return nil
    }

    /// Marks an accepting scope as finalized; `false` when nothing changed (already finalized or cancelled).
    mutating func finalize() -> Bool {
        guard case .open = self else { return false }
        self = .finalized
        return true
    }

    /// Starts cancelling with `reason`; `false` when the scope was already cancelled (the first call wins).
    mutating func cancel(reason: (any Error)?) -> Bool {
        guard acceptsTasks else { return false }
        self = .cancelling(reason: reason)
        return true
    }

    /// Moves a cancelling scope to finished; `false` when it was not cancelling.
    mutating func resolve() -> Bool {
        guard case .cancelling(let reason) = self else { return false }
        self = .finished(reason: reason)
        return true
    }
}
