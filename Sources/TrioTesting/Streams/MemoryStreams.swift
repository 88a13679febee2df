import Trio

/// An unbounded byte buffer that one task at a time may wait on (Trio's `_UnboundedByteQueue`).
final class UnboundedByteQueue {
    private var data: [UInt8] = []
    private(set) var closed = false
    private let lot = ParkingLot()
    private var fetching = ConflictDetector("another task is already fetching data")

    func put(_ bytes: [UInt8]) throws {
        if closed { throw ClosedResourceError("virtual connection closed") }
        data += bytes
        lot.unparkAll()
    }

    func close() {
        closed = true
        lot.unparkAll()
    }

    func closeAndWipe() {
        data = []
        close()
    }

    private func take(_ maxBytes: Int?) -> [UInt8] {
        let count = min(maxBytes ?? data.count, data.count)
        let chunk = Array(data.prefix(count))
        data.removeFirst(count)
        return chunk
    }

    func getNowait(_ maxBytes: Int?) throws -> [UInt8] {
        try fetching.enter()
        defer { fetching.exit() }
        try validateMaxBytes(maxBytes)
        if !closed && data.isEmpty { throw WouldBlock() }
        return take(maxBytes)
    }

    func get(_ maxBytes: Int?) async throws -> [UInt8] {
        try fetching.enter()
        defer { fetching.exit() }
        try validateMaxBytes(maxBytes)
        if !closed && data.isEmpty {
            try await lot.park()
        } else {
            await Lowlevel.cancelShieldedCheckpoint()
        }
        return take(maxBytes)
    }
}

/// An in-memory `Trio.SendStream` for tests (Trio's `MemorySendStream`): data sent into it waits
/// in a buffer until the test (or a pump) takes it with ``getData(maxBytes:)``. Flavor: Trio.
///
/// Hooks let a test react to each operation: `sendAllHook` runs after data is queued,
/// `waitSendAllMightNotBlockHook` after that call, `closeHook` when the stream is closed.
public final class MemorySendStream: SendStream {
    private var conflicts = ConflictDetector("another task is using this stream")
    private let outgoing = UnboundedByteQueue()
    /// Called (awaited) at the end of each ``sendAll(_:)``.
    public var sendAllHook: (() async throws -> Void)?
    /// Called (awaited) at the end of each ``waitSendAllMightNotBlock()``.
    public var waitSendAllMightNotBlockHook: (() async throws -> Void)?
    /// Called when the stream is closed.
    public var closeHook: (() -> Void)?

    /// Creates an empty stream with the given hooks. Flavor: sync.
    public init(
        sendAllHook: (() async throws -> Void)? = nil, waitSendAllMightNotBlockHook: (() async throws -> Void)? = nil,
        closeHook: (() -> Void)? = nil
    ) {
        self.sendAllHook = sendAllHook
        self.waitSendAllMightNotBlockHook = waitSendAllMightNotBlockHook
        self.closeHook = closeHook
    }

    /// Appends `data` to the outgoing buffer, then runs the hook. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Trio.BusyResourceError`; `Trio.ClosedResourceError` after close; the hook's errors.
    public func sendAll(_ data: [UInt8]) async throws {
        try conflicts.enter()
        defer { conflicts.exit() }
        // Two checkpoints, so that tests see both a cancel point and a schedule point.
        try await checkpoint()
        try await checkpoint()
        try outgoing.put(data)
        if let sendAllHook { try await sendAllHook() }
    }

    /// Never blocks for lack of room; runs the hook. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Trio.BusyResourceError`; `Trio.ClosedResourceError` after close; the hook's errors.
    public func waitSendAllMightNotBlock() async throws {
        try conflicts.enter()
        defer { conflicts.exit() }
        try await checkpoint()
        try await checkpoint()
        // Only for the closed check.
        try outgoing.put([])
        if let waitSendAllMightNotBlockHook { try await waitSendAllMightNotBlockHook() }
    }

    /// Closes the stream: later sends fail and readers of the buffer see end of file.
    /// Flavor: sync.
    public func close() {
        outgoing.close()
        closeHook?()
    }

    /// ``close()``, then a checkpoint. Flavor: Trio.
    ///
    /// - Throws: `Trio.Cancelled` (after closing).
    public func aclose() async throws {
        close()
        try await checkpoint()
    }

    /// Takes up to `maxBytes` (all, for `nil`) of the sent data, waiting for some if there is
    /// none; `[]` once closed and drained. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Trio.BusyResourceError` for two concurrent readers; `Trio.ValueError`; `Trio.Cancelled`.
    public func getData(maxBytes: Int? = nil) async throws -> [UInt8] { try await outgoing.get(maxBytes) }

    /// Takes up to `maxBytes` of the sent data without waiting. Flavor: sync.
    ///
    /// - Throws: `Trio.WouldBlock` if there is none yet (and the stream is open); `Trio.ValueError`.
    public func getDataNowait(maxBytes: Int? = nil) throws -> [UInt8] { try outgoing.getNowait(maxBytes) }
}

/// An in-memory `Trio.ReceiveStream` for tests (Trio's `MemoryReceiveStream`): the test feeds it
/// with ``putData(_:)`` and ``putEOF()``. Flavor: Trio.
public final class MemoryReceiveStream: ReceiveStream {
    private var conflicts = ConflictDetector("another task is using this stream")
    private let incoming = UnboundedByteQueue()
    private var closed = false
    /// Called (awaited) at the start of each ``receiveSome(maxBytes:)``, before waiting for data.
    public var receiveSomeHook: (() async throws -> Void)?
    /// Called when the stream is closed.
    public var closeHook: (() -> Void)?

    /// Creates an empty stream with the given hooks. Flavor: sync.
    public init(receiveSomeHook: (() async throws -> Void)? = nil, closeHook: (() -> Void)? = nil) {
        self.receiveSomeHook = receiveSomeHook
        self.closeHook = closeHook
    }

    /// Waits for data put into the stream and returns up to `maxBytes` of it (all for `nil`);
    /// `[]` after ``putEOF()``. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Trio.BusyResourceError`; `Trio.ValueError`; `Trio.ClosedResourceError` if the stream
    ///   is or gets closed; `Trio.Cancelled`; the hook's errors.
    public func receiveSome(maxBytes: Int? = nil) async throws -> [UInt8] {
        try conflicts.enter()
        defer { conflicts.exit() }
        try await checkpoint()
        try await checkpoint()
        if closed { throw ClosedResourceError("file was already closed") }
        try validateMaxBytes(maxBytes)
        if let receiveSomeHook { try await receiveSomeHook() }
        let data = try await incoming.get(maxBytes)
        if closed { throw ClosedResourceError("received after close") }
        return data
    }

    /// Closes the stream, discarding buffered data and waking a blocked receiver with
    /// `Trio.ClosedResourceError`. Flavor: sync.
    public func close() {
        closed = true
        incoming.closeAndWipe()
        closeHook?()
    }

    /// ``close()``, then a checkpoint. Flavor: Trio.
    ///
    /// - Throws: `Trio.Cancelled` (after closing).
    public func aclose() async throws {
        close()
        try await checkpoint()
    }

    /// Adds `data` for receivers. Flavor: sync.
    ///
    /// - Throws: `Trio.ClosedResourceError` after ``putEOF()`` or ``close()``.
    public func putData(_ data: [UInt8]) throws { try incoming.put(data) }

    /// Marks end of file: receivers get the remaining data, then `[]`. Flavor: sync.
    public func putEOF() { incoming.close() }
}

/// Moves data from `sendStream`'s buffer to `receiveStream` without waiting (Trio's
/// `memory_stream_pump`); passes end of file along. Flavor: sync.
///
/// - Returns: whether anything (data or EOF) was moved.
/// - Throws: `Trio.BrokenResourceError` if the receive stream was closed.
@discardableResult
public func memoryStreamPump(
    _ sendStream: MemorySendStream, _ receiveStream: MemoryReceiveStream, maxBytes: Int? = nil
) throws -> Bool {
    let data: [UInt8]
    do {
        data = try sendStream.getDataNowait(maxBytes: maxBytes)
    } catch is WouldBlock {
        return false
    }
    do {
        if data.isEmpty { receiveStream.putEOF() } else { try receiveStream.putData(data) }
    } catch is ClosedResourceError {
        throw BrokenResourceError("MemoryReceiveStream was closed")
    }
    return true
}

/// A connected one-way pair of memory streams with unlimited buffering (Trio's
/// `memory_stream_one_way_pair`): every send is pumped to the receive side at once, so sends
/// never block. Flavor: sync.
public func memoryStreamOneWayPair() -> (MemorySendStream, MemoryReceiveStream) {
    let sendStream = MemorySendStream()
    let receiveStream = MemoryReceiveStream()
    // The send stream's hooks hold the receive stream, and the send stream only weakly.
    let pump = { [weak sendStream] in
        guard let sendStream else { return }
        _ = try memoryStreamPump(sendStream, receiveStream)
    }
    sendStream.sendAllHook = { try pump() }
    sendStream.closeHook = { try? pump() }
    return (sendStream, receiveStream)
}

/// A connected two-way pair of memory streams with unlimited buffering (Trio's
/// `memory_stream_pair`), each a `Trio.StapledStream` of two one-way pairs. Flavor: sync.
public func memoryStreamPair() -> (any ByteStream, any ByteStream) {
    let (send1, receive1) = memoryStreamOneWayPair()
    let (send2, receive2) = memoryStreamOneWayPair()
    return (
        StapledStream(sendStream: send1, receiveStream: receive2),
        StapledStream(sendStream: send2, receiveStream: receive1)
    )
}
