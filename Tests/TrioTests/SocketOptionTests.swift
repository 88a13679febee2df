import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// `SocketStream`'s socket options and addresses.
@Suite struct SocketOptionTests {
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
