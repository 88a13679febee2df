/// How a task of another runtime waits when it runs asyncio code directly (TrioAsyncio's
/// `allowAsyncio`): the asyncio primitives still see a current task, but each future it awaits is
/// awaited with that runtime's own blocking call, and `sleep(0)` is that runtime's schedule point.
///
/// Package API: the bridge module implements it; asyncio code never sees it.
package protocol ForeignTaskBridge: AnyObject {
    /// Suspends the calling (foreign) task until `future` is done; throws only the foreign
    /// runtime's own errors (its cancellation), never the future's.
    func waitDone<T>(_ future: Future<T>) async throws
    /// A schedule point of the foreign runtime.
    func yieldTurn() async throws
}

/// Runs `body` in the calling foreign task with an asyncio task context on `loop` whose waits go
/// through `bridge` (see ``ForeignTaskBridge``). ``currentTask()`` is a stand-in named `name`
/// there, so that `Asyncio.timeout` and task groups can request its cancellation as they do a
/// task's.
///
/// Flavor: the foreign runtime's; `body` may call asyncio primitives directly.
package func withForeignTaskContext<R>(
    loop: any AbstractEventLoop, bridge: any ForeignTaskBridge, name: String, _ body: () async throws -> R
) async throws -> R {
    let core = TaskCore(loop: loop, host: nil)
    core.bridge = bridge
    let standIn = ForeignTaskStandIn(loop: loop, core: core, name: name)
    core.task = standIn
    return try await TaskContext.$current.withValue(TaskContext.Current(core: core, task: standIn)) {
        try await body()
    }
}

/// Runs `body` with no current asyncio task: a task of another runtime started from inside an
/// asyncio task inherits that task's task-locals (as trio-asyncio copies the context), but not its
/// identity as an asyncio task.
///
/// Flavor: the foreign runtime's.
package func withoutAsyncioTask<R>(_ body: () async throws -> R) async throws -> R {
    guard TaskContext.current != nil else { return try await body() }
    return try await TaskContext.$current.withValue(nil) { try await body() }
}

/// What ``currentTask()`` returns inside ``withForeignTaskContext(loop:bridge:name:_:)``: not a
/// task the loop runs (it never completes and is not registered), only the target of the
/// cancellation requests that timeouts and task groups make.
final class ForeignTaskStandIn: Future<Void>, AnyAsyncioTask {
    let core: TaskCore
    var name: String

    init(loop: any AbstractEventLoop, core: TaskCore, name: String) {
        self.core = core
        self.name = name
        super.init(loop: loop)
    }

    override func cancel(message: String? = nil) -> Bool {
        core.requestCancel(message: message)
    }

    func cancelling() -> Int { core.cancelRequests }

    @discardableResult
    func uncancel() -> Int { core.uncancel() }

    override var kindName: String { "ForeignTask" }
}
