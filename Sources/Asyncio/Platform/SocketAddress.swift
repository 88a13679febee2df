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
        address.withUnsafeBytes { raw in socketAddressHostAndPort(raw.baseAddress!) }
    }
}

/// Resolves `host`/`port` for TCP with the (blocking) C `getaddrinfo`.
func resolveBlocking(host: String?, port: Int, passive: Bool) throws -> [AddressInfo] {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    if passive { hints.ai_flags = AI_PASSIVE }
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
        let reason = String(cString: gai_strerror(status))
        throw OSError(errno: EHOSTUNREACH, operation: "getaddrinfo(\(host ?? "*")): \(reason)")
    }
    defer { freeaddrinfo(first) }
    var results: [AddressInfo] = []
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let entry = cursor {
        let info = entry.pointee
        if let address = info.ai_addr {
            let bytes = [UInt8](UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
            results.append(AddressInfo(
                family: info.ai_family, socketType: info.ai_socktype, protocolNumber: info.ai_protocol, address: bytes
            ))
        }
        cursor = info.ai_next
    }
    return results
}

/// Whether `host` is a numeric IPv4/IPv6 address (resolvable without blocking).
func isNumericHost(_ host: String) -> Bool {
    var v4 = in_addr(), v6 = in6_addr()
    return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
}

/// The numeric host and port of a `sockaddr`.
func socketAddressHostAndPort(_ raw: UnsafeRawPointer) -> (host: String, port: Int) {
    let family = Int32(raw.load(as: sockaddr.self).sa_family)
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    if family == AF_INET6 {
        var address = raw.load(as: sockaddr_in6.self)
        inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
        return (cString(text), Int(UInt16(bigEndian: address.sin6_port)))
    }
    var address = raw.load(as: sockaddr_in.self)
    inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
    return (cString(text), Int(UInt16(bigEndian: address.sin_port)))
}

/// The NUL-terminated text in `buffer`.
private func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// The local or peer address of a socket (`getsockname` / `getpeername`).
func socketName(_ fd: Int32, peer: Bool) -> (host: String, port: Int)? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            peer ? getpeername(fd, address, &length) : getsockname(fd, address, &length)
        }
    }
    guard status == 0 else { return nil }
    return withUnsafeBytes(of: &storage) { socketAddressHostAndPort($0.baseAddress!) }
}
