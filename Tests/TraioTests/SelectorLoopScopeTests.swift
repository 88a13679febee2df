import Asyncio
import AsyncioTestSupport
import Testing
import Traio
import TraioTestSupport

// traio's test suites (TraioTestSupport's conformance bodies) on the standalone `SelectorEventLoop`. The
// same bodies run on the loops hosted in a Trio run (`TrioEventLoop`, `SyncTrioEventLoop`) from TraioHostedTests.

@Suite struct BubbleTests {
    let body = BubbleConformance()

    @Test(arguments: [true, false])
    func aTaskThatDoesNotBubbleLeavesTheScopeRunning(awaited: Bool) throws {
        try body.aTaskThatDoesNotBubbleLeavesTheScopeRunning(.selector, awaited: awaited)
    }

    @Test(arguments: [true, false])
    func aMasterThatDoesNotBubbleEndsTheScopeSilently(awaited: Bool) throws {
        try body.aMasterThatDoesNotBubbleEndsTheScopeSilently(.selector, awaited: awaited)
    }

    @Test func aBubblingErrorCancelsTheOthersAndIsRaisedUnwrapped() throws {
        try body.aBubblingErrorCancelsTheOthersAndIsRaisedUnwrapped(.selector)
    }

    @Test func aTaskNotAwaitedStillBubbles() throws {
        try body.aTaskNotAwaitedStillBubbles(.selector)
    }

    @Test func addingADoneCallbackTurnsBubblingOff() throws {
        try body.addingADoneCallbackTurnsBubblingOff(.selector)
    }

    @Test func gatheringATaskTurnsBubblingOff() throws {
        try body.gatheringATaskTurnsBubblingOff(.selector)
    }

    @Test func awaitingAnAlreadyFinishedTaskStillTurnsBubblingOff() throws {
        try body.awaitingAnAlreadyFinishedTaskStillTurnsBubblingOff(.selector)
    }
}

@Suite struct CancelTests {
    let body = CancelConformance()

    @Test func aTaskRefusingToDieIsGivenUpAfterItsCancelTimeout() throws {
        try body.aTaskRefusingToDieIsGivenUpAfterItsCancelTimeout(.selector)
    }

    @Test func cancellingTheHostTaskCancelsTheScopeAndRaisesCancelledError() throws {
        try body.cancellingTheHostTaskCancelsTheScopeAndRaisesCancelledError(.selector)
    }

    @Test func aTaskFailingWhileCancelledFromOutsideIsLogged() throws {
        try body.aTaskFailingWhileCancelledFromOutsideIsLogged(.selector)
    }

    @Test func cancellingFromTheBodyEndsTheScopeSilently() throws {
        try body.cancellingFromTheBodyEndsTheScopeSilently(.selector)
    }

    @Test func aTaskFailingWhenCancelledDoesNotReplaceTheTimeout() throws {
        try body.aTaskFailingWhenCancelledDoesNotReplaceTheTimeout(.selector)
    }

    @Test(arguments: ScopeWait.allCases)
    func waitingForACancelledScope(waiting: ScopeWait) throws {
        try body.waitingForACancelledScope(.selector, waiting: waiting)
    }

    @Test func aTaskCancelsItsScopeBeforeTheBodyEnds() throws {
        try body.aTaskCancelsItsScopeBeforeTheBodyEnds(.selector)
    }

    @Test func cancellingTwiceFromOutside() throws {
        try body.cancellingTwiceFromOutside(.selector)
    }

    @Test func cancellingTwiceWithErrorsFromOutsideKeepsTheFirst() throws {
        try body.cancellingTwiceWithErrorsFromOutsideKeepsTheFirst(.selector)
    }

    @Test func cancellingTwiceFromATaskOfTheScope() throws {
        try body.cancellingTwiceFromATaskOfTheScope(.selector)
    }

    @Test func cancellingTwiceWithErrorsFromATaskOfTheScopeKeepsTheFirst() throws {
        try body.cancellingTwiceWithErrorsFromATaskOfTheScopeKeepsTheFirst(.selector)
    }

    @Test func cancellingAfterTheEndChangesNothing() throws {
        try body.cancellingAfterTheEndChangesNothing(.selector)
    }
}

@Suite struct GeneralTests {
    let body = GeneralConformance()

    @Test func theTraioVersionReproduced() {
        #expect(Scope.traioVersion == "0.5.2")
    }

    @Test func lifeCycleMessagesAreLoggedAtDebugLevel() throws {
        try body.lifeCycleMessagesAreLoggedAtDebugLevel(.selector)
    }

    @Test func theTimeoutIsADebugMessageToo() throws {
        try body.theTimeoutIsADebugMessageToo(.selector)
    }

    @Test func theDefaultLoggerIsNamedAfterTheScope() throws {
        try body.theDefaultLoggerIsNamedAfterTheScope(.selector)
    }

    @Test func anEmptyScope() throws {
        try body.anEmptyScope(.selector)
    }

    @Test func anEmptyScopeWithATimeoutEndsAtOnce() throws {
        try body.anEmptyScopeWithATimeoutEndsAtOnce(.selector)
    }

    @Test func aScopeRunsItsTask() throws {
        try body.aScopeRunsItsTask(.selector)
    }

    @Test func aScopeSupervisesAFuture() throws {
        try body.aScopeSupervisesAFuture(.selector)
    }

    @Test func theBodysErrorIsRaised() throws {
        try body.theBodysErrorIsRaised(.selector)
    }

    @Test func theBodysErrorWaitsForTheTasksToBeCancelled() throws {
        try body.theBodysErrorWaitsForTheTasksToBeCancelled(.selector)
    }

    @Test func aTasksErrorIsRaised() throws {
        try body.aTasksErrorIsRaised(.selector)
    }

    @Test func runReturnsTheBodysValue() throws {
        try body.runReturnsTheBodysValue(.selector)
    }

    @Test func aBodyWithAValueInterruptedBySilentCancelRethrows() throws {
        try body.aBodyWithAValueInterruptedBySilentCancelRethrows(.selector)
    }

    @Test func tasksListsRunningTasksAndForks() throws {
        try body.tasksListsRunningTasksAndForks(.selector)
    }
}

@Suite struct JoinTests {
    let body = JoinConformance()

    @Test func awaitingSpawnedTasks() throws {
        try body.awaitingSpawnedTasks(.selector)
    }

    @Test func awaitingACancelledTask() throws {
        try body.awaitingACancelledTask(.selector)
    }

    @Test(arguments: ScopeWait.allCases)
    func awaitingACancelledTaskWithoutRun(waiting: ScopeWait) throws {
        try body.awaitingACancelledTaskWithoutRun(.selector, waiting: waiting)
    }

    @Test func awaitingAFailingTaskCatchesItsError() throws {
        try body.awaitingAFailingTaskCatchesItsError(.selector)
    }

    @Test func waitForOnAFailingTaskCatchesItsError() throws {
        try body.waitForOnAFailingTaskCatchesItsError(.selector)
    }

    @Test func awaitingAFailingTaskWithoutRun() throws {
        try body.awaitingAFailingTaskWithoutRun(.selector)
    }

    @Test func spawningAfterAwaitingATask() throws {
        try body.spawningAfterAwaitingATask(.selector)
    }

    @Test func spawningAfterAwaitingATaskWithoutRun() throws {
        try body.spawningAfterAwaitingATaskWithoutRun(.selector)
    }

    @Test func withoutFinalizeAScopeWaitsForACancel() throws {
        try body.withoutFinalizeAScopeWaitsForACancel(.selector)
    }

    @Test func aFinishedScopeHasCleanedUpItsTasks() throws {
        try body.aFinishedScopeHasCleanedUpItsTasks(.selector)
    }

    @Test func tasksCleaningUpSlowlyAreWaitedFor() throws {
        try body.tasksCleaningUpSlowlyAreWaitedFor(.selector)
    }

    @Test func anOutsideCancelCleansUpBeforeRunReturns() throws {
        try body.anOutsideCancelCleansUpBeforeRunReturns(.selector)
    }

    @Test func waitingFromAnotherTaskSeesTheCleanUpDone() throws {
        try body.waitingFromAnotherTaskSeesTheCleanUpDone(.selector)
    }

    @Test func aTaskNotAwaitedDoesNotKeepTheScopeAlive() throws {
        try body.aTaskNotAwaitedDoesNotKeepTheScopeAlive(.selector)
    }

    @Test func aTaskNotAwaitedEndsWithTheAwaitedOnes() throws {
        try body.aTaskNotAwaitedEndsWithTheAwaitedOnes(.selector)
    }

    @Test func aTaskNotAwaitedDoesNotHideATimeout() throws {
        try body.aTaskNotAwaitedDoesNotHideATimeout(.selector)
    }

    @Test func aTaskNotAwaitedIsCancelledAndJoined() throws {
        try body.aTaskNotAwaitedIsCancelledAndJoined(.selector)
    }
}

@Suite struct MasterTests {
    let body = MasterConformance()

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func theScopeEndsWithItsMaster(flags: (bubble: Bool, awaited: Bool)) throws {
        try body.theScopeEndsWithItsMaster(.selector, flags: flags)
    }

    @Test(arguments: [true, false])
    func aFailingMasterRaisesItsError(awaited: Bool) throws {
        try body.aFailingMasterRaisesItsError(.selector, awaited: awaited)
    }

    @Test func cancellingTheMasterEndsTheScope() throws {
        try body.cancellingTheMasterEndsTheScope(.selector)
    }
}

@Suite struct MisuseTests {
    let body = MisuseConformance()

    @Test func aScopeMadeOutsideAnAsyncioTaskIsUnusable() async throws {
        let scope = Scope(timeout: 1)
        #expect(throws: FlavorError.self) { try scope.spawn {} }
        #expect(throws: FlavorError.self) { try scope.fork() }
        #expect(throws: FlavorError.self) { try scope.asFuture() }
        await #expect(throws: FlavorError.self) { try await scope.run { _ in } }
        await #expect(throws: FlavorError.self) { try await scope.wait() }
        scope.cancel()
        scope.finalize()
        #expect(scope.tasks().isEmpty)
    }

    @Test func aFutureOfAnotherLoopIsRefused() throws {
        try body.aFutureOfAnotherLoopIsRefused(.selector)
    }

    @Test func badNumbersAreRefused() throws {
        try body.badNumbersAreRefused(.selector)
    }

    @Test func infiniteTimesMeanNoLimit() throws {
        try body.infiniteTimesMeanNoLimit(.selector)
    }

    @Test func runOutsideAnAsyncioTaskIsRefused() async throws {
        try await body.runOutsideAnAsyncioTaskIsRefused(.selector)
    }

    @Test func aScopeIsEnteredOnce() throws {
        try body.aScopeIsEnteredOnce(.selector)
    }

    @Test func aDeadOrDyingScopeTakesNoTasks() throws {
        try body.aDeadOrDyingScopeTakesNoTasks(.selector)
    }
}

@Suite struct NestedTests {
    let body = NestedConformance()

    @Test func anOuterTimeoutEndsAnUnrelatedInnerScope() throws {
        try body.anOuterTimeoutEndsAnUnrelatedInnerScope(.selector)
    }

    @Test func theParentsTimeoutEndsAFork() throws {
        try body.theParentsTimeoutEndsAFork(.selector)
    }

    @Test func theParentsTimeoutEndsAForkWaitedFor() throws {
        try body.theParentsTimeoutEndsAForkWaitedFor(.selector)
    }

    @Test func aForksTimeoutIsRaisedThroughItsParent() throws {
        try body.aForksTimeoutIsRaisedThroughItsParent(.selector)
    }

    @Test func aFinishedScopeCannotFork() throws {
        try body.aFinishedScopeCannotFork(.selector)
    }

    @Test func aForksTimeoutInASiblingTaskBubbles() throws {
        try body.aForksTimeoutInASiblingTaskBubbles(.selector)
    }

    @Test func aForksErrorDoesNotBubbleIntoItsParent() throws {
        try body.aForksErrorDoesNotBubbleIntoItsParent(.selector)
    }

    @Test(arguments: ScopeWait.allCases)
    func cancellingAForkThenItsParent(waiting: ScopeWait) throws {
        try body.cancellingAForkThenItsParent(.selector, waiting: waiting)
    }

    @Test func cancellingTheFutureOfAScopeCancelsTheScope() throws {
        try body.cancellingTheFutureOfAScopeCancelsTheScope(.selector)
    }

    @Test func theCurrentScope() throws {
        try body.theCurrentScope(.selector)
    }
}

@Suite struct TimeoutTests {
    let body = TimeoutConformance()

    @Test func timeoutCancelsTheScopeWithTimeoutError() throws {
        try body.timeoutCancelsTheScopeWithTimeoutError(.selector)
    }

    @Test func settingTheTimeoutReplacesTheOldOne() throws {
        try body.settingTheTimeoutReplacesTheOldOne(.selector)
    }

    @Test func settingTheTimeoutRestartsTheTimerFromNow() throws {
        try body.settingTheTimeoutRestartsTheTimerFromNow(.selector)
    }

    @Test func settingTheTimeoutToZeroRemovesIt() throws {
        try body.settingTheTimeoutToZeroRemovesIt(.selector)
    }

    @Test func badTimeoutsAreRefused() throws {
        try body.badTimeoutsAreRefused(.selector)
    }

    @Test func aTimeoutAfterTheEndChangesNothing() throws {
        try body.aTimeoutAfterTheEndChangesNothing(.selector)
    }
}
