/// Describes the tasks that a Trio task hosts for another library (see
/// ``Runner/setHostedTaskDescriber(for:_:)``).
package typealias HostedTaskDescriber = () -> [TaskTreeSnapshot.HostedTaskNode]

/// The run's hosted-task describers, by the Trio task that hosts them (a run-local value).
final class HostedTaskDescribers {
    static let key = ObjectIdentifier(HostedTaskDescribers.self)
    var byTask: [ObjectIdentifier: HostedTaskDescriber] = [:]
}

extension Runner {
    /// Takes a snapshot of the whole run. Must be called on the run's thread; `current` is the
    /// task whose code is calling (shown as running), if any.
    func taskTreeSnapshot(current: TrioTask?) throws -> TaskTreeSnapshot {
        guard let root = initTask else { throw RuntimeError("the run has no root task") }
        var builder = TaskTreeBuilder(runner: self, current: current)
        return TaskTreeSnapshot(time: clock.currentTime(), root: builder.node(root, boundary: rootCancelStatus))
    }

    /// Registers (or, with `nil`, removes) what a snapshot shows under `task` as its hosted tasks:
    /// an asyncio loop driven by `task` lists its own tasks. Call on the run's thread.
    package func setHostedTaskDescriber(for task: TrioTask, _ describer: HostedTaskDescriber?) {
        let describers: HostedTaskDescribers
        if let existing = runLocals[HostedTaskDescribers.key] as? HostedTaskDescribers {
            describers = existing
        } else {
            describers = HostedTaskDescribers()
            runLocals[HostedTaskDescribers.key] = describers
        }
        describers.byTask[ObjectIdentifier(task)] = describer
    }
}

/// Walks the run's records into a ``TaskTreeSnapshot``, on the run's thread.
struct TaskTreeBuilder {
    let runner: Runner
    let current: TrioTask?
    /// Tasks whose wake-up (or first or returning job) is in the run queue.
    private var queued: Set<ObjectIdentifier> = []
    private var queuedJobs: Set<UnsafeRawPointer> = []
    private var objectNumbers: [ObjectIdentifier: Int] = [:]
    private let describers: [ObjectIdentifier: HostedTaskDescriber]
    /// How many tasks the walk met (the deadlock check compares it with the living count).
    private(set) var taskCount = 0

    init(runner: Runner, current: TrioTask?) {
        self.runner = runner
        self.current = current
        for item in runner.runQueue {
            switch item {
            case .wake(let task): queued.insert(ObjectIdentifier(task))
            case .job(let job): queuedJobs.insert(unsafeBitCast(job, to: UnsafeRawPointer.self))
            }
        }
        describers = (runner.runLocals[HostedTaskDescribers.key] as? HostedTaskDescribers)?.byTask ?? [:]
    }

    /// The node of `task`, whose frames stop at `boundary` (the status of the nursery it runs in).
    mutating func node(_ task: TrioTask, boundary: CancelStatus?) -> TaskTreeSnapshot.TaskNode {
        taskCount += 1
        // The task's statuses from the innermost up to (not including) its nursery's.
        var chain: [CancelStatus] = []
        var status: CancelStatus? = task.cancelStatus
        while let current = status, current !== boundary {
            chain.append(current)
            status = current.parent
        }
        var nurseryOfScope: [ObjectIdentifier: Nursery] = [:]
        for nursery in task.childNurseries { nurseryOfScope[ObjectIdentifier(nursery.cancelScope)] = nursery }
        var frames: [TaskTreeSnapshot.Frame] = []
        for status in chain.reversed() {
            let scope = scopeNode(status)
            if let nursery = nurseryOfScope[ObjectIdentifier(status.scope)] {
                let children = nursery.childTasks.map { node($0, boundary: status) }
                frames.append(.nursery(TaskTreeSnapshot.NurseryNode(scope: scope, children: children)))
            } else {
                frames.append(.cancelScope(scope))
            }
        }
        return TaskTreeSnapshot.TaskNode(
            name: task.name, spawnSite: task.spawnSite, isSystem: task.isSystem, state: state(of: task),
            frames: frames, hostedTasks: describers[ObjectIdentifier(task)]?() ?? [])
    }

    private func scopeNode(_ status: CancelStatus) -> TaskTreeSnapshot.ScopeNode {
        let scope = status.scope
        return TaskTreeSnapshot.ScopeNode(
            deadline: scope.deadline, shield: scope.shield, cancelCalled: scope.cancelCalledFlag,
            cancelReason: scope.cancelCalledFlag ? scope.cancelReason : nil,
            effectivelyCancelled: status.effectivelyCancelled)
    }

    private mutating func state(of task: TrioTask) -> TaskTreeSnapshot.TaskState {
        if task === current { return .running }
        if task.blocked, task.parkedJob != nil {
            return .parked(wait(task.waitReason), since: task.parkedSince)
        }
        if queued.contains(ObjectIdentifier(task)) { return .runnable }
        guard let swiftTask = task.swiftTask else { return .runnable }  // its first step is queued
        if queuedJobs.contains(swiftTask) { return .runnable }
        return .outsideTrio
    }

    private mutating func number(_ object: AnyObject) -> Int {
        let id = ObjectIdentifier(object)
        if let number = objectNumbers[id] { return number }
        let number = objectNumbers.count + 1
        objectNumbers[id] = number
        return number
    }

    private mutating func number(_ id: ObjectIdentifier) -> Int {
        if let number = objectNumbers[id] { return number }
        let number = objectNumbers.count + 1
        objectNumbers[id] = number
        return number
    }

    /// The public description of a recorded reason; the object is alive (the task is parked on it).
    private mutating func wait(_ reason: WaitReason) -> TaskTreeSnapshot.Wait {
        switch reason {
        case .unspecified: return .unspecified
        case .sleep(let until): return .sleep(until: until)
        case .sleepForever: return .sleepForever
        case .event(let event): return .event(object: number(event.takeUnretainedValue()))
        case .lock(let core):
            let lock = core.takeUnretainedValue()
            return .lock(object: number(lock), kind: lock.typeName, owner: lock.owner?.name)
        case .semaphore(let semaphore):
            let value = semaphore.takeUnretainedValue()
            return .semaphore(object: number(value), value: value.value)
        case .condition(let lot): return .condition(object: number(lot.takeUnretainedValue()))
        case .capacityLimiter(let limiter):
            let value = limiter.takeUnretainedValue()
            return .capacityLimiter(object: number(value), borrowed: value.borrowedTokens, total: value.totalTokens)
        case .parkingLot(let lot): return .parkingLot(object: number(lot.takeUnretainedValue()))
        case .channelSend(let id): return .channelSend(object: number(id))
        case .channelReceive(let id): return .channelReceive(object: number(id))
        case .readable(let fd): return .readable(fd: fd)
        case .writable(let fd): return .writable(fd: fd)
        case .process(let pid): return .process(pid: pid)
        case .thread: return .thread
        case .swiftAsTrio: return .swiftAsTrio
        case .allTasksBlocked(let cushion): return .allTasksBlocked(cushion: cushion)
        case .nurseryChildren: return .nurseryChildren
        case .runSyncSoonQueue: return .runSyncSoonQueue
        case .hostedLoop: return .hostedLoop
        }
    }
}
