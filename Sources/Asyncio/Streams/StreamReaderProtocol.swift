/// The protocol that feeds a ``StreamReader`` and paces a ``StreamWriter``: CPython's
/// `asyncio.StreamReaderProtocol` (with its flow-control mixin).
///
/// Flavor: sync callbacks; ``drainHelper()`` is asyncio-flavored.
public final class StreamReaderProtocol: StreamProtocol {
    /// The reader being fed.
    public let reader: StreamReader
    private let loop: any AbstractEventLoop
    private let connected: ((StreamReader, StreamWriter) async throws -> Void)?
    private var writingPaused = false
    private var lost = false
    private var drainWaiters: [Future<Void>] = []
    let closed: Future<Void>
    private var handlerTask: AsyncioTask<Void>?

    /// Creates the protocol; with `connected`, each connection starts a task running it (`startServer`).
    public init(
        _ reader: StreamReader, loop: any AbstractEventLoop,
        connected: ((StreamReader, StreamWriter) async throws -> Void)? = nil
    ) {
        self.reader = reader
        self.loop = loop
        self.connected = connected
        closed = loop.createFuture(of: Void.self)
        closed.silenceUnretrievedReport()
    }

    /// Hands the transport to the reader and starts the connection handler, if any.
    public func connectionMade(_ transport: any Transport) {
        reader.setTransport(transport)
        guard let connected else { return }
        let writer = StreamWriter(transport: transport, protocol: self, reader: reader, loop: loop)
        let reader = reader
        handlerTask = try? loop.createTask(name: nil) {
            try await connected(reader, writer)
        }
        handlerTask?.addDoneCallback { [weak self] task in
            if let error = try? task.exception() {
                self?.loop.callExceptionHandler(ExceptionContext(
                    message: "Unhandled exception in client_connected_cb", error: error, future: task
                ))
                transport.close()
            }
            self?.handlerTask = nil
        }
    }

    /// Feeds EOF (or the error) to the reader and fails pending drains.
    public func connectionLost(_ error: (any Error)?) {
        if let error {
            reader.setException(error)
            try? closed.setException(error)
        } else {
            reader.feedEOF()
            closed.setOutcomeUnlessDone(.success(()))
        }
        lost = true
        wakeDrainWaiters(error ?? RuntimeError("Connection lost"))
    }

    /// Feeds the bytes to the reader.
    public func dataReceived(_ data: [UInt8]) { reader.feedData(data) }

    /// Feeds EOF to the reader and keeps the transport half-open (the writer closes it).
    public func eofReceived() -> Bool {
        reader.feedEOF()
        return true
    }

    /// Marks writing paused: ``drainHelper()`` waits.
    public func pauseWriting() { writingPaused = true }

    /// Marks writing resumed and wakes drains.
    public func resumeWriting() {
        writingPaused = false
        wakeDrainWaiters(nil)
    }

    private func wakeDrainWaiters(_ error: (any Error)?) {
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters where !waiter.done {
            if let error { try? waiter.setException(error) } else { waiter.setOutcomeUnlessDone(.success(())) }
        }
    }

    /// Waits while writing is paused.
    ///
    /// Flavor: asyncio. - Throws: `RuntimeError` "Connection lost" once the connection is gone.
    public func drainHelper() async throws {
        if lost { throw RuntimeError("Connection lost") }
        guard writingPaused else { return }
        let waiter = loop.createFuture(of: Void.self)
        drainWaiters.append(waiter)
        try await waiter.value
    }
}
