#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets accepting connections for a protocol factory: CPython's `asyncio.Server`
/// (from ``AbstractEventLoop/createServer(_:host:port:backlog:startServing:)`` and
/// ``startServer(host:port:limit:_:)``).
///
/// Flavor: sync methods; ``waitClosed()`` and ``serveForever()`` are asyncio-flavored.
public final class Server {
    /// The loop the server runs on.
    public let loop: any AbstractEventLoop
    private var listeningSockets: [Int32]?
    private let factory: () -> any StreamProtocol
    private let backlog: Int
    private var serving = false
    private var activeConnections = 0
    private var closeWaiters: [Future<Void>] = []
    private var foreverFuture: Future<Void>?

    init(loop: any AbstractEventLoop, sockets: [Int32], backlog: Int, factory: @escaping () -> any StreamProtocol) {
        self.loop = loop
        listeningSockets = sockets
        self.backlog = backlog
        self.factory = factory
    }

    deinit {
        for fd in listeningSockets ?? [] { Glibc.close(fd) }
    }

    /// The listening descriptors (empty once closed).
    public var sockets: [Int32] { listeningSockets ?? [] }

    /// The port of the first listening socket (0 once closed).
    public var port: Int {
        sockets.first.flatMap { socketName($0, peer: false)?.port } ?? 0
    }

    /// Whether the server accepts connections.
    public var isServing: Bool { serving }

    /// Starts accepting connections (done by default when the server is created).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when the loop is closed.
    public func startServing() throws {
        guard !serving, let sockets = listeningSockets else { return }
        serving = true
        for fd in sockets {
            try loop.addReader(fd) { self.acceptConnections(on: fd) }
        }
    }

    private func acceptConnections(on fd: Int32) {
        for _ in 0..<backlog {
            let client: Int32?
            do {
                client = try acceptIgnoringAborted(fd)
            } catch let error as OSError where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errno) {
                // Out of descriptors: stop accepting for a moment instead of spinning.
                loop.callExceptionHandler(ExceptionContext(message: "socket.accept() out of system resource",
                                                           error: error))
                _ = loop.removeReader(fd)
                _ = try? loop.callLater(1) { [weak self] in
                    guard let self, self.serving else { return }
                    try? self.loop.addReader(fd) { self.acceptConnections(on: fd) }
                }
                return
            } catch {
                return
            }
            guard let client else { return }
            setNoDelay(client)
            do {
                _ = try SocketTransport(loop: loop, fd: client, protocol: factory(), server: self)
            } catch {
                Glibc.close(client)
            }
        }
    }

    func attach() { activeConnections += 1 }

    func detach() {
        activeConnections -= 1
        if activeConnections == 0 && listeningSockets == nil { wakeCloseWaiters() }
    }

    private func wakeCloseWaiters() {
        let waiters = closeWaiters
        closeWaiters = []
        for waiter in waiters { waiter.setOutcomeUnlessDone(.success(())) }
    }

    /// Stops listening and closes the listening sockets; connections already accepted stay open.
    ///
    /// Flavor: sync.
    public func close() {
        guard let sockets = listeningSockets else { return }
        listeningSockets = nil
        for fd in sockets {
            _ = loop.removeReader(fd)
            Glibc.close(fd)
        }
        serving = false
        foreverFuture?.cancel()
        if activeConnections == 0 { wakeCloseWaiters() }
    }

    /// Waits until the server is closed and its connections are gone.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError``; `FlavorError` outside a task.
    public func waitClosed() async throws {
        if listeningSockets == nil && activeConnections == 0 { return }
        let waiter = loop.createFuture(of: Void.self)
        closeWaiters.append(waiter)
        try await waiter.value
    }

    /// Accepts connections until the calling task is cancelled, then closes the server and waits for it.
    ///
    /// Flavor: asyncio. - Throws: ``CancelledError`` (after closing); `RuntimeError` when already serving
    /// forever or closed.
    public func serveForever() async throws {
        guard foreverFuture == nil else { throw RuntimeError("server is already being awaited on serveForever()") }
        guard listeningSockets != nil else { throw RuntimeError("server is closed") }
        try startServing()
        let forever = loop.createFuture(of: Void.self)
        foreverFuture = forever
        defer { foreverFuture = nil }
        do {
            try await forever.value
        } catch {
            close()
            try? await waitClosed()
            throw error
        }
    }
}

extension Server: AsyncContextManager {
    /// Returns the server (``AsyncContextManager``).
    public func aenter() async throws -> Server { self }

    /// Closes the server and waits for it; never swallows the error.
    public func aexit(_ error: (any Error)?) async throws -> Bool {
        close()
        try await waitClosed()
        return false
    }
}
