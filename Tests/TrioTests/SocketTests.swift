import Foundation
import Testing
import Trio
import TestSupport
import TrioTesting

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SocketTests {
    @Test func tcpSocketStreamsPassHalfCloseableConformance() throws {
        // The check throws a StreamCheckFailure naming the property that does not hold.
        #expect(throws: Never.self) {
            try Trio.run {
                try await checkHalfCloseableStream({ try await tcpStreamPair() }, cloggedStreams: nil)
            }
        }
    }

    @Test func unixSocketStreamsPassHalfCloseableConformanceIncludingClogged() throws {
        // Clogging needs a buffer that stays full: over loopback TCP the kernel may reopen the
        // window by itself, so the clogged checks use a Unix socket pair (as Trio's own do).
        #expect(throws: Never.self) {
            try Trio.run {
                try await checkHalfCloseableStream(
                    { try unixStreamPair() },
                    cloggedStreams: {
                        let (a, b) = try unixStreamPair()
                        fillSocketBuffer(a.fileDescriptor)
                        fillSocketBuffer(b.fileDescriptor)
                        return (a, b)
                    })
            }
        }
    }

    @Test func echoOverLoopbackAndNoSocketLeftOpen() throws {
        let (reply, port) = try Trio.run { () -> ([UInt8], Int) in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let port = listener.localPort
            var reply: [UInt8] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    let server = try await listener.accept()
                    while true {
                        let data = try await server.receiveSome()
                        if data.isEmpty { break }
                        try await server.sendAll(data)
                    }
                    try await server.aclose()
                }
                let client = try await openTCPStream(host: "127.0.0.1", port: port)
                try await client.sendAll(Array("hello".utf8))
                while reply.count < 5 { reply += try await client.receiveSome(maxBytes: 3) }
                try await client.sendEOF()
                let eof = try await client.receiveSome()
                #expect(eof.isEmpty)
                try await client.aclose()
            }
            try await listener.aclose()
            return (reply, port)
        }
        #expect(reply == Array("hello".utf8))
        #expect(openSocketCount(port: port) == 0)
    }

    @Test func hugeMaxBytesReceivesWhatIsThereInsteadOfCrashing() throws {
        // "Up to maxBytes" must not mean "allocate maxBytes": Int.max used to trap (an overflow
        // in the socket's scratch buffer, a failed allocation in FdStream).
        let received = try Trio.run { () -> [[UInt8]] in
            let (client, server) = try await tcpStreamPair()
            try await client.sendAll(Array("socket".utf8))
            let fromSocket = try await server.receiveSome(maxBytes: Int.max)
            try await client.aclose()
            try await server.aclose()
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw OSError(errno: errno, operation: "pipe") }
            let reader = FdStream(fileDescriptor: fds[0])
            let writer = FdStream(fileDescriptor: fds[1])
            try await writer.sendAll(Array("pipe".utf8))
            let fromPipe = try await reader.receiveSome(maxBytes: Int.max)
            try await writer.aclose()
            try await reader.aclose()
            return [fromSocket, fromPipe]
        }
        #expect(received == [Array("socket".utf8), Array("pipe".utf8)])
    }

    @Test func negativeBacklogListensInsteadOfTrapping() throws {
        // Like Python's socket.listen, a negative backlog means 0; Int.min used to trap when
        // converted to Int32.
        let ports = try Trio.run { () -> [Int] in
            var ports: [Int] = []
            for backlog in [-1, Int.min] {
                let listeners = try await openTCPListeners(port: 0, host: "127.0.0.1", backlog: backlog)
                ports.append(listeners[0].localPort)
                for listener in listeners { try await listener.aclose() }
            }
            return ports
        }
        #expect(ports.count == 2 && ports.allSatisfy { $0 > 0 })
    }

    @Test func sendAllHandlesPartialWritesOfALargeBuffer() throws {
        let (count, matches) = try Trio.run { () -> (Int, Bool) in
            let (a, b) = try await tcpStreamPair()
            let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var got: [UInt8] = []
            try await withNursery { nursery in
                try nursery.startSoon {
                    try await a.sendAll(payload)
                    try await a.sendEOF()
                }
                while true {
                    let chunk = try await b.receiveSome()
                    if chunk.isEmpty { break }
                    got += chunk
                }
            }
            try await a.aclose()
            try await b.aclose()
            return (got.count, got == payload)
        }
        #expect(count == 8 << 20)
        #expect(matches)
    }

    @Test func concurrentSendAllRaisesBusy() throws {
        let busy = try Trio.run { () -> Bool in
            let (a, b) = try await tcpStreamPair()
            defer { _ = b }
            try await fillStream(a)
            var sawBusy = false
            do {
                try await withNursery { nursery in
                    try nursery.startSoon { try await a.sendAll([1]) }
                    try nursery.startSoon { try await a.sendAll([2]) }
                }
            } catch let group as ExceptionGroup {
                sawBusy = group.contains(BusyResourceError.self)
            }
            try await a.aclose()
            try await b.aclose()
            return sawBusy
        }
        #expect(busy)
    }

    @Test func receiveSomeValidatesMaxBytesAndSeesEOF() throws {
        let (invalid, eof) = try Trio.run { () -> (Bool, [UInt8]) in
            let (a, b) = try await tcpStreamPair()
            var invalid = false
            do { _ = try await b.receiveSome(maxBytes: 0) } catch is ValueError { invalid = true }
            try await a.aclose()
            let eof = try await b.receiveSome(maxBytes: 10)
            try await b.aclose()
            return (invalid, eof)
        }
        #expect(invalid)
        #expect(eof == [])
    }

    @Test func tcpNoDelayIsOn() throws {
        let value = try Trio.run { () -> Int32 in
            let (a, b) = try await tcpStreamPair()
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(a.fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
            try await a.aclose()
            try await b.aclose()
            return value
        }
        #expect(value != 0)
    }

    @Test func acloseIsIdempotentAndWakesBlockedReceiver() throws {
        let (closedError, fd) = try Trio.run { () -> (Bool, Int32) in
            let (a, b) = try await tcpStreamPair()
            var closedError = false
            try await withNursery { nursery in
                try nursery.startSoon {
                    do { _ = try await b.receiveSome() } catch is ClosedResourceError { closedError = true }
                }
                try await waitAllTasksBlocked()
                try await b.aclose()
                try await b.aclose()
            }
            try await a.aclose()
            return (closedError, b.fileDescriptor)
        }
        #expect(closedError)
        #expect(fd == -1)
    }

    @Test func openTCPStreamValidatesInput() throws {
        let errors = try Trio.run { () -> [String] in
            var errors: [String] = []
            for (host, port) in [("", 80), ("127.0.0.1", -1), ("127.0.0.1", 70000)] {
                do {
                    _ = try await openTCPStream(host: host, port: port)
                } catch is ValueError {
                    errors.append("value")
                }
            }
            do {
                _ = try await openTCPStream(host: "127.0.0.1", port: 80, happyEyeballsDelay: -1)
            } catch is ValueError { errors.append("value") }
            do { _ = try await openTCPListeners(port: 65536) } catch is ValueError { errors.append("value") }
            return errors
        }
        #expect(errors == Array(repeating: "value", count: 5))
    }

    @Test func openTCPStreamToAClosedPortFailsWithOSError() throws {
        let message = try Trio.run { () -> String in
            // Take a free port and close it again, so that nothing listens there.
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let port = listener.localPort
            try await listener.aclose()
            do {
                _ = try await openTCPStream(host: "127.0.0.1", port: port)
                return "connected"
            } catch let error as OSError {
                return "\(error.errno == ECONNREFUSED) \(error.operation)"
            }
        }
        #expect(message.hasPrefix("true all attempts to connect to 127.0.0.1:"))
    }

    @Test func openTCPStreamTriesTheNextAddressWhenOneFails() throws {
        // "localhost" resolves to ::1 and 127.0.0.1 here; only IPv4 listens, so whichever
        // family comes first, one attempt fails and the other connects.
        let connected = try Trio.run(clock: MockClock(autojumpThreshold: 0)) { () -> Bool in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            let stream = try await openTCPStream(host: "localhost", port: listener.localPort)
            let server = try await listener.accept()
            try await stream.sendAll([42])
            let got = try await server.receiveSome()
            try await stream.aclose()
            try await server.aclose()
            try await listener.aclose()
            return got == [42]
        }
        #expect(connected)
    }

    @Test func openTCPListenersWithoutHostListensOnEveryFamily() throws {
        let (count, ports) = try Trio.run { () -> (Int, [Int]) in
            let listeners = try await openTCPListeners(port: 0)
            let ports = listeners.map(\.localPort)
            for listener in listeners { try await listener.aclose() }
            return (listeners.count, ports)
        }
        #expect(count >= 1)
        #expect(ports.allSatisfy { $0 > 0 })
    }

    @Test func openTCPListenersFailsOnAPortInUse() throws {
        let error = try Trio.run { () -> Int32? in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            defer { _ = listener }
            var code: Int32?
            do {
                _ = try await openTCPListeners(port: listener.localPort, host: "127.0.0.1")
            } catch let error as OSError {
                code = error.errno
            }
            try await listener.aclose()
            return code
        }
        #expect(error == EADDRINUSE)
    }

    @Test func listenerAcceptWhileAnotherAcceptsIsBusyAndCloseWakesIt() throws {
        let (busy, closed) = try Trio.run { () -> (Bool, Bool) in
            let listener = try await openTCPListeners(port: 0, host: "127.0.0.1")[0]
            var busy = false
            var closed = false
            try await withNursery { nursery in
                try nursery.startSoon {
                    do { _ = try await listener.accept() } catch is ClosedResourceError { closed = true }
                }
                try await waitAllTasksBlocked()
                do { _ = try await listener.accept() } catch is BusyResourceError { busy = true }
                try await listener.aclose()
            }
            return (busy, closed)
        }
        #expect(busy)
        #expect(closed)
    }

    @Test func socketStreamRejectsANonStreamSocket() throws {
        let fd = fdAboveTheRest(socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0))
        #expect(throws: ValueError.self) { try SocketStream(fileDescriptor: fd) }
        // The rejected fd was closed by the initializer.
        #expect(fcntl(fd, F_GETFD) == -1)
    }
}
