import CTrioPlatform
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// The parent's ends of the pipes made for a child.
private struct SpawnedPipes {
    var parentEnds: [Int32: Int32] = [:]
    var childEnds: [Int32] = []
}

private func makePipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    // Close-on-exec from the start: a child spawned meanwhile by another thread must not inherit it.
    guard ctrio_pipe2(&fds, O_CLOEXEC) == 0 else { throw OSError(errno: errno, operation: "pipe2") }
    return (fds[0], fds[1])
}

/// Spawns `program` (searched in `PATH`) with `arguments`, wiring its standard streams as asked.
private func spawn(
    _ program: String, _ arguments: [String], options: [PipeOption]
) throws -> (pid: pid_t, pipes: SpawnedPipes) {
    // A child that closes a pipe we write to must not kill us with SIGPIPE; CPython ignores it at startup too.
    signal(SIGPIPE, SIG_IGN)
    var pipes = SpawnedPipes()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer {
        posix_spawn_file_actions_destroy(&actions)
        for fd in pipes.childEnds { close(fd) }
    }
    do {
        for (index, option) in options.enumerated() {
            let target = Int32(index)
            switch option {
            case .inherit:
                break
            case .devNull:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .fd(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .pipe:
                let (readEnd, writeEnd) = try makePipe()
                let (childEnd, parentEnd) = target == 0 ? (readEnd, writeEnd) : (writeEnd, readEnd)
                _ = fcntl(parentEnd, F_SETFL, fcntl(parentEnd, F_GETFL) | O_NONBLOCK)
                pipes.parentEnds[target] = parentEnd
                pipes.childEnds.append(childEnd)
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            }
        }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        // The child gets SIGPIPE back at its default (the signal(SIGPIPE, SIG_IGN) above is ours).
        let status = withChildSignalDefaults { attributes in
            posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        }
        guard status == 0 else { throw OSError(errno: status, operation: "posix_spawnp(\(program))") }
        return (pid, pipes)
    } catch {
        for fd in pipes.parentEnds.values { close(fd) }
        throw error
    }
}

extension AbstractEventLoop {
    /// Starts `program` (searched in `PATH`) with `arguments` and wires its pipes to a protocol from `factory`:
    /// `loop.subprocess_exec`.
    ///
    /// Flavor: asyncio. Once the child exists, any failure (wiring its pipes, watching it) or a cancellation
    /// before this returns kills the child and waits for it to be reaped before the error is rethrown, as
    /// CPython closes the transport and awaits it: no child outlives a start that did not hand it over.
    /// - Throws: ``OSError`` when the process cannot be started; ``CancelledError``.
    public func subprocessExec(
        _ factory: @escaping () -> any SubprocessProtocol, _ program: String, _ arguments: [String],
        stdin: PipeOption, stdout: PipeOption, stderr: PipeOption
    ) async throws -> (SubprocessTransport, any SubprocessProtocol) {
        if isClosed { throw RuntimeError("Event loop is closed") }
        let (pid, pipes) = try spawn(program, arguments, options: [stdin, stdout, stderr])
        let made = factory()
        let transport = SubprocessTransport(loop: self, pid: pid, protocol: made)
        let parentEnds = pipes.parentEnds.sorted(by: { $0.key < $1.key })
        var attached = 0
        do {
            for (childFD, parentFD) in parentEnds {
                try transport.attachPipe(childFD: childFD, parentFD: parentFD)
                attached += 1
            }
            try transport.startWatching()
            made.connectionMade(SubprocessConnection(transport))
            // Let the pipe transports announce themselves before the caller goes on, as CPython waits for them.
            try await Asyncio.sleep(0)
        } catch {
            // The pipe whose attach threw belongs to the transport object that failed (its deinit closes it);
            // the ones after it belong to nobody yet.
            for (_, parentFD) in parentEnds.dropFirst(attached + 1) { Glibc.close(parentFD) }
            await transport.abandon()
            throw error
        }
        return (transport, made)
    }
}

/// The `Transport` a ``SubprocessProtocol`` receives in `connectionMade`: closing it closes the subprocess
/// transport; the rest is not meaningful for a process (use ``SubprocessTransport/getPipeTransport(_:)``).
final class SubprocessConnection: Transport {
    let subprocess: SubprocessTransport
    init(_ subprocess: SubprocessTransport) { self.subprocess = subprocess }
    func write(_ data: [UInt8]) { subprocess.getPipeTransport(0)?.write(data) }
    func writeEOF() { subprocess.getPipeTransport(0)?.writeEOF() }
    func canWriteEOF() -> Bool { true }
    func close() { subprocess.close() }
    func abort() { subprocess.close() }
    var isClosing: Bool { subprocess.returncode != nil }
    func pauseReading() {}
    func resumeReading() {}
    var isReading: Bool { false }
    func getWriteBufferSize() -> Int { subprocess.getPipeTransport(0)?.getWriteBufferSize() ?? 0 }
    func setWriteBufferLimits(high: Int?, low: Int?) throws {
        try subprocess.getPipeTransport(0)?.setWriteBufferLimits(high: high, low: low)
    }
    func getWriteBufferLimits() -> (low: Int, high: Int) {
        subprocess.getPipeTransport(0)?.getWriteBufferLimits() ?? (0, 0)
    }
    func getExtraInfo(_ name: String) -> Any? { name == "subprocess" ? subprocess : nil }
    var protocolObject: any StreamProtocol {
        get { NullStreamProtocol() }
        set {}
    }
}

private final class NullStreamProtocol: StreamProtocol {}
