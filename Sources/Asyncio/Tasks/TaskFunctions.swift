import TrioPlatform

/// Starts `body` as a task on the running loop: `asyncio.create_task`.
///
/// Flavor: sync, but only where a loop runs (in a task or a callback). - Throws: `RuntimeError`
/// "no running event loop" elsewhere, or when the loop is closed.
public func createTask<T>(name: String? = nil, _ body: @escaping () async throws -> T) throws -> AsyncioTask<T> {
    try getRunningLoop().createTask(name: name, body)
}

/// The future itself (futures and tasks are already awaitable): `asyncio.ensure_future` for the Swift types.
///
/// Flavor: sync.
public func ensureFuture<T>(_ future: Future<T>) -> Future<T> { future }

/// Wraps `body` in a task on the running loop: `asyncio.ensure_future(coroutine)`.
///
/// Flavor: sync. - Throws: `RuntimeError` "no running event loop".
public func ensureFuture<T>(_ body: @escaping () async throws -> T) throws -> Future<T> {
    try createTask(body)
}

/// The asyncio task running the caller, or `nil` (in a callback, outside any loop).
///
/// Flavor: sync.
public func currentTask() -> (any AnyAsyncioTask)? {
    TaskContext.current?.task
}

/// The unfinished tasks of `loop` (default: the running loop; none when no loop runs).
///
/// Flavor: sync.
public func allTasks(loop: (any AbstractEventLoop)? = nil) -> [any AnyAsyncioTask] {
    guard let loop = loop ?? runningLoopIfAny() else { return [] }
    return TaskRegistry.all(on: loop)
}

/// Suspends the current task for `seconds` on the loop's clock; `sleep(0)` just lets the other ready callbacks
/// and tasks run once.
///
/// Flavor: asyncio. - Throws: ``CancelledError`` when the task is cancelled meanwhile; `FlavorError` outside an
/// asyncio task; `ValueError` when `seconds` is NaN.
public func sleep(_ seconds: Double) async throws {
    let current = try TaskContext.require("Asyncio.sleep")
    let core = current.core
    if seconds <= 0 {
        try await core.yield()
        return
    }
    let future = core.loop.createFuture(of: Void.self)
    let timer = try core.loop.callLater(seconds) { future.setOutcomeUnlessDone(.success(())) }
    future.role = .sleep(until: timer.when)
    defer { timer.cancel() }
    try await future.value
}

/// ``sleep(_:)`` that returns `result`.
///
/// Flavor: asyncio. - Throws: as ``sleep(_:)``.
public func sleep<T>(_ seconds: Double, result: T) async throws -> T {
    try await sleep(seconds)
    return result
}

/// ``sleep(_:)`` taking a `Duration`.
///
/// Flavor: asyncio. - Throws: as ``sleep(_:)``.
public func sleep(for duration: Duration) async throws {
    let (seconds, attoseconds) = duration.components
    try await sleep(Double(seconds) + Double(attoseconds) * 1e-18)
}

/// Runs `main` as a task on a new loop (`loopFactory`'s, else ``newEventLoop()``'s) until it
/// completes, then cancels the tasks left, shuts the default executor down and closes the loop: `asyncio.run`.
///
/// Ctrl-C is handled as CPython 3.11+ does (on the main thread, while `SIGINT` has its default action
/// and the loop has no `SIGINT` handler of its own): the first one cancels the main task, which
/// unwinds through its cleanup code, and `run` then throws `KeyboardInterrupt`; a second one while it
/// unwinds stops the loop, cancels what is left and throws `KeyboardInterrupt` at once.
///
/// Flavor: sync, blocking. - Throws: what `main` throws; `KeyboardInterrupt` after Ctrl-C;
/// `RuntimeError` when called where a loop runs.
public func run<T>(
    debug: Bool = false, loopFactory: (() throws -> any AbstractEventLoop)? = nil,
    _ main: sending @escaping () async throws -> T
) throws -> T {
    if runningLoopIfAny() != nil {
        throw RuntimeError("asyncio.run() cannot be called from a running event loop")
    }
    let loop = try loopFactory?() ?? makeDefaultEventLoop()
    loop.debug = debug
    defer { try? loop.close() }
    let previous = ThreadLoopSlot.current.exchange(loop)
    defer { ThreadLoopSlot.current.exchange(previous) }
    let interrupt = RunInterruptGuard.install(on: loop)
    defer { interrupt?.uninstall() }
    let task = try loop.createTask(name: nil, main)
    interrupt?.watch(task)
    var outcome = Result { try loop.runUntilComplete(task) }
    if let interrupt, interrupt.interrupts > 0, case .failure(let error) = outcome {
        // CPython: Ctrl-C that cancelled the main task comes out as KeyboardInterrupt unless the task
        // has other cancel requests pending; a second one stopped the loop mid-unwind.
        if (error is CancelledError && task.uncancel() == 0) || (!task.done && interrupt.interrupts > 1) {
            outcome = .failure(KeyboardInterrupt())
        }
    }
    cancelRemainingTasks(of: loop)
    let shutdown = try loop.createTask(name: nil) { try await loop.shutdownDefaultExecutor() }
    _ = try? loop.runUntilComplete(shutdown)
    return try outcome.get()
}

/// ``run(debug:loopFactory:_:)`` as a program's entry point, ending the process the way a Python
/// program ends when it fails. Flavor: sync.
///
/// When `main` returns, so does this. On Ctrl-C the main task is cancelled and unwinds (its `defer`
/// blocks run); then `KeyboardInterrupt` is printed on standard error and the process ends by
/// `SIGINT` under its default action, as CPython does (status 130 in a shell). Any other error is
/// printed on standard error (an `ExceptionGroup` with every error in it, one per line) and the
/// process exits with status 1. Standard output is flushed first; no crash report is printed.
public func runMain(
    debug: Bool = false, loopFactory: (() throws -> any AbstractEventLoop)? = nil,
    _ main: sending @escaping () async throws -> Void
) {
    do {
        try run(debug: debug, loopFactory: loopFactory, main)
    } catch {
        ProgramExit.terminate(for: error)
    }
}

/// Cancels the unfinished tasks of `loop`, runs it until they end, and reports their errors: the end of
/// `asyncio.run` (CPython's `_cancel_all_tasks`), for every runner of a loop in the package.
package func cancelRemainingTasks(of loop: any AbstractEventLoop) {
    let remaining = TaskRegistry.all(on: loop)
    guard !remaining.isEmpty else { return }
    for task in remaining { task.cancel() }
    let gathered = gatherFuture(remaining, on: loop, returnExceptions: true)
    _ = try? loop.runUntilComplete(gathered)
    for task in remaining where !task.cancelled {
        if let error = try? task.exception() {
            loop.callExceptionHandler(ExceptionContext(
                message: "unhandled exception during asyncio.run() shutdown", error: error, future: task
            ))
        }
    }
}
