import Foundation
import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C is tested end to end on the echo-server example in its own process: SIGINT belongs
/// to the whole process, and tests share theirs.
@Suite struct SignalKeyboardInterruptTests {
    /// `trio-examples`, built next to the test bundle by `swift build --build-tests`.
    static var examplesBinary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // On Linux the test runner is the .xctest file itself, in the build directory.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("trio-examples").path
    }

    @Test func ctrlCStopsTheEchoServerWithKeyboardInterrupt() throws {
        let binary = Self.examplesBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build trio-examples first")
        let (code, stderr, connectionClosed) = try Trio.run { () -> (Int32, String, Bool) in
            // A port nobody uses right now.
            let probe = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let port = probe.localPort
            try await probe.aclose()
            let server = try await openProcess([binary, "echo-server", "--port", "\(port)"], stderr: .pipe)
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
        #expect(code == 130)
        #expect(stderr.contains("KeyboardInterrupt"))
        #expect(connectionClosed)
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
