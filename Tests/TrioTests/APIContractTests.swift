import Sniffio
import TestSupport
import Testing
import Trio
import TrioTesting

/// The binding public names, spelled exactly as tests outside the repo call them. These compile-time
/// references break the build if a binding name or label is renamed; the run checks a few values.
@Suite struct APIContractTests {
    @Test func trioContractSpellings() throws {
        let values = try Trio.run(clock: MockClock(autojumpThreshold: 0), instruments: [], strictExceptionGroups: true) {
            () -> [String] in
            var seen: [String] = []
            let value: Int? = try await withNursery(strictExceptionGroups: nil) { (nursery: Nursery) -> Int in
                try nursery.startSoon(name: "a") {}
                let started: Int = try await nursery.start(name: "b") { (status: TaskStatus<Int>) in
                    try status.started(1)
                }
                _ = nursery.cancelScope
                _ = nursery.childTasks
                _ = nursery.parentTask
                return started
            }
            seen.append("nursery \(value ?? -1)")
            let scope = CancelScope(deadline: .infinity, relativeDeadline: .infinity, shield: false)
            try await scope.run { scope.cancel(reason: nil) }
            seen.append("scope \(scope.cancelCalled) \(scope.cancelledCaught) \(scope.deadline) \(scope.shield)")
            _ = try await moveOnAfter(1, shield: false) { 1 }
            _ = try await moveOnAt(10, shield: false) { 1 }
            _ = try await failAfter(1, shield: false) { 1 }
            _ = try await failAt(10, shield: false) { 1 }
            try await checkpoint()
            try await checkpointIfCancelled()
            try await Trio.sleep(0.5)
            try await sleepUntil(1)
            _ = try currentTime()
            _ = try currentEffectiveDeadline()
            let event = Trio.Event()
            event.set()
            try await event.wait()
            _ = event.isSet
            _ = event.statistics()
            let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 1)
            try await send.send(1)
            _ = try await receive.receive()
            _ = try await ToThread.runSync(limiter: nil, abandonOnCancel: false) { 1 }
            _ = try ToThread.currentDefaultThreadLimiter()
            let task: TrioTask = try Lowlevel.currentTask()
            _ = (task.name, task.parentNursery, task.eventualParentNursery, task.childNurseries)
            _ = try Lowlevel.currentRootTask()
            let token: TrioToken = try Lowlevel.currentTrioToken()
            try token.runSyncSoon(idempotencyKey: nil) {}
            _ = try Lowlevel.currentStatistics()
            try Lowlevel.spawnSystemTask(name: nil) {}
            await Lowlevel.cancelShieldedCheckpoint()
            try await waitAllTasksBlocked(cushion: 0)
            try await Sequencer().callAt(0) {}
            seen.append(try currentAsyncLibrary())
            return seen
        }
        #expect(values == ["nursery 1", "scope true false inf false", "trio"])
        // Signatures that need no run to be named.
        let _: (Int32) async throws -> Void = waitReadable
        let _: (Int32) async throws -> Void = waitWritable
        let _: (Int32) -> Void = notifyClosing
        let _: (String, Int) async throws -> SocketStream = { try await openTCPStream(host: $0, port: $1) }
        let _: (@escaping (RaiseCancel) -> Abort) async throws -> Any = Lowlevel.waitTaskRescheduled
        let _: (TrioTask, Result<Any, any Error>) -> Void = Lowlevel.reschedule
        let _: (any Instrument) throws -> Void = Lowlevel.addInstrument
        let _: (any Instrument) throws -> Void = Lowlevel.removeInstrument
        let _: () -> (any ByteStream, any ByteStream) = memoryStreamPair
        let _: () -> (any ByteStream, any ByteStream) = lockstepStreamPair
        let clock = MockClock(rate: 0, autojumpThreshold: .infinity)
        try clock.jump(1)
        _ = (clock.rate, clock.autojumpThreshold)
        let group = ExceptionGroup("m", [TooSlowError()])
        #expect(group.contains(TooSlowError.self) && group.leaves.count == 1 && group.message == "m")
        _ = [WouldBlock(), EndOfChannel(), ClosedResourceError(), BrokenResourceError(), BusyResourceError(),
             RunFinishedError(), TrioInternalError("x")] as [any Error]
    }
}
