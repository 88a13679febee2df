/// The runtime half of a cancel scope: a node of the tree along which cancellation flows,
/// across task boundaries (a nursery's children hang under the nursery's scope).
///
/// Mirrors Trio's `CancelStatus`: `effectivelyCancelled` is derived from the scope's own cancel
/// and, unless the scope shields, the parent's; `recalculate` keeps the subtree up to date and
/// wakes blocked tasks that became cancelled.
///
/// Invariants, true whenever the loop is between two statements of this file:
/// - `tasks` holds exactly the tasks whose `cancelStatus` is this status (``TrioTask/activate(_:)``
///   changes both sides together), and `children` exactly the statuses whose `parent` is this one
///   (``setParent(_:)`` changes both sides together). The slots (`parentSlot`, a task's
///   `statusSlot`) are the entries' positions in those lists.
/// - `effectivelyCancelled == scope.cancelCalledFlag || parentCancellationIsVisibleToUs`. Whatever
///   changes one of its inputs (a cancel, the shield, the parent) calls ``recalculate()`` on the
///   status it changed, which restores it for the whole subtree and offers each blocked task that
///   became cancelled its abort.
/// - A status exists while its scope is entered (`scope.status === self`). When the scope exits,
///   no task and no child is left under it, and it leaves its parent (`setParent(nil)`).
///
/// Thread rule: a status is created, changed and dropped on its run's loop thread only, and is
/// reached only through the run's tasks and scopes. Its mutable fields carry
/// `@exclusivity(unchecked)` for that reason: one thread, no re-entrant access, and every
/// checkpoint, spawn, task exit and scope entry touches them.
final class CancelStatus {
    // A status lives only while its scope is entered, and the scope is alive all that time.
    unowned(unsafe) let scope: CancelScope
    @exclusivity(unchecked) private(set) var parent: CancelStatus?
    @exclusivity(unchecked) var parentSlot = -1
    @exclusivity(unchecked) private var childList = IndexedList<StatusChildSlot>()
    @exclusivity(unchecked) private var taskList = IndexedList<StatusTaskSlot>()
    @exclusivity(unchecked) private(set) var effectivelyCancelled = false

    init(scope: CancelScope, parent: CancelStatus?) {
        self.scope = scope
        setParent(parent)
    }

    var parentCancellationIsVisibleToUs: Bool {
        guard let parent else { return false }
        return !scope.shield && parent.effectivelyCancelled
    }

    /// The reason of the nearest cancelled scope whose cancellation reaches this status.
    var cancelReason: String? {
        var current: CancelStatus? = self
        while let status = current {
            if status.scope.cancelCalledFlag { return status.scope.cancelReason }
            if status.scope.shield { return nil }
            current = status.parent
        }
        return nil
    }

    var children: ContiguousArray<CancelStatus> { childList.items }
    var tasks: ContiguousArray<TrioTask> { taskList.items }

    func setParent(_ newParent: CancelStatus?) {
        parent?.childList.remove(self)
        parent = newParent
        newParent?.childList.append(self)
        recalculate()
    }

    func addTask(_ task: TrioTask) { taskList.append(task) }

    func removeTask(_ task: TrioTask) { taskList.remove(task) }

    /// Brings this status and its descendants up to date, delivering new cancellations.
    /// Iterative on purpose: thousands of nested scopes must not overflow the stack.
    func recalculate() {
        var todo: [CancelStatus] = [self]
        while let current = todo.popLast() {
            let newState = current.scope.cancelCalledFlag || current.parentCancellationIsVisibleToUs
            guard newState != current.effectivelyCancelled else { continue }
            current.effectivelyCancelled = newState
            if newState {
                // Abort callbacks may move tasks around; walk a snapshot.
                for task in Array(current.tasks) { task.attemptDeliveryOfPendingCancel() }
            }
            todo.append(contentsOf: current.children)
        }
    }
}
