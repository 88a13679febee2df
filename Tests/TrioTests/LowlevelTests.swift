import Dispatch
import TestSupport
import Testing
import Trio
import TrioTesting

@Suite struct LowlevelTests {
    @Test(.trio) func waitTaskRescheduledReceivesTheValue() async throws {
        var value = 0
        try await withNursery { n in
            var sleeper: TrioTask?
            try n.startSoon {
                sleeper = try Lowlevel.currentTask()
                value = try await Lowlevel.waitTaskRescheduled(as: Int.self) { _ in .succeeded }
            }
            try await waitAllTasksBlocked()
            Lowlevel.reschedule(sleeper!, .success(17))
        }
        #expect(value == 17)
    }

    @Test(.trio) func waitTaskRescheduledThrowsTheError() async throws {
        var caught = false
        try await withNursery { n in
            var sleeper: TrioTask?
            try n.startSoon {
                sleeper = try Lowlevel.currentTask()
                do { _ = try await Lowlevel.waitTaskRescheduled { _ in .succeeded } } catch is Boom { caught = true }
            }
            try await waitAllTasksBlocked()
            Lowlevel.reschedule(sleeper!, .failure(Boom()))
        }
        #expect(caught)
    }

    @Test(.trio) func aTaskStartedParkedAndWokenWithAnErrorFailsWithIt() async throws {
        // A bridge starts tasks parked (Nursery.startParked); one woken with an error must end with
        // that error rather than run its body and lose it.
        var ran = false
        var outcome: (any Error)?
        do {
            try await withNursery { n in
                let task = try n.startParked { ran = true }
                Lowlevel.reschedule(task, .failure(Boom()))
            }
        } catch {
            outcome = error
        }
        #expect(!ran)
        #expect(leaves(try #require(outcome)).contains { $0 is Boom })
    }

    @Test(.trio) func abortCallbackDecidesOnCancellation() async throws {
        var log: [String] = []
        var pending: (TrioTask, RaiseCancel)?
        try await withNursery { n in
            try n.startSoon {
                let me = try Lowlevel.currentTask()
                do {
                    _ = try await Lowlevel.waitTaskRescheduled { raise in
                        log.append("abort asked")
                        pending = (me, raise)
                        return .failed
                    }
                } catch is Cancelled {
                    log.append("cancelled at \(try Trio.currentTime())")
                }
            }
            try await Trio.sleep(1)
            n.cancelScope.cancel()
            try await CancelScope(shield: true).run { try await Trio.sleep(2) }
            // The abort failed: the task is still blocked until someone finishes the job.
            log.append("finishing")
            Lowlevel.reschedule(pending!.0, .failure(pending!.1.error))
        }
        #expect(log == ["abort asked", "finishing", "cancelled at 3.0"])
    }

    @Test func systemTasksAreCancelledWhenMainExits() throws {
        // A direct run: the system task is cancelled after main returns, which only the run's end shows.
        let log = Shared<[String]>([])
        let seenByMain = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> [String] in
            try Lowlevel.spawnSystemTask(name: "sys") {
                do { try await Trio.sleepForever() } catch let error as Cancelled {
                    log.update { $0.append("system task cancelled") }
                    throw error
                }
            }
            try await Trio.sleep(1)
            return log.value
        }
        // The system task is cancelled only after main returned.
        #expect(seenByMain.isEmpty)
        #expect(log.value == ["system task cancelled"])
    }

    /// What `Trio.run` itself throws, so a direct run rather than a `.trio` test.
    @Test func failingSystemTaskIsAnInternalError() {
        #expect(throws: TrioInternalError.self) {
            try Trio.run(clock: MockClock(autojumpThreshold: 0)) {
                try Lowlevel.spawnSystemTask { throw Boom() }
                try await Trio.sleep(10)
            }
        }
    }

    @Test func runSyncSoonFromAnotherThreadRunsInFIFOOrder() throws {
        let log = try Trio.run { () -> [Int] in
            var log: [Int] = []
            let token = try Lowlevel.currentTrioToken()
            let done = Trio.Event()
            let queue = DispatchQueue(label: "producer")
            let sink = UncheckedBox(LogSink())
            queue.async {
                for i in 0..<100 {
                    try? token.runSyncSoon { sink.value.values.append(i) }
                }
                try? token.runSyncSoon { sink.value.done?() }
            }
            sink.value.done = { done.set() }
            try await done.wait()
            log = sink.value.values
            return log
        }
        #expect(log == Array(0..<100))
    }

    @Test func idempotentCallbacksRunOnce() throws {
        let count = try Trio.run { () -> Int in
            let token = try Lowlevel.currentTrioToken()
            let sink = UncheckedBox(LogSink())
            for _ in 0..<5 { try token.runSyncSoon(idempotencyKey: "k") { sink.value.values.append(1) } }
            try await waitAllTasksBlocked()
            return sink.value.values.count
        }
        #expect(count == 1)
    }

    @Test func tokenAfterTheRunRaisesRunFinished() throws {
        let token = try Trio.run { UncheckedBox(try Lowlevel.currentTrioToken()) }
        #expect(throws: RunFinishedError.self) { try token.value.runSyncSoon {} }
    }

    @Test(.trio) func statisticsDescribeTheRun() async throws {
        var stats: RunStatistics?
        try await withNursery { n in
            try n.startSoon { try await Trio.sleep(10) }
            try await waitAllTasksBlocked()
            stats = try Lowlevel.currentStatistics()
        }
        #expect(stats?.tasksLiving ?? 0 >= 3)   // init, main, sleeper (+ the token task)
        #expect(stats?.secondsToNextDeadline == 10)
        #expect(stats?.ioBackend == "epoll")
    }

    @Test(.trio) func currentTaskInsideChildren() async throws {
        var names: [String] = []
        try await withNursery { n in
            try n.startSoon(name: "a") { names.append(try Lowlevel.currentTask().name) }
            try n.startSoon(name: "b") { names.append(try Lowlevel.currentTask().name) }
        }
        #expect(names == ["a", "b"])
    }
}

final class LogSink: @unchecked Sendable {
    var values: [Int] = []
    var done: (() -> Void)?
}

@Suite struct StrayUseTests {
    @Test func aNurseryUsedAfterItsRunIsAClearError() throws {
        let nursery = try Trio.run { () -> UncheckedBox<Nursery> in
            var escaped: Nursery?
            try await withNursery { n in escaped = n }
            return UncheckedBox(escaped!)
        }
        #expect(throws: RuntimeError.self) { try nursery.value.startSoon {} }
    }

    @Test func aSwiftTaskThatOutlivesItsRunGetsAClearError() async throws {
        let handle = try Trio.run { () -> UncheckedBox<Task<String, Never>> in
            // An unstructured Swift task started inside a run is not a Trio task.
            let handle = Task<String, Never> {
                try? await Task.sleep(nanoseconds: 20_000_000)
                do { try await Trio.checkpoint() } catch let error as RuntimeError { return error.message } catch {}
                return "no error"
            }
            return UncheckedBox(handle)
        }
        let message = await handle.value.value
        #expect(message.contains("must be called from inside a Trio task"))
    }

    @Test(.trio) func swiftChildTasksAreNotTrioTasks() async throws {
        async let child: String = {
            do { try await Trio.checkpoint() } catch let error as RuntimeError { return error.message } catch {}
            return "no error"
        }()
        let message = await child
        #expect(message.contains("not a Trio task"))
    }
}
