/// What to connect a child's standard stream to.
public enum PipeOption: Sendable {
    /// A new pipe, readable or writable from the parent.
    case pipe
    /// The parent's own stream.
    case inherit
    /// `/dev/null`.
    case devNull
    /// An open descriptor of the parent.
    case fd(Int32)
}

/// Callbacks of a subprocess: CPython's `asyncio.SubprocessProtocol`.
///
/// Flavor: sync callbacks, called on the loop thread. All have empty defaults.
public protocol SubprocessProtocol: BaseProtocol {
    /// The child wrote `data` to its stdout (`fd` 1) or stderr (`fd` 2).
    func pipeDataReceived(fd: Int32, data: [UInt8])
    /// One of the pipes closed.
    func pipeConnectionLost(fd: Int32, error: (any Error)?)
    /// The child exited (its return code is in the transport).
    func processExited()
}

extension SubprocessProtocol {
    /// Does nothing.
    public func pipeDataReceived(fd: Int32, data: [UInt8]) {}
    /// Does nothing.
    public func pipeConnectionLost(fd: Int32, error: (any Error)?) {}
    /// Does nothing.
    public func processExited() {}
}

/// Forwards one pipe's events to the subprocess transport and protocol (CPython's `*SubprocessPipeProto`).
final class PipeForwarder: StreamProtocol {
    let fd: Int32
    // Strong: a pipe may outlive every user reference to the process. The transport drops the pipe (and so
    // this cycle) once the pipe is closed.
    let owner: SubprocessTransport

    init(fd: Int32, owner: SubprocessTransport) {
        self.fd = fd
        self.owner = owner
    }

    func dataReceived(_ data: [UInt8]) { owner.subprocessProtocol.pipeDataReceived(fd: fd, data: data) }
    func eofReceived() -> Bool { false }
    func connectionLost(_ error: (any Error)?) { owner.pipeClosed(fd: fd, error: error) }
    func pauseWriting() { owner.subprocessProtocol.pauseWriting() }
    func resumeWriting() { owner.subprocessProtocol.resumeWriting() }
}
