import Asyncio
import Glibc
import Sniffio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

@Suite struct LoopBasicsTests {
    @Test func callbacksRunInFIFOOrderInBatches() throws {
        let items = try runWithLoop { loop -> [String] in
            let log = Log<String>()
            try loop.callSoon {
                log("a")
                // Scheduled during a batch: runs in the next one, after "b".
                _ = try? loop.callSoon { log("c") }
            }
            try loop.callSoon { log("b") }
            try await loop.synchronize()
            try await loop.synchronize()
            return log.items
        }
        #expect(items == ["a", "b", "c"])
    }

    @Test func sniffioSaysWhichFlavorRuns() throws {
        let seen = try runWithLoop { loop -> [String] in
            var seen = [try currentAsyncLibrary()]
            try loop.callSoon { seen.append((try? currentAsyncLibrary()) ?? "none") }
            try await loop.synchronize()
            seen.append(try await loop.runAioCoroutine { try currentAsyncLibrary() })
            seen.append(try currentAsyncLibrary())
            return seen
        }
        #expect(seen == ["trio", "asyncio", "asyncio", "trio"])
    }

    @Test func timersFollowTheRunsMockClockExactly() throws {
        let times = try runWithLoop { loop -> [Double] in
            let start = loop.time()
            #expect(start == (try Trio.currentTime()))
            var fired: [Double] = []
            try loop.callLater(10) { fired.append(loop.time() - start) }
            try loop.callLater(2.5) { fired.append(loop.time() - start) }
            try await loop.runAioCoroutine { try await Asyncio.sleep(4) }
            fired.append(loop.time() - start)
            try await Trio.sleep(20)
            return fired
        }
        #expect(times == [2.5, 4, 10])
    }

    @Test func getRunningLoopIsTheOpenLoopInTrioTasksCallbacksAndTasks() throws {
        let same = try runWithLoop { loop -> [Bool] in
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
            return same
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

    @Test func runUntilCompleteAndRunForeverNameTheAlternatives() throws {
        let messages = try runWithLoop { loop -> [String] in
            let future = loop.createFuture(of: Int.self)
            var messages: [String] = []
            do { _ = try loop.runUntilComplete(future) } catch { messages.append("\(error)") }
            do { try loop.runForever() } catch { messages.append("\(error)") }
            return messages
        }
        #expect(messages.count == 2)
        for message in messages {
            #expect(message.contains("runAioFuture") && message.contains("SyncTrioEventLoop"))
        }
    }

    @Test func theTrioTokenIsOneObjectForTheRun() throws {
        let same = try Trio.run { try Lowlevel.currentTrioToken() === (try Lowlevel.currentTrioToken()) }
        #expect(same)
    }

    @Test func closeFromACallbackOfARunningLoopIsRefused() throws {
        let message = try runWithLoop { loop -> String in
            var message = ""
            try loop.callSoon {
                do { try loop.close() } catch { message = "\(error)" }
            }
            try await loop.synchronize()
            return message
        }
        #expect(message.contains("Cannot close a running event loop"))
    }

    @Test func queueLenRefusesTheCallThatWouldExceedItAndKeepsNothing() throws {
        let (ran, refused) = try runWithLoop(queueLen: 3) { loop -> (Int, Bool) in
            var ran = 0
            for _ in 0..<3 { try loop.callSoon { ran += 1 } }
            var refused = false
            do { try loop.callSoon { ran += 100 } } catch is WouldBlock { refused = true }
            do { _ = try loop.trioAsFuture { ran += 1000 } } catch is WouldBlock {}
            while ran < 3 { try await Trio.sleep(0) }
            try await Trio.sleep(1)
            return (ran, refused)
        }
        #expect(ran == 3)
        #expect(refused)
    }

    /// `queueLen` bounds what callers schedule, not the completions of work already admitted: two task-group
    /// children that finish in the same step both reach their group (before, the second group done-callback was
    /// refused with `WouldBlock`, reported, and the group waited forever).
    @Test func queueLenDoesNotDropATaskGroupsDoneCallbacks() throws {
        let (finished, reported) = try runWithLoop(queueLen: 1) { loop -> (Bool, Int) in
            var reported = 0
            loop.setExceptionHandler { _, _ in reported += 1 }
            var finished = false
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
            return (finished, reported)
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

    @Test func nanDelaysAreRefused() throws {
        let refused = try runWithLoop { loop -> Int in
            var refused = 0
            do { try loop.callLater(.nan) {} } catch is ValueError { refused += 1 }
            do { try loop.callAt(.nan) {} } catch is ValueError { refused += 1 }
            return refused
        }
        #expect(refused == 2)
    }

    @Test func anFdThatIsNotOpenIsAClearError() throws {
        let error = try runWithLoop { loop -> String in
            do { try loop.addReader(987_654) {} } catch { return "\(error)" }
            return "accepted"
        }
        #expect(error != "accepted")
    }

    @Test func readersFireLevelTriggeredUntilRemoved() throws {
        let (data, watching) = try runWithLoop(autojump: false) { loop -> ([UInt8], Bool) in
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
            return (received, removed && !loop.removeReader(fds[0]))
        }
        #expect(data == [1, 2, 3])
        #expect(watching)
    }

    @Test func signalHandlersRunOnTheLoop() throws {
        let got = try runWithLoop(autojump: false) { loop -> Bool in
            let done = Trio.Event()
            // A signal no other test of the process sends or checks (see `SignalTests`).
            let signal = __libc_current_sigrtmin() + 3
            try loop.addSignalHandler(signal) { done.set() }
            kill(getpid(), signal)
            try await failAfter(5) { try await done.wait() }
            #expect(loop.removeSignalHandler(signal))
            #expect(!loop.removeSignalHandler(signal))
            return true
        }
        #expect(got)
    }

    @Test func runInExecutorUsesTrioThreadsAndALimiterOfOneNeverDeadlocks() throws {
        let results = try runWithLoop(autojump: false) { loop -> [Int] in
            let executor = TrioExecutor(maxWorkers: 1)
            return try await loop.runAioCoroutine {
                let futures = try (0..<4).map { index in try loop.runInExecutor(executor) { index * 2 } }
                let defaultOne = try loop.runInExecutor(nil) { 100 }
                return try await Asyncio.gather(futures) + [try await defaultOne.value]
            }
        }
        #expect(results == [0, 2, 4, 6, 100])
    }

    @Test func callSoonThreadsafeWakesTheLoopFromAnotherThread() throws {
        let value = try runWithLoop(autojump: false) { loop -> Int in
            let future = loop.createFuture(of: Int.self)
            let target = UncheckedBox(future)
            _ = try await ToThread.runSync {
                _ = try? loop.callSoonThreadsafe { try? target.value.setResult(42) }
            }
            return try await loop.runAioFuture(future)
        }
        #expect(value == 42)
    }
}

struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

@Suite struct LoopExtrasTests {
    @Test func autocloseClosesTheFdWhenTheLoopClosesAndNoAutocloseTakesItBack() throws {
        let (closedKept, openKept, refused) = try Trio.run { () -> (Bool, Bool, Bool) in
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
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

    @Test func adaptersTakeAnyArity() throws {
        let results = try runWithLoop { loop -> [String] in
            let none: () async throws -> String = { "none" }
            let two: (Int, String) async throws -> String = { "\($0)\($1)" }
            let three: (Int, Int, Int) async throws -> String = { "\($0 + $1 + $2)" }
            let a = aioAsTrio(none), b = aioAsTrio(two), c = aioAsTrio(loop: loop, three)
            var results = [try await a(), try await b(4, "x"), try await c(1, 2, 3)]
            results.append(try await loop.runAioCoroutine {
                let d = trioAsAio(two)
                return try await d(5, "y").value
            })
            return results
        }
        #expect(results == ["none", "4x", "6", "5y"])
    }

    @Test func anAsyncioSubprocessRunsOnTheTrioLoop() throws {
        let output = try runWithLoop(autojump: false) { loop -> [UInt8] in
            try await loop.runAioCoroutine {
                let process = try await createSubprocessExec("echo", ["hello"], stdout: .pipe)
                let data = try await process.stdout!.read()
                _ = try await process.wait()
                return data
            }
        }
        #expect(output == Array("hello\n".utf8))
    }
}
