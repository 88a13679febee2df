/// Counters describing the state of a run, from ``Lowlevel/currentStatistics()``.
public struct RunStatistics: Sendable, CustomStringConvertible {
    /// Tasks that have started and not yet exited.
    public let tasksLiving: Int
    /// Steps waiting in the run queue.
    public let tasksRunnable: Int
    /// Seconds until the earliest live deadline (`.infinity`: none).
    public let secondsToNextDeadline: Double
    /// ``TrioToken/runSyncSoon(idempotencyKey:_:)`` callbacks waiting to run.
    public let runSyncSoonQueueSize: Int
    /// The I/O backend: `"epoll"`.
    public let ioBackend: String
    /// Tasks blocked waiting for a file descriptor.
    public let tasksWaitingForIO: Int

    /// All fields, one line.
    public var description: String {
        "RunStatistics(tasksLiving: \(tasksLiving), tasksRunnable: \(tasksRunnable), "
            + "secondsToNextDeadline: \(secondsToNextDeadline), runSyncSoonQueueSize: \(runSyncSoonQueueSize), "
            + "ioBackend: \(ioBackend), tasksWaitingForIO: \(tasksWaitingForIO))"
    }
}

/// Trio's low-level API (`trio.lowlevel`): the building blocks of new blocking primitives, system
/// tasks, instruments and the run's identity.
public enum Lowlevel {
    /// The task running the caller. Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a Trio task.
    public static func currentTask() throws -> TrioTask { try currentTrioTask("Lowlevel.currentTask") }

    /// The root task of the run (Trio's init task), which holds the system and main nurseries.
    /// Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func currentRootTask() throws -> TrioTask {
        guard let task = try currentRunner("Lowlevel.currentRootTask").initTask else {
            throw TrioInternalError("the run has no root task")
        }
        return task
    }

    /// A token that lets other threads reach this run. Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func currentTrioToken() throws -> TrioToken { try currentRunner("Lowlevel.currentTrioToken").token }

    /// Counters describing the run. Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func currentStatistics() throws -> RunStatistics {
        let runner = try currentRunner("Lowlevel.currentStatistics")
        let next = runner.deadlines.nextDeadline()
        return RunStatistics(
            tasksLiving: runner.livingTasks, tasksRunnable: runner.runQueue.count,
            secondsToNextDeadline: next == .infinity ? .infinity : next - runner.clock.currentTime(),
            runSyncSoonQueueSize: runner.pendingCallbacks.count + runner.entryQueue.queuedCallbackCount,
            ioBackend: "epoll", tasksWaitingForIO: runner.io.waiterCount)
    }

    /// Installs an instrument for the rest of the run; one already installed is not added twice.
    /// Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func addInstrument(_ instrument: any Instrument) throws {
        let runner = try currentRunner("Lowlevel.addInstrument")
        runner.instruments.add(instrument)
    }

    /// Removes an instrument. Flavor: sync.
    ///
    /// - Throws: `ValueError` if it is not installed; `RuntimeError` outside a run.
    public static func removeInstrument(_ instrument: any Instrument) throws {
        let runner = try currentRunner("Lowlevel.removeInstrument")
        guard runner.instruments.remove(instrument) else { throw ValueError("instrument \(instrument) not found") }
    }

    /// Starts a system task: it runs in the system nursery, is cancelled when the main task
    /// finishes, and takes the run down (``TrioInternalError``) if it fails. Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run, or once the system nursery has closed.
    public static func spawnSystemTask(
        name: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        _ fn: @escaping () async throws -> Void
    ) throws {
        let runner = try currentRunner("Lowlevel.spawnSystemTask")
        guard let nursery = runner.systemNursery, !nursery.closed else {
            throw RuntimeError("the system nursery is closed: the run is shutting down")
        }
        runner.spawn(
            fn, nursery: nursery, name: name, site: SpawnSite(prefix: "system task at ", fileID: fileID, line: line),
            isSystem: true)
    }

    /// Blocks the current task until ``reschedule(_:_:)`` is called for it, and returns the value
    /// (or throws the error) passed there. Flavor: Trio; a schedule point, and a cancel point
    /// through `abort`.
    ///
    /// When the task is cancelled, `abort` is called once: answer ``Abort/succeeded`` after undoing
    /// the operation (the task then throws ``Cancelled``), or ``Abort/failed`` if it cannot be
    /// undone now (then whoever completes it must reschedule the task).
    ///
    /// - Throws: what the waker passes; ``Cancelled``; `RuntimeError` outside a Trio task.
    public static func waitTaskRescheduled(_ abort: @escaping (RaiseCancel) -> Abort) async throws -> Any {
        let task = try currentTrioTask("Lowlevel.waitTaskRescheduled")
        task.wakeValue = nil
        if let error = await task.runner.park(task, abort: abort) { throw error }
        defer { task.wakeValue = nil }
        return task.wakeValue ?? ()
    }

    /// The typed form of ``waitTaskRescheduled(_:)``.
    ///
    /// - Throws: as ``waitTaskRescheduled(_:)``, and ``TrioInternalError`` if the value passed to
    ///   ``reschedule(_:_:)`` is not a `T`.
    public static func waitTaskRescheduled<T>(as type: T.Type, _ abort: @escaping (RaiseCancel) -> Abort)
        async throws -> T
    {
        let value = try await waitTaskRescheduled(abort)
        guard let typed = value as? T else {
            throw TrioInternalError("waitTaskRescheduled expected \(T.self), was rescheduled with \(value)")
        }
        return typed
    }

    /// Wakes a task blocked in ``waitTaskRescheduled(_:)`` with `outcome`. Flavor: sync; must be
    /// called on the run's thread. Rescheduling a task that is not blocked is a programming error
    /// and traps with a message.
    public static func reschedule(_ task: TrioTask, _ outcome: Result<Any, any Error> = .success(())) {
        precondition(task.belongsToThisThread, "Lowlevel.reschedule must be called on the run's thread, during the run")
        switch outcome {
        case .success(let value):
            task.wakeValue = value
            task.runner.reschedule(task)
        case .failure(let error):
            task.runner.reschedule(task, error: error)
        }
    }

    /// A schedule point that cannot be cancelled. Flavor: Trio.
    public static nonisolated(nonsending) func cancelShieldedCheckpoint() async {
        guard let task = try? currentTrioTask() else { return }
        await task.runner.yieldShielded(task)
    }

    /// Blocks until every other task is blocked too, and has been for `cushion` seconds of real
    /// time. Waiters with the smallest cushion wake first; this takes priority over a mock clock's
    /// autojump. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled``; `ValueError` for a negative or NaN cushion.
    public static func waitAllTasksBlocked(cushion: Double = 0) async throws {
        if cushion.isNaN || cushion < 0 { throw ValueError("cushion must be non-negative") }
        let task = try currentTrioTask("waitAllTasksBlocked")
        let runner = task.runner
        let key = runner.addIdleWaiter(task, cushion: cushion)
        if let error = await runner.park(task, for: .allTasksBlocked(cushion: cushion), abort: { _ in
            runner.removeIdleWaiter(key)
            return .succeeded
        }) {
            throw error
        }
    }
}
