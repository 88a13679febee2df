import Asyncio
import AsyncioTestSupport
import Testing
import Traio

/// traio's tests/test_join.py: awaiting spawned tasks, waiting for scopes, and cleaning up on the way out.
public struct JoinConformance {
    public init() {}

    private func trivial() async throws -> Int {
        try await Asyncio.sleep(0.2)
        return 3
    }

    private func raiser() async throws {
        try await Asyncio.sleep(0.1)
        throw ValueError("boom")
    }

    public func awaitingSpawnedTasks(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 0.5).run { scope in
                #expect(try await scope.spawn(trivial).value == 3)
                let task = try scope.spawn(trivial)
                #expect(try await task.value == 3)
                scope.cancel()
            }
            factory.expectElapsed(loop, since: start, 0.4)
        }
    }

    public func awaitingACancelledTask(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(run10)
                task.cancel()
                await #expect(throws: CancelledError.self) { try await task.value }
            }
            factory.expectElapsed(loop, since: start, 0)
        }
    }

    public func awaitingACancelledTaskWithoutRun(_ factory: ConformanceLoop, waiting: ScopeWait) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 1)
            let task = try scope.spawn(run10)
            task.cancel()
            await #expect(throws: CancelledError.self) { () async throws -> Void in try await task.value }
            scope.finalize()
            try await waiting(scope, timeout: 2)
            factory.expectElapsed(loop, since: start, 0)
        }
    }

    public func awaitingAFailingTaskCatchesItsError(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(raiser)
                await #expect(throws: ValueError.self) { try await task.value }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func waitForOnAFailingTaskCatchesItsError(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(raiser)
                await #expect(throws: ValueError.self) { try await waitFor(task, timeout: 10) }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func awaitingAFailingTaskWithoutRun(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 1)
            let task = try scope.spawn(raiser)
            await #expect(throws: ValueError.self) { try await task.value }
            scope.finalize()
            try await scope.wait()
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    public func spawningAfterAwaitingATask(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                _ = try await scope.spawn(trivial).value
                factory.expectElapsed(loop, since: start, 0.2)
                #expect(!scope.done)
                try scope.spawn(trivial)
            }
            factory.expectElapsed(loop, since: start, 0.4)
        }
    }

    public func spawningAfterAwaitingATaskWithoutRun(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 1)
            _ = try await scope.spawn(trivial).value
            factory.expectElapsed(loop, since: start, 0.2)
            #expect(!scope.done)
            try scope.spawn(trivial)
            scope.finalize()
            try await scope.wait()
            factory.expectElapsed(loop, since: start, 0.4)
        }
    }

    public func withoutFinalizeAScopeWaitsForACancel(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 0.5)
            try scope << { _ = try await trivial() }
            await #expect(throws: TimeoutError.self) { try await scope.wait() }
            factory.expectElapsed(loop, since: start, 0.5)
        }
    }

    public func aFinishedScopeHasCleanedUpItsTasks(_ factory: ConformanceLoop) throws {
        try factory.run { _ in
            let cleaned = Counter()
            let scope = Scope()
            try scope << {
                defer { cleaned.value += 1 }
                try await run10()
            }
            try await Asyncio.sleep(0.1)
            scope.cancel()
            try await scope.wait()
            #expect(cleaned.value == 1)
        }
    }

    public func tasksCleaningUpSlowlyAreWaitedFor(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cleaned = Counter()
            let start = loop.time()
            try await Scope().run { scope in
                for _ in 0..<10 {
                    try scope << {
                        do { try await run10() } catch {
                            try await Asyncio.sleep(0.2)
                            cleaned.value += 1
                            throw error
                        }
                    }
                }
                try await Asyncio.sleep(0.1)
                scope.cancel()
            }
            factory.expectElapsed(loop, since: start, 0.3)
            #expect(cleaned.value == 10)
        }
    }

    public func anOutsideCancelCleansUpBeforeRunReturns(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cleaned = Counter()
            let scope = Scope()
            let canceller = try loop.createTask {
                try await Asyncio.sleep(0.2)
                scope.cancel()
            }
            try await scope.run { scope in
                try scope << {
                    defer { cleaned.value += 1 }
                    try await run10()
                }
            }
            #expect(cleaned.value == 1)
            try await canceller.value
        }
    }

    public func waitingFromAnotherTaskSeesTheCleanUpDone(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cleaned = Counter()
            let scope = Scope()
            let runner = try loop.createTask { () async throws -> Void in
                try await scope.run { scope in
                    try scope << {
                        defer { cleaned.value += 1 }
                        try await run10()
                    }
                }
            }
            try await Asyncio.sleep(0.2)
            #expect(cleaned.value == 0)
            scope.cancel()
            try await scope.wait()
            #expect(cleaned.value == 1)
            try await runner.value
        }
    }

    public func aTaskNotAwaitedDoesNotKeepTheScopeAlive(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            let background = try await Scope().run { scope in try scope.spawn(awaited: false, run10) }
            factory.expectElapsed(loop, since: start, 0)
            #expect(background.cancelled)
        }
    }

    public func aTaskNotAwaitedEndsWithTheAwaitedOnes(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope().run { scope in
                try scope.spawn(awaited: false, run10)
                try scope << { try await Asyncio.sleep(0.2) }
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    public func aTaskNotAwaitedDoesNotHideATimeout(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.2).run { scope in
                    try scope.spawn(awaited: false, run10)
                    try scope << run10
                }
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    public func aTaskNotAwaitedIsCancelledAndJoined(_ factory: ConformanceLoop) throws {
        try factory.run { loop in
            let cancelled = Counter()
            let start = loop.time()
            await #expect(throws: TimeoutError.self) { () async throws -> Void in
                try await Scope(timeout: 0.2).run { scope in
                    try scope.spawn(awaited: false) {
                        do {
                            while true { try await Asyncio.sleep(1) }
                        } catch is CancelledError {
                            cancelled.value += 1
                        }
                    }
                    try scope << { try await Asyncio.sleep(0.2) }
                }
            }
            factory.expectElapsed(loop, since: start, 0.2)
            #expect(cancelled.value == 1)
        }
    }
}
