import Asyncio
import Testing

@Suite struct TaskGroupTests {
    @Test(arguments: LoopFactory.all)
    func waitsForAllChildren(_ factory: LoopFactory) throws {
        let log = Log<Int>()
        try factory.run { _ in
            try await withAsyncioTaskGroup { group in
                for index in [3, 1, 2] {
                    try group.createTask { try await Asyncio.sleep(Double(index) * 0.002); log(index) }
                }
            }
            #expect(log.items == [1, 2, 3])
        }
    }

    @Test(arguments: LoopFactory.all)
    func failingChildCancelsSiblingsAndBody(_ factory: LoopFactory) throws {
        let log = Log<String>()
        let caught = try factory.run { _ -> ExceptionGroup? in
            do {
                try await withAsyncioTaskGroup { group in
                    try group.createTask {
                        do { try await Asyncio.sleep(10) } catch { log("sibling cancelled"); throw error }
                    }
                    try group.createTask { () throws -> Void in
                        try await Asyncio.sleep(0.001)
                        throw TestError(tag: 1)
                    }
                    do { try await Asyncio.sleep(10) } catch { log("body cancelled"); throw error }
                }
                return nil
            } catch let group as ExceptionGroup {
                #expect(currentTask()!.cancelling() == 0)
                return group
            }
        }
        let group = try #require(caught)
        #expect(group.errors.count == 1)
        #expect(group.errors.first as? TestError == TestError(tag: 1))
        #expect(Set(log.items) == ["sibling cancelled", "body cancelled"])
    }

    @Test(arguments: LoopFactory.all)
    func outsideCancellationCancelsChildrenAndPropagates(_ factory: LoopFactory) throws {
        let log = Log<String>()
        try factory.run { loop in
            let task = try loop.createTask {
                try await withAsyncioTaskGroup { group in
                    try group.createTask {
                        do { try await Asyncio.sleep(10) } catch { log("child cancelled"); throw error }
                    }
                    try await Asyncio.sleep(10)
                }
            }
            try await Asyncio.sleep(0.001)
            task.cancel()
            await #expect(throws: CancelledError.self) { try await task.value }
        }
        #expect(log.items == ["child cancelled"])
    }

    @Test(arguments: LoopFactory.all)
    func finishedGroupRefusesNewTasks(_ factory: LoopFactory) throws {
        try factory.run { _ in
            var escaped: AsyncioTaskGroup?
            try await withAsyncioTaskGroup { group in escaped = group }
            #expect(throws: RuntimeError.self) { try escaped!.createTask { 1 } }
            #expect(throws: RuntimeError.self) { try AsyncioTaskGroup().createTask { 1 } }
        }
    }
}
