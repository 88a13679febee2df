/// Somewhere to run blocking work off the loop thread, for ``AbstractEventLoop/runInExecutor(_:_:)``
/// (CPython's `concurrent.futures.Executor`; not named `Executor`, which Swift's concurrency already has).
public protocol ConcurrentExecutor: Sendable {
    /// Runs `work` on one of the executor's threads, some time later.
    ///
    /// Flavor: sync, thread-safe. - Throws: `RuntimeError` once the executor is shut down.
    func submit(_ work: @escaping @Sendable () -> Void) throws
    /// Refuses new work; with `wait`, blocks until the submitted work has run.
    ///
    /// Flavor: sync, thread-safe (blocking when `wait` is true).
    func shutdown(wait: Bool)
}
