import DequeModule

/// The receiving end of a memory channel (see ``openMemoryChannel(of:maxBufferSize:)``).
/// Flavor: Trio.
///
/// It is an `AsyncSequence`: `for try await value in channel` receives until ``EndOfChannel``.
public final class MemoryReceiveChannel<T>: ReceiveChannel, AsyncSequence, CustomStringConvertible {
    @usableFromInline let state: MemoryChannelState<T>
    @usableFromInline var closed = false

    @usableFromInline init(state: MemoryChannelState<T>) {
        self.state = state
        state.openReceiveChannels += 1
    }

    @usableFromInline enum Attempt {
        case received(T)
        case wouldBlock
    }

    @inlinable
    func attempt() throws -> Attempt {
        if closed { throw ClosedResourceError("this receive channel was closed") }
        if let sender = state.sendWaiters.popFirst() {
            channelReschedule(sender.task)
            // A blocked sender means the buffer is full (or size 0): its value goes behind
            // those already buffered, and we take the oldest.
            let value = sender.value.take()!
            if state.buffer.isEmpty { return .received(value) }
            state.buffer.append(value)
        }
        if let value = state.buffer.popFirst() { return .received(value) }
        if state.openSendChannels == 0 { throw EndOfChannel() }
        return .wouldBlock
    }

    /// Takes a value if one is ready: from the buffer, or from a blocked sender.
    /// Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock`` when nothing is ready; ``EndOfChannel`` once every send handle is
    ///   closed and the buffer is empty; ``ClosedResourceError`` if this handle was closed.
    @inlinable
    public func receiveNowait() throws -> T {
        if case .received(let value) = try attempt() { return value }
        throw WouldBlock()
    }

    /// Receives the next value, waiting for one. Flavor: Trio; a checkpoint (even when a value
    /// is ready).
    ///
    /// - Throws: ``Cancelled`` (nothing was taken); ``EndOfChannel`` once every send handle is
    ///   closed and the buffer is drained; ``ClosedResourceError`` if this handle is (or gets)
    ///   closed; `RuntimeError` outside a Trio task.
    @inlinable
    public nonisolated(nonsending) func receive() async throws -> T {
        if isActorIsolated(#isolation) { return try await onRunThread(self) { try await $0.receive() } }
        let task = try channelTask("MemoryReceiveChannel.receive")
        if channelIsCancelled(task) { try await checkpoint() }
        if case .received(let value) = try attempt() {
            await channelYield(task)
            return value
        }
        let waiter = ChannelWaiter<T>(task: task, state: state, handle: self, isSender: false, value: nil)
        state.receiveWaiters.append(waiter)
        if let error = await waiter.park() { throw error }
        return waiter.value.take()!
    }

    /// Another handle on the same channel, open until closed on its own. Flavor: sync.
    ///
    /// - Throws: ``ClosedResourceError`` if this handle was closed.
    public func clone() throws -> Self {
        if closed { throw ClosedResourceError("this receive channel was closed") }
        return Self(state: state)
    }

    /// Closes this handle. Tasks blocked receiving through *this* handle get
    /// ``ClosedResourceError``; when it was the last open receive handle, blocked and future
    /// senders get ``BrokenResourceError`` and buffered values are dropped. Idempotent.
    /// Flavor: sync; not a checkpoint.
    public func close() {
        guard !closed else { return }
        closed = true
        for waiter in state.receiveWaiters.removeAll(where: { $0.handle === self }) {
            waiter.task.runner.reschedule(
                waiter.task, error: ClosedResourceError("this receive channel was closed"))
        }
        state.openReceiveChannels -= 1
        if state.openReceiveChannels == 0 {
            while let sender = state.sendWaiters.popFirst() {
                sender.task.runner.reschedule(
                    sender.task, error: BrokenResourceError("every receive handle of this channel was closed"))
            }
            state.buffer.removeAll()
        }
    }

    /// Closes this handle (see ``close()``), then checkpoints. Flavor: Trio; a checkpoint.
    ///
    /// The handle is closed before the checkpoint, so it is closed even when the checkpoint
    /// throws: in a cancelled scope the call closes the handle and then throws ``Cancelled``, as
    /// Trio's `aclose` does.
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` outside a Trio task (after closing).
    public nonisolated(nonsending) func aclose() async throws {
        close()
        try await checkpoint()
    }

    /// Whether ``close()`` was called on this handle. Flavor: sync.
    public var isClosed: Bool { closed }

    /// Buffer use, open handles and waiting tasks of the channel. Flavor: sync.
    public func statistics() -> MemoryChannelStatistics { state.statistics() }

    /// `<receive channel using buffer at 0x…>`.
    public var description: String { "<receive channel using buffer at \(ObjectIdentifier(state))>" }

    /// Iterates by calling `receive()`; ends at ``EndOfChannel``. Flavor: Trio.
    public typealias AsyncIterator = ReceiveChannelIterator<MemoryReceiveChannel<T>>

    /// An iterator receiving from this handle. Flavor: sync.
    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
