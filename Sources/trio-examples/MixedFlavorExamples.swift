import ArgumentParser
import Asyncio
import Trio
import TrioAsyncio

/// The code samples of trio-asyncio's usage documentation, one command each.
let mixedFlavorExamples: [any ParsableCommand.Type] = [
    MixedTrioMain.self, MixedAsyncioMain.self, MixedAioAsTrioFunction.self, MixedAioAsTrioFuture.self,
    MixedAioAsTrioSequence.self, MixedAioAsTrioContext.self, MixedTrioAsAioCallback.self, MixedAllowAsyncio.self,
    MixedStopEvent.self, MixedWrongFlavor.self,
]

/// An asyncio-flavored sleep, as the docs' `aio_sleep`.
private func aioSleep(_ seconds: Double) async throws {
    try await Asyncio.sleep(seconds)
}

/// `trio-examples mixed-trio-main`: a Trio program that opens an asyncio loop (`open_loop`).
struct MixedTrioMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-trio-main", abstract: "A Trio main loop with an asyncio loop opened inside (openLoop).")

    func run() throws {
        Trio.runMain {
            try await openLoop { loop in
                let current = try getEventLoop()
                precondition(current === loop, "getEventLoop() is the open loop")
                let sleep = aioAsTrio(aioSleep)
                try await sleep(0.1)
                print("asyncio code ran inside Trio on \(loop)")
            }
        }
    }
}

/// `trio-examples mixed-asyncio-main`: an asyncio program that keeps its own loop (a "sync loop")
/// and still calls Trio code.
struct MixedAsyncioMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-asyncio-main", abstract: "An asyncio main loop (SyncTrioEventLoop) that calls Trio code.")

    func run() throws {
        let loop = try SyncTrioEventLoop()
        defer { try? loop.close() }
        let setUp = try loop.runUntilComplete(try loop.createTask { () async throws -> String in
            try await trioAsAio { () async throws -> String in
                try await Trio.sleep(0.1)
                return "set up by Trio"
            }().value
        })
        print(setUp)
        try loop.callLater(0.1) {
            print("stopping")
            loop.stop()
        }
        try loop.runForever()
        print("the loop ran twice")
    }
}

/// `trio-examples mixed-aio-as-trio-function`: `aio_as_trio(aio_sleep)(sec)`.
struct MixedAioAsTrioFunction: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-aio-as-trio-function", abstract: "Call an asyncio function from Trio (aioAsTrio).")

    func run() throws {
        TrioAsyncio.runMain {
            let trioSleep = aioAsTrio(aioSleep)
            try await trioSleep(0.3)
            print("slept 0.3 s in asyncio, called from Trio")
        }
    }
}

/// `trio-examples mixed-aio-as-trio-future`: awaiting an asyncio future from Trio.
struct MixedAioAsTrioFuture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-aio-as-trio-future", abstract: "Await an asyncio future from Trio (aioAsTrio).")

    func run() throws {
        TrioAsyncio.runMain {
            guard let loop = CurrentLoop.value else { throw RuntimeError("no loop") }
            let future = try loop.createTask { () async throws -> Int in
                try await Asyncio.sleep(0.1)
                return 42
            }
            let r = try await aioAsTrio(future)
            precondition(r == 42)
            print(r)
        }
    }
}

/// `trio-examples mixed-aio-as-trio-sequence`: iterating an asyncio async sequence from Trio.
struct MixedAioAsTrioSequence: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-aio-as-trio-sequence", abstract: "Iterate an asyncio async sequence from Trio.")

    func run() throws {
        TrioAsyncio.runMain {
            // The docs' `aio_slow` counts forever; this one stops after 4.
            let aioSlow = AsyncThrowingStream<Int, any Error>(unfolding: AsyncioCounter(limit: 4).next)
            for try await n in aioAsTrio(aioSlow) { print(n) }
        }
    }
}

/// Counts 0, 1, … with an asyncio sleep of `n / 10` seconds before each value.
private final class AsyncioCounter: @unchecked Sendable {
    var n = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func next() async throws -> Int? {
        guard n < limit else { return nil }
        try await Asyncio.sleep(Double(n) / 10)
        defer { n += 1 }
        return n
    }
}

/// The docs' `AsyncCtx`: an asyncio context manager with an asyncio method.
private final class AsyncCtx: AsyncContextManager {
    func aenter() async throws -> AsyncCtx {
        try await Asyncio.sleep(0.1)
        return self
    }
    func aexit(_ error: (any Error)?) async throws -> Bool {
        try await Asyncio.sleep(0.1)
        return false
    }
    func delay(_ seconds: Double) async throws { try await Asyncio.sleep(seconds) }
}

/// `trio-examples mixed-aio-as-trio-context`: an asyncio context manager entered from Trio.
struct MixedAioAsTrioContext: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-aio-as-trio-context", abstract: "Enter an asyncio context manager from Trio.")

    func run() throws {
        TrioAsyncio.runMain {
            let manager = aioAsTrio(AsyncCtx())
            let ctx = try await manager.aenter()
            print("within")
            // Methods of the object are still asyncio-flavored: wrap them too.
            let delay = aioAsTrio(ctx.delay)
            try await delay(0.2)
            _ = try await manager.aexit(nil)
        }
    }
}

/// `trio-examples mixed-trio-as-aio-callback`: a Trio function called from asyncio, with a done callback.
struct MixedTrioAsAioCallback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-trio-as-aio-callback", abstract: "Call Trio from asyncio (trioAsAio) with a done callback.")

    func run() throws {
        TrioAsyncio.runMain {
            let trioSleep = trioAsAio { (seconds: Double) async throws -> Int in
                try await Trio.sleep(seconds)
                return 42
            }
            let aioSleep = aioAsTrio { () async throws -> Int in
                let f = trioSleep(0.1)
                f.addDoneCallback { f in
                    precondition((try? f.result()) == 42)
                    print("callback saw", (try? f.result()) ?? -1)
                }
                let r = try await f.value
                precondition(r == 42)
                return r
            }
            print("awaited", try await aioSleep())
        }
    }
}

/// `trio-examples mixed-allow-asyncio`: the docs' `hybrid`.
struct MixedAllowAsyncio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-allow-asyncio", abstract: "Call asyncio directly from Trio code (allowAsyncio).")

    func run() throws {
        TrioAsyncio.runMain {
            try await allowAsyncio {
                try await Trio.sleep(0.1)
                try await Asyncio.sleep(0.1)
                print("Well, that worked")
            }
        }
    }
}

/// `trio-examples mixed-stop-event`: the docs' refactoring of `run_until_complete(setup)` +
/// `run_forever()` into one run that waits for a Trio event.
struct MixedStopEvent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-stop-event", abstract: "Replace run_forever/stop with one run and a stop event.")

    func run() throws {
        TrioAsyncio.runMain {
            let stoppedEvent = Trio.Event()
            let setup = aioAsTrio { () async throws in
                print("services started")
                // A service that asks for shutdown after a while.
                try CurrentLoop.value?.callLater(0.2) {
                    print("shutdown requested")
                    stoppedEvent.set()
                }
            }
            let cleanup = aioAsTrio { () async throws in
                try await Asyncio.sleep(0.1)
                print("services cleaned up")
            }
            try await setup()
            try await stoppedEvent.wait()
            try await cleanup()
        }
    }
}

/// `trio-examples mixed-wrong-flavor`: what calling a function of the wrong flavor does here.
struct MixedWrongFlavor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixed-wrong-flavor", abstract: "Call each flavor from the other without an adapter.")

    func run() throws {
        TrioAsyncio.runMain {
            do {
                try await Asyncio.sleep(1)
            } catch let error as FlavorError {
                print(error)
            }
            try await runAioCoroutine {
                do {
                    try await Trio.sleep(1)
                } catch let error as FlavorError {
                    print(error)
                }
            }
        }
    }
}
