import Sniffio

/// Runs plain Swift-concurrency code (anything cancelled only through `Task.cancel()`:
/// `Task.sleep`, AsyncHTTPClient, swift-async-algorithms, …) under Trio's cancel scopes, and
/// returns its result. Flavor: Trio; a checkpoint (a schedule point, and a cancel point as
/// described below), even when `body` returns at once.
///
/// `body` runs as a child Swift task on Swift's global concurrent executor, never on the run's
/// thread, so it may await anything; task-local values of the calling task flow into it by copy
/// (except Sniffio's flavor marker: `body` is plain Swift code, not Trio code). The calling Trio task
/// waits for it the way Trio's blocking calls wait, so other Trio tasks keep running meanwhile.
///
/// When a cancel scope around the call is cancelled (or its deadline passes) while `body` runs,
/// the child is cancelled with `Task.cancel()` and the call keeps waiting until it has really
/// finished; then it throws ``Cancelled``, unless the child finished anyway: a value it returned
/// is returned (the scope's cancellation is then seen at the next checkpoint), and an error other
/// than `CancellationError` propagates unchanged. This is trio-asyncio's rule for `aio_as_trio`. A
/// `CancellationError` thrown after that cancel becomes ``Cancelled``; one that `body` throws on
/// its own, with no Trio cancellation, propagates unchanged. A shielded scope hides outer
/// cancellation from the child, as from any checkpoint. If the task is already cancelled when it
/// calls this, `body` never starts and the call throws ``Cancelled``.
///
/// ```swift
/// // Stops after one second: Task.sleep is cancelled through Task.cancel().
/// try await moveOnAfter(1) {
///     try await swiftAsTrio { try await Task.sleep(for: .seconds(10)) }
/// }
/// ```
///
/// `body` must not call Trio APIs: it is not a Trio task and does not run on the run's thread.
/// To call back into a Trio run from plain Swift code, use a ``TrioThread`` or ``FromThread``.
/// The child needs a free thread of Swift's cooperative pool: inside a `Trio.run` that itself
/// holds one, prefer ``runAsync(clock:instruments:strictExceptionGroups:_:)``.
///
/// - Parameter body: the plain Swift async code.
/// - Returns: what `body` returned.
/// - Throws: what `body` threw (see above for `CancellationError`); ``Cancelled``;
///   `RuntimeError` outside a Trio task.
public func swiftAsTrio<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = try currentTrioTask("swiftAsTrio")
    // A cancelled task does not start work it would cancel at once.
    try await checkpointIfCancelled()
    let call = SwiftChildCall<T>(task: task)
    call.start(body)
    if let error = await task.runner.park(task, for: .swiftAsTrio, abort: { call.abort($0) }) {
        // Only a misuse of the task reaches here, before it parked: the child may still run, but
        // it touches nothing of the run until it finishes, and then only through the runner.
        call.cancelChild()
        throw error
    }
    return try call.takeOutcome()
}

/// One ``swiftAsTrio(_:)`` call: its child Swift task and what the waiting Trio task will see.
///
/// Invariant: `cancel` and `outcome` are only touched on the run's thread. The abort callback
/// runs there, and the child, once `body` has finished, hops onto the runner (as a plain job of
/// the child's Swift task) before it records the outcome and wakes the task. So no lock is
/// needed, and the outcome is recorded only when the user's code is really over.
final class SwiftChildCall<T: Sendable>: @unchecked Sendable {
    private let task: TrioTask
    private var child: Task<Void, Never>?
    /// Set by the abort callback: the Trio cancellation the child was told about.
    private var cancel: RaiseCancel?
    private var outcome: Result<T, any Error>?

    init(task: TrioTask) { self.task = task }

    func start(_ body: @escaping @Sendable () async throws -> T) {
        // The child holds the runner strongly: the run cannot end before the waiting task wakes.
        let runner = task.runner
        child = Task(executorPreference: globalConcurrentExecutor) {
            let result: Result<T, any Error>
            do {
                result = .success(try await AsyncLibrary.$taskLibrary.withValue(nil) { try await body() })
            } catch {
                result = .failure(error)
            }
            await withTaskExecutorPreference(runner) {
                await self.finishOnRunner(result, runner: runner)
            }
        }
    }

    /// The child's last step, on the run's thread.
    @concurrent
    private func finishOnRunner(_ result: Result<T, any Error>, runner: Runner) async {
        precondition(runner.isLoopThread, "swiftAsTrio: the child's completion did not reach the run's thread")
        if let cancel, case .failure(let error) = result, error is CancellationError {
            outcome = .failure(cancel.error)
        } else {
            outcome = result
        }
        runner.reschedule(task)
    }

    /// The Trio task is cancelled: pass it on to the child and keep waiting for it.
    func abort(_ raise: RaiseCancel) -> Abort {
        cancel = raise
        child?.cancel()
        return .failed
    }

    func cancelChild() { child?.cancel() }

    func takeOutcome() throws -> T {
        guard let outcome else { throw TrioInternalError("swiftAsTrio woke up before its child finished") }
        return try outcome.get()
    }
}
