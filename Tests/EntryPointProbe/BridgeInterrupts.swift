// Ctrl-C at each point of the trio-asyncio bridge (issue #18, python-trio/trio-asyncio #88 and #118):
//
//     entry-point-probe bridge POINT
//
// The probe sends itself SIGINT (`kill(getpid(), SIGINT)`) exactly at POINT, so nothing depends on
// timing: the handler only flags the interrupt, and the run (or `Asyncio.run`'s guard) delivers it at
// its next pass, which is still inside that point. When the run is over the probe prints how many
// descriptors it left open, then ends as `runMain` does (KeyboardInterrupt on standard error, death
// by SIGINT).
import Asyncio
import Trio
import TrioAsyncio
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

enum BridgeInterrupt {
    /// Every point, as named on the command line.
    static let points = [
        "start", "batch", "aio-as-trio", "trio-as-aio", "allow-asyncio", "sync-loop", "shutdown", "stopped-loop",
        "raised",
    ]

    /// Prints `marker` and sends SIGINT to the process; the handler has run when this returns.
    static func interrupt(at marker: String) {
        print("SIGINT at \(marker)")
        kill(getpid(), SIGINT)
    }

    /// How many descriptors the process has open (from /proc/self/fd, less the one that lists it).
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return count - 1
    }

    static func currentLoop() throws -> TrioEventLoop {
        guard let loop = CurrentLoop.value else { throw RuntimeError("no loop is open") }
        return loop
    }

    /// Runs the scenario of `point` and ends the process the way `runMain` would.
    static func main(_ point: String) -> Never {
        guard let scenario = scenario(point) else {
            print("unknown point \(point); one of \(points.joined(separator: ", "))")
            exit(2)
        }
        // A first run of each kind sets up what lives as long as the process (the signal registry),
        // so that the count below sees only what a run leaves behind.
        _ = try? TrioAsyncio.run {}
        _ = try? Asyncio.run(loopFactory: { try SyncTrioEventLoop() }) {}
        let before = openDescriptors()
        let outcome = Result { try scenario() }
        print("leaked descriptors: \(openDescriptors() - before)")
        switch outcome {
        case .success: print("returned normally")
        case .failure(let error): ProgramExit.terminate(for: error)
        }
        fflush(nil)
        exit(0)
    }

    static func scenario(_ point: String) -> (() throws -> Void)? {
        switch point {
        case "start": return whileTheLoopStarts
        case "batch": return inABatchOfCallbacks
        case "aio-as-trio": return insideAioAsTrio
        case "trio-as-aio": return insideTrioAsAio
        case "allow-asyncio": return insideAllowAsyncio
        case "sync-loop": return whileASyncLoopRunsUntilComplete
        case "shutdown": return duringTheLoopsShutdown
        case "stopped-loop": return whileTheLoopStopsUnderAWaiter
        case "raised": return raisedByAsyncioCode
        default: return nil
        }
    }

    /// Pending when `openLoop` is entered: the run delivers it at openLoop's first schedule point,
    /// while it starts its tasks nursery and its loop task (shielded).
    static func whileTheLoopStarts() throws {
        try Trio.run {
            interrupt(at: "openLoop entry")
            try await openLoop { _ in
                defer { print("body cleanup ran") }
                try await Trio.sleepForever()
            }
            print("openLoop returned")
        }
    }

    /// In the first callback of a batch; the rest of the batch still runs, then the loop shuts down.
    static func inABatchOfCallbacks() throws {
        try TrioAsyncio.run {
            let loop = try currentLoop()
            try loop.callSoon { interrupt(at: "callback") }
            try loop.callSoon { print("rest of the batch ran") }
            defer { print("body cleanup ran") }
            try await Trio.sleepForever()
        }
    }

    /// In the asyncio task of an `aioAsTrio` call; its cancel ends it.
    static func insideAioAsTrio() throws {
        try TrioAsyncio.run {
            let call = aioAsTrio {
                defer { print("asyncio cleanup ran") }
                interrupt(at: "aioAsTrio")
                try await Asyncio.sleep(3600)
            }
            try await call()
        }
    }

    /// In the Trio task of a `trioAsAio` call made by an asyncio task that Trio waits for.
    static func insideTrioAsAio() throws {
        try TrioAsyncio.run {
            let call = aioAsTrio {
                defer { print("asyncio cleanup ran") }
                let trioSide = trioAsAio {
                    defer { print("trio cleanup ran") }
                    interrupt(at: "trioAsAio")
                    try await Trio.sleepForever()
                }
                try await trioSide().value
            }
            try await call()
        }
    }

    /// Inside `allowAsyncio`, while the Trio task waits for an asyncio future.
    static func insideAllowAsyncio() throws {
        try TrioAsyncio.run {
            try await allowAsyncio {
                defer { print("cleanup ran") }
                interrupt(at: "allowAsyncio")
                try await Asyncio.sleep(3600)
            }
        }
    }

    /// While `Asyncio.run` on a `SyncTrioEventLoop` is in `runUntilComplete`, inside a Trio task the
    /// main task waits for.
    static func whileASyncLoopRunsUntilComplete() throws {
        try Asyncio.run(loopFactory: { try SyncTrioEventLoop() }) {
            defer { print("asyncio cleanup ran") }
            let trioSide = trioAsAio {
                defer { print("trio cleanup ran") }
                interrupt(at: "runUntilComplete")
                try await Trio.sleepForever()
            }
            try await trioSide().value
        }
    }

    /// While `openLoop` shuts down: an asyncio task cancelled there raises SIGINT as it unwinds, and
    /// a Trio task started from asyncio is still to be cancelled.
    static func duringTheLoopsShutdown() throws {
        try TrioAsyncio.run {
            let loop = try currentLoop()
            let started = Trio.Event()
            _ = try loop.createTask {
                do {
                    started.set()
                    try await Asyncio.sleep(3600)
                } catch let error as CancelledError {
                    interrupt(at: "shutdown")
                    try await Asyncio.sleep(0)
                    print("asyncio cleanup ran")
                    throw error
                }
            }
            try loop.runTrioTask {
                defer { print("trio cleanup ran") }
                try await Trio.sleepForever()
            }
            try await started.wait()
            print("body returns")
        }
    }

    /// In the callback that stops the loop by hand while a Trio task waits in `aioAsTrio`: the
    /// waiter's cancel reaches a loop that no longer runs (trio-asyncio #118's deadlock).
    static func whileTheLoopStopsUnderAWaiter() throws {
        try TrioAsyncio.run {
            let loop = try currentLoop()
            try await withNursery { nursery in
                let started = Trio.Event()
                try nursery.startSoon {
                    defer { print("waiter cleanup ran") }
                    let call = aioAsTrio {
                        started.set()
                        try await Asyncio.sleep(3600)
                    }
                    try await call()
                }
                try await started.wait()
                try loop.callSoon {
                    interrupt(at: "loop.stop()")
                    loop.stop()
                }
                try await Trio.sleepForever()
            }
        }
    }

    /// asyncio code that raises `KeyboardInterrupt` itself inside `aioAsTrio` (trio-asyncio #88):
    /// the error reaches the Trio caller and ends the run.
    static func raisedByAsyncioCode() throws {
        try TrioAsyncio.run {
            let call = aioAsTrio {
                try await Asyncio.sleep(0)
                print("raising")
                throw KeyboardInterrupt()
            }
            try await call()
        }
    }
}
