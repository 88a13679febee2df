/// A snapshot of the unfinished tasks of `loop` (default: the running loop), each with what it
/// awaits: CPython 3.14's call graph of a whole loop (`python -m asyncio pstree`).
///
/// Flavor: sync; call it on the loop's thread (from a task, a callback, or between runs of the
/// loop). Nothing is recorded for it while tasks run: a task that parks already remembers the
/// future it waits on, and futures made for a purpose (a sleep, an fd wait, a Trio call) carry a
/// small fixed tag; the snapshot reads those.
///
/// - Throws: `RuntimeError` "no running event loop" when `loop` is `nil` and no loop runs.
public func taskTree(loop: (any AbstractEventLoop)? = nil) throws -> AsyncioTaskTree {
    let loop = try loop ?? getRunningLoop()
    var builder = AsyncioTaskTreeBuilder(loop: loop)
    return AsyncioTaskTree(time: loop.time(), roots: builder.build())
}

/// A task's core and creation number, from its type-erased form.
protocol TaskIntrospection: AnyAsyncioTask {
    var core: TaskCore { get }
    var number: Int { get }
}

extension AsyncioTask: TaskIntrospection {}

/// Finds who awaits whom among a loop's tasks and lays them out as a tree (loop thread only).
struct AsyncioTaskTreeBuilder {
    private let tasks: [any TaskIntrospection]
    private let running: TaskCore?
    private var index: [ObjectIdentifier: Int] = [:]
    /// Task positions (in `tasks`) each task awaits, and those that await it, in creation order.
    private var awaits: [[Int]]
    private var awaitedBy: [[Int]]
    /// The groups whose end a task awaits, by the future it parks on.
    private var groupsByWaiter: [ObjectIdentifier: AsyncioTaskGroup] = [:]
    private var drawn: [Bool]

    init(loop: any AbstractEventLoop) {
        tasks = TaskRegistry.all(on: loop).compactMap { $0 as? any TaskIntrospection }.sorted { $0.number < $1.number }
        running = TaskContext.current?.core
        awaits = Array(repeating: [], count: tasks.count)
        awaitedBy = Array(repeating: [], count: tasks.count)
        drawn = Array(repeating: false, count: tasks.count)
        for (position, task) in tasks.enumerated() { index[ObjectIdentifier(task.core)] = position }
        for (position, task) in tasks.enumerated() {
            let core = task.core
            // CPython 3.14: a task group's child is awaited by the group's task from its creation on.
            if let group = core.group {
                if let parent = group.parent { link(parent.core, awaits: position) }
                if let allDone = group.allDone { groupsByWaiter[ObjectIdentifier(allDone)] = group }
            }
            guard let waiter = core.waiter else { continue }
            if let awaited = waiter as? any TaskIntrospection {
                link(core, awaits: awaited.core)
            } else if let gathering = waiter as? GatheringFuture {
                for case let child as any TaskIntrospection in gathering.children { link(core, awaits: child.core) }
            }
        }
        for position in tasks.indices {
            awaits[position].sort()
            awaitedBy[position].sort()
        }
    }

    private mutating func link(_ awaiter: TaskCore, awaits awaited: TaskCore) {
        guard let position = index[ObjectIdentifier(awaited)] else { return }
        link(awaiter, awaits: position)
    }

    private mutating func link(_ awaiter: TaskCore, awaits position: Int) {
        guard let from = index[ObjectIdentifier(awaiter)], !awaits[from].contains(position) else { return }
        awaits[from].append(position)
        awaitedBy[position].append(from)
    }

    /// The roots in creation order: tasks nobody awaits first, then the first undrawn task of each cycle.
    mutating func build() -> [AsyncioTaskTree.TaskNode] {
        var roots: [AsyncioTaskTree.TaskNode] = []
        for position in tasks.indices where awaitedBy[position].isEmpty { roots.append(node(position)) }
        for position in tasks.indices where !drawn[position] { roots.append(node(position)) }
        return roots
    }

    private mutating func node(_ position: Int) -> AsyncioTaskTree.TaskNode {
        let task = tasks[position]
        let repeated = drawn[position]
        drawn[position] = true
        var children: [AsyncioTaskTree.TaskNode] = []
        if !repeated { children = awaits[position].map { node($0) } }
        let core = task.core
        return AsyncioTaskTree.TaskNode(
            name: task.name, state: core === running ? .running : .pending,
            awaiting: core === running ? nil : awaited(by: core), awaitedBy: awaitedBy[position].map { tasks[$0].name },
            awaits: children, isRepeat: repeated)
    }

    private func awaited(by core: TaskCore) -> AsyncioTaskTree.Awaited? {
        // A waiter already done has woken the task: its next step is due.
        guard let waiter = core.waiter, !waiter.done else { return nil }
        if let task = waiter as? any AnyAsyncioTask { return .task(name: task.name) }
        if let gathering = waiter as? GatheringFuture { return .gather(count: gathering.children.count) }
        if let group = groupsByWaiter[ObjectIdentifier(waiter)] { return .taskGroup(running: group.running) }
        guard let tagged = waiter as? any RoleCarrying else { return .future }
        switch tagged.role {
        case .plain: return .future
        case .sleep(let until): return .sleep(until: until)
        case .readable(let fd): return .readable(fd: fd)
        case .writable(let fd): return .writable(fd: fd)
        case .trioCall: return .trioCall
        case .executor: return .executor
        case .primitive(let wait): return .primitive(call: wait.call)
        }
    }
}
