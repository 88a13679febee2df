import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A ``Listener`` over a listening stream socket, Trio's `SocketListener`. Flavor: Trio.
///
/// ``accept()`` skips the errors that only mean one incoming connection died before it was
/// accepted, so callers see either a stream, a closed listener, or resource exhaustion.
public final class SocketListener: Listener {
    let socket: SocketHandle

    init(socket: SocketHandle) {
        self.socket = socket
    }

    /// Wraps a listening stream socket, taking ownership of `fileDescriptor` (it is made
    /// non-blocking and is closed by ``aclose()``). Flavor: sync.
    ///
    /// - Throws: `ValueError` if it is not a listening stream socket; `OSError` if it is
    ///   not a socket.
    public convenience init(fileDescriptor: Int32) throws {
        let socket = SocketHandle(adopting: fileDescriptor)
        do {
            guard try socket.intOption(level: SOL_SOCKET, name: SO_TYPE) == Int32(SOCK_STREAM.rawValue) else {
                throw ValueError("SocketListener requires a SOCK_STREAM socket")
            }
            guard try socket.intOption(level: SOL_SOCKET, name: SO_ACCEPTCONN) != 0 else {
                throw ValueError("SocketListener requires a listening socket")
            }
        } catch {
            socket.close()
            throw error
        }
        self.init(socket: socket)
    }

    /// The socket's file descriptor, or -1 once closed. Flavor: sync.
    public var fileDescriptor: Int32 { socket.fd }

    /// The local port the socket is bound to (0 once closed). Flavor: sync.
    public var localPort: Int { (try? socket.localAddress().port) ?? 0 }

    /// The local address as `host:port` (`[host]:port` for IPv6). Flavor: sync.
    ///
    /// - Throws: `OSError` once closed.
    public func localAddress() throws -> String { try socket.localAddress().description }

    /// Waits for a connection and returns it as a ``SocketStream``. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError`` if another task is accepting; ``ClosedResourceError`` if
    ///   the listener is or gets closed; `OSError` for other failures, notably `EMFILE`,
    ///   `ENFILE`, `ENOMEM` and `ENOBUFS`; ``Cancelled``.
    public func accept() async throws -> SocketStream {
        while true {
            do {
                return SocketStream(socket: try await socket.accept())
            } catch let error as OSError {
                if error.errno == EBADF || error.errno == ENOTSOCK {
                    throw ClosedResourceError("this listener was already closed")
                }
                if !Self.ignorableAcceptErrnos.contains(error.errno) { throw error }
            }
        }
    }

    /// Errors that concern one connection that died in the queue, not the listener. (`EAGAIN`
    /// never gets here: the socket layer turns it into a wait.)
    private static let ignorableAcceptErrnos: Set<Int32> = [
        ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
        ENETUNREACH, ETIMEDOUT, ECONNRESET,
    ]

    /// Closes the listening socket, waking a blocked ``accept()`` with ``ClosedResourceError``.
    /// Idempotent. Flavor: Trio; a checkpoint, and closed even when cancelled.
    ///
    /// - Throws: ``Cancelled`` (after closing).
    public func aclose() async throws {
        socket.close()
        try await checkpoint()
    }
}
