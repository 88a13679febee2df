import Synchronization
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RunAsyncTests {
    @Test func returnsMainsValueFromADedicatedThread() async throws {
        let caller = threadID()
        let (value, runThread, now) = try await Trio.runAsync(clock: MockClock(autojumpThreshold: 0)) {
            () -> (Int, UInt, Double) in
            try await Trio.sleep(100)
            return (42, threadID(), try Trio.currentTime())
        }
        #expect(value == 42)
        #expect(runThread != caller)
        #expect(now == 100)
    }

    @Test func aThrowingMainsErrorComesOutUnchanged() async throws {
        await #expect(throws: Boom(tag: "main")) {
            try await Trio.runAsync { () -> Int in throw Boom(tag: "main") }
        }
    }

    @Test func instrumentsSeeTheRun() async throws {
        final class Counter: Instrument, @unchecked Sendable {
            var runs = 0
            func beforeRun() { runs += 1 }
        }
        let counter = Counter()
        try await Trio.runAsync(instruments: [counter]) { try await Trio.checkpoint() }
        #expect(counter.runs == 1)
    }

    @Test func cancellingTheCallerCancelsMainAndTheRunUnwindsFirst() async throws {
        let started = SwiftLatch()
        let unwound = Shared(false)
        let task = Task {
            try await Trio.runAsync {
                try await sleepUntilCancelled(started: started, thenSet: unwound)
            }
        }
        await started.wait()
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(unwound.value)
    }

    @Test func aCallerCancelledBeforeTheRunStartsStillGetsCancellationError() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Trio.runAsync { () -> Int in
                try await Trio.sleepForever()
            }
        }
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func aMainThatFinishesAnywayReturnsItsValue() async throws {
        let started = SwiftLatch()
        let task = Task {
            try await Trio.runAsync { () -> String in
                started.open()
                do {
                    try await Trio.sleepForever()
                } catch is Cancelled {
                    return "finished anyway"
                }
            }
        }
        await started.wait()
        task.cancel()
        #expect(try await task.value == "finished anyway")
    }

    @Test func fiftyConcurrentRunsFromOneTaskGroupComplete() async throws {
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<50 {
                group.addTask {
                    try await Trio.runAsync { () -> Int in
                        try await withNursery { nursery in
                            try nursery.startSoon { try await Trio.sleep(0.01) }
                        }
                        return i
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<50).reduce(0, +))
    }

    /// Eight runs that can only finish together: with any of them holding a cooperative thread
    /// (there are as many as cores, two here) they would never all arrive.
    @Test func runsDoNotHoldCooperativeThreads() async throws {
        let arrived = Shared(0)
        let count = 8
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await Trio.runAsync {
                        arrived.update { $0 += 1 }
                        try await failAfter(30) {
                            while arrived.value < count { try await Trio.sleep(0.001) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(arrived.value == count)
    }

    @Test func trioRunWorksOnACooperativeThread() async throws {
        // This test function itself runs on Swift's cooperative pool.
        let value = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Double in
            try await Trio.sleep(5)
            return try Trio.currentTime()
        }
        #expect(value == 5)
    }
}
