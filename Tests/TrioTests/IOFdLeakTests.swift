import Foundation
import Testing
import Trio
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

/// The I/O layer must give back every fd it opens. Counting /proc/self/fd is only meaningful in
/// a process where nothing else runs, so the parent test re-runs this test binary with only the
/// probes below selected; the probes do nothing unless `TRIO_FD_PROBE` is set.
@Suite struct IOFdLeakTests {
    @Test func noFileDescriptorLeaksInAnIsolatedProcess() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var environment = ProcessInfo.processInfo.environment
        environment["TRIO_FD_PROBE"] = "1"
        let result = try Trio.run { [environment] in
            try await runProcess(
                [binary, "--testing-library", "swift-testing", "--filter", "IOFdLeakProbes"],
                captureStdout: true, captureStderr: true, check: false, environment: environment)
        }
        let output = String(decoding: (result.stdout ?? []) + (result.stderr ?? []), as: UTF8.self)
        #expect(result.returnCode == 0, "probe output:\n\(output)")
        #expect(output.contains("IOFdLeakProbes"))
    }
}

private let probing = ProcessInfo.processInfo.environment["TRIO_FD_PROBE"] == "1"

private func openFDCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Each probe runs a workload twice (the first run may allocate process-wide things once, such
/// as a resolver thread) and checks that the second left the fd count where it found it.
@Suite(.serialized) struct IOFdLeakProbes {
    /// The fd counts before and after the second run of `workload` (both 0 when not probing).
    private func fdCounts(_ workload: @escaping @Sendable () throws -> Void) throws -> (before: Int, after: Int) {
        guard probing else { return (0, 0) }
        try workload()
        let before = openFDCount()
        try workload()
        return (before, openFDCount())
    }

    @Test func socketsAndServers() throws {
        let counts = try fdCounts {
            try Trio.run {
                try await withNursery { nursery in
                    let listeners = try await nursery.start { (status: TaskStatus<[SocketListener]>) in
                        try await serveTCP(port: 0, host: "127.0.0.1", taskStatus: status) { stream in
                            for try await data in stream.chunks { try await stream.sendAll(data) }
                        }
                    }
                    for host in ["127.0.0.1", "localhost"] {
                        let client = try await openTCPStream(host: host, port: listeners[0].localPort)
                        try await client.sendAll([1, 2, 3])
                        _ = try await client.receiveSome()
                        try await client.aclose()
                    }
                    // A refused connection must not leave its socket behind either.
                    let probe = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
                    let port = probe.localPort
                    try await probe.aclose()
                    _ = try? await openTCPStream(host: "127.0.0.1", port: port)
                    nursery.cancelScope.cancel()
                }
            }
        }
        #expect(counts.after == counts.before)
    }

    @Test func processes() throws {
        let counts = try fdCounts {
            try Trio.run {
                _ = try await runProcess(["/bin/cat"], stdin: [1, 2, 3], captureStdout: true, captureStderr: true)
                _ = try? await runProcess(["/bin/sh", "-c", "exit 7"])
                let process = try await openProcess(["/bin/sleep", "100"], stdin: .pipe, stdout: .pipe, stderr: .pipe)
                try process.kill()
                try await process.aclose()
                _ = try await moveOnAfter(0.05) { try await runProcess(["/bin/sleep", "100"]) }
            }
        }
        #expect(counts.after == counts.before)
    }

    @Test func signalReceivers() throws {
        let counts = try fdCounts {
            try Trio.run {
                // A signal no other test of the process sends (see `SignalTests`).
                let signal = __libc_current_sigrtmin() + 2
                try await withSignalReceiver([signal]) { receiver in
                    kill(getpid(), signal)
                    _ = try await receiver.next()
                }
            }
        }
        #expect(counts.after == counts.before)
    }
}
