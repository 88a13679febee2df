/// A place where child tasks run; the code that opened it does not continue until all of them
/// have finished. Flavor: Trio. Open one with ``withNursery(strictExceptionGroups:_:)``.
///
/// If a child (or the body) throws, the nursery cancels its ``cancelScope`` so that the other
/// children and the body stop, waits for them all, and throws their errors together.
public final class Nursery: CustomStringConvertible {
    /// The scope that cancels the body and every child; cancel it to stop them all.
    public let cancelScope: CancelScope
    /// The task that opened the nursery.
    public let parentTask: TrioTask
    let strictExceptionGroups: Bool
    // A nursery is used on its run's loop thread only (its methods are reached from its tasks).
    // The fields touched by every child's spawn and exit skip the dynamic exclusivity check: one
    // thread owns them and no access re-enters. The errors, gathered only when a child fails,
    // keep it.
    @exclusivity(unchecked) private var childList = IndexedList<NurseryChildSlot>()
    private var pendingErrors: [any Error] = []
    @exclusivity(unchecked) private var nestedChildRunning = true
    @exclusivity(unchecked) private var parentWaiting = false
    @exclusivity(unchecked) var pendingStarts = 0
    @exclusivity(unchecked) private(set) var closed = false

    init(parentTask: TrioTask, cancelScope: CancelScope, strict: Bool) {
        self.parentTask = parentTask
        self.cancelScope = cancelScope
        self.strictExceptionGroups = strict
    }

    /// The tasks currently running in the nursery.
    public var childTasks: [TrioTask] { Array(childList.items) }

    /// `<Nursery of <TrioTask name>>`.
    public var description: String { "<Nursery of \(parentTask)>" }

    var cancelStatus: CancelStatus { cancelScope.status! }

    /// Starts `fn` as a new child task; it runs from the next scheduling pass. Flavor: Trio; not a
    /// checkpoint (it does not block).
    ///
    /// Children may start siblings while the nursery is closing (its body has finished but
    /// children still run).
    ///
    /// - Parameters:
    ///   - name: the task's name for instruments; defaults to the call site.
    ///   - fileID: where the call is, for the default name.
    ///   - line: where the call is, for the default name.
    ///   - fn: the task's body.
    /// - Throws: `RuntimeError` once the nursery has closed (all its tasks finished), or when
    ///   called from outside the nursery's run.
    public func startSoon(
        name: String? = nil, fileID: StaticString = #fileID, line: UInt = #line,
        _ fn: @escaping () async throws -> Void
    ) throws {
        guard parentTask.belongsToThisThread else {
            throw RuntimeError("Nursery.startSoon must be called from a task of the nursery's own Trio run")
        }
        if closed { throw RuntimeError("Nursery is closed to new arrivals") }
        parentTask.runner.spawn(fn, nursery: self, name: name, site: SpawnSite(fileID: fileID, line: line))
    }

    func addChild(_ task: TrioTask) { childList.append(task) }

    func removeChild(_ task: TrioTask) { childList.remove(task) }

    /// Takes every child away (``TaskStatus/started(_:)`` moves them to another nursery).
    func takeChildren() -> ContiguousArray<TrioTask> { childList.removeAll() }

    func addError(_ error: any Error) {
        pendingErrors.append(error)
        cancelScope.cancel()
    }

    func childFinished(_ task: TrioTask, _ error: (any Error)?) {
        removeChild(task)
        if let error { addError(error) }
        checkClosed()
    }

    func checkClosed() {
        guard !nestedChildRunning, childList.isEmpty, pendingStarts == 0, !closed else { return }
        closed = true
        if parentWaiting {
            parentWaiting = false
            parentTask.runner.reschedule(parentTask)
        }
    }

    /// The body has finished: wait for the children, then combine the errors (Trio's
    /// `_nested_child_finished`).
    func nestedChildFinished(_ bodyError: (any Error)?) async -> (any Error)? {
        if let bodyError { addError(bodyError) }
        nestedChildRunning = false
        checkClosed()
        let runner = parentTask.runner
        if !closed {
            parentWaiting = true
            // Children see an outer cancellation through the status tree; the parent simply
            // keeps waiting until the last child is gone.
            _ = await runner.park(parentTask, for: .nurseryChildren) { _ in .failed }
        } else {
            await runner.yieldShielded(parentTask)
        }
        if let index = parentTask.childNurseries.lastIndex(where: { $0 === self }) {
            parentTask.childNurseries.remove(at: index)
        }
        guard !pendingErrors.isEmpty else { return nil }
        if !strictExceptionGroups && pendingErrors.count == 1 { return pendingErrors[0] }
        return ExceptionGroup("Exceptions from Trio nursery", pendingErrors, collapsible: !strictExceptionGroups)
    }
}

/// Opens a nursery, runs `body` with it, and waits for every child task before returning.
/// Flavor: Trio. Leaving it is a schedule point; it is a cancel point only while children are
/// still running (as in Trio, an empty nursery's exit does not raise ``Cancelled``).
///
/// Errors of the body and the children are thrown together as an `ExceptionGroup` (strict
/// mode, the default), or bare when there is exactly one and strict mode is off.
///
/// - Parameters:
///   - strictExceptionGroups: `nil` uses the run's setting.
///   - body: runs with the nursery; children may be started in it until it closes.
/// - Returns: the body's result, or `nil` when the nursery's own scope absorbed a cancellation
///   of the body.
@discardableResult
public func withNursery<T>(
    strictExceptionGroups: Bool? = nil, _ body: (Nursery) async throws -> T
) async throws -> T? {
    let task = try currentTrioTask("withNursery")
    let scope = CancelScope()
    try scope.enter(task)
    let nursery = Nursery(
        parentTask: task, cancelScope: scope,
        strict: strictExceptionGroups ?? task.runner.strictExceptionGroups)
    task.childNurseries.append(nursery)
    var value: T?
    var bodyError: (any Error)?
    do {
        value = try await body(nursery)
    } catch {
        bodyError = error
    }
    let combined = await nursery.nestedChildFinished(bodyError)
    if let remaining = scope.exit(task, combined) { throw remaining }
    return value
}
