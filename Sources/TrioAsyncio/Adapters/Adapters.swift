import Asyncio
import Trio

// MARK: Trio calls asyncio

/// Wraps an asyncio-flavored function so that Trio code can call it: trio-asyncio's `aio_as_trio`.
///
/// Flavor: the result is Trio-flavored (a checkpoint); `fn` runs inside a new asyncio task of the
/// loop (`loop`, or ``CurrentLoop``). Cancellation follows ``TrioEventLoop/runAioFuture(_:)``.
/// One- and two-argument functions can be adapted and called inline (`try await aioAsTrio(f)(21)`);
/// for more arguments Swift 6.3 cannot call a parameter-pack result inline: bind it first,
/// `let g = aioAsTrio(f); try await g(1, 2, 3)`.
///
/// The returned function throws what `fn` throws, `Cancelled`, or `RuntimeError` when no loop is open.
public func aioAsTrio<each A, R>(
    loop: TrioEventLoop? = nil, _ fn: @escaping (repeat each A) async throws -> R
) -> (repeat each A) async throws -> R {
    { (args: repeat each A) in
        let packed = (repeat each args)
        return try await callAioFromTrio(loop: loop) { try await fn(repeat each packed) }
    }
}

/// One call through ``aioAsTrio(loop:_:)-4x5ni``, whatever the arity.
func callAioFromTrio<R>(loop: TrioEventLoop?, _ call: @escaping () async throws -> R) async throws -> R {
    try requireTrioTask("aioAsTrio")
    return try await resolveLoop(loop, for: "aioAsTrio").runAioCoroutine(call)
}

/// Waits for an asyncio future from Trio code: ``runAioFuture(_:)``.
///
/// Flavor: Trio; a checkpoint. - Throws: as ``TrioEventLoop/runAioFuture(_:)``.
public func aioAsTrio<T>(_ future: Future<T>) async throws -> T {
    try await runAioFuture(future)
}

/// Waits for an asyncio future of a ``TrioEventLoop`` from a Trio task: trio-asyncio's
/// `run_aio_future`.
///
/// Flavor: Trio; a checkpoint. - Throws: as ``TrioEventLoop/runAioFuture(_:)``; `RuntimeError`
/// when the future's loop is not a ``TrioEventLoop``.
public func runAioFuture<T>(_ future: Future<T>) async throws -> T {
    guard let loop = future.loop as? TrioEventLoop else {
        throw RuntimeError("runAioFuture needs a future of a TrioEventLoop, not of \(future.loop)")
    }
    return try await loop.runAioFuture(future)
}

/// Runs `body` as an asyncio task of the current loop and waits for it from Trio:
/// trio-asyncio's `run_aio_coroutine`.
///
/// Flavor: Trio; a checkpoint. - Throws: as ``TrioEventLoop/runAioCoroutine(_:)``; `RuntimeError`
/// outside `openLoop`.
public func runAioCoroutine<T>(_ body: @escaping () async throws -> T) async throws -> T {
    try requireTrioTask("runAioCoroutine")
    return try await resolveLoop(nil, for: "runAioCoroutine").runAioCoroutine(body)
}

// MARK: asyncio calls Trio

/// Wraps a Trio-flavored function so that asyncio code can call it: trio-asyncio's `trio_as_aio`.
///
/// Flavor: the result is sync and returns a `Future` (await it from an asyncio task, or add a
/// done callback from a plain callback); `fn` runs as a Trio task of the loop (`loop`, or the
/// current one), started through the loop's queue. Cancelling the future cancels the Trio task,
/// and the future resolves only once that task has ended. When no loop can take the call, the
/// future is already failed with `RuntimeError` (or the loop's refusal: closed, `WouldBlock`).
public func trioAsAio<each A, R>(
    loop: TrioEventLoop? = nil, _ fn: @escaping (repeat each A) async throws -> R
) -> (repeat each A) -> Future<R> {
    { (args: repeat each A) in
        let packed = (repeat each args)
        return callTrioFromAio(loop: loop) { try await fn(repeat each packed) }
    }
}

/// One call through ``trioAsAio(loop:_:)-922h5``, whatever the arity.
func callTrioFromAio<R>(loop: TrioEventLoop?, _ call: @escaping () async throws -> R) -> Future<R> {
    do {
        return try resolveLoop(loop, for: "trioAsAio").trioAsFuture(call)
    } catch {
        return failedFuture(error, of: R.self)
    }
}

/// Starts `proc` as a Trio task of the current loop; its outcome resolves the returned future:
/// trio-asyncio's `run_trio`.
///
/// Flavor: sync. - Throws: `RuntimeError` outside `openLoop` or when the loop is closed; `WouldBlock`.
public func runTrio<T>(_ proc: @escaping () async throws -> T) throws -> Future<T> {
    try resolveLoop(nil, for: "runTrio").trioAsFuture(proc)
}

/// Starts `proc` as a Trio task of the current loop whose error goes to the loop's exception
/// handler: trio-asyncio's `run_trio_task`.
///
/// Flavor: sync. - Throws: `RuntimeError` outside `openLoop` or when the loop is closed; `WouldBlock`.
public func runTrioTask(_ proc: @escaping () async throws -> Void) throws {
    try resolveLoop(nil, for: "runTrioTask").runTrioTask(proc)
}
