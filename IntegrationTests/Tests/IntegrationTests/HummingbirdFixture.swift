import Hummingbird
import Logging
import NIOCore
import Synchronization

/// What a Hummingbird server saw of its streaming responses.
struct StreamCounts: Sendable, Equatable {
    /// Responses whose body started streaming.
    var started = 0
    /// Bodies written to their end.
    var finished = 0
    /// Bodies whose writing failed because the client went away (the connection closed).
    var abandoned = 0
    /// Requests that reached the `/item` route.
    var itemArrivals = 0
}

/// A Hummingbird 2 server on a free port of 127.0.0.1, run by the test in a Swift task:
///
/// - `GET /slow`: answers 200 at once, then streams its body for 10 s (64 bytes every 50 ms);
/// - `GET /item/:n`: the same slow body, except for `n == failing`, which waits until every other
///   item request of the batch has arrived and then answers 500.
///
/// A streaming body shows from the server's side whether a client abandoned the request: the write
/// after the connection closed fails, and the route counts it as abandoned.
enum HummingbirdFixture {
    static func withServer<T: Sendable>(
        failing: Int = -1, batch: Int = 0, _ body: (_ port: Int, _ counts: Shared<StreamCounts>) async throws -> T
    ) async throws -> T {
        let counts = Shared(StreamCounts())
        let router = Router()
        router.get("slow") { _, _ -> Response in slowResponse(counts) }
        router.get("item/:n") { _, context -> Response in
            let n = try context.parameters.require("n", as: Int.self)
            counts.update { $0.itemArrivals += 1 }
            if n == failing {
                try await waitUntil("all \(batch) item requests arrive at the server") {
                    counts.get().itemArrivals >= batch
                }
                return Response(status: .internalServerError)
            }
            return slowResponse(counts)
        }
        var logger = Logger(label: "hummingbird-fixture")
        // The server's shutdown by cancellation at the end of each test logs an error of its own.
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw NeverHappened(what: "Hummingbird port") }
            do {
                let result = try await body(port, counts)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private static func slowResponse(_ counts: Shared<StreamCounts>) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain"],
            body: ResponseBody { writer in
                counts.update { $0.started += 1 }
                do {
                    for _ in 0..<200 {
                        try await writer.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: 64))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    try await writer.finish(nil)
                    counts.update { $0.finished += 1 }
                } catch {
                    counts.update { $0.abandoned += 1 }
                    throw error
                }
            })
    }
}
