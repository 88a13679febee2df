import Testing
import Trio
import TrioTesting

/// Corner cases of Trio's test_run and test_timeouts.
@Suite struct EdgeCaseTests {
    @Test func cancellingAnExitedScopeChangesNothing() throws {
        let (caught, called, now) = try runMocked { () -> (Bool, Bool, Double) in
            let scope = CancelScope()
            try await scope.run { try await Trio.sleep(1) }
            scope.cancel()
            try await Trio.sleep(1)   // nothing around us is cancelled
            return (scope.cancelledCaught, scope.cancelCalled, try Trio.currentTime())
        }
        #expect(!caught)
        #expect(called)
        #expect(now == 2)
    }

    @Test func raisingTheShieldWhileBlockedKeepsTheTaskAsleep() throws {
        let log = try runMocked { () -> [String] in
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
            return log
        }
        #expect(log == ["slept through at 5.0"])
    }

    @Test func deadlineAlreadyPassedCancelsAtOnce() throws {
        let (result, now) = try runMocked { () -> (Int?, Double) in
            try await Trio.sleep(10)
            let result = try await moveOnAt(5) { () -> Int in
                try await Trio.checkpoint()
                return 1
            }
            return (result, try Trio.currentTime())
        }
        #expect(result == nil)
        #expect(now == 10)
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

    @Test func errorsAfterCancellationAreNotLost() throws {
        let leaves = try runMocked { () -> [String] in
            do {
                try await withNursery { n in
                    try n.startSoon {
                        do { try await Trio.sleepForever() } catch is Cancelled { throw Boom(tag: "cleanup failed") }
                    }
                    try n.startSoon { throw Boom(tag: "first") }
                }
                return []
            } catch let group as ExceptionGroup {
                return group.leaves.compactMap { ($0 as? Boom)?.tag }.sorted()
            }
        }
        #expect(leaves == ["cleanup failed", "first"])
    }

    @Test func cancelledInsideAGroupIsFilteredByItsScope() throws {
        let (result, caught) = try runMocked { () -> ([String], Bool) in
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
            return (seen, scope.cancelledCaught)
        }
        #expect(result == ["nursery raised ExceptionGroup"])
        #expect(caught)
    }

    @Test func nestedNurseriesPropagateToTheRightLevel() throws {
        let outcome = try runMocked { () -> String in
            do {
                try await withNursery { outer in
                    try outer.startSoon {
                        try await withNursery { inner in
                            try inner.startSoon { throw Boom(tag: "deep") }
                        }
                    }
                }
                return "none"
            } catch let group as ExceptionGroup {
                // Two levels of strict grouping: outer(inner(Boom)).
                guard let inner = group.errors.first as? ExceptionGroup else { return "flat" }
                return (inner.errors.first as? Boom)?.tag ?? "other"
            }
        }
        #expect(outcome == "deep")
    }
}
