import AsyncioTestSupport
import HostedTestSupport
import Testing

// The asyncio conformance suites (AsyncioTestSupport) on the loops hosted in a Trio run: `TrioEventLoop`
// and `SyncTrioEventLoop` (`HostedLoops`). AsyncioTests runs the same bodies on `SelectorEventLoop`.

@Suite struct HostedEventLoopTests {
    let body = EventLoopConformance()

    @Test(arguments: HostedLoops.blocking)
    func callSoonRunsInFIFOOrderOnlyWhenTheLoopRuns(_ loop: ConformanceLoop) throws {
        try body.callSoonRunsInFIFOOrderOnlyWhenTheLoopRuns(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func stopInsideACallbackFinishesTheIterationFirst(_ loop: ConformanceLoop) throws {
        try body.stopInsideACallbackFinishesTheIterationFirst(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func stopBeforeRunForeverRunsOneIteration(_ loop: ConformanceLoop) throws {
        try body.stopBeforeRunForeverRunsOneIteration(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func cancelledHandleDoesNotRun(_ loop: ConformanceLoop) throws {
        try body.cancelledHandleDoesNotRun(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func timersRunInDueOrderAndNotEarly(_ loop: ConformanceLoop) throws {
        try body.timersRunInDueOrderAndNotEarly(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func dueTimersQueueBehindCallbacksAlreadyReady(_ loop: ConformanceLoop) throws {
        try body.dueTimersQueueBehindCallbacksAlreadyReady(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func cancelledTimerDoesNotRun(_ loop: ConformanceLoop) throws {
        try body.cancelledTimerDoesNotRun(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func manyCancelledTimersAreDropped(_ loop: ConformanceLoop) throws {
        try body.manyCancelledTimersAreDropped(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func nanDeadlinesAreRefused(_ loop: ConformanceLoop) throws {
        try body.nanDeadlinesAreRefused(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sleepRefusesNaN(_ loop: ConformanceLoop) throws {
        try body.sleepRefusesNaN(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func timeIsMonotonic(_ loop: ConformanceLoop) throws {
        try body.timeIsMonotonic(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func stateRules(_ loop: ConformanceLoop) throws {
        try body.stateRules(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func runUntilCompleteReturnsTheResultOrThrows(_ loop: ConformanceLoop) throws {
        try body.runUntilCompleteReturnsTheResultOrThrows(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func callSoonThreadsafeWakesABlockedLoop(_ loop: ConformanceLoop) throws {
        try body.callSoonThreadsafeWakesABlockedLoop(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func readersAndWritersFollowTheFileDescriptor(_ loop: ConformanceLoop) throws {
        try body.readersAndWritersFollowTheFileDescriptor(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sniffioSaysAsyncioInCallbacksAndTasks(_ loop: ConformanceLoop) throws {
        try body.sniffioSaysAsyncioInCallbacksAndTasks(loop)
    }

    @Test(arguments: HostedLoops.all)
    func getRunningLoopInsideAndOutside(_ loop: ConformanceLoop) throws {
        try body.getRunningLoopInsideAndOutside(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func customExceptionHandlerReceivesContexts(_ loop: ConformanceLoop) throws {
        try body.customExceptionHandlerReceivesContexts(loop)
    }

    @Test(arguments: HostedLoops.all)
    func runInExecutorRunsOnAnotherThread(_ loop: ConformanceLoop) throws {
        try body.runInExecutorRunsOnAnotherThread(loop)
    }

    @Test(arguments: HostedLoops.all)
    func runInExecutorPropagatesErrors(_ loop: ConformanceLoop) throws {
        try body.runInExecutorPropagatesErrors(loop)
    }

    @Test(arguments: HostedLoops.all)
    func runInExecutorCancelledBeforeStartingNeverRuns(_ loop: ConformanceLoop) throws {
        try body.runInExecutorCancelledBeforeStartingNeverRuns(loop)
    }

    @Test(.serialized, arguments: HostedLoops.blocking)
    func signalHandlerRunsOnTheLoop(_ loop: ConformanceLoop) throws {
        try body.signalHandlerRunsOnTheLoop(loop)
    }
}

@Suite struct HostedFutureTests {
    let body = FutureConformance()

    @Test(arguments: HostedLoops.blocking)
    func stateTransitions(_ loop: ConformanceLoop) throws {
        try body.stateTransitions(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func callbacksAClosedLoopCannotScheduleAreReported(_ loop: ConformanceLoop) throws {
        try body.callbacksAClosedLoopCannotScheduleAreReported(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func cancelCarriesTheMessage(_ loop: ConformanceLoop) throws {
        try body.cancelCarriesTheMessage(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func doneCallbacksRunThroughTheReadyQueueInOrder(_ loop: ConformanceLoop) throws {
        try body.doneCallbacksRunThroughTheReadyQueueInOrder(loop)
    }

    @Test(arguments: HostedLoops.all)
    func awaitingReturnsResultOrThrows(_ loop: ConformanceLoop) throws {
        try body.awaitingReturnsResultOrThrows(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func awaitingOutsideATaskIsAFlavorError(_ loop: ConformanceLoop) async throws {
        try await body.awaitingOutsideATaskIsAFlavorError(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func unretrievedExceptionIsReportedOnlyWhenNotRetrieved(_ loop: ConformanceLoop) throws {
        try body.unretrievedExceptionIsReportedOnlyWhenNotRetrieved(loop)
    }
}

@Suite struct HostedLoopPolicyTests {
    let body = LoopPolicyConformance()

    @Test(arguments: HostedLoops.all)
    func getEventLoopInsideARunningLoopIsThatLoop(_ loop: ConformanceLoop) throws {
        try body.getEventLoopInsideARunningLoopIsThatLoop(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func debugModeRejectsCallsFromOtherThreads(_ loop: ConformanceLoop) throws {
        try body.debugModeRejectsCallsFromOtherThreads(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func runningAnotherLoopInsideACallbackIsRefused(_ loop: ConformanceLoop) throws {
        try body.runningAnotherLoopInsideACallbackIsRefused(loop)
    }
}

@Suite struct HostedMoreTaskTests {
    let body = MoreTaskConformance()

    @Test(arguments: HostedLoops.all)
    func ensureFutureAndTypedWait(_ loop: ConformanceLoop) throws {
        try body.ensureFutureAndTypedWait(loop)
    }

    @Test(arguments: HostedLoops.all)
    func timeoutAtUsesLoopTime(_ loop: ConformanceLoop) throws {
        try body.timeoutAtUsesLoopTime(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelledSemaphoreWaiterGivesItsUnitBack(_ loop: ConformanceLoop) throws {
        try body.cancelledSemaphoreWaiterGivesItsUnitBack(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelledConditionWaiterReacquiresTheLock(_ loop: ConformanceLoop) throws {
        try body.cancelledConditionWaiterReacquiresTheLock(loop)
    }

    @Test(arguments: HostedLoops.all)
    func conditionWaiterCancelledWhileReacquiringPassesTheNotificationOn(_ loop: ConformanceLoop) throws {
        try body.conditionWaiterCancelledWhileReacquiringPassesTheNotificationOn(loop)
    }

    @Test(arguments: HostedLoops.all)
    func uncancelDropsAnUndeliveredRequest(_ loop: ConformanceLoop) throws {
        try body.uncancelDropsAnUndeliveredRequest(loop)
    }
}

@Suite struct HostedMoreStreamTests {
    let body = MoreStreamConformance()

    @Test(arguments: HostedLoops.all)
    func serverAsAsyncContextManagerAndHandlerErrorsAreReported(_ loop: ConformanceLoop) throws {
        try body.serverAsAsyncContextManagerAndHandlerErrorsAreReported(loop)
    }

    @Test(arguments: HostedLoops.all)
    func largeTransfersKeepOrderUnderFlowControl(_ loop: ConformanceLoop) throws {
        try body.largeTransfersKeepOrderUnderFlowControl(loop)
    }
}

@Suite struct HostedToThreadTests {
    let body = ToThreadConformance()

    @Test(arguments: HostedLoops.all)
    func toThreadRunsElsewhereAndKeepsTheLoopResponsive(_ loop: ConformanceLoop) throws {
        try body.toThreadRunsElsewhereAndKeepsTheLoopResponsive(loop)
    }
}

@Suite struct HostedServerLifecycleTests {
    let body = ServerLifecycleConformance()

    @Test(arguments: HostedLoops.all)
    func waitClosedWaitsForOpenConnections(_ loop: ConformanceLoop) throws {
        try body.waitClosedWaitsForOpenConnections(loop)
    }

    @Test(arguments: HostedLoops.all)
    func readuntilAtEOFReturnsThePartialData(_ loop: ConformanceLoop) throws {
        try body.readuntilAtEOFReturnsThePartialData(loop)
    }
}

@Suite struct HostedQueueTests {
    let body = QueueConformance()

    @Test(arguments: HostedLoops.all)
    func fifoOrderAndNowaitErrors(_ loop: ConformanceLoop) throws {
        try body.fifoOrderAndNowaitErrors(loop)
    }

    @Test(arguments: HostedLoops.all)
    func putWaitsForRoomAndGetWaitsForItems(_ loop: ConformanceLoop) throws {
        try body.putWaitsForRoomAndGetWaitsForItems(loop)
    }

    @Test(arguments: HostedLoops.all)
    func joinWaitsForTaskDone(_ loop: ConformanceLoop) throws {
        try body.joinWaitsForTaskDone(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelledGetterDoesNotLoseAnItem(_ loop: ConformanceLoop) throws {
        try body.cancelledGetterDoesNotLoseAnItem(loop)
    }

    @Test(arguments: HostedLoops.all)
    func lifoAndPriorityOrders(_ loop: ConformanceLoop) throws {
        try body.lifoAndPriorityOrders(loop)
    }
}

@Suite struct HostedStreamTests {
    let body = StreamConformance()

    @Test(arguments: HostedLoops.all)
    func echoServerRoundTrip(_ loop: ConformanceLoop) throws {
        try body.echoServerRoundTrip(loop)
    }

    @Test(arguments: HostedLoops.all)
    func readerMethodsOnFedData(_ loop: ConformanceLoop) throws {
        try body.readerMethodsOnFedData(loop)
    }

    @Test(arguments: HostedLoops.all)
    func readuntilRespectsTheLimit(_ loop: ConformanceLoop) throws {
        try body.readuntilRespectsTheLimit(loop)
    }

    @Test(arguments: HostedLoops.all)
    func readWaitsForData(_ loop: ConformanceLoop) throws {
        try body.readWaitsForData(loop)
    }

    @Test(arguments: HostedLoops.all)
    func connectionRefusedIsAnOSError(_ loop: ConformanceLoop) throws {
        try body.connectionRefusedIsAnOSError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func streamWriterWriteAfterWriteEOFIsARuntimeError(_ loop: ConformanceLoop) throws {
        try body.streamWriterWriteAfterWriteEOFIsARuntimeError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func serveForeverStopsWhenCancelled(_ loop: ConformanceLoop) throws {
        try body.serveForeverStopsWhenCancelled(loop)
    }
}

@Suite struct HostedTransportTests {
    let body = TransportConformance()

    @Test(arguments: HostedLoops.all)
    func protocolCallbacksInOrder(_ loop: ConformanceLoop) throws {
        try body.protocolCallbacksInOrder(loop)
    }

    @Test(arguments: HostedLoops.all)
    func writingAfterWriteEOFIsARuntimeError(_ loop: ConformanceLoop) throws {
        try body.writingAfterWriteEOFIsARuntimeError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func writeBufferLimitsPauseAndResumeTheProtocol(_ loop: ConformanceLoop) throws {
        try body.writeBufferLimitsPauseAndResumeTheProtocol(loop)
    }

    @Test(arguments: HostedLoops.all)
    func writesAfterCloseAreDroppedAndWarnedAboutAfterAFew(_ loop: ConformanceLoop) throws {
        try body.writesAfterCloseAreDroppedAndWarnedAboutAfterAFew(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aSocketClosingWithBytesBufferedStillTakesWrites(_ loop: ConformanceLoop) throws {
        try body.aSocketClosingWithBytesBufferedStillTakesWrites(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sockOperations(_ loop: ConformanceLoop) throws {
        try body.sockOperations(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sockCallsRefuseBadArguments(_ loop: ConformanceLoop) throws {
        try body.sockCallsRefuseBadArguments(loop)
    }
}

@Suite struct HostedSubprocessTests {
    let body = SubprocessConformance()

    @Test(arguments: HostedLoops.all)
    func communicateRoundTrip(_ loop: ConformanceLoop) throws {
        try body.communicateRoundTrip(loop)
    }

    @Test(arguments: HostedLoops.all)
    func childrenStartWithSIGPIPEAtItsDefault(_ loop: ConformanceLoop) throws {
        try body.childrenStartWithSIGPIPEAtItsDefault(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingCommunicateWhileStdinIsBlockedCancelsIt(_ loop: ConformanceLoop) throws {
        try body.cancellingCommunicateWhileStdinIsBlockedCancelsIt(loop)
    }

    @Test(arguments: HostedLoops.all)
    func aStartCancelledAfterTheSpawnKillsAndReapsTheChild(_ loop: ConformanceLoop) throws {
        try body.aStartCancelledAfterTheSpawnKillsAndReapsTheChild(loop)
    }

    @Test(arguments: HostedLoops.all)
    func shellExitCodeAndStderr(_ loop: ConformanceLoop) throws {
        try body.shellExitCodeAndStderr(loop)
    }

    @Test(arguments: HostedLoops.all)
    func killIsReportedAsANegativeSignal(_ loop: ConformanceLoop) throws {
        try body.killIsReportedAsANegativeSignal(loop)
    }

    @Test(arguments: HostedLoops.all)
    func readlineFromAChild(_ loop: ConformanceLoop) throws {
        try body.readlineFromAChild(loop)
    }

    @Test(arguments: HostedLoops.all)
    func missingProgramThrows(_ loop: ConformanceLoop) throws {
        try body.missingProgramThrows(loop)
    }
}

@Suite struct HostedSubprocessLifetimeTests {
    let body = SubprocessLifetimeConformance()

    @Test(arguments: HostedLoops.all)
    func droppedProcessStillDrainsAndReaps(_ loop: ConformanceLoop) throws {
        try body.droppedProcessStillDrainsAndReaps(loop)
    }
}

@Suite struct HostedSyncTests {
    let body = SyncConformance()

    @Test(arguments: HostedLoops.all)
    func lockIsFairAndExclusive(_ loop: ConformanceLoop) throws {
        try body.lockIsFairAndExclusive(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelledLockWaiterPassesTheTurnOn(_ loop: ConformanceLoop) throws {
        try body.cancelledLockWaiterPassesTheTurnOn(loop)
    }

    @Test(arguments: HostedLoops.all)
    func eventWakesEveryWaiter(_ loop: ConformanceLoop) throws {
        try body.eventWakesEveryWaiter(loop)
    }

    @Test(arguments: HostedLoops.all)
    func semaphoreLimitsConcurrency(_ loop: ConformanceLoop) throws {
        try body.semaphoreLimitsConcurrency(loop)
    }

    @Test(arguments: HostedLoops.all)
    func boundedSemaphoreRefusesOverRelease(_ loop: ConformanceLoop) throws {
        try body.boundedSemaphoreRefusesOverRelease(loop)
    }

    @Test(arguments: HostedLoops.all)
    func conditionNotifiesInOrder(_ loop: ConformanceLoop) throws {
        try body.conditionNotifiesInOrder(loop)
    }
}

@Suite struct HostedTaskFunctionTests {
    let body = TaskFunctionConformance()

    @Test(arguments: HostedLoops.all)
    func gatherKeepsInputOrder(_ loop: ConformanceLoop) throws {
        try body.gatherKeepsInputOrder(loop)
    }

    @Test(arguments: HostedLoops.all)
    func gatherThrowsTheFirstErrorAndLeavesOthersRunning(_ loop: ConformanceLoop) throws {
        try body.gatherThrowsTheFirstErrorAndLeavesOthersRunning(loop)
    }

    @Test(arguments: HostedLoops.all)
    func gatherReturnExceptionsCollectsEverything(_ loop: ConformanceLoop) throws {
        try body.gatherReturnExceptionsCollectsEverything(loop)
    }

    @Test(arguments: HostedLoops.all)
    func gatherParameterPackReturnsATuple(_ loop: ConformanceLoop) throws {
        try body.gatherParameterPackReturnsATuple(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingGatherCancelsChildren(_ loop: ConformanceLoop) throws {
        try body.cancellingGatherCancelsChildren(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingGatherKeepsTheCancelMessage(_ loop: ConformanceLoop) throws {
        try body.cancellingGatherKeepsTheCancelMessage(loop)
    }

    @Test(arguments: HostedLoops.all)
    func waitFirstCompletedAndAllCompleted(_ loop: ConformanceLoop) throws {
        try body.waitFirstCompletedAndAllCompleted(loop)
    }

    @Test(arguments: HostedLoops.all)
    func waitFirstExceptionAndTimeout(_ loop: ConformanceLoop) throws {
        try body.waitFirstExceptionAndTimeout(loop)
    }

    @Test(arguments: HostedLoops.all)
    func waitForTimesOutAndCancelsTheInnerTask(_ loop: ConformanceLoop) throws {
        try body.waitForTimesOutAndCancelsTheInnerTask(loop)
    }

    @Test(arguments: HostedLoops.all)
    func shieldProtectsTheInnerTask(_ loop: ConformanceLoop) throws {
        try body.shieldProtectsTheInnerTask(loop)
    }

    @Test(arguments: HostedLoops.all)
    func timeoutTurnsItsCancellationIntoTimeoutError(_ loop: ConformanceLoop) throws {
        try body.timeoutTurnsItsCancellationIntoTimeoutError(loop)
    }

    @Test(arguments: HostedLoops.all)
    func nestedTimeoutsAreToldApart(_ loop: ConformanceLoop) throws {
        try body.nestedTimeoutsAreToldApart(loop)
    }

    @Test(arguments: HostedLoops.all)
    func externalCancelPassesThroughATimeout(_ loop: ConformanceLoop) throws {
        try body.externalCancelPassesThroughATimeout(loop)
    }

    @Test(arguments: HostedLoops.all)
    func timeoutCanBeRescheduled(_ loop: ConformanceLoop) throws {
        try body.timeoutCanBeRescheduled(loop)
    }

    @Test(arguments: HostedLoops.all)
    func asCompletedYieldsInCompletionOrder(_ loop: ConformanceLoop) throws {
        try body.asCompletedYieldsInCompletionOrder(loop)
    }

    @Test(arguments: HostedLoops.all)
    func asCompletedYieldsARepeatedFutureOnce(_ loop: ConformanceLoop) throws {
        try body.asCompletedYieldsARepeatedFutureOnce(loop)
    }

    @Test(arguments: HostedLoops.all)
    func asCompletedTimesOut(_ loop: ConformanceLoop) throws {
        try body.asCompletedTimesOut(loop)
    }

    @Test(arguments: HostedLoops.all)
    func asyncContextManagerHelperExitsOnError(_ loop: ConformanceLoop) throws {
        try body.asyncContextManagerHelperExitsOnError(loop)
    }
}

@Suite struct HostedTaskGroupTests {
    let body = TaskGroupConformance()

    @Test(arguments: HostedLoops.all)
    func waitsForAllChildren(_ loop: ConformanceLoop) throws {
        try body.waitsForAllChildren(loop)
    }

    @Test(arguments: HostedLoops.all)
    func failingChildCancelsSiblingsAndBody(_ loop: ConformanceLoop) throws {
        try body.failingChildCancelsSiblingsAndBody(loop)
    }

    @Test(arguments: HostedLoops.all)
    func groupHearsOfAChildBeforeItsOtherDoneCallbacks(_ loop: ConformanceLoop) throws {
        try body.groupHearsOfAChildBeforeItsOtherDoneCallbacks(loop)
    }

    @Test(arguments: HostedLoops.all)
    func outsideCancellationCancelsChildrenAndPropagates(_ loop: ConformanceLoop) throws {
        try body.outsideCancellationCancelsChildrenAndPropagates(loop)
    }

    @Test(arguments: HostedLoops.all)
    func finishedGroupRefusesNewTasks(_ loop: ConformanceLoop) throws {
        try body.finishedGroupRefusesNewTasks(loop)
    }
}

@Suite struct HostedResumptionOrderTests {
    let body = ResumptionOrderConformance()

    @Test(arguments: HostedLoops.all)
    func sleepZeroReturnsBeforeTheGroupHearsOfAFailedChild(_ loop: ConformanceLoop) throws {
        try body.sleepZeroReturnsBeforeTheGroupHearsOfAFailedChild(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sleepZeroResumesAfterCallbacksQueuedBeforeItAndBeforeLaterOnes(_ loop: ConformanceLoop) throws {
        try body.sleepZeroResumesAfterCallbacksQueuedBeforeItAndBeforeLaterOnes(loop)
    }

    @Test(arguments: HostedLoops.all)
    func gatherOverFinishedChildrenTakesNoIteration(_ loop: ConformanceLoop) throws {
        try body.gatherOverFinishedChildrenTakesNoIteration(loop)
    }
}

@Suite struct HostedTaskTests {
    let body = TaskConformance()

    @Test(arguments: HostedLoops.blocking)
    func taskReturnsItsResultAndHasAName(_ loop: ConformanceLoop) throws {
        try body.taskReturnsItsResultAndHasAName(loop)
    }

    @Test(arguments: HostedLoops.all)
    func stepsInterleaveWithCallbacksFIFO(_ loop: ConformanceLoop) throws {
        try body.stepsInterleaveWithCallbacksFIFO(loop)
    }

    @Test(arguments: HostedLoops.all)
    func currentTaskAndAllTasks(_ loop: ConformanceLoop) throws {
        try body.currentTaskAndAllTasks(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelWhileSleepingThrowsOnceAndCountsRequests(_ loop: ConformanceLoop) throws {
        try body.cancelWhileSleepingThrowsOnceAndCountsRequests(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelBeforeTheFirstStepSkipsTheBody(_ loop: ConformanceLoop) throws {
        try body.cancelBeforeTheFirstStepSkipsTheBody(loop)
    }

    @Test(arguments: HostedLoops.all)
    func selfCancelIsDeliveredAtTheNextAwait(_ loop: ConformanceLoop) throws {
        try body.selfCancelIsDeliveredAtTheNextAwait(loop)
    }

    @Test(arguments: HostedLoops.all)
    func selfCancelWhileAwaitingATaskWaitsForItToWindDown(_ loop: ConformanceLoop) throws {
        try body.selfCancelWhileAwaitingATaskWaitsForItToWindDown(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancellingAnAwaitingTaskCancelsTheAwaitedTask(_ loop: ConformanceLoop) throws {
        try body.cancellingAnAwaitingTaskCancelsTheAwaitedTask(loop)
    }

    @Test(arguments: HostedLoops.all)
    func cancelAfterTheAwaitedFutureCompletedStillCancels(_ loop: ConformanceLoop) throws {
        try body.cancelAfterTheAwaitedFutureCompletedStillCancels(loop)
    }

    @Test(arguments: HostedLoops.all)
    func taskAwaitingItselfThrowsInsteadOfHanging(_ loop: ConformanceLoop) throws {
        try body.taskAwaitingItselfThrowsInsteadOfHanging(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func failedTaskReportsNeverRetrieved(_ loop: ConformanceLoop) throws {
        try body.failedTaskReportsNeverRetrieved(loop)
    }

    @Test(arguments: HostedLoops.blocking)
    func runAcceptsALoopFactory(_ loop: ConformanceLoop) throws {
        try body.runAcceptsALoopFactory(loop)
    }

    @Test(arguments: HostedLoops.all)
    func sleepAdvancesTheLoopClock(_ loop: ConformanceLoop) throws {
        try body.sleepAdvancesTheLoopClock(loop)
    }
}

@Suite struct HostedTaskTreeTests {
    @Test(arguments: HostedLoops.all)
    func treeShowsWhoAwaitsWhomAndWhat(_ loop: ConformanceLoop) throws {
        try TaskTreeConformance().treeShowsWhoAwaitsWhomAndWhat(loop)
    }

    @Test(arguments: HostedLoops.all)
    func primitiveWaitsNameTheBlockingCall(_ loop: ConformanceLoop) throws {
        try TaskTreeConformance().primitiveWaitsNameTheBlockingCall(loop)
    }
}
