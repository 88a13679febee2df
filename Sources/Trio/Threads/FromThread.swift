import TrioPlatform

/// Calling back into a Trio run from another thread (Trio's `trio.from_thread`). Flavor: sync;
/// these functions block the calling thread and must not be called from the run's own thread.
///
/// From a worker started by ``ToThread/runSync(limiter:abandonOnCancel:threadName:_:)`` no token is needed:
/// the work runs in the task that waits for the worker (inside its cancel scopes), or, for an
/// abandonable call, in a system task. From any other thread pass the run's token (from
/// ``Lowlevel/currentTrioToken()``); the work then runs in a system task.
public enum FromThread {
    private static func route(_ token: TrioToken?, _ api: String) throws -> (TrioToken, HostMailbox?) {
        if Runner.currentOnThread.value != nil {
            throw RuntimeError("\(api) is a blocking function; call it from a thread, not from the Trio run's thread")
        }
        if let token { return (token, nil) }
        guard let context = WorkerContext.current.value else {
            throw RuntimeError(
                "this thread wasn't created by Trio (ToThread.runSync); pass token: to \(api)")
        }
        return (context.token, context.host)
    }

    /// Runs the async `fn` in the Trio run and returns its result, blocking this thread until it
    /// is done. Flavor: sync (blocks the calling thread); `fn` runs Trio-flavored.
    ///
    /// - Throws: what `fn` threw (including ``Cancelled`` if the task serving it is cancelled);
    ///   ``RunFinishedError`` if the run is over; `RuntimeError` on the run's own thread, or
    ///   with no token outside a Trio worker thread.
    public static func run<T: Sendable>(
        token: TrioToken? = nil, _ fn: sending @escaping () async throws -> T
    ) throws -> T {
        let (token, host) = try route(token, "FromThread.run")
        let mailbox = ThreadMailbox<Result<T, any Error>>()
        let body = UncheckedSendable(fn)
        if let host {
            try token.runSyncSoon {
                host.post {
                    // Like Trio: schedule points around the call, which runs in the host task.
                    await Lowlevel.cancelShieldedCheckpoint()
                    let outcome: Result<T, any Error>
                    do { outcome = .success(try await body.value()) } catch { outcome = .failure(error) }
                    await Lowlevel.cancelShieldedCheckpoint()
                    mailbox.put(outcome)
                }
            }
        } else {
            try token.runSyncSoon {
                do {
                    try Lowlevel.spawnSystemTask(name: "FromThread.run") {
                        let outcome: Result<T, any Error>
                        do { outcome = .success(try await body.value()) } catch { outcome = .failure(error) }
                        mailbox.put(outcome)
                    }
                } catch {
                    mailbox.put(.failure(RunFinishedError()))
                }
            }
        }
        return try mailbox.take().get()
    }

    /// Runs the synchronous `fn` on the run's thread and returns its result, blocking this thread
    /// until it is done. Flavor: sync.
    ///
    /// - Throws: what `fn` threw; ``RunFinishedError`` if the run is over; `RuntimeError` on
    ///   the run's own thread, or with no token outside a Trio worker thread.
    public static func runSync<T: Sendable>(
        token: TrioToken? = nil, _ fn: sending @escaping () throws -> T
    ) throws -> T {
        let (token, host) = try route(token, "FromThread.runSync")
        let mailbox = ThreadMailbox<Result<T, any Error>>()
        let body = UncheckedSendable(fn)
        if let host {
            try token.runSyncSoon {
                host.post { mailbox.put(Result { try body.value() }) }
            }
        } else {
            try token.runSyncSoon { mailbox.put(Result { try body.value() }) }
        }
        return try mailbox.take().get()
    }

    /// Throws ``Cancelled`` if the task waiting for this worker thread has been cancelled
    /// (Trio's `from_thread_check_cancelled`): lets a long `ToThread.runSync` function stop
    /// early. Flavor: sync; call it from the worker thread.
    ///
    /// - Throws: ``Cancelled``; `RuntimeError` on a thread not started by ``ToThread``.
    public static func checkCancelled() throws {
        guard let context = WorkerContext.current.value else {
            throw RuntimeError("this thread wasn't created by Trio, can't check for cancellation")
        }
        if context.cancelRequested.load(ordering: .acquiring) {
            throw Cancelled(reason: context.cancelReason)
        }
    }
}
