import TrioPlatform

extension AsyncioTaskTree {
    /// The tree as text: one line per task, drawn with tree lines as Trio's task tree is, each
    /// task above the tasks it awaits, in creation order, so that the same state always renders
    /// the same. Flavor: sync.
    ///
    /// ```
    /// asyncio task tree at t=1.500
    /// Task-1 · pending, awaiting TaskGroup (2 running)
    /// ├─ fetch · pending, awaiting task Task-4
    /// │  └─ Task-4 · pending, awaiting fd 7 readable
    /// └─ ticker · pending, awaiting sleep until t=5.000 (in 3.500 s)
    /// ```
    public func render() -> String {
        var lines = ["asyncio task tree at t=\(TreeText.seconds(time))"]
        for root in roots {
            TreeText.appendRoot(root, into: &lines, line: { $0.name + " · " + $0.summary(at: time) }, children: \.awaits)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension AsyncioTaskTree.TaskNode {
    /// The state in words (`running`, `pending`, `pending, ready to run`, `see above`).
    package var stateText: String {
        if isRepeat { return "see above" }
        switch state {
        case .running: return "running"
        case .pending: return awaiting == nil ? "pending, ready to run" : "pending"
        }
    }

    /// The state and what the task awaits, in words, on a clock that reads `now`.
    package func summary(at now: Double) -> String {
        guard !isRepeat, let awaiting else { return stateText }
        return stateText + ", awaiting " + awaiting.text(at: now)
    }
}

extension AsyncioTaskTree.Awaited {
    /// What is awaited, in words, on a clock that reads `now`.
    package func text(at now: Double) -> String {
        switch self {
        case .task(let name): return "task \(name)"
        case .gather(let count): return "gather of \(count)"
        case .taskGroup(let running): return "TaskGroup (\(running) running)"
        case .sleep(let until): return "sleep until " + TreeText.instant(until, now: now)
        case .readable(let fd): return "fd \(fd) readable"
        case .writable(let fd): return "fd \(fd) writable"
        case .trioCall: return "a Trio call (trioAsAio)"
        case .executor: return "runInExecutor (a worker thread)"
        case .primitive(let call): return call
        case .future: return "a Future"
        }
    }
}
