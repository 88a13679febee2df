import Asyncio
import TestSupport
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// `stop()` on a loop of `openLoop` keeps trio-asyncio's promise: everything scheduled before the call
/// runs before the loop stops, and nothing scheduled after it (trio-asyncio queues a stop marker
/// behind the callbacks already queued).
@Suite struct StopMarkerTests {
    @Test func aStopFromTrioRunsWhatCameBeforeItAndNothingAfter() throws {
        let (atStop, atEnd) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> ([String], [String]) in
            var log: [String] = []
            var atStop: [String] = []
            try await openLoop { loop in
                // The loop task is idle: these are queued while it waits.
                try loop.callSoon { log.append("before") }
                loop.stop()
                try loop.callSoon { log.append("after") }
                try await loop.waitStopped()
                atStop = log
            }
            // The shutdown runs the loop once more: what waited runs then.
            return (atStop, log)
        }
        #expect(atStop == ["before"])
        #expect(atEnd == ["before", "after"])
    }

    @Test func aStopInACallbackRunsWhatEarlierCallbacksScheduledButNotWhatCameAfter() throws {
        let (atStop, atEnd) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> ([String], [String]) in
            var log: [String] = []
            var atStop: [String] = []
            try await openLoop { loop in
                try await loop.runAioCoroutine {
                    // One batch: `a` schedules `x` before `stop` runs; `stop` schedules `y` after it.
                    try loop.callSoon {
                        log.append("a")
                        _ = try? loop.callSoon { log.append("x") }
                    }
                    try loop.callSoon {
                        log.append("stop")
                        loop.stop()
                        _ = try? loop.callSoon { log.append("y") }
                    }
                    try loop.callSoon { log.append("c") }
                }
                try await loop.waitStopped()
                atStop = log
            }
            return (atStop, log)
        }
        #expect(atStop == ["a", "stop", "c", "x"])
        #expect(atEnd == ["a", "stop", "c", "x", "y"])
    }

    @Test func aStopWhileTheBusyLoopTaskWaitsAtItsSchedulePointRunsWhatWasQueuedFirst() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [Int] in
            var log: [Int] = []
            try await openLoop { loop in
                // A callback that schedules itself keeps the loop task busy: it is never idle, so
                // whenever a Trio task runs, the loop task waits at its schedule point.
                var spinning = true
                func spin() { if spinning { _ = try? loop.callSoon(spin) } }
                try loop.callSoon(spin)
                try await Trio.sleep(0)
                try await Trio.sleep(0)
                for index in 0..<5 { try loop.callSoon { log.append(index) } }
                loop.stop()
                spinning = false
                try await loop.waitStopped()
                #expect(log == [0, 1, 2, 3, 4])
            }
            return log
        }
        #expect(log == [0, 1, 2, 3, 4])
    }

    @Test func aTimerDueBeforeTheStopRunsBeforeTheLoopStops() throws {
        let (atStop, atEnd) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> ([String], [String]) in
            var log: [String] = []
            var atStop: [String] = []
            try await openLoop { loop in
                try loop.callLater(0) { log.append("due") }
                try loop.callLater(1) { log.append("later") }
                loop.stop()
                try await loop.waitStopped()
                atStop = log
            }
            return (atStop, log)
        }
        #expect(atStop == ["due"])
        // The shutdown cancels the timer that was not due.
        #expect(atEnd == ["due"])
    }

    @Test func aSyncTrioEventLoopStoppedBeforeItRunsRunsWhatWasQueuedAtTheStop() throws {
        let loop = try SyncTrioEventLoop(clock: MockClock(autojumpThreshold: 0))
        defer { try? loop.close() }
        var log: [String] = []
        try loop.callSoon {
            log.append("a")
            _ = try? loop.callSoon { log.append("scheduled by a") }
        }
        loop.stop()
        try loop.callSoon { log.append("after the stop") }
        try loop.runForever()
        #expect(log == ["a"])
        try loop.callSoon { loop.stop() }
        try loop.runForever()
        // In queue order: "after the stop" was queued before "a" ran.
        #expect(log == ["a", "after the stop", "scheduled by a"])
    }
}

/// `stop()` from a thread other than the loop's goes through the loop's inbox instead of touching the
/// loop thread's queue (the race shows under ThreadSanitizer).
@Suite struct StopFromAnotherThreadTests {
    @Test func aStopFromAnotherThreadStopsTheLoopThroughItsInbox() throws {
        let log = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var log: [String] = []
            try await openLoop { loop in
                try loop.callSoon { log.append("queued first") }
                // Off the loop's thread, as code in a `swiftAsAio` child would call it.
                let unchecked = UncheckedLoop(loop)
                startPlainThread { unchecked.loop.stop() }
                try await loop.waitStopped()
                log.append("stopped")
            }
            return log
        }
        #expect(log == ["queued first", "stopped"])
    }
}

/// Hands the loop to a thread that only calls `stop()`, which is safe from any thread.
private struct UncheckedLoop: @unchecked Sendable {
    let loop: TrioEventLoop
    init(_ loop: TrioEventLoop) { self.loop = loop }
}
