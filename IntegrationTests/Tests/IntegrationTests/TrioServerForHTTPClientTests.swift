import AsyncHTTPClient
import NIOCore
import Sniffio
import Testing
import Trio

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server written with Trio's `serveTCP`, answering AsyncHTTPClient. The server
/// runs in `Trio.runAsync` on a thread of its own while plain Swift code calls it; cancelling the
/// Swift task that awaits the run stops the server.
@Suite(.serialized) struct TrioServerForHTTPClientTests {
    /// Serves HTTP/1.1 on one connection: GET requests without a body, kept alive until the client
    /// closes. Each answer names the path and the async library the handler ran under.
    static func serveHTTP(_ stream: SocketStream, served: Shared<Int>) async throws {
        var buffer: [UInt8] = []
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            // Read up to the end of the request head.
            var headEnd: Int?
            while headEnd == nil {
                headEnd = buffer.firstRange(of: end)?.upperBound
                if headEnd != nil { break }
                let chunk = try await stream.receiveSome()
                if chunk.isEmpty { return }
                buffer += chunk
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            buffer.removeFirst(headEnd!)
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            let parts = requestLine.split(separator: " ")
            let closeAfter = head.lowercased().contains("connection: close")
            let (status, body): (String, String)
            if parts.count == 3, parts[0] == "GET" {
                let library = (try? currentAsyncLibrary()) ?? "none"
                (status, body) = ("200 OK", "hello from \(library) at \(parts[1])")
            } else {
                (status, body) = ("400 Bad Request", "bad request line: \(requestLine)")
            }
            let response =
                "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                + (closeAfter ? "Connection: close\r\n" : "") + "\r\n" + body
            try await stream.sendAll(Array(response.utf8))
            served.update { $0 += 1 }
            if closeAfter { return }
        }
    }

    @Test func asyncHTTPClientGetsAnswersFromATrioServer() async throws {
        let served = Shared(0)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ends only by cancellation of this Swift task: then CancellationError.
                try await Trio.runAsync {
                    try await withNursery { nursery in
                        let listeners = try await nursery.start { status in
                            try await serveTCP(port: 0, host: "127.0.0.1", taskStatus: status) { stream in
                                try await Self.serveHTTP(stream, served: served)
                            }
                        }
                        portSink.yield(listeners[0].localPort)
                        portSink.finish()
                    }
                }
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)

            // Twenty requests one after another (kept-alive connections), then twenty at once.
            for index in 0..<20 {
                let response = try await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/seq/\(index)"), timeout: .seconds(10))
                #expect(response.status == .ok)
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                #expect(body == "hello from trio at /seq/\(index)")
            }
            let bodies = try await withThrowingTaskGroup(of: String.self) { requests in
                for index in 0..<20 {
                    requests.addTask {
                        let response = try await client.execute(
                            HTTPClientRequest(url: "http://127.0.0.1:\(port)/par/\(index)"), timeout: .seconds(10))
                        return String(buffer: try await response.body.collect(upTo: 1 << 16))
                    }
                }
                return try await requests.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies == Set((0..<20).map { "hello from trio at /par/\($0)" }))
            #expect(served.get() == 40)
            try await client.shutdown()

            // Cancelling the Swift task cancels the Trio run: the server stops and closes its port.
            group.cancelAll()
            await #expect(throws: CancellationError.self) { try await group.next() }
            #expect(Self.connectRefused(port: port))
        }
    }

    /// Whether a TCP connect to 127.0.0.1:`port` is refused (nothing listens there any more).
    static func connectRefused(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc == -1 && errno == ECONNREFUSED
    }
}
