import Testing
import TrioTesting

@testable import Trio

/// Shared state of a Trio program kept in an actor: its methods call Trio from actor-isolated
/// code, which runs off the run's thread unless Trio hops back to it.
private actor Tally {
    private(set) var steps: [String] = []

    func tick(_ label: String) async throws -> Double {
        try await Trio.checkpoint()
        steps.append(label)
        try await Trio.sleep(1)
        return try Trio.currentTime()
    }

    // Trio objects the actor owns: its methods use them from actor-isolated code.
    private let event = Trio.Event()
    private let channel = openMemoryChannel(of: Int.self, maxBufferSize: 0)

    func waitThenReceive() async throws -> Int {
        try await event.wait()
        return try await channel.1.receive()
    }

    func setThenSend(_ value: Int) async throws {
        event.set()
        try await channel.0.send(value)
    }
}

@Suite struct ActorIsolationTests {
    @Test(.trio) func trioCallsFromActorIsolatedCodeRunOnTheRun() async throws {
        let tally = Tally()
        var times: [Double] = []
        try await withNursery { nursery in
            for label in ["a", "b"] {
                try nursery.startSoon(name: label) {
                    times.append(try await tally.tick(label))
                    // Back from the actor: this step reached the run as an untagged job, and
                    // must still find its own Trio task.
                    #expect(try Lowlevel.currentTask().name == label)
                    try await Trio.checkpoint()
                    #expect(try Lowlevel.currentTask().name == label)
                }
            }
        }
        #expect(times == [1, 1])
        #expect(await tally.steps.sorted() == ["a", "b"])
    }

    @Test(.trio) func blockingPrimitivesWorkFromActorIsolatedCode() async throws {
        let tally = Tally()
        var received = 0
        try await withNursery { nursery in
            try nursery.startSoon { received = try await tally.waitThenReceive() }
            try await waitAllTasksBlocked()
            try await tally.setThenSend(42)
        }
        #expect(received == 42)
    }

    /// `Task.yield()` suspends a Trio task outside Trio's parking: it comes back to the run as a
    /// plain job, which the runner must still attribute to the right Trio task.
    @Test(.trio) func stepsThatSuspendOutsideTrioFindTheirOwnTask() async throws {
        var seen: [String] = []
        try await withNursery { nursery in
            for label in ["x", "y", "z"] {
                try nursery.startSoon(name: label) {
                    for _ in 0..<3 {
                        await Task.yield()
                        seen.append(try Lowlevel.currentTask().name)
                        try await Trio.checkpoint()
                        seen.append(try Lowlevel.currentTask().name)
                    }
                }
            }
        }
        #expect(seen.count == 18)
        #expect(seen.sorted() == Array(repeating: "x", count: 6) + Array(repeating: "y", count: 6)
            + Array(repeating: "z", count: 6))
    }

    @Test(.trio) func cancellationReachesActorIsolatedCode() async throws {
        let tally = Tally()
        let result = try await moveOnAfter(0.5) { try await tally.tick("c") }
        #expect(result == nil)
    }
}
