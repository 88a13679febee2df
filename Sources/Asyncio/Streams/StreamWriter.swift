/// Writing to a connection with flow control: CPython's `asyncio.StreamWriter`.
///
/// Flavor: sync (``write(_:)``, ``close()``); asyncio (``drain()``, ``waitClosed()``).
public final class StreamWriter {
    /// The underlying transport.
    public let transport: any Transport
    private let streamProtocol: StreamReaderProtocol
    private let reader: StreamReader?
    private let loop: any AbstractEventLoop

    /// Creates a writer over `transport`, paced by `protocol`.
    public init(
        transport: any Transport, protocol: StreamReaderProtocol, reader: StreamReader?, loop: any AbstractEventLoop
    ) {
        self.transport = transport
        streamProtocol = `protocol`
        self.reader = reader
        self.loop = loop
    }

    /// Queues `data` (never blocks; follow with ``drain()``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` after ``writeEOF()``, from the transport (as
    /// CPython's `StreamWriter.write`, which delegates).
    public func write(_ data: [UInt8]) throws { try transport.write(data) }

    /// Queues `pieces` in order.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` after ``writeEOF()``.
    public func writelines(_ pieces: [[UInt8]]) throws { try transport.writelines(pieces) }

    /// Closes the writing side after the buffer is flushed; later writes throw `RuntimeError`.
    ///
    /// Flavor: sync.
    public func writeEOF() { transport.writeEOF() }

    /// Whether ``writeEOF()`` is supported.
    public func canWriteEOF() -> Bool { transport.canWriteEOF() }

    /// Closes the transport (after flushing).
    ///
    /// Flavor: sync.
    public func close() { transport.close() }

    /// Whether the transport is closing.
    public var isClosing: Bool { transport.isClosing }

    /// Transport details (see ``Transport/getExtraInfo(_:)``).
    public func getExtraInfo(_ name: String) -> Any? { transport.getExtraInfo(name) }

    /// Waits until the write buffer is under the low-water mark.
    ///
    /// Flavor: asyncio. - Throws: the reader's error; `RuntimeError` "Connection lost"; ``CancelledError``.
    public func drain() async throws {
        _ = try TaskContext.require("Asyncio.StreamWriter.drain")
        if let error = reader?.exception() { throw error }
        if transport.isClosing {
            // Let connectionLost run, so that drain reports the lost connection.
            try await Asyncio.sleep(0)
        }
        try await streamProtocol.drainHelper()
    }

    /// Waits until the connection is closed.
    ///
    /// Flavor: asyncio. - Throws: the error that broke the connection, if any; ``CancelledError``.
    public func waitClosed() async throws {
        try await streamProtocol.closed.value
    }
}

/// Opens a TCP connection and returns a reader and a writer for it: `asyncio.open_connection`.
///
/// Flavor: asyncio. - Throws: `OSError` (for example connection refused); ``CancelledError``; `FlavorError`
/// outside a task.
public func openConnection(
    host: String, port: Int, limit: Int = StreamReader.defaultLimit
) async throws -> (StreamReader, StreamWriter) {
    let loop = try TaskContext.require("Asyncio.openConnection").core.loop
    let reader = StreamReader(limit: limit)
    let streamProtocol = StreamReaderProtocol(reader, loop: loop)
    let (transport, _) = try await loop.createConnection({ streamProtocol }, host: host, port: port)
    return (reader, StreamWriter(transport: transport, protocol: streamProtocol, reader: reader, loop: loop))
}

/// Starts a TCP server calling `handler` in a new task for each connection: `asyncio.start_server`.
///
/// Flavor: asyncio. - Throws: `OSError` (for example address in use); `FlavorError` outside a task.
public func startServer(
    host: String?, port: Int, limit: Int = StreamReader.defaultLimit,
    _ handler: @escaping (StreamReader, StreamWriter) async throws -> Void
) async throws -> Server {
    let loop = try TaskContext.require("Asyncio.startServer").core.loop
    return try await loop.createServer({
        StreamReaderProtocol(StreamReader(limit: limit), loop: loop, connected: handler)
    }, host: host, port: port)
}
