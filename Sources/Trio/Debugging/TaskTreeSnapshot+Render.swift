extension TaskTreeSnapshot {
    /// The tree as text: one line per task, cancel scope and nursery, drawn with tree lines, in
    /// spawn order, so that the same state always renders the same. Flavor: sync.
    ///
    /// ```
    /// Trio task tree at t=3.000
    /// main (main.swift:3) · parked since t=0.000 (3.000 s): nursery waiting for its children
    /// └─ nursery
    ///    ├─ task at main.swift:5 · parked since t=0.000 (3.000 s): Event.wait (Event #1)
    ///    └─ cancel scope · deadline t=10.000 (in 7.000 s)
    ///       └─ …
    /// ```
    ///
    /// - Parameter showRunInternals: also show the run's root task and its token task (by default
    ///   the tree starts at the main task and the system tasks).
    public func render(showRunInternals: Bool = false) -> String {
        var lines = ["Trio task tree at t=\(Self.format(time))"]
        let roots = showRunInternals ? [root] : root.children.filter { $0.name != "<TrioToken.runSyncSoon task>" }
        for task in roots {
            appendTask(task, prefix: "", childPrefix: "", into: &lines)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func appendTask(_ task: TaskNode, prefix: String, childPrefix: String, into lines: inout [String]) {
        var line = prefix + task.name
        // The site is left out when the name already says it, or when the run itself spawned the task.
        if !task.name.hasSuffix(task.spawnSite) && !task.spawnSite.hasPrefix("Trio/") {
            line += " (\(task.spawnSite))"
        }
        if task.isSystem { line += " [system]" }
        line += " · " + describe(task.state)
        lines.append(line)
        // The frames nest: each one holds the next, and a nursery also holds its children.
        var items: [Item] = []
        if let first = task.frames.indices.first { items.append(.frame(task.frames, first)) }
        items.append(contentsOf: task.hostedTasks.map(Item.hosted))
        appendItems(items, prefix: childPrefix, into: &lines)
    }

    private enum Item {
        case frame([Frame], Int)
        case task(TaskNode)
        case hosted(HostedTaskNode)
    }

    private func appendItems(_ items: [Item], prefix: String, into lines: inout [String]) {
        for (index, item) in items.enumerated() {
            let last = index == items.count - 1
            let head = prefix + (last ? "└─ " : "├─ ")
            let tail = prefix + (last ? "   " : "│  ")
            switch item {
            case .task(let task):
                appendTask(task, prefix: head, childPrefix: tail, into: &lines)
            case .hosted(let hosted):
                var line = head + "asyncio task \(hosted.name) · \(hosted.state)"
                if let awaiting = hosted.awaiting { line += ", awaiting \(awaiting)" }
                lines.append(line)
                appendItems(hosted.children.map(Item.hosted), prefix: tail, into: &lines)
            case .frame(let frames, let position):
                var inner: [Item] = []
                let next = position + 1 < frames.count ? Item.frame(frames, position + 1) : nil
                switch frames[position] {
                case .cancelScope(let scope):
                    lines.append(head + "cancel scope" + describe(scope))
                    if let next { inner.append(next) }
                case .nursery(let nursery):
                    lines.append(head + "nursery" + describe(nursery.scope))
                    // What the owner does inside the nursery's body comes before the children.
                    if let next { inner.append(next) }
                    inner.append(contentsOf: nursery.children.map(Item.task))
                }
                appendItems(inner, prefix: tail, into: &lines)
            }
        }
    }

    private func describe(_ scope: ScopeNode) -> String {
        var parts: [String] = []
        if scope.deadline != .infinity {
            let remaining = scope.deadline - time
            parts.append(
                "deadline t=\(Self.format(scope.deadline)) "
                    + (remaining >= 0 ? "(in \(Self.format(remaining)) s)" : "(\(Self.format(-remaining)) s ago)"))
        }
        if scope.shield { parts.append("shielded") }
        if scope.cancelCalled {
            parts.append("cancelled" + (scope.cancelReason.map { " (\"\($0)\")" } ?? ""))
        } else if scope.effectivelyCancelled {
            parts.append("cancelled from outside")
        }
        return parts.isEmpty ? "" : " · " + parts.joined(separator: ", ")
    }

    private func describe(_ state: TaskState) -> String {
        switch state {
        case .running: return "running"
        case .runnable: return "runnable"
        case .outsideTrio: return "awaiting plain Swift code on another executor"
        case .parked(let wait, let since):
            return "parked since t=\(Self.format(since)) (\(Self.format(time - since)) s): " + describe(wait)
        }
    }

    /// One wait, in words.
    func describe(_ wait: Wait) -> String {
        switch wait {
        case .sleep(let until):
            return "sleep until t=\(Self.format(until)) (in \(Self.format(until - time)) s)"
        case .sleepForever: return "sleepForever"
        case .event(let object): return "Event.wait (Event #\(object))"
        case .lock(let object, let kind, let owner):
            return "\(kind).acquire (\(kind) #\(object), held by \(owner ?? "nobody"))"
        case .semaphore(let object, let value): return "Semaphore.acquire (Semaphore #\(object), value \(value))"
        case .condition(let object): return "Condition.wait (Condition #\(object))"
        case .capacityLimiter(let object, let borrowed, let total):
            return "CapacityLimiter.acquire (CapacityLimiter #\(object), \(borrowed)/\(total) borrowed)"
        case .parkingLot(let object): return "ParkingLot.park (ParkingLot #\(object))"
        case .channelSend(let object): return "MemorySendChannel.send (channel #\(object))"
        case .channelReceive(let object): return "MemoryReceiveChannel.receive (channel #\(object))"
        case .readable(let fd): return "waitReadable(fd \(fd))"
        case .writable(let fd): return "waitWritable(fd \(fd))"
        case .process(let pid): return "TrioProcess.wait (pid \(pid))"
        case .thread: return "ToThread.runSync (a worker thread)"
        case .swiftAsTrio: return "swiftAsTrio (a Swift child task)"
        case .allTasksBlocked(let cushion): return "waitAllTasksBlocked(cushion: \(Self.format(cushion)))"
        case .nurseryChildren: return "nursery waiting for its children"
        case .runSyncSoonQueue: return "runSyncSoon callbacks"
        case .hostedLoop: return "hosted event loop waiting for work"
        case .unspecified: return "waitTaskRescheduled"
        }
    }

    /// Times with millisecond precision, without Foundation.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "inf" : "-inf" }
        let millis = (abs(value) * 1000).rounded()
        guard millis < 1e15 else { return "\(value)" }
        let whole = Int(millis) / 1000
        let fraction = Int(millis) % 1000
        let padded = String(fraction).count < 3 ? String(repeating: "0", count: 3 - String(fraction).count) : ""
        return (value < 0 && millis > 0 ? "-" : "") + "\(whole).\(padded)\(fraction)"
    }
}
