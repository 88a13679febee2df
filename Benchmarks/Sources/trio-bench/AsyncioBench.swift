import ArgumentParser
import Asyncio
import Trio
import TrioAsyncio

#if canImport(Glibc)
import Glibc
#endif

/// asyncio-flavored workloads (the same shapes as the asyncio side of `Python/bench.py`).
/// Each runs on the standalone loop (impl `swift-trio`) and on `TrioEventLoop` inside a Trio run (impl
/// `swift-trio-asyncio`), side by side.
let asyncioWorkloads: [Workload] = [
    Workload(name: "call_soon_batch") { for host in AioHost.selected { try callSoonWorkload(batch: true, on: host) } },
    Workload(name: "call_soon_chain") { for host in AioHost.selected { try callSoonWorkload(batch: false, on: host) } },
    Workload(name: "aio_spawn") { for host in AioHost.selected { try aioSpawnWorkload(on: host) } },
    Workload(name: "aio_yield") { for host in AioHost.selected { try aioYieldWorkload(on: host) } },
    Workload(name: "cross_aio_as_trio") { try crossAioAsTrioWorkload() },
    Workload(name: "cross_trio_as_aio") { try crossTrioAsAioWorkload() },
    Workload(name: "allow_asyncio_call") { try allowAsyncioCallWorkload() },
]

/// Where an asyncio workload runs.
enum AioHost: CaseIterable {
    /// `Asyncio.run` on a `SelectorEventLoop`.
    case standalone
    /// `TrioAsyncio.run`: a `TrioEventLoop` inside a Trio run.
    case trio

    var impl: String { self == .standalone ? "swift-trio" : "swift-trio-asyncio" }

    /// The hosts to measure: both, or the one named by `TRIO_BENCH_HOST` (`standalone` or `trio`), so that a
    /// profiler sees one loop at a time.
    static var selected: [AioHost] {
        switch getenv("TRIO_BENCH_HOST").map({ String(cString: $0) }) {
        case "standalone": return [.standalone]
        case "trio": return [.trio]
        default: return allCases
        }
    }

    /// Runs the asyncio-flavored `main` on this host.
    func run<T: Sendable>(_ main: sending @escaping () async throws -> T) throws -> T {
        switch self {
        case .standalone:
            return try Asyncio.run(main)
        case .trio:
            let body = UncheckedSendable(main)
            return try TrioAsyncio.run { try await runAioCoroutine { try await body.value() } }
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// asyncio-flavored extra commands (servers driven by a load generator).
let asyncioBenchCommands: [any ParsableCommand.Type] = [AioEchoServer.self, AioEchoBench.self]

/// `batch`: 100 000 `callSoon`s up front, then wait for the last; `chain`: each callback schedules the next.
/// Ten rounds; reports callbacks per second over all of them.
private func callSoonWorkload(batch: Bool, on host: AioHost) throws {
    let count = 100_000, rounds = 10
    let elapsed = try host.run { () -> Double in
        let loop = try getRunningLoop()
        var total = 0.0
        for _ in 0..<rounds {
            let done = loop.createFuture(of: Void.self)
            var seen = 0
            let start = monotonicSeconds()
            if batch {
                let callback = {
                    seen += 1
                    if seen == count { try? done.setResult(()) }
                }
                for _ in 0..<count { try loop.callSoon(callback) }
            } else {
                func step() {
                    seen += 1
                    if seen == count {
                        try? done.setResult(())
                    } else {
                        _ = try? loop.callSoon(step)
                    }
                }
                try loop.callSoon(step)
            }
            try await done.value
            total += monotonicSeconds() - start
        }
        return total
    }
    report(batch ? "call_soon_batch" : "call_soon_chain", Double(count * rounds) / elapsed, "callbacks/s",
           impl: host.impl)
}

/// 20 task groups in sequence, each starting 10 000 tasks that yield once.
private func aioSpawnWorkload(on host: AioHost) throws {
    let count = 10_000, rounds = 20
    let elapsed = try host.run { () -> Double in
        let start = monotonicSeconds()
        for _ in 0..<rounds {
            try await withAsyncioTaskGroup { group in
                for _ in 0..<count { try group.createTask { try await Asyncio.sleep(0) } }
            }
        }
        return monotonicSeconds() - start
    }
    report("aio_spawn", Double(count * rounds) / elapsed, "tasks/s", impl: host.impl)
}

/// Two tasks doing 200 000 `sleep(0)`s each, alternating on the ready queue.
private func aioYieldWorkload(on host: AioHost) throws {
    let steps = 200_000
    let elapsed = try host.run { () -> Double in
        let start = monotonicSeconds()
        try await withAsyncioTaskGroup { group in
            for _ in 0..<2 {
                try group.createTask {
                    for _ in 0..<steps { try await Asyncio.sleep(0) }
                }
            }
        }
        return monotonicSeconds() - start
    }
    report("aio_yield", Double(2 * steps) / elapsed, "checkpoints/s", impl: host.impl)
}

/// A Trio task inside `openLoop` awaits `aioAsTrio(noop)()` 100 000 times (`Python/bench.py cross_aio_as_trio`):
/// one asyncio task per call.
private func crossAioAsTrioWorkload() throws {
    let count = 100_000
    let elapsed = try TrioAsyncio.run { () -> Double in
        let noop: () async throws -> Void = {}
        let call = aioAsTrio(noop)
        try await call()
        let start = monotonicSeconds()
        for _ in 0..<count { try await call() }
        return monotonicSeconds() - start
    }
    report("cross_aio_as_trio", Double(count) / elapsed, "calls/s", impl: "swift-trio-asyncio")
}

/// A Trio task inside `openLoop` makes 100 000 sleep-free asyncio calls (awaiting a done asyncio
/// future) through `allowAsyncio { … }`, one `allowAsyncio` per call: no asyncio task, no loop round
/// trip. Compare with `cross_aio_as_trio`, the same kind of call through `aioAsTrio`.
private func allowAsyncioCallWorkload() throws {
    let count = 100_000
    let elapsed = try TrioAsyncio.run { () -> Double in
        guard let loop = CurrentLoop.value else { throw RuntimeError("no loop") }
        let done = loop.createFuture(of: Int.self)
        try done.setResult(1)
        let asyncioCall: () async throws -> Int = { try await done.value }
        _ = try await allowAsyncio { try await asyncioCall() }
        let start = monotonicSeconds()
        for _ in 0..<count { _ = try await allowAsyncio { try await asyncioCall() } }
        return monotonicSeconds() - start
    }
    report("allow_asyncio_call", Double(count) / elapsed, "calls/s", impl: "swift-trio-asyncio")
}

/// An asyncio task inside `openLoop` awaits `trioAsAio(noop)()` 100 000 times
/// (`Python/bench.py cross_trio_as_aio`): one Trio task per call.
private func crossTrioAsAioWorkload() throws {
    let count = 100_000
    let elapsed = try TrioAsyncio.run { () -> Double in
        try await runAioCoroutine { () async throws -> Double in
            let noop: () async throws -> Void = {}
            let call = trioAsAio(noop)
            try await call().value
            let start = monotonicSeconds()
            for _ in 0..<count { try await call().value }
            return monotonicSeconds() - start
        }
    }
    report("cross_trio_as_aio", Double(count) / elapsed, "calls/s", impl: "swift-trio-asyncio")
}

/// `trio-bench aio-echo-server --port P [--protocol]`: a quiet echo server on 127.0.0.1 for `echo_client`,
/// with streams (default) or a bare protocol; prints `PORT n` once listening and serves until killed.
struct AioEchoServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aio-echo-server",
        abstract: "asyncio echo server for the echo load generator; prints PORT n."
    )

    @Option(help: "Port (0: any free port).") var port = 0
    @Flag(name: .customLong("protocol"), help: "Use a StreamProtocol instead of streams.") var useProtocol = false
    @Option(help: "`standalone` (SelectorEventLoop) or `trio` (TrioEventLoop in a Trio run).") var loop = "standalone"

    func run() throws {
        let port = port, useProtocol = useProtocol
        guard let host = ["standalone": AioHost.standalone, "trio": .trio][loop] else {
            throw ValidationError("--loop takes standalone or trio")
        }
        try host.run {
            let loop = try getRunningLoop()
            let server: Server
            if useProtocol {
                server = try await loop.createServer({ EchoProtocol() }, host: "127.0.0.1", port: port)
            } else {
                server = try await startServer(host: "127.0.0.1", port: port) { reader, writer in
                    while true {
                        let data = try await reader.read(65536)
                        if data.isEmpty { break }
                        try writer.write(data)
                        try await writer.drain()
                    }
                    writer.close()
                }
            }
            print("PORT \(server.port)")
            fflush(nil)
            try await server.serveForever()
        }
    }
}

private final class EchoProtocol: StreamProtocol {
    var transport: (any Transport)?
    func connectionMade(_ transport: any Transport) { self.transport = transport }
    func dataReceived(_ data: [UInt8]) {
        // The echo never half-closes, so a write cannot fail; should one, the connection ends visibly.
        do { try transport?.write(data) } catch { transport?.abort() }
    }
    // The transport holds its protocol; let go of it so the pair can be freed.
    func connectionLost(_ error: (any Error)?) { transport = nil }
}
