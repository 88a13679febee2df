import ArgumentParser
import Trio

/// The Trio tutorial's `tasks-intro.py`: a parent opens a nursery and two children sleep in it.
struct TasksIntro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks-intro", abstract: "The Trio tutorial's tasks-intro: a parent and two sleeping children.")

    func run() throws {
        Trio.runMain(name: "parent", tutorialParent)
    }
}

/// The Trio tutorial's `tasks-with-trace.py`: the same program under a tracing instrument.
struct TasksWithTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks-with-trace", abstract: "tasks-intro with a Tracer instrument printing every run-loop event.")

    func run() throws {
        Trio.runMain(instruments: [Tracer()], name: "parent", tutorialParent)
    }
}

private func child(_ name: String) async throws {
    print("  \(name): started! sleeping now...")
    try await Trio.sleep(1)
    print("  \(name): exiting!")
}

@Sendable private func tutorialParent() async throws {
    print("parent: started!")
    try await withNursery { nursery in
        print("parent: spawning child1...")
        try nursery.startSoon(name: "child1") { try await child("child1") }

        print("parent: spawning child2...")
        try nursery.startSoon(name: "child2") { try await child("child2") }

        print("parent: waiting for children to finish...")
        // -- we leave the nursery block here --
    }
    print("parent: all done!")
}

/// Prints one line per run-loop event, as the tutorial's `Tracer` does.
final class Tracer: Instrument {
    private var sleepStarted = 0.0

    func beforeRun() { print("!!! run started") }
    func afterRun() { print("!!! run finished") }
    func taskSpawned(_ task: TrioTask) { print("### new task spawned: \(task.name)") }
    func taskScheduled(_ task: TrioTask) { print("### task scheduled: \(task.name)") }
    func beforeTaskStep(_ task: TrioTask) { print(">>> about to run one step of task: \(task.name)") }
    func afterTaskStep(_ task: TrioTask) { print("<<< task step finished: \(task.name)") }
    func taskExited(_ task: TrioTask) { print("### task exited: \(task.name)") }

    func beforeIOWait(timeout: Double) throws {
        if timeout > 0 {
            print("### waiting for I/O for up to \(timeout) seconds")
        } else {
            print("### doing a quick check for I/O")
        }
        sleepStarted = try Trio.currentTime()
    }

    func afterIOWait(timeout: Double) throws {
        let duration = try Trio.currentTime() - sleepStarted
        print("### finished I/O check (took \(duration) seconds)")
    }
}
