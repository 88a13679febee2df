#if canImport(Glibc)
import Glibc
#endif

/// The subprocess protocol behind ``AsyncioProcess``: feeds stdout/stderr readers and paces the stdin writer
/// (CPython's `SubprocessStreamProtocol`).
final class SubprocessStreamProtocol: SubprocessProtocol {
    let stdout: StreamReader?
    let stderr: StreamReader?
    // Receives stdin's flow control and loss, so that the writer's drain works as for sockets.
    let stdinProtocol: StreamReaderProtocol

    init(loop: any AbstractEventLoop, stdout: Bool, stderr: Bool, limit: Int) {
        self.stdout = stdout ? StreamReader(limit: limit) : nil
        self.stderr = stderr ? StreamReader(limit: limit) : nil
        stdinProtocol = StreamReaderProtocol(StreamReader(), loop: loop)
    }

    func pipeDataReceived(fd: Int32, data: [UInt8]) {
        (fd == 1 ? stdout : stderr)?.feedData(data)
    }

    func pipeConnectionLost(fd: Int32, error: (any Error)?) {
        if fd == 0 {
            stdinProtocol.connectionLost(error)
            return
        }
        guard let reader = fd == 1 ? stdout : stderr else { return }
        if let error { reader.setException(error) } else { reader.feedEOF() }
    }

    func pauseWriting() { stdinProtocol.pauseWriting() }
    func resumeWriting() { stdinProtocol.resumeWriting() }
}

/// A child process with stream access to its pipes: CPython's `asyncio.subprocess.Process`.
///
/// Flavor: sync properties and signals; asyncio-flavored ``wait()`` and ``communicate(_:)``.
public final class AsyncioProcess {
    /// The low-level transport.
    public let transport: SubprocessTransport
    /// The writer of the child's stdin, when it is a pipe.
    public let stdin: StreamWriter?
    /// The reader of the child's stdout, when it is a pipe.
    public let stdout: StreamReader?
    /// The reader of the child's stderr, when it is a pipe.
    public let stderr: StreamReader?

    init(transport: SubprocessTransport, protocol streams: SubprocessStreamProtocol) {
        self.transport = transport
        stdout = streams.stdout
        stderr = streams.stderr
        stdin = transport.getPipeTransport(0).map {
            StreamWriter(transport: $0, protocol: streams.stdinProtocol, reader: nil, loop: transport.loop)
        }
    }

    /// The child's process id.
    public var pid: pid_t { transport.pid }
    /// The exit code (minus the signal number when killed by one), or `nil` while running.
    public var returncode: Int32? { transport.returncode }

    /// Waits for the child to exit and returns its return code.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``.
    @discardableResult
    public func wait() async throws -> Int32 { try await transport.wait() }

    /// Sends `signal`. Flavor: sync.
    public func sendSignal(_ signal: Int32) { transport.sendSignal(signal) }
    /// Sends SIGTERM. Flavor: sync.
    public func terminate() { transport.terminate() }
    /// Sends SIGKILL. Flavor: sync.
    public func kill() { transport.kill() }

    /// Writes `input` to stdin and closes it, reads stdout and stderr to their ends, and waits for the exit.
    /// Returns what was read (`nil` for streams that are not pipes).
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``.
    public func communicate(_ input: [UInt8]? = nil) async throws -> (stdout: [UInt8]?, stderr: [UInt8]?) {
        let loop = transport.loop
        let feeder = try loop.createTask(name: nil) { [stdin] in
            guard let stdin else { return }
            if let input, !input.isEmpty {
                try stdin.write(input)
                do {
                    try await stdin.drain()
                } catch let cancel as CancelledError {
                    // Only a lost pipe is ignored (CPython's _feed_stdin): a cancellation must go on.
                    throw cancel
                } catch {}
            }
            stdin.close()
        }
        let outTask = try loop.createTask(name: nil) { [stdout] in try await stdout?.read() }
        let errTask = try loop.createTask(name: nil) { [stderr] in try await stderr?.read() }
        // One gather, as CPython: cancelling communicate() cancels the feeder and both readers.
        let (_, out, err) = try await gather(feeder, outTask, errTask)
        try await wait()
        return (out, err)
    }
}

/// Starts `program` (searched in `PATH`) with `arguments`: `asyncio.create_subprocess_exec`.
///
/// Flavor: asyncio. - Throws: `OSError` when it cannot be started; `FlavorError` outside a task.
public func createSubprocessExec(
    _ program: String, _ arguments: [String] = [], stdin: PipeOption = .inherit, stdout: PipeOption = .inherit,
    stderr: PipeOption = .inherit, limit: Int = StreamReader.defaultLimit
) async throws -> AsyncioProcess {
    let loop = try TaskContext.require("Asyncio.createSubprocessExec").core.loop
    let streams = SubprocessStreamProtocol(
        loop: loop, stdout: isPipe(stdout), stderr: isPipe(stderr), limit: limit
    )
    let (transport, _) = try await loop.subprocessExec(
        { streams }, program, arguments, stdin: stdin, stdout: stdout, stderr: stderr
    )
    return AsyncioProcess(transport: transport, protocol: streams)
}

/// Runs `command` with `/bin/sh -c`: `asyncio.create_subprocess_shell`.
///
/// Flavor: asyncio. - Throws: as ``createSubprocessExec(_:_:stdin:stdout:stderr:limit:)``.
public func createSubprocessShell(
    _ command: String, stdin: PipeOption = .inherit, stdout: PipeOption = .inherit,
    stderr: PipeOption = .inherit, limit: Int = StreamReader.defaultLimit
) async throws -> AsyncioProcess {
    try await createSubprocessExec("/bin/sh", ["-c", command], stdin: stdin, stdout: stdout, stderr: stderr,
                                   limit: limit)
}

private func isPipe(_ option: PipeOption) -> Bool {
    if case .pipe = option { return true }
    return false
}
