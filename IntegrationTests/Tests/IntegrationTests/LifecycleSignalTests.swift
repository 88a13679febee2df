import Foundation
import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Lines read from a child process's standard output, kept for the test to look back at.
final class ChildLines {
    private let stream: any ReceiveStream
    private var pending: [UInt8] = []
    private(set) var lines: [String] = []
    private var read = 0

    init(_ stream: any ReceiveStream) { self.stream = stream }

    /// Waits for the next line that starts with `prefix` (skipping others, which stay in
    /// `lines`), at most `bound` seconds. Flavor: Trio.
    func expect(_ prefix: String, bound: Double = 20) async throws -> String {
        do {
            return try await waitFor(prefix, bound: bound)
        } catch is TooSlowError {
            throw NeverHappened(what: "line \(prefix) within \(bound) s (output so far: \(lines))")
        }
    }

    private func waitFor(_ prefix: String, bound: Double) async throws -> String {
        try await failAfter(bound) {
            while true {
                while read < lines.count {
                    defer { read += 1 }
                    if lines[read].hasPrefix(prefix) { return lines[read] }
                }
                let chunk = try await stream.receiveSome()
                if chunk.isEmpty { throw NeverHappened(what: "line \(prefix) (child output ended: \(lines))") }
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeFirst(newline + 1)
                }
            }
        }
    }

    /// Reads the rest of the output, until the child closes it.
    func drain(bound: Double = 20) async throws -> [String] {
        _ = try await moveOnAfter(bound) {
            while true {
                let chunk = try await stream.receiveSome()
                if chunk.isEmpty { break }
                pending += chunk
            }
        }
        lines += String(decoding: pending, as: UTF8.self).split(separator: "\n").map(String.init)
        pending = []
        return lines
    }
}

/// The child program next to the test binary (both are products of this package).
func childExecutable() -> String {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = here.deletingLastPathComponent()
    // The test binary may sit inside an .xctest bundle.
    func holdsChild(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("trio-lifecycle-child").path)
    }
    while directory.path != "/" && !holdsChild(directory) {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent("trio-lifecycle-child").path
}

/// What one run of the child showed.
struct ChildRun: Sendable {
    var lines: [String] = []
    var exitCode: Int32 = -1
    /// Seconds from the signal to the handler's end (HANDLER-DONE or HANDLER-CANCELLED).
    var handlerEndAfterSignal = -1.0
    /// What the client got back after STARTED.
    var clientReceived = ""
    /// Whether a new connection was refused once the child said it stopped accepting.
    var refusedAfterStop = false
}

/// Starts the child in `mode` with `grace`, makes one request that sleeps `slow` seconds, sends
/// `signal` once the handler has started, and records what happens until the child exits. Every
/// step waits for a line the child prints, never for time.
func runChild(mode: String, grace: Double, slow: Double, signal: Int32) async throws -> ChildRun {
    let path = childExecutable()
    return try await Trio.runAsync { () -> ChildRun in
        var run = ChildRun()
        let process = try await openProcess([path, mode, "\(grace)"], stdout: .pipe)
        let lines = ChildLines(process.stdout!)
        do {
            let ready = try await lines.expect("READY port=")
            let port = Int(ready.dropFirst("READY port=".count))!
            let client = try await openTCPStream(host: "127.0.0.1", port: port)
            try await client.sendAll(Array("SLOW \(slow)\n".utf8))
            let started = ChildLines(client)
            _ = try await started.expect("STARTED")
            _ = try await lines.expect("HANDLER-START")
            let signalled = try currentTime()
            try process.sendSignal(signal)
            if signal == SIGTERM || mode == "graceful" {
                _ = try await lines.expect("STOPPED-ACCEPTING")
                do {
                    let late = try await openTCPStream(host: "127.0.0.1", port: port)
                    try await late.aclose()
                } catch let error as OSError where error.errno == ECONNREFUSED {
                    run.refusedAfterStop = true
                }
            }
            _ = try await lines.expect("HANDLER-")
            run.handlerEndAfterSignal = try currentTime() - signalled
            run.clientReceived = try await started.drain().dropFirst().joined(separator: "\n")
            try await client.aclose()
            run.lines = try await lines.drain()
            run.exitCode = try await failAfter(20) { try await process.wait() }
        } catch {
            try? process.kill()
            _ = try? await CancelScope(shield: true).run { try await process.wait() }
            throw error
        }
        return run
    }
}

/// A TrioService in a ServiceGroup, in a child process (trio-lifecycle-child), sent real signals.
@Suite(.serialized) struct LifecycleSignalTests {
    @Test func sigtermLetsInFlightHandlersFinishWithinTheGracePeriod() async throws {
        let run = try await runChild(mode: "cancel", grace: 5, slow: 0.5, signal: SIGTERM)
        #expect(run.lines.contains("SHUTDOWN-BEGAN"), "\(run.lines)")
        #expect(run.refusedAfterStop, "the server still accepted after graceful shutdown began")
        #expect(run.lines.contains("HANDLER-DONE"), "\(run.lines)")
        #expect(run.clientReceived == "DONE")
        #expect(run.handlerEndAfterSignal < 4.5, "the handler took \(run.handlerEndAfterSignal) s")
        #expect(run.lines.contains("TRIO-MAIN-END"), "\(run.lines)")
        #expect(run.lines.last == "GROUP-END ok", "\(run.lines)")
        #expect(run.exitCode == 0)
    }

    @Test func sigtermCancelsHandlersWhenTheGracePeriodEnds() async throws {
        let run = try await runChild(mode: "cancel", grace: 0.5, slow: 30, signal: SIGTERM)
        #expect(run.lines.contains("SHUTDOWN-BEGAN"), "\(run.lines)")
        #expect(run.refusedAfterStop, "the server still accepted after graceful shutdown began")
        #expect(run.lines.contains("HANDLER-CANCELLED"), "\(run.lines)")
        // Cancelled at the end of the grace period: not before it, and long before the 30 s sleep.
        #expect(run.handlerEndAfterSignal >= 0.5)
        #expect(run.handlerEndAfterSignal < 3, "cancelled after \(run.handlerEndAfterSignal) s")
        #expect(run.clientReceived == "", "the client got \(run.clientReceived)")
        // The grace deadline's cancellation ends in the service's scope: the service returns.
        #expect(run.lines.contains("TRIO-MAIN-CANCELLED"), "\(run.lines)")
        #expect(run.lines.last == "GROUP-END ok", "\(run.lines)")
        #expect(run.exitCode == 0)
    }

    @Test func sigintConfiguredForGracefulShutdownIsGraceful() async throws {
        let run = try await runChild(mode: "graceful", grace: 5, slow: 0.3, signal: SIGINT)
        #expect(run.lines.contains("SHUTDOWN-BEGAN"), "\(run.lines)")
        #expect(run.refusedAfterStop)
        #expect(run.lines.contains("HANDLER-DONE"), "\(run.lines)")
        #expect(run.clientReceived == "DONE")
        #expect(run.lines.last == "GROUP-END ok", "\(run.lines)")
        #expect(run.exitCode == 0)
    }

    @Test func sigintConfiguredForCancellationCancelsAtOnce() async throws {
        let run = try await runChild(mode: "cancel", grace: 30, slow: 30, signal: SIGINT)
        // No graceful phase: the handler is cancelled at once, despite the 30 s grace period.
        #expect(!run.lines.contains("SHUTDOWN-BEGAN"), "\(run.lines)")
        #expect(run.lines.contains("HANDLER-CANCELLED"), "\(run.lines)")
        #expect(run.handlerEndAfterSignal < 2, "cancelled after \(run.handlerEndAfterSignal) s")
        #expect(run.clientReceived == "")
        #expect(run.lines.contains("TRIO-MAIN-CANCELLED"), "\(run.lines)")
        // The service ends by the group's cancellation: group.run() throws CancellationError.
        #expect(run.lines.last == "GROUP-END error=CancellationError", "\(run.lines)")
        #expect(run.exitCode == 0)
    }
}
