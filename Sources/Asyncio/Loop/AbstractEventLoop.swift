/// An asyncio event loop: CPython's `AbstractEventLoop` as a Swift protocol.
///
/// Everything above the loop — ``Future``, ``AsyncioTask``, ``sleep(_:)``, ``gather(_:)->[T]``, the sync
/// primitives, queues, transports and streams — uses only these requirements, so any conforming loop
/// (``SelectorEventLoop``, or a loop running on another runtime) runs all of it unchanged.
///
/// A loop is also a `TaskExecutor`: its `enqueue` puts a Swift job in the same ready queue as
/// ``callSoon(_:)``. ``AsyncioTask``s prefer their loop as executor, so each step of a task is one callback,
/// FIFO with the plain ones.
///
/// Methods without `Threadsafe` in their name must be called on the loop's thread.
public protocol AbstractEventLoop: TaskExecutor {
    // MARK: Scheduling

    /// Schedules `callback` to run on the next loop iteration, after the callbacks already scheduled.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    func callSoon(_ callback: @escaping () -> Void) throws -> Handle

    /// ``callSoon(_:)`` callable from any thread; wakes the loop.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    @discardableResult
    func callSoonThreadsafe(_ callback: @escaping @Sendable () -> Void) throws -> Handle

    /// Schedules `callback` at `delay` seconds from ``time()``.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `ValueError` when `delay` is NaN.
    @discardableResult
    func callLater(_ delay: Double, _ callback: @escaping () -> Void) throws -> TimerHandle

    /// Schedules `callback` at loop time `when`. Callbacks due at the same time run in scheduling order.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed"; `ValueError` when `when` is NaN.
    @discardableResult
    func callAt(_ when: Double, _ callback: @escaping () -> Void) throws -> TimerHandle

    /// The loop's clock, in seconds (monotonic).
    func time() -> Double

    // MARK: Futures and tasks

    /// A new pending future bound to this loop.
    func createFuture<T>(of type: T.Type) -> Future<T>

    /// Starts `body` as an ``AsyncioTask`` on this loop; its first step runs from the ready queue.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    func createTask<T>(name: String?, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T>

    /// Runs `function` on `executor` (the loop's default ``ThreadPoolExecutor`` when `nil`); the returned
    /// future completes on the loop thread. Cancelling that future keeps a call that has not started from ever
    /// running; a call already running finishes and its outcome is dropped (see ``submitWork(to:on:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    func runInExecutor<T: Sendable>(
        _ executor: (any ConcurrentExecutor)?, _ function: @escaping @Sendable () throws -> T
    ) throws -> Future<T>

    // MARK: File descriptors and signals

    /// Calls `callback` on every iteration in which `fd` is readable; replaces an earlier reader of `fd`.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed, `OSError` when `fd` cannot be watched.
    func addReader(_ fd: Int32, _ callback: @escaping () -> Void) throws
    /// Stops watching `fd` for reading; `false` when it was not watched.
    func removeReader(_ fd: Int32) -> Bool
    /// Calls `callback` on every iteration in which `fd` is writable; replaces an earlier writer of `fd`.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when closed, `OSError` when `fd` cannot be watched.
    func addWriter(_ fd: Int32, _ callback: @escaping () -> Void) throws
    /// Stops watching `fd` for writing; `false` when it was not watched.
    func removeWriter(_ fd: Int32) -> Bool

    /// Calls `callback` on the loop thread whenever signal `signal` arrives; replaces an earlier handler.
    ///
    /// Flavor: sync. - Throws: `ValueError` for SIGKILL/SIGSTOP or an invalid number, `RuntimeError` when
    /// closed.
    func addSignalHandler(_ signal: Int32, _ callback: @escaping () -> Void) throws
    /// Removes the handler of `signal`; `false` when there was none. The process gets its previous disposition
    /// back once nothing else in the package (another loop, a Trio run) handles the signal.
    func removeSignalHandler(_ signal: Int32) -> Bool

    // MARK: Errors

    /// Installs `handler` as the exception handler (`nil`: the default one, which logs to stderr).
    func setExceptionHandler(_ handler: ExceptionHandler?)
    /// The custom exception handler, if one is installed.
    func getExceptionHandler() -> ExceptionHandler?
    /// Reports `context` to the exception handler.
    func callExceptionHandler(_ context: ExceptionContext)

    // MARK: Running

    /// Runs the loop until `future` is done and returns its result.
    ///
    /// Flavor: sync, blocking. - Throws: the future's error, ``CancelledError`` when it was cancelled,
    /// `RuntimeError` when the loop is closed or already running, or stopped before the future completed.
    func runUntilComplete<T>(_ future: Future<T>) throws -> T
    /// Runs the loop until ``stop()`` is called.
    ///
    /// Flavor: sync, blocking. - Throws: `RuntimeError` when the loop is closed or already running.
    func runForever() throws
    /// Stops the loop after the iteration now running (or the next one, if it is not running).
    func stop()
    /// Closes the loop: pending callbacks are dropped, the default executor is shut down.
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Cannot close a running event loop".
    func close() throws
    /// Whether the loop is running.
    var isRunning: Bool { get }
    /// Whether ``close()`` was called.
    var isClosed: Bool { get }
    /// Debug mode: extra checks (wrong-thread calls) and slow-callback warnings.
    var debug: Bool { get set }

    // MARK: Sockets, transports and servers (default implementations on top of addReader/addWriter)

    /// Resolves `host`/`port` for TCP: `loop.getaddrinfo`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`.
    func getaddrinfo(_ host: String?, _ port: Int) async throws -> [AddressInfo]
    /// Connects non-blocking socket `fd` to raw `sockaddr` bytes: `loop.sock_connect`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    func sockConnect(_ fd: Int32, _ address: [UInt8]) async throws
    /// Accepts a connection on listening socket `fd`: `loop.sock_accept`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    func sockAccept(_ fd: Int32) async throws -> Int32
    /// Receives up to `maxBytes` (`[]` at EOF): `loop.sock_recv`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    func sockRecv(_ fd: Int32, _ maxBytes: Int) async throws -> [UInt8]
    /// Sends all of `data`: `loop.sock_sendall`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    func sockSendall(_ fd: Int32, _ data: [UInt8]) async throws
    /// Opens a TCP connection and wires a protocol from `factory` to it: `loop.create_connection`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`; ``CancelledError``.
    func createConnection(
        _ factory: @escaping () -> any StreamProtocol, host: String, port: Int
    ) async throws -> (any Transport, any StreamProtocol)
    /// Listens on `host`:`port` and serves each connection with a protocol from `factory`: `loop.create_server`.
    ///
    /// Flavor: asyncio. - Throws: `OSError`.
    func createServer(
        _ factory: @escaping () -> any StreamProtocol, host: String?, port: Int, backlog: Int, startServing: Bool
    ) async throws -> Server

    // MARK: Subprocesses

    /// Starts `program` with `arguments` and wires its pipes to a ``SubprocessProtocol``: `loop.subprocess_exec`.
    ///
    /// Flavor: asyncio. - Throws: `OSError` when the process cannot be started.
    func subprocessExec(
        _ factory: @escaping () -> any SubprocessProtocol, _ program: String, _ arguments: [String],
        stdin: PipeOption, stdout: PipeOption, stderr: PipeOption
    ) async throws -> (SubprocessTransport, any SubprocessProtocol)

    /// Waits for the default executor's threads to finish.
    ///
    /// Flavor: asyncio.
    func shutdownDefaultExecutor() async throws
}

extension AbstractEventLoop {
    /// A new pending future bound to this loop (``Future/init(loop:)``).
    public func createFuture<T>(of type: T.Type = T.self) -> Future<T> {
        Future(loop: self)
    }

    /// Starts `body` as an ``AsyncioTask`` on this loop (``AsyncioTask/init(loop:name:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` "Event loop is closed".
    public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
        guard !isClosed else { throw RuntimeError.loopClosed }
        return AsyncioTask(loop: self, name: name, body)
    }

    /// ``callAt(_:_:)`` at ``time()`` + `delay`.
    @discardableResult
    public func callLater(_ delay: Double, _ callback: @escaping () -> Void) throws -> TimerHandle {
        // As CPython 3.13's sleep(): a NaN delay is refused rather than scheduled at a time that never comes.
        if delay.isNaN { throw ValueError("Invalid delay: NaN (not a number)") }
        return try callAt(time() + delay, callback)
    }

    /// Reports `context` to the custom handler, or logs it to stderr.
    public func callExceptionHandler(_ context: ExceptionContext) {
        if let handler = getExceptionHandler() {
            handler(self, context)
        } else {
            logExceptionContext(context)
        }
    }
}
