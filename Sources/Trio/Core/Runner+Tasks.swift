import Sniffio

extension Runner {
    /// Creates a Trio task running `fn` in `nursery` (Trio's `spawn_impl`).
    @discardableResult
    func spawn(
        _ fn: @escaping () async throws -> Void, nursery: Nursery?, name: String?,
        site: SpawnSite = SpawnSite(fileID: #fileID, line: #line), isSystem: Bool = false,
        parkedAtBirth: Bool = false
    ) -> TrioTask {
        let task = TrioTask(name: name, site: site, runner: self, parentNursery: nursery, isSystem: isSystem)
        nursery?.addChild(task)
        task.activate(nursery?.cancelStatus ?? rootCancelStatus)
        livingTasks += 1
        if instrumented { instrument("task_spawned") { try $0.taskSpawned(task) } }
        if parkedAtBirth {
            // Blocked with no abort: only an explicit reschedule starts (and schedules) it.
            task.blocked = true
            spawningParked = task
        } else if instrumented {
            instrument("task_scheduled") { try $0.taskScheduled(task) }
        }
        let body = TaskBody(fn: fn)
        // No task-local binding and as few async frames as possible: every frame lives in the
        // task's allocator, and sleeping tasks should stay small. Without a binding of our own, a
        // spawner usually has no task-locals for the runtime to copy into the child.
        Task(executorPreference: self) {
            await task.runner.runTaskBody(task, body.fn)
        }
        return task
    }

    /// The whole life of one task, on the loop thread: its steps, then its exit bookkeeping.
    @inline(__always)
    private func runTaskBody(_ task: TrioTask, _ fn: () async throws -> Void) async {
        // A task is its own job, so the job the runner is running names this Swift task.
        task.swiftTask = currentJob
        currentTask = task
        if instrumented { instrument("before_task_step") { try $0.beforeTaskStep(task) } }
        var failure: (any Error)?
        if let error = task.wakeError {
            // A task spawned parked and woken with an error (`Lowlevel.reschedule(task, .failure(…))`):
            // the error is what its first wait raises, so the body never starts.
            task.wakeError = nil
            failure = error
        } else {
            do {
                try await fn()
            } catch {
                failure = error
            }
        }
        if instrumented { instrument("after_task_step") { try $0.afterTaskStep(task) } }
        taskExited(task, failure)
    }

    /// After a step of `task` (a job the runner ran): a task that neither parked nor exited
    /// suspended somewhere else (it awaited another executor, or a Swift child task), and comes
    /// back as an untagged job; the task table lets the runner recognise it then.
    @inline(__always)
    func stepEnded(_ task: TrioTask) {
        guard task.parkedJob == nil, !task.hasExited, let swiftTask = task.swiftTask else { return }
        if !task.inTaskTable {
            tasksBySwiftTask.insert(task, for: swiftTask)
            task.inTaskTable = true
        }
        if task.cancelStatus.effectivelyCancelled { noteCancelledOutsideTrio(task, justSuspended: true) }
    }

    private func taskExited(_ task: TrioTask, _ failure: (any Error)?) {
        var failure = failure
        if task === mainTask {
            mainOutcome = failure.map { .failure($0) } ?? .success(())
            failure = nil
        } else if task.isSystem, let error = failure {
            // A failing system task takes the whole run down, as in Trio (Cancelled is its normal end).
            recordInternalError(error, from: task)
            failure = nil
        }
        task.activate(nil)
        if task.inTaskTable, let swiftTask = task.swiftTask { tasksBySwiftTask.remove(swiftTask) }
        if !task.exitObservers.isEmpty {
            let observers = task.exitObservers
            task.exitObservers = []
            for observer in observers { observer.taskExited(task) }
        }
        if let nursery = task.parentNursery {
            nursery.childFinished(task, failure)
        }
        // As in Trio, the exit hook still runs in the task's context (`Lowlevel.inTrioTask()`).
        if instrumented { instrument("task_exited") { try $0.taskExited(task) } }
        // `currentTask` does not keep the record alive, and the record may go away with this step.
        if currentTask === task { currentTask = nil }
        livingTasks -= 1
    }

    private func recordInternalError(_ error: any Error, from task: TrioTask) {
        if error is Cancelled { return }
        if internalError == nil {
            internalError = TrioInternalError("system task \(task.name) raised an error", underlying: error)
        }
        initTask?.childNurseries.first?.cancelScope.cancel()
    }
}

/// A task's body, handed to its Swift task (a concrete type, so the closure is not re-abstracted).
struct TaskBody: @unchecked Sendable {
    let fn: () async throws -> Void
}
