import SharedErrors
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One result of ``AbstractEventLoop/getaddrinfo(_:_:)``: what `socket()` and `connect()`/`bind()` need.
///
/// Flavor: sync (a value).
public struct AddressInfo: Sendable {
    /// `AF_INET` or `AF_INET6`.
    public let family: Int32
    /// `SOCK_STREAM`, ….
    public let socketType: Int32
    /// The protocol number (`IPPROTO_TCP`, …).
    public let protocolNumber: Int32
    /// The raw `sockaddr` bytes.
    public let address: [UInt8]

    /// The numeric host and the port of ``address``.
    public var hostAndPort: (host: String, port: Int) {
        let parsed = address.withUnsafeBytes { SocketAddress($0) }
        return (parsed.host, parsed.port)
    }
}

/// Resolves `host`/`port` for TCP with the (blocking) C `getaddrinfo`, with asyncio's error.
///
/// - Throws: `OSError` (`EHOSTUNREACH`, naming `getaddrinfo`, the host and the reason).
func resolveBlocking(host: String?, port: Int, passive: Bool) throws -> [AddressInfo] {
    do {
        return try resolveStreamAddresses(host: host, port: port, flags: passive ? AI_PASSIVE : 0).map {
            AddressInfo(family: $0.family, socketType: $0.type, protocolNumber: $0.proto, address: $0.address.bytes)
        }
    } catch let failure as AddressLookupFailure {
        throw OSError(errno: EHOSTUNREACH, operation: "getaddrinfo(\(host ?? "*")): \(failure.reason)")
    }
}

/// The numeric host and port of the local or peer address of a socket, `nil` if it has none.
func socketName(_ fd: Int32, peer: Bool) -> (host: String, port: Int)? {
    guard let address = try? SocketCalls.name(fd, peer: peer) else { return nil }
    return (address.host, address.port)
}
