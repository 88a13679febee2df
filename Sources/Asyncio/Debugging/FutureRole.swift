/// What a ``Future`` stands for, set by the code that creates it for a purpose (a sleep, an fd wait,
/// a Trio call) and read only when someone takes an ``AsyncioTaskTree``.
///
/// A task parking on a future already records the future (`TaskCore.waiter`); the role says what
/// that future is, so a snapshot can tell "sleep until t=5" from "a future". Setting it is one store
/// of a plain value where the future is made, never a string or an allocation. Gathers, task groups
/// and tasks are told apart by their own types and records, and need no role.
package enum FutureRole {
    /// A future with no particular meaning (the default).
    case plain
    /// ``sleep(_:)``: resolved by a timer at that time on the loop's clock.
    case sleep(until: Double)
    /// Resolved when the fd is readable (`sockRecv`, `sockAccept`).
    case readable(Int32)
    /// Resolved when the fd is writable (`sockSendall`, `sockConnect`).
    case writable(Int32)
    /// Resolved by a Trio task running the call (TrioAsyncio's `trioAsAio` and `trioAsFuture`).
    case trioCall
    /// Resolved by a thread running the call (``AbstractEventLoop/runInExecutor(_:_:)``).
    case executor
    /// A waiter's future of an asyncio synchronization primitive or queue.
    case primitive(PrimitiveWait)
}

/// The blocking calls of asyncio's synchronization primitives and queues, as a plain value so that a
/// future's role stays trivially destructible.
package enum PrimitiveWait: UInt8 {
    case lockAcquire, conditionWait, semaphoreAcquire, eventWait, queuePut, queueGet

    /// The call as mixed-flavor code writes it, for task trees and `FlavorError` messages.
    package var call: String {
        switch self {
        case .lockAcquire: "Asyncio.Lock.acquire"
        case .conditionWait: "Asyncio.Condition.wait"
        case .semaphoreAcquire: "Asyncio.Semaphore.acquire"
        case .eventWait: "Asyncio.Event.wait"
        case .queuePut: "Asyncio.Queue.put"
        case .queueGet: "Asyncio.Queue.get"
        }
    }
}

/// Lets a snapshot read the role of a future it holds as `any AnyFuture`.
protocol RoleCarrying: AnyObject {
    var role: FutureRole { get }
}

extension Future: RoleCarrying {}
