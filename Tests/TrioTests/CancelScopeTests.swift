import Testing
import Trio
import TrioTesting

@Suite struct CancelScopeTests {
    @Test func cancelBeforeEntryCancelsTheFirstCheckpoint() throws {
        let (result, caught, called) = try runMocked { () -> (Int?, Bool, Bool) in
            let scope = CancelScope()
            scope.cancel()
            let result = try await scope.run { () -> Int in
                try await Trio.checkpoint()
                return 1
            }
            return (result, scope.cancelledCaught, scope.cancelCalled)
        }
        #expect(result == nil)
        #expect(caught)
        #expect(called)
    }

    @Test func cancellationIsLevelTriggered() throws {
        let raised = try runMocked { () -> Int in
            var raised = 0
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                for _ in 0..<3 {
                    do { try await Trio.checkpoint() } catch is Cancelled { raised += 1 }
                }
                try await Trio.checkpoint()
            }
            return raised
        }
        #expect(raised == 3)
    }

    @Test func noCheckpointMeansNoCancelled() throws {
        let (result, caught) = try runMocked { () -> (Int?, Bool) in
            let scope = CancelScope()
            let result = try await scope.run { () -> Int in
                scope.cancel()
                return 5
            }
            return (result, scope.cancelledCaught)
        }
        #expect(result == 5)
        #expect(!caught)
    }

    @Test func outerScopeWins() throws {
        let (outerCaught, innerCaught) = try runMocked { () -> (Bool, Bool) in
            let outer = CancelScope()
            let inner = CancelScope()
            try await outer.run {
                try await inner.run {
                    inner.cancel()
                    outer.cancel()
                    try await Trio.checkpoint()
                }
            }
            return (outer.cancelledCaught, inner.cancelledCaught)
        }
        #expect(outerCaught)
        #expect(!innerCaught)
    }

    @Test func innerScopeCatchesWhenOnlyItIsCancelled() throws {
        let (reached, innerCaught) = try runMocked { () -> (Bool, Bool) in
            let inner = CancelScope()
            var reached = false
            try await CancelScope().run {
                try await inner.run {
                    inner.cancel()
                    try await Trio.checkpoint()
                }
                reached = true
            }
            return (reached, inner.cancelledCaught)
        }
        #expect(reached)
        #expect(innerCaught)
    }

    @Test func shieldHidesOuterCancellationUntilLeft() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            let outer = CancelScope()
            try await outer.run {
                outer.cancel()
                try await CancelScope(shield: true).run {
                    try await Trio.sleep(1)
                    log.append("slept shielded until \(try Trio.currentTime())")
                }
                do { try await Trio.checkpoint() } catch is Cancelled { log.append("cancelled after shield") }
            }
            return log
        }
        #expect(log == ["slept shielded until 1.0", "cancelled after shield"])
    }

    @Test func droppingAShieldWakesASleepingTask() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            let outer = CancelScope()
            let shielded = CancelScope(shield: true)
            try await outer.run {
                try await withNursery { n in
                    try n.startSoon {
                        try await shielded.run {
                            do { try await Trio.sleep(100) } catch let error as Cancelled {
                                log.append("woken at \(try Trio.currentTime())")
                                throw error
                            }
                        }
                    }
                    try await Trio.sleep(1)
                    outer.cancel()
                    try await CancelScope(shield: true).run { try await Trio.sleep(1) }
                    log.append("still asleep at \(try Trio.currentTime())")
                    shielded.shield = false
                }
            }
            return log
        }
        #expect(log == ["still asleep at 2.0", "woken at 2.0"])
    }

    @Test func moveOnAfterReturnsNilOnTimeout() throws {
        let (result, now) = try runMocked { () -> (Int?, Double) in
            let result = try await moveOnAfter(1) { () -> Int in
                try await Trio.sleep(2)
                return 1
            }
            return (result, try Trio.currentTime())
        }
        #expect(result == nil)
        #expect(now == 1)
    }

    @Test func moveOnAfterReturnsTheValueInTime() throws {
        #expect(try runMocked { try await moveOnAfter(2) { () -> Int in try await Trio.sleep(1); return 9 } } == 9)
    }

    @Test func failAfterRaisesTooSlow() throws {
        let now = try runMocked { () -> Double in
            do {
                try await failAfter(1) { try await Trio.sleep(2) }
            } catch is TooSlowError {
                return try Trio.currentTime()
            }
            return -1
        }
        #expect(now == 1)
    }

    @Test func failAtAndMoveOnAtUseAbsoluteDeadlines() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await moveOnAt(3) { try await Trio.sleep(10) }
            log.append("moved on at \(try Trio.currentTime())")
            do { _ = try await failAt(5) { () async throws -> Int in try await Trio.sleepForever() } } catch is TooSlowError {
                log.append("too slow at \(try Trio.currentTime())")
            }
            return log
        }
        #expect(log == ["moved on at 3.0", "too slow at 5.0"])
    }

    @Test func deadlineCanBeChangedWhileRunning() throws {
        let times = try runMocked { () -> [Double] in
            var times: [Double] = []
            let scope = CancelScope(deadline: 10)
            try await scope.run {
                scope.deadline = 2
                try await Trio.sleep(100)
            }
            times.append(try Trio.currentTime())
            let later = CancelScope(relativeDeadline: 1)
            try await later.run {
                later.deadline = .infinity
                try await withNursery { n in
                    try n.startSoon {
                        try await Trio.sleep(4)
                        later.relativeDeadline = 1
                    }
                    try await Trio.sleepForever()
                }
            }
            times.append(try Trio.currentTime())
            return times
        }
        #expect(times == [2, 7])
    }

    @Test func aScopeAndASleepExpiringInOnePassCancelTheSleep() throws {
        // In Trio a sleep is a cancel scope of its own, so when it and an enclosing scope expire
        // in the same pass the enclosing scope wins and catches the Cancelled. Here this used to
        // trap: the scope's cancellation woke the sleeper, whose expired timer then woke it again.
        let (result, caught, now) = try runMocked { () -> (String?, Bool, Double) in
            let scope = CancelScope(relativeDeadline: 1)
            let result = try await scope.run { () -> String in
                try await Trio.sleep(1)
                return "slept"
            }
            return (result, scope.cancelledCaught, try Trio.currentTime())
        }
        #expect(result == nil)
        #expect(caught)
        #expect(now == 1)
    }

    @Test func aSleepTimerOlderThanItsScopesDeadlineStillLosesToTheScope() throws {
        // Same deadline, but the sleep's timer was registered first: the outcome must not depend
        // on which timer the heap hands out first.
        let (result, caught) = try runMocked { () -> (String?, Bool) in
            let scope = CancelScope()
            var result: String?
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await waitAllTasksBlocked()
                    scope.deadline = try Trio.currentTime() + 1
                }
                result = try await scope.run { () -> String in
                    try await Trio.sleep(1)
                    return "slept"
                }
            }
            return (result, scope.cancelledCaught)
        }
        #expect(result == nil)
        #expect(caught)
    }

    @Test func aSleepWhoseScopeIsCancelledBeforeItRunsAgainRaisesCancelled() throws {
        // The sleep's timer fires, but before the sleeper runs another task cancels the scope
        // around it. Trio's sleep is `move_on_at(deadline)` around `sleep_forever()`: its own
        // Cancelled then escapes to the cancelled scope instead of the sleep returning.
        let (result, caught) = try runMocked { () -> (String?, Bool) in
            let scope = CancelScope()
            var result: String?
            try await withNursery { nursery in
                // Registered first, so it wakes (and runs) first in the pass where both wake.
                try nursery.startSoon {
                    try await Trio.sleep(1)
                    scope.cancel()
                }
                try await waitAllTasksBlocked()
                result = try await scope.run { () -> String in
                    try await Trio.sleep(1)
                    return "slept"
                }
            }
            return (result, scope.cancelledCaught)
        }
        #expect(result == nil)
        #expect(caught)
    }

    @Test func relativeDeadlineStartsAtEntry() throws {
        let (before, deadline) = try runMocked { () -> ([Double], Double) in
            let scope = CancelScope(relativeDeadline: 5)
            // Unentered, it reports the deadline that entering now would give (as Trio does).
            var before = [scope.deadline]
            try await Trio.sleep(2)
            before.append(scope.deadline)
            var deadline = 0.0
            try await scope.run {
                try await Trio.sleep(1)
                deadline = scope.deadline
            }
            return (before, deadline)
        }
        #expect(before == [5, 7])
        #expect(deadline == 7)
        // Outside a run there is no clock to add it to.
        #expect(CancelScope(relativeDeadline: 5).deadline == .infinity)
    }

    @Test func settingARelativeDeadlineOnAnUnenteredAbsoluteScopeIsAnError() throws {
        // Trio: "unentered non-relative cancel scope does not have a relative deadline". The
        // absolute deadline used to be dropped silently, so the scope ran with the new one.
        let (outcome, deadline, relative) = try runMocked { () -> (String, Double, Double) in
            let scope = CancelScope(deadline: 5)
            scope.relativeDeadline = 100
            var outcome = "no error"
            do {
                try await scope.run { try await Trio.sleep(10) }
            } catch let error as RuntimeError {
                outcome = error.message
            }
            return (outcome, scope.deadline, scope.relativeDeadline)
        }
        #expect(outcome.contains("does not have a relative deadline"))
        #expect(deadline == 5)
        #expect(relative == .infinity)
    }

    @Test func settingADeadlineOnAnUnenteredRelativeScopeIsAnError() throws {
        // Trio >= 0.35: "Unentered relative cancel scope does not have an absolute deadline". The
        // relative deadline used to be replaced silently, so the scope ran with the absolute one.
        let (outcome, now, caught) = try runMocked { () -> (String, Double, Bool) in
            let scope = CancelScope(relativeDeadline: 5)
            scope.deadline = 100
            var outcome = "no error"
            do {
                try await scope.run { try await Trio.sleep(10) }
            } catch let error as RuntimeError {
                outcome = error.message
            }
            return (outcome, try Trio.currentTime(), scope.cancelledCaught)
        }
        #expect(outcome == "Unentered relative cancel scope does not have an absolute deadline")
        // The error is raised on entry: the body never ran.
        #expect(now == 0)
        #expect(!caught)
    }

    @Test func setDeadlineThrowsAtTheCallAndLeavesTheScopeAsItWas() throws {
        let (messages, elapsed) = try runMocked { () -> ([String], Double) in
            var messages: [String] = []
            let relative = CancelScope(relativeDeadline: 5)
            do { try relative.setDeadline(100) } catch let error as RuntimeError { messages.append(error.message) }
            do { try relative.setDeadline(.nan) } catch let error as ValueError { messages.append(error.message) }
            let absolute = CancelScope(deadline: 50)
            do { try absolute.setRelativeDeadline(1) } catch let error as RuntimeError {
                messages.append(error.message)
            }
            do { try absolute.setRelativeDeadline(-1) } catch let error as ValueError { messages.append(error.message) }
            // Neither scope changed, and neither reports a deferred error on entry.
            try await relative.run { try await Trio.sleep(10) }
            let elapsed = try Trio.currentTime()
            try await absolute.run { try await Trio.sleepForever() }
            return (messages, elapsed)
        }
        #expect(
            messages == [
                "Unentered relative cancel scope does not have an absolute deadline",
                "deadline must not be NaN",
                "unentered non-relative cancel scope does not have a relative deadline",
                "timeout must be non-negative",
            ])
        #expect(elapsed == 5)
    }

    @Test func setDeadlineWorksOnAnEnteredRelativeScopeAndOnAPlainOne() throws {
        let times = try runMocked { () -> [Double] in
            var times: [Double] = []
            let relative = CancelScope(relativeDeadline: 5)
            try await relative.run {
                try relative.setDeadline(2)
                try await Trio.sleepForever()
            }
            times.append(try Trio.currentTime())
            let plain = CancelScope()
            try plain.setDeadline(10)
            try await plain.run {
                try plain.setRelativeDeadline(1)
                try await Trio.sleepForever()
            }
            times.append(try Trio.currentTime())
            return times
        }
        #expect(times == [2, 3])
    }

    @Test func invalidValuesAreValueErrors() throws {
        let messages = try runMocked { () -> [String] in
            var messages: [String] = []
            func record(_ body: () async throws -> Void) async {
                do { try await body(); messages.append("no error") } catch let error as ValueError {
                    messages.append(error.message)
                } catch { messages.append("other: \(error)") }
            }
            await record { try await CancelScope(deadline: .nan).run {} }
            await record { try await CancelScope(relativeDeadline: .nan).run {} }
            await record { try await CancelScope(relativeDeadline: -1).run {} }
            await record { try await CancelScope(deadline: 1, relativeDeadline: 1).run {} }
            await record { try await moveOnAfter(-1) {} }
            await record { try await moveOnAfter(.nan) {} }
            await record { try await moveOnAt(.nan) {} }
            await record { try await failAfter(-0.5) {} }
            await record { try await Trio.sleep(-1) }
            await record { try await Trio.sleep(.nan) }
            await record { try await Trio.sleepUntil(.nan) }
            await record {
                let scope = CancelScope()
                try await scope.run { scope.deadline = .nan }
            }
            return messages
        }
        #expect(messages.count == 12)
        #expect(!messages.contains("no error"))
        #expect(!messages.contains { $0.hasPrefix("other") })
        #expect(messages[3] == "Cannot specify both a deadline and a relative deadline")
    }

    @Test func aScopeCanBeEnteredOnce() throws {
        let message = try runMocked { () -> String in
            let scope = CancelScope()
            try await scope.run {}
            do { try await scope.run {} } catch let error as RuntimeError { return error.message }
            return "no error"
        }
        #expect(message.contains("single"))
    }

    @Test func fiveThousandNestedScopes() throws {
        func nest(_ depth: Int, _ outer: CancelScope) async throws -> Int {
            if depth == 0 {
                outer.cancel()
                try await Trio.checkpoint()
                return 0
            }
            let result = try await CancelScope().run { try await nest(depth - 1, outer) }
            return (result ?? -1) + 1
        }
        let (result, caught) = try runMocked { () -> (Int?, Bool) in
            let outer = CancelScope()
            let result = try await outer.run { try await nest(5000, outer) }
            return (result, outer.cancelledCaught)
        }
        #expect(result == nil)
        #expect(caught)
    }

    @Test func currentEffectiveDeadlineFollowsScopes() throws {
        let values = try runMocked { () -> [Double] in
            var values = [try Trio.currentEffectiveDeadline()]
            try await CancelScope(deadline: 10).run {
                try await CancelScope(deadline: 20).run { values.append(try Trio.currentEffectiveDeadline()) }
                try await CancelScope(deadline: 20, shield: true).run {
                    values.append(try Trio.currentEffectiveDeadline())
                }
                let cancelled = CancelScope()
                try await cancelled.run {
                    cancelled.cancel()
                    values.append(try Trio.currentEffectiveDeadline())
                }
            }
            return values
        }
        #expect(values == [.infinity, 10, 20, -.infinity])
    }

    @Test func cancelCalledTurnsTrueWhenTheDeadlinePasses() throws {
        let (before, after) = try runMocked { () -> (Bool, Bool) in
            let scope = CancelScope(deadline: 1)
            let before = scope.cancelCalled
            try await Trio.sleep(2)
            return (before, scope.cancelCalled)
        }
        #expect(!before)
        #expect(after)
    }

    @Test func cancelledCarriesTheReason() throws {
        let reason = try runMocked { () -> String? in
            var reason: String?
            let scope = CancelScope()
            try await scope.run {
                scope.cancel(reason: "shutting down")
                do { try await Trio.checkpoint() } catch let error as Cancelled { reason = error.reason; throw error }
            }
            return reason
        }
        #expect(reason == "shutting down")
    }

    @Test func blockingCallsAreCheckpointsEvenWhenTheyNeedNotBlock() throws {
        let raised = try runMocked { () -> Int in
            var raised = 0
            let event = Trio.Event()
            event.set()
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                for call in [
                    { try await event.wait() }, { try await Trio.sleep(0) }, { try await Trio.sleepUntil(-5) },
                    { try await Trio.checkpointIfCancelled() }, { try await moveOnAfter(10) { try await Trio.checkpoint() } },
                ] as [() async throws -> Void] {
                    do { try await call() } catch is Cancelled { raised += 1 }
                }
            }
            return raised
        }
        #expect(raised == 5)
    }

    @Test func emptyNurseryExitIsAScheduleButNotACancelPoint() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon { log.append("other") }
                let scope = CancelScope()
                try await scope.run {
                    scope.cancel()
                    try await withNursery { _ in }
                    log.append("after empty nursery")
                    try await Trio.checkpoint()
                }
            }
            return log
        }
        #expect(log == ["other", "after empty nursery"])
    }

    @Test func checkpointIfCancelledDoesNotYieldWhenNotCancelled() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon { log.append("other") }
                for _ in 0..<3 { try await Trio.checkpointIfCancelled() }
                log.append("body")
                try await Trio.checkpoint()
            }
            return log
        }
        #expect(log == ["body", "other"])
    }

    @Test func checkpointYieldsToOtherTasks() throws {
        let log = try runMocked { () -> [String] in
            var log: [String] = []
            try await withNursery { n in
                try n.startSoon { log.append("other") }
                try await Trio.checkpoint()
                log.append("body")
            }
            return log
        }
        #expect(log == ["other", "body"])
    }

    @Test func cancelShieldedCheckpointIgnoresCancellation() throws {
        let reached = try runMocked { () -> Bool in
            var reached = false
            let scope = CancelScope()
            try await scope.run {
                scope.cancel()
                await Lowlevel.cancelShieldedCheckpoint()
                reached = true
                try await Trio.checkpoint()
            }
            return reached
        }
        #expect(reached)
    }

    @Test func sleepForeverEndsOnlyByCancellation() throws {
        let now = try runMocked { () -> Double in
            try await moveOnAfter(42) { try await Trio.sleepForever() }
            return try Trio.currentTime()
        }
        #expect(now == 42)
    }

    @Test func cancellingANurseryCancelsItsChildrenInOtherTasks() throws {
        let count = try runMocked { () -> Int in
            var count = 0
            let outer = CancelScope()
            try await outer.run {
                try await withNursery { n in
                    for _ in 0..<10 {
                        try n.startSoon {
                            do { try await Trio.sleepForever() } catch let error as Cancelled { count += 1; throw error }
                        }
                    }
                    try await Trio.sleep(1)
                    outer.cancel()
                }
            }
            return count
        }
        #expect(count == 10)
    }
}
