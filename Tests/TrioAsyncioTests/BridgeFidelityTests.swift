import Asyncio
import TestSupport
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// A Trio function that opens a nursery with a sleeping child and sleeps itself: cancelled, it ends
/// with an `ExceptionGroup` of `Cancelled`s (the run's nurseries are strict).
private func sleepInANursery() async throws {
    try await withNursery { nursery in
        try nursery.startSoon { try await Trio.sleepForever() }
        try await Trio.sleepForever()
    }
}

/// How an asyncio task saw the end of an awaited future.
private func describeOutcome(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "returned"
    } catch is CancelledError {
        return "CancelledError"
    } catch is Cancelled {
        return "Trio's Cancelled"
    } catch let group as ExceptionGroup {
        if group.contains(Cancelled.self) { return "a group with Trio's Cancelled" }
        return "group of \(group.leaves.map { "\($0)" })"
    } catch {
        return "\(error)"
    }
}

/// The differences from trio-asyncio 0.16 listed in issue 18 (items 1–6), each checked against the
/// behaviour observed with trio-asyncio 0.16.0.
@Suite struct BridgeFidelityTests {
    // MARK: 1. A cancelled Trio nursery behind trioAsAio

    @Test func aTrioNurseryCancelledAtShutdownReachesAsyncioAsCancelledError() throws {
        let seen = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> String in
            var seen = "nothing"
            try await openLoop { loop in
                _ = try loop.createTask {
                    let call = trioAsAio(sleepInANursery)
                    seen = await describeOutcome { try await call().value }
                }
                try await Trio.sleep(1)
            }
            return seen
        }
        #expect(seen == "CancelledError")
    }

    @Test func theOtherErrorsOfACancelledTrioNurseryBecomeTheFuturesError() throws {
        let seen = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> String in
            var seen = "nothing"
            try await openLoop { loop in
                _ = try loop.createTask {
                    let call = trioAsAio {
                        try await withNursery { nursery in
                            try nursery.startSoon {
                                do { try await Trio.sleepForever() } catch { throw TestError(tag: 7) }
                            }
                            try await Trio.sleepForever()
                        }
                    }
                    seen = await describeOutcome { try await call().value }
                }
                try await Trio.sleep(1)
            }
            return seen
        }
        #expect(seen == "group of [\"\(TestError(tag: 7))\"]")
    }

    // MARK: 2. openLoop's body error and a shutdown error together

    @Test(.trio) func aBodyErrorIsKeptWhenShutdownRaisesToo() async throws {
        var caught: (any Error)?
        do {
            try await openLoop { loop in
                _ = try loop.createTask {
                    do { try await Asyncio.sleep(100) } catch { throw TestError(tag: 4) }
                }
                try await Trio.sleep(1)
                throw TestError(tag: 5)
            }
        } catch {
            caught = error
        }
        let leaves = (caught as? ExceptionGroup)?.leaves.compactMap { ($0 as? TestError)?.tag } ?? []
        #expect(leaves == [4, 5], "got \(String(describing: caught))")
    }

    // MARK: 3. trioAsAio starts its Trio task from the loop's queue

    @Test(.trio) func aTrioCallStartsAfterTheCallbacksQueuedBeforeIt() async throws {
        let order = try await openLoop { loop -> [String] in
            var order: [String] = []
            try await loop.runAioCoroutine {
                try loop.callSoon { order.append("callback") }
                let call = trioAsAio { order.append("trio") }
                try await call().value
            }
            return order
        }
        #expect(order == ["callback", "trio"])
    }

    @Test(.trio) func aTrioCallInsideAnExpiredAsyncioTimeoutNeverRuns() async throws {
        let (ran, outcome) = try await openLoop { loop -> (Bool, String) in
            var ran = false
            let outcome = try await loop.runAioCoroutine { () async throws -> String in
                await describeOutcome {
                    try await Asyncio.timeout(0) {
                        let call = trioAsAio { ran = true }
                        try await call().value
                    }
                }
            }
            return (ran, outcome)
        }
        #expect(!ran)
        #expect(outcome == "\(Asyncio.TimeoutError())")
    }

    @Test(.trio) func anAsyncioTaskCreatedBeforeATrioCallTakesItsFirstStepFirst() async throws {
        let (stepped, cancelled) = try await openLoop { loop -> (Bool, Bool) in
            var stepped = false
            let task = try await loop.runAioCoroutine { () async throws -> AsyncioTask<Void> in
                let early = try loop.createTask { stepped = true }
                let call = trioAsAio { _ = early.cancel() }
                try await call().value
                return early
            }
            try await loop.synchronize()
            return (stepped, task.cancelled)
        }
        #expect(stepped)
        #expect(!cancelled)
    }

    // MARK: 4. A future cancelled before its Trio task started

    @Test(.trio, arguments: [false, true])
    func aFutureCancelledBeforeItsTaskStartedStaysPendingUntilTheTrioSideEnds(callbackQueuedFirst: Bool) async throws {
        let (first, doneAfterCancel, second, cancelled, ran) = try await openLoop {
            loop -> (Bool, Bool, Bool, Bool, Bool) in
            var ran = false
            // With a callback queued first the start waits in the queue; without, it is direct.
            if callbackQueuedFirst { try loop.callSoon {} }
            let future = try loop.trioAsFuture { ran = true }
            let first = future.cancel(message: "early")
            let doneAfterCancel = future.done
            let second = future.cancel()
            try await Trio.sleep(1)
            return (first, doneAfterCancel, second, future.cancelled, ran)
        }
        #expect(first)
        #expect(!doneAfterCancel)
        #expect(second)
        #expect(cancelled)
        #expect(!ran)
    }

    // MARK: 5. Errors of runTrioTask tasks

    @Test func withTheDefaultHandlerARunTrioTaskErrorEndsOpenLoop() throws {
        let (caught, bodyEnded, aioCancelled) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            () -> ((any Error)?, Double?, Bool) in
            var caught: (any Error)?
            var bodyEnded: Double?
            var aioCancelled = false
            do {
                try await openLoop { loop in
                    _ = try loop.createTask {
                        do { try await Asyncio.sleep(100) } catch { aioCancelled = true; throw error }
                    }
                    try loop.runTrioTask { throw TestError(tag: 5) }
                    defer { bodyEnded = try? Trio.currentTime() }
                    try await Trio.sleep(100)
                }
            } catch {
                caught = error
            }
            return (caught, bodyEnded, aioCancelled)
        }
        #expect(caught as? TestError == TestError(tag: 5), "got \(String(describing: caught))")
        #expect(bodyEnded == 0)
        #expect(aioCancelled)
    }

    @Test(.trio) func aHandlerThatOnlyLogsKeepsTheLoopRunning() async throws {
        let (handled, now, running) = try await openLoop { loop -> ([String], Double, Bool) in
            var handled: [String] = []
            loop.setExceptionHandler { _, context in handled.append("\(context.error.map { "\($0)" } ?? "-")") }
            try loop.runTrioTask { throw TestError(tag: 6) }
            try await Trio.sleep(0.1)
            let nap = aioAsTrio { try await Asyncio.sleep(0.1) }
            try await nap()
            return (handled, try Trio.currentTime(), loop.isRunning)
        }
        #expect(handled == ["\(TestError(tag: 6))"])
        #expect(abs(now - 0.2) < 1e-9)
        #expect(running)
    }

    @Test func aRunTrioTaskNurseryCancelledAtShutdownIsNotReported() throws {
        let handled = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var handled: [String] = []
            try await openLoop { loop in
                loop.setExceptionHandler { _, context in handled.append(context.message) }
                try loop.runTrioTask(sleepInANursery)
                try await Trio.sleep(1)
            }
            return handled
        }
        #expect(handled.isEmpty)
    }

    // MARK: 6. Cancelling the scope around openLoop

    @Test func cancellingOpenLoopLeavesPendingTrioFuturesCancelled() throws {
        let states = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var futures: [Future<Void>] = []
            try await CancelScope(relativeDeadline: 1).run {
                try await openLoop { loop in
                    futures.append(try loop.trioAsFuture { try await Trio.sleepForever() })
                    futures.append(try loop.trioAsFuture(sleepInANursery))
                    try await Trio.sleepForever()
                }
            }
            return futures.map { future in
                if future.cancelled { return "cancelled" }
                if !future.done { return "pending" }
                return "error: \(String(describing: try? future.exception()))"
            }
        }
        #expect(states == ["cancelled", "cancelled"])
    }
}
