import Asyncio

extension Scope {
    /// From now on, the scope ends (silently) as soon as no awaited task is left — at once if there is none.
    /// ``run(_:)->_`` calls it when its body ends.
    ///
    /// Flavor: sync.
    public func finalize() {
        guard lifecycle.finalize() else { return }
        logger.debug("finalizing \(description)")
        endIfIdle()
    }

    /// Cancels the scope: its timeout stops, every task still running is cancelled and joined (each for up to
    /// its `cancelTimeout`), and a body of ``run(_:)->_`` still running is cancelled. Then the scope is finished:
    /// ``run(_:)->_`` and ``wait()`` raise `error`, or end silently when it is `nil`.
    ///
    /// Flavor: sync. The first call wins; later ones do nothing. A task that ignores its cancellation past its
    /// `cancelTimeout` is logged at error level and left running: the scope finishes without it.
    ///
    /// - Parameter error: The error the scope raises (unwrapped), `nil` for a silent end.
    public func cancel(_ error: (any Error)? = nil) {
        guard let loop, lifecycle.cancel(reason: error) else { return }
        logger.debug("cancelling \(description)\(error.map { " with \($0)" } ?? "")")
        timeoutHandle?.cancel()
        timeoutHandle = nil
        for entry in entries.values.sorted(by: { $0.serial < $1.serial }) where !entry.isDone {
            logger.debug("cancelling active \(entry) from \(description)")
            joining.insert(entry.serial)
            entry.cancel()
            let serial = entry.serial
            // `.infinity`: wait as long as it takes.
            guard entry.cancelTimeout.isFinite else { continue }
            do {
                entry.joinTimer = try loop.callLater(entry.cancelTimeout) { [self] in joinTimedOut(serial) }
            } catch {
                // A closed loop runs nothing more: do not wait for this task.
                logger.error("\(description): cannot time the join of \(entry): \(error)")
                joining.remove(serial)
            }
        }
        if case .inBody(let task, cancelRequested: false) = host {
            // Get the body of `run` out of its awaits: the way `async with` ends early in traio.
            host = .inBody(task: task, cancelRequested: true)
            task.cancel()
        }
        finishIfJoined()
    }

    /// A supervised task or child scope is over: log it, bubble its error, honour `master`, and see whether
    /// the scope ends.
    func entryDone(_ serial: Int) {
        guard let entry = entries.removeValue(forKey: serial) else { return }
        if entry.awaited { awaitedCount -= 1 }
        entry.joinTimer?.cancel()
        entry.joinTimer = nil
        let wasJoined = joining.remove(serial) != nil
        switch entry.outcome {
        case .succeeded:
            logger.debug("\(entry) done")
        case .cancelled:
            logger.debug("\(entry) got cancelled")
        case .failed(let error):
            logger.debug("\(entry) got an exception: \(error)")
            if wasJoined { logger.warning("\(entry) got an exception after cancellation: \(error)") }
            if entry.bubble { cancel(error) }
        }
        if entry.master { cancel() }
        endIfIdle()
        finishIfJoined()
    }

    /// A cancelled task outlived its `cancelTimeout`: give up waiting for it (it stays listed until it ends).
    private func joinTimedOut(_ serial: Int) {
        guard joining.remove(serial) != nil, let entry = entries[serial] else { return }
        entry.joinTimer = nil
        logger.error("\(entry) could not be cancelled in time (\(entry.cancelTimeout) s) in \(description)")
        finishIfJoined()
    }

    /// A finalized scope with no awaited task left ends (traio's `_may_be_done`).
    private func endIfIdle() {
        if case .finalized = lifecycle, awaitedCount == 0 { cancel() }
    }

    /// A cancelling scope whose tasks are all joined is finished: wake its waiters.
    private func finishIfJoined() {
        guard joining.isEmpty, lifecycle.resolve() else { return }
        logger.debug("\(description) finished")
        let actions = onFinish
        onFinish = []
        for action in actions { action() }
    }
}
