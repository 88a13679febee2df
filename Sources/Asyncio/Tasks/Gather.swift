/// The future behind ``gather(_:)->[T]``: done when the children are (or, without `returnExceptions`, when the
/// first fails); cancelling it cancels the children.
final class GatheringFuture: Future<Void> {
    let children: [any AnyFuture]
    var cancelRequested = false

    init(loop: any AbstractEventLoop, children: [any AnyFuture]) {
        self.children = children
        super.init(loop: loop)
    }

    /// Cancels every child; `true` when at least one accepted. The gather then ends with ``CancelledError``
    /// once all children are done.
    override func cancel(message: String? = nil) -> Bool {
        if done { return false }
        var accepted = false
        for child in children where child.cancel(message: message) { accepted = true }
        if accepted { cancelRequested = true }
        return accepted
    }
}

/// Builds the gathering future of `children` on `loop` (CPython's `gather` minus the result list, which the
/// typed callers read from the children).
func gatherFuture(
    _ children: [any AnyFuture], on loop: any AbstractEventLoop, returnExceptions: Bool
) -> GatheringFuture {
    let outer = GatheringFuture(loop: loop, children: children)
    // The outcome is always delivered through the caller reading the children.
    outer.silenceUnretrievedReport()
    if children.isEmpty {
        outer.finishSuccess(())
        return outer
    }
    var finishedCount = 0
    let childDone: (any AnyFuture) -> Void = { child in
        finishedCount += 1
        if outer.done {
            if !child.cancelled { _ = try? child.exception() }
            return
        }
        if !returnExceptions {
            do {
                if let error = try child.exception() {
                    outer.finishFailure(error)
                    return
                }
            } catch {
                outer.finishFailure(error)
                return
            }
        }
        if finishedCount == children.count {
            // As CPython, a cancelled gather ends with the last child's own cancellation, so that the
            // message given to cancel() comes back out of it.
            if outer.cancelRequested {
                outer.finishFailure(cancelledError(of: child))
            } else {
                outer.finishSuccess(())
            }
        }
    }
    // CPython 3.12+: children already done are counted at once, after every pending one has its callback, so
    // gathering finished children gives a done future and awaiting it takes no loop iteration.
    var alreadyDone: [any AnyFuture] = []
    for child in children {
        if child.done {
            alreadyDone.append(child)
        } else {
            child.addAnyDoneCallback(childDone)
        }
    }
    for child in alreadyDone { childDone(child) }
    return outer
}

/// The ``CancelledError`` a cancelled `future` throws (with its cancel message); a bare one otherwise.
private func cancelledError(of future: any AnyFuture) -> CancelledError {
    guard future.cancelled else { return CancelledError() }
    do {
        _ = try future.exception()
    } catch let cancel as CancelledError {
        return cancel
    } catch {}
    return CancelledError()
}

/// Waits for `children` and returns the gathering future (already awaited).
private func awaitGathering(
    _ children: [any AnyFuture], returnExceptions: Bool, _ what: String
) async throws {
    let current = try TaskContext.require(what)
    let loop = children.first?.loop ?? current.core.loop
    try await gatherFuture(children, on: loop, returnExceptions: returnExceptions).value
}

/// Waits for all `futures` and returns their results in order: `asyncio.gather(*fs)`.
///
/// The first error (or a child's cancellation, as ``CancelledError``) is thrown as soon as it happens; the other
/// children keep running. Cancelling the awaiting task cancels all the children.
///
/// Flavor: asyncio. - Throws: the first child error; ``CancelledError``; `FlavorError` outside a task.
public func gather<T>(_ futures: [Future<T>]) async throws -> [T] {
    try await awaitGathering(futures, returnExceptions: false, "Asyncio.gather")
    return try futures.map { try $0.result() }
}

/// Waits for all `futures` and returns each outcome, errors included:
/// `asyncio.gather(*fs, return_exceptions=True)`. A cancelled child's outcome is a ``CancelledError``.
///
/// Flavor: asyncio. - Throws: ``CancelledError`` when the awaiting task is cancelled; `FlavorError` outside a
/// task.
public func gather<T>(_ futures: [Future<T>], returnExceptions: Bool) async throws -> [Result<T, any Error>] {
    try await awaitGathering(futures, returnExceptions: returnExceptions, "Asyncio.gather")
    return futures.map { future in Result { try future.result() } }
}

/// Waits for futures of different types and returns their results as a tuple: `a, b = await gather(fa, fb)`.
///
/// Flavor: asyncio. - Throws: as ``gather(_:)-([Future<T>])``.
public func gather<each T>(_ futures: repeat Future<each T>) async throws -> (repeat each T) {
    var children: [any AnyFuture] = []
    for future in repeat each futures { children.append(future) }
    try await awaitGathering(children, returnExceptions: false, "Asyncio.gather")
    return (repeat try (each futures).result())
}
