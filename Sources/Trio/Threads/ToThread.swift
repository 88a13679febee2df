import TrioPlatform

/// Running blocking, synchronous code on a worker thread while the run carries on (Trio's
/// `trio.to_thread`). Flavor: Trio.
public enum ToThread {
    /// Borrows a token on behalf of one thread.
    private final class ThreadPlaceholder: CustomStringConvertible {
        let name: String
        init(name: String) { self.name = name }
        var description: String { "<thread \(name)>" }
    }

    /// What the waiting task learns from the thread, on the run's thread.
    private final class Call<T: Sendable>: @unchecked Sendable {
        let mailbox = HostMailbox()
        var result: Result<T, any Error>?
        let limiter: CapacityLimiter
        let placeholder: ThreadPlaceholder
        let activeThreads: ActiveThreads

        init(limiter: CapacityLimiter, placeholder: ThreadPlaceholder, activeThreads: ActiveThreads) {
            self.limiter = limiter
            self.placeholder = placeholder
            self.activeThreads = activeThreads
        }

        /// The thread finished (on the run's thread): give the token back, then wake the task
        /// unless it abandoned the call.
        func finish(_ outcome: Result<T, any Error>) {
            try? limiter.releaseOnBehalfOf(placeholder)
            activeThreads.threadFinished()
            result = outcome
            mailbox.wakeIfWaiting()
        }
    }

    private static let defaultLimiterKey = ObjectIdentifier(ToThread.self)

    /// The name of the ``runSync(limiter:abandonOnCancel:threadName:_:)`` call running on the
    /// calling thread (its `threadName`, uncut), or `nil` when the calling thread is not running
    /// one. Flavor: sync; any thread.
    public static var currentThreadName: String? { WorkerContext.current.value?.threadName }

    /// The number of tokens of each run's default limiter.
    public static let defaultThreadLimit = 40

    /// The limiter ``runSync(limiter:abandonOnCancel:threadName:_:)`` uses when given none: one per run,
    /// with ``defaultThreadLimit`` tokens; change its ``CapacityLimiter/totalTokens`` to allow
    /// more or fewer threads. Flavor: sync.
    ///
    /// - Throws: `RuntimeError` outside a run.
    public static func currentDefaultThreadLimiter() throws -> CapacityLimiter {
        let runner = try currentRunner("ToThread.currentDefaultThreadLimiter")
        if let limiter = runner.runLocals[defaultLimiterKey] as? CapacityLimiter { return limiter }
        let limiter = CapacityLimiter(defaultThreadLimit)
        runner.runLocals[defaultLimiterKey] = limiter
        return limiter
    }

    /// Runs `fn` on a worker thread and returns its result, while other tasks keep running.
    /// Flavor: Trio; a checkpoint.
    ///
    /// The thread holds a token of `limiter` (default: ``currentDefaultThreadLimiter()``) while
    /// it runs, so at most that many run at once. A Swift thread cannot be interrupted, so
    /// cancellation follows Trio's rules:
    /// - cancelled before the thread starts (on entry, or while waiting for a token): throws
    ///   ``Cancelled`` and never runs `fn`;
    /// - `abandonOnCancel: false` (default): the task keeps waiting for `fn` and returns its
    ///   result; the cancellation shows at the next checkpoint (and to `fn` through
    ///   ``FromThread/checkCancelled()``);
    /// - `abandonOnCancel: true`: throws ``Cancelled`` at once; the thread finishes on its own
    ///   and its result is discarded (its token is released when it ends).
    ///
    /// Inside `fn`, ``FromThread/run(token:_:)`` and ``FromThread/runSync(token:_:)`` call back
    /// into the run.
    ///
    /// While `fn` runs, the worker thread is named `threadName` (Trio's `thread_name`), by
    /// default `ToThread.runSync from <task name>`: ``currentThreadName`` gives it in full, and
    /// the OS thread name (what `ps -L` and debuggers show) gets its first 15 bytes, the most
    /// Linux keeps. The thread gets its previous name back afterwards.
    ///
    /// - Throws: what `fn` threw; ``Cancelled``; `OSError` if no thread could be started;
    ///   `RuntimeError` outside a Trio task.
    public static func runSync<T: Sendable>(
        limiter: CapacityLimiter? = nil, abandonOnCancel: Bool = false, threadName: String? = nil,
        _ fn: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let task = try currentTrioTask("ToThread.runSync")
        try await checkpointIfCancelled()
        let limiter = try limiter ?? currentDefaultThreadLimiter()
        let name = threadName ?? "ToThread.runSync from \(task.name)"
        let placeholder = ThreadPlaceholder(name: name)
        try await limiter.acquireOnBehalfOf(placeholder)

        let activeThreads = ActiveThreads.of(task.runner)
        let call = Call<T>(limiter: limiter, placeholder: placeholder, activeThreads: activeThreads)
        call.mailbox.task = task
        let token = task.runner.token
        let context = WorkerContext(
            token: token, host: abandonOnCancel ? nil : call.mailbox,
            threadName: name)
        activeThreads.threadStarted()
        do {
            try WorkerThreadPool.shared.submit {
                WorkerContext.current.set(context)
                let previousName = OSThreadName.current
                OSThreadName.set(name)
                let outcome = Result { try fn() }
                OSThreadName.set(previousName)
                WorkerContext.current.set(nil)
                // If the run is over (only possible for an abandoned call) nobody wants it.
                try? token.runSyncSoon { call.finish(outcome) }
            }
        } catch {
            activeThreads.threadFinished()
            try? limiter.releaseOnBehalfOf(placeholder)
            throw error
        }

        while true {
            if let result = call.result { return try result.get() }
            if let request = call.mailbox.requests.popFirst() {
                await request()
                continue
            }
            call.mailbox.waiting = true
            let error = await task.runner.park(task, for: .thread) { raise in
                context.requestCancel(reason: (raise.error as? Cancelled)?.reason)
                guard abandonOnCancel else { return .failed }
                call.mailbox.waiting = false
                call.mailbox.task = nil
                return .succeeded
            }
            if let error { throw error }
        }
    }
}
