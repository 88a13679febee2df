import CTrioPlatform
import TrioPlatform

#if canImport(Glibc)
import Glibc
#endif

/// Spawns `program` (searched in `PATH`) with `arguments` through the platform layer's spawner,
/// wiring its standard streams as asked; returns the parent's pipe ends (non-blocking) by child fd.
///
/// Nothing here changes the process's own signal handling: the loop writes to pipes without
/// risking `SIGPIPE` (see `sendSome`), and the child starts with `SIGPIPE` at its default.
private func spawn(
    _ program: String, _ arguments: [String], options: [PipeOption]
) throws -> (pid: pid_t, parentEnds: [Int32: Int32]) {
    let streams = options.map { option -> ChildSpawner.Stream in
        switch option {
        case .inherit: .inherit
        case .devNull: .devNull
        case .fd(let fd): .duplicate(fd)
        case .pipe: .pipe
        }
    }
    let child = try ChildSpawner.spawn([program] + arguments, environment: nil, streams: streams)
    for fd in child.parentEnds.values { try? setNonBlocking(fd) }
    return (child.pid, child.parentEnds)
}

extension AbstractEventLoop {
    /// Starts `program` (searched in `PATH`) with `arguments` and wires its pipes to a protocol from `factory`:
    /// `loop.subprocess_exec`.
    ///
    /// Flavor: asyncio. Once the child exists, any failure (wiring its pipes, watching it) or a cancellation
    /// before this returns kills the child and waits for it to be reaped before the error is rethrown, as
    /// CPython closes the transport and awaits it: no child outlives a start that did not hand it over.
    /// - Throws: `OSError` when the process cannot be started; ``CancelledError``.
    public func subprocessExec(
        _ factory: @escaping () -> any SubprocessProtocol, _ program: String, _ arguments: [String],
        stdin: PipeOption, stdout: PipeOption, stderr: PipeOption
    ) async throws -> (SubprocessTransport, any SubprocessProtocol) {
        if isClosed { throw RuntimeError.loopClosed }
        let (pid, pipeEnds) = try spawn(program, arguments, options: [stdin, stdout, stderr])
        let made = factory()
        let transport = SubprocessTransport(loop: self, pid: pid, protocol: made)
        let parentEnds = pipeEnds.sorted(by: { $0.key < $1.key })
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
    func write(_ data: [UInt8]) throws { try subprocess.getPipeTransport(0)?.write(data) }
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
