import Asyncio

extension Scope {
    /// Starts `body` as an asyncio task supervised by the scope (inside it, ``current`` is this scope).
    ///
    /// Flavor: sync (call it on the scope's loop); `body` is asyncio-flavored. Not a checkpoint: the task's first
    /// step runs on a later loop iteration.
    ///
    /// Awaiting the returned task (`try await task.value`, `waitFor`, `gather`, …) or adding a done-callback to
    /// it turns its bubbling off: whoever observes its end handles its error (traio's rule).
    ///
    /// - Parameters:
    ///   - name: The task's name (default `Task-N`).
    ///   - master: When the task ends, however it ends, the scope is cancelled: silently, unless the task's error
    ///     bubbles.
    ///   - bubble: An error of the task cancels the scope, which then raises it.
    ///   - awaited: A finalized scope waits for the task. When only tasks with `awaited: false` are left, the
    ///     scope ends and cancels them; their errors still bubble until then.
    ///   - cancelTimeout: How long, in seconds, a cancelling scope waits for the task to stop before logging
    ///     that it refuses to die and going on without it (`.infinity`: as long as it takes).
    ///   - body: The task's code.
    /// - Returns: The task.
    /// - Throws: the scope's creation error; `RuntimeError` when the scope is cancelled or finished;
    ///   `ValueError` for a negative or NaN `cancelTimeout`; the loop's scheduling errors (closed loop).
    @discardableResult
    public func spawn<T>(
        name: String? = nil, master: Bool = false, bubble: Bool = true, awaited: Bool = true,
        cancelTimeout: Double = 1, _ body: @escaping () async throws -> T
    ) throws -> AsyncioTask<T> {
        let loop = try loopAcceptingTasks("spawn tasks on")
        guard cancelTimeout >= 0 else {
            throw ValueError("cancelTimeout must be a non-negative number of seconds, not \(cancelTimeout)")
        }
        let task = try loop.createTask(name: name) { [self] in
            try await Scope.withCurrent(self, body)
        }
        let entry = register(
            .task(task), loop: loop, master: master, bubble: bubble, awaited: awaited, cancelTimeout: cancelTimeout
        )
        task.addAnyDoneCallback { [self] _ in entryDone(entry.serial) }
        // After our own callback: from now on, whoever observes the task's end takes its error.
        task.hooks.firstObserved = { [weak entry] in entry?.bubble = false }
        return task
    }

    /// Supervises an existing future (an executor job from `runInExecutor`,
    /// a future set by a callback) as a task awaiting it; traio's `spawn` of a future. Cancelling the task
    /// cancels the future; a thread already running an executor job cannot be stopped and runs on, but the
    /// scope does not wait for it.
    ///
    /// Flavor: sync. Parameters as ``spawn(name:master:bubble:awaited:cancelTimeout:_:)``.
    ///
    /// - Parameters:
    ///   - future: A future of the scope's loop.
    ///   - name: The task's name.
    ///   - master: The scope ends with the future.
    ///   - bubble: The future's error cancels the scope and is raised.
    ///   - awaited: A finalized scope waits for the future.
    ///   - cancelTimeout: How long a cancelling scope waits for it.
    /// - Returns: The task awaiting `future`.
    /// - Throws: as ``spawn(name:master:bubble:awaited:cancelTimeout:_:)``; `ValueError` when `future` belongs
    ///   to another loop.
    @discardableResult
    public func spawn<T>(
        future: Future<T>, name: String? = nil, master: Bool = false, bubble: Bool = true, awaited: Bool = true,
        cancelTimeout: Double = 1
    ) throws -> AsyncioTask<T> {
        let loop = try loopAcceptingTasks("spawn tasks on")
        guard future.loop === loop else { throw ValueError("\(future) belongs to another loop than \(self)") }
        return try spawn(name: name, master: master, bubble: bubble, awaited: awaited, cancelTimeout: cancelTimeout) {
            try await future.value
        }
    }

    /// `scope << body`: ``spawn(name:master:bubble:awaited:cancelTimeout:_:)`` with the default options.
    ///
    /// Flavor: sync. - Throws: as `spawn`.
    @discardableResult
    public static func << (scope: Scope, body: @escaping () async throws -> Void) throws -> AsyncioTask<Void> {
        try scope.spawn(body)
    }

    /// `scope << future`: ``spawn(future:name:master:bubble:awaited:cancelTimeout:)`` with the default options.
    ///
    /// Flavor: sync. - Throws: as `spawn`.
    @discardableResult
    public static func << <T>(scope: Scope, future: Future<T>) throws -> AsyncioTask<T> {
        try scope.spawn(future: future)
    }

    /// A child scope, supervised by this one: cancelled (silently) when this one is cancelled, waited for when
    /// this one is finalized. Its errors do not bubble into this scope, but its own ``run(_:)->_`` or ``wait()``
    /// raises them. It logs through this scope's logger.
    ///
    /// Flavor: sync.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - timeout: The child's own timeout (`0`: none).
    /// - Returns: The child scope.
    /// - Throws: the scope's creation error; `RuntimeError` when this scope is cancelled or finished;
    ///   `ValueError` for a negative or NaN `timeout`.
    public func fork(name: String? = nil, timeout: Double = 0) throws -> Scope {
        let loop = try loopAcceptingTasks("fork")
        let child = Scope(loop: loop, timeout: timeout, name: name, logger: logger)
        if let error = child.initError { throw error }
        let entry = register(.scope(child), loop: loop, master: false, bubble: false, awaited: true, cancelTimeout: 1)
        // One loop iteration later, as traio's done-callback on the child scope's future.
        child.onFinish.append { [self] in
            do {
                try loop.callSoon { [self] in entryDone(entry.serial) }
            } catch {
                logger.error("\(description): cannot hear of the end of \(child): \(error)")
            }
        }
        return child
    }

    /// The loop, when the scope still takes tasks.
    private func loopAcceptingTasks(_ what: String) throws -> any AbstractEventLoop {
        if let initError { throw initError }
        guard let loop, lifecycle.acceptsTasks else { throw RuntimeError("cannot \(what) dead or dying \(self)") }
        return loop
    }

    private func register(
        _ kind: ScopeEntry.Kind, loop: any AbstractEventLoop, master: Bool, bubble: Bool, awaited: Bool,
        cancelTimeout: Double
    ) -> ScopeEntry {
        let entry = ScopeEntry(
            serial: nextSerial, kind: kind, master: master, bubble: bubble, awaited: awaited,
            cancelTimeout: cancelTimeout, startTime: loop.time()
        )
        nextSerial += 1
        entries[entry.serial] = entry
        if awaited { awaitedCount += 1 }
        logger.debug("adding \(entry) to \(description)")
        return entry
    }
}
