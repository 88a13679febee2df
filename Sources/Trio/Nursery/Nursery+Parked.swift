extension Nursery {
    /// Starts `fn` as a new child task that does not run until ``TrioTask/startParked()`` (or
    /// ``Lowlevel/reschedule(_:_:)``) wakes it: a bridge that must start the task later, in an order of its own, but with the task-locals
    /// of the caller (the child copies them here, as with ``startSoon(name:fileID:line:_:)``).
    ///
    /// Flavor: sync, on the run's thread. Until it is woken the task is blocked without a way to
    /// abort: a cancel of its scopes reaches it at its first checkpoint, and the nursery waits for
    /// it, so whoever starts one must wake it exactly once.
    ///
    /// - Throws: `RuntimeError` once the nursery has closed, or from outside the nursery's run.
    package func startParked(name: String? = nil, _ fn: @escaping () async throws -> Void) throws -> TrioTask {
        guard parentTask.belongsToThisThread else {
            throw RuntimeError("Nursery.startParked must be called from a task of the nursery's own Trio run")
        }
        if closed { throw RuntimeError("Nursery is closed to new arrivals") }
        return parentTask.runner.spawnParked(fn, nursery: self, name: name)
    }
}

extension Runner {
    /// ``spawn(_:nursery:name:site:isSystem:)`` of a task that stays blocked until rescheduled.
    func spawnParked(_ fn: @escaping () async throws -> Void, nursery: Nursery, name: String?) -> TrioTask {
        let task = spawn(fn, nursery: nursery, name: name, parkedAtBirth: true)
        // The Swift runtime hands a new task's first job to its executor while creating it.
        precondition(spawningParked == nil && task.parkedJob != nil, "Trio runner: a task spawned parked did not park")
        return task
    }
}

extension TrioTask {
    /// Lets a task made by ``Nursery/startParked(name:_:)`` run: its first step comes in the run's
    /// next pass. Flavor: sync, on the run's thread, once per such task.
    package func startParked() {
        runner.reschedule(self)
    }
}
