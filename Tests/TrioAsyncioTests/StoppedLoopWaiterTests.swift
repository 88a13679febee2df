import Asyncio
import TestSupport
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// A stopped or closed loop never leaves a Trio task waiting for one of its futures (issue #18):
/// only the loop finishes its futures, so the waiting call fails with asyncio's
/// `run_until_complete` error instead. trio-asyncio 0.16 waits for ever there (its #118); each of
/// these cases hung before.
@Suite struct StoppedLoopWaiterTests {
    static let stopped = "RuntimeError: Event loop stopped before Future completed."

    private static func describe(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "returned"
        } catch is Cancelled {
            return "Cancelled"
        } catch {
            return "\(error)"
        }
    }

    @Test func anAioAsTrioCallFailsWhenTheLoopIsStoppedUnderIt() throws {
        let (outcome, at, asyncioEnd) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
            () -> (String, Double, String) in
            var outcome = "nothing"
            var at = -1.0
            var asyncioEnd = "running"
            try await openLoop { loop in
                try await withNursery { nursery in
                    try nursery.startSoon {
                        try await Trio.sleep(1)
                        loop.stop()
                    }
                    outcome = await Self.describe {
                        try await aioAsTrio {
                            do {
                                try await Asyncio.sleep(10)
                            } catch let error as CancelledError {
                                asyncioEnd = "cancelled"
                                throw error
                            }
                        }()
                    }
                    at = try Trio.currentTime()
                }
            }
            return (outcome, at, asyncioEnd)
        }
        #expect(outcome == Self.stopped)
        #expect(at == 1)
        // openLoop's shutdown ran the loop again and cancelled the task the call had started.
        #expect(asyncioEnd == "cancelled")
    }

    @Test func runAioFutureAndAllowAsyncioFailWhenTheLoopStops() throws {
        let outcomes = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            var outcomes: [String] = []
            try await openLoop { loop in
                let future = loop.createFuture(of: Int.self)
                try await withNursery { nursery in
                    try nursery.startSoon {
                        outcomes.append(await Self.describe { _ = try await loop.runAioFuture(future) })
                    }
                    try nursery.startSoon {
                        outcomes.append(await Self.describe {
                            try await allowAsyncio { try await Asyncio.sleep(10) }
                        })
                    }
                    try await Trio.sleep(1)
                    try loop.callSoon { loop.stop() }
                }
                future.cancel()
            }
            return outcomes
        }
        #expect(outcomes == [Self.stopped, Self.stopped])
    }

    @Test func aCallOnAStoppedLoopFailsAtOnceAndStartsNothing() throws {
        let (outcomes, ran) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> ([String], Bool) in
            var outcomes: [String] = []
            var ran = false
            try await openLoop { loop in
                loop.stop()
                try await loop.waitStopped()
                outcomes.append(await Self.describe { try await loop.runAioCoroutine { ran = true } })
                let future = loop.createFuture(of: Int.self)
                outcomes.append(await Self.describe { _ = try await loop.runAioFuture(future) })
                future.cancel()
                #expect(allTasks(loop: loop).isEmpty)
            }
            return (outcomes, ran)
        }
        #expect(outcomes == [Self.stopped, Self.stopped])
        #expect(!ran, "no asyncio task was left to run at shutdown")
    }

    @Test func aWaiterCancelledFromTrioGetsCancelledWhenTheLoopStopsBeforeTheCancelGoesThrough() throws {
        let (outcome, caught) = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> (String, Bool) in
            var outcome = "nothing"
            let scope = CancelScope()
            try await openLoop { loop in
                try await withNursery { nursery in
                    try nursery.startSoon {
                        try await Trio.sleep(1)
                        // The waiter's cancel reaches the future in a batch after which the loop stops.
                        try loop.callSoon {
                            loop.stop()
                            scope.cancel()
                        }
                    }
                    try await scope.run {
                        outcome = await Self.describe { try await aioAsTrio { try await Asyncio.sleep(10) }() }
                        try await Trio.checkpointIfCancelled()
                    }
                }
            }
            return (outcome, scope.cancelledCaught)
        }
        #expect(outcome == "Cancelled")
        #expect(caught)
    }

    @Test func aSyncTrioEventLoopKeepsItsWaitersAcrossStops() throws {
        let loop = try SyncTrioEventLoop(clock: MockClock(autojumpThreshold: 0))
        defer { try? loop.close() }
        let future = loop.createFuture(of: Int.self)
        let doubled = try loop.trioAsFuture { try await loop.runAioFuture(future) * 2 }
        // The Trio task starts waiting in this run, which stops before the future is set.
        _ = try loop.runUntilComplete(try loop.createTask { try await Asyncio.sleep(1) })
        #expect(!doubled.done)
        try loop.callSoon { try? future.setResult(21) }
        #expect(try loop.runUntilComplete(doubled) == 42)
    }

    @Test func aStopFailsTheWaitersInTheOrderTheyParked() throws {
        let order = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [Int] in
            var order: [Int] = []
            try await openLoop { loop in
                try await withNursery { nursery in
                    // Four tasks park in order 0…3; 1 and 2 leave early, so the stop finds 0 and 3
                    // with a gap between them.
                    for index in 0..<4 {
                        try nursery.startSoon {
                            let outcome = await Self.describe {
                                try await aioAsTrio { try await Asyncio.sleep(index == 1 || index == 2 ? 1 : 10) }()
                            }
                            if outcome == Self.stopped { order.append(index) }
                        }
                        try await Trio.sleep(0.1)
                    }
                    try await Trio.sleep(2)
                    loop.stop()
                }
            }
            return order
        }
        #expect(order == [0, 3])
    }

    @Test func waitersThatFinishOutOfOrderAllGetTheirOwnResultRoundAfterRound() throws {
        // Each round parks five tasks and finishes them in a shuffled order, so that wake-ups unlink
        // waiters from the middle of the loop's list as well as its ends, and later rounds reuse the
        // nodes.
        let results = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [[Int]] in
            var results: [[Int]] = []
            try await openLoop { _ in
                for round in 0..<3 {
                    var got = [Int](repeating: -1, count: 5)
                    try await withNursery { nursery in
                        for index in 0..<5 {
                            try nursery.startSoon {
                                got[index] = try await aioAsTrio {
                                    try await Asyncio.sleep([2.0, 5, 1, 4, 3][index])
                                    return round * 10 + index
                                }()
                            }
                        }
                    }
                    results.append(got)
                }
            }
            return results
        }
        #expect(results == (0..<3).map { round in (0..<5).map { round * 10 + $0 } })
    }
}
