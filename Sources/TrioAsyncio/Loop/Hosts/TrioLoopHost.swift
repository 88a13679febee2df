import Asyncio

/// Who runs a ``TrioEventLoop``'s loop task: everything in which a loop of ``openLoop(queueLen:_:)``
/// and a ``SyncTrioEventLoop`` differ. The loop calls it only off its hot path (running, stopping
/// while not running, closing, fd registrations while its run is not current), so an existential
/// costs nothing that shows.
///
/// Called on the loop's owner thread only.
protocol TrioLoopHost: AnyObject {
    /// What `stop()` means while the loop does not run.
    var stopWhileIdle: LoopState.StopWhileIdle { get }
    /// Whether the loop keeps calling its custom exception handler after `close()` (a standalone
    /// asyncio loop does; a loop of `openLoop` only logs, trio-asyncio #134).
    var handlerOutlivesClose: Bool { get }
    /// Whether an error the default exception handler gets from a `runTrioTask` task is raised out
    /// of the enclosing `openLoop` block.
    var raisesIntoOpenLoop: Bool { get }
    /// Whether a stopped loop fails the Trio tasks waiting on its futures: nothing would finish
    /// those futures after an `openLoop` loop's task returns, while a ``SyncTrioEventLoop``'s Trio
    /// tasks run only while the loop runs, so they keep waiting across its stops.
    var stopFailsBridgeWaiters: Bool { get }

    /// asyncio's `run_until_complete`.
    func runUntilComplete<T>(_ future: Future<T>, of loop: TrioEventLoop) throws -> T
    /// asyncio's `run_forever`.
    func runForever(_ loop: TrioEventLoop) throws
    /// The host's part of `close()`; `true` when it has closed the loop itself.
    func close(_ loop: TrioEventLoop) throws -> Bool
    /// Runs `body` with the loop's run installed on this thread, for fd registrations while the run
    /// is not current. - Throws: when the run has finished or another run is current.
    func withRunInstalled<R>(_ body: () throws -> R) throws -> R
    /// `trioAsFuture` while the loop does not run: the host's own way, or `nil` for the usual one.
    func trioAsFutureWhileNotRunning<T>(_ proc: @escaping () async throws -> T, on loop: TrioEventLoop) throws
        -> Future<T>?
}

/// The host of a loop of ``openLoop(queueLen:_:)``: the caller's Trio run, which runs the loop task
/// for as long as the `openLoop` block; the blocking calls are refused.
final class EnclosingRunHost: TrioLoopHost {
    var stopWhileIdle: LoopState.StopWhileIdle { .ignored }
    var handlerOutlivesClose: Bool { false }
    var raisesIntoOpenLoop: Bool { true }
    var stopFailsBridgeWaiters: Bool { true }

    func runUntilComplete<T>(_ future: Future<T>, of loop: TrioEventLoop) throws -> T {
        throw RuntimeError(
            "runUntilComplete cannot run a TrioEventLoop, which runs inside Trio: await the future with "
                + "runAioFuture(_:) (or aioAsTrio) from a Trio task, or use SyncTrioEventLoop for a blocking loop")
    }

    func runForever(_ loop: TrioEventLoop) throws {
        throw RuntimeError(
            "runForever cannot run a TrioEventLoop, which runs inside Trio: it runs for as long as its openLoop "
                + "block; await asyncio work with runAioFuture(_:), or use SyncTrioEventLoop for a blocking loop")
    }

    func close(_ loop: TrioEventLoop) throws -> Bool { false }

    func withRunInstalled<R>(_ body: () throws -> R) throws -> R {
        throw RuntimeError("the loop's Trio run has finished")
    }

    func trioAsFutureWhileNotRunning<T>(_ proc: @escaping () async throws -> T, on loop: TrioEventLoop) throws
        -> Future<T>?
    {
        nil
    }
}
