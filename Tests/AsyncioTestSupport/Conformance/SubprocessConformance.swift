import Asyncio
import Glibc
import Testing

public struct SubprocessConformance {
    public init() {}

    public func communicateRoundTrip(_ factory: ConformanceLoop) throws {
        let (out, code) = try factory.run { _ in
            let process = try await createSubprocessExec("cat", stdin: .pipe, stdout: .pipe)
            let (out, err) = try await process.communicate(bytes("through cat"))
            #expect(err == nil)
            return (out, process.returncode)
        }
        #expect(out == bytes("through cat"))
        #expect(code == 0)
    }

    /// The loop ignores SIGPIPE for itself; its children must start with the default action, as
    /// with CPython's restore_signals, or a `yes | head` pipeline inside them would never end.
    public func childrenStartWithSIGPIPEAtItsDefault(_ factory: ConformanceLoop) throws {
        let out = try factory.run { _ in
            let process = try await createSubprocessExec("sh", ["-c", "grep SigIgn /proc/$$/status"], stdout: .pipe)
            let (out, _) = try await process.communicate()
            return String(decoding: out ?? [], as: UTF8.self)
        }
        let field = out.split(whereSeparator: { $0 == "\t" || $0 == "\n" }).last.map(String.init) ?? ""
        let mask = UInt64(field, radix: 16)
        #expect(mask != nil, "\(out)")
        #expect((mask ?? 0) & (1 << (UInt64(SIGPIPE) - 1)) == 0, "SigIgn: \(out)")
    }

    public func cancellingCommunicateWhileStdinIsBlockedCancelsIt(_ factory: ConformanceLoop) throws {
        // CPython's _feed_stdin ignores only broken pipes: a cancellation that reaches drain() cancels
        // communicate(), whose gather also cancels the readers.
        try factory.run { loop in
            // The child never reads stdin, so a megabyte fills the pipe and drain() waits.
            let process = try await createSubprocessExec("sleep", ["3"], stdin: .pipe, stdout: .pipe)
            let input = [UInt8](repeating: 120, count: 1 << 20)
            let communicating = try loop.createTask { try await process.communicate(input) }
            try await Asyncio.sleep(0.05)
            #expect(!communicating.done)
            let cancelledAt = loop.time()
            communicating.cancel()
            await #expect(throws: CancelledError.self) { try await communicating.value }
            #expect(loop.time() - cancelledAt < 1)
            process.kill()
            try await process.wait()
        }
    }

    public func aStartCancelledAfterTheSpawnKillsAndReapsTheChild(_ factory: ConformanceLoop) throws {
        // CPython's subprocess_exec closes the transport and waits for the child when anything fails, or is
        // cancelled, once the child exists: no process outlives a start that did not return it.
        try factory.run { loop in
            let recorder = PidRecorder()
            let starting = try loop.createTask {
                _ = try await loop.subprocessExec(
                    { recorder }, "sleep", ["30"], stdin: .pipe, stdout: .pipe, stderr: .inherit
                )
            }
            // The task runs up to its yield after the spawn, where the cancellation lands.
            try await Asyncio.sleep(0)
            let pid = try #require(recorder.pid)
            starting.cancel()
            await #expect(throws: CancelledError.self) { try await starting.value }
            let reaped = waitpid(pid, nil, WNOHANG) == -1 && errno == ECHILD
            #expect(reaped)
            if !reaped {
                Glibc.kill(pid, SIGKILL)
                waitpid(pid, nil, 0)
            }
        }
    }

    public func shellExitCodeAndStderr(_ factory: ConformanceLoop) throws {
        let (err, code) = try factory.run { _ in
            let process = try await createSubprocessShell("echo oops >&2; exit 3", stdout: .devNull, stderr: .pipe)
            let err = try await process.stderr!.read()
            return (err, try await process.wait())
        }
        #expect(err == bytes("oops\n"))
        #expect(code == 3)
    }

    public func killIsReportedAsANegativeSignal(_ factory: ConformanceLoop) throws {
        let code = try factory.run { _ in
            let process = try await createSubprocessExec("sleep", ["10"])
            #expect(process.returncode == nil)
            process.kill()
            let code = try await process.wait()
            // Reaped: no zombie remains.
            #expect(waitpid(process.pid, nil, WNOHANG) == -1)
            return code
        }
        #expect(code == -SIGKILL)
    }

    public func readlineFromAChild(_ factory: ConformanceLoop) throws {
        let lines = try factory.run { _ in
            let process = try await createSubprocessShell("printf 'a\\nb\\n'", stdout: .pipe)
            var lines: [String] = []
            for try await line in process.stdout! { lines.append(String(decoding: line, as: UTF8.self)) }
            try await process.wait()
            return lines
        }
        #expect(lines == ["a\n", "b\n"])
    }

    public func missingProgramThrows(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            await #expect(throws: OSError.self) {
                _ = try await createSubprocessExec("/nonexistent/program-for-test")
            }
        }
    }
}

public struct SubprocessLifetimeConformance {
    public init() {}

    public func droppedProcessStillDrainsAndReaps(_ factory: ConformanceLoop) throws {
        // Real time: the test polls for a real child's exit, which virtual sleeps would outrun.
        try factory.run(virtualTime: false) { _ in
            var pid: pid_t = 0
            do {
                let process = try await createSubprocessShell("echo dropped", stdout: .pipe)
                pid = process.pid
            }
            // Let the child exit and its pipe reach EOF with nobody holding the process.
            for _ in 0..<200 where kill(pid, 0) == 0 { try await Asyncio.sleep(0.001) }
            try await Asyncio.sleep(0.005)
            #expect(waitpid(pid, nil, WNOHANG) == -1)
        }
    }
}

/// Keeps the pid of the child whose transport it is given.
private final class PidRecorder: SubprocessProtocol {
    var pid: pid_t?
    func connectionMade(_ transport: any Transport) {
        pid = (transport.getExtraInfo("subprocess") as? SubprocessTransport)?.pid
    }
}
