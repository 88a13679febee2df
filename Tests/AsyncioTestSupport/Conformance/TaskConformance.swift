import Asyncio
import Testing

public struct TaskConformance {
    public init() {}

    public func taskReturnsItsResultAndHasAName(_ factory: ConformanceLoop) throws {
        try factory.withLoop { loop in
            let named = try loop.createTask(name: "worker") { 7 }
            let unnamed = try loop.createTask { "x" }
            #expect(named.name == "worker")
            #expect(unnamed.name.hasPrefix("Task-"))
            #expect(try loop.runUntilComplete(named) == 7)
            #expect(try loop.runUntilComplete(unnamed) == "x")
            #expect(throws: RuntimeError.self) { try named.setResult(1) }
        }
    }

    public func stepsInterleaveWithCallbacksFIFO(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let a = try loop.createTask {
                for step in 1...3 {
                    log("a\(step)")
                    try await Asyncio.sleep(0)
                }
            }
            let b = try loop.createTask {
                for step in 1...3 {
                    log("b\(step)")
                    try await Asyncio.sleep(0)
                }
            }
            try loop.callSoon { log("cb") }
            try await a.value
            try await b.value
        }
        #expect(log.items == ["a1", "b1", "cb", "a2", "b2", "a3", "b3"])
    }

    public func currentTaskAndAllTasks(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let me = try #require(currentTask())
            #expect(me.name == "main")
            let child = try loop.createTask(name: "child") { try await Asyncio.sleep(0.001) }
            let names = Set(allTasks().map(\.name))
            #expect(names == ["main", "child"])
            var inCallback: (any AnyAsyncioTask)? = me
            try loop.callSoon { inCallback = currentTask() }
            try await child.value
            #expect(inCallback == nil)
            #expect(allTasks().map(\.name) == ["main"])
        }
        #expect(currentTask() == nil)
    }

    public func cancelWhileSleepingThrowsOnceAndCountsRequests(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let task = try loop.createTask {
                do {
                    try await Asyncio.sleep(10)
                    log("slept")
                } catch let error as CancelledError {
                    log("cancelled \(error.message ?? "-")")
                }
                // Edge-triggered: the next await works normally.
                try await Asyncio.sleep(0.001)
                log("after")
                return 5
            }
            try await Asyncio.sleep(0)
            #expect(task.cancel(message: "stop"))
            #expect(task.cancelling() == 1)
            #expect(try await task.value == 5)
            #expect(!task.cancelled)
            #expect(task.cancelling() == 1)
            #expect(task.uncancel() == 0)
            #expect(!task.cancel())
        }
        #expect(log.items == ["cancelled stop", "after"])
    }

    public func cancelBeforeTheFirstStepSkipsTheBody(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let task = try loop.createTask { log("ran") }
            task.cancel(message: "early")
            await #expect(throws: CancelledError.self) { try await task.value }
            #expect(task.cancelled)
            #expect(throws: CancelledError.self) { try task.result() }
        }
        #expect(log.items.isEmpty)
    }

    public func selfCancelIsDeliveredAtTheNextAwait(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let task = try loop.createTask {
                currentTask()!.cancel()
                log("still running")
                try await Asyncio.sleep(1)
                log("not reached")
            }
            await #expect(throws: CancelledError.self) { try await task.value }
            #expect(task.cancelled)
        }
        #expect(log.items == ["still running"])
    }

    public func selfCancelWhileAwaitingATaskWaitsForItToWindDown(_ factory: ConformanceLoop) throws {
        let log = Log<String>()
        try factory.run { loop in
            let inner = try loop.createTask {
                do {
                    try await Asyncio.sleep(10)
                } catch {
                    try await Asyncio.sleep(0.002)
                    log("inner cleaned up")
                    throw error
                }
            }
            let outer = try loop.createTask {
                currentTask()!.cancel()
                do {
                    try await inner.value
                } catch is CancelledError {
                    log("outer cancelled")
                    throw CancelledError()
                }
            }
            await #expect(throws: CancelledError.self) { try await outer.value }
            #expect(inner.cancelled)
        }
        #expect(log.items == ["inner cleaned up", "outer cancelled"])
    }

    public func cancellingAnAwaitingTaskCancelsTheAwaitedTask(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let inner = try loop.createTask { try await Asyncio.sleep(10) }
            let outer = try loop.createTask { try await inner.value }
            try await Asyncio.sleep(0.001)
            outer.cancel()
            await #expect(throws: CancelledError.self) { try await outer.value }
            #expect(inner.cancelled)
            #expect(outer.cancelled)
        }
    }

    public func cancelAfterTheAwaitedFutureCompletedStillCancels(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let future = loop.createFuture(of: Int.self)
            let task = try loop.createTask { try await future.value }
            try await Asyncio.sleep(0)
            try future.setResult(1)
            // The task is woken but has not run yet: the request must not be lost.
            #expect(task.cancel())
            await #expect(throws: CancelledError.self) { try await task.value }
            #expect(task.cancelled)
        }
    }

    public func taskAwaitingItselfThrowsInsteadOfHanging(_ factory: ConformanceLoop) throws {
        // CPython: "Task cannot await on itself" (RuntimeError), thrown into the task.
        try factory.run { loop in
            let box = Log<AsyncioTask<Void>>()
            let task = try loop.createTask { try await box.items[0].value }
            box(task)
            let (done, _) = try await wait([task], timeout: 1)
            #expect(done.count == 1)
            #expect(throws: RuntimeError.self) { try task.result() }
        }
    }

    public func failedTaskReportsNeverRetrieved(_ factory: ConformanceLoop) throws {
        var messages: [String] = []
        try factory.withLoop { loop in
            loop.setExceptionHandler { _, context in messages.append(context.message) }
            do {
                let task = try loop.createTask { () throws -> Int in throw TestError() }
                try loop.callLater(0.001) { loop.stop() }
                try loop.runForever()
                #expect(task.done)
            }
        }
        #expect(messages == ["Task exception was never retrieved"])
    }

    public func runHelperRunsMainAndCancelsLeftovers() throws {
        let (value, leftover) = try Asyncio.run {
            let leftover = try Asyncio.createTask { try await Asyncio.sleep(10) }
            try await Asyncio.sleep(0)
            return (11, leftover)
        }
        #expect(value == 11)
        #expect(leftover.cancelled)
        let inner = try Asyncio.run { () -> String in
            do {
                _ = try Asyncio.run { 1 }
                return "no error"
            } catch let error as RuntimeError {
                return error.message
            }
        }
        #expect(inner == "asyncio.run() cannot be called from a running event loop")
    }

    public func runAcceptsALoopFactory(_ factory: ConformanceLoop) throws {
        let made = Unchecked(Log<any AbstractEventLoop>())
        let usedIt = try Asyncio.run(loopFactory: {
            let loop = try factory.makeLoop()
            made.value(loop)
            return loop
        }) {
            try getRunningLoop() === made.value.items.first
        }
        #expect(usedIt)
        #expect(made.value.items.first?.isClosed == true)
    }

    public func sleepAdvancesTheLoopClock(_ factory: ConformanceLoop) throws {
        let (start, end, result) = try factory.run { loop in
            let start = loop.time()
            let result = try await Asyncio.sleep(0.02, result: "r")
            return (start, loop.time(), result)
        }
        #expect(end - start >= 0.02)
        #expect(end - start < 1)
        #expect(result == "r")
    }
}
