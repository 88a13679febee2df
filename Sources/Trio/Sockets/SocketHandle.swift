import CTrioPlatform
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
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type | flags, proto)
        guard fd >= 0 else { throw OSError.current("socket") }
        return SocketHandle(trustedFD: fd)
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
        var value = value
        guard setsockopt(try liveFD("setsockopt"), level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
        else { throw OSError.current("setsockopt") }
    }

    func intOption(level: Int32, name: Int32) throws -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(try liveFD("getsockopt"), level, name, &value, &length) == 0 else {
            throw OSError.current("getsockopt")
        }
        return value
    }

    func bind(_ address: SocketAddress) throws {
        let fd = try liveFD("bind")
        let status = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        guard status == 0 else { throw OSError.current("bind \(address)") }
    }

    func listen(backlog: Int32) throws {
        guard Glibc.listen(try liveFD("listen"), backlog) == 0 else { throw OSError.current("listen") }
    }

    func localAddress() throws -> SocketAddress {
        var address = SocketAddress()
        address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = try liveFD("getsockname")
        let status = withUnsafeMutablePointer(to: &address.storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &address.length) }
        }
        guard status == 0 else { throw OSError.current("getsockname") }
        return address
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
        while true {
            let result = attempt(fd)
            if result >= 0 { return result }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw OSError.current("\(operation)")
            }
        }
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
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try await perform("accept", readable: true) { fd in
            Int(ctrio_accept4(fd, flags))
        }
        return SocketHandle(trustedFD: Int32(fd))
    }

    /// Connects to `address`: starts a non-blocking connect and waits for it to finish.
    ///
    /// Cancelling it leaves the socket half-connected; the caller must close it, as Trio
    /// requires.
    func connect(_ address: SocketAddress) async throws {
        try await checkpointIfCancelled()
        let fd = try liveFD("connect")
        var status: Int32
        repeat {
            status = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        } while status != 0 && errno == EINTR
        if status == 0 {
            await Lowlevel.cancelShieldedCheckpoint()
            return
        }
        guard errno == EINPROGRESS else { throw OSError.current("connect to \(address)") }
        try await waitWritable(fd)
        let error = try intOption(level: SOL_SOCKET, name: SO_ERROR)
        if error != 0 { throw OSError(errno: error, operation: "connect to \(address)") }
    }
}
