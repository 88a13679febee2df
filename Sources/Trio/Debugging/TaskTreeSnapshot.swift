import TrioPlatform

/// A consistent picture of one run's tasks at one moment: root task → nurseries → child tasks
/// (in spawn order), the cancel scopes between them, and what every parked task waits for.
/// Flavor: sync value; `Sendable`, so it may be handed to any thread once taken.
///
/// Take one with ``Lowlevel/taskTree()`` from a task of the run, with ``TrioToken/taskTree()``
/// from another thread, or let ``Lowlevel/installTaskTreeDumpSignal(_:)`` print every run's tree
/// when the process gets a signal. A run that can never make progress again throws a
/// ``DeadlockError`` carrying one. ``render(showRunInternals:)`` gives the text to paste into an
/// issue; the properties give the structure to test against.
public struct TaskTreeSnapshot: Sendable, CustomStringConvertible {
    /// The run's clock when the snapshot was taken.
    public let time: Double
    /// The run's root task (Trio's init task), which holds the system and main nurseries.
    public let root: TaskNode

    /// Every task of the tree, depth first, parents before children, in spawn order.
    public var allTasks: [TaskNode] { TreeText.depthFirst([root], children: \.children) }

    /// The first task (depth first) called `name`, if any.
    public func task(named name: String) -> TaskNode? { allTasks.first { $0.name == name } }

    /// ``render(showRunInternals:)`` with the run's own tasks hidden.
    public var description: String { render() }
}

extension TaskTreeSnapshot {
    /// One task of the tree.
    public struct TaskNode: Sendable {
        /// The task's name (by default: where it was spawned).
        public let name: String
        /// Where the task was spawned, `File.swift:12`.
        public let spawnSite: String
        /// Whether it is a system task (the run's own, or one from ``Lowlevel/spawnSystemTask(name:fileID:line:_:)``).
        public let isSystem: Bool
        /// What the task is doing.
        public let state: TaskState
        /// The cancel scopes and nurseries the task is inside of, below the nursery it runs in,
        /// outermost first (nurseries carry their children).
        public let frames: [Frame]
        /// Tasks of another kind that this task runs (an asyncio event loop's tasks, under the
        /// Trio task that drives the loop).
        public let hostedTasks: [HostedTaskNode]

        /// The nurseries the task has open, outermost first.
        public var nurseries: [NurseryNode] {
            frames.compactMap { if case .nursery(let nursery) = $0 { return nursery } else { return nil } }
        }

        /// The children of all of the task's nurseries, outermost nursery first.
        public var children: [TaskNode] { nurseries.flatMap(\.children) }

        /// The plain cancel scopes (not those of nurseries) the task is inside of, outermost first.
        public var cancelScopes: [ScopeNode] {
            frames.compactMap { if case .cancelScope(let scope) = $0 { return scope } else { return nil } }
        }

        /// What the task waits for, when it is parked.
        public var wait: Wait? {
            if case .parked(let wait, _) = state { return wait }
            return nil
        }
    }

    /// What a task is doing when the snapshot is taken.
    public enum TaskState: Sendable, Equatable {
        /// It is the task that took the snapshot (or runs the callback that took it).
        case running
        /// It may run as soon as the loop gets to it.
        case runnable
        /// It is blocked in a Trio call, waiting for `wait`, since `since` on the run's clock (as
        /// the loop last read it before the task parked).
        case parked(Wait, since: Double)
        /// It awaits plain Swift code on another executor (an actor, a Swift child task), outside
        /// Trio's knowledge.
        case outsideTrio
    }

    /// A cancel scope or a nursery that a task is inside of.
    public enum Frame: Sendable {
        /// A cancel scope of the task's own (``CancelScope/run(_:)``, `moveOnAfter`, …).
        case cancelScope(ScopeNode)
        /// A nursery the task opened, with its children.
        case nursery(NurseryNode)
    }

    /// A cancel scope's settings and state.
    public struct ScopeNode: Sendable, Equatable {
        /// The absolute deadline on the run's clock (`.infinity`: none).
        public let deadline: Double
        /// Whether it hides the cancellation of the scopes around it.
        public let shield: Bool
        /// Whether it was cancelled (by a call or by its deadline).
        public let cancelCalled: Bool
        /// The reason given to ``CancelScope/cancel(reason:)`` (`"deadline exceeded"` for a
        /// deadline), when cancelled.
        public let cancelReason: String?
        /// Whether checkpoints inside it are cancelled (by it or a scope around it, unless shielded).
        public let effectivelyCancelled: Bool
    }

    /// A nursery and the tasks running in it.
    public struct NurseryNode: Sendable {
        /// The nursery's own cancel scope.
        public let scope: ScopeNode
        /// Its child tasks, in spawn order.
        public let children: [TaskNode]
    }

    /// A task that a Trio task runs on behalf of another library (an asyncio task of a loop that
    /// a Trio task drives), as that library describes it.
    public struct HostedTaskNode: Sendable {
        /// The task's name.
        public let name: String
        /// Its state, in the hosting library's words (`"pending"`, `"running"`).
        public let state: String
        /// What it awaits (a future, another task), if anything.
        public let awaiting: String?
        /// The tasks this one awaits, as `python -m asyncio pstree` draws them (CPython 3.14's
        /// call graph read from the top: a task above the tasks it waits for).
        public let children: [HostedTaskNode]
        /// The hosting library's own description of the task, for tools and tests (TrioAsyncio
        /// puts the `AsyncioTaskTree.TaskNode` here).
        public let details: (any Sendable)?

        /// Describes one hosted task.
        public init(
            name: String, state: String, awaiting: String?, children: [HostedTaskNode] = [],
            details: (any Sendable)? = nil
        ) {
            self.name = name
            self.state = state
            self.awaiting = awaiting
            self.children = children
            self.details = details
        }
    }

    /// What a parked task waits for. Objects are numbered in the order the snapshot meets them
    /// (`object`), so that two tasks waiting on the same one show the same number.
    public enum Wait: Sendable, Equatable {
        /// ``sleep(_:)-(Double)`` or ``sleepUntil(_:)``, until the run's clock reads `until`.
        case sleep(until: Double)
        /// ``sleepForever()``.
        case sleepForever
        /// ``Event/wait()``.
        case event(object: Int)
        /// ``Lock`` or ``StrictFIFOLock`` (`kind`) acquisition, with the owner's name.
        case lock(object: Int, kind: String, owner: String?)
        /// ``Semaphore/acquire()``.
        case semaphore(object: Int, value: Int)
        /// ``Condition/wait()``.
        case condition(object: Int)
        /// ``CapacityLimiter`` acquisition.
        case capacityLimiter(object: Int, borrowed: Int, total: Int)
        /// ``ParkingLot/park()``.
        case parkingLot(object: Int)
        /// A memory channel's send (the channel, by its shared state).
        case channelSend(object: Int)
        /// A memory channel's receive.
        case channelReceive(object: Int)
        /// ``waitReadable(_:)`` (sockets and streams included).
        case readable(fd: Int32)
        /// ``waitWritable(_:)``.
        case writable(fd: Int32)
        /// ``TrioProcess/wait()``.
        case process(pid: Int32)
        /// A ``ToThread`` call's worker thread.
        case thread
        /// A ``swiftAsTrio(_:)`` call's Swift child task.
        case swiftAsTrio
        /// ``Lowlevel/waitAllTasksBlocked(cushion:)``.
        case allTasksBlocked(cushion: Double)
        /// A nursery's owner waiting for the nursery's children.
        case nurseryChildren
        /// The run's ``TrioToken/runSyncSoon(idempotencyKey:_:)`` task waiting for callbacks.
        case runSyncSoonQueue
        /// A hosted event loop (an asyncio loop driven by the run) waiting for work.
        case hostedLoop
        /// A blocking call that did not say (``Lowlevel/waitTaskRescheduled(_:)``).
        case unspecified
    }
}
