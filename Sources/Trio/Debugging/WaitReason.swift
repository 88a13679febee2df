/// What a parked task waits for, recorded by the blocking call when it parks (see
/// ``Runner/park(_:for:abort:)``) and read only when someone takes a task-tree snapshot.
///
/// A park is on every hot path (channels, locks, sockets), so recording it must cost a couple of
/// stores: the payloads are plain values or unretained references, never a string or an
/// allocation. An unretained reference is safe to follow while the task stays parked on that
/// object, since the parking call's own frame keeps the object alive; the snapshot only follows it
/// then, on the run's thread.
enum WaitReason {
    /// A park that did not say (``Lowlevel/waitTaskRescheduled(_:)`` and library internals).
    case unspecified
    /// ``sleep(_:)-(Double)`` / ``sleepUntil(_:)``: until the run's clock reads the payload.
    case sleep(until: Double)
    /// ``sleepForever()``.
    case sleepForever
    /// ``Event/wait()``.
    case event(Unmanaged<Event>)
    /// ``Lock`` / ``StrictFIFOLock`` acquisition.
    case lock(Unmanaged<LockCore>)
    /// ``Semaphore/acquire()``.
    case semaphore(Unmanaged<Semaphore>)
    /// ``Condition/wait()``.
    case condition(Unmanaged<ParkingLot>)
    /// ``CapacityLimiter`` acquisition.
    case capacityLimiter(Unmanaged<CapacityLimiter>)
    /// ``ParkingLot/park()`` called directly.
    case parkingLot(Unmanaged<ParkingLot>)
    /// A memory channel's `send` (the channel's shared state, by identity).
    case channelSend(ObjectIdentifier)
    /// A memory channel's `receive`.
    case channelReceive(ObjectIdentifier)
    /// ``waitReadable(_:)`` and sockets.
    case readable(Int32)
    /// ``waitWritable(_:)`` and sockets.
    case writable(Int32)
    /// ``TrioProcess/wait()``: the child's pid.
    case process(Int32)
    /// ``ToThread/runSync(name:abandonOnCancel:limiter:_:)``.
    case thread
    /// ``swiftAsTrio(_:)``: a Swift child task on another executor.
    case swiftAsTrio
    /// ``Lowlevel/waitAllTasksBlocked(cushion:)``.
    case allTasksBlocked(cushion: Double)
    /// A nursery's owner waiting for its children.
    case nurseryChildren
    /// The run's ``TrioToken/runSyncSoon(idempotencyKey:_:)`` task, waiting for callbacks.
    case runSyncSoonQueue
    /// A hosted event loop (an asyncio loop driven by the run) waiting for work.
    case hostedLoop
}
