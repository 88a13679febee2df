/// Buffered reading from a connection: CPython's `asyncio.StreamReader`, fed by ``StreamReaderProtocol``.
///
/// Flavor: asyncio (the `read…` methods, one waiting task at a time); `feed…` are sync and meant for protocols.
/// When more than twice ``limit`` bytes are buffered the transport's reading is paused.
public final class StreamReader {
    /// The default limit: 64 KiB.
    public static let defaultLimit = 64 * 1024

    /// The most bytes ``readline()``/``readuntil(_:)`` look through for a separator.
    public let limit: Int
    private var buffer: [UInt8] = []
    private var eof = false
    private var waiter: Future<Void>?
    private var failure: (any Error)?
    private var readingPaused = false
    weak var transport: (any Transport)?

    /// Creates a reader with `limit` (> 0).
    public init(limit: Int = StreamReader.defaultLimit) {
        self.limit = Swift.max(1, limit)
    }

    /// Whether the stream ended and the buffer is empty.
    public var atEOF: Bool { eof && buffer.isEmpty }

    /// The error set with ``setException(_:)``, if any.
    public func exception() -> (any Error)? { failure }

    // MARK: Feeding

    /// Appends `data` to the buffer and wakes the waiting reader.
    ///
    /// Flavor: sync.
    public func feedData(_ data: [UInt8]) {
        guard !data.isEmpty else { return }
        buffer.append(contentsOf: data)
        wakeWaiter()
        if let transport, !readingPaused, buffer.count > 2 * limit {
            transport.pauseReading()
            readingPaused = true
        }
    }

    /// Marks the end of the stream and wakes the waiting reader.
    ///
    /// Flavor: sync.
    public func feedEOF() {
        eof = true
        wakeWaiter()
    }

    /// Makes the next reads throw `error`.
    ///
    /// Flavor: sync.
    public func setException(_ error: any Error) {
        failure = error
        if let waiter, !waiter.done { try? waiter.setException(error) }
        waiter = nil
    }

    func setTransport(_ transport: any Transport) { self.transport = transport }

    private func wakeWaiter() {
        if let waiter { waiter.setOutcomeUnlessDone(.success(())) }
        waiter = nil
    }

    private func resumeTransportIfDrained() {
        if readingPaused && buffer.count <= limit {
            readingPaused = false
            transport?.resumeReading()
        }
    }

    private func waitForData(_ what: String) async throws {
        if waiter != nil {
            throw RuntimeError("\(what)() called while another task is already waiting for incoming data")
        }
        if readingPaused {
            readingPaused = false
            transport?.resumeReading()
        }
        let loop = try TaskContext.require("Asyncio.StreamReader.\(what)").core.loop
        let future = loop.createFuture(of: Void.self)
        waiter = future
        defer { if waiter === future { waiter = nil } }
        try await future.value
    }

    private func take(_ count: Int) -> [UInt8] {
        let chunk = Array(buffer[..<count])
        buffer.removeFirst(count)
        resumeTransportIfDrained()
        return chunk
    }

    // MARK: Reading

    /// Reads up to `count` bytes (at least one unless at EOF); `count < 0` reads to the end of the stream.
    ///
    /// Flavor: asyncio. - Throws: the error set by the protocol; ``CancelledError``.
    public func read(_ count: Int = -1) async throws -> [UInt8] {
        _ = try TaskContext.require("Asyncio.StreamReader.read")
        if let failure { throw failure }
        if count == 0 { return [] }
        if count < 0 {
            var all: [UInt8] = []
            while true {
                let block = try await read(limit)
                if block.isEmpty { return all }
                all += block
            }
        }
        if buffer.isEmpty && !eof { try await waitForData("read") }
        return take(Swift.min(count, buffer.count))
    }

    /// Reads one line, `\n` included; at EOF, what is left (possibly empty).
    ///
    /// Flavor: asyncio. - Throws: `ValueError` when a line exceeds ``limit`` (the line is dropped);
    /// ``CancelledError``.
    public func readline() async throws -> [UInt8] {
        do {
            return try await readuntil([10])
        } catch let error as IncompleteReadError {
            return error.partial
        } catch let error as LimitOverrunError {
            if buffer.count >= error.consumed + 1, buffer[error.consumed] == 10 {
                buffer.removeFirst(error.consumed + 1)
            } else {
                buffer.removeAll()
            }
            resumeTransportIfDrained()
            throw ValueError(error.message)
        }
    }

    /// Reads up to and including `separator`.
    ///
    /// Flavor: asyncio. - Throws: ``IncompleteReadError`` at EOF before the separator (the buffer is consumed);
    /// ``LimitOverrunError`` when the separator is not within ``limit`` bytes (the buffer is kept);
    /// `ValueError` for an empty separator; ``CancelledError``.
    public func readuntil(_ separator: [UInt8] = [10]) async throws -> [UInt8] {
        _ = try TaskContext.require("Asyncio.StreamReader.readuntil")
        guard !separator.isEmpty else { throw ValueError("Separator should be at least one-byte string") }
        if let failure { throw failure }
        var offset = 0
        var found: Int?
        while true {
            if buffer.count - offset >= separator.count {
                found = firstIndex(of: separator, from: offset)
                if found != nil { break }
                offset = buffer.count + 1 - separator.count
                if offset > limit {
                    throw LimitOverrunError("Separator is not found, and chunk exceed the limit", consumed: offset)
                }
            }
            if eof {
                let partial = buffer
                buffer.removeAll()
                throw IncompleteReadError(partial: partial, expected: nil)
            }
            try await waitForData("readuntil")
        }
        let end = found!
        if end > limit {
            throw LimitOverrunError("Separator is found, but chunk is longer than limit", consumed: end)
        }
        return take(end + separator.count)
    }

    /// Reads exactly `count` bytes.
    ///
    /// Flavor: asyncio. - Throws: ``IncompleteReadError`` when the stream ends first (the buffer is consumed);
    /// `ValueError` for a negative count; ``CancelledError``.
    public func readexactly(_ count: Int) async throws -> [UInt8] {
        _ = try TaskContext.require("Asyncio.StreamReader.readexactly")
        guard count >= 0 else { throw ValueError("readexactly size can not be less than zero") }
        if let failure { throw failure }
        if count == 0 { return [] }
        while buffer.count < count {
            if eof {
                let partial = buffer
                buffer.removeAll()
                throw IncompleteReadError(partial: partial, expected: count)
            }
            try await waitForData("readexactly")
        }
        return take(count)
    }

    private func firstIndex(of separator: [UInt8], from start: Int) -> Int? {
        let first = separator[0]
        var index = start
        let last = buffer.count - separator.count
        while index <= last {
            if buffer[index] == first && buffer[index..<(index + separator.count)].elementsEqual(separator) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StreamReader: AsyncSequence, AsyncIteratorProtocol {
    /// Lines, as ``readline()`` returns them.
    public typealias Element = [UInt8]

    /// The reader is its own iterator: `for try await line in reader`.
    public func makeAsyncIterator() -> StreamReader { self }

    /// The next line, or `nil` at EOF.
    ///
    /// Flavor: asyncio. - Throws: as ``readline()``.
    public func next() async throws -> [UInt8]? {
        let line = try await readline()
        return line.isEmpty ? nil : line
    }
}
