import ArgumentParser
import Foundation
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// `trio-bench echo`: starts an echo server in its own process (by default
/// `trio-bench echo-server`), drives it with `.build/bench/echo_load` (50 connections × 64-byte
/// round trips), and reports round trips per second, p50/p99 latency, and the server's CPU time
/// per round trip (from `getrusage(RUSAGE_CHILDREN)` around reaping the server).
struct EchoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo", abstract: "Echo round trips: a server process driven by the repo's load generator.")

    @Option(help: "Concurrent connections.") var connections = 50
    @Option(help: "Round trips per connection.") var roundtrips = 2000
    @Option(help: "Message size in bytes.") var size = 64
    @Option(help: "The load generator (default: the one LoadGenerator/build.sh builds).")
    var loadGenerator: String?
    @Option(help: "Another server to measure instead: a command that prints `PORT n` (e.g. the C epoll server).")
    var server: [String] = []
    @Option(help: "The implementation name in the output.") var impl = "swift-trio"

    func run() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let serverCommand = server.isEmpty ? [executable.path, "echo-server", "--port", "0"] : server
        try driveEchoServer(
            serverCommand, workload: "echo", impl: impl,
            generator: try loadGeneratorPath(next: executable, explicit: loadGenerator),
            load: [String(connections), String(roundtrips), String(size)])
    }
}

/// `trio-bench aio-echo [--protocol]`: the same measurement against `trio-bench aio-echo-server`,
/// the asyncio flavor's streams (or protocol) echo server.
struct AioEchoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aio-echo", abstract: "Echo round trips against the asyncio echo server (streams or --protocol).")

    @Flag(help: "Measure the protocol-based server instead of the streams one.") var `protocol` = false
    @Option(help: "The loop serving it: `standalone` (SelectorEventLoop) or `trio` (TrioEventLoop in a Trio run).")
    var loop = "standalone"
    @Option(help: "Concurrent connections.") var connections = 50
    @Option(help: "Round trips per connection.") var roundtrips = 2000
    @Option(help: "Message size in bytes.") var size = 64
    @Option(help: "The load generator (default: the one LoadGenerator/build.sh builds).")
    var loadGenerator: String?

    func run() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let serverCommand = [executable.path, "aio-echo-server", "--port", "0", "--loop", loop]
            + (`protocol` ? ["--protocol"] : [])
        let base = loop == "trio" ? "swift-trio-asyncio" : "swift-asyncio"
        try driveEchoServer(
            serverCommand, workload: "aio_echo", impl: `protocol` ? "\(base)-protocol" : base,
            generator: try loadGeneratorPath(next: executable, explicit: loadGenerator),
            load: [String(connections), String(roundtrips), String(size)])
    }
}

/// Starts `serverCommand` (which prints `PORT n`), drives it with the load generator, and reports
/// `<workload>` round trips/s, p50/p99 latency and the server's CPU time per round trip.
private func driveEchoServer(
    _ serverCommand: [String], workload: String, impl: String, generator: String, load: [String]
) throws {
    try Trio.run {
        let server = try await openProcess(serverCommand, stdout: .pipe)
        do {
            let port = try await readPort(server.stdout!)
            let result = try await runProcess([generator, "127.0.0.1", String(port)] + load, captureStdout: true)
            let afterLoad = childrenCPUSeconds()
            try server.terminate()
            _ = try await server.wait()
            let serverCPU = childrenCPUSeconds() - afterLoad
            let values = parseKeyValues(result.stdout ?? [])
            let trips = values["roundtrips"] ?? 0
            report(workload, values["roundtrips_per_second"] ?? 0, "roundtrips/s", impl: impl)
            report("\(workload)_p50", values["p50_us"] ?? 0, "us", impl: impl)
            report("\(workload)_p99", values["p99_us"] ?? 0, "us", impl: impl)
            report("\(workload)_server_cpu", trips > 0 ? serverCPU / trips * 1e6 : 0, "us/roundtrip", impl: impl)
        } catch {
            try? server.kill()
            _ = try? await CancelScope(shield: true).run { try await server.wait() }
            throw error
        }
    }
}

/// The load generator: `explicit`, or the one `LoadGenerator/build.sh` put in the build folder.
private func loadGeneratorPath(next executable: URL, explicit: String?) throws -> String {
    if let explicit { return explicit }
    // …/.build/<triple>/<config>/trio-bench → …/.build/bench/echo_load
    var buildDirectory = executable.deletingLastPathComponent()
    while buildDirectory.lastPathComponent != ".build" && buildDirectory.path != "/" {
        buildDirectory = buildDirectory.deletingLastPathComponent()
    }
    let path = buildDirectory.appendingPathComponent("bench/echo_load").path
    if FileManager.default.isExecutableFile(atPath: path) { return path }
    throw ValidationError("no load generator at \(path): run LoadGenerator/build.sh first, or pass --load-generator")
}

/// Reads the server's first line, `PORT n`.
private func readPort(_ stream: any ReceiveStream) async throws -> Int {
    var text = ""
    while !text.contains("\n") {
        let chunk = try await stream.receiveSome(maxBytes: 256)
        if chunk.isEmpty { break }
        text += String(decoding: chunk, as: UTF8.self)
    }
    guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5))
    else { throw ValidationError("the server did not print `PORT n` (got \(text.debugDescription))") }
    return port
}

/// CPU seconds (user + system) of this process's reaped children so far.
private func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// `key value` lines → a dictionary.
private func parseKeyValues(_ output: [UInt8]) -> [String: Double] {
    var values: [String: Double] = [:]
    for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
    }
    return values
}
