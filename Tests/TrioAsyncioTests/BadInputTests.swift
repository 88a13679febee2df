import Asyncio
import TestSupport
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// Bad input gets a clear error and leaves nothing scheduled.
@Suite struct BadInputTests {
    @Test func aFutureOfAnotherLoopIsAValueError() throws {
        let refused = try Trio.run { () -> Bool in
            try await openLoop { first in
                try await openLoop { second in
                    let future = first.createFuture(of: Int.self)
                    do {
                        _ = try await second.runAioFuture(future)
                    } catch is ValueError {
                        return true
                    }
                    return false
                }
            }
        }
        #expect(refused)
    }

    @Test func aClosedLoopRefusesEverySchedulingCall() throws {
        let refusals = try Trio.run { () -> Int in
            var kept: TrioEventLoop?
            try await openLoop { loop in kept = loop }
            let loop = try #require(kept)
            #expect(loop.isClosed)
            var refusals = 0
            do { try loop.callSoon {} } catch is RuntimeError { refusals += 1 }
            do { try loop.callLater(1) {} } catch is RuntimeError { refusals += 1 }
            do { try loop.callSoonThreadsafe {} } catch is RuntimeError { refusals += 1 }
            do { _ = try loop.createTask { 1 } } catch is RuntimeError { refusals += 1 }
            do { _ = try loop.trioAsFuture { 1 } } catch is RuntimeError { refusals += 1 }
            do { try loop.runTrioTask {} } catch is RuntimeError { refusals += 1 }
            do { try loop.addReader(0) {} } catch is RuntimeError { refusals += 1 }
            do { _ = try loop.runInExecutor(nil) { 1 } } catch is RuntimeError { refusals += 1 }
            do { _ = try await loop.runAioCoroutine { 1 } } catch is RuntimeError { refusals += 1 }
            // Closing again is harmless, as in asyncio.
            try loop.close()
            return refusals
        }
        #expect(refusals == 9)
    }

    @Test func trioAsAioWithoutALoopGivesAFailedFutureNamingOpenLoop() throws {
        let message = try Trio.run { () -> String in
            let f: () async throws -> Int = { 1 }
            let g = trioAsAio(f)
            let future = g()
            #expect(future.done)
            do { _ = try future.result() } catch { return "\(error)" }
            return ""
        }
        #expect(message.contains("openLoop"))
    }

    @Test(.trioAsyncio) func trioFlavoredBridgeCallsFromAsyncioCodeAreFlavorErrors() async throws {
        let loop = try TrioTestScope.loop
        let refused = try await loop.runAioCoroutine { () async throws -> Bool in
            do {
                _ = try await loop.runAioCoroutine { 1 }
            } catch is FlavorError {
                return true
            }
            return false
        }
        #expect(refused)
    }
}

/// The loop task shares the run fairly: a step of asyncio callbacks, then other Trio tasks.
@Suite struct FairnessTests {
    @Test(.trioAsyncio) func trioTasksRunBetweenLoopStepsOfABusyLoop() async throws {
        let loop = try TrioTestScope.loop
        var steps = 0
        var trioTurns = 0
        var interleaved = false
        var done = false
        func step() {
            steps += 1
            if trioTurns > 0 && steps > 1 && steps < 1000 { interleaved = true }
            if !done { _ = try? loop.callSoon(step) }
        }
        try loop.callSoon(step)
        for _ in 0..<50 {
            try await Trio.checkpoint()
            trioTurns += 1
        }
        done = true
        #expect(interleaved)
        // Fifty Trio checkpoints took about fifty loop steps, not thousands: one step per Trio turn.
        #expect(steps >= 49 && steps <= 60)
    }

    @Test(.trioAsyncio(clock: .system)) func aBusyLoopStillLetsTimersFire() async throws {
        let loop = try TrioTestScope.loop
        var stop = false
        func spin() { if !stop { _ = try? loop.callSoon(spin) } }
        try loop.callSoon(spin)
        let scope = CancelScope(relativeDeadline: 0.05)
        try await scope.run { try await Trio.sleepForever() }
        stop = true
        #expect(scope.cancelledCaught)
    }
}
