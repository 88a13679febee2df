/// A handle on a run that other threads may hold: the one way to get work into the run from
/// outside it. Flavor: sync; thread-safe. Get it with ``Lowlevel/currentTrioToken()``.
public final class TrioToken: Sendable, Hashable {
    private let entryQueue: EntryQueue

    init(entryQueue: EntryQueue) { self.entryQueue = entryQueue }

    /// Schedules `fn` to run soon on the run's thread, in FIFO order with other such calls.
    /// Flavor: sync; callable from any thread, including signal-free contexts of other threads.
    ///
    /// - Parameters:
    ///   - idempotencyKey: if a callback with an equal key is queued and has not run yet, this call
    ///     does nothing.
    ///   - fn: the callback; it runs on the run's thread and must not block.
    /// - Throws: ``RunFinishedError`` once the run has ended.
    public func runSyncSoon(idempotencyKey: AnyHashable? = nil, _ fn: @escaping @Sendable () -> Void) throws {
        guard entryQueue.pushCallback(key: idempotencyKey, fn) else { throw RunFinishedError() }
    }

    /// Tokens of the same run are equal.
    public static func == (a: TrioToken, b: TrioToken) -> Bool { a.entryQueue === b.entryQueue }

    /// Hashes the run identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entryQueue)) }
}

extension Runner {
    /// The run's token: one object for the whole run, as Trio caches it.
    var token: TrioToken {
        if let token = cachedToken { return token }
        let token = TrioToken(entryQueue: entryQueue)
        cachedToken = token
        return token
    }
}
