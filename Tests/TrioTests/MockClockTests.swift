import TestSupport
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

private func wallClock() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

@Suite struct MockClockTests {
    @Test func startsAtZeroAndMovesOnlyByJumps() throws {
        let clock = MockClock()
        #expect(clock.currentTime() == 0)
        try clock.jump(1.5)
        #expect(clock.currentTime() == 1.5)
        #expect(throws: ValueError.self) { try clock.jump(-1) }
        #expect(clock.deadlineToSleepTime(1) == 0)
        #expect(clock.deadlineToSleepTime(2) > 1e6)
    }

    @Test func rateScalesSleepTime() throws {
        let clock = MockClock(rate: 2)
        let now = clock.currentTime()
        #expect(abs(clock.deadlineToSleepTime(now + 10) - 5) < 0.01)
        #expect(throws: ValueError.self) { try clock.setRate(-1) }
        #expect(throws: ValueError.self) { try clock.setAutojumpThreshold(-1) }
    }

    @Test func jumpingWakesSleepersAtTheNextPass() throws {
        let clock = UncheckedBox(MockClock())
        let log = try Trio.run(clock: clock.value) { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon {
                    try await Trio.sleep(10)
                    log.append("woke at \(try Trio.currentTime())")
                }
                try await waitAllTasksBlocked()
                log.append("jumping")
                try clock.value.jump(10)
            }
            return log
        }
        #expect(log == ["jumping", "woke at 10.0"])
    }

    @Test(.trio) func autojumpMakesLongSleepsInstant() async throws {
        let start = wallClock()
        try await Trio.sleep(86_400)
        #expect(try Trio.currentTime() == 86_400)
        #expect(wallClock() - start < 5)
    }

    @Test func autojumpWaitsForTheThreshold() throws {
        let clock = MockClock(autojumpThreshold: 0.05)
        let box = UncheckedBox(clock)
        let start = wallClock()
        let now = try Trio.run(clock: box.value) { () -> Double in
            try await Trio.sleep(1000)
            return try Trio.currentTime()
        }
        #expect(now == 1000)
        #expect(wallClock() - start >= 0.05)
    }

    @Test(.trio) func waitAllTasksBlockedHasPriorityOverAutojump() async throws {
        var log: [String] = []
        try await withNursery { n in
            try n.startSoon {
                try await Trio.sleep(5)
                log.append("sleeper at \(try Trio.currentTime())")
            }
            try await waitAllTasksBlocked()
            log.append("idle at \(try Trio.currentTime())")
        }
        #expect(log == ["idle at 0.0", "sleeper at 5.0"])
    }

    @Test func smallerCushionsWakeFirst() throws {
        let log = try Trio.run { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon { try await waitAllTasksBlocked(cushion: 0.02); log.append("0.02") }
                try n.startSoon { try await waitAllTasksBlocked(cushion: 0.01); log.append("0.01") }
                try n.startSoon { try await waitAllTasksBlocked(); log.append("0") }
            }
            return log
        }
        #expect(log == ["0", "0.01", "0.02"])
    }

    @Test(.trio) func waitAllTasksBlockedWaitsForBusyTasks() async throws {
        var log: [String] = []
        try await withNursery { n in
            try n.startSoon {
                for i in 0..<5 { try await Trio.checkpoint(); log.append("step \(i)") }
            }
            try await waitAllTasksBlocked()
            log.append("idle")
        }
        #expect(log.last == "idle")
        #expect(log.count == 6)
    }

    @Test(.trio) func negativeCushionIsAValueError() async throws {
        await #expect(throws: ValueError.self) { try await waitAllTasksBlocked(cushion: -1) }
    }
}

@Suite struct SequencerTests {
    @Test(.trio) func runsBlocksInPositionOrder() async throws {
        var log: [Int] = []
        let seq = Sequencer()
        try await withNursery { n in
            try n.startSoon {
                try await seq.callAt(1) { log.append(1) }
                try await seq.callAt(3) { log.append(3) }
            }
            try n.startSoon {
                try await seq.callAt(0) { log.append(0) }
                try await seq.callAt(2) { log.append(2) }
            }
        }
        #expect(log == [0, 1, 2, 3])
    }

    @Test(.trio) func reusingAPositionIsAnError() async throws {
        let seq = Sequencer()
        try await seq.callAt(0) {}
        var message = "no error"
        do { try await seq.callAt(0) {} } catch let error as RuntimeError { message = error.message }
        #expect(message == "Attempted to reuse sequence point 0")
    }

    @Test(.trio) func cancellingAWaitBreaksTheSequence() async throws {
        var messages: [String] = []
        let seq = Sequencer()
        try await moveOnAfter(1) {
            do { try await seq.callAt(1) {} } catch let error as RuntimeError { messages.append(error.message) }
        }
        do { try await seq.callAt(2) {} } catch let error as RuntimeError { messages.append(error.message) }
        #expect(messages == ["Sequencer wait cancelled -- sequence broken", "sequence broken!"])
    }
}
