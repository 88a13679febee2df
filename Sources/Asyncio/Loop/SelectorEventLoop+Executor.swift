extension SelectorEventLoop {
    /// Runs `function` on `executor` or the loop's default ``ThreadPoolExecutor`` (see
    /// ``AbstractEventLoop/runInExecutor(_:_:)``).
    ///
    /// Flavor: sync. - Throws: ``RuntimeError`` when the loop or the executor is closed.
    public func runInExecutor<T: Sendable>(
        _ executor: (any ConcurrentExecutor)?, _ function: @escaping @Sendable () throws -> T
    ) throws -> Future<T> {
        if isClosed { throw RuntimeError("Event loop is closed") }
        let chosen: any ConcurrentExecutor
        if let executor {
            chosen = executor
        } else if let defaultExecutor {
            chosen = defaultExecutor
        } else {
            let created = ThreadPoolExecutor()
            defaultExecutor = created
            chosen = created
        }
        return try submitWork(to: chosen, on: self, function)
    }

    /// Shuts the default executor down, waiting for its threads on a helper thread so the loop keeps running.
    ///
    /// Flavor: asyncio.
    public func shutdownDefaultExecutor() async throws {
        guard let executor = defaultExecutor else { return }
        defaultExecutor = nil
        let joiner = ThreadPoolExecutor(maxWorkers: 1)
        let done = try submitWork(to: joiner, on: self) { executor.shutdown(wait: true) }
        try await done.value
        joiner.shutdown(wait: false)
    }
}

/// Runs `function` on `executor` and completes a future of `loop` with its outcome, through
/// ``AbstractEventLoop/callSoonThreadsafe(_:)``. A future cancelled meanwhile ignores the outcome.
///
/// Flavor: sync. - Throws: what `executor.submit` throws.
public func submitWork<T: Sendable>(
    to executor: any ConcurrentExecutor, on loop: any AbstractEventLoop,
    _ function: @escaping @Sendable () throws -> T
) throws -> Future<T> {
    let future = loop.createFuture(of: T.self)
    let target = UncheckedSendable(future)
    try executor.submit {
        let outcome = Result { try function() }
        _ = try? loop.callSoonThreadsafe {
            target.value.setOutcomeUnlessDone(outcome)
        }
    }
    return future
}

/// A value moved between threads by code that guarantees only one thread touches it at a time.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
