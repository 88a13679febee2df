import Synchronization
import TrioPlatform

/// Runs `function` on `executor` and completes a future of `loop` with its outcome, through
/// ``AbstractEventLoop/callSoonThreadsafe(_:)``.
///
/// Cancelling the future works as cancelling CPython's wrapped `concurrent.futures.Future`: a call that has not
/// started yet never runs (its work item does nothing when its turn comes), while a call already running goes
/// on to the end and its outcome is dropped. The cancellation reaches the work item through a done-callback of
/// the future, one loop iteration after ``Future/cancel(message:)``, as CPython's chained futures do.
///
/// Flavor: sync. - Throws: what `executor.submit` throws.
public func submitWork<T: Sendable>(
    to executor: any ConcurrentExecutor, on loop: any AbstractEventLoop,
    _ function: @escaping @Sendable () throws -> T
) throws -> Future<T> {
    let future = loop.createFuture(of: T.self)
    future.role = .executor
    let target = UncheckedSendable(future)
    let claim = WorkClaim()
    try executor.submit {
        guard claim.start() else { return }
        let outcome = Result { try function() }
        _ = try? loop.callSoonThreadsafe {
            target.value.setOutcomeUnlessDone(outcome)
        }
    }
    future.addDoneCallback { done in
        if done.cancelled { claim.cancel() }
    }
    return future
}

/// Who gets a submitted call first: the worker starting it or the loop cancelling it (CPython's
/// `set_running_or_notify_cancel` against `Future.cancel`). The two run on different threads.
private final class WorkClaim: Sendable {
    private static let pending = 0, running = 1, cancelled = 2
    private let state = Atomic<Int>(WorkClaim.pending)

    /// Marks the call running; `false` when it was cancelled first.
    func start() -> Bool {
        state.compareExchange(expected: Self.pending, desired: Self.running, ordering: .acquiringAndReleasing)
            .exchanged
    }

    /// Marks the call cancelled unless it already started.
    func cancel() {
        _ = state.compareExchange(expected: Self.pending, desired: Self.cancelled, ordering: .acquiringAndReleasing)
    }
}
