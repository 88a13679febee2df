/// A ``HalfCloseableStream`` made of one ``SendStream`` and one ``ReceiveStream`` (Trio's
/// `StapledStream`), for example the two pipes of a subprocess. Flavor: Trio.
public final class StapledStream: HalfCloseableStream {
    /// Where ``sendAll(_:)`` sends.
    public let sendStream: any SendStream
    /// Where ``receiveSome(maxBytes:)`` receives from.
    public let receiveStream: any ReceiveStream

    /// Staples the two streams together. Flavor: sync.
    public init(sendStream: any SendStream, receiveStream: any ReceiveStream) {
        self.sendStream = sendStream
        self.receiveStream = receiveStream
    }

    /// Calls the send stream's ``SendStream/sendAll(_:)``. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what it throws.
    public func sendAll(_ data: [UInt8]) async throws { try await sendStream.sendAll(data) }

    /// Calls the send stream's ``SendStream/waitSendAllMightNotBlock()``. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what it throws.
    public func waitSendAllMightNotBlock() async throws { try await sendStream.waitSendAllMightNotBlock() }

    /// Sends EOF: `sendEOF` if the send stream is half-closeable, otherwise closes it.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the underlying call throws.
    public func sendEOF() async throws {
        if let halfCloseable = sendStream as? any HalfCloseableStream {
            try await halfCloseable.sendEOF()
        } else {
            try await sendStream.aclose()
        }
    }

    /// Calls the receive stream's ``ReceiveStream/receiveSome(maxBytes:)``. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what it throws.
    public func receiveSome(maxBytes: Int?) async throws -> [UInt8] {
        try await receiveStream.receiveSome(maxBytes: maxBytes)
    }

    /// Closes both streams, the receive stream even when closing the send stream throws.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: the first error of the two closes.
    public func aclose() async throws {
        do {
            try await sendStream.aclose()
        } catch {
            try? await receiveStream.aclose()
            throw error
        }
        try await receiveStream.aclose()
    }
}
