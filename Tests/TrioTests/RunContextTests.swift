import TestSupport
import Testing
import Trio
import TrioTesting

/// Records, for each instrument hook, whether it ran in the run and in a task.
private final class ContextInstrument: Instrument {
    var seen: [String: (run: Bool, task: Bool)] = [:]
    private func note(_ hook: String) { seen[hook] = (Lowlevel.inTrioRun(), Lowlevel.inTrioTask()) }
    func beforeRun() { note("beforeRun") }
    func afterRun() { note("afterRun") }
    func beforeTaskStep(_ task: TrioTask) { note("beforeTaskStep") }
    func afterTaskStep(_ task: TrioTask) { note("afterTaskStep") }
    func taskExited(_ task: TrioTask) { note("taskExited") }
    func beforeIOWait(timeout: Double) { note("beforeIOWait") }
    func afterIOWait(timeout: Double) { note("afterIOWait") }
}

/// `Lowlevel.inTrioRun()` / `inTrioTask()`: Trio's `lowlevel.in_trio_run` / `in_trio_task`.
@Suite struct RunContextTests {
    @Test func outsideARunNeitherHolds() {
        #expect(!Lowlevel.inTrioRun())
        #expect(!Lowlevel.inTrioTask())
    }

    @Test(.trio) func theyFollowTheRunAndItsTasks() async throws {
        var seen: [String] = []
        func note(_ place: String) { seen.append("\(place) \(Lowlevel.inTrioRun()) \(Lowlevel.inTrioTask())") }
        note("main")
        let (run, task) = try await ToThread.runSync { (Lowlevel.inTrioRun(), Lowlevel.inTrioTask()) }
        seen.append("worker thread \(run) \(task)")
        // An abort callback runs in the cancelled task.
        try await moveOnAfter(0) {
            _ = try await Lowlevel.waitTaskRescheduled { _ in
                note("abort")
                return .succeeded
            }
        }
        // A callback queued through the token runs in the run's system task, as in Trio.
        let done = Event()
        let callback = UncheckedBox({
            note("token callback")
            done.set()
        })
        try Lowlevel.currentTrioToken().runSyncSoon { callback.value() }
        try await done.wait()
        try await withNursery { nursery in
            try nursery.startSoon { note("child") }
        }
        #expect(
            seen == [
                "main true true", "worker thread false false", "abort true true", "token callback true true",
                "child true true",
            ])
    }

    /// Needs a whole `Trio.run`: what holds once the run has returned, on the thread it ran on.
    @Test func neitherHoldsOnceTheRunHasEnded() throws {
        let inside = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Bool in
            try await Trio.checkpoint()
            return Lowlevel.inTrioRun() && Lowlevel.inTrioTask()
        }
        #expect(inside)
        #expect(!Lowlevel.inTrioRun())
        #expect(!Lowlevel.inTrioTask())
    }

    @Test func instrumentHooksSeeTheContextTrioGivesThem() throws {
        let instrument = ContextInstrument()
        let transfer = UncheckedBox(instrument)
        try Trio.run(instruments: [transfer.value]) {
            try await Trio.checkpoint()
            try await withNursery { nursery in try nursery.startSoon { try await Trio.checkpoint() } }
        }
        // As in Trio's test_instrument_call_trio_context.
        let expected: [String: (run: Bool, task: Bool)] = [
            "beforeRun": (true, false), "afterRun": (true, false),
            "beforeIOWait": (true, false), "afterIOWait": (true, false),
            "beforeTaskStep": (true, true), "afterTaskStep": (true, true), "taskExited": (true, true),
        ]
        #expect(Set(instrument.seen.keys) == Set(expected.keys))
        for (hook, context) in expected {
            #expect(instrument.seen[hook]?.run == context.run, "inTrioRun in \(hook)")
            #expect(instrument.seen[hook]?.task == context.task, "inTrioTask in \(hook)")
        }
    }
}
