import TrioPlatform

/// A picture of one loop's unfinished tasks at one moment, drawn as CPython 3.14's
/// `python -m asyncio pstree` draws them: each task above the tasks it awaits, with what every
/// task awaits. Flavor: sync value; `Sendable`, so it may be handed to any thread once taken.
///
/// Take one with ``taskTree(loop:)`` on the loop's thread. Inside a Trio run, the tasks of a
/// TrioAsyncio loop also appear in Trio's own task tree, under the Trio task that runs the loop.
/// ``render()`` gives the text to paste into an issue; the properties give the structure to test
/// against.
///
/// A task "awaits" another when it waits on that task's result (`await task.value`), on a
/// ``gather(_:)->[T]`` of it, or holds it in an ``AsyncioTaskGroup`` (CPython 3.14's "awaited by"
/// edges). A task awaited by several tasks is drawn in full once, under the first of them in
/// creation order, and named again under the others; tasks that await each other in a cycle are
/// drawn from the one created first.
public struct AsyncioTaskTree: Sendable, CustomStringConvertible {
    /// The loop's clock (``AbstractEventLoop/time()``) when the snapshot was taken. Flavor: sync.
    public let time: Double
    /// The tasks no other task awaits (and the first task of each awaiting cycle), in creation
    /// order, each with the tasks it awaits below it. Flavor: sync.
    public let roots: [TaskNode]

    /// ``render()``. Flavor: sync.
    public var description: String { render() }

    /// The first task (depth first) called `name`, if any. Flavor: sync.
    public func task(named name: String) -> TaskNode? { allTasks.first { $0.name == name } }

    /// Every task once, depth first, awaiting tasks before the tasks they await, in creation order. Flavor: sync.
    public var allTasks: [TaskNode] {
        TreeText.depthFirst(roots.filter { !$0.isRepeat }) { $0.awaits.filter { !$0.isRepeat } }
    }
}

extension AsyncioTaskTree {
    /// One task of the tree. Flavor: sync.
    public struct TaskNode: Sendable {
        /// The task's name (``AnyAsyncioTask/name``). Flavor: sync.
        public let name: String
        /// Whether it runs now or waits. Flavor: sync.
        public let state: TaskState
        /// What it waits on; `nil` when it runs, or when its next step is due (it waits for its turn
        /// in the loop's ready queue). Flavor: sync.
        public let awaiting: Awaited?
        /// The names of the tasks that await this one (CPython's `awaited_by`), in creation order. Flavor: sync.
        public let awaitedBy: [String]
        /// The tasks this one awaits, in creation order (empty on a repeat). Flavor: sync.
        public let awaits: [TaskNode]
        /// Whether this is a repeat of a task drawn in full elsewhere in the tree (it has several
        /// awaiters, or closes an awaiting cycle); a repeat lists no ``awaits``. Flavor: sync.
        public let isRepeat: Bool
    }

    /// What a task is doing. Flavor: sync.
    public enum TaskState: Sendable, Equatable {
        /// It is the task that took the snapshot.
        case running
        /// It has not finished: it waits on ``TaskNode/awaiting``, or for its next step.
        case pending
    }

    /// What a pending task waits on: the future its last `await` parked on, as its creator
    /// described it. Flavor: sync.
    public enum Awaited: Sendable, Equatable {
        /// Another task's end (`await task.value`).
        case task(name: String)
        /// A ``gather(_:)->[T]`` of `count` futures; the tasks among them are in ``TaskNode/awaits``.
        case gather(count: Int)
        /// The end of an ``AsyncioTaskGroup``'s children (`running` of them left), at the end of
        /// ``withAsyncioTaskGroup(_:)``.
        case taskGroup(running: Int)
        /// ``sleep(_:)``, until the loop's clock reads `until`.
        case sleep(until: Double)
        /// Readability of `fd` (``AbstractEventLoop/waitReady(_:forWriting:)``, `sockRecv`, `sockAccept`).
        case readable(fd: Int32)
        /// Writability of `fd` (`sockSendall`, `sockConnect`).
        case writable(fd: Int32)
        /// A Trio call running as a Trio task of the loop's run (TrioAsyncio's `trioAsAio`).
        case trioCall
        /// A call on an executor's thread (``AbstractEventLoop/runInExecutor(_:_:)``).
        case executor
        /// A waiter's turn at an asyncio ``Lock``, ``Event``, ``Condition``, ``Semaphore`` or
        /// ``Queue``, named by the blocking call (`"Asyncio.Lock.acquire"`).
        case primitive(call: String)
        /// Any other future.
        case future
    }
}
