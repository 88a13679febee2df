import Asyncio
import Trio

/// A Trio task parked in the bridge (``TrioEventLoop/runAioFuture(_:)``, `aioAsTrio`,
/// `allowAsyncio`) until an asyncio future of the loop is done.
///
/// Only the loop can finish its futures, so a loop that stops or closes under a waiter would leave
/// it parked for ever (trio-asyncio #118; trio-asyncio 0.16 itself has that deadlock). The loop
/// therefore keeps its waiters in an intrusive list: linking and unlinking are O(1), and whichever
/// of the future's wake-up and the loop's stop comes first unlinks the node and wakes the task; the
/// other finds it unlinked and does nothing.
///
/// Nodes are recycled (``BridgeWaiterList/take(for:loop:)``, ``BridgeWaiterList/recycle(_:)``): a
/// call through the bridge then allocates no node of its own. A node goes back only once nothing can
/// reach it any more: it is unlinked, and its completion hook has run or been removed.
///
/// Invariants (loop thread only): `isLinked` is true exactly while the node is in the loop's list
/// of waiters, and then `task` is set: the task is about to park, or parked, in
/// `waitTaskRescheduled` for this node's future. A spare node has `task == nil` and is not linked.
/// `previous` is used only while linked; `next` links the spare nodes too.
final class BridgeWaiter {
    /// The parked task; `nil` while the node is spare.
    fileprivate(set) var task: TrioTask?
    /// The loop whose list holds the node, so that a completion hook captures the node alone (a
    /// closure over one reference needs no context of its own). Whatever can call ``wake()`` — a
    /// hook in one of the loop's futures, a handle in its queue, the waiting task itself — keeps the
    /// loop alive, so the loop is there whenever the node is woken.
    unowned(unsafe) let loop: TrioEventLoop
    // Left checked: being fileprivate, the compiler sees every access, and the attribute measured
    // slower here.
    fileprivate var previous: BridgeWaiter?
    fileprivate var next: BridgeWaiter?
    fileprivate var isLinked = false

    fileprivate init(loop: TrioEventLoop) { self.loop = loop }

    /// Wakes the task because its future is done, unless the loop's stop woke it first.
    func wake() {
        loop.wakeWaiter(self)
    }
}

/// The loop's parked ``BridgeWaiter``s, newest first, and its spare nodes (loop thread only).
struct BridgeWaiterList {
    private var head: BridgeWaiter?
    private var spare: BridgeWaiter?
    private var spareCount = 0
    /// More spare nodes than this are left to be freed: as many tasks rarely wait on one loop at once.
    private static let maxSpare = 64

    /// Whether no task waits.
    var isEmpty: Bool { head == nil }

    /// A node for `task` that is never recycled (for a waiter whose wake-up goes through the loop's
    /// queue and may come after the wait ended).
    func unpooled(for task: TrioTask, loop: TrioEventLoop) -> BridgeWaiter {
        let waiter = BridgeWaiter(loop: loop)
        waiter.task = task
        return waiter
    }

    /// A node for `task` (a spare one when there is one), not linked yet.
    mutating func take(for task: TrioTask, loop: TrioEventLoop) -> BridgeWaiter {
        let waiter: BridgeWaiter
        if let node = spare {
            spare = node.next
            node.next = nil
            spareCount -= 1
            waiter = node
        } else {
            waiter = BridgeWaiter(loop: loop)
        }
        waiter.task = task
        return waiter
    }

    /// Gives back a node that nothing can reach any more (unlinked, its hook run or removed).
    mutating func recycle(_ waiter: BridgeWaiter) {
        assert(!waiter.isLinked, "a linked bridge waiter cannot be recycled")
        waiter.task = nil
        guard spareCount < Self.maxSpare else { return }
        waiter.next = spare
        spare = waiter
        spareCount += 1
    }

    /// Adds `waiter`, whose task is about to park, at the head.
    mutating func link(_ waiter: BridgeWaiter) {
        waiter.next = head
        head?.previous = waiter
        head = waiter
        waiter.isLinked = true
    }

    /// Removes `waiter`; false when it was not linked (someone else woke it first).
    @discardableResult
    mutating func unlink(_ waiter: BridgeWaiter) -> Bool {
        guard waiter.isLinked else { return false }
        if let previous = waiter.previous { previous.next = waiter.next } else { head = waiter.next }
        waiter.next?.previous = waiter.previous
        waiter.previous = nil
        waiter.next = nil
        waiter.isLinked = false
        return true
    }

    /// Unlinks every waiter and returns them in the order they parked.
    mutating func removeAll() -> [BridgeWaiter] {
        var all: [BridgeWaiter] = []
        while let waiter = head {
            unlink(waiter)
            all.append(waiter)
        }
        all.reverse()
        return all
    }
}

extension TrioEventLoop {
    /// The error of a bridge call whose loop stopped before the future was done; asyncio's
    /// `run_until_complete` raises the same when its loop stops first.
    static func stoppedBeforeCompletion() -> RuntimeError {
        RuntimeError("Event loop stopped before Future completed.")
    }

    /// Whether a Trio task may start waiting for a future of this loop: not when the loop of an
    /// ``openLoop(queueLen:_:)`` was stopped by hand (nothing would finish the future until the
    /// shutdown). A ``SyncTrioEventLoop``'s Trio tasks run only while its loop runs, so they never
    /// see it stopped.
    ///
    /// - Throws: `RuntimeError` when the loop is closed, or stopped.
    func checkWaitable() throws {
        if core.state.isClosed { throw RuntimeError.loopClosed }
        if case .stopped = core.state.phase, host.stopFailsBridgeWaiters { throw Self.stoppedBeforeCompletion() }
    }

    /// Wakes `waiter` because its future is done, unless the loop's stop woke it first.
    func wakeWaiter(_ waiter: BridgeWaiter) {
        guard bridgeWaiters.unlink(waiter) else { return }
        guard let task = waiter.task else { return assertionFailure("a linked bridge waiter has a task") }
        Lowlevel.reschedule(task)
    }

    /// The loop task returned, or the loop closed: every Trio task still waiting for one of its
    /// futures is woken with `error` (a waiter whose future is done by then, its queued wake-up
    /// not yet run, takes the future's outcome instead). A ``SyncTrioEventLoop`` keeps its waiters
    /// across stops: they only run, and their futures only advance, while it runs.
    func failBridgeWaiters(_ error: any Error) {
        guard !bridgeWaiters.isEmpty else { return }
        for waiter in bridgeWaiters.removeAll() {
            guard let task = waiter.task else {
                assertionFailure("a linked bridge waiter has a task")
                continue
            }
            Lowlevel.reschedule(task, .failure(error))
        }
    }
}
