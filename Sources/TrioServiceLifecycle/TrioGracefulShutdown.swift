#if ServiceLifecycle
import Synchronization
import Trio

/// A Trio program's view of its service's graceful shutdown (see ``TrioService``). Flavor: Trio
/// (every member but ``gracePeriod`` is for the Trio tasks of the run it was handed to).
///
/// Graceful shutdown is one event of the run: when it begins, the scopes of
/// ``cancelOnShutdown(_:)`` are cancelled, ``wait()`` returns, ``isRequested`` becomes true, and
/// the scope around the whole program gets its deadline, *now + ``gracePeriod``*.
///
/// Invariant: `phase` is guarded by its mutex and read from any thread; everything else belongs
/// to the run's thread (the request reaches it through `TrioToken/runSyncSoon(idempotencyKey:_:)`).
/// A request that arrives before the run has started is kept in `phase` and applied at the start.
public final class TrioGracefulShutdown: @unchecked Sendable {
    private enum Phase {
        case waiting(requested: Bool)
        case attached(TrioToken)
        case finished
    }

    /// The seconds in-flight work gets after graceful shutdown begins.
    public let gracePeriod: Double

    private let phase = Mutex(Phase.waiting(requested: false))
    private let began = Event()
    private var programScope: CancelScope?
    private var acceptScopes: [ObjectIdentifier: CancelScope] = [:]

    init(gracePeriod: Double) {
        self.gracePeriod = gracePeriod
    }

    /// Whether graceful shutdown has begun. Flavor: sync (the run's thread).
    public var isRequested: Bool { began.isSet }

    /// Waits until graceful shutdown begins. Flavor: Trio; a checkpoint.
    ///
    /// - Throws: `Cancelled`.
    public func wait() async throws {
        try await began.wait()
    }

    /// Runs `body` in a cancel scope that graceful shutdown cancels at once: the place for the
    /// part of a program that must stop first, such as a server's accept loop. Flavor: Trio.
    ///
    /// - Parameter body: the work to stop when graceful shutdown begins.
    /// - Returns: what `body` returned, or `nil` when graceful shutdown cut it short (or had
    ///   begun before the call: then `body` sees a cancelled scope from its first checkpoint).
    /// - Throws: what `body` throws, except the cancellation this scope absorbs.
    public func cancelOnShutdown<T>(_ body: () async throws -> T) async throws -> T? {
        let scope = CancelScope()
        let key = ObjectIdentifier(scope)
        if began.isSet { scope.cancel(reason: "graceful shutdown") }
        acceptScopes[key] = scope
        defer { acceptScopes[key] = nil }
        return try await scope.run(body)
    }

    // MARK: Any thread

    /// Asks for graceful shutdown (the service's graceful-shutdown handler). Idempotent.
    func request() {
        let token = phase.withLock { phase -> TrioToken? in
            switch phase {
            case .waiting: phase = .waiting(requested: true); return nil
            case .attached(let token): return token
            case .finished: return nil
            }
        }
        // RunFinishedError: the program is over already, and nothing is left to shut down.
        try? token?.runSyncSoon(idempotencyKey: ObjectIdentifier(self)) { self.begin() }
    }

    // MARK: The run's thread

    /// Runs the program in the scope that gets the grace deadline.
    func host(_ program: () async throws -> Void) async throws {
        let token = try Lowlevel.currentTrioToken()
        let scope = CancelScope()
        programScope = scope
        let early = phase.withLock { phase -> Bool in
            guard case .waiting(let requested) = phase else { return false }
            phase = .attached(token)
            return requested
        }
        defer {
            phase.withLock { $0 = .finished }
            programScope = nil
        }
        if early { begin() }
        // The grace deadline's cancellation ends here: the program was cut short, as asked.
        _ = try await scope.run(program)
    }

    private func begin() {
        guard !began.isSet else { return }
        began.set()
        for scope in acceptScopes.values { scope.cancel(reason: "graceful shutdown") }
        programScope?.relativeDeadline = gracePeriod
    }
}
#endif
