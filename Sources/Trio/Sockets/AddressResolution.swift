import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Host-name resolution failed (Python's `socket.gaierror`): `code` is the `EAI_*` value
/// `getaddrinfo` returned.
public struct GAIError: Error, CustomStringConvertible {
    /// The `EAI_*` code, e.g. `EAI_NONAME`.
    public let code: Int32
    /// The host that was being resolved.
    public let host: String?

    /// Creates the error.
    public init(code: Int32, host: String?) {
        self.code = code
        self.host = host
    }

    /// `[Errno code] gai_strerror(code): host`.
    public var description: String {
        "GAIError: [Errno \(code)] \(String(cString: gai_strerror(code))): \(host ?? "<any>")"
    }
}

/// One result of `getaddrinfo` (the platform layer's).
typealias AddressInfo = ResolvedAddress

/// Resolves `host` and `port` for stream sockets. Flavor: Trio; a checkpoint.
///
/// Numeric hosts (and `nil` with `AI_PASSIVE`) resolve on the loop thread, as Trio does; names
/// go to a worker thread (``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)``), since `getaddrinfo`
/// may block for seconds. A cancelled lookup is abandoned: the caller moves on at once and the
/// thread's answer is dropped.
func resolveStreamAddresses(host: String?, port: Int, passive: Bool = false) async throws -> [AddressInfo] {
    let baseFlags = passive ? AI_PASSIVE : 0
    let numeric: [AddressInfo]
    do {
        numeric = try getaddrinfoSync(host: host, port: port, flags: baseFlags | AI_NUMERICHOST | AI_NUMERICSERV)
    } catch let error as GAIError where error.code == EAI_NONAME && host != nil {
        return try await ToThread.runSync(abandonOnCancel: true) {
            try getaddrinfoSync(host: host, port: port, flags: baseFlags | AI_NUMERICSERV | AI_ADDRCONFIG)
        }
    }
    try await checkpoint()
    return numeric
}

/// Calls `getaddrinfo` for `SOCK_STREAM` results, with Trio's errors. Blocking for non-numeric
/// hosts.
func getaddrinfoSync(host: String?, port: Int, flags: Int32) throws -> [AddressInfo] {
    do {
        return try resolveStreamAddresses(host: host, port: port, flags: flags)
    } catch let failure as AddressLookupFailure {
        if failure.code == EAI_SYSTEM {
            throw OSError(errno: failure.systemErrno, operation: "getaddrinfo \(host ?? "<any>")")
        }
        throw GAIError(code: failure.code, host: host)
    }
}

/// Validates a TCP port argument the way Trio's high-level functions do.
func validatePort(_ port: Int) throws {
    guard (0...65535).contains(port) else { throw ValueError("port must be in 0...65535, not \(port)") }
}
