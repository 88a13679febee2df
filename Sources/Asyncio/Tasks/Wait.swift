/// When ``wait(_:timeout:returnWhen:)->([AnyFuture],_)`` returns.
public enum ReturnWhen: Sendable {
    /// As soon as any future is done.
    case firstCompleted
    /// As soon as any future fails (not counting cancellation), or when all are done.
    case firstException
    /// When all futures are done.
    case allCompleted
}

/// Waits until `returnWhen` holds or `timeout` seconds pass, and splits `futures` into done and pending ones
/// (both in input order). Nothing is cancelled, and a timeout is not an error: `asyncio.wait`.
///
/// Flavor: asyncio. - Throws: `ValueError` when `futures` is empty; ``CancelledError``; `FlavorError` outside
/// a task.
public func wait(
    _ futures: [any AnyFuture], timeout: Double? = nil, returnWhen: ReturnWhen = .allCompleted
) async throws -> (done: [any AnyFuture], pending: [any AnyFuture]) {
    let current = try TaskContext.require("Asyncio.wait")
    guard !futures.isEmpty else { throw ValueError("Set of Tasks/Futures is empty.") }
    let loop = current.core.loop
    let waiter = loop.createFuture(of: Void.self)
    var timer: TimerHandle?
    if let timeout {
        timer = try loop.callLater(timeout) { waiter.setOutcomeUnlessDone(.success(())) }
    }
    var remaining = futures.count
    let ids = futures.map { future in
        future.addAnyDoneCallback { future in
            remaining -= 1
            let failed = returnWhen == .firstException && !future.cancelled && (try? future.exception()) != nil
            if remaining <= 0 || returnWhen == .firstCompleted || failed {
                timer?.cancel()
                waiter.setOutcomeUnlessDone(.success(()))
            }
        }
    }
    defer {
        timer?.cancel()
        for (future, id) in zip(futures, ids) { future.removeDoneCallback(id) }
    }
    try await waiter.value
    return (futures.filter(\.done), futures.filter { !$0.done })
}

/// ``wait(_:timeout:returnWhen:)->([AnyFuture],_)`` keeping the futures' type.
///
/// Flavor: asyncio. - Throws: as the untyped form.
public func wait<T>(
    _ futures: [Future<T>], timeout: Double? = nil, returnWhen: ReturnWhen = .allCompleted
) async throws -> (done: [Future<T>], pending: [Future<T>]) {
    _ = try await wait(futures as [any AnyFuture], timeout: timeout, returnWhen: returnWhen)
    return (futures.filter(\.done), futures.filter { !$0.done })
}

/// Waits for `future` at most `timeout` seconds (`nil`: no limit); on timeout the future is cancelled and
/// ``TimeoutError`` thrown: `asyncio.wait_for`.
///
/// Flavor: asyncio. - Throws: the future's error; ``TimeoutError``; ``CancelledError``; `FlavorError` outside a
/// task.
public func waitFor<T>(_ future: Future<T>, timeout seconds: Double?) async throws -> T {
    let current = try TaskContext.require("Asyncio.waitFor")
    guard let seconds, seconds <= 0 else {
        return try await timeout(seconds) { try await future.value }
    }
    if future.done { return try future.result() }
    future.cancel()
    let settled = current.core.loop.createFuture(of: Void.self)
    future.addAnyDoneCallback { _ in settled.setOutcomeUnlessDone(.success(())) }
    try await settled.value
    do {
        return try future.result()
    } catch is CancelledError {
        throw TimeoutError()
    }
}

/// Starts `body` as a task and waits for it at most `timeout` seconds: `asyncio.wait_for(coroutine, timeout)`.
///
/// Flavor: asyncio. - Throws: as ``waitFor(_:timeout:)``.
public func waitFor<T>(timeout seconds: Double?, _ body: @escaping () async throws -> T) async throws -> T {
    let task = try TaskContext.require("Asyncio.waitFor").core.loop.createTask(name: nil, body)
    return try await waitFor(task, timeout: seconds)
}
