import TrioPlatform
import ArgumentParser
import Asyncio

#if canImport(Glibc)
import Glibc
#endif

/// asyncio-flavored workloads (the same shapes as `pybench.py`'s asyncio side).
let asyncioWorkloads: [Workload] = [
    Workload(name: "call_soon_batch") { try callSoonWorkload(batch: true) },
    Workload(name: "call_soon_chain") { try callSoonWorkload(batch: false) },
    Workload(name: "aio_spawn") { try aioSpawnWorkload() },
    Workload(name: "aio_yield") { try aioYieldWorkload() },
]

/// asyncio-flavored extra commands (servers driven by a load generator).
let asyncioBenchCommands: [any ParsableCommand.Type] = [AioEchoServer.self, AioEchoBench.self]

/// `batch`: 100 000 `callSoon`s up front, then wait for the last; `chain`: each callback schedules the next.
/// Ten rounds; reports callbacks per second over all of them.
private func callSoonWorkload(batch: Bool) throws {
    let count = 100_000, rounds = 10
    let elapsed = try Asyncio.run { () -> Double in
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
    report(batch ? "call_soon_batch" : "call_soon_chain", Double(count * rounds) / elapsed, "callbacks/s")
}

/// 20 task groups in sequence, each starting 10 000 tasks that yield once.
private func aioSpawnWorkload() throws {
    let count = 10_000, rounds = 20
    let elapsed = try Asyncio.run { () -> Double in
        let start = monotonicSeconds()
        for _ in 0..<rounds {
            try await withAsyncioTaskGroup { group in
                for _ in 0..<count { try group.createTask { try await Asyncio.sleep(0) } }
            }
        }
        return monotonicSeconds() - start
    }
    report("aio_spawn", Double(count * rounds) / elapsed, "tasks/s")
}

/// Two tasks doing 200 000 `sleep(0)`s each, alternating on the ready queue.
private func aioYieldWorkload() throws {
    let steps = 200_000
    let elapsed = try Asyncio.run { () -> Double in
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
    report("aio_yield", Double(2 * steps) / elapsed, "checkpoints/s")
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

    func run() throws {
        let port = port, useProtocol = useProtocol
        try Asyncio.run {
            let loop = try getRunningLoop()
            let server: Server
            if useProtocol {
                server = try await loop.createServer({ EchoProtocol() }, host: "127.0.0.1", port: port)
            } else {
                server = try await startServer(host: "127.0.0.1", port: port) { reader, writer in
                    while true {
                        let data = try await reader.read(65536)
                        if data.isEmpty { break }
                        writer.write(data)
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
    func dataReceived(_ data: [UInt8]) { transport?.write(data) }
    // The transport holds its protocol; let go of it so the pair can be freed.
    func connectionLost(_ error: (any Error)?) { transport = nil }
}
