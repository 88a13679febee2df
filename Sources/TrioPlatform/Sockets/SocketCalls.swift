import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// The socket system calls both flavors make, on non-blocking descriptors, throwing ``OSError``;
/// `nil` means "would block". Flavor: sync.
///
/// Reads and writes are not here: each flavor wraps them in ``nonBlockingSystemCall(_:_:)`` in its
/// own module, because only generic functions of this module are inlined into the others, and
/// a call per `send` showed up in the echo servers' instruction counts.
///
/// Every socket the package creates is non-blocking and close-on-exec from its creation
/// (`SOCK_NONBLOCK | SOCK_CLOEXEC` on `socket` and `accept4`): setting the flag afterwards with
/// `fcntl` leaves a window in which a child spawned by another thread inherits the socket.
/// (Both flavors' sends use `MSG_NOSIGNAL`, so a reset peer is `EPIPE`, never `SIGPIPE`.)
package enum SocketCalls {
    /// The flags every new socket gets.
    @usableFromInline static let newSocketFlags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A new non-blocking, close-on-exec socket.
    ///
    /// - Throws: ``OSError`` (`socket`).
    package static func open(family: Int32, type: Int32, protocol proto: Int32) throws -> Int32 {
        try systemCall("socket") { socket(family, type | newSocketFlags, proto) }
    }

    /// One `accept4` giving a non-blocking, close-on-exec socket: the new descriptor, or -1 with
    /// `errno` (for callers that run their own retry loop, such as Trio's socket layer).
    @inlinable @inline(__always)
    package static func acceptOnce(_ fd: Int32) -> Int32 {
        ctrio_accept4(fd, newSocketFlags)
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket; `nil` when none is
    /// pending.
    ///
    /// - Throws: ``OSError`` (`accept`).
    package static func accept(_ fd: Int32) throws -> Int32? {
        try nonBlockingSystemCall("accept") { acceptOnce(fd) }
    }

    /// Sets an integer socket option.
    ///
    /// - Throws: ``OSError`` (`setsockopt`).
    package static func setOption(_ fd: Int32, level: Int32, _ name: Int32, _ value: Int32 = 1) throws {
        var value = value
        _ = try systemCall("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Reads an integer socket option.
    ///
    /// - Throws: ``OSError`` (`getsockopt`).
    package static func intOption(_ fd: Int32, level: Int32, _ name: Int32) throws -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try systemCall("getsockopt") { getsockopt(fd, level, name, &value, &length) }
        return value
    }

    /// Binds `fd` to `address`.
    ///
    /// - Throws: ``OSError`` (`bind <address>`).
    package static func bind(_ fd: Int32, to address: SocketAddress) throws {
        _ = try systemCall("bind \(address)") { address.withSockaddr { Glibc.bind(fd, $0, $1) } }
    }

    /// Makes `fd` a listening socket.
    ///
    /// - Throws: ``OSError`` (`listen`).
    package static func listen(_ fd: Int32, backlog: Int32) throws {
        _ = try systemCall("listen") { Glibc.listen(fd, backlog) }
    }

    /// Starts connecting `fd` to `address`: true when connected at once, false when the
    /// connection is in progress (wait until writable, then read ``pendingError(_:)``).
    ///
    /// - Throws: ``OSError`` (`connect to <address>`).
    package static func startConnect(_ fd: Int32, to address: SocketAddress) throws -> Bool {
        while true {
            if address.withSockaddr({ Glibc.connect(fd, $0, $1) }) == 0 { return true }
            switch errno {
            // Interrupted: the connection goes on in the background, as if in progress.
            case EINPROGRESS, EINTR: return false
            default: throw OSError.current("connect to \(address)")
            }
        }
    }

    /// The outcome of a connection started by ``startConnect(_:to:)``: 0 or an `errno` value.
    ///
    /// - Throws: ``OSError`` (`getsockopt`).
    package static func pendingError(_ fd: Int32) throws -> Int32 {
        try intOption(fd, level: SOL_SOCKET, SO_ERROR)
    }

    /// The local (`getsockname`) or peer (`getpeername`) address of `fd`.
    ///
    /// - Throws: ``OSError`` naming the call.
    package static func name(_ fd: Int32, peer: Bool) throws -> SocketAddress {
        var address = SocketAddress()
        address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try systemCall(peer ? "getpeername" : "getsockname") {
            withUnsafeMutablePointer(to: &address.storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    peer ? getpeername(fd, $0, &address.length) : getsockname(fd, $0, &address.length)
                }
            }
        }
        return address
    }
}
