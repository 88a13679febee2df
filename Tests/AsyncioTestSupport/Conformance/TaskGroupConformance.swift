import Asyncio
import Testing

public struct TaskGroupConformance {
    public init() {}

    public func waitsForAllChildren(_ factory: ConformanceLoop) throws {
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

    public func failingChildCancelsSiblingsAndBody(_ factory: ConformanceLoop) throws {
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

    /// The group registers its done-callback first, so it hears of a failed child (and cancels the siblings)
    /// before the child's other done-callbacks run, as CPython's `TaskGroup` does.
    public func groupHearsOfAChildBeforeItsOtherDoneCallbacks(_ factory: ConformanceLoop) throws {
        let seen = try factory.run { _ -> Int in
            var siblingCancelling = -1
            do {
                try await withAsyncioTaskGroup { group in
                    let sibling = try group.createTask { try await Asyncio.sleep(10) }
                    let failing = try group.createTask { () throws -> Void in throw TestError(tag: 1) }
                    failing.addDoneCallback { _ in siblingCancelling = sibling.cancelling() }
                }
            } catch is ExceptionGroup {}
            return siblingCancelling
        }
        #expect(seen == 1)
    }

    public func outsideCancellationCancelsChildrenAndPropagates(_ factory: ConformanceLoop) throws {
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

    public func finishedGroupRefusesNewTasks(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            var escaped: AsyncioTaskGroup?
            try await withAsyncioTaskGroup { group in escaped = group }
            #expect(throws: RuntimeError.self) { try escaped!.createTask { 1 } }
            #expect(throws: RuntimeError.self) { try AsyncioTaskGroup().createTask { 1 } }
        }
    }
}

/// Resumption order: a task's wake-up is one entry of the loop's queue, in the order it was made (CPython).
public struct ResumptionOrderConformance {
    public init() {}

    public func sleepZeroReturnsBeforeTheGroupHearsOfAFailedChild(_ factory: ConformanceLoop) throws {
        // `async with TaskGroup() as tg: tg.create_task(raise_e()); await sleep(0)`: the child's step runs, then
        // the body resumes (sleep(0) returns normally), then the group's done-callback cancels the body.
        let (order, failed) = try factory.run { _ -> ([String], Bool) in
            let log = Log<String>()
            do {
                try await withAsyncioTaskGroup { group in
                    try group.createTask { () throws -> Void in
                        log("child raises")
                        throw TestError(tag: 7)
                    }
                    do {
                        try await Asyncio.sleep(0)
                        log("sleep(0) returned")
                    } catch is CancelledError {
                        log("sleep(0) cancelled")
                        throw CancelledError()
                    }
                }
            } catch let group as ExceptionGroup {
                return (log.items, group.errors.count == 1 && group.errors[0] as? TestError == TestError(tag: 7))
            }
            return (log.items, false)
        }
        #expect(order == ["child raises", "sleep(0) returned"])
        #expect(failed)
    }

    public func sleepZeroResumesAfterCallbacksQueuedBeforeItAndBeforeLaterOnes(_ factory: ConformanceLoop) throws {
        let order = try factory.run { loop -> [String] in
            let log = Log<String>()
            try loop.callSoon { log("before") }
            let sibling = try loop.createTask { log("sibling step") }
            try await Asyncio.sleep(0)
            log("resumed")
            try loop.callSoon { log("after") }
            try await sibling.value
            try await Asyncio.sleep(0)
            return log.items
        }
        #expect(order == ["before", "sibling step", "resumed", "after"])
    }

    public func gatherOverFinishedChildrenTakesNoIteration(_ factory: ConformanceLoop) throws {
        // CPython 3.13: gather() of futures that are all done returns a done future, so awaiting it does not
        // yield to the loop.
        let order = try factory.run { loop -> [String] in
            let log = Log<String>()
            let a = loop.createFuture(of: Int.self)
            let b = loop.createFuture(of: Int.self)
            try a.setResult(1)
            try b.setResult(2)
            try loop.callSoon { log("callback") }
            let values = try await gather([a, b])
            log("gathered \(values)")
            try await Asyncio.sleep(0)
            return log.items
        }
        #expect(order == ["gathered [1, 2]", "callback"])
    }
}
