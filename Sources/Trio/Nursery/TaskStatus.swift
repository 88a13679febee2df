/// Handed to a task started with ``Nursery/start(name:fileID:line:_:)``: the task calls ``started(_:)`` once
/// it is ready, which hands `value` back to the caller of `start` and moves the task into the
/// target nursery. Flavor: Trio.
public final class TaskStatus<T> {
    private var value: T?
    private(set) var hasStarted = false
    private let oldNursery: Nursery
    private let newNursery: Nursery

    init(oldNursery: Nursery, newNursery: Nursery) {
        self.oldNursery = oldNursery
        self.newNursery = newNursery
    }

    /// Reports that the task is ready. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if called twice.
    public func started(_ value: T) throws {
        if hasStarted { throw RuntimeError("called 'started' twice on the same task status") }
        hasStarted = true
        self.value = value

        // If the caller of start() is being cancelled, stay put: the task will exit on its own,
        // and moving it could carry its Cancelled into a place that would never catch it.
        if oldNursery.cancelScope.status?.effectivelyCancelled ?? true { return }

        let tasks = oldNursery.takeChildren()
        for task in tasks {
            task.parentNursery = newNursery
            task.eventualParentNursery = nil
            newNursery.addChild(task)
        }

        // Move the old nursery's cancel-status children (scopes the task opened) and tasks under the
        // new nursery. Detach everything first: attaching under a cancelled nursery can run abort
        // callbacks, which must not see a half-moved tree.
        let oldStatus = oldNursery.cancelStatus
        let statuses = Array(oldStatus.children)
        let movedTasks = oldStatus.tasks.filter { $0 !== oldNursery.parentTask }
        for status in statuses { status.setParent(nil) }
        for task in movedTasks { task.activate(nil) }
        let newStatus = newNursery.cancelStatus
        for status in statuses { status.setParent(newStatus) }
        for task in movedTasks { task.activate(newStatus) }

        oldNursery.checkClosed()
    }

    func takeValue() -> T? { value }
}

extension TaskStatus where T == Void {
    /// Reports that the task is ready (no value). Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `RuntimeError` if called twice.
    public func started() throws { try started(()) }
}

extension Nursery {
    /// Starts `fn` and waits until it calls `taskStatus.started(value)`, then returns `value`; the
    /// task keeps running in this nursery. Flavor: Trio; a checkpoint.
    ///
    /// Until it calls `started`, the task runs inside the caller's cancel scopes (cancelling the
    /// caller cancels it) and its errors come out of `start` itself.
    ///
    /// - Parameters:
    ///   - name: the task's name for instruments; defaults to the call site.
    ///   - fileID: where the call is, for the default name.
    ///   - line: where the call is, for the default name.
    ///   - fn: the task's body; it receives the status to report readiness through.
    /// - Throws: the task's error if it fails before calling `started`; `RuntimeError` if it
    ///   returns without calling `started`, or if this nursery is closed.
    public func start<T>(
        name: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        _ fn: @escaping (TaskStatus<T>) async throws -> Void
    ) async throws -> T {
        let task = try currentTrioTask("Nursery.start")
        if closed { throw RuntimeError("Nursery is closed to new arrivals") }
        pendingStarts += 1
        defer {
            pendingStarts -= 1
            checkClosed()
        }
        var status: TaskStatus<T>?
        do {
            try await withNursery(strictExceptionGroups: true) { oldNursery in
                let taskStatus = TaskStatus<T>(oldNursery: oldNursery, newNursery: self)
                status = taskStatus
                let child = task.runner.spawn(
                    { try await fn(taskStatus) }, nursery: oldNursery, name: name,
                    site: SpawnSite(fileID: fileID, line: line))
                child.eventualParentNursery = self
            }
        } catch let group as ExceptionGroup {
            // The temporary nursery is an implementation detail: raise the child's error as is.
            if group.errors.count == 1 { throw group.errors[0] }
            throw TrioInternalError(
                "the temporary nursery of start() held several tasks (was it reached through the task status?)",
                underlying: group)
        }
        guard let status, status.hasStarted, let value = status.takeValue() else {
            throw RuntimeError("child exited without calling task_status.started()")
        }
        return value
    }
}
