import Testing
import Trio
import TrioTesting

@Suite struct TrioThreadTests {
    @Test func submittedWorkRunsAsTrioTasksOnTheThread() async throws {
        let trio = try TrioThread(name: "trio-test", clock: MockClock(autojumpThreshold: 0))
        let caller = threadID()
        let first = try await trio.run { () -> (UInt, String, Double) in
            try await Trio.sleep(10)
            return (threadID(), try Lowlevel.currentTask().name, try Trio.currentTime())
        }
        let second = try await trio.run { threadID() }
        try await trio.shutdown()
        #expect(first.0 != caller)
        #expect(first.0 == second)
        #expect(first.1 == "TrioThread.run")
        #expect(first.2 == 10)
    }

    @Test func concurrentSubmissionsShareTheRun() async throws {
        let trio = try TrioThread()
        // A channel made inside the run, used by two tasks submitted separately.
        let channel = try await trio.run { LoopOnly(openMemoryChannel(of: Int.self, maxBufferSize: 0)) }
        async let received = trio.run { try await channel.value.1.receive() }
        try await trio.run { try await channel.value.0.send(99) }
        #expect(try await received == 99)
        try await trio.shutdown()
    }

    @Test func anErrorInOneTaskDisturbsNeitherTheOthersNorTheRun() async throws {
        let trio = try TrioThread()
        let release = SwiftLatch()
        async let longRunning = trio.run { () -> String in
            try await swiftAsTrio { await release.wait() }
            return "long one done"
        }
        await #expect(throws: Boom(tag: "one")) { try await trio.run { () -> Int in throw Boom(tag: "one") } }
        #expect(try await trio.run { 5 } == 5)
        release.open()
        #expect(try await longRunning == "long one done")
        try await trio.shutdown()
    }

    @Test func cancellingTheCallerCancelsItsTaskOnly() async throws {
        let trio = try TrioThread()
        let started = SwiftLatch()
        let unwound = Shared(false)
        let caller = Task {
            try await trio.run {
                try await sleepUntilCancelled(started: started, thenSet: unwound)
            }
        }
        await started.wait()
        caller.cancel()
        let result = await caller.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(unwound.value)
        #expect(try await trio.run { "still serving" } == "still serving")
        try await trio.shutdown()
    }

    @Test func shutdownCancelsWhatRunsWaitsAndIsIdempotent() async throws {
        let trio = try TrioThread()
        let started = SwiftLatch()
        let unwound = Shared(false)
        async let pending: Void = trio.run {
            try await sleepUntilCancelled(started: started, thenSet: unwound)
        }
        await started.wait()
        async let again: Void = trio.shutdown()
        try await trio.shutdown()
        try await again
        #expect(unwound.value)
        var pendingError: (any Error)?
        do { try await pending } catch { pendingError = error }
        #expect(pendingError is RunFinishedError)
        await #expect(throws: RunFinishedError.self) { try await trio.run { 1 } }
        try await trio.shutdown()
        #expect(throws: RunFinishedError.self) { try trio.token.runSyncSoon {} }
    }

    @Test func runFromInsideItsOwnRunIsRefused() async throws {
        let trio = try TrioThread()
        let message = try await trio.run { () -> String in
            await outcome(messages: true) { _ = try await trio.run { 1 } }
        }
        #expect(message.contains("own run"))
        try await trio.shutdown()
    }

    @Test func theTokenReachesTheRun() async throws {
        let trio = try TrioThread()
        let latch = SwiftLatch()
        let ranOnRun = Shared(false)
        try trio.token.runSyncSoon {
            ranOnRun.update { $0 = (try? Lowlevel.currentTrioToken()) != nil }
            latch.open()
        }
        await latch.wait()
        #expect(ranOnRun.value)
        try await trio.shutdown()
    }

    @Test func aReleasedThreadEndsItsRun() async throws {
        let token: TrioToken
        do {
            let trio = try TrioThread()
            token = trio.token
            _ = try await trio.run { 1 }
        }
        // The run ends on its own once the TrioThread is gone; poll (the thread needs a moment).
        var finished = false
        for _ in 0..<2000 where !finished {
            do {
                try token.runSyncSoon {}
                try await Task.sleep(for: .milliseconds(5))
            } catch is RunFinishedError {
                finished = true
            }
        }
        #expect(finished)
    }
}
