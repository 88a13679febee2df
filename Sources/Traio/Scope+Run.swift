import Asyncio

extension Scope {
    /// Runs `body` inside the scope, then finalizes it and waits for it to end: traio's `async with scope`.
    ///
    /// While `body` runs, ``current`` is this scope, and a cancel of the scope (timeout, bubbling error,
    /// master task, ``cancel(_:)``) cancels the task running `body`, so that its next await throws
    /// `CancelledError`. An error thrown by `body` cancels the scope with that error, which is raised
    /// once the tasks are cancelled and joined.
    ///
    /// Flavor: asyncio (from an asyncio task). A checkpoint: it waits for the scope's tasks.
    ///
    /// When the scope had been cancelled silently before `body` ended, `run` raises nothing (it swallows the
    /// `CancelledError` the cancel delivered to `body`, as traio does); then, if `body` did not return, a
    /// `Void` body returns normally, and a body with a result — which has none to give — rethrows its error.
    ///
    /// - Parameter body: The code of the `async with` block; it gets the scope.
    /// - Returns: What `body` returned.
    /// - Throws: the error the scope was cancelled with (`TimeoutError`, a task's error, `body`'s
    ///   error); `CancelledError` when the calling task is cancelled from outside (after the scope,
    ///   cancelled in turn, has joined its tasks); the scope's creation error; `RuntimeError` when the scope
    ///   was entered before; `FlavorError` outside an asyncio task.
    @discardableResult
    public func run<T>(_ body: (Scope) async throws -> T) async throws -> T {
        try await enter(body)
    }

    /// ``run(_:)->_`` for a block without a result: traio's `async with scope:` exactly (a silent cancel makes it
    /// return normally whatever the block threw). Also spares single-expression blocks such as
    /// `{ scope in try scope.spawn(work) }` the result type `AsyncioTask` where nothing is wanted.
    ///
    /// Flavor: asyncio (from an asyncio task). A checkpoint.
    ///
    /// - Parameter body: The code of the `async with` block; it gets the scope.
    /// - Throws: as ``run(_:)->_``.
    public func run(_ body: (Scope) async throws -> Void) async throws {
        try await enter(body)
    }

    private func enter<T>(_ body: (Scope) async throws -> T) async throws -> T {
        if let initError { throw initError }
        guard case .notEntered = host else { throw RuntimeError("can only enter \(self) once") }
        guard let task = Asyncio.currentTask() else {
            throw FlavorError("Scope.run called outside an asyncio task: call it from a task of a running loop")
        }
        host = .inBody(task: task, cancelRequested: false)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await Scope.withCurrent(self) { try await body(self) })
        } catch {
            outcome = .failure(error)
        }
        if case .inBody(_, cancelRequested: true) = host {
            // Withdraw our request; when `body` ended before an await delivered it, it is dropped.
            task.uncancel()
        }
        host = .exited
        if case .failure(let error) = outcome { cancel(error) }
        // A scope cancelled silently before the block ended swallows whatever comes (traio's `__aexit__`).
        let silent = lifecycle.isSilentlyCancelled
        finalize()
        do {
            try await wait()
        } catch {
            if !silent { throw error }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error):
            if T.self == Void.self, let nothing = () as? T { return nothing }
            throw error
        }
    }

    /// Waits until the scope is finished: traio's `await scope`. Without ``finalize()`` that is only after a
    /// cancel (explicit, timeout, bubbling error or master task), even when no task is left.
    ///
    /// Flavor: asyncio (from an asyncio task). A checkpoint when the scope is not finished yet.
    ///
    /// Cancelling the waiting task cancels the scope (silently), as cancelling a task that awaits a traio scope
    /// does; the wait goes on until the scope has joined its tasks, and then throws
    /// `CancelledError`.
    ///
    /// - Throws: the error the scope was cancelled with; `CancelledError` as above; the scope's creation
    ///   error; `FlavorError` outside an asyncio task.
    public func wait() async throws {
        if let initError { throw initError }
        guard let loop else { return }
        if !lifecycle.isFinished {
            do {
                try await finishSignal(on: loop).value
            } catch let cancellation as CancelledError {
                cancel()
                while !lifecycle.isFinished {
                    do {
                        try await finishSignal(on: loop).value
                    } catch is CancelledError {
                        // Cancelled again: one CancelledError goes out, once the scope is finished.
                    }
                }
                throw cancellation
            }
        }
        if let error = lifecycle.finishedError { throw error }
    }

    /// A new future completed with the scope's outcome when it finishes (the scope as traio's Future subclass):
    /// for `waitFor`, `shield`, `gather`. Cancelling this
    /// future before the scope finishes cancels the scope (silently), as cancelling traio's scope future does.
    ///
    /// Flavor: sync.
    ///
    /// - Returns: The future.
    /// - Throws: the scope's creation error.
    public func asFuture() throws -> Future<Void> {
        if let initError { throw initError }
        guard let loop else { throw RuntimeError("\(self) has no loop") }
        let future = loop.createFuture(of: Void.self)
        if lifecycle.isFinished {
            complete(future)
            return future
        }
        onFinish.append { [self] in complete(future) }
        future.addDoneCallback { [weak self] future in
            guard let self, future.cancelled, !lifecycle.isFinished else { return }
            cancel()
        }
        return future
    }

    /// A future set (to nothing) when the scope finishes; the waiter reads the outcome from the scope.
    private func finishSignal(on loop: any AbstractEventLoop) -> Future<Void> {
        let signal = loop.createFuture(of: Void.self)
        onFinish.append {
            if !signal.done { try? signal.setResult(()) }  // cannot throw: checked pending
        }
        return signal
    }

    private func complete(_ future: Future<Void>) {
        guard !future.done else { return }
        // Cannot throw: checked pending.
        if let error = lifecycle.finishedError {
            try? future.setException(error)
        } else {
            try? future.setResult(())
        }
    }
}
