import TrioPlatform
import Sniffio
import Synchronization

/// What every ``AsyncioTask`` offers regardless of its result type.
public protocol AnyAsyncioTask: AnyFuture {
    /// The task's name ("Task-N" unless given).
    var name: String { get set }
    /// How many cancellation requests are outstanding (CPython 3.11 `cancelling()`).
    func cancelling() -> Int
    /// Withdraws one cancellation request and returns how many remain (CPython 3.11 `uncancel()`).
    @discardableResult
    func uncancel() -> Int
}

/// A coroutine driven by its loop: CPython's `asyncio.Task`.
///
/// Flavor: sync methods; the body is asyncio-flavored. The body runs as a Swift task whose executor
/// preference is the loop, so each step between two suspensions is one entry of the loop's ready queue.
/// Cancellation is asyncio's, edge-triggered: see ``cancel(message:)``. Swift's own `Task.cancel()` is not used.
public final class AsyncioTask<T>: Future<T>, AnyAsyncioTask {
    private var customName: String?
    /// The task's creation number (`Task-N`), which orders task-tree snapshots.
    let number: Int

    /// The task's name ("Task-N" unless given).
    public var name: String {
        get { customName ?? "Task-\(number)" }
        set { customName = newValue }
    }
    let core: TaskCore
    // Unchecked exclusivity: taken once, on the loop thread (see `TaskCore`'s note).
    @exclusivity(unchecked) private var body: (() async throws -> T)?

    private static var nextNumber: Int { taskCounter.add(1, ordering: .relaxed).newValue }

    /// Creates the task and schedules its first step. ``AbstractEventLoop/createTask(name:_:)`` and
    /// ``createTask(name:_:)`` are the usual spellings; loops without a custom task type call this.
    public convenience init(loop: any AbstractEventLoop, name: String?, _ body: @escaping () async throws -> T) {
        self.init(loop: loop, host: loop as? AsyncioTaskHost, name: name, body)
    }

    /// The loops of this package pass themselves as `host`, sparing a dynamic cast per task.
    package init(
        loop: any AbstractEventLoop, host: (any AsyncioTaskHost)?, name: String?,
        _ body: @escaping () async throws -> T
    ) {
        customName = name
        number = Self.nextNumber
        core = TaskCore(loop: loop, host: host)
        self.body = body
        super.init(loop: loop)
        // The one conversion of the task to an existential (a witness-table look-up): everything else that
        // needs `any AnyAsyncioTask` (registry, task context, task group) takes it from the core.
        core.task = self
        TaskRegistry.add(core)
        let task = UncheckedSendable(self)
        Task(executorPreference: loop) {
            await task.value.run()
        }
    }

    override var unretrievedMessage: String { "Task exception was never retrieved" }

    override func didComplete() { core.taskDidComplete() }
    override var kindName: String { "Task" }

    /// `<Task name=… state>`.
    public override var description: String {
        "<Task \(stateName.lowercased()) name=\(name)>"
    }

    // `run`, `runBody` and `TaskCore.yield` are inlined into the task's closure: each separate async function is
    // a frame in the task's allocator and a hop check on entry and after every call it makes (an executor-
    // preference look-up under the task's status lock). Together they were a large share of a short task's
    // cost (`aio_spawn`, Benchmarks).
    @inline(__always)
    private func run() async {
        // One task-local binding: Sniffio already answers "asyncio" for the task's steps, which every loop
        // runs under its thread-library mark.
        await TaskContext.$current.withValue(TaskContext.Current(core: core)) {
            await runBody()
        }
        TaskRegistry.remove(core)
    }

    @inline(__always)
    private func runBody() async {
        guard let body else { return }
        self.body = nil
        if let cancel = core.consumeCancel() {
            finishCancelled(message: cancel.message)
            return
        }
        do {
            let value = try await body()
            if let cancel = core.consumeCancel() {
                finishCancelled(message: cancel.message)
            } else {
                finishSuccess(value)
            }
        } catch let cancel as CancelledError {
            finishCancelled(message: cancel.message)
        } catch {
            finishFailure(error)
        }
    }

    // MARK: Cancellation

    /// Requests cancellation: the future the task awaits is cancelled, or the task's next `await` throws
    /// ``CancelledError``. Edge-triggered: one request, one error. `false` when the task is done.
    ///
    /// Flavor: sync.
    @discardableResult
    public override func cancel(message: String? = nil) -> Bool {
        if done { return false }
        return core.requestCancel(message: message)
    }

    /// The number of outstanding cancellation requests.
    public func cancelling() -> Int { core.cancelRequests }

    /// Withdraws one cancellation request; returns how many remain. At zero, a request not yet delivered is
    /// dropped.
    @discardableResult
    public func uncancel() -> Int { core.uncancel() }

    /// Tasks complete themselves.
    ///
    /// - Throws: `RuntimeError` always, as CPython.
    public override func setResult(_ value: T) throws {
        throw RuntimeError("Task does not support set_result operation")
    }

    /// Tasks complete themselves.
    ///
    /// - Throws: `RuntimeError` always, as CPython.
    public override func setException(_ error: any Error) throws {
        throw RuntimeError("Task does not support set_exception operation")
    }
}

private let taskCounter = Atomic<Int>(0)

/// The unfinished tasks of one loop, in a dense array; each task's core remembers its slot.
///
/// Loop-thread only. Invariant: `entries[i].core.registryIndex == i` for every entry.
package final class LoopTaskRegistry {
    // Unchecked exclusivity: touched twice per task on the loop thread only; the dynamic checks (a thread-local
    // access set) showed in the instruction counts of `aio_spawn` (Benchmarks).
    @exclusivity(unchecked) private var entries: [HeldTask] = []

    package init() {}

    func add(_ core: TaskCore) {
        core.registryIndex = entries.count
        core.registry = self
        entries.append(HeldTask(core))
    }

    func remove(_ core: TaskCore) {
        let index = core.registryIndex
        guard index >= 0, index < entries.count, entries[index].core === core else { return }
        let last = entries.removeLast()
        if index < entries.count {
            entries[index] = last
            last.core.registryIndex = index
        }
        core.registryIndex = -1
        core.registry = nil
    }

    var unfinished: [any AnyAsyncioTask] { entries.lazy.map(\.task).filter { !$0.done } }

    /// Drops every task (the loop closed: they will never run again).
    package func removeAll() {
        for entry in entries {
            entry.core.registryIndex = -1
            entry.core.registry = nil
        }
        entries.removeAll()
    }
}

/// The tasks not yet finished, for ``allTasks(loop:)``: in the loop's own registry when it keeps one, else in
/// a process-wide table.
package enum TaskRegistry {
    // A pthread lock rather than `Mutex`, so that ThreadSanitizer can check loops on several threads.
    private static let tasks = ThreadLock<[ObjectIdentifier: UncheckedSendable<any AnyAsyncioTask>]>([:])

    static func add(_ core: TaskCore) {
        if let host = core.host {
            host.taskRegistry.add(core)
            return
        }
        let task = core.task!
        let entry = UncheckedSendable(task)
        tasks.withLock { $0[ObjectIdentifier(task)] = entry }
    }

    static func remove(_ core: TaskCore) {
        if let registry = core.registry {
            registry.remove(core)
            return
        }
        if core.host != nil { return }
        _ = tasks.withLock { $0.removeValue(forKey: ObjectIdentifier(core.task!)) }
    }

    /// Drops the tasks of a closed loop that will never run again.
    package static func forget(loop: any AbstractEventLoop) {
        if let host = loop as? AsyncioTaskHost {
            host.taskRegistry.removeAll()
            return
        }
        tasks.withLock { $0 = $0.filter { $0.value.value.loop !== loop } }
    }

    static func all(on loop: any AbstractEventLoop) -> [any AnyAsyncioTask] {
        if let host = loop as? AsyncioTaskHost { return host.taskRegistry.unfinished }
        let entries = tasks.withLock { Array($0.values) }
        return entries.map(\.value).filter { $0.loop === loop && !$0.done }
    }
}
