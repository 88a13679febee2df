import Asyncio
import Testing

/// `Asyncio.taskTree(loop:)`: a loop's tasks laid out as `python -m asyncio pstree` draws them, each
/// with what it awaits; on every loop kind.
public struct TaskTreeConformance {
    public init() {}

    public func treeShowsWhoAwaitsWhomAndWhat(_ kind: ConformanceLoop) throws {
        let (tree, start) = try kind.run { loop -> (AsyncioTaskTree, Double) in
            let start = loop.time()
            let gate = loop.createFuture(of: Void.self)
            let shared = try Asyncio.createTask(name: "shared") { try await gate.value }
            let first = try Asyncio.createTask(name: "first") { try await shared.value }
            let second = try Asyncio.createTask(name: "second") { try await shared.value }
            let napper = try Asyncio.createTask(name: "napper") { try await Asyncio.sleep(30) }
            let gatherer = try Asyncio.createTask(name: "gatherer") {
                let one = try Asyncio.createTask(name: "one") { try await Asyncio.sleep(40) }
                let two = try Asyncio.createTask(name: "two") { try await Asyncio.sleep(50) }
                _ = try await gather([one, two])
            }
            try await Asyncio.sleep(1)
            let tree = try Asyncio.taskTree()
            try gate.setResult(())
            for task in [napper, gatherer] { task.cancel() }
            _ = try await Asyncio.wait([first, second, napper, gatherer])
            return (tree, start)
        }
        #expect(tree.time == start + 1)
        #expect(tree.roots.map(\.name) == ["main", "first", "second", "napper", "gatherer"])
        let main = tree.roots[0]
        #expect(main.state == .running)
        #expect(main.awaiting == nil)
        let first = tree.roots[1]
        #expect(first.state == .pending)
        #expect(first.awaiting == .task(name: "shared"))
        #expect(first.awaits.map(\.name) == ["shared"])
        let shared = first.awaits[0]
        #expect(!shared.isRepeat)
        #expect(shared.awaiting == .future)
        #expect(shared.awaitedBy == ["first", "second"])
        // The second awaiter names the shared task again without drawing it twice.
        #expect(tree.roots[2].awaits.map(\.isRepeat) == [true])
        #expect(tree.roots[3].awaiting == .sleep(until: start + 30))
        let gatherer = tree.roots[4]
        #expect(gatherer.awaiting == .gather(count: 2))
        #expect(gatherer.awaits.map(\.name) == ["one", "two"])
        #expect(gatherer.awaits.map(\.awaiting) == [.sleep(until: start + 40), .sleep(until: start + 50)])
        #expect(gatherer.awaits[0].awaitedBy == ["gatherer"])
        #expect(tree.allTasks.map(\.name) == ["main", "first", "shared", "second", "napper", "gatherer", "one", "two"])
        #expect(tree.task(named: "two")?.awaiting == .sleep(until: start + 50))
    }

    /// A task blocked on an asyncio primitive or queue shows the blocking call, not "a Future".
    public func primitiveWaitsNameTheBlockingCall(_ kind: ConformanceLoop) throws {
        let tree = try kind.run { _ -> AsyncioTaskTree in
            let lock = Asyncio.Lock()
            try await lock.acquire()
            let event = Asyncio.Event()
            let queue = Asyncio.Queue<Int>(maxsize: 1)
            let locker = try Asyncio.createTask(name: "locker") { try await lock.acquire() }
            let waiter = try Asyncio.createTask(name: "waiter") { try await event.wait() }
            let getter = try Asyncio.createTask(name: "getter") { _ = try await queue.get() }
            try await Asyncio.sleep(1)
            let tree = try Asyncio.taskTree()
            try lock.release()
            event.set()
            try queue.putNowait(1)
            _ = try await Asyncio.wait([locker, waiter, getter])
            return tree
        }
        #expect(tree.task(named: "locker")?.awaiting == .primitive(call: "Asyncio.Lock.acquire"))
        #expect(tree.task(named: "waiter")?.awaiting == .primitive(call: "Asyncio.Event.wait"))
        #expect(tree.task(named: "getter")?.awaiting == .primitive(call: "Asyncio.Queue.get"))
        #expect(tree.render().contains("locker · pending, awaiting Asyncio.Lock.acquire"))
    }
}
