import Asyncio
import Glibc
import Sniffio
import TestSupport
import Testing
import Trio
import TrioAsyncio
import TrioTesting

@Suite struct LoopBasicsTests {
    @Test(.trioAsyncio) func callbacksRunInFIFOOrderInBatches() async throws {
        let loop = try TrioTestScope.loop
        let log = Log<String>()
        try loop.callSoon {
            log("a")
            // Scheduled during a batch: runs in the next one, after "b".
            _ = try? loop.callSoon { log("c") }
        }
        try loop.callSoon { log("b") }
        try await loop.synchronize()
        try await loop.synchronize()
        #expect(log.items == ["a", "b", "c"])
    }

    @Test(.trioAsyncio) func sniffioSaysWhichFlavorRuns() async throws {
        let loop = try TrioTestScope.loop
        var seen = [try currentAsyncLibrary()]
        try loop.callSoon { seen.append((try? currentAsyncLibrary()) ?? "none") }
        try await loop.synchronize()
        seen.append(try await loop.runAioCoroutine { try currentAsyncLibrary() })
        seen.append(try currentAsyncLibrary())
        #expect(seen == ["trio", "asyncio", "asyncio", "trio"])
    }

    @Test(.trioAsyncio) func timersFollowTheRunsMockClockExactly() async throws {
        let loop = try TrioTestScope.loop
        let start = loop.time()
        #expect(start == (try Trio.currentTime()))
        var fired: [Double] = []
        try loop.callLater(10) { fired.append(loop.time() - start) }
        try loop.callLater(2.5) { fired.append(loop.time() - start) }
        try await loop.runAioCoroutine { try await Asyncio.sleep(4) }
        fired.append(loop.time() - start)
        try await Trio.sleep(20)
        #expect(fired == [2.5, 4, 10])
    }

    @Test(.trioAsyncio) func getRunningLoopIsTheOpenLoopInTrioTasksCallbacksAndTasks() async throws {
        let loop = try TrioTestScope.loop
        var same: [Bool] = []
        same.append(try Asyncio.getRunningLoop() === loop)
        same.append(try Asyncio.getEventLoop() === loop)
        same.append(CurrentLoop.value === loop)
        try loop.callSoon { same.append((try? Asyncio.getRunningLoop()) === loop) }
        try await loop.synchronize()
        same.append(try await loop.runAioCoroutine { try Asyncio.getRunningLoop() === loop })
        try await withNursery { nursery in
            try nursery.startSoon { same.append(try Asyncio.getRunningLoop() === loop) }
        }
        #expect(same == [true, true, true, true, true, true])
    }

    @Test func siblingAndNestedLoopsEachSeeTheirOwn() throws {
        let ok = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [Bool] in
            var results: [Bool] = []
            try await withNursery { nursery in
                for _ in 0..<2 {
                    try nursery.startSoon {
                        try await openLoop { loop in
                            try await Trio.sleep(1)
                            results.append(try await loop.runAioCoroutine {
                                try await Asyncio.sleep(1)
                                return try Asyncio.getRunningLoop() === loop
                            })
                        }
                    }
                }
            }
            try await openLoop { outer in
                try await openLoop { inner in
                    results.append(try await inner.runAioCoroutine { try Asyncio.getRunningLoop() === inner })
                    results.append(try await outer.runAioCoroutine { try Asyncio.getRunningLoop() === outer })
                    results.append(CurrentLoop.value === inner)
                }
                results.append(CurrentLoop.value === outer)
            }
            return results
        }
        #expect(ok == [true, true, true, true, true, true])
    }

    @Test(.trioAsyncio) func runUntilCompleteAndRunForeverNameTheAlternatives() async throws {
        let loop = try TrioTestScope.loop
        let future = loop.createFuture(of: Int.self)
        var messages: [String] = []
        do { _ = try loop.runUntilComplete(future) } catch { messages.append("\(error)") }
        do { try loop.runForever() } catch { messages.append("\(error)") }
        #expect(messages.count == 2)
        for message in messages {
            #expect(message.contains("runAioFuture") && message.contains("SyncTrioEventLoop"))
        }
    }

    @Test func theTrioTokenIsOneObjectForTheRun() throws {
        let same = try Trio.run { try Lowlevel.currentTrioToken() === (try Lowlevel.currentTrioToken()) }
        #expect(same)
    }

    @Test(.trioAsyncio) func closeFromACallbackOfARunningLoopIsRefused() async throws {
        let loop = try TrioTestScope.loop
        var message = ""
        try loop.callSoon {
            do { try loop.close() } catch { message = "\(error)" }
        }
        try await loop.synchronize()
        #expect(message.contains("Cannot close a running event loop"))
    }

    @Test(.trio) func queueLenRefusesTheCallThatWouldExceedItAndKeepsNothing() async throws {
        var ran = 0
        var refused = false
        try await openLoop(queueLen: 3) { loop in
            for _ in 0..<3 { try loop.callSoon { ran += 1 } }
            do { try loop.callSoon { ran += 100 } } catch is WouldBlock { refused = true }
            do { _ = try loop.trioAsFuture { ran += 1000 } } catch is WouldBlock {}
            while ran < 3 { try await Trio.sleep(0) }
            try await Trio.sleep(1)
        }
        #expect(ran == 3)
        #expect(refused)
    }

    /// `queueLen` bounds what callers schedule, not the completions of work already admitted: two task-group
    /// children that finish in the same step both reach their group (before, the second group done-callback was
    /// refused with `WouldBlock`, reported, and the group waited forever).
    @Test(.trio) func queueLenDoesNotDropATaskGroupsDoneCallbacks() async throws {
        var reported = 0
        var finished = false
        try await openLoop(queueLen: 1) { loop in
            loop.setExceptionHandler { _, _ in reported += 1 }
            try await moveOnAfter(60) {
                try await loop.runAioCoroutine {
                    try await withAsyncioTaskGroup { group in
                        // Both children wake from timers due at the same virtual instant, so they finish in one
                        // step; each creation is a step of its own, since the queue holds one callback.
                        try group.createTask { try await Asyncio.sleep(1) }
                        try await Asyncio.sleep(0)
                        try group.createTask { try await Asyncio.sleep(1) }
                    }
                }
                finished = true
            }
        }
        #expect(finished)
        #expect(reported == 0)
    }

    @Test func badQueueLenIsAValueError() throws {
        for bad in [0, -1] {
            #expect(throws: ValueError.self) {
                try Trio.run { try await openLoop(queueLen: bad) { _ in } }
            }
        }
    }

    @Test func openLoopOutsideATrioTaskIsAFlavorError() async throws {
        await #expect(throws: FlavorError.self) { try await openLoop { _ in } }
    }

    @Test func adaptersOutsideALoopNameOpenLoop() throws {
        let messages = try Trio.run { () -> [String] in
            var messages: [String] = []
            do { _ = try await runAioCoroutine { 1 } } catch { messages.append("\(error)") }
            do { _ = try runTrio { 1 } } catch { messages.append("\(error)") }
            let f: (Int) async throws -> Int = { $0 }
            let g = aioAsTrio(f)
            do { _ = try await g(1) } catch { messages.append("\(error)") }
            return messages
        }
        #expect(messages.count == 3)
        for message in messages { #expect(message.contains("openLoop")) }
    }

    @Test(.trioAsyncio) func nanDelaysAreRefused() async throws {
        let loop = try TrioTestScope.loop
        var refused = 0
        do { try loop.callLater(.nan) {} } catch is ValueError { refused += 1 }
        do { try loop.callAt(.nan) {} } catch is ValueError { refused += 1 }
        #expect(refused == 2)
    }

    @Test(.trioAsyncio) func anFdThatIsNotOpenIsAClearError() async throws {
        let loop = try TrioTestScope.loop
        #expect(throws: (any Error).self) { try loop.addReader(987_654) {} }
    }

    @Test(.trioAsyncio(clock: .system)) func readersFireLevelTriggeredUntilRemoved() async throws {
        let loop = try TrioTestScope.loop
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var received: [UInt8] = []
        let done = Trio.Event()
        try loop.addReader(fds[0]) {
            var byte: UInt8 = 0
            if read(fds[0], &byte, 1) == 1 { received.append(byte) }
            if received.count == 3 { done.set() }
        }
        var bytes: [UInt8] = [1, 2, 3]
        #expect(write(fds[1], &bytes, 3) == 3)
        try await done.wait()
        let removed = loop.removeReader(fds[0])
        #expect(received == [1, 2, 3])
        #expect(removed)
        #expect(!loop.removeReader(fds[0]))
    }

    @Test(.trioAsyncio(clock: .system)) func signalHandlersRunOnTheLoop() async throws {
        let loop = try TrioTestScope.loop
        let done = Trio.Event()
        // A signal no other test of the process sends or checks (see `SignalTests`).
        let signal = __libc_current_sigrtmin() + 3
        try loop.addSignalHandler(signal) { done.set() }
        kill(getpid(), signal)
        try await failAfter(5) { try await done.wait() }
        #expect(loop.removeSignalHandler(signal))
        #expect(!loop.removeSignalHandler(signal))
    }

    @Test(.trioAsyncio(clock: .system)) func runInExecutorUsesTrioThreadsAndALimiterOfOneNeverDeadlocks() async throws {
        let loop = try TrioTestScope.loop
        let executor = TrioExecutor(maxWorkers: 1)
        let results = try await loop.runAioCoroutine {
            let futures = try (0..<4).map { index in try loop.runInExecutor(executor) { index * 2 } }
            let defaultOne = try loop.runInExecutor(nil) { 100 }
            return try await Asyncio.gather(futures) + [try await defaultOne.value]
        }
        #expect(results == [0, 2, 4, 6, 100])
    }

    @Test(.trioAsyncio(clock: .system)) func callSoonThreadsafeWakesTheLoopFromAnotherThread() async throws {
        let loop = try TrioTestScope.loop
        let future = loop.createFuture(of: Int.self)
        let target = UncheckedBox(future)
        _ = try await ToThread.runSync {
            _ = try? loop.callSoonThreadsafe { try? target.value.setResult(42) }
        }
        let value = try await loop.runAioFuture(future)
        #expect(value == 42)
    }
}

@Suite struct LoopExtrasTests {
    @Test func autocloseClosesTheFdWhenTheLoopClosesAndNoAutocloseTakesItBack() throws {
        let (closedKept, openKept, refused) = try Trio.run { () -> (Bool, Bool, Bool) in
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            fds = fds.map(fdAboveTheRest)
            var refused = false
            try await openLoop { loop in
                loop.autoclose(fds[0])
                loop.autoclose(fds[1])
                try loop.noAutoclose(fds[1])
                do { try loop.noAutoclose(fds[1]) } catch is ValueError { refused = true }
            }
            let closed = fcntl(fds[0], F_GETFD) == -1 && errno == EBADF
            let stillOpen = fcntl(fds[1], F_GETFD) != -1
            close(fds[1])
            return (closed, stillOpen, refused)
        }
        #expect(closedKept)
        #expect(openKept)
        #expect(refused)
    }

    @Test(.trioAsyncio) func adaptersTakeAnyArity() async throws {
        let loop = try TrioTestScope.loop
        let none: () async throws -> String = { "none" }
        let two: (Int, String) async throws -> String = { "\($0)\($1)" }
        let three: (Int, Int, Int) async throws -> String = { "\($0 + $1 + $2)" }
        let a = aioAsTrio(none), b = aioAsTrio(two), c = aioAsTrio(loop: loop, three)
        var results = [try await a(), try await b(4, "x"), try await c(1, 2, 3)]
        results.append(try await loop.runAioCoroutine {
            let d = trioAsAio(two)
            return try await d(5, "y").value
        })
        #expect(results == ["none", "4x", "6", "5y"])
    }

    @Test(.trioAsyncio(clock: .system)) func anAsyncioSubprocessRunsOnTheTrioLoop() async throws {
        let loop = try TrioTestScope.loop
        let output = try await loop.runAioCoroutine {
            let process = try await createSubprocessExec("echo", ["hello"], stdout: .pipe)
            let data = try await process.stdout!.read()
            _ = try await process.wait()
            return data
        }
        #expect(output == Array("hello\n".utf8))
    }
}
