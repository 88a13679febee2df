import TestSupport
import Testing
import Trio
import TrioTesting

/// Corner cases of Trio's test_run and test_timeouts.
@Suite struct EdgeCaseTests {
    @Test(.trio) func cancellingAnExitedScopeChangesNothing() async throws {
        let scope = CancelScope()
        try await scope.run { try await Trio.sleep(1) }
        scope.cancel()
        try await Trio.sleep(1)   // nothing around us is cancelled
        #expect(!scope.cancelledCaught)
        #expect(scope.cancelCalled)
        #expect(try Trio.currentTime() == 2)
    }

    @Test(.trio) func raisingTheShieldWhileBlockedKeepsTheTaskAsleep() async throws {
        var log: [String] = []
        let outer = CancelScope()
        let inner = CancelScope()
        try await outer.run {
            try await withNursery { n in
                try n.startSoon {
                    try await inner.run {
                        try await Trio.sleep(5)
                        log.append("slept through at \(try Trio.currentTime())")
                    }
                }
                try await Trio.sleep(1)
                inner.shield = true
                outer.cancel()
            }
        }
        #expect(log == ["slept through at 5.0"])
    }

    @Test(.trio) func deadlineAlreadyPassedCancelsAtOnce() async throws {
        try await Trio.sleep(10)
        let result = try await moveOnAt(5) { () -> Int in
            try await Trio.checkpoint()
            return 1
        }
        #expect(result == nil)
        #expect(try Trio.currentTime() == 10)
    }

    @Test func idempotentCallbackMayRequeueItself() throws {
        let count = try Trio.run { () -> Int in
            let token = try Lowlevel.currentTrioToken()
            let sink = UncheckedBox(LogSink())
            let done = Trio.Event()
            let doneBox = UncheckedBox(done)
            @Sendable func step() {
                sink.value.values.append(1)
                if sink.value.values.count < 3 {
                    try? token.runSyncSoon(idempotencyKey: "again", step)
                } else {
                    doneBox.value.set()
                }
            }
            try token.runSyncSoon(idempotencyKey: "again", step)
            try await done.wait()
            return sink.value.values.count
        }
        #expect(count == 3)
    }

    @Test(.trio) func errorsAfterCancellationAreNotLost() async throws {
        var leaves: [String] = []
        do {
            try await withNursery { n in
                try n.startSoon {
                    do { try await Trio.sleepForever() } catch is Cancelled { throw Boom(tag: "cleanup failed") }
                }
                try n.startSoon { throw Boom(tag: "first") }
            }
        } catch let group as ExceptionGroup {
            leaves = group.leaves.compactMap { ($0 as? Boom)?.tag }.sorted()
        }
        #expect(leaves == ["cleanup failed", "first"])
    }

    @Test(.trio) func cancelledInsideAGroupIsFilteredByItsScope() async throws {
        let scope = CancelScope()
        var seen: [String] = []
        try await scope.run {
            do {
                try await withNursery { n in
                    try n.startSoon { try await Trio.sleepForever() }
                    try n.startSoon { try await Trio.sleepForever() }
                    try await Trio.sleep(1)
                    scope.cancel()
                }
            } catch {
                seen.append("nursery raised \(type(of: error))")
                throw error
            }
        }
        #expect(seen == ["nursery raised ExceptionGroup"])
        #expect(scope.cancelledCaught)
    }

    @Test(.trio) func nestedNurseriesPropagateToTheRightLevel() async throws {
        var outcome = "none"
        do {
            try await withNursery { outer in
                try outer.startSoon {
                    try await withNursery { inner in
                        try inner.startSoon { throw Boom(tag: "deep") }
                    }
                }
            }
        } catch let group as ExceptionGroup {
            // Two levels of strict grouping: outer(inner(Boom)).
            if let inner = group.errors.first as? ExceptionGroup {
                outcome = (inner.errors.first as? Boom)?.tag ?? "other"
            } else {
                outcome = "flat"
            }
        }
        #expect(outcome == "deep")
    }
}
