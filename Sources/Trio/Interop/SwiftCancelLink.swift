import TrioPlatform

/// Carries a Swift task's cancellation (`Task.cancel()`, seen by `withTaskCancellationHandler`)
/// into a Trio run on another thread, as the cancellation of a ``CancelScope`` around the work
/// that task awaits. Flavor: internal.
///
/// Invariant: `phase` is guarded by its lock and read from any thread; `scope` and `requested`
/// belong to the run's thread (the scope's owner sets them, and the cancel request reaches them
/// through ``TrioToken/runSyncSoon(idempotencyKey:_:)``). A request that arrives before the work
/// has started (the Swift task was cancelled before it even asked) is remembered in `phase` and
/// applied when the scope is entered.
final class SwiftCancelLink: @unchecked Sendable {
    private enum Phase {
        case waiting(cancelRequested: Bool)
        case attached(TrioToken)
        case finished
    }

    private let phase = ThreadLock(Phase.waiting(cancelRequested: false))
    private var scope: CancelScope?
    /// Whether the Swift side asked for cancellation (run's thread only).
    private(set) var requested = false

    static let reason = "the awaiting Swift task was cancelled"

    init() {}

    /// Asks for the work to be cancelled. Any thread; idempotent.
    func cancel() {
        let token = phase.withLock { phase -> TrioToken? in
            switch phase {
            case .waiting: phase = .waiting(cancelRequested: true); return nil
            case .attached(let token): return token
            case .finished: return nil
            }
        }
        guard let token else { return }
        // RunFinishedError means the run ended meanwhile, and the work with it: nothing is left to
        // cancel, and whoever awaited the work has its outcome already.
        try? token.runSyncSoon { self.cancelOnRunThread() }
    }

    private func cancelOnRunThread() {
        requested = true
        scope?.cancel(reason: Self.reason)
    }

    /// Runs `body` inside a scope that ``cancel()`` cancels. On the run's thread, in a Trio task.
    ///
    /// - Returns: the body's value, or `nil` when the scope absorbed the cancellation it asked for.
    /// - Throws: what `body` throws.
    func run<T>(token: TrioToken, _ body: () async throws -> T) async throws -> T? {
        let scope = CancelScope()
        self.scope = scope
        let early = phase.withLock { phase -> Bool in
            guard case .waiting(let cancelRequested) = phase else { return false }
            phase = .attached(token)
            return cancelRequested
        }
        if early { cancelOnRunThread() }
        defer {
            self.scope = nil
            phase.withLock { $0 = .finished }
        }
        return try await scope.run(body)
    }
}
