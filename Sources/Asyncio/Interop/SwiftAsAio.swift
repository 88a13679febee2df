import Sniffio
import TrioPlatform

/// Runs plain Swift-concurrency code (anything cancelled only through `Task.cancel()`) for
/// asyncio code, behind a future of the running loop. Flavor: sync (call it on a running loop's
/// thread: in an asyncio task or callback); `await future.value` in a task waits for the result.
///
/// `body` runs as a child Swift task on Swift's global concurrent executor, never on the loop's
/// thread; task-local values of the caller flow into it by copy, except asyncio's own (it is
/// plain Swift code: no asyncio API works in it, and Sniffio finds no async library there).
///
/// The future follows trio-asyncio's rule for `trio_as_aio`: ``Future/cancel(message:)`` cancels
/// the child with `Task.cancel()` and returns `true`, but the future stays pending until the
/// child has really finished. It then ends cancelled if the child threw `CancellationError`, and
/// otherwise with what the child produced, a value that came too late included, as an asyncio
/// task that catches its cancellation does. So a task awaiting the future, when cancelled, goes on
/// only once the Swift code has stopped. The future completes itself: ``Future/setResult(_:)``
/// and ``Future/setException(_:)`` throw `RuntimeError`.
///
/// ```swift
/// let future = try swiftAsAio { try await Task.sleep(for: .seconds(10)); return 1 }
/// let value = try await waitFor(future, timeout: 1)   // TimeoutError after one second
/// ```
///
/// - Parameter body: the plain Swift async code.
/// - Returns: a future of the running loop that completes with the child's outcome.
/// - Throws: `FlavorError` when no asyncio loop is running on this thread.
public func swiftAsAio<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> Future<T> {
    guard let loop = runningLoopIfAny() else {
        throw FlavorError(
            "swiftAsAio called outside a running asyncio loop: call it from a task or callback of a running "
                + "loop (Asyncio.run / loop.runUntilComplete)")
    }
    let future = SwiftChildFuture<T>(loop: loop)
    future.start(body)
    return future
}

/// The future of one ``swiftAsAio(_:)`` call.
///
/// Invariant: every stored property is touched on the loop's thread only; the child reports its
/// outcome through ``AbstractEventLoop/callSoonThreadsafe(_:)``.
final class SwiftChildFuture<T: Sendable>: Future<T> {
    private var child: Task<Void, Never>?
    /// Set by the first ``cancel(message:)``: the message the future ends cancelled with.
    private var cancelRequest: String??

    func start(_ body: @escaping @Sendable () async throws -> T) {
        let target = UncheckedSendable(self)
        let loop = self.loop
        child = Task(executorPreference: globalConcurrentExecutor) {
            let result: Result<T, any Error>
            do {
                result = .success(try await TaskContext.$current.withValue(nil) {
                    try await AsyncLibrary.$taskLibrary.withValue(nil) { try await body() }
                })
            } catch {
                result = .failure(error)
            }
            // A refusal means the loop is closed: nobody is left who could look at the future.
            _ = try? loop.callSoonThreadsafe { target.value.childFinished(result) }
        }
    }

    private func childFinished(_ result: Result<T, any Error>) {
        if let message = cancelRequest, case .failure(let error) = result, error is CancellationError {
            finishCancelled(message: message)
        } else {
            setOutcomeUnlessDone(result)
        }
    }

    /// Cancels the child task; the future ends once the child has finished. `false` when the future
    /// is already done.
    override func cancel(message: String? = nil) -> Bool {
        if done { return false }
        if cancelRequest == nil {
            cancelRequest = .some(message)
            child?.cancel()
        }
        return true
    }

    /// The child completes the future.
    ///
    /// - Throws: `RuntimeError` always.
    override func setResult(_ value: T) throws {
        throw RuntimeError("a swiftAsAio future is completed by its Swift task")
    }

    /// The child completes the future.
    ///
    /// - Throws: `RuntimeError` always.
    override func setException(_ error: any Error) throws {
        throw RuntimeError("a swiftAsAio future is completed by its Swift task")
    }
}
