import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// `openTCPStream(localAddress:)` and `SocketStream`'s socket options and addresses.
@Suite struct SocketOptionTests {
    @Test func openTCPStreamConnectsFromTheGivenLocalAddress() throws {
        // Every 127.x.y.z is loopback on Linux, so 127.0.0.2 is a local address that the
        // kernel would never pick on its own for a connection to 127.0.0.1.
        let (clientLocal, serverSeesPeer) = try Trio.run { () -> (String, String) in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let client = try await openTCPStream(host: "127.0.0.1", port: listener.localPort, localAddress: "127.0.0.2")
            let server = try await listener.accept()
            let result = (try client.localAddress(), try server.peerAddress())
            // The port is left to connect (IP_BIND_ADDRESS_NO_PORT, 24 on Linux).
            #expect(try client.getOption(level: Int32(IPPROTO_IP), name: 24) == 1)
            try await client.aclose()
            try await server.aclose()
            try await listener.aclose()
            return result
        }
        #expect(clientLocal.hasPrefix("127.0.0.2:"))
        #expect(!clientLocal.hasSuffix(":0"))
        #expect(serverSeesPeer == clientLocal)
    }

    @Test func aLocalAddressOfTheWrongFamilyFailsEveryAttempt() throws {
        let failure = try Trio.run { () -> OSError? in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            do {
                let stream = try await openTCPStream(host: "127.0.0.1", port: listener.localPort, localAddress: "::1")
                try await stream.aclose()
                try await listener.aclose()
                return nil
            } catch let error as OSError {
                try await listener.aclose()
                return error
            }
        }
        let error = try #require(failure)
        #expect(error.errno == EAFNOSUPPORT)
        #expect(error.operation.contains("all attempts to connect"))
        #expect(error.operation.contains("incompatible"))
    }

    @Test func aLocalAddressThatCannotBeBoundFailsWithOSError() throws {
        // 192.0.2.1 (TEST-NET-1) is not an address of this machine.
        let errnoValue = try Trio.run { () -> Int32? in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            do {
                let stream = try await openTCPStream(
                    host: "127.0.0.1", port: listener.localPort, localAddress: "192.0.2.1")
                try await stream.aclose()
                try await listener.aclose()
                return nil
            } catch let error as OSError {
                try await listener.aclose()
                return error.errno
            }
        }
        #expect(errnoValue == EADDRNOTAVAIL)
    }

    @Test func integerOptionsRoundTrip() throws {
        let (before, after, noDelay) = try Trio.run { () -> (Int32, Int32, Int32) in
            let (client, server) = try await tcpStreamPair()
            let before = try client.getOption(level: SOL_SOCKET, name: SO_KEEPALIVE)
            try client.setOption(level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
            let after = try client.getOption(level: SOL_SOCKET, name: SO_KEEPALIVE)
            // SocketStream switches TCP_NODELAY on itself.
            let noDelay = try server.getOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY)
            try await client.aclose()
            try await server.aclose()
            return (before, after, noDelay)
        }
        #expect(before == 0)
        #expect(after != 0)
        #expect(noDelay != 0)
    }

    @Test func structOptionsRoundTripAsBytes() throws {
        let (lingerBytes, size) = try Trio.run { () -> ([UInt8], Int) in
            let (client, server) = try await tcpStreamPair()
            var value = linger(l_onoff: 1, l_linger: 7)
            try client.setOption(
                level: SOL_SOCKET, name: SO_LINGER, bytes: withUnsafeBytes(of: &value) { Array($0) })
            let bytes = try client.getOption(level: SOL_SOCKET, name: SO_LINGER, length: 64)
            try await client.aclose()
            try await server.aclose()
            return (bytes, MemoryLayout<linger>.size)
        }
        #expect(lingerBytes.count == size)
        let readBack = lingerBytes.withUnsafeBytes { $0.loadUnaligned(as: linger.self) }
        #expect(readBack.l_onoff != 0)
        #expect(readBack.l_linger == 7)
    }

    @Test func optionsFailWithOSErrorThenClosedResourceErrorAfterClose() throws {
        let (bad, closed, fd) = try Trio.run { () -> (Int32?, [Bool], Int32) in
            let (client, server) = try await tcpStreamPair()
            var bad: Int32?
            do {
                _ = try client.getOption(level: SOL_SOCKET, name: -12345)
            } catch let error as OSError {
                bad = error.errno
            }
            try await client.aclose()
            try await server.aclose()
            var closed: [Bool] = []
            do { try client.setOption(level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1) } catch is ClosedResourceError {
                closed.append(true)
            }
            do { _ = try client.getOption(level: SOL_SOCKET, name: SO_KEEPALIVE) } catch is ClosedResourceError {
                closed.append(true)
            }
            do { _ = try client.peerAddress() } catch is ClosedResourceError { closed.append(true) }
            return (bad, closed, client.fileDescriptor)
        }
        #expect(bad == ENOPROTOOPT)
        #expect(closed == [true, true, true])
        #expect(fd == -1)
    }
}
