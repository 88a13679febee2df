import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking socket file descriptor with Trio's calling conventions (the part of
/// `trio.socket` the high-level streams need).
///
/// Every blocking operation is a checkpoint: it checks for cancellation, tries the system call,
/// and only parks when the kernel says `EAGAIN` (a receive whose armed registration reported
/// nothing parks first, see `perform`); when it did not park it still yields once, shielded, as
/// Trio's sockets do. It parks through its own record in the run's ``IOManager`` (the same
/// one-waiter-per-direction slots as ``waitReadable(_:)`` / ``waitWritable(_:)``), which keeps
/// the read registration armed between waits. Closing goes through ``notifyClosing(_:)`` so
/// that tasks waiting on the fd wake with ``ClosedResourceError`` and the registration is
/// dropped before the fd number can be recycled.
final class SocketHandle {
    // A socket is used by tasks of one run at a time, on that run's loop thread (`watchRunnerID`
    // notices a move to another run). Its fields are read by every send, receive and wait, so
    // they skip the dynamic exclusivity check: one owner thread, no re-entrant access.
    @exclusivity(unchecked) private(set) var fd: Int32
    @exclusivity(unchecked) private(set) var didShutdownWrite = false

    /// Takes ownership of `fd` and makes it non-blocking and close-on-exec.
    init(adopting fd: Int32) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    private init(trustedFD fd: Int32) { self.fd = fd }

    /// A new non-blocking, close-on-exec socket.
    static func open(family: Int32, type: Int32, protocol proto: Int32) throws -> SocketHandle {
        SocketHandle(trustedFD: try SocketCalls.open(family: family, type: type, protocol: proto))
    }

    deinit { close() }

    var isClosed: Bool { fd < 0 }

    /// Closes the fd, waking its waiters with ``ClosedResourceError``. Idempotent.
    func close() {
        guard fd >= 0 else { return }
        notifyClosing(fd)
        _ = Glibc.close(fd)
        fd = -1
    }

    // MARK: Synchronous operations

    @inline(__always)
    private func liveFD(_ operation: @autoclosure () -> String) throws -> Int32 {
        guard fd >= 0 else { throw OSError(errno: EBADF, operation: operation()) }
        return fd
    }

    func setOption(level: Int32, name: Int32, value: Int32) throws {
        try SocketCalls.setOption(try liveFD("setsockopt"), level: level, name, value)
    }

    func intOption(level: Int32, name: Int32) throws -> Int32 {
        try SocketCalls.intOption(try liveFD("getsockopt"), level: level, name)
    }

    func bind(_ address: SocketAddress) throws {
        try SocketCalls.bind(try liveFD("bind"), to: address)
    }

    func listen(backlog: Int32) throws {
        try SocketCalls.listen(try liveFD("listen"), backlog: backlog)
    }

    func localAddress() throws -> SocketAddress {
        try SocketCalls.name(try liveFD("getsockname"), peer: false)
    }

    func peerAddress() throws -> SocketAddress {
        try SocketCalls.name(try liveFD("getpeername"), peer: true)
    }

    func shutdownWrite() throws {
        guard !didShutdownWrite else { return }
        guard shutdown(try liveFD("shutdown"), Int32(SHUT_WR)) == 0 else { throw OSError.current("shutdown") }
        didShutdownWrite = true
    }

    // MARK: Blocking operations (Trio's _nonblocking_helper)

    /// This socket's record in the I/O manager of the run that last waited on it (see
    /// ``IOManager``); `nil` until the first wait.
    @exclusivity(unchecked) private var watch: IOManager.Watch?
    @exclusivity(unchecked) private var watchRunnerID: ObjectIdentifier?

    /// The cached record if it still belongs to `task`'s run, or a new one.
    @inline(__always)
    private func registration(_ task: TrioTask, fd: Int32) -> IOManager.Watch {
        if let watch, watch.live, watchRunnerID == task.runnerID { return watch }
        let watch = task.runner.io.ownedWatch(fd: fd)
        self.watch = watch
        watchRunnerID = task.runnerID
        return watch
    }

    /// Runs `attempt` (a system call returning -1 and `errno` on failure) until it succeeds,
    /// waiting for readiness in between.
    ///
    /// With `waitFirstIfKnownIdle`, it waits before the first attempt when the socket's
    /// level-triggered read registration is armed and has reported nothing since the last
    /// attempt: for a peer that answers requests the data is rarely there yet, and waiting
    /// first saves a system call that would only say `EAGAIN`, while data that did arrive is
    /// reported by the next poll. Waiting and the shielded yield after an immediate success are
    /// both one schedule point, so the contract is the same either way (Trio's
    /// `_nonblocking_helper`).
    @inline(__always)
    private func perform(
        _ operation: StaticString, readable: Bool, waitFirstIfKnownIdle: Bool = false, _ attempt: (Int32) -> Int
    ) async throws -> Int {
        // One task-local lookup serves the cancel check, the wait and the schedule point.
        let task = try currentTrioTask("\(operation)")
        if task.cancelStatus.effectivelyCancelled { try await checkpoint() }
        let waitFirst = waitFirstIfKnownIdle && knownIdleForReading(task)
        if !waitFirst, let result = try tryOnce(operation, readable: readable, attempt) {
            await task.runner.yieldShielded(task)
            return result
        }
        while true {
            // The fd may have been closed while we were parked: liveFD in tryOnce catches that.
            let fd = try liveFD("\(operation)")
            try await waitOwnedIO(registration(task, fd: fd), task: task, readable: readable)
            if let result = try tryOnce(operation, readable: readable, attempt) { return result }
        }
    }

    /// Whether this run's level-triggered read registration is armed and has reported nothing
    /// since the last read attempt.
    @inline(__always)
    private func knownIdleForReading(_ task: TrioTask) -> Bool {
        guard let watch, watch.live, watchRunnerID == task.runnerID else { return false }
        return watch.armedForReading && !watch.unclaimedRead
    }

    @inline(__always)
    private func tryOnce(_ operation: StaticString, readable: Bool, _ attempt: (Int32) -> Int) throws -> Int? {
        let fd = try liveFD("\(operation)")
        // This attempt consumes any readiness report that arrived while nobody waited.
        if readable { watch?.unclaimedRead = false }
        return try nonBlockingSystemCall("\(operation)") { attempt(fd) }
    }

    /// Sends some of `data[offset...]`; returns how many bytes went out. Never raises `SIGPIPE`.
    func send(_ data: [UInt8], from offset: Int) async throws -> Int {
        try await perform("send", readable: false) { fd in
            data.withUnsafeBytes { bytes in
                Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
        }
    }

    /// Receives up to `maxBytes` bytes; `[]` means end of file.
    func receive(maxBytes: Int) async throws -> [UInt8] {
        var received: [UInt8] = []
        _ = try await perform("recv", readable: true, waitFirstIfKnownIdle: true) { fd in
            let scratch = ReceiveScratch.buffer(atLeast: maxBytes)
            let count = recv(fd, scratch.baseAddress, maxBytes, 0)
            if count > 0 { received = Array(UnsafeRawBufferPointer(rebasing: scratch[..<count])) }
            return count
        }
        return received
    }

    /// Accepts a connection; the new socket is non-blocking and close-on-exec.
    func accept() async throws -> SocketHandle {
        let fd = try await perform("accept", readable: true) { fd in Int(SocketCalls.acceptOnce(fd)) }
        return SocketHandle(trustedFD: Int32(fd))
    }

    /// Connects to `address`: starts a non-blocking connect and waits for it to finish.
    ///
    /// Cancelling it leaves the socket half-connected; the caller must close it, as Trio
    /// requires.
    func connect(_ address: SocketAddress) async throws {
        try await checkpointIfCancelled()
        let fd = try liveFD("connect")
        if try SocketCalls.startConnect(fd, to: address) {
            await Lowlevel.cancelShieldedCheckpoint()
            return
        }
        try await waitWritable(fd)
        let error = try intOption(level: SOL_SOCKET, name: SO_ERROR)
        if error != 0 { throw OSError(errno: error, operation: "connect to \(address)") }
    }
}
