import TestSupport
import Testing
import Trio
import TrioTesting

/// Records every hook as "hook" or "hook:task-name".
final class RecordingInstrument: Instrument {
    var events: [String] = []
    var ioTimeouts: [Double] = []
    func beforeRun() { events.append("before_run") }
    func afterRun() { events.append("after_run") }
    func taskSpawned(_ task: TrioTask) { events.append("spawned:\(task.name)") }
    func taskScheduled(_ task: TrioTask) { events.append("scheduled:\(task.name)") }
    func beforeTaskStep(_ task: TrioTask) { events.append("before:\(task.name)") }
    func afterTaskStep(_ task: TrioTask) { events.append("after:\(task.name)") }
    func taskExited(_ task: TrioTask) { events.append("exited:\(task.name)") }
    func beforeIOWait(timeout: Double) { events.append("before_io"); ioTimeouts.append(timeout) }
    func afterIOWait(timeout: Double) { events.append("after_io"); ioTimeouts.append(timeout) }

    func events(of task: String) -> [String] {
        events.filter { $0.hasSuffix(":\(task)") }.map { String($0.prefix { $0 != ":" }) }
    }
}

/// Throws from the first `beforeTaskStep` it sees.
final class CrashingInstrument: Instrument {
    var calls = 0
    func beforeTaskStep(_ task: TrioTask) throws {
        calls += 1
        throw Boom(tag: "instrument")
    }
}

@Suite struct InstrumentTests {
    @Test func hookOrderForAMainTaskThatCheckpoints() throws {
        let recorder = RecordingInstrument()
        let transfer = UncheckedBox(recorder)
        try Trio.run(instruments: [transfer.value], name: "main") {
            for _ in 0..<2 { try await Trio.checkpoint() }
        }
        #expect(recorder.events.first == "before_run")
        #expect(recorder.events.last == "after_run")
        // A checkpoint reschedules the task before its step ends, as in Trio.
        #expect(recorder.events(of: "main") == [
            "spawned", "scheduled", "before",
            "scheduled", "after", "before",
            "scheduled", "after", "before",
            "after", "exited",
        ])
    }

    @Test func ioWaitHooksComeInPairsWithTheTimeout() throws {
        let recorder = RecordingInstrument()
        let transfer = UncheckedBox(recorder)
        try Trio.run(clock: MockClock(autojumpThreshold: 0.01), instruments: [transfer.value]) {
            try await Trio.sleep(5)
        }
        let io = recorder.events.filter { $0.hasSuffix("_io") }
        #expect(io.count >= 2 && io.count % 2 == 0)
        #expect(zip(io, io.dropFirst()).allSatisfy { $0.0 != $0.1 })
        // Waiting for the sleeper, the runner blocks for at most the autojump threshold.
        #expect(recorder.ioTimeouts.contains(0.01))
        #expect(recorder.ioTimeouts.allSatisfy { $0 <= 0.01 })
    }

    @Test func aCrashingInstrumentIsRemovedAndTheOthersKeepGoing() throws {
        let crashing = CrashingInstrument()
        let recorder = RecordingInstrument()
        let transfer = UncheckedBox((crashing, recorder))
        try Trio.run(instruments: [transfer.value.0, transfer.value.1], name: "main") {
            try await Trio.checkpoint()
            try await Trio.checkpoint()
        }
        #expect(crashing.calls == 1)
        #expect(recorder.events(of: "main").filter { $0 == "before" }.count == 3)
        #expect(recorder.events.last == "after_run")
    }

    @Test func instrumentsCanBeAddedAndRemovedDuringARun() throws {
        let recorder = RecordingInstrument()
        let transfer = UncheckedBox(recorder)
        let removalError = try Trio.run(name: "main") { () -> Bool in
            try Lowlevel.addInstrument(transfer.value)
            try Lowlevel.addInstrument(transfer.value)   // already there: no duplicate
            try await Trio.checkpoint()
            try Lowlevel.removeInstrument(transfer.value)
            try await Trio.checkpoint()
            do { try Lowlevel.removeInstrument(transfer.value) } catch is ValueError { return true }
            return false
        }
        #expect(removalError)
        #expect(recorder.events(of: "main") == ["scheduled", "after", "before"])
    }

    @Test func wakingAnotherTaskIsReportedAsScheduled() throws {
        let recorder = RecordingInstrument()
        let transfer = UncheckedBox(recorder)
        try Trio.run(clock: MockClock(autojumpThreshold: 0), instruments: [transfer.value], name: "main") {
            let event = Trio.Event()
            try await withNursery { n in
                try n.startSoon(name: "waiter") { try await event.wait() }
                try await Trio.sleep(1)
                event.set()
            }
        }
        let waiter = recorder.events(of: "waiter")
        #expect(waiter == ["spawned", "scheduled", "before", "after", "scheduled", "before", "after", "exited"])
    }
}

