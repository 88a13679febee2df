import AsyncioTestSupport
import HostedTestSupport
import Testing
import TraioTestSupport

// traio's test suites (TraioTestSupport's conformance bodies) on the loops hosted in a Trio run, `TrioEventLoop`
// and `SyncTrioEventLoop` (`HostedLoops`). TraioTests runs the same bodies on `SelectorEventLoop`.

@Suite struct HostedBubbleTests {
    let body = BubbleConformance()

    @Test(arguments: HostedLoops.all, [true, false])
    func aTaskThatDoesNotBubbleLeavesTheScopeRunning(_ loop: ConformanceLoop, awaited: Bool) throws {
        try body.aTaskThatDoesNotBubbleLeavesTheScopeRunning(loop, awaited: awaited)
    }

    @Test(arguments: HostedLoops.all, [true, false])
    func aMasterThatDoesNotBubbleEndsTheScopeSilently(_ loop: ConformanceLoop, awaited: Bool) throws {
        try body.aMasterThatDoesNotBubbleEndsTheScopeSilently(loop, awaited: awaited)
    }

    @Test(arguments: HostedLoops.all)
    func aBubblingErrorCancelsTheOthersAndIsRaisedUnwrapped(_ loop: ConformanceLoop) throws {
        try body.aBubblingErrorCancelsTheOthersAndIsRaisedUnwrapped(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskNotAwaitedStillBubbles(_ loop: ConformanceLoop) throws {
        try body.aTaskNotAwaitedStillBubbles(loop)
    }

    @Test(arguments: HostedLoops.all)
    func addingADoneCallbackTurnsBubblingOff(_ loop: ConformanceLoop) throws {
        try body.addingADoneCallbackTurnsBubblingOff(loop)
    }

    @Test(arguments: HostedLoops.all)
    func gatheringATaskTurnsBubblingOff(_ loop: ConformanceLoop) throws {
        try body.gatheringATaskTurnsBubblingOff(loop)
    }

    @Test(arguments: HostedLoops.all)
    func awaitingAnAlreadyFinishedTaskStillTurnsBubblingOff(_ loop: ConformanceLoop) throws {
        try body.awaitingAnAlreadyFinishedTaskStillTurnsBubblingOff(loop)
    }
}

@Suite struct HostedCancelTests {
    let body = CancelConformance()

    @Test(arguments: HostedLoops.all)
    func aTaskRefusingToDieIsGivenUpAfterItsCancelTimeout(_ loop: ConformanceLoop) throws {
        try body.aTaskRefusingToDieIsGivenUpAfterItsCancelTimeout(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTheHostTaskCancelsTheScopeAndRaisesCancelledError(_ loop: ConformanceLoop) throws {
        try body.cancellingTheHostTaskCancelsTheScopeAndRaisesCancelledError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskFailingWhileCancelledFromOutsideIsLogged(_ loop: ConformanceLoop) throws {
        try body.aTaskFailingWhileCancelledFromOutsideIsLogged(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingFromTheBodyEndsTheScopeSilently(_ loop: ConformanceLoop) throws {
        try body.cancellingFromTheBodyEndsTheScopeSilently(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskFailingWhenCancelledDoesNotReplaceTheTimeout(_ loop: ConformanceLoop) throws {
        try body.aTaskFailingWhenCancelledDoesNotReplaceTheTimeout(loop)
    }

    @Test(arguments: HostedLoops.all, ScopeWait.allCases)
    func waitingForACancelledScope(_ loop: ConformanceLoop, waiting: ScopeWait) throws {
        try body.waitingForACancelledScope(loop, waiting: waiting)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskCancelsItsScopeBeforeTheBodyEnds(_ loop: ConformanceLoop) throws {
        try body.aTaskCancelsItsScopeBeforeTheBodyEnds(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTwiceFromOutside(_ loop: ConformanceLoop) throws {
        try body.cancellingTwiceFromOutside(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTwiceWithErrorsFromOutsideKeepsTheFirst(_ loop: ConformanceLoop) throws {
        try body.cancellingTwiceWithErrorsFromOutsideKeepsTheFirst(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTwiceFromATaskOfTheScope(_ loop: ConformanceLoop) throws {
        try body.cancellingTwiceFromATaskOfTheScope(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTwiceWithErrorsFromATaskOfTheScopeKeepsTheFirst(_ loop: ConformanceLoop) throws {
        try body.cancellingTwiceWithErrorsFromATaskOfTheScopeKeepsTheFirst(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingAfterTheEndChangesNothing(_ loop: ConformanceLoop) throws {
        try body.cancellingAfterTheEndChangesNothing(loop)
    }
}

@Suite struct HostedGeneralTests {
    let body = GeneralConformance()

    @Test(arguments: HostedLoops.all)
    func lifeCycleMessagesAreLoggedAtDebugLevel(_ loop: ConformanceLoop) throws {
        try body.lifeCycleMessagesAreLoggedAtDebugLevel(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theTimeoutIsADebugMessageToo(_ loop: ConformanceLoop) throws {
        try body.theTimeoutIsADebugMessageToo(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theDefaultLoggerIsNamedAfterTheScope(_ loop: ConformanceLoop) throws {
        try body.theDefaultLoggerIsNamedAfterTheScope(loop)
    }

    @Test(arguments: HostedLoops.all)
    func anEmptyScope(_ loop: ConformanceLoop) throws {
        try body.anEmptyScope(loop)
    }

    @Test(arguments: HostedLoops.all)
    func anEmptyScopeWithATimeoutEndsAtOnce(_ loop: ConformanceLoop) throws {
        try body.anEmptyScopeWithATimeoutEndsAtOnce(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aScopeRunsItsTask(_ loop: ConformanceLoop) throws {
        try body.aScopeRunsItsTask(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aScopeSupervisesAFuture(_ loop: ConformanceLoop) throws {
        try body.aScopeSupervisesAFuture(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theBodysErrorIsRaised(_ loop: ConformanceLoop) throws {
        try body.theBodysErrorIsRaised(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theBodysErrorWaitsForTheTasksToBeCancelled(_ loop: ConformanceLoop) throws {
        try body.theBodysErrorWaitsForTheTasksToBeCancelled(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTasksErrorIsRaised(_ loop: ConformanceLoop) throws {
        try body.aTasksErrorIsRaised(loop)
    }

    @Test(arguments: HostedLoops.all)
    func runReturnsTheBodysValue(_ loop: ConformanceLoop) throws {
        try body.runReturnsTheBodysValue(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aBodyWithAValueInterruptedBySilentCancelRethrows(_ loop: ConformanceLoop) throws {
        try body.aBodyWithAValueInterruptedBySilentCancelRethrows(loop)
    }

    @Test(arguments: HostedLoops.all)
    func tasksListsRunningTasksAndForks(_ loop: ConformanceLoop) throws {
        try body.tasksListsRunningTasksAndForks(loop)
    }
}

@Suite struct HostedJoinTests {
    let body = JoinConformance()

    @Test(arguments: HostedLoops.all)
    func awaitingSpawnedTasks(_ loop: ConformanceLoop) throws {
        try body.awaitingSpawnedTasks(loop)
    }

    @Test(arguments: HostedLoops.all)
    func awaitingACancelledTask(_ loop: ConformanceLoop) throws {
        try body.awaitingACancelledTask(loop)
    }

    @Test(arguments: HostedLoops.all, ScopeWait.allCases)
    func awaitingACancelledTaskWithoutRun(_ loop: ConformanceLoop, waiting: ScopeWait) throws {
        try body.awaitingACancelledTaskWithoutRun(loop, waiting: waiting)
    }

    @Test(arguments: HostedLoops.all)
    func awaitingAFailingTaskCatchesItsError(_ loop: ConformanceLoop) throws {
        try body.awaitingAFailingTaskCatchesItsError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func waitForOnAFailingTaskCatchesItsError(_ loop: ConformanceLoop) throws {
        try body.waitForOnAFailingTaskCatchesItsError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func awaitingAFailingTaskWithoutRun(_ loop: ConformanceLoop) throws {
        try body.awaitingAFailingTaskWithoutRun(loop)
    }

    @Test(arguments: HostedLoops.all)
    func spawningAfterAwaitingATask(_ loop: ConformanceLoop) throws {
        try body.spawningAfterAwaitingATask(loop)
    }

    @Test(arguments: HostedLoops.all)
    func spawningAfterAwaitingATaskWithoutRun(_ loop: ConformanceLoop) throws {
        try body.spawningAfterAwaitingATaskWithoutRun(loop)
    }

    @Test(arguments: HostedLoops.all)
    func withoutFinalizeAScopeWaitsForACancel(_ loop: ConformanceLoop) throws {
        try body.withoutFinalizeAScopeWaitsForACancel(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aFinishedScopeHasCleanedUpItsTasks(_ loop: ConformanceLoop) throws {
        try body.aFinishedScopeHasCleanedUpItsTasks(loop)
    }

    @Test(arguments: HostedLoops.all)
    func tasksCleaningUpSlowlyAreWaitedFor(_ loop: ConformanceLoop) throws {
        try body.tasksCleaningUpSlowlyAreWaitedFor(loop)
    }

    @Test(arguments: HostedLoops.all)
    func anOutsideCancelCleansUpBeforeRunReturns(_ loop: ConformanceLoop) throws {
        try body.anOutsideCancelCleansUpBeforeRunReturns(loop)
    }

    @Test(arguments: HostedLoops.all)
    func waitingFromAnotherTaskSeesTheCleanUpDone(_ loop: ConformanceLoop) throws {
        try body.waitingFromAnotherTaskSeesTheCleanUpDone(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskNotAwaitedDoesNotKeepTheScopeAlive(_ loop: ConformanceLoop) throws {
        try body.aTaskNotAwaitedDoesNotKeepTheScopeAlive(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskNotAwaitedEndsWithTheAwaitedOnes(_ loop: ConformanceLoop) throws {
        try body.aTaskNotAwaitedEndsWithTheAwaitedOnes(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskNotAwaitedDoesNotHideATimeout(_ loop: ConformanceLoop) throws {
        try body.aTaskNotAwaitedDoesNotHideATimeout(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTaskNotAwaitedIsCancelledAndJoined(_ loop: ConformanceLoop) throws {
        try body.aTaskNotAwaitedIsCancelledAndJoined(loop)
    }
}

@Suite struct HostedMasterTests {
    let body = MasterConformance()

    @Test(arguments: HostedLoops.all, [(false, false), (false, true), (true, false), (true, true)])
    func theScopeEndsWithItsMaster(_ loop: ConformanceLoop, flags: (bubble: Bool, awaited: Bool)) throws {
        try body.theScopeEndsWithItsMaster(loop, flags: flags)
    }

    @Test(arguments: HostedLoops.all, [true, false])
    func aFailingMasterRaisesItsError(_ loop: ConformanceLoop, awaited: Bool) throws {
        try body.aFailingMasterRaisesItsError(loop, awaited: awaited)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTheMasterEndsTheScope(_ loop: ConformanceLoop) throws {
        try body.cancellingTheMasterEndsTheScope(loop)
    }
}

@Suite struct HostedMisuseTests {
    let body = MisuseConformance()

    @Test(arguments: HostedLoops.all)
    func aFutureOfAnotherLoopIsRefused(_ loop: ConformanceLoop) throws {
        try body.aFutureOfAnotherLoopIsRefused(loop)
    }

    @Test(arguments: HostedLoops.all)
    func badNumbersAreRefused(_ loop: ConformanceLoop) throws {
        try body.badNumbersAreRefused(loop)
    }

    @Test(arguments: HostedLoops.all)
    func infiniteTimesMeanNoLimit(_ loop: ConformanceLoop) throws {
        try body.infiniteTimesMeanNoLimit(loop)
    }

    @Test(arguments: HostedLoops.all)
    func runOutsideAnAsyncioTaskIsRefused(_ loop: ConformanceLoop) async throws {
        try await body.runOutsideAnAsyncioTaskIsRefused(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aScopeIsEnteredOnce(_ loop: ConformanceLoop) throws {
        try body.aScopeIsEnteredOnce(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aDeadOrDyingScopeTakesNoTasks(_ loop: ConformanceLoop) throws {
        try body.aDeadOrDyingScopeTakesNoTasks(loop)
    }
}

@Suite struct HostedNestedTests {
    let body = NestedConformance()

    @Test(arguments: HostedLoops.all)
    func anOuterTimeoutEndsAnUnrelatedInnerScope(_ loop: ConformanceLoop) throws {
        try body.anOuterTimeoutEndsAnUnrelatedInnerScope(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theParentsTimeoutEndsAFork(_ loop: ConformanceLoop) throws {
        try body.theParentsTimeoutEndsAFork(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theParentsTimeoutEndsAForkWaitedFor(_ loop: ConformanceLoop) throws {
        try body.theParentsTimeoutEndsAForkWaitedFor(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aForksTimeoutIsRaisedThroughItsParent(_ loop: ConformanceLoop) throws {
        try body.aForksTimeoutIsRaisedThroughItsParent(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aFinishedScopeCannotFork(_ loop: ConformanceLoop) throws {
        try body.aFinishedScopeCannotFork(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aForksTimeoutInASiblingTaskBubbles(_ loop: ConformanceLoop) throws {
        try body.aForksTimeoutInASiblingTaskBubbles(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aForksErrorDoesNotBubbleIntoItsParent(_ loop: ConformanceLoop) throws {
        try body.aForksErrorDoesNotBubbleIntoItsParent(loop)
    }

    @Test(arguments: HostedLoops.all, ScopeWait.allCases)
    func cancellingAForkThenItsParent(_ loop: ConformanceLoop, waiting: ScopeWait) throws {
        try body.cancellingAForkThenItsParent(loop, waiting: waiting)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingTheFutureOfAScopeCancelsTheScope(_ loop: ConformanceLoop) throws {
        try body.cancellingTheFutureOfAScopeCancelsTheScope(loop)
    }

    @Test(arguments: HostedLoops.all)
    func theCurrentScope(_ loop: ConformanceLoop) throws {
        try body.theCurrentScope(loop)
    }
}

@Suite struct HostedTimeoutTests {
    let body = TimeoutConformance()

    @Test(arguments: HostedLoops.all)
    func timeoutCancelsTheScopeWithTimeoutError(_ loop: ConformanceLoop) throws {
        try body.timeoutCancelsTheScopeWithTimeoutError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func settingTheTimeoutReplacesTheOldOne(_ loop: ConformanceLoop) throws {
        try body.settingTheTimeoutReplacesTheOldOne(loop)
    }

    @Test(arguments: HostedLoops.all)
    func settingTheTimeoutRestartsTheTimerFromNow(_ loop: ConformanceLoop) throws {
        try body.settingTheTimeoutRestartsTheTimerFromNow(loop)
    }

    @Test(arguments: HostedLoops.all)
    func settingTheTimeoutToZeroRemovesIt(_ loop: ConformanceLoop) throws {
        try body.settingTheTimeoutToZeroRemovesIt(loop)
    }

    @Test(arguments: HostedLoops.all)
    func badTimeoutsAreRefused(_ loop: ConformanceLoop) throws {
        try body.badTimeoutsAreRefused(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aTimeoutAfterTheEndChangesNothing(_ loop: ConformanceLoop) throws {
        try body.aTimeoutAfterTheEndChangesNothing(loop)
    }
}
