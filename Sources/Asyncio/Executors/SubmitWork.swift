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
