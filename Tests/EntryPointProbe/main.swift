// A program for the entry-point tests (Tests/TrioTests/RunMainTests.swift), run in a process of its
// own because Ctrl-C and the exit status belong to the whole process.
//
//     entry-point-probe FLAVOR MODE
//     entry-point-probe bridge POINT   (Ctrl-C at each point of the bridge: BridgeInterrupts.swift)
//
// FLAVOR: trio | asyncio | trio-asyncio (Trio.runMain, Asyncio.runMain, TrioAsyncio.runMain).
// MODE:
//   interrupt  prints READY, then waits for ever; its cleanup prints "cleanup ran".
//   stubborn   (asyncio) as interrupt, but the main task swallows the first cancel and waits again,
//              so only a second Ctrl-C ends it.
//   error      throws ValueError("probe failed").
//   group      two children of a nursery / task group fail: an ExceptionGroup.
//   ok         prints "done" and returns.
//   tree       (trio) installs the task-tree dump signal (SIGUSR1), parks a few tasks, prints READY
//              and waits for ever: each SIGUSR1 prints the run's tree to stderr.
import Asyncio
import Trio
import TrioAsyncio
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "bridge" { BridgeInterrupt.main(arguments[2]) }
guard arguments.count == 3 else {
    print("usage: entry-point-probe trio|asyncio|trio-asyncio interrupt|stubborn|error|group|ok|tree")
    exit(2)
}
let flavor = arguments[1]
let mode = arguments[2]

func ready() {
    print("READY")
    fflush(nil)
}

/// What the Trio-flavored main does (Trio.runMain and TrioAsyncio.runMain).
func trioMain() async throws {
    switch mode {
    case "interrupt":
        defer { print("cleanup ran") }
        ready()
        try await Trio.sleepForever()
    case "tree":
        try Lowlevel.installTaskTreeDumpSignal(SIGUSR1)
        let event = Trio.Event()
        try await withNursery { nursery in
            try nursery.startSoon(name: "stuck waiter") { try await event.wait() }
            try nursery.startSoon(name: "sleeper") { try await Trio.sleep(3600) }
            try await Lowlevel.waitAllTasksBlocked()
            ready()
            try await Trio.sleepForever()
        }
    case "error":
        throw ValueError("probe failed")
    case "group":
        try await withNursery { nursery in
            try nursery.startSoon { throw ValueError("first child failed") }
            try nursery.startSoon { throw RuntimeError("second child failed") }
        }
    default:
        print("done")
    }
}

/// What the asyncio-flavored main does (Asyncio.runMain).
func asyncioMain() async throws {
    switch mode {
    case "interrupt":
        defer { print("cleanup ran") }
        ready()
        try await Asyncio.sleep(3600)
    case "stubborn":
        defer { print("cleanup ran") }
        ready()
        do {
            try await Asyncio.sleep(3600)
        } catch is CancelledError {
            print("ignoring the first cancel")
            ready()
            try await Asyncio.sleep(3600)
        }
    case "error":
        throw ValueError("probe failed")
    case "group":
        try await withAsyncioTaskGroup { group in
            _ = try group.createTask { throw ValueError("first child failed") }
            _ = try group.createTask { throw RuntimeError("second child failed") }
        }
    default:
        print("done")
    }
}

switch flavor {
case "trio": Trio.runMain(trioMain)
case "asyncio": Asyncio.runMain(asyncioMain)
case "trio-asyncio": TrioAsyncio.runMain(trioMain)
default:
    print("unknown flavor \(flavor)")
    exit(2)
}
