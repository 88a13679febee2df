/// The lifecycle of every asyncio loop of the package, as a value-type state machine (testable without a loop).
///
/// ```text
/// idle ──start──▶ running ──stop()──▶ stopping ──run returns──▶ stopped ──start──▶ running
///   │                                                              │
///   └──────────────────────────── close() ─────────────────────────┴──▶ closed
/// ```
/// `close()` is refused while the loop runs (asyncio's "Cannot close a running event loop"). What `stop()`
/// does to a loop that is not running depends on the loop (``StopWhileIdle``).
package struct LoopState: Equatable {
    package enum Phase: Equatable {
        /// Created; nothing drains the queue yet. Callbacks may be scheduled.
        case idle
        /// The loop drains the queue.
        case running
        /// `stop()` was called: the loop ends soon — a standalone loop after the batch it is running (or
        /// its next one), a Trio-hosted loop once what was scheduled before the call has run.
        case stopping
        /// The loop has returned; callbacks wait in the queue for the next start.
        case stopped
        /// Closed: nothing more may be scheduled.
        case closed
    }

    /// What `stop()` means to a loop that does not run.
    package enum StopWhileIdle: Equatable {
        /// asyncio's rule for a loop that its caller runs: the next run does one iteration and stops.
        case nextRunRunsOnce
        /// A loop hosted in a Trio run: there is nothing to stop.
        case ignored
    }

    /// What a transition asks the loop to do.
    package enum Action: Equatable {
        case none
        /// Wake the loop so that it notices the change.
        case wakeLoop
    }

    package private(set) var phase: Phase = .idle
    /// `stop()` came while not running, under ``StopWhileIdle/nextRunRunsOnce``; the next `start()` takes it.
    package private(set) var stopRequested = false
    package let stopWhileIdle: StopWhileIdle

    package init(stopWhileIdle: StopWhileIdle) {
        self.stopWhileIdle = stopWhileIdle
    }

    // Pattern matches rather than `==`: the hosted loop reads these from another module on every
    // `callSoon`, where `==` on the phase went through a dynamic Equatable dispatch.

    /// Running or stopping: the loop drains its queue.
    @inlinable package var isRunning: Bool {
        switch phase {
        case .running, .stopping: true
        case .idle, .stopped, .closed: false
        }
    }

    /// Closed: nothing more may be scheduled.
    @inlinable package var isClosed: Bool {
        if case .closed = phase { true } else { false }
    }

    /// The loop starts draining; `.stopping` right away when a `stop()` came while it did not run, so that the
    /// run does one iteration.
    package mutating func start() throws(LoopStateError) {
        switch phase {
        case .idle, .stopped:
            phase = stopRequested ? .stopping : .running
            stopRequested = false
        case .running, .stopping: throw .alreadyRunning
        case .closed: throw .closed
        }
    }

    /// `stop()`.
    package mutating func stop() -> Action {
        switch phase {
        case .running:
            phase = .stopping
            return .wakeLoop
        case .idle, .stopped:
            if stopWhileIdle == .nextRunRunsOnce { stopRequested = true }
            return .none
        case .stopping, .closed:
            return .none
        }
    }

    /// Takes back a `stop()` that came while the loop did not run (a loop closed before its next run).
    package mutating func takeStopRequest() -> Bool {
        defer { stopRequested = false }
        return stopRequested
    }

    /// The run returned.
    package mutating func runReturned() {
        if phase == .running || phase == .stopping { phase = .stopped }
    }

    /// `close()`; `false` when the loop was closed already.
    package mutating func close() throws(LoopStateError) -> Bool {
        switch phase {
        case .running, .stopping: throw .closeWhileRunning
        case .closed: return false
        case .idle, .stopped:
            phase = .closed
            stopRequested = false
            return true
        }
    }
}

/// Why a ``LoopState`` transition was refused; turned into asyncio's `RuntimeError` messages.
package enum LoopStateError: Error, Equatable {
    case alreadyRunning, closed, closeWhileRunning

    package var message: String {
        switch self {
        case .alreadyRunning: "This event loop is already running"
        case .closed: RuntimeError.loopClosed.message
        case .closeWhileRunning: "Cannot close a running event loop"
        }
    }

    /// The `RuntimeError` asyncio raises.
    package var runtimeError: RuntimeError { RuntimeError(message) }
}
