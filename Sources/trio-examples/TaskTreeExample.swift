import ArgumentParser
import Asyncio
import Trio
import TrioAsyncio

/// `task-tree`: prints a live task tree (an asyncio loop's tasks included, under the Trio task
/// that runs the loop), then (with `--deadlock`) lets two tasks wait on each
/// other so that the run reports the deadlock instead of hanging.
struct TaskTreeExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task-tree",
        abstract: "Prints what every task is doing (Lowlevel.taskTree), and shows a deadlock report.")

    @Flag(help: "End with two tasks waiting on each other: the run throws DeadlockError with the tree.")
    var deadlock = false

    func run() throws {
        let deadlock = self.deadlock
        Trio.runMain(name: "main") { try await taskTreeDemo(deadlock: deadlock) }
    }
}

private func taskTreeDemo(deadlock: Bool) async throws {
    let lock = Trio.Lock()
    let (send, receive) = openMemoryChannel(of: String.self, maxBufferSize: 0)
    try await withNursery { nursery in
        try nursery.startSoon(name: "holder") {
            try await lock.withLock { try await Trio.sleep(2) }
        }
        try nursery.startSoon(name: "waiter") {
            try await Trio.sleep(0.1)
            try await lock.withLock {}
        }
        try nursery.startSoon(name: "consumer") {
            for try await line in receive { print("consumer got \(line)") }
        }
        try nursery.startSoon(name: "scoped") {
            try await moveOnAfter(5) {
                try await withNursery { inner in
                    try inner.startSoon(name: "shielded cleanup") {
                        try await CancelScope(shield: true).run { try await Trio.sleep(1) }
                    }
                }
            }
        }
        try nursery.startSoon(name: "asyncio") {
            try await openLoop { loop in
                let ticker = try loop.createTask(name: "ticker") { try await Asyncio.sleep(2) }
                _ = try loop.createTask(name: "watcher") { try await ticker.value }
                _ = try loop.createTask(name: "bridge") {
                    try await loop.trioAsFuture { try await Trio.sleep(1) }.value
                }
                try await Trio.sleep(2)
            }
        }
        try await Trio.sleep(0.5)
        print(try Lowlevel.taskTree())
        try await send.send("hello")
        try await send.aclose()
    }
    guard deadlock else { return }
    print("Now two tasks wait for each other's event:")
    let first = Trio.Event()
    let second = Trio.Event()
    try await withNursery { nursery in
        try nursery.startSoon(name: "A") { try await first.wait(); second.set() }
        try nursery.startSoon(name: "B") { try await second.wait(); first.set() }
    }
}
