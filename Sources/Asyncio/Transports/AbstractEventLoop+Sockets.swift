import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

extension AbstractEventLoop {
    /// Resolves `host`/`port` for TCP, off the loop thread unless `host` is numeric.
    ///
    /// Flavor: asyncio. - Throws: `OSError` when resolution fails.
    public func getaddrinfo(_ host: String?, _ port: Int) async throws -> [AddressInfo] {
        if host == nil || SocketAddress.isNumeric(host!) {
            return try resolveBlocking(host: host, port: port, passive: host == nil)
        }
        return try await runInExecutor(nil) { try resolveBlocking(host: host, port: port, passive: false) }.value
    }

    /// Waits until `fd` is readable (`forWriting`: writable), through ``addReader(_:_:)``/``addWriter(_:_:)``.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `RuntimeError` when the loop is closed.
    public func waitReady(_ fd: Int32, forWriting: Bool = false) async throws {
        let ready = createFuture(of: Void.self)
        ready.role = forWriting ? .writable(fd) : .readable(fd)
        let wake = { ready.setOutcomeUnlessDone(.success(())) }
        if forWriting {
            try addWriter(fd, wake)
        } else {
            try addReader(fd, wake)
        }
        defer { _ = forWriting ? removeWriter(fd) : removeReader(fd) }
        try await ready.value
    }

    /// Connects non-blocking socket `fd` to `address` (raw `sockaddr` bytes): `loop.sock_connect`.
    ///
    /// Flavor: asyncio. - Throws: `OSError` (for example `ECONNREFUSED`); `ValueError` when `address` is
    /// empty; ``CancelledError``.
    public func sockConnect(_ fd: Int32, _ address: [UInt8]) async throws {
        // An empty array has no base address to hand to connect(2).
        guard !address.isEmpty else { throw ValueError("sockConnect: the address is empty") }
        let target = address.withUnsafeBytes { SocketAddress($0) }
        if try SocketCalls.startConnect(fd, to: target) { return }
        try await waitReady(fd, forWriting: true)
        let error = try SocketCalls.pendingError(fd)
        if error != 0 { throw OSError(errno: error, operation: "connect to \(target)") }
    }

    /// Accepts a connection on listening socket `fd` as a non-blocking socket: `loop.sock_accept`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    public func sockAccept(_ fd: Int32) async throws -> Int32 {
        while true {
            if let client = try acceptIgnoringAborted(fd) { return client }
            try await waitReady(fd)
        }
    }

    /// Receives up to `maxBytes` from `fd` (`[]` at EOF): `loop.sock_recv`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; `ValueError` when `maxBytes` is negative; ``CancelledError``.
    public func sockRecv(_ fd: Int32, _ maxBytes: Int) async throws -> [UInt8] {
        guard maxBytes >= 0 else { throw ValueError("negative buffersize in recv") }
        var bytes = [UInt8](repeating: 0, count: maxBytes)
        while true {
            let count = try bytes.withUnsafeMutableBytes { try receiveSome(fd, into: $0) }
            if let count {
                bytes.removeLast(maxBytes - count)
                return bytes
            }
            try await waitReady(fd)
        }
    }

    /// Sends all of `data` on `fd`: `loop.sock_sendall`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    public func sockSendall(_ fd: Int32, _ data: [UInt8]) async throws {
        var offset = 0
        while offset < data.count {
            offset += try data.withUnsafeBytes { raw in
                try sendSome(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            if offset < data.count { try await waitReady(fd, forWriting: true) }
        }
    }

    /// Opens a TCP connection to `host`:`port` and wires a protocol from `factory` to it:
    /// `loop.create_connection`. Addresses are tried in order; the last error is thrown if none connects.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    public func createConnection(
        _ factory: @escaping () -> any StreamProtocol, host: String, port: Int
    ) async throws -> (any Transport, any StreamProtocol) {
        var lastError: any Error = OSError(errno: EHOSTUNREACH, operation: "no address for \(host)")
        for info in try await getaddrinfo(host, port) {
            let fd = try SocketCalls.open(family: info.family, type: info.socketType, protocol: info.protocolNumber)
            do {
                try await sockConnect(fd, info.address)
            } catch {
                Glibc.close(fd)
                if error is CancelledError { throw error }
                lastError = error
                continue
            }
            setNoDelay(fd)
            let made = factory()
            let waiter = createFuture(of: Void.self)
            let transport: SocketTransport
            do {
                transport = try SocketTransport(loop: self, fd: fd, protocol: made, waiter: waiter)
            } catch {
                Glibc.close(fd)
                throw error
            }
            do {
                try await waiter.value
            } catch {
                transport.abort()
                throw error
            }
            return (transport, made)
        }
        throw lastError
    }

    /// Listens on `host`:`port` (`nil` host: all IPv4 interfaces; port 0: any free port) and serves each
    /// connection with a protocol from `factory`: `loop.create_server`.
    ///
    /// Flavor: asyncio. - Throws: `OSError` (for example `EADDRINUSE`).
    public func createServer(
        _ factory: @escaping () -> any StreamProtocol, host: String?, port: Int, backlog: Int, startServing: Bool
    ) async throws -> Server {
        let infos = try await getaddrinfo(host ?? "0.0.0.0", port)
        var sockets: [Int32] = []
        do {
            for info in infos {
                let fd = try SocketCalls.open(family: info.family, type: info.socketType, protocol: info.protocolNumber)
                sockets.append(fd)
                // Best effort, as before: a refused option does not stop the server.
                _ = try? SocketCalls.setOption(fd, level: SOL_SOCKET, SO_REUSEADDR)
                if info.family == AF_INET6 {
                    _ = try? SocketCalls.setOption(fd, level: Int32(IPPROTO_IPV6), IPV6_V6ONLY)
                }
                try SocketCalls.bind(fd, to: info.address.withUnsafeBytes { SocketAddress($0) })
                try SocketCalls.listen(fd, backlog: Int32(backlog))
            }
        } catch {
            for fd in sockets { Glibc.close(fd) }
            throw error
        }
        let server = Server(loop: self, sockets: sockets, backlog: backlog, factory: factory)
        if startServing { try server.startServing() }
        return server
    }

    /// ``createServer(_:host:port:backlog:startServing:)`` with a backlog of 100, serving at once.
    ///
    /// Flavor: asyncio. - Throws: `OSError`.
    public func createServer(
        _ factory: @escaping () -> any StreamProtocol, host: String?, port: Int
    ) async throws -> Server {
        try await createServer(factory, host: host, port: port, backlog: 100, startServing: true)
    }
}

/// Accepts one connection (non-blocking and close-on-exec from its creation); `nil` when none is
/// pending, including one that died in the queue (`ECONNABORTED`).
func acceptIgnoringAborted(_ fd: Int32) throws -> Int32? {
    do {
        return try SocketCalls.accept(fd)
    } catch let error as OSError where error.errno == ECONNABORTED {
        return nil
    }
}

/// Turns Nagle's algorithm off on a TCP socket (best effort, as CPython's `_set_nodelay`).
func setNoDelay(_ fd: Int32) {
    _ = try? SocketCalls.setOption(fd, level: Int32(IPPROTO_TCP), TCP_NODELAY)
}
