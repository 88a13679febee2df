import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C is tested end to end on the echo-server example in its own process: SIGINT belongs
/// to the whole process, and tests share theirs.
@Suite struct SignalKeyboardInterruptTests {
    /// `trio-examples`, built next to the test bundle by `swift build --build-tests`.
    static var examplesBinary: String { builtExecutable(named: "trio-examples") }

    @Test func ctrlCStopsTheEchoServerWithKeyboardInterrupt() throws {
        let binary = Self.examplesBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build trio-examples first")
        let (code, stderr, connectionClosed) = try Trio.run { () -> (Int32, String, Bool) in
            // A port nobody uses right now.
            let probe = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let port = probe.localPort
            try await probe.aclose()
            // Its prints go nowhere: on the test runner's own output, a server that outlived the test
            // would keep the runner's pipe open.
            let server = try await openProcess(
                [binary, "echo-server", "--port", "\(port)"], stdout: .devNull, stderr: .pipe)
            do {
                // Bounded: a server that ignored the signal must fail the test, not hang the suite.
                return try await failAfter(60) {
                    // Wait (boundedly) until it listens.
                    var client: SocketStream?
                    for _ in 0..<200 where client == nil {
                        do { client = try await openTCPStream(host: "127.0.0.1", port: port) } catch is OSError {
                            try await Trio.sleep(0.05)
                        }
                    }
                    let stream = try #require(client)
                    try await stream.sendAll(Array("ping".utf8))
                    _ = try await stream.receiveSome()
                    try server.sendSignal(SIGINT)
                    // Cancelling the run closed our connection's handler stream.
                    let eof = try await stream.receiveSome()
                    var errorOutput: [UInt8] = []
                    for try await chunk in server.stderr!.chunks { errorOutput += chunk }
                    let code = try await server.wait()
                    try await stream.aclose()
                    try await server.aclose()
                    return (code, String(decoding: errorOutput, as: UTF8.self), eof.isEmpty)
                }
            } catch {
                // Never leave the server behind: it would hold the test runner's output open.
                try? server.kill()
                throw error
            }
        }
        #expect(code == -SIGINT)  // death by SIGINT, as a Python program interrupted by Ctrl-C
        #expect(stderr.contains("KeyboardInterrupt"))
        #expect(connectionClosed)
    }

    /// Set in the child process of ``ctrlCDuringAnIOWakeUpIsDeliveredWithoutCrashing()``.
    static let childEnvironmentKey = "TRIO_TEST_KI_IO_CHILD"

    /// Runs the test named `testName` in a process of its own (this test bundle, filtered to that
    /// one test), since SIGINT belongs to the whole process and the run must own it; returns the
    /// child's exit status and output.
    static func runInChildProcess(_ testName: String) throws -> (code: Int32, output: String) {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childEnvironmentKey] = "1"
        return try Trio.run { () -> (Int32, String) in
            let result = try await runProcess(
                [bundle, "--testing-library", "swift-testing", "--filter", testName],
                captureStdout: true, captureStderr: true, check: false, environment: environment)
            return (result.returnCode, String(decoding: result.stdout! + result.stderr!, as: UTF8.self))
        }
    }

    @Test func ctrlCDuringAnIOWakeUpIsDeliveredWithoutCrashing() throws {
        let (code, output) = try Self.runInChildProcess("keyboardInterruptRacingAnIOWakeUp")
        #expect(code == 0, "\(output)")
        #expect(output.contains("keyboardInterruptRacingAnIOWakeUp"), "the child ran no test: \(output)")
    }

    @Test func ctrlCThatMainOutlivesOrSwallowsStillEndsTheRunWithKeyboardInterrupt() throws {
        let (code, output) = try Self.runInChildProcess("keyboardInterruptPendingAtTheEndOfTheRun")
        #expect(code == 0, "\(output)")
        #expect(output.contains("keyboardInterruptPendingAtTheEndOfTheRun"), "the child ran no test: \(output)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironmentKey] != nil))
    func keyboardInterruptPendingAtTheEndOfTheRun() throws {
        // Main returns before the loop looks at the interrupt: it was never delivered.
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run { () -> Int in
                kill(getpid(), SIGINT)
                // The signal may land on another thread after kill returns: wait for the handler
                // without ever yielding to the loop, so the run cannot deliver it first.
                var spins = 0
                while !KeyboardInterruptGuard.pending.load(ordering: .acquiring), spins < 100_000 {
                    usleep(100)
                    spins += 1
                }
                return 1
            }
        }
        // Main swallows the cancellation that delivered the interrupt, then returns normally.
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run { () -> Int in
                do {
                    kill(getpid(), SIGINT)
                    try await Trio.sleepForever()
                } catch is Cancelled {}
                return 2
            }
        }
        // A run without Ctrl-C still returns normally afterwards.
        #expect(try Trio.run { 3 } == 3)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironmentKey] != nil))
    func keyboardInterruptRacingAnIOWakeUp() throws {
        // The same poll reports an fd as readable (its waiter is taken off the fd) and SIGINT:
        // the interrupt must not cancel that waiter as if it still waited (its abort callback
        // used to run, and the I/O wake-up then rescheduled it a second time: a trap).
        #expect(throws: KeyboardInterrupt.self) {
            try Trio.run {
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else { throw OSError(errno: errno, operation: "pipe") }
                defer {
                    close(fds[0])
                    close(fds[1])
                }
                try await withNursery { nursery in
                    try nursery.startSoon {
                        try await waitAllTasksBlocked()
                        var byte: UInt8 = 1
                        _ = write(fds[1], &byte, 1)
                        kill(getpid(), SIGINT)
                        // Let the handler run before the loop polls again, so that one poll
                        // sees both the fd and the interrupt.
                        usleep(100_000)
                    }
                    try await waitReadable(fds[0])
                }
                try await Trio.checkpoint()
            }
        }
    }

    @Test func aRunThatDoesNotOwnSIGINTIsUnaffected() throws {
        // A signal receiver for SIGINT takes precedence over the run's own Ctrl-C handling.
        let received = try Trio.run { () -> Int32 in
            try await withSignalReceiver([SIGINT]) { receiver in
                kill(getpid(), SIGINT)
                return try await receiver.next()
            }
        }
        #expect(received == SIGINT)
    }
}
