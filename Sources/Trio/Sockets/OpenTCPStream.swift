import CTrioPlatform
import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Connects to `host`:`port` over TCP and returns the connection as a ``SocketStream``.
/// Flavor: Trio; a checkpoint.
///
/// Tries every address `host` resolves to, "happy eyeballs" style (RFC 6555 / 8305, as Trio
/// does): the first attempt starts at once, and each next one starts when the previous failed
/// or after `happyEyeballsDelay` seconds, whichever comes first; the first connection to
/// succeed wins and the others are cancelled and closed. The first two addresses tried are of
/// different families when both exist.
///
/// - Parameters:
///   - host: a name or a numeric IPv4 / IPv6 address.
///   - port: the port, 0...65535.
///   - happyEyeballsDelay: seconds before starting the next attempt; `nil` waits for each
///     attempt to fail first.
///   - localAddress: the local IP address to connect from (Trio's `local_address`), e.g. to
///     choose among several interfaces; the kernel still picks the port. Each attempt's socket
///     is bound to it before connecting (with `IP_BIND_ADDRESS_NO_PORT`, so that the port is
///     chosen at connect time, when the whole 4-tuple is known). An attempt whose target is of
///     another family than `localAddress` fails, as one whose bind fails does. `nil` (the
///     default) lets the kernel choose.
/// - Throws: `ValueError` for an empty host, a bad port or a negative / NaN delay;
///   ``GAIError`` if `host` or `localAddress` does not resolve; `OSError` ("all attempts to
///   connect … failed") if no attempt succeeds, including when none could bind to
///   `localAddress`; ``Cancelled`` (no socket is left open).
public func openTCPStream(
    host: String, port: Int, happyEyeballsDelay: Double? = 0.25, localAddress: String? = nil
) async throws -> SocketStream {
    if host.isEmpty { throw ValueError("host must be a non-empty string") }
    try validatePort(port)
    let delay = happyEyeballsDelay ?? .infinity
    if delay.isNaN || delay < 0 { throw ValueError("happyEyeballsDelay must be >= 0, not \(delay)") }

    let targets = interleavingFamilies(try await resolveStreamAddresses(host: host, port: port))
    let where_ = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    if targets.isEmpty { throw OSError(errno: EAI_NONAME, operation: "no results found for hostname lookup \(where_)") }
    var localAddresses: [AddressInfo]?
    if let localAddress { localAddresses = try await resolveStreamAddresses(host: localAddress, port: 0) }

    do {
        return SocketStream(socket: try await connectHappyEyeballs(
            targets, delay: delay,
            open: { try SocketHandle.open(family: $0.family, type: $0.type, protocol: $0.proto) },
            connect: { socket, target in
                if let localAddress, let localAddresses {
                    try bindForConnecting(socket, to: localAddresses, named: localAddress, target: target.address)
                }
                try await socket.connect(target.address)
            },
            close: { $0.close() }))
    } catch let failures as HappyEyeballsFailures {
        throw OSError(
            errno: failures.errors.last?.errno ?? ECONNREFUSED,
            operation: "all attempts to connect to \(where_) failed: "
                + failures.errors.map { $0.description }.joined(separator: "; "))
    }
}

/// Binds an outgoing socket to the first of `candidates` (what `name` resolved to) of the
/// target's family, leaving the port to `connect`.
///
/// - Throws: `OSError` when no candidate has the target's family, or the bind fails.
private func bindForConnecting(
    _ socket: SocketHandle, to candidates: [AddressInfo], named name: String, target: SocketAddress
) throws {
    let incompatible = "localAddress \(name) is incompatible with remote address \(target)"
    guard let local = candidates.first(where: { $0.family == target.family }) else {
        throw OSError(errno: EAFNOSUPPORT, operation: incompatible)
    }
    // Without it, bind picks a port for the address alone, so ports can run out early; it is
    // only an optimisation, hence best effort (not every kernel knows it). 24 on Linux, where it
    // applies to IPv6 sockets too.
    try? socket.setOption(level: Int32(IPPROTO_IP), name: 24, value: 1)
    do {
        try socket.bind(local.address)
    } catch let error as OSError {
        throw OSError(errno: error.errno, operation: "\(incompatible) (\(error.operation))")
    }
}

/// Every connection attempt failed.
struct HappyEyeballsFailures: Error {
    let errors: [OSError]
}

/// The staggered connection race of ``openTCPStream(host:port:happyEyeballsDelay:localAddress:)``, generic
/// so that tests can drive it with fake connections on a mock clock.
///
/// Attempt *n + 1* starts when attempt *n* failed or `delay` seconds after it started; the
/// first to connect wins and cancels the rest. Every opened connection but the winner is closed,
/// also when the race is cancelled.
func connectHappyEyeballs<Target, Connection: AnyObject>(
    _ targets: [Target], delay: Double,
    open: @escaping (Target) throws -> Connection,
    connect: @escaping (Connection, Target) async throws -> Void,
    close: (Connection) -> Void
) async throws -> Connection {
    var winner: Connection?
    var attempts: [Connection] = []
    var failures: [OSError] = []
    defer {
        for connection in attempts where connection !== winner { close(connection) }
    }
    try await withNursery { nursery in
        for (index, target) in targets.enumerated() {
            let failed = Event()
            try nursery.startSoon(name: "openTCPStream attempt \(index)") {
                do {
                    let connection = try open(target)
                    attempts.append(connection)
                    try await connect(connection, target)
                    winner = connection
                    nursery.cancelScope.cancel()
                } catch let error as OSError {
                    failures.append(error)
                    failed.set()
                }
            }
            if index < targets.count - 1 {
                try await moveOnAfter(delay) { try await failed.wait() }
            }
        }
    }
    guard let winner else { throw HappyEyeballsFailures(errors: failures) }
    return winner
}

/// RFC 6555 section 5.4: keep the resolver's order, but make the second address the first one
/// of a different family, so that a broken IPv6 (or IPv4) path costs only one delay.
func interleavingFamilies(_ targets: [AddressInfo]) -> [AddressInfo] {
    guard let first = targets.first,
        let other = targets.indices.first(where: { targets[$0].family != first.family }), other > 1
    else { return targets }
    var reordered = targets
    reordered.insert(reordered.remove(at: other), at: 1)
    return reordered
}
