import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Opens listening TCP sockets on `port` for every address `host` resolves to.
/// Flavor: Trio; a checkpoint.
///
/// With `host == nil` it listens on all interfaces, IPv4 and IPv6 separately (IPv6 sockets are
/// `IPV6_V6ONLY`); so with `port: 0` the kernel picks a *different* port for each listener, as
/// in Trio. Sockets use `SO_REUSEADDR`.
///
/// - Parameters:
///   - port: the port, 0 for one the kernel picks.
///   - host: the local address to bind (`nil`: every interface).
///   - backlog: the listen queue length; `nil` asks for the system maximum; negative means 0.
/// - Returns: one ``SocketListener`` per address.
/// - Throws: `ValueError` for a port outside 0...65535; ``GAIError`` if `host` does not
///   resolve; `OSError` if a socket cannot be bound (then none is left open); ``Cancelled``.
public func openTCPListeners(port: Int, host: String? = nil, backlog: Int? = nil) async throws -> [SocketListener] {
    try validatePort(port)
    // The kernel clamps to net.core.somaxconn; a negative backlog means 0, as in Python.
    let listenBacklog = Int32(max(0, min(backlog ?? 0xFFFF, 0xFFFF)))
    let addresses = try await resolveStreamAddresses(host: host, port: port, passive: true)
    var listeners: [SocketListener] = []
    var unsupportedCount = 0
    do {
        for info in addresses {
            let socket: SocketHandle
            do {
                socket = try SocketHandle.open(family: info.family, type: info.type, protocol: info.proto)
            } catch let error as OSError where error.errno == EAFNOSUPPORT {
                unsupportedCount += 1
                continue
            }
            do {
                try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
                if info.family == AF_INET6 {
                    try socket.setOption(level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
                }
                try socket.bind(info.address)
                try socket.listen(backlog: listenBacklog)
            } catch {
                socket.close()
                throw error
            }
            listeners.append(SocketListener(socket: socket))
        }
    } catch {
        for listener in listeners { listener.socket.close() }
        throw error
    }
    if listeners.isEmpty {
        throw OSError(
            errno: EAFNOSUPPORT,
            operation: "this system doesn't support any of the kinds of socket that that address could use "
                + "(\(unsupportedCount) attempts)")
    }
    return listeners
}
