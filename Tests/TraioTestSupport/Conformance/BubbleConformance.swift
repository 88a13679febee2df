import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_bubble.py (the `bubble` flag), and the rule that observing a task turns bubbling off.
public struct BubbleConformance {
    public init() {}

    private func failsSoon() async throws {
        try await Asyncio.sleep(0.01)
        throw ValueError("not interesting")
    }

    public func aTaskThatDoesNotBubbleLeavesTheScopeRunning(_ factory: ConformanceLoop, awaited: Bool) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.5).run { scope in
                    try scope.spawn(run10)
                    try scope.spawn(bubble: false, awaited: awaited) { try await failsSoon() }
                }
            }
            factory.expectElapsed(loop, since: start, 0.5)
        }
    }

    public func aMasterThatDoesNotBubbleEndsTheScopeSilently(_ factory: ConformanceLoop, awaited: Bool) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 0.5).run { scope in
                try scope.spawn(run10)
                try scope.spawn(master: true, bubble: false, awaited: awaited) { try await failsSoon() }
            }
            factory.expectElapsed(loop, since: start, 0.01)
        }
    }

    public func aBubblingErrorCancelsTheOthersAndIsRaisedUnwrapped(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let cancelled = Counter()
            await #expect(throws: TestError(tag: 1)) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope.spawn {
                        do { try await run10() } catch { cancelled.value += 1; throw error }
                    }
                    try scope.spawn { try await Asyncio.sleep(0.02); throw TestError(tag: 2) }
                    try scope << { try await Asyncio.sleep(0.01); throw TestError(tag: 1) }
                    do { try await run10() } catch { cancelled.value += 1; throw error }
                }
            }
            factory.expectElapsed(loop, since: start, 0.01)
            #expect(cancelled.value == 2)
        }
    }

    public func aTaskNotAwaitedStillBubbles(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TestError.self) { () async throws -> Void in
                try await Scope().run { scope in
                    try scope.spawn(awaited: false) { try await Asyncio.sleep(0.1); throw TestError() }
                    try scope << { try await Asyncio.sleep(0.2) }
                }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func addingADoneCallbackTurnsBubblingOff(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let seen = Counter()
            let start = loop.time()
            try await Scope().run { scope in
                let task = try scope.spawn { try await Asyncio.sleep(0.01); throw TestError() }
                task.addDoneCallback { task in
                    if (try? task.exception()) is TestError { seen.value += 1 }
                }
            }
            factory.expectElapsed(loop, since: start, 0.01)
            try await Asyncio.sleep(0)
            #expect(seen.value == 1)
        }
    }

    public func gatheringATaskTurnsBubblingOff(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            try await Scope().run { scope in
                let task = try scope.spawn { () async throws -> Int in
                    try await Asyncio.sleep(0.01)
                    throw TestError()
                }
                await #expect(throws: TestError.self) { try await gather([task]) }
            }
        }
    }

    public func awaitingAnAlreadyFinishedTaskStillTurnsBubblingOff(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            try await Scope().run { scope in
                let started = loop.createFuture(of: Void.self)
                let task = try scope.spawn { () async throws -> Int in
                    try started.setResult(())
                    throw TestError()
                }
                // Wakes up in the step where the task fails, before the scope hears of the failure.
                try await started.value
                #expect(task.done)
                await #expect(throws: TestError.self) { try await task.value }
            }
        }
    }
}
