/// A producer of values, made safe to consume from another task: Trio's `as_safe_channel`.
/// Flavor: Trio.
///
/// Swift has no async generators, so the producer is a closure that hands out each value by
/// calling `send`. Consuming it opens a nursery: the producer runs in a task of that nursery and
/// passes its values through an unbuffered channel, and the consumer's block iterates them as an
/// `AsyncSequence`. So the producer's scopes and nurseries never straddle the consumer's code,
/// and nothing outlives the block:
///
/// - The producer is lazy: it starts when the consumer first asks for a value, and each `send`
///   returns only when the consumer asks for the next one (or the block ends).
/// - When the producer returns, the consumer's iteration ends.
/// - An error thrown by the producer cancels the block and comes out of ``open(_:)`` as itself
///   (not wrapped in an `ExceptionGroup`); so does an error of the block, which cancels the
///   producer. Errors of both, which cannot be told apart as one, come out together as the
///   nursery's `ExceptionGroup`.
/// - When the block ends, even with values left, the producer is cancelled (its pending `send`
///   throws ``Cancelled``, which ends it quietly) and awaited. A consumer that closes its channel
///   inside the block ends the producer too: its pending `send` throws ``BrokenResourceError``
///   at the consumer's next request (or ``Cancelled`` when the block ends first), and the
///   producer ends quietly when it lets that error out.
/// - `send` is a checkpoint of the producer's own task, inside the producer's scopes: a cancelled
///   scope around it cancels the `send` (a generator's `yield` would hand the value over).
///
/// ```swift
/// func ticks(every seconds: Double) -> SafeChannel<Double> {
///     asSafeChannel { send in
///         while true {
///             try await Trio.sleep(seconds)
///             try await send(try Trio.currentTime())
///         }
///     }
/// }
///
/// try await ticks(every: 1).open { channel in
///     for try await time in channel {
///         if time >= 3 { break }   // the producer is cancelled when the block ends
///     }
/// }
/// ```
public struct SafeChannel<T> {
    private let producer: (_ send: (T) async throws -> Void) async throws -> Void

    init(producer: @escaping (_ send: (T) async throws -> Void) async throws -> Void) {
        self.producer = producer
    }

    /// Starts the producer in a new nursery and runs `body` with the channel it feeds; returns
    /// once `body` has returned and the producer has ended (Trio's `async with`). Flavor: Trio.
    ///
    /// Each call runs the producer afresh.
    ///
    /// - Returns: what `body` returns.
    /// - Throws: the producer's error or the block's, unwrapped as Trio's
    ///   `raise_single_exception_from_group` does (an `ExceptionGroup` when both failed);
    ///   ``Cancelled`` when an enclosing scope was cancelled; `RuntimeError` outside a Trio task.
    public func open<R>(_ body: (SafeReceiveChannel<T>) async throws -> R) async throws -> R {
        let (sendChannel, receiveChannel) = openMemoryChannel(of: T.self, maxBufferSize: 0)
        let demand = Semaphore(0)
        let consumer = SafeReceiveChannel(receiveChannel, demand: demand)
        let producer = self.producer
        var result: R?
        do {
            try await withNursery(strictExceptionGroups: true) { nursery in
                // Started (not merely scheduled) before the block runs, so that the send handle is
                // closed and the producer awaited whatever the block does.
                try await nursery.start(name: "asSafeChannel producer") { (status: TaskStatus<Void>) in
                    try await feed(producer, through: sendChannel, demand: demand, status)
                }
                let value: R
                do {
                    value = try await body(consumer)
                } catch {
                    receiveChannel.close()
                    throw error
                }
                receiveChannel.close()
                // The producer may still be waiting to be asked for its next value: it is not.
                nursery.cancelScope.cancel(reason: "exited asSafeChannel's block")
                result = value
            }
        } catch let group as ExceptionGroup {
            throw singleError(of: group)
        }
        guard let result else { throw TrioInternalError("asSafeChannel's block ended without a value or error") }
        return result
    }
}

/// Makes `producer` a ``SafeChannel``: consume it with ``SafeChannel/open(_:)``. Flavor: sync
/// (nothing runs until the channel is opened).
///
/// - Parameters:
///   - of: the type of the values, when it cannot be inferred.
///   - producer: produces the values; each `try await send(value)` hands one to the consumer and
///     returns when the consumer asks for the next. It must let the errors of `send` out.
public func asSafeChannel<T>(
    of: T.Type = T.self, _ producer: @escaping (_ send: (T) async throws -> Void) async throws -> Void
) -> SafeChannel<T> {
    SafeChannel(producer: producer)
}

/// Runs `producer` as a ``SafeChannel`` and `consume` with its channel: the same as
/// `asSafeChannel(producer).open(consume)`. Flavor: Trio.
///
/// - Throws: see ``SafeChannel/open(_:)``.
public func withSafeChannel<T, R>(
    of: T.Type = T.self, _ producer: @escaping (_ send: (T) async throws -> Void) async throws -> Void,
    consume: (SafeReceiveChannel<T>) async throws -> R
) async throws -> R {
    try await SafeChannel(producer: producer).open(consume)
}

/// The producer's task: one value per request from the consumer, until the producer returns,
/// the consumer closes its channel, or the block ends (which cancels this task).
private func feed<T>(
    _ producer: (_ send: (T) async throws -> Void) async throws -> Void,
    through channel: MemorySendChannel<T>, demand: Semaphore, _ status: TaskStatus<Void>
) async throws {
    // Closing the send handle is what ends the consumer's iteration.
    defer { channel.close() }
    try status.started()
    try await demand.acquire()
    // Nobody will ask any more: do not even start the producer.
    guard channel.state.openReceiveChannels > 0 else { return }
    var consumerGone = false
    do {
        try await producer { value in
            if consumerGone { throw BrokenResourceError("the consumer of this safe channel closed it") }
            do {
                try await channel.send(value)
            } catch is BrokenResourceError {
                consumerGone = true
                throw BrokenResourceError("the consumer of this safe channel closed it")
            }
            // The producer goes on only when the consumer asks for the next value.
            try await demand.acquire()
            if channel.state.openReceiveChannels == 0 {
                consumerGone = true
                throw BrokenResourceError("the consumer of this safe channel closed it")
            }
        }
    } catch is BrokenResourceError where consumerGone {
        // As a generator closed at its `yield`: the producer's end is not an error.
    }
}

/// Trio's `raise_single_exception_from_group`: the one error that is not ``Cancelled`` (or the
/// first ``Cancelled`` when there are only those); the group itself when several are left.
private func singleError(of group: ExceptionGroup) -> any Error {
    if let interrupt = group.errors.first(where: { $0 is KeyboardInterrupt }) { return interrupt }
    let others = group.errors.filter { !($0 is Cancelled) }
    switch others.count {
    case 0: return group.errors[0]
    case 1: return others[0]
    default: return group
    }
}

/// The consumer's end of a ``SafeChannel``: an `AsyncSequence` of the producer's values.
/// Flavor: Trio.
///
/// Asking for a value (``receive()``, or the next step of a `for try await` loop) is what lets
/// the producer compute it. Valid only inside ``SafeChannel/open(_:)``'s block, which closes it.
public final class SafeReceiveChannel<T>: ReceiveChannel, AsyncSequence {
    private let channel: MemoryReceiveChannel<T>
    private let demand: Semaphore

    init(_ channel: MemoryReceiveChannel<T>, demand: Semaphore) {
        self.channel = channel
        self.demand = demand
    }

    /// Asks the producer for its next value and waits for it. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``EndOfChannel`` once the producer has returned; ``Cancelled`` (for example when
    ///   the producer failed: its error comes out of ``SafeChannel/open(_:)``);
    ///   ``ClosedResourceError`` after ``aclose()``; `RuntimeError` outside a Trio task.
    public nonisolated(nonsending) func receive() async throws -> T {
        if isActorIsolated(#isolation) { return try await onRunThread(self) { try await $0.receive() } }
        try demand.release()
        return try await channel.receive()
    }

    /// Closes the channel, so that the producer ends at its next `send`, then checkpoints.
    /// Flavor: Trio; a checkpoint.
    ///
    /// - Throws: ``Cancelled`` (after closing); `RuntimeError` outside a Trio task.
    public nonisolated(nonsending) func aclose() async throws {
        try await channel.aclose()
    }

    /// Iterates by calling `receive()`; ends at ``EndOfChannel``. Flavor: Trio.
    public typealias AsyncIterator = ReceiveChannelIterator<SafeReceiveChannel<T>>

    /// An iterator asking the producer for one value at a time. Flavor: sync.
    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
