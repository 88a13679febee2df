import Asyncio
import Glibc
import Testing

/// An echo handler that uppercases nothing: writes back every line until EOF, then closes.
private func echoLines(_ reader: StreamReader, _ writer: StreamWriter) async throws {
    while true {
        let line = try await reader.readline()
        if line.isEmpty { break }
        try writer.write(line)
        try await writer.drain()
    }
    writer.close()
    try await writer.waitClosed()
}

public struct StreamConformance {
    public init() {}

    public func echoServerRoundTrip(_ factory: ConformanceLoop) throws {
        let replies = try factory.run { _ in
            let server = try await startServer(host: "127.0.0.1", port: 0, echoLines)
            #expect(server.port > 0)
            #expect(server.isServing)
            let (reader, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
            var replies: [String] = []
            for text in ["hello\n", "world\n"] {
                try writer.write(Array(text.utf8))
                try await writer.drain()
                replies.append(String(decoding: try await reader.readline(), as: UTF8.self))
            }
            writer.writeEOF()
            let rest = try await reader.read()
            #expect(rest.isEmpty)
            #expect(reader.atEOF)
            writer.close()
            try await writer.waitClosed()
            server.close()
            try await server.waitClosed()
            #expect(server.port == 0)
            return replies
        }
        #expect(replies == ["hello\n", "world\n"])
    }

    public func readerMethodsOnFedData(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let reader = StreamReader(limit: 8)
            reader.feedData(bytes("ab|cdefgh\nxy"))
            let got1 = try await reader.readexactly(2)
            #expect(got1 == bytes("ab"))
            let got2 = try await reader.readuntil(bytes("|"))
            #expect(got2 == bytes("|"))
            let got3 = try await reader.readline()
            #expect(got3 == bytes("cdefgh\n"))
            let got4 = try await reader.read(1)
            #expect(got4 == bytes("x"))
            reader.feedEOF()
            await #expect {
                try await reader.readexactly(3)
            } throws: { error in
                (error as? IncompleteReadError).map { $0.partial == bytes("y") && $0.expected == 3 } ?? false
            }
            #expect(reader.atEOF)
            #expect(try await reader.readline().isEmpty)
            #expect(try await reader.read().isEmpty)
        }
    }

    public func readuntilRespectsTheLimit(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let reader = StreamReader(limit: 4)
            reader.feedData(bytes("abcdefgh"))
            await #expect(throws: LimitOverrunError.self) { try await reader.readuntil(bytes("!")) }
            // The buffer is kept after an overrun.
            let got5 = try await reader.readexactly(3)
            #expect(got5 == bytes("abc"))
            reader.feedData(bytes("\nok\n"))
            await #expect(throws: ValueError.self) { try await reader.readline() }
            let got6 = try await reader.readline()
            #expect(got6 == bytes("ok\n"))
            await #expect(throws: ValueError.self) { try await reader.readuntil([]) }
        }
    }

    public func readWaitsForData(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let reader = StreamReader()
            try loop.callLater(0.002) { reader.feedData([1, 2, 3]) }
            let got7 = try await reader.read(10)
            #expect(got7 == [1, 2, 3])
            try loop.callSoon { reader.setException(TestError(tag: 5)) }
            await #expect(throws: TestError(tag: 5)) { try await reader.read(1) }
        }
    }

    public func connectionRefusedIsAnOSError(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            // Bind and close a server to find a port nobody listens on.
            let server = try await startServer(host: "127.0.0.1", port: 0) { _, writer in writer.close() }
            let port = server.port
            server.close()
            try await server.waitClosed()
            await #expect {
                try await openConnection(host: "127.0.0.1", port: port)
            } throws: { error in
                (error as? OSError)?.errno == ECONNREFUSED
            }
        }
    }

    public func streamWriterWriteAfterWriteEOFIsARuntimeError(_ factory: ConformanceLoop) throws {
        let (message, reply) = try factory.run { _ in
            let server = try await startServer(host: "127.0.0.1", port: 0, echoLines)
            let (reader, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
            try writer.write(bytes("last\n"))
            writer.writeEOF()
            var message = "no error"
            do { try writer.write(bytes("late\n")) } catch let error as RuntimeError { message = error.message }
            let reply = try await reader.read()
            writer.close()
            try await writer.waitClosed()
            server.close()
            try await server.waitClosed()
            return (message, reply)
        }
        #expect(message == "Cannot call write() after write_eof()")
        #expect(reply == bytes("last\n"))
    }

    public func serveForeverStopsWhenCancelled(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let server = try await startServer(host: "127.0.0.1", port: 0, echoLines)
            let serving = try loop.createTask { try await server.serveForever() }
            let (reader, writer) = try await openConnection(host: "127.0.0.1", port: server.port)
            try writer.write(bytes("ping\n"))
            let got8 = try await reader.readline()
            #expect(got8 == bytes("ping\n"))
            writer.close()
            try await writer.waitClosed()
            serving.cancel()
            await #expect(throws: CancelledError.self) { try await serving.value }
            #expect(!server.isServing)
        }
    }
}

/// Records protocol callbacks.
private final class RecordingProtocol: StreamProtocol {
    var events: [String] = []
    var received: [UInt8] = []
    var transport: (any Transport)?
    let lost: Future<Void>

    init(loop: any AbstractEventLoop) { lost = loop.createFuture(of: Void.self) }

    func connectionMade(_ transport: any Transport) {
        self.transport = transport
        events.append("made")
    }
    func dataReceived(_ data: [UInt8]) { received += data }
    func eofReceived() -> Bool {
        events.append("eof")
        return false
    }
    func connectionLost(_ error: (any Error)?) {
        transport = nil
        events.append(error == nil ? "lost" : "lost with error")
        if !lost.done { try? lost.setResult(()) }
    }
    func pauseWriting() { events.append("pause") }
    func resumeWriting() { events.append("resume") }
}

/// Echoes everything back and closes on EOF.
private final class EchoProtocol: StreamProtocol {
    var transport: (any Transport)?
    let lost: Future<Void>?

    init(loop: (any AbstractEventLoop)? = nil) { lost = loop?.createFuture(of: Void.self) }

    func connectionMade(_ transport: any Transport) { self.transport = transport }
    func dataReceived(_ data: [UInt8]) {
        // The echo never half-closes, so a write cannot fail; should one, the connection ends visibly.
        do { try transport?.write(data) } catch { transport?.abort() }
    }
    // The transport holds its protocol; let go of it so the pair can be freed.
    func connectionLost(_ error: (any Error)?) {
        transport = nil
        if let lost, !lost.done { try? lost.setResult(()) }
    }
}

public struct TransportConformance {
    public init() {}

    public func protocolCallbacksInOrder(_ factory: ConformanceLoop) throws {
        let events = try factory.run { loop in
            let server = try await loop.createServer({ EchoProtocol() }, host: "127.0.0.1", port: 0)
            let client = RecordingProtocol(loop: loop)
            let (transport, _) = try await loop.createConnection({ client }, host: "127.0.0.1", port: server.port)
            #expect(client.events == ["made"])
            let peer = try #require(transport.getExtraInfo("peername") as? (host: String, port: Int))
            #expect(peer.port == server.port && peer.host == "127.0.0.1")
            try transport.write(bytes("abc"))
            transport.writeEOF()
            try await client.lost.value
            #expect(client.received == bytes("abc"))
            server.close()
            try await server.waitClosed()
            return client.events
        }
        #expect(events == ["made", "eof", "lost"])
    }

    public func writingAfterWriteEOFIsARuntimeError(_ factory: ConformanceLoop) throws {
        // CPython: "Cannot call write() after write_eof()" (and writelines likewise), even for empty data;
        // the half-close itself goes through, and what was written before it arrives.
        let (messages, received, events) = try factory.run { loop in
            let sink = RecordingProtocol(loop: loop)
            let server = try await loop.createServer({ sink }, host: "127.0.0.1", port: 0)
            let client = RecordingProtocol(loop: loop)
            let (transport, _) = try await loop.createConnection({ client }, host: "127.0.0.1", port: server.port)
            try transport.write(bytes("abc"))
            transport.writeEOF()
            var messages: [String] = []
            for attempt in [{ try transport.write(bytes("late")) }, { try transport.write([]) },
                            { try transport.writelines([bytes("x")]) }, { try transport.writelines([]) }] {
                do { try attempt() } catch let error as RuntimeError { messages.append(error.message) }
            }
            try await sink.lost.value
            transport.close()
            try await client.lost.value
            server.close()
            try await server.waitClosed()
            return (messages, sink.received, sink.events)
        }
        #expect(
            messages == [
                "Cannot call write() after write_eof()", "Cannot call write() after write_eof()",
                "Cannot call writelines() after write_eof()", "Cannot call writelines() after write_eof()",
            ])
        #expect(received == bytes("abc"))
        #expect(events == ["made", "eof", "lost"])
    }

    public func writeBufferLimitsPauseAndResumeTheProtocol(_ factory: ConformanceLoop) throws {
        let events = try factory.run { loop in
            // A server that reads nothing until told to.
            let sink = RecordingProtocol(loop: loop)
            let server = try await loop.createServer({ sink }, host: "127.0.0.1", port: 0)
            let client = RecordingProtocol(loop: loop)
            let (transport, _) = try await loop.createConnection({ client }, host: "127.0.0.1", port: server.port)
            try transport.setWriteBufferLimits(high: 1024, low: 256)
            #expect(transport.getWriteBufferLimits() == (256, 1024))
            #expect(throws: ValueError.self) { try transport.setWriteBufferLimits(high: 1, low: 2) }
            try await Asyncio.sleep(0)
            sink.transport?.pauseReading()
            let chunk = [UInt8](repeating: 7, count: 64 * 1024)
            var rounds = 0
            while !client.events.contains("pause") && rounds < 1000 {
                try transport.write(chunk)
                rounds += 1
            }
            #expect(client.events.contains("pause"))
            #expect(transport.getWriteBufferSize() > 1024)
            sink.transport?.resumeReading()
            while !client.events.contains("resume") { try await Asyncio.sleep(0.001) }
            #expect(transport.getWriteBufferSize() <= 256)
            transport.close()
            try await client.lost.value
            sink.transport?.close()
            server.close()
            try await server.waitClosed()
            return client.events
        }
        #expect(events == ["made", "pause", "resume", "lost"])
    }

    public func writesAfterCloseAreDroppedAndWarnedAboutAfterAFew(_ factory: ConformanceLoop) throws {
        // CPython's socket transport drops writes once its connection is lost or closing with nothing buffered,
        // counting them, and logs "socket.send() raised exception." from the fifth on.
        let warnings = try factory.run { loop in
            let reports = Log<String>()
            loop.setExceptionHandler { _, context in reports(context.message) }
            let sink = RecordingProtocol(loop: loop)
            let server = try await loop.createServer({ sink }, host: "127.0.0.1", port: 0)
            let client = RecordingProtocol(loop: loop)
            let (transport, _) = try await loop.createConnection({ client }, host: "127.0.0.1", port: server.port)
            try transport.write(bytes("kept"))
            transport.close()
            for _ in 0..<4 { try transport.write(bytes("dropped")) }
            #expect(reports.items.isEmpty)
            try transport.write(bytes("dropped"))
            try transport.write(bytes("dropped"))
            try transport.write([])
            try await client.lost.value
            try await sink.lost.value
            #expect(sink.received == bytes("kept"))
            server.close()
            try await server.waitClosed()
            return reports.items
        }
        #expect(warnings == ["socket.send() raised exception.", "socket.send() raised exception."])
    }

    public func aSocketClosingWithBytesBufferedStillTakesWrites(_ factory: ConformanceLoop) throws {
        // CPython's socket transport only drops writes once the connection's loss is scheduled; while close()
        // waits for the buffer to drain, a write joins the buffer and is sent before connection_lost.
        let (received, expected) = try factory.run { loop in
            let sink = RecordingProtocol(loop: loop)
            let server = try await loop.createServer({ sink }, host: "127.0.0.1", port: 0)
            let client = RecordingProtocol(loop: loop)
            let (transport, _) = try await loop.createConnection({ client }, host: "127.0.0.1", port: server.port)
            try await Asyncio.sleep(0)
            sink.transport?.pauseReading()
            let chunk = [UInt8](repeating: 7, count: 64 * 1024)
            var sent: [UInt8] = []
            while transport.getWriteBufferSize() == 0 && sent.count < 64 * 1024 * 1024 {
                try transport.write(chunk)
                sent += chunk
            }
            transport.close()
            try transport.write(bytes("tail"))
            sink.transport?.resumeReading()
            try await client.lost.value
            try await sink.lost.value
            server.close()
            try await server.waitClosed()
            return (sink.received, sent + bytes("tail"))
        }
        #expect(received.count == expected.count)
        #expect(received.suffix(4) == bytes("tail")[...])
    }

    public func sockOperations(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let serverSide = EchoProtocol(loop: loop)
            let server = try await loop.createServer({ serverSide }, host: "127.0.0.1", port: 0)
            let info = try #require(try await loop.getaddrinfo("127.0.0.1", server.port).first)
            let fd = socket(info.family, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            try await loop.sockConnect(fd, info.address)
            try await loop.sockSendall(fd, bytes("xyz"))
            var got: [UInt8] = []
            while got.count < 3 { got += try await loop.sockRecv(fd, 16) }
            #expect(got == bytes("xyz"))
            close(fd)
            try await serverSide.lost?.value
            server.close()
            try await server.waitClosed()
        }
    }

    public func sockCallsRefuseBadArguments(_ factory: ConformanceLoop) throws {
        // CPython raises ValueError for a negative recv size; an empty address is no address. Neither may trap.
        try factory.run { loop in
            var fds: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            defer {
                close(fds[0])
                close(fds[1])
            }
            await #expect(throws: ValueError.self) { _ = try await loop.sockRecv(fds[0], -1) }
            await #expect(throws: ValueError.self) { try await loop.sockConnect(fds[0], []) }
        }
    }
}
