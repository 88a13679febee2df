/// Starts `body` as a task on the running loop: `asyncio.create_task`.
///
/// Flavor: sync, but only where a loop runs (in a task or a callback). - Throws: ``RuntimeError``
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
/// Flavor: sync. - Throws: ``RuntimeError`` "no running event loop".
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
/// Flavor: asyncio. - Throws: ``CancelledError`` when the task is cancelled meanwhile; ``FlavorError`` outside an
/// asyncio task; ``ValueError`` when `seconds` is NaN.
public func sleep(_ seconds: Double) async throws {
    let current = try TaskContext.require("Asyncio.sleep")
    let core = current.core
    if seconds <= 0 {
        try await core.yield()
        return
    }
    let future = core.loop.createFuture(of: Void.self)
    let timer = try core.loop.callLater(seconds) { future.setOutcomeUnlessDone(.success(())) }
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
/// Flavor: sync, blocking. - Throws: what `main` throws; ``RuntimeError`` when called where a loop runs.
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
    let task = try loop.createTask(name: nil, main)
    let outcome = Result { try loop.runUntilComplete(task) }
    cancelRemainingTasks(of: loop)
    let shutdown = try loop.createTask(name: nil) { try await loop.shutdownDefaultExecutor() }
    _ = try? loop.runUntilComplete(shutdown)
    return try outcome.get()
}

/// Cancels the unfinished tasks of `loop`, runs it until they end, and reports their errors.
func cancelRemainingTasks(of loop: any AbstractEventLoop) {
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
