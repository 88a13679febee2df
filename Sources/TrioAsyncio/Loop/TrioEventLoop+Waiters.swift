import Asyncio
import Trio

/// A Trio task parked in the bridge (``TrioEventLoop/runAioFuture(_:)``, `aioAsTrio`,
/// `allowAsyncio`) until an asyncio future of the loop is done.
///
/// Only the loop can finish its futures, so a loop that stops or closes under a waiter would leave
/// it parked for ever (trio-asyncio #118; trio-asyncio 0.16 itself has that deadlock). The loop
/// therefore keeps its waiters in an intrusive list: linking and unlinking are O(1) and allocate
/// nothing beyond the node, and whichever of the future's wake-up and the loop's stop comes first
/// unlinks the node and wakes the task; the other finds it unlinked and does nothing.
final class BridgeWaiter {
    let task: TrioTask
    // Loop thread only. Left checked: being fileprivate, the compiler enforces them statically, and the
    // attribute measured slower here.
    fileprivate var previous: BridgeWaiter?
    fileprivate var next: BridgeWaiter?
    fileprivate var isLinked = false

    init(task: TrioTask) { self.task = task }
}

/// The loop's parked ``BridgeWaiter``s (loop thread only).
struct BridgeWaiterList {
    private var head: BridgeWaiter?

    var isEmpty: Bool { head == nil }

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

    /// Unlinks every waiter and returns them, oldest last.
    mutating func removeAll() -> [BridgeWaiter] {
        var all: [BridgeWaiter] = []
        while let waiter = head {
            unlink(waiter)
            all.append(waiter)
        }
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
        if core.state.isClosed { throw RuntimeError("Event loop is closed") }
        if core.state.phase == .stopped, host.stopFailsBridgeWaiters { throw Self.stoppedBeforeCompletion() }
    }

    /// Wakes `waiter` because its future is done, unless the loop's stop woke it first.
    func wakeWaiter(_ waiter: BridgeWaiter) {
        if bridgeWaiters.unlink(waiter) { Lowlevel.reschedule(waiter.task) }
    }

    /// The loop task returned, or the loop closed: every Trio task still waiting for one of its
    /// futures is woken with `error` (a waiter whose future is done by then, its queued wake-up
    /// not yet run, takes the future's outcome instead). A ``SyncTrioEventLoop`` keeps its waiters
    /// across stops: they only run, and their futures only advance, while it runs.
    func failBridgeWaiters(_ error: any Error) {
        guard !bridgeWaiters.isEmpty else { return }
        for waiter in bridgeWaiters.removeAll().reversed() {
            Lowlevel.reschedule(waiter.task, .failure(error))
        }
    }
}
