import AsyncHTTPClient
import NIOCore
import Testing
import Trio

/// Trio code calling a Hummingbird 2 server through AsyncHTTPClient, with the client's async API
/// inside `swiftAsTrio { }`: Trio's cancel scopes reach the request through `Task.cancel()`.
/// Deadlines here are small real timeouts: neither library runs on Trio's clock.
@Suite(.serialized) struct HTTPClientFromTrioTests {
    /// A client whose pool opens a connection per concurrent request (the default stops at 8).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    @Test func aSlowResponseUnderMoveOnAfterIsAbandonedAtTheDeadline() async throws {
        try await HummingbirdFixture.withServer { port, counts in
            let client = Self.makeClient()
            let (received, elapsed) = try await Trio.runAsync { () -> (Int?, Double) in
                let start = try currentTime()
                let received = try await moveOnAfter(0.3) {
                    try await swiftAsTrio { () -> Int in
                        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/slow")
                        let response = try await client.execute(request, timeout: .seconds(60))
                        // The body streams for 10 s: this is where the deadline finds the task.
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return body.readableBytes
                    }
                }
                return (received, try currentTime() - start)
            }
            // The Trio side: moveOnAfter returned nil at its deadline, not after the 10 s body.
            #expect(received == nil)
            #expect(elapsed >= 0.3)
            #expect(elapsed < 1.5, "moveOnAfter(0.3) returned after \(elapsed) s")
            // The server side: the body it was streaming failed to write, because the client closed
            // the connection; it did not run on to its end.
            try await waitUntil("the server sees the slow body abandoned") { counts.get().abandoned == 1 }
            #expect(counts.get().started == 1)
            #expect(counts.get().finished == 0)
            try await client.shutdown()
        }
    }

    @Test func oneFailureAmongAHundredRequestsCancelsTheRestAsOneExceptionGroup() async throws {
        let batch = 100
        let failing = 42
        try await HummingbirdFixture.withServer(failing: failing, batch: batch) { port, counts in
            let client = Self.makeClient()
            let completed = Shared(0)
            let start = ContinuousClock.now
            var caught: (any Error)?
            do {
                try await Trio.runAsync {
                    try await withNursery { nursery in
                        for index in 0..<batch {
                            try nursery.startSoon(name: "request \(index)") {
                                try await swiftAsTrio {
                                    let path = "/item/\(index)"
                                    let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                                    let response = try await client.execute(request, timeout: .seconds(60))
                                    guard response.status == .ok else {
                                        throw HTTPStatusError(path: path, status: response.status.code)
                                    }
                                    _ = try await response.body.collect(upTo: 1 << 20)
                                    completed.update { $0 += 1 }
                                }
                            }
                        }
                    }
                }
            } catch {
                caught = error
            }
            let elapsed = seconds(since: start)
            // One ExceptionGroup with the one real failure: the 99 cancelled requests were absorbed
            // by the nursery's cancellation, as Cancelled, and add nothing to it.
            let group = try #require(
                caught as? ExceptionGroup, "expected an ExceptionGroup, got \(String(describing: caught))")
            #expect(group.errors.count == 1)
            #expect(group.errors.first as? HTTPStatusError == HTTPStatusError(path: "/item/\(failing)", status: 500))
            #expect(completed.get() == 0)
            // Each body takes 10 s to stream: the batch ended long before any could finish.
            #expect(elapsed < 8, "the batch took \(elapsed) s")
            // Every other request had reached the server (the failing one waited for them), and the
            // server saw each of their bodies abandoned.
            #expect(counts.get().itemArrivals == batch)
            try await waitUntil("the server sees the 99 bodies abandoned") { counts.get().abandoned == batch - 1 }
            #expect(counts.get().finished == 0)
            try await client.shutdown()
        }
    }
}
