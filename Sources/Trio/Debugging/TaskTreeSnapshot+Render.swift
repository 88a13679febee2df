import TrioPlatform

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
        var lines = ["Trio task tree at t=\(TreeText.seconds(time))"]
        let roots = showRunInternals ? [root] : root.children.filter { $0.name != "<TrioToken.runSyncSoon task>" }
        for task in roots {
            TreeText.appendRoot(Item.task(task), into: &lines, line: line(of:), children: children(of:))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line of the drawing.
    private enum Item {
        /// A task, then its frames and hosted tasks below it.
        case task(TaskNode)
        /// The frame at the index (a cancel scope or a nursery), holding the frames after it.
        case frame([Frame], Int)
        /// A task of a hosted event loop, then the tasks it awaits below it.
        case hosted(HostedTaskNode)
    }

    private func line(of item: Item) -> String {
        switch item {
        case .task(let task):
            var line = task.name
            // The site is left out when the name already says it, or when the run itself spawned the task.
            if !task.name.hasSuffix(task.spawnSite) && !task.spawnSite.hasPrefix("Trio/") {
                line += " (\(task.spawnSite))"
            }
            if task.isSystem { line += " [system]" }
            return line + " · " + describe(task.state)
        case .frame(let frames, let position):
            switch frames[position] {
            case .cancelScope(let scope): return "cancel scope" + describe(scope)
            case .nursery(let nursery): return "nursery" + describe(nursery.scope)
            }
        case .hosted(let hosted):
            return "asyncio task \(hosted.name) · \(hosted.state)" + (hosted.awaiting.map { ", awaiting \($0)" } ?? "")
        }
    }

    private func children(of item: Item) -> [Item] {
        switch item {
        case .task(let task):
            // The frames nest: each one holds the next, and a nursery also holds its children.
            var items: [Item] = []
            if !task.frames.isEmpty { items.append(.frame(task.frames, 0)) }
            return items + task.hostedTasks.map(Item.hosted)
        case .frame(let frames, let position):
            var items: [Item] = []
            // What the owner does inside the nursery's body comes before the children.
            if position + 1 < frames.count { items.append(.frame(frames, position + 1)) }
            if case .nursery(let nursery) = frames[position] { items += nursery.children.map(Item.task) }
            return items
        case .hosted(let hosted):
            return hosted.children.map(Item.hosted)
        }
    }

    private func describe(_ scope: ScopeNode) -> String {
        var parts: [String] = []
        if scope.deadline != .infinity { parts.append("deadline " + TreeText.instant(scope.deadline, now: time)) }
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
            return "parked since t=\(TreeText.seconds(since)) (\(TreeText.seconds(time - since)) s): " + describe(wait)
        }
    }

    /// One wait, in words.
    func describe(_ wait: Wait) -> String {
        switch wait {
        case .sleep(let until):
            return "sleep until " + TreeText.instant(until, now: time)
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
        case .allTasksBlocked(let cushion): return "waitAllTasksBlocked(cushion: \(TreeText.seconds(cushion)))"
        case .nurseryChildren: return "nursery waiting for its children"
        case .runSyncSoonQueue: return "runSyncSoon callbacks"
        case .hostedLoop: return "hosted event loop waiting for work"
        case .unspecified: return "waitTaskRescheduled"
        }
    }
}
