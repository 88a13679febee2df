import Asyncio
import Trio

/// Lets the current Trio task call asyncio-flavored code directly for the duration of `fn`:
/// trio-asyncio's `allow_asyncio`, without its costs and limits.
///
/// Flavor: Trio (call it from a Trio task inside ``openLoop(queueLen:_:)``); inside `fn` both
/// flavors work. Awaiting a `Future` (and so `Asyncio.sleep`, queues, locks, events, streams,
/// `Asyncio.timeout`, task groups, `gather` …) suspends the Trio task through the bridge with Trio's
/// cancellation rules, as ``TrioEventLoop/runAioFuture(_:)`` does: a Trio cancel cancels the awaited
/// future (asyncio code sees `CancelledError`) and the Trio task gets `Cancelled` once it has ended;
/// `Asyncio.sleep(0)` is a Trio checkpoint. Trio primitives keep working as in any Trio task.
///
/// Unlike ``aioAsTrio(loop:_:)-4x5ni``, no asyncio task is created: the asyncio code runs in the Trio
/// task itself, so a call that never waits costs no loop round trip. `Asyncio.currentTask()`
/// returns a stand-in (not one of the loop's tasks) and Sniffio answers "trio".
///
/// - Parameters:
///   - loop: the loop whose futures `fn` awaits (default: ``CurrentLoop``).
///   - fn: the mixed-flavor code.
/// - Throws: what `fn` throws; `FlavorError` outside a Trio task; `RuntimeError` outside
///   `openLoop` (naming it), when the loop is closed, or when it stops while `fn` awaits one of its
///   futures (as ``TrioEventLoop/runAioFuture(_:)``).
public func allowAsyncio<T>(loop: TrioEventLoop? = nil, _ fn: () async throws -> T) async throws -> T {
    try requireTrioTask("allowAsyncio")
    let target = try resolveLoop(loop, for: "allowAsyncio")
    if target.isClosed { throw RuntimeError.loopClosed }
    return try await withForeignTaskContext(loop: target, bridge: target.trioTaskBridge, name: "allowAsyncio") {
        try await fn()
    }
}

/// Waits for asyncio futures from a Trio task inside ``allowAsyncio(loop:_:)``.
final class TrioTaskBridge: ForeignTaskBridge {
    unowned let loop: TrioEventLoop

    init(loop: TrioEventLoop) { self.loop = loop }

    func waitDone<T>(_ future: Future<T>) async throws {
        try await loop.waitDone(future, caller: "allowAsyncio")
    }

    func yieldTurn() async throws {
        try await Trio.checkpoint()
    }
}
