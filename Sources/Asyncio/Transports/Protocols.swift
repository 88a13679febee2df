/// Callbacks every protocol receives from its transport: CPython's `asyncio.BaseProtocol`.
///
/// Flavor: sync callbacks, called on the loop thread. All have empty defaults. The transport keeps its
/// protocol alive; a protocol that stores the transport should drop it in ``connectionLost(_:)``.
public protocol BaseProtocol: AnyObject {
    /// The connection is up; `transport` is how to write and close.
    func connectionMade(_ transport: any Transport)
    /// The connection is closed; `error` is `nil` for a regular close or EOF.
    func connectionLost(_ error: (any Error)?)
    /// The transport's write buffer went over its high-water mark: stop writing.
    func pauseWriting()
    /// The write buffer drained under the low-water mark: writing may go on.
    func resumeWriting()
}

/// The protocol of a byte stream: CPython's `asyncio.Protocol`.
///
/// Flavor: sync callbacks, called on the loop thread.
public protocol StreamProtocol: BaseProtocol {
    /// Bytes arrived.
    func dataReceived(_ data: [UInt8])
    /// The peer closed its writing side. Return `true` to keep the transport open (half-closed), `false` to let
    /// it close.
    func eofReceived() -> Bool
}

extension BaseProtocol {
    /// Does nothing.
    public func connectionMade(_ transport: any Transport) {}
    /// Does nothing.
    public func connectionLost(_ error: (any Error)?) {}
    /// Does nothing.
    public func pauseWriting() {}
    /// Does nothing.
    public func resumeWriting() {}
}

extension StreamProtocol {
    /// Does nothing.
    public func dataReceived(_ data: [UInt8]) {}
    /// Returns `false`: the transport closes itself.
    public func eofReceived() -> Bool { false }
}

/// A bidirectional byte-stream transport: CPython's `asyncio.Transport`.
///
/// Flavor: sync, loop thread only. Writes never block: bytes the socket does not take at once are buffered,
/// and the protocol's ``BaseProtocol/pauseWriting()`` is called when the buffer passes the high-water mark.
public protocol Transport: AnyObject {
    /// Queues `data` for sending (sending what it can at once).
    ///
    /// - Throws: `RuntimeError` after ``writeEOF()`` ("Cannot call write() after write_eof()"), as
    ///   CPython's transports raise.
    func write(_ data: [UInt8]) throws
    /// Sends `data` pieces in order.
    ///
    /// - Throws: as ``write(_:)``.
    func writelines(_ pieces: [[UInt8]]) throws
    /// Closes the writing side once the buffer is flushed; later writes throw.
    func writeEOF()
    /// Whether ``writeEOF()`` is supported.
    func canWriteEOF() -> Bool
    /// Closes after flushing the buffer; the protocol's ``BaseProtocol/connectionLost(_:)`` follows.
    func close()
    /// Closes at once, dropping the buffer.
    func abort()
    /// Whether ``close()`` or ``abort()`` was called (or the connection was lost).
    var isClosing: Bool { get }
    /// Stops calling ``StreamProtocol/dataReceived(_:)`` until ``resumeReading()``.
    func pauseReading()
    /// Resumes reading.
    func resumeReading()
    /// Whether the transport is reading.
    var isReading: Bool { get }
    /// How many bytes wait in the write buffer.
    func getWriteBufferSize() -> Int
    /// Sets the high- and low-water marks of the write buffer (defaults: 64 KiB and a quarter of high).
    ///
    /// - Throws: `ValueError` unless `high >= low >= 0`.
    func setWriteBufferLimits(high: Int?, low: Int?) throws
    /// The current (low, high) water marks.
    func getWriteBufferLimits() -> (low: Int, high: Int)
    /// Transport details by CPython's names: `"peername"` and `"sockname"` (a `(host: String, port: Int)`),
    /// `"socket"` (the `Int32` descriptor).
    func getExtraInfo(_ name: String) -> Any?
    /// The protocol receiving the callbacks.
    var protocolObject: any StreamProtocol { get set }
}

extension Transport {
    /// Sends `pieces` in order through ``write(_:)``.
    ///
    /// - Throws: what ``write(_:)`` throws.
    public func writelines(_ pieces: [[UInt8]]) throws {
        for piece in pieces { try write(piece) }
    }
}
