import CTrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A socket address of any family, stored by value (a `sockaddr_storage` and its length); plain
/// bytes, so it may cross threads (a resolver thread hands results back). Flavor: sync.
package struct SocketAddress: CustomStringConvertible, @unchecked Sendable {
    package var storage = sockaddr_storage()
    package var length: socklen_t = 0

    /// An empty address (family `AF_UNSPEC`), to be filled by the kernel.
    package init() {}

    /// A copy of `length` bytes at `address`.
    package init(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        self.init(UnsafeRawBufferPointer(start: address, count: Int(length)))
    }

    /// A copy of raw `sockaddr` bytes (at most `sockaddr_storage`'s size are kept).
    package init(_ bytes: UnsafeRawBufferPointer) {
        let count = min(bytes.count, MemoryLayout<sockaddr_storage>.size)
        length = socklen_t(count)
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<count]))
        }
    }

    /// The raw `sockaddr` bytes.
    package var bytes: [UInt8] {
        withUnsafeBytes(of: storage) { Array($0[..<Int(length)]) }
    }

    /// `AF_INET`, `AF_INET6`, ….
    package var family: Int32 { Int32(storage.ss_family) }

    /// The port in host byte order (0 for families without ports).
    package var port: Int {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
            case AF_INET6: return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
            default: return 0
            }
        }
    }

    /// The numeric host, e.g. `127.0.0.1` or `::1`; `?` when it has none.
    package var host: String {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withSockaddr { address, length in
            getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        }
        guard status == 0 else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `host:port`, with brackets around IPv6 hosts.
    package var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    package func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withUnsafePointer(to: storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (resolvable without blocking).
    package static func isNumeric(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
