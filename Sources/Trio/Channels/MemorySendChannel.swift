import DequeModule

/// The sending end of a memory channel (see ``openMemoryChannel(of:maxBufferSize:)``).
/// Flavor: Trio.
///
/// Each handle is closed on its own; the channel counts open handles, so a producer that was
/// given a ``clone()`` can close it when done without affecting the others.
public final class MemorySendChannel<T>: CustomStringConvertible {
    @usableFromInline let state: MemoryChannelState<T>
    @usableFromInline var closed = false

    @usableFromInline init(state: MemoryChannelState<T>) {
        self.state = state
        state.openSendChannels += 1
    }

    @usableFromInline enum Attempt {
        case delivered
        case wouldBlock
    }

    @inlinable
    func attempt(_ value: T) throws -> Attempt {
        if closed { throw ClosedResourceError("this send channel was closed") }
        if state.openReceiveChannels == 0 {
            throw BrokenResourceError("every receive handle of this channel was closed")
        }
        if let receiver = state.receiveWaiters.popFirst() {
            receiver.value = value
            channelReschedule(receiver.task)
            return .delivered
        }
        if state.buffer.count < state.maxBufferSize {
            state.buffer.append(value)
            if state.buffer.count > state.peakBufferUsed { state.peakBufferUsed = state.buffer.count }
            return .delivered
        }
        return .wouldBlock
    }

    /// Sends `value` if that needs no waiting: to a waiting receiver, or into the buffer.
    /// Flavor: sync; not a checkpoint.
    ///
    /// - Throws: ``WouldBlock`` when the buffer is full; ``ClosedResourceError`` if this handle
    ///   was closed; ``BrokenResourceError`` if every receive handle was closed.
    @inlinable
    public func sendNowait(_ value: T) throws {
        if try attempt(value) == .wouldBlock { throw WouldBlock() }
    }

    /// Sends `value`, waiting for buffer space or a receiver. Flavor: Trio; a checkpoint (even
    /// when it does not wait).
    ///
    /// A cancelled send did not send: the value was not delivered.
    ///
    /// - Throws: ``Cancelled``; ``ClosedResourceError`` if this handle is (or gets) closed;
    ///   ``BrokenResourceError`` if every receive handle is (or gets) closed; `RuntimeError`
    ///   outside a Trio task.
    @inlinable
    public nonisolated(nonsending) func send(_ value: T) async throws {
        if isActorIsolated(#isolation) {
            return try await onRunThread((self, value)) { try await $0.0.send($0.1) }
        }
        let task = try channelTask("MemorySendChannel.send")
        if channelIsCancelled(task) { try await checkpoint() }
        if try attempt(value) == .delivered {
            await channelYield(task)
            return
        }
        let waiter = ChannelWaiter(task: task, state: state, handle: self, isSender: true, value: value)
        state.sendWaiters.append(waiter)
        if let error = await waiter.park() { throw error }
    }

    /// Another handle on the same channel, open until closed on its own. Flavor: sync.
    ///
    /// - Throws: ``ClosedResourceError`` if this handle was closed.
    public func clone() throws -> Self {
        if closed { throw ClosedResourceError("this send channel was closed") }
        return Self(state: state)
    }

    /// Closes this handle. Tasks blocked sending through *this* handle get
    /// ``ClosedResourceError``; when it was the last open send handle, receivers get
    /// ``EndOfChannel`` once the buffer is drained. Idempotent. Flavor: sync; not a checkpoint.
    public func close() {
        guard !closed else { return }
        closed = true
        for waiter in state.sendWaiters.removeAll(where: { $0.handle === self }) {
            waiter.task.runner.reschedule(waiter.task, error: ClosedResourceError("this send channel was closed"))
        }
        state.openSendChannels -= 1
        if state.openSendChannels == 0 {
            while let receiver = state.receiveWaiters.popFirst() {
                receiver.task.runner.reschedule(receiver.task, error: EndOfChannel())
            }
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

    /// `<send channel using buffer at 0x…>`.
    public var description: String { "<send channel using buffer at \(ObjectIdentifier(state))>" }
}
