import DequeModule

/// Opens a channel for passing values of type `T` between tasks of one run, and returns its
/// two ends. Flavor: sync.
///
/// With `maxBufferSize` 0 every ``MemorySendChannel/send(_:)`` waits for a receiver (a
/// rendezvous); with `n` up to `n` values wait in the buffer; `Int.max` means unbounded. Both
/// ends can be cloned (several producers, several consumers); the channel ends for receivers once
/// every send handle is closed and the buffer is drained, and breaks for senders once every
/// receive handle is closed.
///
/// ```swift
/// let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: 0)
/// try nursery.startSoon { defer { send.close() }; for i in 0..<3 { try await send.send(i) } }
/// for try await value in receive { print(value) }
/// ```
///
/// A negative `maxBufferSize` is a programming error and traps with a message.
public func openMemoryChannel<T>(
    of type: T.Type = T.self, maxBufferSize: Int
) -> (MemorySendChannel<T>, MemoryReceiveChannel<T>) {
    precondition(maxBufferSize >= 0, "openMemoryChannel: max_buffer_size must be >= 0")
    let state = MemoryChannelState<T>(maxBufferSize: maxBufferSize)
    return (MemorySendChannel(state: state), MemoryReceiveChannel(state: state))
}

/// What the channel's handles report from `statistics()`.
public struct MemoryChannelStatistics: Sendable, Equatable {
    /// Values waiting in the buffer.
    public let currentBufferUsed: Int
    /// The most values the buffer has ever held at once.
    public let peakBufferUsed: Int
    /// The buffer's capacity (`Int.max`: unbounded).
    public let maxBufferSize: Int
    /// Send handles (the original and clones) not yet closed.
    public let openSendChannels: Int
    /// Receive handles not yet closed.
    public let openReceiveChannels: Int
    /// Tasks blocked in ``MemorySendChannel/send(_:)``.
    public let tasksWaitingSend: Int
    /// Tasks blocked in ``MemoryReceiveChannel/receive()``.
    public let tasksWaitingReceive: Int
}

/// The state every handle of one channel shares.
///
/// The channel types are generic and their hot paths are `@inlinable`, so that a client sending
/// `Int`s gets code specialized for `Int` (no generic metadata look-ups or value witnesses per
/// item); everything that touches the runtime goes through the small non-generic helpers below.
@usableFromInline
final class MemoryChannelState<T> {
    // Used only by tasks of one run, on its loop thread (the handles check the run before they
    // touch it). Every field is read or written by every send and receive, so all of them skip
    // the dynamic exclusivity check: one thread owns them, and no access re-enters.
    @usableFromInline let maxBufferSize: Int
    @usableFromInline @exclusivity(unchecked) var buffer = Deque<T>()
    @usableFromInline @exclusivity(unchecked) var peakBufferUsed = 0
    @usableFromInline @exclusivity(unchecked) var openSendChannels = 0
    @usableFromInline @exclusivity(unchecked) var openReceiveChannels = 0
    /// Blocked senders, each carrying the value it is trying to send.
    @usableFromInline @exclusivity(unchecked) var sendWaiters = WaiterQueue<ChannelWaiter<T>>()
    /// Blocked receivers; a sender stores the value straight into the oldest one's record, so an
    /// item sent while a receiver waits belongs to that receiver.
    @usableFromInline @exclusivity(unchecked) var receiveWaiters = WaiterQueue<ChannelWaiter<T>>()

    @usableFromInline init(maxBufferSize: Int) { self.maxBufferSize = maxBufferSize }

    @usableFromInline func statistics() -> MemoryChannelStatistics {
        MemoryChannelStatistics(
            currentBufferUsed: buffer.count, peakBufferUsed: peakBufferUsed, maxBufferSize: maxBufferSize,
            openSendChannels: openSendChannels, openReceiveChannels: openReceiveChannels,
            tasksWaitingSend: sendWaiters.count, tasksWaitingReceive: receiveWaiters.count)
    }
}

/// One task blocked on a channel. The value travels inside the record (no `Any` boxing): a
/// sender's record holds what it sends, a receiver's record gets what is handed to it.
@usableFromInline
final class ChannelWaiter<T>: QueuedWaiter {
    @usableFromInline let task: TrioTask
    @usableFromInline let state: MemoryChannelState<T>
    /// The handle the task blocked on: closing that handle wakes it with `ClosedResourceError`.
    @usableFromInline let handle: AnyObject
    @usableFromInline let isSender: Bool
    // Loop thread only, like the channel's state; each is touched on every hand-over.
    @usableFromInline @exclusivity(unchecked) var value: T?
    @usableFromInline @exclusivity(unchecked) var isQueued = false

    @inlinable
    init(task: TrioTask, state: MemoryChannelState<T>, handle: AnyObject, isSender: Bool, value: T?) {
        self.task = task
        self.state = state
        self.handle = handle
        self.isSender = isSender
        self.value = value
    }

    /// Blocks the task until a peer or a `close` reschedules it; cancellation takes the record
    /// out of its queue.
    @inlinable
    nonisolated(nonsending) func park() async -> (any Error)? {
        await channelPark(task, isSender: isSender, channel: ObjectIdentifier(state)) { [self] _ in
            if isSender {
                state.sendWaiters.remove(self)
            } else {
                state.receiveWaiters.remove(self)
            }
            return .succeeded
        }
    }
}

// MARK: Non-generic runtime entry points for the inlinable channel code

/// The current Trio task, for the channel operation `api`.
@usableFromInline
func channelTask(_ api: StaticString) throws -> TrioTask {
    try currentTrioTask("\(api)")
}

/// Whether `task` is inside a cancelled, unshielded scope.
@usableFromInline
func channelIsCancelled(_ task: TrioTask) -> Bool {
    task.cancelStatus.effectivelyCancelled
}

/// A cancel-shielded schedule point of `task`.
@usableFromInline
nonisolated(nonsending) func channelYield(_ task: TrioTask) async {
    await task.runner.yieldShielded(task)
}

/// Wakes `task`, which will throw `error` if given.
@usableFromInline
func channelReschedule(_ task: TrioTask, error: (any Error)? = nil) {
    task.runner.reschedule(task, error: error)
}

/// Parks `task` until rescheduled (see `Runner.park`).
@usableFromInline
nonisolated(nonsending) func channelPark(
    _ task: TrioTask, isSender: Bool, channel: ObjectIdentifier, abort: @escaping (RaiseCancel) -> Abort
) async -> (any Error)? {
    await task.runner.park(task, for: isSender ? .channelSend(channel) : .channelReceive(channel), abort: abort)
}
