import Sniffio
import TrioPlatform

/// Runs `main` as the first task of a new Trio run on the calling thread and returns its
/// result. Flavor: sync (the entry point into Trio).
///
/// The calling thread becomes the run's event loop until every task has finished; nothing runs on
/// Swift's global concurrent pool, so this works from any thread, including a cooperative-pool
/// thread whose siblings are all blocked.
///
/// - Parameters:
///   - clock: the run's clock (default: the system's monotonic clock).
///   - instruments: hooks called by the run loop (see ``Instrument``).
///   - strictExceptionGroups: whether nurseries wrap even a single error in an `ExceptionGroup`.
///   - name: the main task's name, for instruments (Trio names it after the function).
///   - main: the main task. It is `sending` so that a closure written in `main.swift` is not
///     inferred `@MainActor`, which would deadlock the loop.
/// - Returns: what `main` returned.
/// - Throws: what `main` threw, unwrapped; `RuntimeError` when called inside a run;
///   ``TrioInternalError`` when a system task failed; `KeyboardInterrupt` when the run owned
///   `SIGINT` and got it, even if `main` then returned normally.
@discardableResult
public func run<T>(
    clock: (any TrioClock)? = nil, instruments: [any Instrument] = [], strictExceptionGroups: Bool = true,
    name: String = "main", _ main: sending @escaping () async throws -> T
) throws -> T {
    let (runner, result) = try Runner.start(
        clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups, name: name, main)
    defer { Runner.currentOnThread.set(nil) }
    let keyboardInterrupt = KeyboardInterruptGuard.install(for: runner)
    runner.runLoop()
    // Give SIGINT back before `finishRun` closes the eventfd: the handler must never write to a
    // descriptor number that another thread may already have reused.
    // Like Trio's pending flag: a Ctrl-C still ends the run with KeyboardInterrupt when main
    // finished before it could be delivered, or swallowed the cancellation that delivered it.
    let delivered = keyboardInterrupt?.delivered == true
    let undelivered = keyboardInterrupt?.uninstall() == true
    if delivered || undelivered {
        _ = try? runner.finishRun(result)
        throw KeyboardInterrupt()
    }
    return try runner.finishRun(result)
}

final class ResultBox<T> {
    var value: T?
}

extension Runner {
    /// Creates a runner on the calling thread, installs it there, and starts the root task; the
    /// caller then drives the loop (``runLoop()``, or a guest driver) and calls ``finishRun()``.
    static func start<T>(
        clock: (any TrioClock)?, instruments: [any Instrument], strictExceptionGroups: Bool, name: String,
        _ main: sending @escaping () async throws -> T
    ) throws -> (Runner, ResultBox<T>) {
        if Runner.currentOnThread.value != nil {
            throw RuntimeError("Attempted to call run() from inside a run()")
        }
        registerSniffioDetector()
        let clock = clock ?? SystemClock()
        let runner = try Runner(clock: clock, instruments: instruments, strictExceptionGroups: strictExceptionGroups)
        Runner.currentOnThread.set(runner)
        let box = ResultBox<T>()
        let mainBody = UncheckedSendable(main)
        let result = UncheckedSendable(box)
        clock.startClock()
        runner.loopTime = clock.currentTime()
        if runner.instrumented { runner.instrument("before_run") { try $0.beforeRun() } }
        runner.initTask = runner.spawn({
            try await runner.initTaskBody(mainName: name) { result.value.value = try await mainBody.value() }
        }, nursery: nil, name: "<init>", isSystem: true)
        return (runner, box)
    }

    /// The root task's structure, as in Trio: the run-sync-soon task's nursery holds the system
    /// nursery, which holds a nursery for the main task alone.
    func initTaskBody(mainName: String, _ main: @escaping () async throws -> Void) async throws {
        try await withNursery(strictExceptionGroups: false) { tokenNursery in
            try await withNursery(strictExceptionGroups: false) { systemNursery in
                self.systemNursery = systemNursery
                try await withNursery(strictExceptionGroups: false) { mainNursery in
                    self.mainTask = self.spawn(main, nursery: mainNursery, name: mainName)
                    self.tokenTask = self.spawn(
                        { try await self.tokenTaskBody() }, nursery: tokenNursery,
                        name: "<TrioToken.runSyncSoon task>", isSystem: true)
                }
                systemNursery.cancelScope.cancel()
            }
            tokenNursery.cancelScope.cancel()
        }
    }

    /// Runs ``TrioToken/runSyncSoon(idempotencyKey:_:)`` callbacks in FIFO order.
    func tokenTaskBody() async throws {
        guard let task = tokenTask else { return }
        while true {
            var count = pendingCallbacks.count
            while count > 0, let callback = pendingCallbacks.popFirst() {
                count -= 1
                entryQueue.callbackWillRun(callback)
                callback.body()
            }
            if !pendingCallbacks.isEmpty || entryQueue.hasPending {
                await yieldShielded(task)
                continue
            }
            tokenTaskWaiting = true
            if await park(task, for: .runSyncSoonQueue, abort: { [unowned self] _ in
                self.tokenTaskWaiting = false
                return .succeeded
            }) != nil {
                break
            }
        }
    }

    /// Closes the door for other threads; callbacks that made it in still run.
    func closeEntryQueue() {
        // Popping instead of copying the Deque into an Array: copying an empty Deque writes the
        // stdlib's shared empty-array storage, which TSan reports as a race between two runs.
        while let callback = pendingCallbacks.popFirst() { callback.body() }
        for callback in entryQueue.close() { callback.body() }
    }
}

/// Makes `currentAsyncLibrary()` answer "trio" on a run's thread (see `AsyncLibrary.registerDetector`).
private func registerSniffioDetector() {
    AsyncLibrary.registerDetector(id: "trio") {
        // Any Swift task on a run's thread is Trio-flavored (an asyncio loop inside a run marks its
        // own tasks with the task-local, which is asked first).
        Runner.currentOnThread.value == nil ? nil : "trio"
    }
}

extension Runner {
    /// Ends the run after the loop stopped: runs the last callbacks, reports `after_run`, and
    /// returns what the main task returned (or throws what it threw).
    func finishRun<T>(_ result: ResultBox<T>) throws -> T {
        closeEntryQueue()
        if instrumented { instrument("after_run") { try $0.afterRun() } }
        if let error = internalError { throw error }
        switch mainOutcome {
        case .success?:
            guard let value = result.value else { throw TrioInternalError("main task left no result") }
            return value
        case .failure(let error)?:
            throw error
        case nil:
            throw TrioInternalError("the run ended without the main task finishing")
        }
    }
}
