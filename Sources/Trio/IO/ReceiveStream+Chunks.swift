extension ReceiveStream {
    /// The stream's data as a sequence of chunks, ending at end of file (Trio's
    /// `async for data in stream`). Flavor: Trio; each step is a
    /// ``receiveSome(maxBytes:)`` call, so a checkpoint.
    ///
    /// ```swift
    /// for try await data in stream.chunks { ... }
    /// ```
    public var chunks: ReceiveStreamChunks { ReceiveStreamChunks(stream: self) }
}

/// The chunks a ``ReceiveStream`` delivers until end of file; see ``ReceiveStream/chunks``.
/// Flavor: Trio.
public struct ReceiveStreamChunks: AsyncSequence {
    /// One chunk of received bytes (never empty).
    public typealias Element = [UInt8]

    let stream: any ReceiveStream

    /// Iterates by calling ``ReceiveStream/receiveSome(maxBytes:)``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: any ReceiveStream
        var finished = false

        /// The next chunk, or `nil` at end of file. Flavor: Trio; a checkpoint.
        ///
        /// - Throws: what ``ReceiveStream/receiveSome(maxBytes:)`` throws.
        public mutating func next() async throws -> [UInt8]? {
            if finished { return nil }
            let data = try await stream.receiveSome(maxBytes: nil)
            if data.isEmpty {
                finished = true
                return nil
            }
            return data
        }
    }

    /// A new iterator. Flavor: sync.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: stream) }
}
