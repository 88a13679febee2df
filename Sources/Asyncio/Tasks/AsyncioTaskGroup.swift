/// A set of tasks whose lifetimes end with a block: CPython 3.11's `asyncio.TaskGroup`.
///
/// Use it through ``withAsyncioTaskGroup(_:)``. When a child fails, the others and the block are cancelled,
/// and all errors come out together as an `ExceptionGroup`. Cancelling the enclosing task cancels the
/// children.
///
/// Flavor: asyncio.
public final class AsyncioTaskGroup {
    private var exiting = false
    private var aborting = false
    private var parentCancelRequested = false
    private(set) var parent: TaskContext.Current?
    /// The children whose done-callback has not run yet, plus ones already counted but not yet compacted away
    /// (see `childDone`); `running` counts the former. An array rather than a set: hashing every child twice
    /// was a visible share of a task's cost. Holds the tasks: a child's core holds the group until its
    /// done-callback runs.
    // Unchecked exclusivity: appended to and compacted once per child, on the loop thread only; its dynamic checks
    // showed in the instruction counts of `aio_spawn` (Benchmarks).
    @exclusivity(unchecked) private var children: [HeldTask] = []
    private(set) var running = 0
    private var errors: [any Error] = []
    private(set) var allDone: Future<Void>?

    /// Creates a group; enter it with ``withAsyncioTaskGroup(_:)``.
    public init() {}

    /// Starts `body` as a child task.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when the group is not entered, is finished, or is shutting down
    /// after a failure.
    @discardableResult
    public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
        guard let parent else { throw RuntimeError("TaskGroup has not been entered") }
        if exiting && running == 0 { throw RuntimeError("TaskGroup is finished") }
        if aborting { throw RuntimeError("TaskGroup is shutting down") }
        let task = try parent.core.loop.createTask(name: name, body)
        let core = task.core
        // The task's existential from its core, not from `task`: converting a generic `AsyncioTask<T>` costs
        // a metadata look-up from unspecialized code.
        children.append(HeldTask(core))
        running += 1
        // No done-callback closure: the task queues `childDone` itself when it completes (see `TaskCore`).
        core.group = self
        return task
    }

    func enter() throws {
        guard parent == nil else { throw RuntimeError("TaskGroup has already been entered") }
        parent = try TaskContext.require("AsyncioTaskGroup")
    }

    private func abort() {
        aborting = true
        for child in children where !child.task.done { child.task.cancel() }
    }

    /// The done-callback of the child whose core is `core` (it has cleared `core.group`).
    func childDone(_ core: TaskCore) {
        // Held here: compacting below may drop the group's reference.
        let task = core.task!
        running -= 1
        if running == 0 {
            children.removeAll()
        } else if children.count > 64 && running * 2 < children.count {
            // Amortized: a long-lived group does not keep the children it has heard from.
            children.removeAll { $0.core.group == nil }
        }
        if running == 0, let allDone { allDone.setOutcomeUnlessDone(.success(())) }
        if task.cancelled { return }
        guard let error = try? task.exception() else { return }
        errors.append(error)
        guard let parent else { return }
        if parent.task.done {
            parent.core.loop.callExceptionHandler(ExceptionContext(
                message: "Task has errored out but its parent task is already done", error: error, future: task
            ))
            return
        }
        if !aborting && !parentCancelRequested {
            // Cancel what the block awaits now; exit() withdraws this request again.
            abort()
            parentCancelRequested = true
            parent.task.cancel()
        }
    }

    /// Waits for the children and decides what the block throws.
    func exit(_ error: (any Error)?) async throws {
        guard let parent else { return }
        exiting = true
        var propagatedCancel = error as? CancelledError
        if error != nil && !aborting { abort() }
        while running > 0 {
            let waiter = parent.core.loop.createFuture(of: Void.self)
            allDone = waiter
            do {
                try await waiter.value
            } catch let cancel as CancelledError {
                if !aborting {
                    propagatedCancel = cancel
                    abort()
                }
            }
            allDone = nil
        }
        if parentCancelRequested && parent.task.uncancel() == 0 { propagatedCancel = nil }
        if let propagatedCancel, errors.isEmpty { throw propagatedCancel }
        if let error, !(error is CancelledError) { errors.append(error) }
        if !errors.isEmpty {
            let group = ExceptionGroup("unhandled errors in a TaskGroup", errors)
            errors = []
            throw group
        }
    }
}

/// Runs `body` with a new ``AsyncioTaskGroup`` and waits for all its tasks: `async with asyncio.TaskGroup() as tg`.
///
/// Flavor: asyncio. - Throws: an `ExceptionGroup` of the children's errors (and the body's); ``CancelledError``
/// when the enclosing task was cancelled from outside; `FlavorError` outside a task.
public func withAsyncioTaskGroup<T>(_ body: (AsyncioTaskGroup) async throws -> T) async throws -> T {
    let group = AsyncioTaskGroup()
    try group.enter()
    let outcome: Result<T, any Error>
    do {
        outcome = .success(try await body(group))
    } catch {
        outcome = .failure(error)
    }
    try await group.exit(outcome.failure)
    return try outcome.get()
}
