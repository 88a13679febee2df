import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Socket options and addresses (Trio's `SocketStream.setsockopt` / `getsockopt`, and what its
/// `socket` attribute answers about addresses).
extension SocketStream {
    /// Sets an integer socket option, as `setsockopt(2)` does (e.g. `SOL_SOCKET`, `SO_KEEPALIVE`,
    /// 1). Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``ClosedResourceError`` after ``aclose()``; `OSError` if the kernel refuses.
    public func setOption(level: Int32, name: Int32, value: Int32) throws {
        try liveSocket("setOption").setOption(level: level, name: name, value: value)
    }

    /// Sets a socket option whose value is a structure, given as its raw bytes (`SO_LINGER`'s
    /// `struct linger`, for example). Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``ClosedResourceError`` after ``aclose()``; `OSError` if the kernel refuses.
    public func setOption(level: Int32, name: Int32, bytes: [UInt8]) throws {
        let fd = try liveSocket("setOption").fd
        let status = bytes.withUnsafeBytes { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        guard status == 0 else { throw OSError.current("setsockopt") }
    }

    /// Reads an integer socket option, as `getsockopt(2)` does. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``ClosedResourceError`` after ``aclose()``; `OSError` if the kernel refuses.
    public func getOption(level: Int32, name: Int32) throws -> Int32 {
        try liveSocket("getOption").intOption(level: level, name: name)
    }

    /// Reads a socket option as raw bytes: at most `length` of them, as many as the kernel
    /// wrote. Flavor: sync; not a checkpoint.
    ///
    /// - Throws: `ValueError` for a negative `length`; ``ClosedResourceError`` after
    ///   ``aclose()``; `OSError` if the kernel refuses.
    public func getOption(level: Int32, name: Int32, length: Int) throws -> [UInt8] {
        guard length >= 0 else { throw ValueError("length must be >= 0, not \(length)") }
        let fd = try liveSocket("getOption").fd
        var buffer = [UInt8](repeating: 0, count: length)
        var written = socklen_t(length)
        let status = buffer.withUnsafeMutableBytes { getsockopt(fd, level, name, $0.baseAddress, &written) }
        guard status == 0 else { throw OSError.current("getsockopt") }
        return Array(buffer.prefix(Int(written)))
    }

    /// This end's address as `host:port` (`[host]:port` for IPv6). Flavor: sync.
    ///
    /// - Throws: ``ClosedResourceError`` after ``aclose()``; `OSError` if the kernel refuses.
    public func localAddress() throws -> String {
        try liveSocket("localAddress").localAddress().description
    }

    /// The peer's address as `host:port` (`[host]:port` for IPv6). Flavor: sync.
    ///
    /// - Throws: ``ClosedResourceError`` after ``aclose()``; `OSError` (`ENOTCONN`) once the
    ///   peer is gone.
    public func peerAddress() throws -> String {
        try liveSocket("peerAddress").peerAddress().description
    }

    /// The socket, unless this stream was closed.
    private func liveSocket(_ operation: String) throws -> SocketHandle {
        if socket.isClosed { throw ClosedResourceError("\(operation) on a closed SocketStream") }
        return socket
    }
}
