/// A future that mirrors `inner` but whose cancellation does not reach `inner`: `asyncio.shield`.
///
/// Cancelling the task awaiting the shield cancels only the outer future; `inner` runs on, and its outcome is
/// then dropped (its error counted as retrieved).
///
/// Flavor: sync.
public func shield<T>(_ inner: Future<T>) -> Future<T> {
    if inner.done { return inner }
    let outer = inner.loop.createFuture(of: T.self)
    let innerID = inner.addDoneCallback { inner in
        if outer.cancelled {
            if !inner.cancelled { _ = try? inner.exception() }
            return
        }
        if inner.cancelled {
            outer.cancel()
        } else {
            outer.setOutcomeUnlessDone(Result { try inner.result() })
        }
    }
    outer.addDoneCallback { _ in
        if !inner.done { inner.removeDoneCallback(innerID) }
    }
    return outer
}
