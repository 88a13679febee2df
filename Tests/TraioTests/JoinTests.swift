import Asyncio
import Testing
import Traio

/// traio's tests/test_join.py: awaiting spawned tasks, waiting for scopes, and cleaning up on the way out.
@Suite struct JoinTests {
    private func trivial() async throws -> Int {
        try await Asyncio.sleep(0.2)
        return 3
    }

    private func raiser() async throws {
        try await Asyncio.sleep(0.1)
        throw ValueError("boom")
    }

    @Test(arguments: LoopFactory.all)
    func awaitingSpawnedTasks(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func awaitingACancelledTask(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all, ScopeWait.allCases)
    func awaitingACancelledTaskWithoutRun(_ factory: LoopFactory, waiting: ScopeWait) throws {
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

    @Test(arguments: LoopFactory.all)
    func awaitingAFailingTaskCatchesItsError(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(raiser)
                await #expect(throws: ValueError.self) { try await task.value }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    @Test(arguments: LoopFactory.all)
    func waitForOnAFailingTaskCatchesItsError(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope(timeout: 1).run { scope in
                let task = try scope.spawn(raiser)
                await #expect(throws: ValueError.self) { try await waitFor(task, timeout: 10) }
            }
            factory.expectElapsed(loop, since: start, 0.1)
        }
    }

    @Test(arguments: LoopFactory.all)
    func awaitingAFailingTaskWithoutRun(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func spawningAfterAwaitingATask(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func spawningAfterAwaitingATaskWithoutRun(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func withoutFinalizeAScopeWaitsForACancel(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            let scope = Scope(timeout: 0.5)
            try scope << { _ = try await trivial() }
            await #expect(throws: TimeoutError.self) { try await scope.wait() }
            factory.expectElapsed(loop, since: start, 0.5)
        }
    }

    @Test(arguments: LoopFactory.all)
    func aFinishedScopeHasCleanedUpItsTasks(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func tasksCleaningUpSlowlyAreWaitedFor(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func anOutsideCancelCleansUpBeforeRunReturns(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func waitingFromAnotherTaskSeesTheCleanUpDone(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func aTaskNotAwaitedDoesNotKeepTheScopeAlive(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            let background = try await Scope().run { scope in try scope.spawn(awaited: false, run10) }
            factory.expectElapsed(loop, since: start, 0)
            #expect(background.cancelled)
        }
    }

    @Test(arguments: LoopFactory.all)
    func aTaskNotAwaitedEndsWithTheAwaitedOnes(_ factory: LoopFactory) throws {
        try factory.run { loop in
            let start = loop.time()
            try await Scope().run { scope in
                try scope.spawn(awaited: false, run10)
                try scope << { try await Asyncio.sleep(0.2) }
            }
            factory.expectElapsed(loop, since: start, 0.2)
        }
    }

    @Test(arguments: LoopFactory.all)
    func aTaskNotAwaitedDoesNotHideATimeout(_ factory: LoopFactory) throws {
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

    @Test(arguments: LoopFactory.all)
    func aTaskNotAwaitedIsCancelledAndJoined(_ factory: LoopFactory) throws {
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
