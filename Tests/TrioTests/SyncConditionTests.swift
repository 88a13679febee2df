import Testing
import Trio
import TrioTesting

@Suite struct SyncConditionTests {
    @Test func usesTheGivenLockAndRequiresHoldingIt() throws {
        let log = try Trio.run {
            var log: [String] = []
            let lock = Lock()
            let condition = Condition(lock: lock)
            let acquireIsCheckpoint = try await isCheckpoint(
                { try await condition.acquire(); try condition.release() },
                again: { try await condition.acquire() })
            log.append("checkpoint \(acquireIsCheckpoint)")
            try await condition.acquire()
            log.append("lock.locked=\(lock.locked) condition.locked=\(condition.locked)")
            try condition.release()
            let fresh = Condition()
            log.append(outcomeSync { try fresh.acquireNowait() })
            log.append(outcomeSync { try fresh.acquireNowait() })
            try fresh.release()
            log.append(await outcome(messages: true) { try await fresh.wait() })
            log.append(outcomeSync(messages: true) { try fresh.notify() })
            log.append(outcomeSync(messages: true) { try fresh.notifyAll() })
            return log
        }
        #expect(log == [
            "checkpoint true", "lock.locked=true condition.locked=true", "ok", "RuntimeError",
            "RuntimeError: must hold the lock to wait", "RuntimeError: must hold the lock to notify",
            "RuntimeError: must hold the lock to notify",
        ])
    }

    @Test func notifyAndNotifyAllWakeInOrder() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let condition = Condition()
            var finished: [Int] = []
            let waiter: (Int) async throws -> Void = { i in
                try await condition.withLock { try await condition.wait() }
                finished.append(i)
            }
            try await withNursery { nursery in
                for i in 0..<3 {
                    try nursery.startSoon { try await waiter(i) }
                    try await waitAllTasksBlocked()
                }
                try await condition.withLock { try condition.notify() }
                try await waitAllTasksBlocked()
                log.append("after notify \(finished)")
                try await condition.withLock { try condition.notifyAll() }
                try await waitAllTasksBlocked()
                log.append("after notifyAll \(finished)")
            }
            finished = []
            try await withNursery { nursery in
                for i in 0..<3 {
                    try nursery.startSoon { try await waiter(i) }
                    try await waitAllTasksBlocked()
                }
                try await condition.withLock {
                    try condition.notify(2)
                    let stats = condition.statistics()
                    log.append("waiting \(stats.tasksWaiting) on lock \(stats.lockStatistics.tasksWaiting)")
                }
                // Releasing handed the lock to the first notified task.
                log.append("on lock after release \(condition.statistics().lockStatistics.tasksWaiting)")
                try await waitAllTasksBlocked()
                log.append("finished \(finished)")
                try await condition.withLock { try condition.notifyAll() }
            }
            log.append("finished \(finished)")
            return log
        }
        #expect(log == [
            "after notify [0]", "after notifyAll [0, 1, 2]", "waiting 1 on lock 2", "on lock after release 1",
            "finished [0, 1]", "finished [0, 1, 2]",
        ])
    }

    @Test func cancelledWaitStillReacquiresTheLock() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let condition = Condition()
            // Cancel only the waiter: the main task keeps working while holding the lock.
            let childScope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await condition.acquire()
                    let me = try Lowlevel.currentTask()
                    try await childScope.run { log.append(await outcome { try await condition.wait() }) }
                    log.append("owner after cancel is me: \(condition.lock.statistics().owner === me)")
                    try condition.release()
                }
                try await waitAllTasksBlocked()
                // Hold the lock while cancelling: the cancelled waiter must wait for it.
                try await condition.acquire()
                childScope.cancel()
                try await waitAllTasksBlocked()
                log.append("still waiting for the lock: \(condition.lock.statistics().tasksWaiting)")
                try condition.release()
            }
            return log
        }
        #expect(log == ["still waiting for the lock: 1", "Cancelled", "owner after cancel is me: true"])
    }

    @Test func cancelledWhileReparkedOnTheLock() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let condition = Condition()
            // Cancel only the waiter: the main task keeps working while holding the lock.
            let childScope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await condition.acquire()
                    try await childScope.run { log.append(await outcome { try await condition.wait() }) }
                    log.append("locked by waiter: \(condition.locked)")
                    try condition.release()
                }
                try await waitAllTasksBlocked()
                try await condition.acquire()
                try condition.notify()
                // The waiter now sits in the lock's queue; cancelling must take it out of there.
                childScope.cancel()
                try await waitAllTasksBlocked()
                log.append("lock waiters \(condition.lock.statistics().tasksWaiting)")
                try condition.release()
            }
            return log
        }
        #expect(log == ["lock waiters 1", "Cancelled", "locked by waiter: true"])
    }
}
