import TrioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A TCP (or pipe) transport driven by its loop's ``AbstractEventLoop/addReader(_:_:)`` and
/// ``AbstractEventLoop/addWriter(_:_:)``: CPython's `_SelectorSocketTransport` (and, for subprocess pipes,
/// its pipe transports).
///
/// Flavor: sync, loop thread only.
public final class SocketTransport: Transport {
    private static let maxReadSize = 256 * 1024
    /// From this many dropped writes on, each one is reported (CPython's `LOG_THRESHOLD_FOR_CONNLOST_WRITES`).
    private static let droppedWritesBeforeWarning = 5

    /// The loop driving the transport.
    public let loop: any AbstractEventLoop
    /// The protocol receiving the callbacks.
    public var protocolObject: any StreamProtocol
    private var fd: Int32
    private let isPipe: Bool
    private weak var server: Server?
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var closing = false
    private var eofWritten = false
    private var reading = true
    private var writingPaused = false
    private var lostScheduled = false
    // Writes dropped because the connection is gone (CPython counts them in `_conn_lost`).
    private var droppedWrites = 0
    private var highWater = 64 * 1024
    private var lowWater = 16 * 1024
    private var readBuffer: UnsafeMutableRawBufferPointer

    /// Wraps connected non-blocking socket `fd`; schedules `connectionMade`, starts reading, then completes
    /// `waiter` — in that order, as CPython.
    ///
    /// - Throws: `RuntimeError` when the loop is closed.
    init(
        loop: any AbstractEventLoop, fd: Int32, protocol: any StreamProtocol, server: Server? = nil,
        waiter: Future<Void>? = nil, isPipe: Bool = false, reading: Bool = true
    ) throws {
        self.loop = loop
        self.fd = fd
        self.isPipe = isPipe
        self.reading = reading
        protocolObject = `protocol`
        self.server = server
        readBuffer = .allocate(byteCount: Self.maxReadSize, alignment: 1)
        server?.attach()
        try loop.callSoon { [self] in protocolObject.connectionMade(self) }
        try loop.callSoon { [self] in
            if reading && !closing { try? loop.addReader(fd) { self.readReady() } }
        }
        if let waiter { try loop.callSoon { waiter.setOutcomeUnlessDone(.success(())) } }
    }

    deinit {
        readBuffer.deallocate()
        if fd >= 0 { Glibc.close(fd) }
    }

    // MARK: Reading

    private func readReady() {
        guard !closing || !lostScheduled else { return }
        let count: Int?
        do {
            count = try receiveSome(fd, into: readBuffer, isPipe: isPipe)
        } catch {
            fatalError(error)
            return
        }
        guard let count else { return }
        if count > 0 {
            protocolObject.dataReceived(Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])))
            return
        }
        _ = loop.removeReader(fd)
        if !protocolObject.eofReceived() || isPipe { close() }
    }

    /// Stops reading.
    public func pauseReading() {
        guard reading, !closing else { return }
        reading = false
        _ = loop.removeReader(fd)
    }

    /// Resumes reading.
    public func resumeReading() {
        guard !reading, !closing else { return }
        reading = true
        try? loop.addReader(fd) { self.readReady() }
    }

    /// Whether the transport is reading.
    public var isReading: Bool { reading && !closing }

    // MARK: Writing

    private var pendingCount: Int { buffer.count - bufferStart }

    /// Sends `data`, buffering what the socket does not take at once.
    ///
    /// As CPython's transports: once the connection is lost, or closing with nothing left to flush (a pipe: once
    /// closing at all), `data` is dropped; the fifth such write and every later one is reported to the loop's
    /// exception handler ("socket.send() raised exception."), so a few stray writes racing the close stay quiet
    /// while a writer that keeps going shows up. A socket closing with bytes still buffered takes the write: it
    /// is flushed before ``BaseProtocol/connectionLost(_:)``.
    ///
    /// - Throws: `RuntimeError` after ``writeEOF()`` on a socket, even for empty `data` (CPython's
    ///   "Cannot call write() after write_eof()"). A pipe has no half-close: its ``writeEOF()`` closes
    ///   it, and later writes are dropped as after ``close()``.
    public func write(_ data: [UInt8]) throws {
        try checkWritable("write")
        guard !data.isEmpty else { return }
        if lostScheduled || (isPipe && (closing || eofWritten)) {
            droppedWrites += 1
            if droppedWrites >= Self.droppedWritesBeforeWarning {
                let message = isPipe
                    ? "pipe closed by peer or os.write(pipe, data) raised exception."
                    : "socket.send() raised exception."
                loop.callExceptionHandler(ExceptionContext(message: message))
            }
            return
        }
        var sent = 0
        if pendingCount == 0 {
            do {
                sent = try data.withUnsafeBytes { try sendSome(fd, $0, isPipe: isPipe) }
            } catch {
                fatalError(error)
                return
            }
            if sent == data.count { return }
            try? loop.addWriter(fd) { self.writeReady() }
        }
        buffer.append(contentsOf: data[sent...])
        maybePauseProtocol()
    }

    private func writeReady() {
        let sent: Int
        do {
            sent = try buffer.withUnsafeBytes { raw in
                try sendSome(fd, UnsafeRawBufferPointer(rebasing: raw[bufferStart...]), isPipe: isPipe)
            }
        } catch {
            _ = loop.removeWriter(fd)
            buffer.removeAll()
            bufferStart = 0
            fatalError(error)
            return
        }
        bufferStart += sent
        if pendingCount == 0 {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
            _ = loop.removeWriter(fd)
            maybeResumeProtocol()
            if closing {
                scheduleConnectionLost(nil)
            } else if eofWritten {
                shutdownWriting()
            }
        } else {
            if bufferStart > buffer.count / 2 {
                buffer.removeFirst(bufferStart)
                bufferStart = 0
            }
            maybeResumeProtocol()
        }
    }

    /// Sends `pieces` in order (see ``write(_:)``).
    ///
    /// - Throws: `RuntimeError` after ``writeEOF()`` on a socket, even for no pieces.
    public func writelines(_ pieces: [[UInt8]]) throws {
        try checkWritable("writelines")
        for piece in pieces { try write(piece) }
    }

    private func checkWritable(_ api: String) throws {
        // A pipe's EOF is its close, which drops writes instead (CPython's pipe transports).
        if eofWritten && !isPipe { throw RuntimeError("Cannot call \(api)() after write_eof()") }
    }

    /// Closes the writing side after the buffer is flushed; later writes throw `RuntimeError`.
    public func writeEOF() {
        guard !closing, !eofWritten else { return }
        eofWritten = true
        if pendingCount == 0 { shutdownWriting() }
    }

    // A pipe has no half-close: its write end closes entirely.
    private func shutdownWriting() {
        if isPipe {
            close()
        } else {
            shutdown(fd, Int32(SHUT_WR))
        }
    }

    /// Always `true` for sockets.
    public func canWriteEOF() -> Bool { true }

    /// Bytes waiting in the write buffer.
    public func getWriteBufferSize() -> Int { pendingCount }

    /// Sets the water marks (see ``Transport/setWriteBufferLimits(high:low:)``).
    ///
    /// - Throws: `ValueError` unless `high >= low >= 0`.
    public func setWriteBufferLimits(high: Int? = nil, low: Int? = nil) throws {
        let newHigh = high ?? (low.map { $0 * 4 } ?? 64 * 1024)
        let newLow = low ?? newHigh / 4
        guard newHigh >= newLow, newLow >= 0 else {
            throw ValueError("high (\(newHigh)) must be >= low (\(newLow)) must be >= 0")
        }
        highWater = newHigh
        lowWater = newLow
        maybePauseProtocol()
    }

    /// The (low, high) water marks.
    public func getWriteBufferLimits() -> (low: Int, high: Int) { (lowWater, highWater) }

    private func maybePauseProtocol() {
        guard pendingCount > highWater, !writingPaused else { return }
        writingPaused = true
        protocolObject.pauseWriting()
    }

    private func maybeResumeProtocol() {
        guard writingPaused, pendingCount <= lowWater else { return }
        writingPaused = false
        protocolObject.resumeWriting()
    }

    // MARK: Closing

    /// Whether the transport is closing or closed.
    public var isClosing: Bool { closing }

    /// Stops reading and closes once the buffer is flushed.
    public func close() {
        guard !closing else { return }
        closing = true
        _ = loop.removeReader(fd)
        if pendingCount == 0 { scheduleConnectionLost(nil) }
    }

    /// Closes at once, dropping buffered data.
    public func abort() { forceClose(nil) }

    private func fatalError(_ error: any Error) {
        forceClose(error)
    }

    private func forceClose(_ error: (any Error)?) {
        if lostScheduled { return }
        buffer.removeAll()
        bufferStart = 0
        _ = loop.removeWriter(fd)
        if !closing {
            closing = true
            _ = loop.removeReader(fd)
        }
        scheduleConnectionLost(error)
    }

    private func scheduleConnectionLost(_ error: (any Error)?) {
        guard !lostScheduled else { return }
        lostScheduled = true
        _ = loop.removeWriter(fd)
        do {
            try loop.callSoon { [self] in
                protocolObject.connectionLost(error)
                releaseSocket()
            }
        } catch {
            releaseSocket()
        }
    }

    private func releaseSocket() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        server?.detach()
        server = nil
    }

    // MARK: Extra info

    /// `"peername"`, `"sockname"` (a `(host: String, port: Int)`) or `"socket"` (the descriptor).
    public func getExtraInfo(_ name: String) -> Any? {
        switch name {
        case "socket": fd >= 0 ? fd : nil
        case "peername": socketName(fd, peer: true)
        case "sockname": socketName(fd, peer: false)
        default: nil
        }
    }
}
