import AsyncioTestSupport
import Testing

// The asyncio conformance suites (AsyncioTestSupport) on the standalone `SelectorEventLoop`. The same
// bodies run on the loops hosted in Trio from TrioAsyncioTests (HostedLoopConformanceTests.swift).

@Suite struct EventLoopTests {
    let body = EventLoopConformance()

    @Test func callSoonRunsInFIFOOrderOnlyWhenTheLoopRuns() throws {
        try body.callSoonRunsInFIFOOrderOnlyWhenTheLoopRuns(.selector)
    }

    @Test func stopInsideACallbackFinishesTheIterationFirst() throws {
        try body.stopInsideACallbackFinishesTheIterationFirst(.selector)
    }

    @Test func stopBeforeRunForeverRunsOneIteration() throws {
        try body.stopBeforeRunForeverRunsOneIteration(.selector)
    }

    @Test func cancelledHandleDoesNotRun() throws {
        try body.cancelledHandleDoesNotRun(.selector)
    }

    @Test func timersRunInDueOrderAndNotEarly() throws {
        try body.timersRunInDueOrderAndNotEarly(.selector)
    }

    @Test func dueTimersQueueBehindCallbacksAlreadyReady() throws {
        try body.dueTimersQueueBehindCallbacksAlreadyReady(.selector)
    }

    @Test func cancelledTimerDoesNotRun() throws {
        try body.cancelledTimerDoesNotRun(.selector)
    }

    @Test func manyCancelledTimersAreDropped() throws {
        try body.manyCancelledTimersAreDropped(.selector)
    }

    @Test func nanDeadlinesAreRefused() throws {
        try body.nanDeadlinesAreRefused(.selector)
    }

    @Test func sleepRefusesNaN() throws {
        try body.sleepRefusesNaN(.selector)
    }

    @Test func timeIsMonotonic() throws {
        try body.timeIsMonotonic(.selector)
    }

    @Test func stateRules() throws {
        try body.stateRules(.selector)
    }

    @Test func runUntilCompleteReturnsTheResultOrThrows() throws {
        try body.runUntilCompleteReturnsTheResultOrThrows(.selector)
    }

    @Test func callSoonThreadsafeWakesABlockedLoop() throws {
        try body.callSoonThreadsafeWakesABlockedLoop(.selector)
    }

    @Test func readersAndWritersFollowTheFileDescriptor() throws {
        try body.readersAndWritersFollowTheFileDescriptor(.selector)
    }

    @Test func sniffioSaysAsyncioInCallbacksAndTasks() throws {
        try body.sniffioSaysAsyncioInCallbacksAndTasks(.selector)
    }

    @Test func getRunningLoopInsideAndOutside() throws {
        try body.getRunningLoopInsideAndOutside(.selector)
    }

    @Test func customExceptionHandlerReceivesContexts() throws {
        try body.customExceptionHandlerReceivesContexts(.selector)
    }

    @Test func runInExecutorRunsOnAnotherThread() throws {
        try body.runInExecutorRunsOnAnotherThread(.selector)
    }

    @Test func runInExecutorPropagatesErrors() throws {
        try body.runInExecutorPropagatesErrors(.selector)
    }

    @Test func runInExecutorCancelledBeforeStartingNeverRuns() throws {
        try body.runInExecutorCancelledBeforeStartingNeverRuns(.selector)
    }

    @Test func threadPoolStartsAThreadWhenWorkOutnumbersIdleThreads() throws {
        try body.threadPoolStartsAThreadWhenWorkOutnumbersIdleThreads()
    }

    @Test func signalHandlerRunsOnTheLoop() throws {
        try body.signalHandlerRunsOnTheLoop(.selector)
    }
}

@Suite struct FutureTests {
    let body = FutureConformance()

    @Test func stateTransitions() throws {
        try body.stateTransitions(.selector)
    }

    @Test func callbacksAClosedLoopCannotScheduleAreReported() throws {
        try body.callbacksAClosedLoopCannotScheduleAreReported(.selector)
    }

    @Test func cancelCarriesTheMessage() throws {
        try body.cancelCarriesTheMessage(.selector)
    }

    @Test func doneCallbacksRunThroughTheReadyQueueInOrder() throws {
        try body.doneCallbacksRunThroughTheReadyQueueInOrder(.selector)
    }

    @Test func awaitingReturnsResultOrThrows() throws {
        try body.awaitingReturnsResultOrThrows(.selector)
    }

    @Test func awaitingOutsideATaskIsAFlavorError() async throws {
        try await body.awaitingOutsideATaskIsAFlavorError(.selector)
    }

    @Test func unretrievedExceptionIsReportedOnlyWhenNotRetrieved() throws {
        try body.unretrievedExceptionIsReportedOnlyWhenNotRetrieved(.selector)
    }
}

@Suite struct FlavorTests {
    let body = FlavorConformance()

    @Test func asyncioPrimitivesOutsideATaskThrowFlavorError() async throws {
        try await body.asyncioPrimitivesOutsideATaskThrowFlavorError()
    }
}

@Suite struct LoopPolicyTests {
    let body = LoopPolicyConformance()

    @Test func getEventLoopReturnsTheSetLoopOrCreatesOne() throws {
        try body.getEventLoopReturnsTheSetLoopOrCreatesOne()
    }

    @Test func getEventLoopInsideARunningLoopIsThatLoop() throws {
        try body.getEventLoopInsideARunningLoopIsThatLoop(.selector)
    }

    @Test func debugModeRejectsCallsFromOtherThreads() throws {
        try body.debugModeRejectsCallsFromOtherThreads(.selector)
    }

    @Test func runningAnotherLoopInsideACallbackIsRefused() throws {
        try body.runningAnotherLoopInsideACallbackIsRefused(.selector)
    }
}

@Suite struct MoreTaskTests {
    let body = MoreTaskConformance()

    @Test func ensureFutureAndTypedWait() throws {
        try body.ensureFutureAndTypedWait(.selector)
    }

    @Test func timeoutAtUsesLoopTime() throws {
        try body.timeoutAtUsesLoopTime(.selector)
    }

    @Test func cancelledSemaphoreWaiterGivesItsUnitBack() throws {
        try body.cancelledSemaphoreWaiterGivesItsUnitBack(.selector)
    }

    @Test func cancelledConditionWaiterReacquiresTheLock() throws {
        try body.cancelledConditionWaiterReacquiresTheLock(.selector)
    }

    @Test func conditionWaiterCancelledWhileReacquiringPassesTheNotificationOn() throws {
        try body.conditionWaiterCancelledWhileReacquiringPassesTheNotificationOn(.selector)
    }

    @Test func uncancelDropsAnUndeliveredRequest() throws {
        try body.uncancelDropsAnUndeliveredRequest(.selector)
    }
}

@Suite struct MoreStreamTests {
    let body = MoreStreamConformance()

    @Test func serverAsAsyncContextManagerAndHandlerErrorsAreReported() throws {
        try body.serverAsAsyncContextManagerAndHandlerErrorsAreReported(.selector)
    }

    @Test func largeTransfersKeepOrderUnderFlowControl() throws {
        try body.largeTransfersKeepOrderUnderFlowControl(.selector)
    }
}

@Suite struct ToThreadTests {
    let body = ToThreadConformance()

    @Test func toThreadRunsElsewhereAndKeepsTheLoopResponsive() throws {
        try body.toThreadRunsElsewhereAndKeepsTheLoopResponsive(.selector)
    }
}

@Suite struct ServerLifecycleTests {
    let body = ServerLifecycleConformance()

    @Test func waitClosedWaitsForOpenConnections() throws {
        try body.waitClosedWaitsForOpenConnections(.selector)
    }

    @Test func readuntilAtEOFReturnsThePartialData() throws {
        try body.readuntilAtEOFReturnsThePartialData(.selector)
    }
}

@Suite struct QueueTests {
    let body = QueueConformance()

    @Test func fifoOrderAndNowaitErrors() throws {
        try body.fifoOrderAndNowaitErrors(.selector)
    }

    @Test func putWaitsForRoomAndGetWaitsForItems() throws {
        try body.putWaitsForRoomAndGetWaitsForItems(.selector)
    }

    @Test func joinWaitsForTaskDone() throws {
        try body.joinWaitsForTaskDone(.selector)
    }

    @Test func cancelledGetterDoesNotLoseAnItem() throws {
        try body.cancelledGetterDoesNotLoseAnItem(.selector)
    }

    @Test func lifoAndPriorityOrders() throws {
        try body.lifoAndPriorityOrders(.selector)
    }
}

@Suite struct StreamTests {
    let body = StreamConformance()

    @Test func echoServerRoundTrip() throws {
        try body.echoServerRoundTrip(.selector)
    }

    @Test func readerMethodsOnFedData() throws {
        try body.readerMethodsOnFedData(.selector)
    }

    @Test func readuntilRespectsTheLimit() throws {
        try body.readuntilRespectsTheLimit(.selector)
    }

    @Test func readWaitsForData() throws {
        try body.readWaitsForData(.selector)
    }

    @Test func connectionRefusedIsAnOSError() throws {
        try body.connectionRefusedIsAnOSError(.selector)
    }

    @Test func streamWriterWriteAfterWriteEOFIsARuntimeError() throws {
        try body.streamWriterWriteAfterWriteEOFIsARuntimeError(.selector)
    }

    @Test func serveForeverStopsWhenCancelled() throws {
        try body.serveForeverStopsWhenCancelled(.selector)
    }
}

@Suite struct TransportTests {
    let body = TransportConformance()

    @Test func protocolCallbacksInOrder() throws {
        try body.protocolCallbacksInOrder(.selector)
    }

    @Test func writingAfterWriteEOFIsARuntimeError() throws {
        try body.writingAfterWriteEOFIsARuntimeError(.selector)
    }

    @Test func writeBufferLimitsPauseAndResumeTheProtocol() throws {
        try body.writeBufferLimitsPauseAndResumeTheProtocol(.selector)
    }

    @Test func writesAfterCloseAreDroppedAndWarnedAboutAfterAFew() throws {
        try body.writesAfterCloseAreDroppedAndWarnedAboutAfterAFew(.selector)
    }

    @Test func aSocketClosingWithBytesBufferedStillTakesWrites() throws {
        try body.aSocketClosingWithBytesBufferedStillTakesWrites(.selector)
    }

    @Test func sockOperations() throws {
        try body.sockOperations(.selector)
    }

    @Test func sockCallsRefuseBadArguments() throws {
        try body.sockCallsRefuseBadArguments(.selector)
    }
}

@Suite struct SubprocessTests {
    let body = SubprocessConformance()

    @Test func communicateRoundTrip() throws {
        try body.communicateRoundTrip(.selector)
    }

    @Test func childrenStartWithSIGPIPEAtItsDefault() throws {
        try body.childrenStartWithSIGPIPEAtItsDefault(.selector)
    }

    @Test func cancellingCommunicateWhileStdinIsBlockedCancelsIt() throws {
        try body.cancellingCommunicateWhileStdinIsBlockedCancelsIt(.selector)
    }

    @Test func aStartCancelledAfterTheSpawnKillsAndReapsTheChild() throws {
        try body.aStartCancelledAfterTheSpawnKillsAndReapsTheChild(.selector)
    }

    @Test func shellExitCodeAndStderr() throws {
        try body.shellExitCodeAndStderr(.selector)
    }

    @Test func killIsReportedAsANegativeSignal() throws {
        try body.killIsReportedAsANegativeSignal(.selector)
    }

    @Test func readlineFromAChild() throws {
        try body.readlineFromAChild(.selector)
    }

    @Test func missingProgramThrows() throws {
        try body.missingProgramThrows(.selector)
    }
}

@Suite struct SubprocessLifetimeTests {
    let body = SubprocessLifetimeConformance()

    @Test func droppedProcessStillDrainsAndReaps() throws {
        try body.droppedProcessStillDrainsAndReaps(.selector)
    }
}

@Suite struct SyncTests {
    let body = SyncConformance()

    @Test func lockIsFairAndExclusive() throws {
        try body.lockIsFairAndExclusive(.selector)
    }

    @Test func cancelledLockWaiterPassesTheTurnOn() throws {
        try body.cancelledLockWaiterPassesTheTurnOn(.selector)
    }

    @Test func eventWakesEveryWaiter() throws {
        try body.eventWakesEveryWaiter(.selector)
    }

    @Test func semaphoreLimitsConcurrency() throws {
        try body.semaphoreLimitsConcurrency(.selector)
    }

    @Test func boundedSemaphoreRefusesOverRelease() throws {
        try body.boundedSemaphoreRefusesOverRelease(.selector)
    }

    @Test func conditionNotifiesInOrder() throws {
        try body.conditionNotifiesInOrder(.selector)
    }
}

@Suite struct TaskFunctionTests {
    let body = TaskFunctionConformance()

    @Test func gatherKeepsInputOrder() throws {
        try body.gatherKeepsInputOrder(.selector)
    }

    @Test func gatherThrowsTheFirstErrorAndLeavesOthersRunning() throws {
        try body.gatherThrowsTheFirstErrorAndLeavesOthersRunning(.selector)
    }

    @Test func gatherReturnExceptionsCollectsEverything() throws {
        try body.gatherReturnExceptionsCollectsEverything(.selector)
    }

    @Test func gatherParameterPackReturnsATuple() throws {
        try body.gatherParameterPackReturnsATuple(.selector)
    }

    @Test func cancellingGatherCancelsChildren() throws {
        try body.cancellingGatherCancelsChildren(.selector)
    }

    @Test func cancellingGatherKeepsTheCancelMessage() throws {
        try body.cancellingGatherKeepsTheCancelMessage(.selector)
    }

    @Test func waitFirstCompletedAndAllCompleted() throws {
        try body.waitFirstCompletedAndAllCompleted(.selector)
    }

    @Test func waitFirstExceptionAndTimeout() throws {
        try body.waitFirstExceptionAndTimeout(.selector)
    }

    @Test func waitForTimesOutAndCancelsTheInnerTask() throws {
        try body.waitForTimesOutAndCancelsTheInnerTask(.selector)
    }

    @Test func shieldProtectsTheInnerTask() throws {
        try body.shieldProtectsTheInnerTask(.selector)
    }

    @Test func timeoutTurnsItsCancellationIntoTimeoutError() throws {
        try body.timeoutTurnsItsCancellationIntoTimeoutError(.selector)
    }

    @Test func nestedTimeoutsAreToldApart() throws {
        try body.nestedTimeoutsAreToldApart(.selector)
    }

    @Test func externalCancelPassesThroughATimeout() throws {
        try body.externalCancelPassesThroughATimeout(.selector)
    }

    @Test func timeoutCanBeRescheduled() throws {
        try body.timeoutCanBeRescheduled(.selector)
    }

    @Test func asCompletedYieldsInCompletionOrder() throws {
        try body.asCompletedYieldsInCompletionOrder(.selector)
    }

    @Test func asCompletedYieldsARepeatedFutureOnce() throws {
        try body.asCompletedYieldsARepeatedFutureOnce(.selector)
    }

    @Test func asCompletedTimesOut() throws {
        try body.asCompletedTimesOut(.selector)
    }

    @Test func asyncContextManagerHelperExitsOnError() throws {
        try body.asyncContextManagerHelperExitsOnError(.selector)
    }
}

@Suite struct TaskGroupTests {
    let body = TaskGroupConformance()

    @Test func waitsForAllChildren() throws {
        try body.waitsForAllChildren(.selector)
    }

    @Test func failingChildCancelsSiblingsAndBody() throws {
        try body.failingChildCancelsSiblingsAndBody(.selector)
    }

    @Test func groupHearsOfAChildBeforeItsOtherDoneCallbacks() throws {
        try body.groupHearsOfAChildBeforeItsOtherDoneCallbacks(.selector)
    }

    @Test func outsideCancellationCancelsChildrenAndPropagates() throws {
        try body.outsideCancellationCancelsChildrenAndPropagates(.selector)
    }

    @Test func finishedGroupRefusesNewTasks() throws {
        try body.finishedGroupRefusesNewTasks(.selector)
    }
}

@Suite struct ResumptionOrderTests {
    let body = ResumptionOrderConformance()

    @Test func sleepZeroReturnsBeforeTheGroupHearsOfAFailedChild() throws {
        try body.sleepZeroReturnsBeforeTheGroupHearsOfAFailedChild(.selector)
    }

    @Test func sleepZeroResumesAfterCallbacksQueuedBeforeItAndBeforeLaterOnes() throws {
        try body.sleepZeroResumesAfterCallbacksQueuedBeforeItAndBeforeLaterOnes(.selector)
    }

    @Test func gatherOverFinishedChildrenTakesNoIteration() throws {
        try body.gatherOverFinishedChildrenTakesNoIteration(.selector)
    }
}

@Suite struct TaskTests {
    let body = TaskConformance()

    @Test func taskReturnsItsResultAndHasAName() throws {
        try body.taskReturnsItsResultAndHasAName(.selector)
    }

    @Test func stepsInterleaveWithCallbacksFIFO() throws {
        try body.stepsInterleaveWithCallbacksFIFO(.selector)
    }

    @Test func currentTaskAndAllTasks() throws {
        try body.currentTaskAndAllTasks(.selector)
    }

    @Test func cancelWhileSleepingThrowsOnceAndCountsRequests() throws {
        try body.cancelWhileSleepingThrowsOnceAndCountsRequests(.selector)
    }

    @Test func cancelBeforeTheFirstStepSkipsTheBody() throws {
        try body.cancelBeforeTheFirstStepSkipsTheBody(.selector)
    }

    @Test func selfCancelIsDeliveredAtTheNextAwait() throws {
        try body.selfCancelIsDeliveredAtTheNextAwait(.selector)
    }

    @Test func selfCancelWhileAwaitingATaskWaitsForItToWindDown() throws {
        try body.selfCancelWhileAwaitingATaskWaitsForItToWindDown(.selector)
    }

    @Test func cancellingAnAwaitingTaskCancelsTheAwaitedTask() throws {
        try body.cancellingAnAwaitingTaskCancelsTheAwaitedTask(.selector)
    }

    @Test func cancelAfterTheAwaitedFutureCompletedStillCancels() throws {
        try body.cancelAfterTheAwaitedFutureCompletedStillCancels(.selector)
    }

    @Test func taskAwaitingItselfThrowsInsteadOfHanging() throws {
        try body.taskAwaitingItselfThrowsInsteadOfHanging(.selector)
    }

    @Test func failedTaskReportsNeverRetrieved() throws {
        try body.failedTaskReportsNeverRetrieved(.selector)
    }

    @Test func runHelperRunsMainAndCancelsLeftovers() throws {
        try body.runHelperRunsMainAndCancelsLeftovers()
    }

    @Test func runAcceptsALoopFactory() throws {
        try body.runAcceptsALoopFactory(.selector)
    }

    @Test func sleepAdvancesTheLoopClock() throws {
        try body.sleepAdvancesTheLoopClock(.selector)
    }
}
