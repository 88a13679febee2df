/// Something that must be closed when you are done with it. Flavor: Trio.
///
/// Trio's `AsyncResource`: closing is asynchronous because a graceful close may need to talk to
/// the peer, but it must always leave the resource closed, even when cancelled.
public protocol AsyncResource: AnyObject {
    /// Closes the resource. Flavor: Trio; a checkpoint. Idempotent: closing twice is fine.
    ///
    /// The resource is closed when this returns or throws, even if it throws ``Cancelled``
    /// (the close then was merely less graceful).
    ///
    /// - Throws: ``Cancelled``; stream-specific errors of a graceful shutdown.
    func aclose() async throws
}

/// A stream you can send bytes into. Flavor: Trio.
public protocol SendStream: AsyncResource {
    /// Sends all of `data`, blocking as long as the stream applies back-pressure.
    /// Flavor: Trio; a checkpoint (also for empty data).
    ///
    /// If it is cancelled part-way, some of the data may have been sent; the stream then has
    /// no useful state left and should be closed.
    ///
    /// - Throws: ``BusyResourceError`` if another task is sending on this stream;
    ///   ``BrokenResourceError`` if the peer went away; ``ClosedResourceError`` after this
    ///   stream was closed (or, for half-closeable streams, after `sendEOF`); ``Cancelled``.
    func sendAll(_ data: [UInt8]) async throws

    /// Blocks until a ``sendAll(_:)`` call would probably not block. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: as ``sendAll(_:)``.
    func waitSendAllMightNotBlock() async throws
}

/// A stream you can receive bytes from. Flavor: Trio.
public protocol ReceiveStream: AsyncResource {
    /// Waits until some data is available and returns at most `maxBytes` of it (`nil`: a size
    /// the stream chooses). Returns `[]` once the peer has closed its side (end of file), and
    /// again on every later call. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `ValueError` if `maxBytes < 1`; ``BusyResourceError`` if another task is
    ///   receiving on this stream; ``BrokenResourceError`` if the stream broke;
    ///   ``ClosedResourceError`` if this stream was closed (also while waiting); ``Cancelled``.
    func receiveSome(maxBytes: Int?) async throws -> [UInt8]
}

extension ReceiveStream {
    /// ``receiveSome(maxBytes:)`` with a size the stream chooses. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: as ``receiveSome(maxBytes:)``.
    public func receiveSome() async throws -> [UInt8] {
        try await receiveSome(maxBytes: nil)
    }
}

/// A bidirectional byte stream: a ``SendStream`` and a ``ReceiveStream`` at once. Flavor: Trio.
public protocol ByteStream: SendStream, ReceiveStream {}

/// A ``ByteStream`` whose sending side can be closed on its own (TCP's half-close). Flavor: Trio.
public protocol HalfCloseableStream: ByteStream {
    /// Sends end-of-file: the peer's receives return `[]` once they have read everything sent
    /// before. Receiving still works. Idempotent. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError`` if a ``SendStream/sendAll(_:)`` is running;
    ///   ``BrokenResourceError``; ``ClosedResourceError`` if the stream was closed; ``Cancelled``.
    func sendEOF() async throws
}

/// Something that hands out incoming connections as streams, like a listening socket.
/// Flavor: Trio.
public protocol Listener<Stream>: AsyncResource {
    /// The kind of stream ``accept()`` returns.
    associatedtype Stream: ByteStream

    /// Waits for the next incoming connection and returns it. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``BusyResourceError`` if another task is accepting on this listener;
    ///   ``ClosedResourceError`` if the listener was closed; `OSError` for resource
    ///   exhaustion (`EMFILE`, `ENFILE`, `ENOMEM`, `ENOBUFS`); ``Cancelled``.
    func accept() async throws -> Stream
}

/// Closes `resource` at once, without waiting for a graceful shutdown (Trio's
/// `aclose_forcefully`): its `aclose` runs in an already-cancelled scope. Flavor: Trio; a
/// checkpoint. The cancellation it uses is its own, so it does not throw ``Cancelled`` for it.
///
/// - Throws: only errors of `aclose` other than ``Cancelled``.
public func acloseForcefully(_ resource: any AsyncResource) async throws {
    let scope = CancelScope()
    scope.cancel()
    try await scope.run { try await resource.aclose() }
}
