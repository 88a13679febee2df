import Asyncio
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// `openLoop`'s teardown: trio-asyncio's `test_trio_asyncio.py` and `test_misc.py`, and the
/// regressions it took years to fix.
@Suite struct ShutdownTests {
    @Test func callbacksQueuedBeforeExitRun() throws {
        let ran = try Trio.run { () -> [Int] in
            var ran: [Int] = []
            try await openLoop { loop in
                for index in 0..<3 { try loop.callSoon { ran.append(index) } }
            }
            return ran
        }
        #expect(ran == [0, 1, 2])
    }

    @Test func exitCancelsAsyncioAndTrioTasksTogetherAndAbandonsLateOnes() throws {
        // test_tasks_get_cancelled
        let (record, lateDone) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (Set<String>, Bool) in
            var record: Set<String> = []
            var late: AsyncioTask<Void>?
            try await openLoop { loop in
                func trioSleeper(_ key: String) -> () async throws -> Void {
                    {
                        defer { record.insert(key) }
                        try await Trio.sleepForever()
                    }
                }
                _ = try loop.createTask {
                    do {
                        try await Asyncio.sleep(10)
                        record.insert("expired")
                    } catch {
                        // Still running on the loop while unwinding: both sides can be called.
                        try? await Asyncio.sleep(0)
                        record.insert("aio early")
                        late = try? loop.createTask { try await Asyncio.sleep(10); record.insert("aio late") }
                        _ = try? loop.runTrioTask(trioSleeper("trio late"))
                        throw error
                    }
                }
                try loop.runTrioTask(trioSleeper("trio early"))
                try await Trio.sleep(1)
            }
            return (record, late?.done ?? true)
        }
        #expect(record == ["aio early", "trio early", "trio late"])
        #expect(!lateDone, "an asyncio task started during teardown is abandoned")
    }

    @Test(.trio) func anAsyncioTaskErrorAtShutdownPropagatesOutOfOpenLoop() async throws {
        await #expect(throws: TestError(tag: 3)) {
            try await openLoop { loop in
                _ = try loop.createTask {
                    do { try await Asyncio.sleep(100) } catch { throw TestError(tag: 3) }
                }
                try await Trio.sleep(1)
            }
        }
    }

    @Test func cancellingOpenLoopFromOutsideCancelsTheBodyAndShutsDown() throws {
        // test_cancel_loop, and #89: no hang, no "Event loop is closed".
        let (now, caught, taskCancelled) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            () -> (Double, Bool, Bool) in
            var task: AsyncioTask<Void>?
            let scope = CancelScope(relativeDeadline: 1)
            try await scope.run {
                try await openLoop { loop in
                    task = try loop.createTask { try await Asyncio.sleep(100) }
                    try await Trio.sleepForever()
                }
            }
            return (try Trio.currentTime(), scope.cancelledCaught, task?.cancelled ?? false)
        }
        #expect(now == 1)
        #expect(caught)
        #expect(taskCancelled)
    }

    @Test(arguments: [false, true])
    func cancelLoopWithTasksAndShields(shield: Bool) throws {
        // test_cancel_loop_with_tasks (body does not raise)
        let (record, now, caught) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            () -> ([String], Double, Bool) in
            var record: [String] = []
            let scope = CancelScope(relativeDeadline: 1.25)
            try await scope.run {
                try await openLoop { loop in
                    let trioTask: () async throws -> Void = {
                        defer { record.append("trio_task done") }
                        try await CancelScope(shield: shield).run { try await Trio.sleep(1) }
                    }
                    let aioTask: () async throws -> Void = {
                        try await Asyncio.sleep(1)
                        defer { record.append("aio_task done") }
                        let g = trioAsAio(trioTask)
                        do {
                            try await g().value
                            #expect(shield)
                        } catch is CancelledError {
                            #expect(!shield)
                            throw CancelledError()
                        } catch is Cancelled {
                            Issue.record("Trio's Cancelled reached asyncio code")
                        }
                    }
                    defer { record.append("toplevel done") }
                    try await withNursery { nursery in
                        nursery.cancelScope.shield = true
                        try nursery.startSoon {
                            try await Trio.sleep(1.5)
                            nursery.cancelScope.shield = false
                        }
                        let h = aioAsTrio(aioTask)
                        try nursery.startSoon { try await h() }
                    }
                }
            }
            return (record, try Trio.currentTime(), scope.cancelledCaught)
        }
        #expect(record == ["trio_task done", "aio_task done", "toplevel done"])
        #expect(now == 1.5 + (shield ? 0.5 : 0))
        #expect(caught == !shield)
    }

    @Test func cancellingBeforeTheFirstCheckpointDoesNotDeadlock() throws {
        // trio-asyncio #115
        let caught = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Bool in
            let outer = CancelScope(relativeDeadline: 10)
            try await outer.run {
                let scope = CancelScope()
                scope.cancel()
                try await scope.run {
                    try await openLoop { _ in try await Trio.sleep(1) }
                }
            }
            return !outer.cancelledCaught
        }
        #expect(caught)
    }

    @Test func aManualStopDoesNotDeadlock() throws {
        // test_too_many_stops, trio-asyncio #58
        let (deadlocked, taskCancelled) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (Bool, Bool) in
            var task: AsyncioTask<Void>?
            let scope = CancelScope(relativeDeadline: 1)
            try await scope.run {
                try await openLoop { loop in
                    task = try loop.createTask { try await Asyncio.sleep(100) }
                    try await Trio.sleep(0)
                    loop.stop()
                    try await loop.waitStopped()
                    #expect(!loop.isRunning)
                }
            }
            return (scope.cancelledCaught, task?.cancelled ?? false)
        }
        #expect(!deadlocked)
        #expect(taskCancelled)
    }

    @Test func exitCancelsAsyncioTasksAsAsyncioRunDoes() throws {
        // trio-asyncio #91
        let (sawCancel, cleanedUp) = try Trio.run { () -> (Bool, Bool) in
            var sawCancel = false
            var cleanedUp = false
            try await openLoop { loop in
                _ = try loop.createTask {
                    do {
                        try await Asyncio.sleep(3600)
                    } catch is CancelledError {
                        sawCancel = true
                        try await Asyncio.sleep(0)
                        cleanedUp = true
                        throw CancelledError()
                    }
                }
                try await loop.synchronize()
            }
            return (sawCancel, cleanedUp)
        }
        #expect(sawCancel && cleanedUp)
    }

    @Test func callExceptionHandlerAfterCloseOnlyLogs() throws {
        // trio-asyncio #134
        let (handled, closed) = try Trio.run { () -> (Int, Bool) in
            var handled = 0
            var kept: TrioEventLoop?
            try await openLoop { loop in
                loop.setExceptionHandler { _, _ in handled += 1 }
                loop.callExceptionHandler(ExceptionContext(message: "while open"))
                kept = loop
            }
            kept?.callExceptionHandler(ExceptionContext(message: "Test exception after loop closed"))
            return (handled, kept?.isClosed ?? false)
        }
        #expect(handled == 1)
        #expect(closed)
    }

    @Test(.trio) func runTrioTaskErrorsGoToACustomExceptionHandlerAndTheLoopRunsOn() async throws {
        let (messages, running) = try await openLoop { loop -> ([String], Bool) in
            var messages: [String] = []
            loop.setExceptionHandler { _, context in
                messages.append("\(context.error.map { "\($0)" } ?? context.message)")
            }
            try loop.runTrioTask { throw TestError(tag: 5) }
            try await Trio.sleep(1)
            return (messages, loop.isRunning)
        }
        #expect(messages == ["\(TestError(tag: 5))"])
        #expect(running)
    }

    @Test(.trioAsyncio) func cancellingARunTrioTaskHandleCancelsTheTaskOrKeepsItFromStarting() async throws {
        let loop = try TrioTestScope.loop
        var ran: [String] = []
        let never = try loop.runTrioTask { ran.append("never") }
        never.cancel()
        let cancelled = try loop.runTrioTask {
            do { try await Trio.sleepForever() } catch { ran.append("cancelled"); throw error }
        }
        try await waitAllTasksBlocked()
        cancelled.cancel()
        try await Trio.sleep(1)
        #expect(ran == ["cancelled"])
    }

    @Test func wrongContextManagerOrderStillUnwinds() throws {
        // test_wrong_context_manager_order: a Trio task outliving openLoop used asyncio inside it.
        #expect(throws: Never.self) {
            try Trio.run {
                let takeDown = Trio.Event()
                try await withNursery { nursery in
                    try await openLoop { _ in
                        _ = try await nursery.start { (status: TaskStatus<Void>) in
                            try await runAioCoroutine { try await Asyncio.sleep(0) }
                            try status.started()
                            try await takeDown.wait()
                        }
                        takeDown.set()
                    }
                }
            }
        }
    }

    @Test func theExecutorLimiterOfOneDoesNotDeadlock() throws {
        // test_executor_limiter_deadlock (#116, #143)
        let caught = try Trio.run { () -> Bool in
            let executor = TrioExecutor(limiter: CapacityLimiter(1))
            return try await openLoop { loop in
                let scope = CancelScope(relativeDeadline: 5)
                try await scope.run {
                    _ = try await loop.runAioCoroutine { try await loop.runInExecutor(executor) { 1 }.value }
                }
                return scope.cancelledCaught
            }
        }
        #expect(!caught)
    }
}
