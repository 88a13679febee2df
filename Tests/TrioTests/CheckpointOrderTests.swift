import TestSupport
import Testing
import Trio
import TrioTesting

/// When a checkpoint in a cancelled scope raises, relative to the other tasks of its batch.
///
/// A checkpoint first yields; if the task is then found cancelled it blocks, and the pending cancel
/// wakes it with ``Cancelled`` in the next round. So every task that was runnable alongside it
/// finishes its own step before the ``Cancelled`` surfaces (and, with it, before a nursery that
/// the error reaches can cancel its siblings).
@Suite struct CheckpointOrderTests {
    /// The sibling started before or after the one that times out.
    enum Order: CaseIterable { case timeoutFirst, timeoutLast }

    @Test(.trio, arguments: Order.allCases)
    func aSiblingsCheckpointCompletesBeforeATimeoutInTheSameBatch(_ order: Order) async throws {
        var siblingReturned = false
        let timesOut: () async throws -> Void = { try await failAfter(0) { try await Trio.checkpoint() } }
        let sibling: () async throws -> Void = {
            try await Trio.checkpoint()
            siblingReturned = true
        }
        var failures: [any Error] = []
        do {
            try await withNursery { nursery in
                for child in order == .timeoutFirst ? [timesOut, sibling] : [sibling, timesOut] {
                    try nursery.startSoon(child)
                }
            }
        } catch {
            failures = leaves(error)
        }
        #expect(siblingReturned)
        #expect(failures.count == 1)
        #expect(failures.first is TooSlowError)
    }

    @Test(.trio) func sleepZeroInAnExpiredScopeAlsoWaitsOneRound() async throws {
        var siblingReturned = false
        do {
            try await withNursery { nursery in
                try nursery.startSoon { try await failAfter(0) { try await Trio.sleep(0) } }
                try nursery.startSoon {
                    try await Trio.sleep(0)
                    siblingReturned = true
                }
            }
        } catch {}
        #expect(siblingReturned)
    }

    /// Counts the steps another task completes between a cancelled task's checkpoint call and the
    /// moment its ``Cancelled`` arrives: the yield round, then the delivery round.
    @Test(.trio) func aCancelledCheckpointRaisesAfterTwoRounds() async throws {
        var steps = 0
        var stepsSeen = -1
        let scope = CancelScope()
        scope.cancel()
        try await withNursery { nursery in
            try nursery.startSoon {
                try await scope.run {
                    do { try await Trio.checkpoint() } catch is Cancelled { stepsSeen = steps }
                }
            }
            try nursery.startSoon {
                for _ in 0..<4 {
                    try await Trio.checkpoint()
                    steps += 1
                }
            }
        }
        #expect(stepsSeen == 1)
    }

    /// The schedule point of a hosted loop's task (TrioAsyncio's loop) is a checkpoint like any other.
    @Test(.trio) func aHostedLoopsCancelledSchedulePointRaisesAfterTwoRoundsToo() async throws {
        var steps = 0
        var stepsSeen = -1
        let scope = CancelScope()
        scope.cancel()
        let driver = try HostedLoopDriver()
        try await withNursery { nursery in
            try nursery.startSoon {
                try driver.bindLoopTask()
                defer { driver.unbindLoopTask() }
                try await scope.run {
                    do { try await driver.schedulePoint() } catch is Cancelled { stepsSeen = steps }
                }
            }
            try nursery.startSoon {
                for _ in 0..<4 {
                    try await Trio.checkpoint()
                    steps += 1
                }
            }
        }
        #expect(stepsSeen == 1)
    }

    @Test(.trio) func checkpointIfCancelledAlsoLetsTheBatchFinish() async throws {
        var siblingReturned = false
        do {
            try await withNursery { nursery in
                try nursery.startSoon { try await failAfter(0) { try await Trio.checkpointIfCancelled() } }
                try nursery.startSoon {
                    try await Trio.checkpoint()
                    siblingReturned = true
                }
            }
        } catch {}
        #expect(siblingReturned)
    }
}
