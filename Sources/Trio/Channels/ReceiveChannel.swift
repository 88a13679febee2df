/// Something a Trio task receives values from until it ends with ``EndOfChannel``, as
/// `trio.abc.ReceiveChannel`: ``MemoryReceiveChannel`` and ``SafeReceiveChannel``.
/// Flavor: Trio.
///
/// Conforming types get their `for try await` iteration from ``ReceiveChannelIterator``.
public protocol ReceiveChannel<Element>: AnyObject {
    /// What the channel delivers.
    associatedtype Element

    /// The next value; waits while there is none.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``EndOfChannel`` once the channel has ended; ``Cancelled``; what the channel documents.
    nonisolated(nonsending) func receive() async throws -> Element
}

/// Iterates a ``ReceiveChannel`` by calling its `receive()`; ends at ``EndOfChannel``.
/// Flavor: Trio.
public struct ReceiveChannelIterator<Channel: ReceiveChannel>: AsyncIteratorProtocol {
    @usableFromInline let channel: Channel

    @inlinable init(channel: Channel) { self.channel = channel }

    /// The next value, or `nil` once the channel has ended. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the channel's `receive()` throws, except ``EndOfChannel``.
    @inlinable
    public mutating func next() async throws -> Channel.Element? {
        try await next(isolation: #isolation)
    }

    /// The next value, or `nil` once the channel has ended, without leaving the caller's
    /// executor. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: what the channel's `receive()` throws, except ``EndOfChannel``.
    @inlinable
    public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Channel.Element? {
        do {
            return try await channel.receive()
        } catch is EndOfChannel {
            return nil
        }
    }
}
