import CTrioPlatform
import SharedErrors
#if canImport(Glibc)
import Glibc
#endif

/// One result of `getaddrinfo`: what `socket()` and `connect()` / `bind()` need. Flavor: sync.
package struct ResolvedAddress: Sendable {
    package let family: Int32
    package let type: Int32
    package let proto: Int32
    package let address: SocketAddress

    package init(family: Int32, type: Int32, proto: Int32, address: SocketAddress) {
        self.family = family
        self.type = type
        self.proto = proto
        self.address = address
    }
}

/// `getaddrinfo` failed: `code` is its `EAI_*` result, and `systemErrno` the `errno` that goes with
/// `EAI_SYSTEM`. Each flavor turns it into its own error (Trio's `GAIError`, asyncio's `OSError`).
package struct AddressLookupFailure: Error {
    package let code: Int32
    package let systemErrno: Int32

    /// `gai_strerror(code)`.
    package var reason: String { String(cString: gai_strerror(code)) }
}

/// Resolves `host` and `port` for stream sockets with the C `getaddrinfo` (blocking for names
/// that are not numeric: run it off the loop thread). Flavor: sync.
///
/// - Parameter flags: `AI_*` flags (`AI_PASSIVE` for listening, `AI_NUMERICHOST`, …).
/// - Throws: ``AddressLookupFailure``.
package func resolveStreamAddresses(host: String?, port: Int, flags: Int32) throws -> [ResolvedAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = flags
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0 else {
        throw AddressLookupFailure(code: status, systemErrno: status == EAI_SYSTEM ? errno : 0)
    }
    defer { freeaddrinfo(list) }
    var results: [ResolvedAddress] = []
    var cursor = list
    while let info = cursor?.pointee {
        if let address = info.ai_addr {
            results.append(ResolvedAddress(
                family: info.ai_family, type: info.ai_socktype, proto: info.ai_protocol,
                address: SocketAddress(address, length: info.ai_addrlen)))
        }
        cursor = info.ai_next
    }
    return results
}
