import Asyncio
import Glibc
import Testing
import Trio
import TrioAsyncio
import TrioTesting

/// The asyncio tasks of a `TrioEventLoop` in Trio's task tree, under the Trio task that runs the loop.
@Suite struct TrioAsyncioTaskTreeTests {
    typealias Node = AsyncioTaskTree.TaskNode

    /// The asyncio tasks under the loop task of `snapshot`.
    static func hosted(_ snapshot: TaskTreeSnapshot) -> [TaskTreeSnapshot.HostedTaskNode] {
        snapshot.allTasks.flatMap(\.hostedTasks)
    }

    @Test(.trioAsyncio) func asyncioTasksAppearUnderTheLoopTaskWithWhatEachAwaits() async throws {
        let loop = try TrioTestScope.loop
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let readable = fds[0]
        let start = loop.time()
        let event = Asyncio.Event()
        let trioEvent = Trio.Event()
        let sleeper = try loop.createTask(name: "sleeper") { try await Asyncio.sleep(10) }
        var tasks: [any AnyFuture] = [sleeper]
        tasks.append(try loop.createTask(name: "waiter") { try await sleeper.value })
        tasks.append(try loop.createTask(name: "reader") { try await loop.waitReady(readable) })
        tasks.append(try loop.createTask(name: "trio-caller") {
            try await loop.trioAsFuture { try await trioEvent.wait() }.value
        })
        tasks.append(try loop.createTask(name: "gatherer") {
            let one = try Asyncio.createTask(name: "one") { try await event.wait() }
            let two = try Asyncio.createTask(name: "two") { try await event.wait() }
            _ = try await gather([one, two])
        })
        tasks.append(try loop.createTask(name: "group") {
            try await withAsyncioTaskGroup { group in
                _ = try group.createTask(name: "child") { try await Asyncio.sleep(20) }
            }
        })
        try await Trio.sleep(1)
        let snapshot = try Lowlevel.taskTree()

        let loopTasks = snapshot.allTasks.filter { !$0.hostedTasks.isEmpty }
        #expect(loopTasks.count == 1)
        let roots = loopTasks.first?.hostedTasks ?? []
        #expect(roots.map(\.name) == ["waiter", "reader", "trio-caller", "gatherer", "group"])
        #expect(roots.map(\.state) == Array(repeating: "pending", count: 5))
        #expect(roots.map { $0.children.map(\.name) } == [["sleeper"], [], [], ["one", "two"], ["child"]])
        let details = roots.map { $0.details as? Node }
        #expect(details.map { $0?.awaiting } == [
            .task(name: "sleeper"), .readable(fd: readable), .trioCall, .gather(count: 2), .taskGroup(running: 1),
        ])
        let sleeperNode = roots.first?.children.first?.details as? Node
        #expect(sleeperNode?.awaiting == .sleep(until: start + 10))
        #expect(sleeperNode?.awaitedBy == ["waiter"])
        #expect((roots.last?.children.first?.details as? Node)?.awaiting == .sleep(until: start + 20))
        #expect((roots[3].children.first?.details as? Node)?.awaiting == .primitive(call: "Asyncio.Event.wait"))
        #expect(roots.first?.awaiting == "task sleeper")
        let text = snapshot.render()
        #expect(text.contains("asyncio task waiter · pending, awaiting task sleeper\n"))
        #expect(text.contains("asyncio task sleeper · pending, awaiting sleep until t="))
        #expect(text.contains("asyncio task trio-caller · pending, awaiting a Trio call (trioAsAio)\n"))
        #expect(text.contains("asyncio task reader · pending, awaiting fd \(readable) readable\n"))

        for task in tasks { task.cancel() }
        try await loop.runAioCoroutine { _ = try await Asyncio.wait(tasks) }
        #expect(Self.hosted(try Lowlevel.taskTree()).isEmpty)
    }

    @Test(.trioAsyncio) func anotherThreadSeesTheLoopsTasksThroughTheToken() async throws {
        let loop = try TrioTestScope.loop
        let token = try Lowlevel.currentTrioToken()
        let gate = loop.createFuture(of: Void.self)
        let napper = try loop.createTask(name: "napper") { try await gate.value }
        // No deadline anywhere: the mock clock cannot jump past the moment the thread asks.
        try await loop.synchronize()
        let snapshot = try await ToThread.runSync { try token.taskTree() }
        let hosted = Self.hosted(snapshot)
        #expect(hosted.map(\.name) == ["napper"])
        #expect(hosted.map(\.awaiting) == ["a Future"])
        try gate.setResult(())
        try await loop.runAioCoroutine { try await napper.value }
    }

    @Test(.trioAsyncio) func theRunningAsyncioTaskShowsAsRunning() async throws {
        let loop = try TrioTestScope.loop
        let tree = try await loop.runAioCoroutine(name: "asker") { try Asyncio.taskTree() }
        #expect(tree.roots.map(\.name) == ["asker"])
        #expect(tree.roots.first?.state == .running)
        #expect(tree.render().hasSuffix("asker · running\n"))
    }
}
