import Testing
import Trio
import TrioTesting

@Suite struct SyncSemaphoreTests {
    @Test func countsAndHandsOffToWaiters() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let semaphore = Semaphore(1)
            log.append("value \(semaphore.value) max \(String(describing: semaphore.maxValue))")
            try semaphore.release()
            log.append("value \(semaphore.value) waiting \(semaphore.statistics().tasksWaiting)")
            try semaphore.acquireNowait()
            let acquireIsCheckpoint = try await isCheckpoint(
                { try await semaphore.acquire() }, again: { try await semaphore.acquire() })
            log.append("checkpoint \(acquireIsCheckpoint)")
            log.append("value \(semaphore.value)")
            log.append("nowait " + outcomeSync { try semaphore.acquireNowait() })
            // A cancelled acquire takes nothing.
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                try await semaphore.acquire()
            }
            try semaphore.release()
            try await semaphore.withAcquired { log.append("inside value \(semaphore.value)") }
            log.append("value \(semaphore.value)")
            try semaphore.acquireNowait()
            try await withNursery { nursery in
                try nursery.startSoon {
                    log.append("started")
                    try await semaphore.acquire()
                    log.append("finished")
                }
                try await waitAllTasksBlocked()
                try semaphore.release()
                // Fairness: the unit went straight to the waiter.
                log.append("after release value \(semaphore.value) " + outcomeSync { try semaphore.acquireNowait() })
            }
            return log
        }
        #expect(log == [
            "value 1 max nil", "value 2 waiting 0", "checkpoint true", "value 0", "nowait WouldBlock",
            "inside value 0", "value 1", "started", "after release value 0 WouldBlock", "finished",
        ])
    }

    @Test func boundedSemaphoreRejectsExtraReleases() throws {
        let log = try Trio.run {
            let semaphore = Semaphore(1, maxValue: 1)
            var log = ["max \(semaphore.maxValue ?? -1)"]
            log.append(outcomeSync(messages: true) { try semaphore.release() })
            log.append("value \(semaphore.value)")
            try semaphore.acquireNowait()
            log.append("value \(semaphore.value)")
            log.append(outcomeSync { try semaphore.release() })
            log.append("value \(semaphore.value)")
            return log
        }
        #expect(log == [
            "max 1", "ValueError: semaphore released too many times", "value 1", "value 0", "ok", "value 1",
        ])
    }

    @Test func anyTaskMayRelease() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let semaphore = Semaphore(0)
            var log: [String] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await Trio.sleep(1)
                    log.append("child releases")
                    try semaphore.release()
                }
                try await semaphore.acquire()
                log.append("acquired at \(try currentTime())")
            }
            return log
        }
        #expect(log == ["child releases", "acquired at 1.0"])
    }
}
