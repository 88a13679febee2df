import Asyncio
import Synchronization
import Trio

/// An executor for ``TrioEventLoop/runInExecutor(_:_:)`` that runs each call in a Trio worker
/// thread (`ToThread.runSync`): trio-asyncio's `TrioExecutor`.
///
/// Flavor: sync. Each call takes one token of `limiter` for as long as it runs, and nothing else,
/// so a limiter of one serialises the calls and never deadlocks (trio-asyncio #116, #143). A
/// ``TrioEventLoop`` uses one without a limiter (Trio's default thread limiter) by default.
public final class TrioExecutor: ConcurrentExecutor, @unchecked Sendable {
    /// The limiter each call takes a token from (`nil`: Trio's default thread limiter).
    public let limiter: CapacityLimiter?
    private let running = Atomic<Bool>(true)

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - limiter: the limiter to take tokens from.
    ///   - maxWorkers: when no `limiter` is given, a new limiter with this many tokens.
    public init(limiter: CapacityLimiter? = nil, maxWorkers: Int? = nil) {
        if let limiter {
            self.limiter = limiter
        } else if let maxWorkers {
            self.limiter = CapacityLimiter(max(1, maxWorkers))
        } else {
            self.limiter = nil
        }
    }

    /// Runs `work` in a Trio worker thread of the loop running on this thread.
    ///
    /// Flavor: sync, on a ``TrioEventLoop``'s thread (``TrioEventLoop/runInExecutor(_:_:)`` is the
    /// usual way in). - Throws: `RuntimeError` once shut down, or when no ``TrioEventLoop`` runs here.
    public func submit(_ work: @escaping @Sendable () -> Void) throws {
        try checkRunning()
        guard let loop = (try? getRunningLoop()) as? TrioEventLoop else {
            throw RuntimeError("TrioExecutor runs its work through a TrioEventLoop: submit it from one")
        }
        let limiter = self.limiter
        _ = try loop.trioAsFuture { try await ToThread.runSync(limiter: limiter, work) }
    }

    /// Refuses new work; calls already submitted run to the end (they are Trio tasks of the loop).
    ///
    /// Flavor: sync.
    public func shutdown(wait: Bool) {
        running.store(false, ordering: .relaxed)
    }

    func checkRunning() throws {
        guard running.load(ordering: .relaxed) else { throw RuntimeError("Executor is down") }
    }
}
