import Asyncio
import Sniffio
import Testing
import Trio
import TrioAsyncio

/// trio-asyncio's `test_sync.py` and the rest of `SyncTrioEventLoop`'s contract.
@Suite struct SyncTrioEventLoopTests {
    /// `test_explicit_mainloop`: one loop, several runs.
    @Test func repeatedRunUntilComplete() throws {
        let loop = try SyncTrioEventLoop()
        defer { try? loop.close() }
        let first = try loop.runUntilComplete(try loop.createTask { "bar" })
        let second = try loop.runUntilComplete(try loop.createTask { () async throws -> String in
            try await Asyncio.sleep(0.01)
            return "baz"
        })
        #expect(first == "bar")
        #expect(second == "baz")
        #expect(!loop.isRunning)
    }

    @Test func trioAsAioAndRunTrioWorkOnIt() throws {
        let loop = try SyncTrioEventLoop()
        defer { try? loop.close() }
        let (value, flavors, current) = try loop.runUntilComplete(try loop.createTask {
            () async throws -> (Int, [String], Bool) in
            var flavors = [(try? currentAsyncLibrary()) ?? "none"]
            let g = trioAsAio { (x: Int) async throws -> Int in
                flavors.append((try? currentAsyncLibrary()) ?? "none")
                try await Trio.sleep(0.01)
                return x * 2
            }
            let a = try await g(20).value
            let b = try await runTrio { () async throws -> Int in 2 }.value
            return (a + b, flavors, CurrentLoop.value === loop)
        })
        #expect(value == 42)
        #expect(flavors == ["asyncio", "trio"])
        #expect(current)
    }

    @Test func runForeverUntilStopAndAgain() throws {
        let loop = try SyncTrioEventLoop()
        defer { try? loop.close() }
        var ticks: [String] = []
        try loop.callSoon { ticks.append("a") }
        try loop.callLater(0.01) {
            ticks.append("b")
            loop.stop()
        }
        try loop.runForever()
        #expect(ticks == ["a", "b"])
        // stop() before runForever: one iteration, then stop.
        try loop.callSoon { ticks.append("c") }
        loop.stop()
        try loop.runForever()
        #expect(ticks == ["a", "b", "c"])
        // A Trio task started while the loop is paused runs with its next run.
        let future = try loop.trioAsFuture { () async throws -> String in
            try await Trio.sleep(0.01)
            return "d"
        }
        #expect(try loop.runUntilComplete(future) == "d")
    }

    @Test func closeEndsTheRunAndCancelsWhatIsLeft() throws {
        let loop = try SyncTrioEventLoop()
        var trioCancelled = false
        var asyncioCancelled = false
        let started = try loop.createTask { () async throws -> Void in
            _ = try loop.trioAsFuture { () async throws -> Void in
                do { try await Trio.sleepForever() } catch let error as Cancelled {
                    trioCancelled = true
                    throw error
                }
            }
            _ = try loop.createTask { () async throws -> Void in
                do { try await Asyncio.sleep(1000) } catch let error as CancelledError {
                    asyncioCancelled = true
                    throw error
                }
            }
            try await Asyncio.sleep(0.01)
        }
        try loop.runUntilComplete(started)
        try loop.close()
        #expect(trioCancelled)
        #expect(asyncioCancelled)
        #expect(loop.isClosed)
        #expect(allTasks(loop: loop).isEmpty)
        // Idempotent; after close every use is refused.
        try loop.close()
        #expect(throws: RuntimeError.self) { try loop.callSoon {} }
        #expect(throws: RuntimeError.self) { try loop.runForever() }
        do {
            _ = try loop.createTask { 1 }
            Issue.record("createTask on a closed loop did not throw")
        } catch let error as RuntimeError {
            #expect(error.message == "Event loop is closed")
        }
    }

    @Test func badInputIsAClearError() throws {
        let loop = try SyncTrioEventLoop()
        defer { try? loop.close() }
        let other = try SelectorEventLoop()
        defer { try? other.close() }
        #expect(throws: ValueError.self) { try loop.runUntilComplete(other.createFuture(of: Int.self)) }
        // Running it from inside a run of its own, or inside a Trio run, is refused.
        let nested = try loop.createTask { () async throws -> String in
            do {
                try loop.runForever()
                return "ran"
            } catch let error as RuntimeError {
                return error.message
            }
        }
        let message = try loop.runUntilComplete(nested)
        #expect(message.contains("already running"))
        try Trio.run {
            #expect(throws: RuntimeError.self) { try loop.runForever() }
            let inner = try SyncTrioEventLoop()
            #expect(throws: RuntimeError.self) { try inner.runForever() }
        }
        // A future that never completes: the loop stopped by hand first.
        let never = loop.createFuture(of: Int.self)
        try loop.callSoon { loop.stop() }
        #expect(throws: RuntimeError.self) { try loop.runUntilComplete(never) }
        never.cancel()
        // Closing a running loop is refused.
        let closer = try loop.createTask { () async throws -> Bool in
            do { try loop.close() } catch is RuntimeError { return true }
            return false
        }
        #expect(try loop.runUntilComplete(closer))
    }

    @Test func asyncioRunAndNewEventLoopCanProduceIt() throws {
        let (isSync, seen) = try Asyncio.run(loopFactory: { try SyncTrioEventLoop() }) { () async throws -> (Bool, Int) in
            let loop = try getRunningLoop()
            let seen = try await trioAsAio { () async throws -> Int in
                try await Trio.sleep(0.01)
                return 7
            }().value
            return (loop is SyncTrioEventLoop && CurrentLoop.value === loop, seen)
        }
        #expect(isSync)
        #expect(seen == 7)
        setNewEventLoopFactory { try SyncTrioEventLoop() }
        defer { setNewEventLoopFactory(nil) }
        let loop = newEventLoop()
        defer { try? loop.close() }
        #expect(loop is SyncTrioEventLoop)
    }
}
