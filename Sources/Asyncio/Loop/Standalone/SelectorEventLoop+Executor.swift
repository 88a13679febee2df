extension SelectorEventLoop {
    /// Runs `function` on `executor` or the loop's default ``ThreadPoolExecutor`` (see
    /// ``AbstractEventLoop/runInExecutor(_:_:)``).
    ///
    /// Flavor: sync. - Throws: `RuntimeError` when the loop or the executor is closed.
    public func runInExecutor<T: Sendable>(
        _ executor: (any ConcurrentExecutor)?, _ function: @escaping @Sendable () throws -> T
    ) throws -> Future<T> {
        if isClosed { throw RuntimeError.loopClosed }
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
