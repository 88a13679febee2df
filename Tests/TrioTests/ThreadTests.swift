import Synchronization
import TestSupport
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// A flag one thread opens and another blocks on (by polling: only worker threads ever wait).
final class Gate: Sendable {
    private let opened = Atomic<Bool>(false)
    func open() { opened.store(true, ordering: .releasing) }
    var isOpen: Bool { opened.load(ordering: .acquiring) }
    func wait() {
        while !isOpen { usleep(200) }
    }
}

/// This thread's id, comparable across threads.
func threadID() -> UInt { UInt(bitPattern: Int(pthread_self())) }

/// Hands a run's object to a worker thread, which may only touch it through `FromThread`
/// (that is, on the run's thread again).
struct LoopOnly<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

@Suite(.serialized) struct ThreadTests {
    @Test func runSyncRunsOnAnotherThreadAndReturnsOrThrows() throws {
        let (loop, worker, value, error) = try Trio.run {
            let loop = threadID()
            let (worker, value) = try await ToThread.runSync { (threadID(), 42) }
            let error = await outcome { _ = try await ToThread.runSync { () throws -> Int in throw Boom() } }
            return (loop, worker, value, error)
        }
        #expect(loop != worker)
        #expect(value == 42)
        #expect(error == "Boom")
    }

    @Test func fromThreadCallsBackIntoTheRunOnItsThread() throws {
        let (loop, syncThread, asyncThread, sum, errors) = try Trio.run {
            let loop = threadID()
            let (syncThread, asyncThread, sum, errors) = try await ToThread.runSync {
                let syncThread = try FromThread.runSync { threadID() }
                let (asyncThread, slept) = try FromThread.run { () async throws -> (UInt, Bool) in
                    try await Trio.sleep(0)
                    return (threadID(), true)
                }
                var errors: [String] = []
                do { try FromThread.runSync { throw Boom() } } catch { errors.append("\(type(of: error))") }
                do { try FromThread.run { () async throws -> Void in throw Boom() } } catch {
                    errors.append("\(type(of: error))")
                }
                return (syncThread, asyncThread, slept ? 1 : 0, errors)
            }
            return (loop, syncThread, asyncThread, sum, errors)
        }
        #expect(syncThread == loop)
        #expect(asyncThread == loop)
        #expect(sum == 1)
        #expect(errors == ["Boom", "Boom"])
    }

    @Test func fromThreadServedByTheWaitingTask() throws {
        let same = try Trio.run {
            let me = ObjectIdentifier(try Lowlevel.currentTask())
            let viaSync = try await ToThread.runSync {
                try FromThread.runSync { ObjectIdentifier(try Lowlevel.currentTask()) }
            }
            let viaAsync = try await ToThread.runSync {
                try FromThread.run { ObjectIdentifier(try Lowlevel.currentTask()) }
            }
            return viaSync == me && viaAsync == me
        }
        #expect(same)
    }

    @Test func recursiveToThreadUsesAnotherWorker() throws {
        let (outer, inner) = try Trio.run {
            try await ToThread.runSync {
                let outer = threadID()
                let inner = try FromThread.run { try await ToThread.runSync { threadID() } }
                return (outer, inner)
            }
        }
        #expect(outer != inner)
    }

    @Test func fromThreadMisuseIsAClearError() throws {
        let (onLoop, noToken, checkOutside) = try Trio.run {
            let onLoop = outcomeSync(messages: true) { _ = try FromThread.runSync { 1 } }
            let token = try Lowlevel.currentTrioToken()
            let done = LoopOnly(Event())
            let result = Mutex<String>("")
            startPlainThread {
                let noToken = outcomeSync(messages: true) { _ = try FromThread.runSync { 1 } }
                let check = outcomeSync(messages: true) { try FromThread.checkCancelled() }
                result.withLock { $0 = noToken + " | " + check }
                try? FromThread.runSync(token: token) { done.value.set() }
            }
            try await done.value.wait()
            let parts = result.withLock { $0 }.split(separator: " | ").map(String.init)
            return (onLoop, parts[0], parts[1])
        }
        #expect(onLoop.hasPrefix("RuntimeError: FromThread.runSync is a blocking function"))
        #expect(noToken.hasPrefix("RuntimeError: this thread wasn't created by Trio"))
        #expect(checkOutside == "RuntimeError: this thread wasn't created by Trio, can't check for cancellation")
    }

    @Test func plainThreadWithTokenRunsInASystemTask() throws {
        let (value, asyncValue, loop, thread) = try Trio.run {
            let token = try Lowlevel.currentTrioToken()
            let done = LoopOnly(Event())
            let results = Mutex<(Int, Int, UInt)>((0, 0, 0))
            startPlainThread {
                let value = (try? FromThread.runSync(token: token) { 7 }) ?? -1
                let asyncValue = (try? FromThread.run(token: token) { () async throws -> Int in
                    try await Trio.sleep(0)
                    return 8
                }) ?? -1
                let thread = (try? FromThread.runSync(token: token) { threadID() }) ?? 0
                results.withLock { $0 = (value, asyncValue, thread) }
                try? FromThread.runSync(token: token) { done.value.set() }
            }
            try await done.value.wait()
            let (value, asyncValue, thread) = results.withLock { $0 }
            return (value, asyncValue, threadID(), thread)
        }
        #expect(value == 7)
        #expect(asyncValue == 8)
        #expect(loop == thread)
    }

    @Test func cancelledOnEntryNeverStartsTheThread() throws {
        let ran = Atomic<Bool>(false)
        let (caught, result) = try Trio.run {
            let scope = CancelScope()
            var result = "not run"
            try await scope.run {
                scope.cancel()
                result = await outcome { try await ToThread.runSync { ran.store(true, ordering: .relaxed) } }
            }
            return (scope.cancelledCaught, result)
        }
        #expect(!caught)  // the error was observed inside, not absorbed
        #expect(result == "Cancelled")
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
    }

    @Test func withoutAbandonCancellationWaitsForTheThread() throws {
        let gate = Gate()
        let finished = Atomic<Bool>(false)
        let log = try Trio.run {
            var log: [String] = []
            let scope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await scope.run {
                        let value = try await ToThread.runSync { () -> String in
                            gate.wait()
                            let sawCancel = (try? FromThread.checkCancelled()) == nil
                            finished.store(true, ordering: .releasing)
                            return "returned, saw cancel: \(sawCancel)"
                        }
                        log.append(value)
                        // The cancellation shows at the next checkpoint.
                        log.append(await outcome { try await checkpoint() })
                    }
                }
                try await waitAllTasksBlocked()
                scope.cancel()
                try await CancelScope(shield: true).run {
                    for _ in 0..<10 { try await checkpoint() }
                }
                log.append("still running: \(!finished.load(ordering: .acquiring))")
                gate.open()
            }
            return log
        }
        #expect(log == ["still running: true", "returned, saw cancel: true", "Cancelled"])
    }

    @Test func abandonOnCancelReturnsAtOnceAndKeepsTheTokenUntilTheThreadEnds() throws {
        let gate = Gate()
        let finished = Gate()
        let log = try Trio.run {
            var log: [String] = []
            let limiter = CapacityLimiter(1)
            let scope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await scope.run {
                        log.append(await outcome {
                            try await ToThread.runSync(limiter: limiter, abandonOnCancel: true) {
                                gate.wait()
                                finished.open()
                            }
                        })
                    }
                }
                try await waitAllTasksBlocked()
                scope.cancel()
            }
            log.append("thread finished: \(finished.isOpen), tokens held: \(limiter.borrowedTokens)")
            gate.open()
            // The token comes back when the thread really ends.
            while limiter.borrowedTokens > 0 { try await Trio.sleep(0.001) }
            log.append("thread finished: \(finished.isOpen), tokens held: \(limiter.borrowedTokens)")
            return log
        }
        #expect(log == [
            "Cancelled", "thread finished: false, tokens held: 1", "thread finished: true, tokens held: 0",
        ])
    }

    @Test func abandonedThreadOutlivingTheRunIsHarmless() throws {
        let gate = Gate()
        let finished = Gate()
        try Trio.run {
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await ToThread.runSync(abandonOnCancel: true) {
                        gate.wait()
                        // The run is over: calling back fails cleanly.
                        let late = (try? FromThread.runSync { 1 }) == nil
                        if late { finished.open() }
                    }
                }
                try await waitAllTasksBlocked()
                nursery.cancelScope.cancel()
            }
        }
        gate.open()
        finished.wait()
        #expect(finished.isOpen)
    }

    @Test func nonAbandonedThreadsAreDoneWhenRunReturns() throws {
        let done = Atomic<Int>(0)
        try Trio.run {
            try await withNursery { nursery in
                for _ in 0..<4 {
                    try nursery.startSoon {
                        try await ToThread.runSync {
                            usleep(2000)
                            done.add(1, ordering: .releasing)
                        }
                    }
                }
            }
        }
        let count = done.load(ordering: .acquiring)
        #expect(count == 4)
    }

    @Test(arguments: [1, 3])
    func limiterBoundsConcurrency(tokens: Int) throws {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        try Trio.run {
            let limiter = CapacityLimiter(tokens)
            try await withNursery { nursery in
                for _ in 0..<8 {
                    try nursery.startSoon {
                        try await ToThread.runSync(limiter: limiter) {
                            let now = running.add(1, ordering: .acquiringAndReleasing).newValue
                            var seen = peak.load(ordering: .relaxed)
                            while now > seen {
                                let (exchanged, original) = peak.compareExchange(
                                    expected: seen, desired: now, ordering: .relaxed)
                                if exchanged { break }
                                seen = original
                            }
                            usleep(3000)
                            running.subtract(1, ordering: .acquiringAndReleasing)
                        }
                    }
                }
            }
        }
        let highest = peak.load(ordering: .relaxed)
        #expect(highest <= tokens)
        #expect(highest >= 1)
    }

    @Test func defaultLimiterIsOnePerRunWithFortyTokens() throws {
        let (same, total, usedWhileRunning) = try Trio.run {
            let a = try ToThread.currentDefaultThreadLimiter()
            let b = try ToThread.currentDefaultThreadLimiter()
            let gate = Gate()
            var used = -1
            try await withNursery { nursery in
                try nursery.startSoon { try await ToThread.runSync { gate.wait() } }
                try await waitAllTasksBlocked()
                used = a.borrowedTokens
                gate.open()
            }
            return (a === b, a.totalTokens, used)
        }
        #expect(same)
        #expect(total == 40)
        #expect(usedWhileRunning == 1)
        let first = try Trio.run { ObjectIdentifier(try ToThread.currentDefaultThreadLimiter()) }
        let firstLimiterTokens = try Trio.run { try ToThread.currentDefaultThreadLimiter().borrowedTokens }
        #expect(firstLimiterTokens == 0)
        _ = first
        #expect(outcomeSync(messages: true) { _ = try ToThread.currentDefaultThreadLimiter() }
            == "RuntimeError: ToThread.currentDefaultThreadLimiter must be called from inside a Trio run (Trio.run)")
    }

    @Test func workerThreadsAreReused() throws {
        let ids = try Trio.run {
            var ids: [UInt] = []
            for _ in 0..<20 { ids.append(try await ToThread.runSync { threadID() }) }
            return ids
        }
        // Sequential calls find the previous worker idle; other suites may borrow it now and then.
        #expect(Set(ids).count < 10)
    }

    @Test func fromThreadRunInTheHostTaskSeesItsCancellation() throws {
        let (caught, errors) = try Trio.run {
            let scope = CancelScope()
            let handle = LoopOnly(scope)
            let errors = try await scope.run {
                try await ToThread.runSync { () -> [String] in
                    var errors: [String] = []
                    try FromThread.runSync { handle.value.cancel() }
                    // Synchronous callbacks never see Cancelled.
                    errors.append(outcomeSync { try FromThread.runSync { } })
                    // Async ones do, at their checkpoints.
                    errors.append(outcomeSync { try FromThread.run { try await checkpoint() } })
                    return errors
                }
            }
            return (scope.cancelledCaught, errors)
        }
        #expect(caught == false)
        #expect(errors == ["ok", "Cancelled"])
    }
}

@Suite(.serialized) struct ThreadLimiterCancellationTests {
    @Test func cancelledWhileWaitingForATokenNeverRunsAndLeaksNothing() throws {
        let ran = Atomic<Int>(0)
        let log = try Trio.run {
            var log: [String] = []
            let limiter = CapacityLimiter(1)
            let gate = Gate()
            let scope = CancelScope()
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await ToThread.runSync(limiter: limiter) {
                        gate.wait()
                        _ = ran.add(1, ordering: .relaxed)
                    }
                }
                try await waitAllTasksBlocked()
                try nursery.startSoon {
                    try await scope.run {
                        log.append(await outcome {
                            try await ToThread.runSync(limiter: limiter) { _ = ran.add(10, ordering: .relaxed) }
                        })
                    }
                }
                try await waitAllTasksBlocked()
                log.append("waiting for a token: \(limiter.statistics().tasksWaiting)")
                scope.cancel()
                try await waitAllTasksBlocked()
                log.append("waiting after cancel: \(limiter.statistics().tasksWaiting)")
                gate.open()
            }
            log.append("borrowed at the end: \(limiter.borrowedTokens)")
            return log
        }
        let total = ran.load(ordering: .relaxed)
        #expect(total == 1)
        #expect(log == [
            "waiting for a token: 1", "Cancelled", "waiting after cancel: 0", "borrowed at the end: 0",
        ])
    }

    @Test func abandonedWorkerSeesTheCancellation() throws {
        let gate = Gate()
        let seen = Gate()
        let sawCancel = Atomic<Bool>(false)
        let result = try Trio.run {
            let scope = CancelScope()
            var result = ""
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await scope.run {
                        result = await outcome {
                            try await ToThread.runSync(abandonOnCancel: true) {
                                gate.wait()
                                do { try FromThread.checkCancelled() } catch is Cancelled {
                                    sawCancel.store(true, ordering: .relaxed)
                                } catch {}
                                seen.open()
                            }
                        }
                    }
                }
                try await waitAllTasksBlocked()
                scope.cancel(reason: "enough")
            }
            gate.open()
            return result
        }
        seen.wait()
        let saw = sawCancel.load(ordering: .relaxed)
        #expect(result == "Cancelled")
        #expect(saw)
    }

    @Test func zeroTokenLimiterHoldsThreadsBackUntilRaised() throws {
        let log = try Trio.run {
            var log: [String] = []
            let limiter = CapacityLimiter(0)
            try await withNursery { nursery in
                try nursery.startSoon { log.append("ran \(try await ToThread.runSync(limiter: limiter) { 5 })") }
                try await waitAllTasksBlocked()
                log.append("blocked: \(limiter.statistics().tasksWaiting)")
                limiter.totalTokens = 1
            }
            return log
        }
        #expect(log == ["blocked: 1", "ran 5"])
    }
}
