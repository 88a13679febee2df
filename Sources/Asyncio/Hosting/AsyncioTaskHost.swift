/// A loop that keeps its own tasks (``allTasks(loop:)``) and takes ready-queue items directly, touched only on
/// its thread: no lock and no hashing on every task's creation and completion, and no handle and closure for a
/// task group's done-callback. Every loop of this package is one.
package protocol AsyncioTaskHost: AbstractEventLoop {
    /// The loop's registry.
    var taskRegistry: LoopTaskRegistry { get }
    /// Appends `item` to the ready queue (loop thread only; `queueLen` does not apply: the item is the
    /// completion of work already admitted); `false` when the loop is closed.
    func enqueueReady(_ item: ReadyItem) -> Bool
}
