/// The runtime half of a cancel scope: a node of the tree along which cancellation flows,
/// across task boundaries (a nursery's children hang under the nursery's scope).
///
/// Mirrors Trio's `CancelStatus`: `effectivelyCancelled` is derived from the scope's own cancel
/// and, unless the scope shields, the parent's; `recalculate` keeps the subtree up to date and
/// wakes blocked tasks that became cancelled.
final class CancelStatus {
    // A status lives only while its scope is entered, and the scope is alive all that time.
    unowned(unsafe) let scope: CancelScope
    private(set) var parent: CancelStatus?
    private var parentSlot = -1
    private(set) var children: ContiguousArray<CancelStatus> = []
    private(set) var tasks: ContiguousArray<TrioTask> = []
    private(set) var effectivelyCancelled = false

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

    func setParent(_ newParent: CancelStatus?) {
        if let old = parent {
            let last = old.children.removeLast()
            if parentSlot < old.children.count {
                old.children[parentSlot] = last
                last.parentSlot = parentSlot
            }
        }
        parent = newParent
        if let newParent {
            parentSlot = newParent.children.count
            newParent.children.append(self)
        } else {
            parentSlot = -1
        }
        recalculate()
    }

    func addTask(_ task: TrioTask) {
        task.statusSlot = tasks.count
        tasks.append(task)
    }

    func removeTask(_ task: TrioTask) {
        let slot = task.statusSlot
        let last = tasks.removeLast()
        if slot < tasks.count {
            tasks[slot] = last
            last.statusSlot = slot
        }
        task.statusSlot = -1
    }

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
