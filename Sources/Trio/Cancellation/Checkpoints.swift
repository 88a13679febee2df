import Sniffio

/// A checkpoint: throws ``Cancelled`` if the current task is cancelled, and lets other tasks run.
/// Flavor: Trio.
///
/// As in Trio, the task yields first and only then looks at its cancellation; when cancelled it
/// blocks and receives ``Cancelled`` one scheduling round later. The other tasks that were
/// runnable alongside it finish their step before the error surfaces, so a sibling's checkpoint
/// in the same batch returns normally even when this task's error then cancels their nursery.
///
/// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task.
public nonisolated(nonsending) func checkpoint() async throws {
    if isActorIsolated(#isolation) { return try await onRunThread(()) { try await checkpoint() } }
    let task = try currentTrioTask("checkpoint")
    // The schedule point comes first so that the cancellation check sees expired deadlines.
    await task.runner.yieldShielded(task)
    if task.cancelStatus.effectivelyCancelled { try await blockForPendingCancel(task) }
}

/// The cancel point of ``checkpoint()`` once the task is found cancelled: as in Trio, the task
/// blocks and the pending cancel wakes it with ``Cancelled`` in the next round, rather than
/// raising at once. Every task that was runnable in the same batch finishes its step first, so
/// the error (and whatever it cancels on its way out, such as the siblings in a nursery) lands
/// only after they have.
@inline(never)
nonisolated(nonsending) func blockForPendingCancel(_ task: TrioTask) async throws -> Never {
    let error = await task.runner.park(task) { _ in .succeeded }
    throw error ?? Cancelled(reason: task.cancelStatus.cancelReason)
}

/// Throws ``Cancelled`` if the current task is cancelled; otherwise returns without yielding.
/// Flavor: Trio; a cancel point but not a schedule point.
///
/// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task.
public nonisolated(nonsending) func checkpointIfCancelled() async throws {
    let task = try currentTrioTask("checkpointIfCancelled")
    if task.cancelStatus.effectivelyCancelled {
        try await checkpoint()
    }
}

/// Sleeps for `seconds` on the run's clock. Flavor: Trio; a checkpoint (even for 0).
///
/// - Throws: ``Cancelled``; `ValueError` for a negative or NaN duration; `RuntimeError`
///   outside a Trio task.
public nonisolated(nonsending) func sleep(_ seconds: Double) async throws {
    if isActorIsolated(#isolation) { return try await onRunThread(seconds) { try await sleep($0) } }
    if seconds.isNaN { throw ValueError("sleep length must not be NaN") }
    if seconds < 0 { throw ValueError("sleep length must be non-negative") }
    let task = try currentTrioTask("sleep")
    if seconds == 0 {
        try await checkpoint()
    } else {
        try await sleepUntil(task.runner.clock.currentTime() + seconds, task: task)
    }
}

/// Sleeps for `duration` on the run's clock. Flavor: Trio; a checkpoint.
///
/// - Throws: as ``sleep(_:)-(Double)``.
public func sleep(_ duration: Duration) async throws {
    try await sleep(duration.seconds)
}

/// Sleeps until the run's clock reads `deadline`. Flavor: Trio; a checkpoint even if the
/// deadline has passed.
///
/// - Throws: ``Cancelled``; `ValueError` for NaN; `RuntimeError` outside a Trio task.
public nonisolated(nonsending) func sleepUntil(_ deadline: Double) async throws {
    if isActorIsolated(#isolation) { return try await onRunThread(deadline) { try await sleepUntil($0) } }
    if deadline.isNaN { throw ValueError("deadline must not be NaN") }
    try await sleepUntil(deadline, task: try currentTrioTask("sleepUntil"))
}

@inline(__always)
private nonisolated(nonsending) func sleepUntil(_ deadline: Double, task: TrioTask) async throws {
    let runner = task.runner
    guard deadline != .infinity else { try await sleepForever() }
    // Equivalent to Trio's `with move_on_at(deadline): await sleep_forever()`, but with a bare
    // timer entry instead of a cancel scope: sleeping tasks are the common case and stay small.
    task.sleepGeneration &+= 1
    runner.deadlines.add(deadline, .sleeper(task, task.sleepGeneration))
    let error = await runner.park(task, for: .sleep(until: deadline)) { _ in
        task.sleepGeneration &+= 1
        task.runner.deadlines.didInvalidate()
        return .succeeded
    }
    if let error { throw error }
    // In Trio the timer's wake-up is itself a Cancelled, which the sleep's own scope catches only
    // if no enclosing scope was cancelled before the task ran again; otherwise it escapes.
    if task.cancelStatus.effectivelyCancelled {
        throw Cancelled(reason: task.cancelStatus.cancelReason)
    }
}

/// Blocks until cancelled. Flavor: Trio; a checkpoint.
///
/// - Throws: ``Cancelled`` (always, eventually); `RuntimeError` outside a Trio task.
public nonisolated(nonsending) func sleepForever() async throws -> Never {
    if isActorIsolated(#isolation) {
        try await onRunThread(()) { _ async throws -> Void in try await sleepForever() }
        throw TrioInternalError("sleepForever returned")
    }
    let task = try currentTrioTask("sleepForever")
    let error = await task.runner.park(task, for: .sleepForever) { _ in .succeeded }
    throw error ?? TrioInternalError("sleepForever woke without an error")
}

/// The current time on the run's clock, in seconds. Flavor: sync; not a checkpoint.
///
/// - Throws: `RuntimeError` outside a run.
public func currentTime() throws -> Double {
    try currentRunner("currentTime").clock.currentTime()
}

/// The earliest deadline that applies to the current task, following enclosing scopes until a
/// shield; `-infinity` if the task is already cancelled. Flavor: sync; not a checkpoint.
///
/// - Throws: `RuntimeError` outside a Trio task.
public func currentEffectiveDeadline() throws -> Double {
    let task = try currentTrioTask("currentEffectiveDeadline")
    var deadline = Double.infinity
    var current: CancelStatus? = task.cancelStatus
    while let status = current {
        if status.scope.cancelCalledFlag { return -.infinity }
        deadline = min(deadline, status.scope.deadline)
        if status.scope.shield { break }
        current = status.parent
    }
    return deadline
}

/// The runner of the run on this thread: from a task, an instrument hook or a callback.
func currentRunner(_ api: String) throws -> Runner {
    if let runner = Runner.currentOnThread.value { return runner }
    if AsyncLibrary.calledFromAsyncio { throw FlavorError.trioCalledFromAsyncio(api) }
    throw RuntimeError("\(api) must be called from inside a Trio run (Trio.run)")
}

extension Duration {
    /// The duration as `Double` seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
