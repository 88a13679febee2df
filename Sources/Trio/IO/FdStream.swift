import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A ``ByteStream`` over a file descriptor such as a pipe or a terminal (Trio's
/// `trio.lowlevel.FdStream`). Flavor: Trio.
///
/// The stream owns the fd: it is made non-blocking, and closing the stream closes it (after
/// restoring its original blocking mode, since another process may share the file
/// description). Reads and writes are plain `read`/`write` calls, so a pipe's write end only
/// supports sending and its read end only receiving. One task at a time may use the stream.
public final class FdStream: ByteStream {
    private(set) var fd: Int32
    private let wasBlocking: Bool
    private var conflicts = ConflictDetector("another task is using this stream")

    /// Takes ownership of `fileDescriptor` and makes it non-blocking. Flavor: sync.
    public init(fileDescriptor: Int32) {
        self.fd = fileDescriptor
        let flags = fcntl(fileDescriptor, F_GETFL)
        wasBlocking = flags >= 0 && flags & O_NONBLOCK == 0
        if wasBlocking { _ = fcntl(fileDescriptor, F_SETFL, flags | O_NONBLOCK) }
    }

    deinit { close() }

    /// The file descriptor, or -1 once closed. Flavor: sync.
    public var fileDescriptor: Int32 { fd }

    /// Writes all of `data`. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError``; ``ClosedResourceError`` if the stream is or gets closed;
    ///   ``BrokenResourceError`` if the reader went away (`EPIPE`) or another error occurred;
    ///   ``Cancelled``.
    public func sendAll(_ data: [UInt8]) async throws {
        try conflicts.enter()
        defer { conflicts.exit() }
        if fd < 0 { throw ClosedResourceError("file was already closed") }
        try await checkpoint()
        var sent = 0
        while sent < data.count {
            let fd = try liveFD()
            let written = data.withUnsafeBytes { writeWithoutSIGPIPE(fd, $0.baseAddress! + sent, $0.count - sent) }
            if written >= 0 {
                sent += written
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: try await waitWritable(fd)
            default: throw streamError(OSError.current("write"))
            }
        }
    }

    /// Blocks until the fd is writable. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError``; ``ClosedResourceError``; ``Cancelled``.
    public func waitSendAllMightNotBlock() async throws {
        try conflicts.enter()
        defer { conflicts.exit() }
        try await waitWritable(try liveFD())
    }

    /// Reads up to `maxBytes` bytes (default 64 KiB, at most 1 MiB per call); `[]` at end of file.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `ValueError` if `maxBytes < 1`; ``BusyResourceError``;
    ///   ``ClosedResourceError`` if the stream is or gets closed; ``BrokenResourceError``;
    ///   ``Cancelled``.
    public func receiveSome(maxBytes: Int? = nil) async throws -> [UInt8] {
        try conflicts.enter()
        defer { conflicts.exit() }
        let asked = maxBytes ?? SocketStream.defaultReceiveSize
        if asked < 1 { throw ValueError("max_bytes must be integer >= 1") }
        try await checkpoint()
        // Fewer bytes than asked is always allowed; allocating `Int.max` is not.
        let size = min(asked, SocketStream.receiveSizeLimit)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let fd = try liveFD()
            let count = read(fd, buffer.baseAddress, size)
            if count >= 0 { return Array(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
            switch errno {
            case EINTR: continue
            case EAGAIN: try await waitReadable(fd)
            default: throw streamError(OSError.current("read"))
            }
        }
    }

    /// Closes the fd now, waking any task blocked on it with ``ClosedResourceError``.
    /// Idempotent. Flavor: sync.
    public func close() {
        guard fd >= 0 else { return }
        notifyClosing(fd)
        if wasBlocking {
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }
        _ = Glibc.close(fd)
        fd = -1
    }

    /// ``close()``, then a checkpoint. Flavor: Trio.
    ///
    /// - Throws: ``Cancelled`` (after closing).
    public func aclose() async throws {
        close()
        try await checkpoint()
    }

    private func liveFD() throws -> Int32 {
        guard fd >= 0 else { throw ClosedResourceError("file was already closed") }
        return fd
    }

    private func streamError(_ error: OSError) -> any Error {
        if error.errno == EBADF { return ClosedResourceError("file was already closed") }
        return BrokenResourceError("\(error)", underlying: error)
    }
}
