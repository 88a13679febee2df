/// The lifecycle of a ``TrioEventLoop``, as a value-type state machine (testable without a run).
///
/// ```text
/// idle ──start──▶ running ──stop()──▶ stopping ──loop task returns──▶ stopped ──start──▶ running
///   │                                                                    │
///   └────────────────────────────── close() ─────────────────────────────┴──▶ closed
/// ```
/// `close()` is refused while the loop runs (asyncio's "Cannot close a running event loop").
struct LoopState: Equatable {
    enum Phase: Equatable {
        /// Created; no loop task drains the queue yet. Callbacks may be scheduled.
        case idle
        /// The loop task drains the queue.
        case running
        /// `stop()` was called: the loop task ends after the batch it is running (or its next one).
        case stopping
        /// The loop task has returned; callbacks wait in the queue for the next start.
        case stopped
        /// Closed: nothing more may be scheduled.
        case closed
    }

    /// What a transition asks the loop to do.
    enum Action: Equatable {
        case none
        /// Wake the loop task so that it notices the change.
        case wakeLoopTask
    }

    private(set) var phase: Phase = .idle

    var isRunning: Bool { phase == .running || phase == .stopping }
    var isClosed: Bool { phase == .closed }

    /// The loop task starts draining.
    mutating func start() throws {
        switch phase {
        case .idle, .stopped: phase = .running
        case .running, .stopping: throw LoopStateError.alreadyRunning
        case .closed: throw LoopStateError.closed
        }
    }

    /// `stop()`: asyncio's rule is that stopping a loop that does not run makes its next run do one
    /// iteration; a hosted loop that is not running has nothing to stop.
    mutating func stop() -> Action {
        guard phase == .running else { return .none }
        phase = .stopping
        return .wakeLoopTask
    }

    /// The loop task returned.
    mutating func loopTaskReturned() {
        if phase == .running || phase == .stopping { phase = .stopped }
    }

    /// `close()`.
    mutating func close() throws -> Bool {
        switch phase {
        case .running, .stopping: throw LoopStateError.closeWhileRunning
        case .closed: return false
        case .idle, .stopped:
            phase = .closed
            return true
        }
    }
}

/// Why a `LoopState` transition was refused; turned into asyncio's `RuntimeError` messages.
enum LoopStateError: Error, Equatable {
    case alreadyRunning, closed, closeWhileRunning

    var message: String {
        switch self {
        case .alreadyRunning: "This event loop is already running"
        case .closed: "Event loop is closed"
        case .closeWhileRunning: "Cannot close a running event loop"
        }
    }
}
