import Testing
import Trio
import TrioTesting

@Suite struct SyncEventTests {
    @Test func setWakesEveryWaiterAndStaysSet() throws {
        let (log, waitingBefore, waitingAfter) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            var log: [String] = []
            let event = Event()
            log.append("isSet=\(event.isSet)")
            var before = -1
            try await withNursery { nursery in
                for i in 0..<3 {
                    try nursery.startSoon {
                        try await event.wait()
                        log.append("woke \(i)")
                    }
                }
                try await waitAllTasksBlocked()
                before = event.statistics().tasksWaiting
                event.set()
                event.set()  // idempotent
                log.append("isSet=\(event.isSet)")
            }
            // A set event lets later waiters straight through.
            try await event.wait()
            log.append("late wait returned")
            return (log, before, event.statistics().tasksWaiting)
        }
        #expect(log == ["isSet=false", "isSet=true", "woke 0", "woke 1", "woke 2", "late wait returned"])
        #expect(waitingBefore == 3)
        #expect(waitingAfter == 0)
    }

    @Test func waitIsACheckpointEvenWhenSet() throws {
        let checkpoint = try Trio.run {
            let event = Event()
            event.set()
            return try await isCheckpoint({ try await event.wait() }, again: { try await event.wait() })
        }
        #expect(checkpoint)
    }

    @Test func cancelledWaitLeavesNoWaiterBehind() throws {
        let (result, waiting) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            let event = Event()
            let result = try await moveOnAfter(1) { try await event.wait(); return "woke" }
            return (result, event.statistics().tasksWaiting)
        }
        #expect(result == nil)
        #expect(waiting == 0)
    }
}
