import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A ``HalfCloseableStream`` over a connected stream socket (TCP or Unix), Trio's
/// `SocketStream`. Flavor: Trio.
///
/// `TCP_NODELAY` is switched on, since streams send whole messages, and `TCP_NOTSENT_LOWAT` is
/// set so that ``waitSendAllMightNotBlock()`` means something. Socket errors come out as
/// ``BrokenResourceError`` (the peer or network failed) or ``ClosedResourceError`` (this stream
/// was closed).
public final class SocketStream: HalfCloseableStream {
    /// How many bytes ``receiveSome(maxBytes:)`` asks the kernel for by default.
    public static let defaultReceiveSize = 65536

    /// The most bytes one receive asks the kernel for, whatever `maxBytes` says: "up to
    /// `maxBytes`" allows fewer, and the buffer is allocated at the asked size (`Int.max` would
    /// trap), so a huge request must not become a huge allocation.
    static let receiveSizeLimit = 1 << 20

    let socket: SocketHandle
    // Used by tasks of one run on its loop thread; checked on every send and receive, so no
    // dynamic exclusivity check (one owner thread, no re-entrant access).
    @exclusivity(unchecked)
    private var sendConflicts = ConflictDetector("another task is currently sending data on this SocketStream")
    @exclusivity(unchecked)
    private var receiveConflicts = ConflictDetector("another task is currently receiving data on this SocketStream")

    init(socket: SocketHandle) {
        self.socket = socket
        // Not every stream socket speaks TCP (Unix sockets do not): these are best effort.
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NOTSENT_LOWAT, value: 16384)
    }

    /// Wraps a connected stream socket, taking ownership of `fileDescriptor` (it is made
    /// non-blocking and is closed by ``aclose()``). Flavor: sync.
    ///
    /// - Throws: `ValueError` if it is not a stream socket; `OSError` if it is not a socket.
    public convenience init(fileDescriptor: Int32) throws {
        let socket = SocketHandle(adopting: fileDescriptor)
        let type: Int32
        do {
            type = try socket.intOption(level: SOL_SOCKET, name: SO_TYPE)
        } catch {
            socket.close()
            throw error
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            socket.close()
            throw ValueError("SocketStream requires a SOCK_STREAM socket")
        }
        self.init(socket: socket)
    }

    /// The socket's file descriptor, or -1 once closed. Flavor: sync.
    public var fileDescriptor: Int32 { socket.fd }

    /// Sends all of `data`, across as many partial writes as the kernel needs.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError`` for a concurrent send or ``sendEOF()``;
    ///   ``ClosedResourceError`` after ``aclose()`` or ``sendEOF()``; ``BrokenResourceError``
    ///   when the connection failed; ``Cancelled`` (part of the data may have been sent).
    public func sendAll(_ data: [UInt8]) async throws {
        try sendConflicts.enter()
        defer { sendConflicts.exit() }
        if socket.didShutdownWrite { throw ClosedResourceError("can't send data after sending EOF") }
        if data.isEmpty {
            // Nothing to send, but still a checkpoint that notices a closed socket.
            if socket.isClosed { throw ClosedResourceError("this socket was already closed") }
            try await checkpoint()
            return
        }
        try await translatingSocketErrors {
            var offset = 0
            while offset < data.count {
                offset += try await socket.send(data, from: offset)
            }
        }
    }

    /// Blocks until the socket's send buffer has room. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: as ``sendAll(_:)``.
    public func waitSendAllMightNotBlock() async throws {
        try sendConflicts.enter()
        defer { sendConflicts.exit() }
        if socket.isClosed { throw ClosedResourceError("this socket was already closed") }
        try await waitWritable(socket.fd)
    }

    /// Shuts down the sending side (`shutdown(SHUT_WR)`); receiving still works. Idempotent.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError`` while a send is running; ``ClosedResourceError`` after
    ///   ``aclose()``; ``BrokenResourceError``; ``Cancelled``.
    public func sendEOF() async throws {
        try sendConflicts.enter()
        defer { sendConflicts.exit() }
        try await checkpoint()
        if socket.didShutdownWrite { return }
        try translatingSocketErrors { try socket.shutdownWrite() }
    }

    /// Receives up to `maxBytes` bytes (default 64 KiB, at most 1 MiB per call); `[]` at end of file.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `ValueError` if `maxBytes < 1`; ``BusyResourceError`` for a concurrent
    ///   receive; ``ClosedResourceError`` if the stream is or gets closed;
    ///   ``BrokenResourceError`` (e.g. connection reset); ``Cancelled``.
    public func receiveSome(maxBytes: Int? = nil) async throws -> [UInt8] {
        try receiveConflicts.enter()
        defer { receiveConflicts.exit() }
        let size = maxBytes ?? Self.defaultReceiveSize
        if size < 1 { throw ValueError("max_bytes must be >= 1") }
        let limited = min(size, Self.receiveSizeLimit)
        return try await translatingSocketErrors { try await socket.receive(maxBytes: limited) }
    }

    /// Closes the socket at once (no lingering), waking any task blocked on it with
    /// ``ClosedResourceError``. Idempotent. Flavor: Trio; a checkpoint, and closed even when
    /// cancelled.
    ///
    /// - Throws: ``Cancelled`` (after closing).
    public func aclose() async throws {
        socket.close()
        try await checkpoint()
    }
}

/// Maps socket `OSError`s to stream errors as Trio's high-level sockets do.
@inline(__always)
func translatingSocketErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as OSError {
        throw streamError(for: error)
    }
}

@inline(__always)
func translatingSocketErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as OSError {
        throw streamError(for: error)
    }
}

private func streamError(for error: OSError) -> any Error {
    if error.errno == EBADF || error.errno == ENOTSOCK {
        return ClosedResourceError("this socket was already closed")
    }
    return BrokenResourceError("socket connection broken: \(error)", underlying: error)
}
